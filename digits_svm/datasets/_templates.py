"""Synthetic handwriting for benchmarks, tests and the walkthrough: no real data needed.

Two sources of drawings whose label is known:

- `digit_strokes`: hand-made stroke templates of every digit (several styles each),
  varied in size, aspect, slant, pen width and jitter, in the shared stroke format
  (render them with `digits_svm.render_strokes`, as the app would);
- `redraw_grid`: a ``load_digits`` grid drawn back onto a transparent canvas crop at a
  chosen size, aspect, slant, stroke thickness and margin.

Neither is real handwriting; they measure how each preprocessing method copes with the
ways people draw differently from the training scans (see ``benchmarks/bench_handwriting.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from .._validation import check_count, check_instance, check_number, check_sequence

__all__ = ["TEMPLATES", "digit_strokes", "redraw_grid"]


def arc(cx: float, cy: float, rx: float, ry: float, start: float, stop: float, n: int = 24) -> list[tuple[float, float]]:
    """Points on an ellipse arc; angles in degrees, 0 = right, 90 = down (y down)."""
    t = np.radians(np.linspace(start, stop, n))
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in t]


def _line(*points: tuple[float, float]) -> list[tuple[float, float]]:
    return [(p[0], p[1]) for p in points]


#: Stroke templates in a unit box (x right, y down), one list of styles per digit;
#: a style is a list of strokes, a stroke a list of (x, y) points.
TEMPLATES: dict[int, list[list[list[tuple[float, float]]]]] = {
    0: [
        [arc(0.5, 0.5, 0.42, 0.5, -90, 270, 40)],
        [arc(0.5, 0.5, 0.32, 0.5, -100, 265, 40)],
    ],
    1: [
        [_line((0.5, 0.0), (0.5, 1.0))],
        [_line((0.25, 0.25), (0.55, 0.0), (0.55, 1.0))],
        [_line((0.3, 0.2), (0.55, 0.0), (0.55, 1.0)), _line((0.3, 1.0), (0.8, 1.0))],
    ],
    2: [
        [arc(0.5, 0.28, 0.4, 0.28, 200, 360, 16) + _line((0.9, 0.28), (0.08, 1.0), (0.95, 1.0))],
        [arc(0.5, 0.3, 0.4, 0.3, 190, 380, 20) + _line((0.1, 1.0), (0.95, 1.0))],
    ],
    3: [
        [arc(0.45, 0.26, 0.42, 0.26, 200, 450, 20) + arc(0.45, 0.74, 0.47, 0.26, 270, 520, 20)],
        [_line((0.1, 0.0), (0.9, 0.0), (0.45, 0.42)) + arc(0.45, 0.7, 0.45, 0.3, 270, 520, 20)],
    ],
    4: [
        [_line((0.65, 0.0), (0.05, 0.68), (0.95, 0.68)), _line((0.7, 0.3), (0.7, 1.0))],
        [_line((0.15, 0.0), (0.1, 0.55), (0.9, 0.55)), _line((0.7, 0.0), (0.7, 1.0))],
    ],
    5: [
        [_line((0.9, 0.0), (0.15, 0.0), (0.1, 0.45)) + arc(0.45, 0.7, 0.45, 0.3, 230, 500, 24)],
        [_line((0.15, 0.0), (0.1, 0.45)) + arc(0.45, 0.7, 0.45, 0.3, 230, 500, 24), _line((0.15, 0.0), (0.9, 0.0))],
    ],
    6: [
        [_line((0.8, 0.0), (0.35, 0.3)) + arc(0.5, 0.7, 0.42, 0.3, 180, 540, 30)],
        [arc(0.6, 0.6, 0.5, 0.6, 250, 180, 12) + arc(0.5, 0.72, 0.4, 0.28, 180, 540, 30)],
    ],
    7: [
        [_line((0.05, 0.0), (0.95, 0.0), (0.35, 1.0))],
        [_line((0.05, 0.0), (0.95, 0.0), (0.35, 1.0)), _line((0.3, 0.5), (0.85, 0.5))],
    ],
    8: [
        [arc(0.5, 0.25, 0.35, 0.25, 90, 450, 30) + arc(0.5, 0.74, 0.45, 0.26, -90, 270, 30)],
        [arc(0.5, 0.24, 0.3, 0.24, 0, 360, 28), arc(0.5, 0.74, 0.42, 0.26, -90, 270, 28)],
    ],
    9: [
        [arc(0.48, 0.3, 0.4, 0.3, 0, 360, 30) + _line((0.88, 0.3), (0.8, 1.0))],
        [arc(0.48, 0.3, 0.4, 0.3, -20, 340, 30) + arc(0.1, 0.3, 0.78, 0.7, 0, 90, 10)],
    ],
}


def digit_strokes(
    digit: int,
    rng: np.random.Generator,
    *,
    style: int | None = None,
    height: float | tuple[float, float] = (50.0, 250.0),
    aspect: float | tuple[float, float] = (0.55, 0.85),
    slant: float | tuple[float, float] = (-0.25, 0.35),
    line_width: float | tuple[float, float] = (3.0, 10.0),
    jitter: float = 0.02,
    origin: Sequence[float] = (40.0, 40.0),
    scale: float = 2.0,
) -> dict:
    """A drawing of ``digit`` in the shared stroke format, varied at random.

    Parameters
    ----------
    digit : int
        0..9.
    rng : numpy.random.Generator
    style : int, optional
        Index into ``TEMPLATES[digit]``; random if None.
    height, aspect, slant, line_width : float or (low, high)
        Digit height in points, width / height, horizontal shift per unit of height
        (positive leans right), pen width in points; a pair draws uniformly.
    jitter : float
        Standard deviation of a smooth wobble, as a fraction of the height.
    origin : (x, y)
        Top-left corner of the digit on the canvas, in points.
    scale : float
        Screen scale recorded in the drawing.

    Returns
    -------
    dict
        ``{"strokes": [...], "line_width": ..., "scale": ..., "label": digit}``.

    Examples
    --------
    >>> d = digit_strokes(7, np.random.default_rng(0))
    >>> d["label"], len(d["strokes"][0]) > 2
    (7, True)
    """

    def pick(v: float | tuple[float, float]) -> float:
        return float(rng.uniform(*v)) if isinstance(v, tuple) else float(v)

    styles = TEMPLATES[check_count(digit, "digit", high=9)]
    check_instance(rng, "rng", np.random.Generator, "a numpy.random.Generator (numpy.random.default_rng(seed))")
    if style is not None:
        check_count(style, "style", high=len(styles) - 1)
    positive: dict[str, Any] = {"low": 0, "low_open": True}
    for name, value, bounds in (("height", height, positive), ("aspect", aspect, positive), ("slant", slant, {}),
                                ("line_width", line_width, {**positive, "high": 200})):
        if isinstance(value, tuple):  # (low, high): drawn uniformly
            check_sequence(value, name, check_number, length=2, **bounds)
        else:
            check_number(value, name, **bounds)
    check_number(jitter, "jitter", low=0)
    check_sequence(origin, "origin", check_number, length=2)
    check_number(scale, "scale", low=0, high=10, low_open=True)  # the stroke format's screen scales
    template = styles[int(rng.integers(len(styles))) if style is None else style]
    h, a, s, lw = pick(height), pick(aspect), pick(slant), pick(line_width)
    w = a * h
    strokes = []
    for stroke in template:
        pts = np.asarray(stroke, dtype=np.float64)
        wobble = rng.normal(0.0, jitter, size=(2,)) + rng.normal(0.0, jitter / 3, size=pts.shape)
        u, v = pts[:, 0] + wobble[..., 0], pts[:, 1] + wobble[..., 1]
        x = origin[0] + u * w + s * (1.0 - v) * h
        y = origin[1] + v * h
        strokes.append([[round(float(px), 2), round(float(py), 2)] for px, py in zip(x, y, strict=True)])
    return {"strokes": strokes, "line_width": round(lw, 2), "scale": scale, "label": int(digit)}


def redraw_grid(
    grid: np.ndarray,
    *,
    height: int = 160,
    aspect: float = 1.0,
    slant: float = 0.0,
    thickness: int = 0,
    margin: int = 10,
) -> np.ndarray:
    """Draw a ``load_digits`` grid back onto a transparent canvas crop.

    The grid is upsampled to a smooth ink image (bilinear), thresholded to a stroke
    mask, stretched to ``height`` x ``height * aspect`` pixels, sheared by ``slant``,
    thickened (``thickness`` > 0) or thinned (< 0) by that many pixels, and given a
    blank margin, as the app's crop would have.

    Parameters
    ----------
    grid : array of 64 values 0..16
    height : int
        Height of the digit in pixels.
    aspect : float
        Width / height of the digit relative to the 8x8 box.
    slant : float
        Horizontal shift per unit of height (positive leans right).
    thickness : int
        Pixels added (or removed) on each side of the strokes.
    margin : int
        Blank pixels around the digit.

    Returns
    -------
    numpy.ndarray
        uint8 RGBA, shape (H, W, 4): black ink in alpha.

    Examples
    --------
    >>> redraw_grid(X[0], height=80).shape
    (100, 100, 4)
    """
    check_count(height, "height", low=1)
    check_number(aspect, "aspect", low=0, low_open=True)
    check_number(slant, "slant")
    check_count(thickness, "thickness", low=None)
    check_count(margin, "margin")
    g = np.asarray(grid, dtype=np.float64).reshape(8, 8)
    width = max(1, int(round(height * aspect)))
    smooth = Image.fromarray(np.uint8(g / 16 * 255)).resize((width, height), Image.Resampling.BILINEAR)
    # shear: each row moves by slant * (distance from the bottom)
    shift = int(math.ceil(abs(slant) * height))
    canvas = np.zeros((height, width + shift), dtype=np.uint8)
    arr = np.asarray(smooth)
    for r in range(height):
        dx = int(round(slant * (height - 1 - r))) + (shift if slant < 0 else 0)
        canvas[r, dx : dx + width] = arr[r]
    mask = Image.fromarray(np.where(canvas >= 100, 255, 0).astype(np.uint8))
    if thickness > 0:
        mask = mask.filter(ImageFilter.MaxFilter(2 * thickness + 1))
    elif thickness < 0:
        mask = mask.filter(ImageFilter.MinFilter(-2 * thickness + 1))
    alpha = np.pad(np.asarray(mask), margin)
    rgba = np.zeros(alpha.shape + (4,), dtype=np.uint8)
    rgba[..., 3] = alpha
    return rgba
