"""Pictures an app developer looks at: confusion matrix, misread digits, a drawing's path.

Figures are built without pyplot (``matplotlib.figure.Figure``), so this works on a
headless machine and leaves an interactive backend (Jupyter) alone. Every figure is written atomically as a PNG.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._files import atomic_write_bytes
from ._validation import check_count, check_instance, check_path
from .datasets._handwriting import STYLES, synthesize_drawing
from .drawing._strokes import render_strokes

__all__ = ["plot_confusion", "plot_misclassified", "plot_drawing", "plot_styles", "CONFUSION_NAME", "MISCLASSIFIED_NAME"]

#: The file name of the confusion matrix picture among a training run's artifacts.
CONFUSION_NAME = "confusion_matrix.png"
#: The file name of the picture of misclassified held-out digits among a training run's artifacts.
MISCLASSIFIED_NAME = "misclassified.png"


def _subplots(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """A figure and axes that need no pyplot: the user's backend (Jupyter's) is left alone."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=kwargs.pop("figsize", None))
    return fig, fig.subplots(*args, **kwargs)


def _save(fig: Any, path: str | os.PathLike) -> Path:
    buf = io.BytesIO()
    # A fixed Software tag and no date keep the PNG bytes stable from run to run.
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": "digits_svm"})
    return atomic_write_bytes(path, buf.getvalue())


def _draw_grid(ax: Any, grid: np.ndarray, *, numbers: bool = False, title: str | None = None) -> None:
    """Show one 8x8 grid like load_digits' pictures: white paper, dark ink."""
    ax.imshow(grid, cmap="gray_r", vmin=0, vmax=16, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if numbers:
        for (r, c), v in np.ndenumerate(grid):
            ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=7, color="white" if v > 8 else "black")
    if title:
        ax.set_title(title, fontsize=9)


