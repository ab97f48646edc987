"""Augmentation of training grids: whole-cell shifts, and redraws through the app's preprocessing.

``load_digits`` grids are ink counts of 4x4-pixel blocks of a 32x32 bitmap in which each
digit was centred. Where exactly a stroke falls relative to the block boundaries is
chance, and a drawing from the phone lands a little left or right of that centre. Copies
of each training grid moved by one column (or one row) teach the SVM that such a
displacement does not change the digit. Shifts are exact (integer cells, zero fill), so
the copies are still valid grids of integer ink counts.

The app's model never sees a ``load_digits`` scan: it sees what
``preprocess(method="normalized")`` makes of a drawing (upright, scaled to full height,
pen width evened out). ``"renorm"`` adds, for each grid, one copy drawn back onto a
canvas at a random size, aspect, slant and stroke thickness
(`digits_svm.synthetic.redraw_grid`) and passed through the ``normalized`` method
(`digits_svm.preprocess.normalized_grid`), so the model also learns digits as the app
will hand them over. The random draws come from a fixed seed (`RENORM_SEED`), one set
per row in order, so training stays byte-identical run to run.

Augmentation only ever applies to training data: held-out digits are never shifted.
Each copy carries the index of the grid it came from (its *group*), so a
cross-validation can keep every copy of a digit on the same side of a split.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .errors import DigitsSVMError

__all__ = ["AUGMENTATIONS", "RENORM", "RENORM_SEED", "Augmented", "shift_grids", "renorm_grids", "augment", "check_augmentation"]

#: The copy made by `renorm_grids` (an entry of `AUGMENTATIONS` values).
RENORM = "renorm"

#: Named augmentations: the copies added to each grid, one per entry: a (row, column)
#: shift, or `RENORM`. ``"hshift"`` adds one copy moved a column left and one moved a
#: column right; ``"shift4"`` also moves a row up and down; ``"renorm"`` adds one
#: redrawn, re-preprocessed copy; ``"hshift+renorm"`` both.
AUGMENTATIONS: dict[str, tuple[tuple[int, int] | str, ...]] = {
    "none": (),
    "hshift": ((0, -1), (0, 1)),
    "shift4": ((0, -1), (0, 1), (-1, 0), (1, 0)),
    "renorm": (RENORM,),
    "hshift+renorm": ((0, -1), (0, 1), RENORM),
}

#: Seed of the random redraws of `renorm_grids`.
RENORM_SEED = 0

#: Ranges of the redraws (`digits_svm.synthetic.redraw_grid` arguments): height in
#: pixels [low, high), aspect and slant uniform, thickness integer [low, high).
RENORM_RANGES = {"height": (60, 200), "aspect": (0.7, 1.3), "slant": (-0.25, 0.3), "thickness": (-1, 3)}


class Augmented(NamedTuple):
    """Training data with shifted copies: ``X`` (n, 64), ``y`` (n,), and ``groups`` (n,),
    the row of the original grid each row came from (originals first, in order)."""

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray


def shift_grids(X: np.ndarray, rows: int = 0, cols: int = 0) -> np.ndarray:
    """Move flattened 8x8 grids by whole cells, filling with blank cells.

    Parameters
    ----------
    X : numpy.ndarray
        Grids of shape (n, 64) (row-major 8x8).
    rows, cols : int
        Cells to move down (positive) or up, right (positive) or left.

    Returns
    -------
    numpy.ndarray
        Shifted grids, shape (n, 64), same dtype; ink moved past the border is lost.

    Examples
    --------
    >>> g = np.zeros((1, 64)); g[0, 8 * 2 + 3] = 16    # row 2, column 3
    >>> int(np.flatnonzero(shift_grids(g, rows=1, cols=-1)[0])[0])  # row 3, column 2
    26
    """
    X = np.asarray(X)
    grids = X.reshape(-1, 8, 8)
    out = np.zeros_like(grids)
    src_r = slice(max(-rows, 0), 8 - max(rows, 0))
    dst_r = slice(max(rows, 0), 8 - max(-rows, 0))
    src_c = slice(max(-cols, 0), 8 - max(cols, 0))
    dst_c = slice(max(cols, 0), 8 - max(-cols, 0))
    out[:, dst_r, dst_c] = grids[:, src_r, src_c]
    return out.reshape(len(grids), 64)


def renorm_grids(X: np.ndarray, *, seed: int = RENORM_SEED, ranges: dict | None = None) -> np.ndarray:
    """Redraw grids at random size, aspect, slant and thickness, and preprocess them as the app does.

    Each grid is drawn back onto a canvas crop (`digits_svm.synthetic.redraw_grid`) and
    turned into an 8x8 grid by the ``normalized`` preprocessing
    (`digits_svm.preprocess.normalized_grid`). Row ``i`` uses the ``i``-th draw of a
    generator seeded with ``seed``, so the result depends only on ``X`` and ``seed``.

    Parameters
    ----------
    X : numpy.ndarray
        Grids of shape (n, 64), values 0..16.
    seed : int, default `RENORM_SEED`
        Seed of the random distortions.
    ranges : dict, optional
        ``height``, ``aspect``, ``slant``, ``thickness`` (low, high) pairs; default
        `RENORM_RANGES` (``height`` and ``thickness`` integers, high excluded).

    Returns
    -------
    numpy.ndarray
        Shape (n, 64), float64 integer ink counts 0..16. A grid whose redraw loses all
        its ink (a very faint grid thinned) is kept as it is.

    Examples
    --------
    >>> from digits_svm import load_grids
    >>> X, y = load_grids()
    >>> R = renorm_grids(X[:3])
    >>> R.shape, bool((R == renorm_grids(X[:3])).all()), bool((R == np.round(R)).all())
    ((3, 64), True, True)
    """
    from .errors import EmptyDrawingError
    from .preprocess import normalized_grid
    from .synthetic import redraw_grid

    r = {**RENORM_RANGES, **(ranges or {})}
    X = np.asarray(X, dtype=np.float64).reshape(-1, 64)
    rng = np.random.default_rng(seed)
    out = np.empty_like(X)
    for i, x in enumerate(X):
        kw = {
            "height": int(rng.integers(*r["height"])),
            "aspect": float(rng.uniform(*r["aspect"])),
            "slant": float(rng.uniform(*r["slant"])),
            "thickness": int(rng.integers(*r["thickness"])),
        }
        try:
            out[i] = normalized_grid(redraw_grid(x, **kw)[..., 3]).ravel()
        except EmptyDrawingError:
            out[i] = x
    return out


def _copy(X: np.ndarray, how: tuple[int, int] | str) -> np.ndarray:
    if how == RENORM:
        return renorm_grids(X).astype(X.dtype, copy=False)
    return shift_grids(X, *how)


def augment(X: np.ndarray, y: np.ndarray, name: str = "hshift") -> Augmented:
    """Add shifted (or redrawn) copies of training grids.

    Parameters
    ----------
    X : numpy.ndarray
        Training grids, shape (n, 64).
    y : numpy.ndarray
        Their labels, shape (n,).
    name : str, default "hshift"
        A key of `AUGMENTATIONS`; ``"none"`` returns the data unchanged.

    Returns
    -------
    Augmented
        ``X`` and ``y`` with the originals first, then one block of copies per entry of
        ``AUGMENTATIONS[name]`` (shifts first, the redrawn copies last), and
        ``groups`` giving the original row of each.

    Examples
    --------
    >>> from digits_svm.data import canonical_split
    >>> s = canonical_split()
    >>> a = augment(s.X_train, s.y_train, "hshift")
    >>> a.X.shape, int(a.groups[898]), bool((a.y[898:1796] == s.y_train).all())
    ((2694, 64), 0, True)
    """
    check_augmentation(name)
    X = np.asarray(X)
    y = np.asarray(y)
    copies = AUGMENTATIONS[name]
    index = np.arange(len(y))
    return Augmented(
        np.concatenate([X] + [_copy(X, how) for how in copies]),
        np.concatenate([y] * (1 + len(copies))),
        np.concatenate([index] * (1 + len(copies))),
    )


def check_augmentation(name: str) -> str:
    """Return ``name`` if it is a known augmentation, else raise a one-line error."""
    if name not in AUGMENTATIONS:
        raise DigitsSVMError(f"unknown augmentation {name!r}; choose one of {', '.join(AUGMENTATIONS)}")
    return name