def plot_confusion(confusion: np.ndarray, path: str | os.PathLike, *, title: str = "Held-out confusion matrix") -> Path:
    """Write the confusion matrix (rows true, columns predicted) as a PNG.

    Parameters
    ----------
    confusion : numpy.ndarray
        Counts, shape (10, 10), or (10, 11) with a last column of digits answered
        "not a digit", as in ``TrainResult.confusion``.
    path : str or PathLike
        Destination PNG.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "c.png"
    >>> plot_confusion(np.eye(10, dtype=int) * 90, out).stat().st_size > 1000
    True
    """
    check_path(path, "path")
    check_instance(title, "title", str, "a string")
    confusion = np.asarray(confusion)
    fig, ax = _subplots(figsize=(5.5, 5))
    ax.imshow(confusion, cmap="Blues")
    for (r, c), v in np.ndenumerate(confusion):
        if v:
            ax.text(c, r, str(v), ha="center", va="center", fontsize=8,
                    color="white" if v > confusion.max() / 2 else "black")
    ax.set_xticks(range(confusion.shape[1]), [str(d) for d in range(10)] + ["not a\ndigit"] * (confusion.shape[1] > 10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    correct = int(np.trace(confusion))
    ax.set_title(f"{title}\n{correct}/{int(confusion.sum())} correct")
    fig.tight_layout()
    return _save(fig, path)


def plot_misclassified(
    grids: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, path: str | os.PathLike, *, max_digits: int = 40
) -> Path:
    """Write a grid of the misread digits, each titled "true -> predicted".

    Parameters
    ----------
    grids : numpy.ndarray
        Held-out grids, shape (n, 64) or (n, 8, 8).
    y_true, y_pred : numpy.ndarray
        True and predicted labels.
    path : str or PathLike
        Destination PNG.
    max_digits : int, default 40
        Show at most this many (in data order).

    Returns
    -------
    pathlib.Path
    """
    check_path(path, "path")
    check_count(max_digits, "max_digits")
    grids = np.asarray(grids, dtype=float).reshape(-1, 8, 8)
    wrong = np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))
    shown = wrong[:max_digits]
    cols = 10
    rows = max(1, -(-len(shown) // cols))
    fig, axes = _subplots(rows, cols, figsize=(cols * 1.1, rows * 1.35 + 0.6), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, shown, strict=False):  # more axes than digits shown
        ax.axis("on")
        _draw_grid(ax, grids[i], title=f"{y_true[i]} → {y_pred[i]}")
    fig.suptitle(f"Misread held-out digits: {len(wrong)} of {len(grids)} (true → predicted)"
                 + (f", first {len(shown)} shown" if len(shown) < len(wrong) else ""), fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def plot_drawing(
    crop: Any,
    grids: Mapping[str, np.ndarray],
    path: str | os.PathLike,
    *,
    prediction: str | None = None,
) -> Path:
    """Write the path of one drawing: the crop, its 8x8 grid per method with numbers, the prediction.

    Parameters
    ----------
    crop : PIL.Image.Image or numpy.ndarray
        The canvas crop the app would take.
    grids : mapping of str to numpy.ndarray
        Method name -> (8, 8) grid.
    path : str or PathLike
        Destination PNG.
    prediction : str, optional
        Text shown as the figure title, e.g. "7 (p = 0.93) with normalized".

    Returns
    -------
    pathlib.Path
    """
    check_path(path, "path")
    check_instance(prediction, "prediction", (str, type(None)), "a string, or None")
    image = np.asarray(crop)
    fig, axes = _subplots(1, 1 + len(grids), figsize=(3.2 * (1 + len(grids)), 3.6), squeeze=False)
    ax = axes[0, 0]
    if image.ndim == 3 and image.shape[2] == 4:
        # Show ink (alpha) as black on white, like the phone's canvas.
        ax.imshow(255 - image[:, :, 3], cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    else:
        ax.imshow(image, cmap="gray", interpolation="nearest")
    ax.set_title(f"crop {image.shape[1]}x{image.shape[0]} px", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    for ax, (method, grid) in zip(axes[0, 1:], grids.items(), strict=True):
        _draw_grid(ax, np.asarray(grid, dtype=float).reshape(8, 8), numbers=True, title=f"8x8 grid: {method}")
    if prediction:
        fig.suptitle(prediction, fontsize=12, wrap=True)
    fig.tight_layout()
    return _save(fig, path)


def plot_styles(path: str | os.PathLike, *, per_style: int = 8, seed: int = 7) -> Path:
    """Write a sheet of synthesized digits: one row per style of `digits_svm.datasets.STYLES`.

    Each row shows ``per_style`` random variations of one style, rendered as the app
    renders strokes. ``seed`` (7) is neither the training seed nor an evaluation seed:
    the sheet only illustrates.

    Parameters
    ----------
    path : str or PathLike
        Destination PNG (``docs/handwriting-styles.png`` in the repo).
    per_style : int, default 8
    seed : int, default 7

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> plot_styles(pathlib.Path(tempfile.mkdtemp()) / "styles.png", per_style=2).stat().st_size > 0
    True
    """
    check_path(path, "path")
    check_count(per_style, "per_style")
    check_count(seed, "seed")
    rows = [(digit, name) for digit, styles in STYLES.items() for name in styles]
    fig, axes = _subplots(len(rows), per_style + 1, figsize=(0.5 * (per_style + 1) + 0.6, 0.5 * len(rows)),
                          squeeze=False, gridspec_kw={"width_ratios": [3.2] + [1] * per_style})
    for r, (digit, name) in enumerate(rows):
        label = axes[r, 0]
        label.axis("off")
        label.text(0.0, 0.5, f"{digit}: {name}", fontsize=7, va="center")
        for k in range(per_style):
            ax = axes[r, k + 1]
            drawing = synthesize_drawing(digit, np.random.default_rng([seed, r, k]), style=name)
            ink = np.asarray(render_strokes(drawing))[:, :, 3]
            ax.imshow(255 - ink, cmap="gray", vmin=0, vmax=255, interpolation="bilinear")
            ax.axis("off")
    fig.suptitle(f"Synthesized handwriting: {len(rows)} styles, {per_style} random variations each", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)
