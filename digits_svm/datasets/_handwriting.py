"""Synthesized handwriting for training: many styles of every digit, drawn as strokes.

``load_digits`` holds 1,797 digits by 13 writers: its 9s are hooks, its 7s crossed, its
4s narrow. An app's users write digits in the many ways taught across countries and
school scripts. This module draws them: every style in `STYLES` is a list of strokes in
a unit box (x right, y down), and `synthesize_drawing` varies one at random (smooth
wobble of the whole shape, stroke ends trimmed or extended, rotation, slant, aspect,
size, pen width, stroke order and direction) into a drawing in the shared stroke format.
`synthesize` renders drawings with `digits_svm.render_strokes` and reduces them with
`digits_svm.preprocess`, so a synthesized digit reaches the model through the very path
a drawn one does.

Everything is seeded: drawing ``i`` of a set is drawn from ``default_rng([seed, i])``,
so the same seed always gives the same grids, whatever the count.

Training and evaluation are kept apart: presets train on seeds from `TRAINING_SEED`;
the benchmarks evaluate on real handwriting (``benchmarks/bench_real_handwriting.py``)
and on the independent templates of `digits_svm.datasets._templates` (``bench_handwriting.py``),
which this module never uses.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np

from .._validation import check_choice, check_count, check_instance, check_n_jobs, check_number, check_ranges, check_sequence
from ..drawing._preprocessing import DEFAULT_METHOD, check_method
from ..drawing._strokes import preprocess_strokes
from ..progress import Progress, check_progress, map_chunks
from ._templates import arc

__all__ = [
    "STYLES",
    "TRAINING_SEED",
    "VARIATION",
    "style_names",
    "synthesize_drawing",
    "synthesize",
    "vary_strokes",
]

#: Seed of the synthesized digits that presets train on. Evaluation never uses it.
TRAINING_SEED = 0
#: Distance between successive points of a synthesized stroke, in units of its height
#: (a finger drawing at 60 Hz gives a point every few points of a 100-point digit).
POINT_SPACING = 0.08

Point = tuple[float, float]
Stroke = list[Point]


def curve(*points: Point, n: int = 10) -> Stroke:
    """A smooth curve through ``points`` (Catmull-Rom), ``n`` points per span."""
    p = np.asarray(points, dtype=np.float64)
    p = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out = [tuple(p[1])]
    t = np.linspace(0, 1, n + 1)[1:, None]
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        seg = 0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3)
        out.extend(map(tuple, seg))
    return [(float(x), float(y)) for x, y in out]


def line(*points: Point) -> Stroke:
    """A polyline through ``points`` (corners kept)."""
    return [(float(x), float(y)) for x, y in points]


#: Every style of every digit: ``STYLES[digit][name]`` is a list of strokes in a unit
#: box (x right, y down), each stroke a list of (x, y) points.
STYLES: dict[int, dict[str, list[Stroke]]] = {
    0: {
        "oval": [arc(0.5, 0.5, 0.4, 0.5, -90, 275, 40)],
        "narrow oval": [arc(0.5, 0.5, 0.26, 0.5, -95, 270, 40)],
        "round": [arc(0.5, 0.5, 0.5, 0.5, -80, 280, 40)],
        "overlapping start": [arc(0.5, 0.5, 0.38, 0.5, -120, 290, 44)],
        "egg": [curve((0.55, 0.0), (0.15, 0.2), (0.1, 0.65), (0.45, 1.0), (0.85, 0.7), (0.85, 0.25), (0.5, 0.02))],
    },
    1: {
        "stroke": [line((0.52, 0.0), (0.48, 1.0))],
        "flag": [line((0.2, 0.22), (0.55, 0.0), (0.55, 1.0))],
        "long flag": [line((0.05, 0.38), (0.6, 0.0), (0.6, 1.0))],
        "flag and base": [line((0.25, 0.2), (0.55, 0.0), (0.55, 1.0)), line((0.2, 1.0), (0.9, 1.0))],
        "curved": [curve((0.35, 0.05), (0.55, 0.0), (0.52, 0.5), (0.45, 1.0))],
    },
    2: {
        "plain": [arc(0.5, 0.28, 0.42, 0.28, 195, 360, 16) + curve((0.92, 0.3), (0.6, 0.65), (0.05, 1.0), n=8)
                  + line((0.05, 1.0), (0.95, 0.98))],
        "looped": [arc(0.5, 0.27, 0.4, 0.27, 195, 360, 16) + curve((0.9, 0.3), (0.5, 0.7), (0.15, 0.95), (0.05, 0.85),
                                                                     (0.2, 0.8), (0.45, 0.95), (0.95, 0.97), n=6)],
        "swan": [curve((0.08, 0.2), (0.45, 0.0), (0.85, 0.2), (0.7, 0.5), (0.3, 0.8), (0.05, 1.0), (0.5, 0.93), (1.0, 1.0))],
        "z": [line((0.05, 0.05), (0.9, 0.0), (0.1, 1.0), (0.95, 1.0))],
        "round neck": [arc(0.5, 0.32, 0.45, 0.32, 180, 380, 20) + line((0.88, 0.45), (0.08, 1.0), (0.95, 1.0))],
        "curl": [curve((0.1, 0.25), (0.4, 0.0), (0.8, 0.1), (0.75, 0.45), (0.35, 0.8), (0.1, 0.95), (0.15, 0.78),
                        (0.35, 0.82), (0.6, 0.97), (0.95, 0.92), n=7)],
        "narrow curl": [curve((0.2, 0.15), (0.55, 0.0), (0.8, 0.2), (0.6, 0.55), (0.25, 0.9), (0.15, 1.0), (0.3, 0.85),
                               (0.55, 0.92), (0.85, 1.0), n=7)],
    },
    3: {
        "round": [arc(0.45, 0.26, 0.4, 0.26, 200, 450, 20) + arc(0.45, 0.74, 0.47, 0.26, 270, 520, 20)],
        "flat top": [line((0.1, 0.0), (0.9, 0.0), (0.4, 0.42)) + arc(0.45, 0.7, 0.45, 0.3, 270, 520, 20)],
        "pointed middle": [curve((0.1, 0.12), (0.5, 0.0), (0.85, 0.2), (0.35, 0.48), n=8)
                           + curve((0.35, 0.48), (0.9, 0.7), (0.6, 1.0), (0.05, 0.88), n=8)],
        "small top": [arc(0.5, 0.2, 0.3, 0.2, 200, 450, 18) + arc(0.45, 0.68, 0.5, 0.32, 270, 520, 22)],
        "wide": [arc(0.5, 0.25, 0.5, 0.25, 190, 450, 20) + arc(0.5, 0.75, 0.5, 0.25, 270, 530, 20)],
        "open middle": [arc(0.45, 0.25, 0.38, 0.25, 200, 430, 18), arc(0.45, 0.72, 0.45, 0.28, 250, 520, 20)],
        "long tail": [curve((0.15, 0.1), (0.55, 0.0), (0.8, 0.22), (0.4, 0.45), (0.85, 0.65), (0.7, 0.95), (0.3, 1.0),
                             (0.0, 0.85), n=7)],
    },
    4: {
        "closed": [line((0.7, 0.0), (0.02, 0.68), (0.98, 0.68)), line((0.72, 0.0), (0.72, 1.0))],
        "closed short stem": [line((0.6, 0.0), (0.05, 0.6), (0.95, 0.6)), line((0.62, 0.25), (0.62, 1.0))],
        "open": [line((0.15, 0.0), (0.08, 0.6), (0.92, 0.6)), line((0.72, 0.0), (0.72, 1.0))],
        "open tall stem": [line((0.12, 0.15), (0.05, 0.62), (0.95, 0.58)), line((0.7, 0.0), (0.75, 1.0))],
        "open slanted": [line((0.35, 0.0), (0.02, 0.6), (0.95, 0.6)), line((0.75, 0.05), (0.72, 1.0))],
        "one stroke": [line((0.2, 0.0), (0.12, 0.58), (0.9, 0.55)) + line((0.7, 0.1), (0.7, 1.0))],
        "curved open": [curve((0.18, 0.0), (0.1, 0.45), (0.35, 0.62), (0.95, 0.55)), line((0.68, 0.1), (0.7, 1.0))],
    },
    5: {
        "two strokes": [line((0.18, 0.02), (0.12, 0.44)) + arc(0.47, 0.7, 0.44, 0.3, 225, 505, 24),
                        line((0.18, 0.0), (0.92, 0.03))],
        "one stroke": [line((0.92, 0.02), (0.16, 0.0), (0.12, 0.46)) + arc(0.46, 0.71, 0.44, 0.29, 225, 505, 24)],
        "round belly": [line((0.25, 0.02), (0.2, 0.38)) + arc(0.48, 0.66, 0.45, 0.34, 220, 510, 26),
                        line((0.25, 0.0), (0.95, 0.02))],
        "flat belly": [line((0.12, 0.0), (0.1, 0.42), (0.7, 0.42)) + curve((0.7, 0.42), (0.9, 0.7), (0.6, 1.0), (0.05, 0.9)),
                       line((0.12, 0.0), (0.85, 0.0))],
        "slanted stem": [line((0.3, 0.0), (0.05, 0.45)) + arc(0.45, 0.7, 0.45, 0.3, 220, 500, 24),
                         line((0.3, 0.0), (0.95, 0.0))],
        "small bar": [line((0.2, 0.0), (0.15, 0.4)) + arc(0.45, 0.68, 0.42, 0.32, 220, 500, 24),
                      line((0.2, 0.0), (0.7, 0.0))],
        "s-like": [curve((0.9, 0.0), (0.3, 0.02), (0.15, 0.4), (0.6, 0.45), (0.85, 0.75), (0.5, 1.0), (0.05, 0.85))],
    },
    6: {
        "curved": [curve((0.8, 0.0), (0.35, 0.25), (0.08, 0.7)) + arc(0.48, 0.72, 0.4, 0.28, 180, 540, 30)],
        "straight stem": [line((0.75, 0.0), (0.1, 0.7)) + arc(0.5, 0.72, 0.4, 0.28, 170, 530, 30)],
        "small loop": [curve((0.75, 0.0), (0.3, 0.3), (0.1, 0.8)) + arc(0.4, 0.8, 0.3, 0.2, 180, 540, 26)],
        "big loop": [curve((0.85, 0.05), (0.45, 0.0), (0.1, 0.45)) + arc(0.5, 0.65, 0.42, 0.35, 180, 530, 30)],
        "round": [arc(0.6, 0.55, 0.5, 0.55, 250, 180, 12) + arc(0.5, 0.72, 0.42, 0.28, 180, 540, 30)],
        "narrow": [curve((0.75, 0.0), (0.35, 0.35), (0.22, 0.8)) + arc(0.48, 0.8, 0.26, 0.2, 180, 540, 26)],
        "tall stem": [curve((0.6, 0.0), (0.4, 0.3), (0.3, 0.75)) + arc(0.5, 0.82, 0.22, 0.18, 180, 520, 24)],
        "open loop": [curve((0.8, 0.05), (0.3, 0.3), (0.12, 0.75), (0.4, 1.0), (0.8, 0.82), (0.6, 0.55), (0.2, 0.65))],
    },
    7: {
        "plain": [line((0.04, 0.03), (0.96, 0.0), (0.38, 1.0))],
        "barred": [line((0.04, 0.03), (0.96, 0.0), (0.38, 1.0)), line((0.28, 0.52), (0.88, 0.48))],
        "serif": [line((0.05, 0.18), (0.05, 0.0), (0.95, 0.0), (0.4, 1.0))],
        "curved stem": [line((0.05, 0.0), (0.95, 0.0)) + curve((0.95, 0.0), (0.6, 0.45), (0.45, 1.0))],
        "upright": [line((0.02, 0.02), (0.95, 0.0), (0.7, 1.0))],
        "wavy bar": [curve((0.0, 0.1), (0.3, 0.0), (0.6, 0.05), (0.95, 0.0)) + line((0.95, 0.0), (0.3, 1.0))],
        "short bar": [line((0.35, 0.05), (0.95, 0.0), (0.6, 1.0))],
        "hooked top": [curve((0.0, 0.2), (0.1, 0.05), (0.5, 0.05), (0.95, 0.0), n=6) + line((0.95, 0.0), (0.5, 1.0))],
    },
    8: {
        "one stroke": [curve((0.8, 0.12), (0.5, 0.0), (0.2, 0.12), (0.25, 0.35), (0.5, 0.48), (0.8, 0.65),
                              (0.75, 0.92), (0.5, 1.0), (0.22, 0.9), (0.2, 0.68), (0.5, 0.48), (0.75, 0.3),
                              (0.8, 0.12), n=6)],
        "two circles": [arc(0.5, 0.24, 0.32, 0.24, 0, 360, 28), arc(0.5, 0.73, 0.43, 0.27, -80, 285, 28)],
        "small top": [arc(0.5, 0.2, 0.25, 0.2, 90, 450, 26) + arc(0.5, 0.7, 0.45, 0.3, -90, 270, 30)],
        "s and back": [curve((0.85, 0.1), (0.45, 0.0), (0.15, 0.2), (0.85, 0.75), (0.5, 1.0), (0.12, 0.78),
                              (0.85, 0.2), (0.8, 0.05), n=7)],
        "slanted loops": [arc(0.6, 0.25, 0.3, 0.25, 90, 450, 26) + arc(0.4, 0.73, 0.38, 0.27, -90, 270, 28)],
    },
    9: {
        "straight stem": [arc(0.45, 0.28, 0.4, 0.28, 0, 370, 30) + line((0.85, 0.25), (0.85, 1.0))],
        "slanted stem": [arc(0.5, 0.28, 0.4, 0.28, 0, 370, 30) + line((0.9, 0.25), (0.6, 1.0))],
        "curved stem": [arc(0.45, 0.28, 0.4, 0.28, 0, 370, 30) + curve((0.85, 0.3), (0.8, 0.8), (0.5, 1.0), (0.2, 0.92))],
        "hooked": [arc(0.47, 0.29, 0.41, 0.29, -25, 335, 30) + arc(0.12, 0.3, 0.76, 0.7, 0, 95, 10)],
        "two strokes": [arc(0.45, 0.27, 0.4, 0.27, -60, 300, 30), line((0.85, 0.05), (0.82, 1.0))],
        "small loop": [arc(0.5, 0.2, 0.32, 0.2, 0, 370, 26) + line((0.82, 0.2), (0.7, 1.0))],
        "closed stem": [curve((0.85, 0.15), (0.5, 0.0), (0.15, 0.2), (0.3, 0.5), (0.85, 0.35), n=7)
                        + line((0.85, 0.35), (0.85, 0.0), (0.8, 1.0))],
    },
}

#: Ranges of the random variation `synthesize_drawing` applies (uniform within each).
VARIATION: dict[str, tuple[float, float]] = {
    "wobble": (0.06, 0.2),      # amplitude of the smooth displacement, in units of the box
    "trim": (-0.08, 0.08),      # fraction of a stroke's length removed (+) or added (-) at each end
    "misplace": (0.0, 0.04),    # each stroke moved apart from the others by up to this, in units of the box
    "rotation": (-15.0, 15.0),  # degrees, clockwise
    "slant": (-0.25, 0.35),     # horizontal shift per unit of height (positive leans right)
    "aspect": (0.45, 1.05),     # width of the box / its height
    "height": (30.0, 120.0),    # points
    "pen": (0.03, 0.2),         # pen width / height
}


def style_names(digit: int) -> list[str]:
    """The names of the styles of ``digit``, in `STYLES` order.

    Examples
    --------
    >>> style_names(7)
    ['plain', 'barred', 'serif', 'curved stem', 'upright', 'wavy bar', 'short bar', 'hooked top']
    """
    return list(STYLES[check_count(digit, "digit", high=9)])


def _resample(stroke: np.ndarray, step: float = 0.05) -> np.ndarray:
    """The polyline with points at most ``step`` apart along it (so it can bend)."""
    if len(stroke) < 2:
        return stroke
    seg = np.hypot(*np.diff(stroke, axis=0).T)
    k = np.maximum(1, np.ceil(seg / step).astype(np.int64))
    index = np.repeat(np.arange(len(seg)), k)
    frac = (np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k) + 1) / np.repeat(k, k)
    a = stroke[:-1][index]
    return np.vstack([stroke[:1], a + (stroke[1:][index] - a) * frac[:, None]])


def _even(stroke: np.ndarray, spacing: float) -> np.ndarray:
    """The stroke resampled to points ``spacing`` apart along it (ends kept), as touches arrive."""
    seg = np.hypot(*np.diff(stroke, axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    if len(stroke) < 2 or s[-1] == 0:
        return stroke[:1]
    t = np.linspace(0.0, s[-1], max(2, int(math.ceil(s[-1] / spacing)) + 1))
    return np.column_stack([np.interp(t, s, stroke[:, 0]), np.interp(t, s, stroke[:, 1])])


def _trim(stroke: np.ndarray, start: float, end: float) -> np.ndarray:
    """Remove (positive) or extend (negative) the fractions ``start``/``end`` of the length at each end."""
    seg = np.hypot(*np.diff(stroke, axis=0).T)
    total = seg.sum()
    if len(stroke) < 3 or total == 0:
        return stroke
    s = np.concatenate([[0.0], np.cumsum(seg)]) / total
    lo, hi = max(start, 0.0), min(1.0 - end, 1.0)
    if hi - lo < 0.5:
        return stroke
    t = np.linspace(lo, hi, len(stroke))
    out = np.column_stack([np.interp(t, s, stroke[:, 0]), np.interp(t, s, stroke[:, 1])])
    for extend, i, j in ((-start, 0, 1), (-end, -1, -2)):
        if extend > 0:
            d = out[i] - out[j]
            norm = np.hypot(*d)
            if norm > 0:
                tip = out[i] + d / norm * extend * total
                out = np.vstack([tip, out]) if i == 0 else np.vstack([out, tip])
    return out


def _wobble(amplitude: float, rng: np.random.Generator) -> Callable[[np.ndarray], np.ndarray]:
    """A smooth random displacement of the unit box: three low-frequency waves per axis."""
    freq = rng.uniform(0.3, 1.2, size=(2, 3, 2)) * rng.choice([-1, 1], size=(2, 3, 2))
    phase = rng.uniform(0, 2 * math.pi, size=(2, 3))
    weight = rng.normal(0, 1, size=(2, 3))
    weight *= amplitude / max(np.sqrt((weight**2).sum(axis=1, keepdims=True)).max(), 1e-9)

    def move(p: np.ndarray) -> np.ndarray:
        arg = 2 * math.pi * np.einsum("akc,nc->ank", freq, p) + phase[:, None, :]
        return p + (weight[:, None, :] * np.sin(arg)).sum(axis=2).T

    return move


def synthesize_drawing(
    digit: int,
    rng: np.random.Generator,
    *,
    style: str | None = None,
    variation: dict[str, tuple[float, float]] | None = None,
    scale: float = 2.0,
    origin: Sequence[float] = (20.0, 20.0),
) -> dict:
    """One synthesized drawing of ``digit``, in the shared stroke format.

    The style (random if None) is resampled, wobbled by a smooth random displacement,
    its strokes' ends trimmed or extended, turned, slanted, stretched to a random aspect
    and size, and given a random pen width; each stroke's direction and the strokes'
    order are random too (as people differ in both).

    Parameters
    ----------
    digit : int
        0..9.
    rng : numpy.random.Generator
    style : str, optional
        A name from `style_names`; random if None.
    variation : dict, optional
        Ranges overriding `VARIATION` (keys as there).
    scale : float, default 2.0
        Screen scale recorded in the drawing.
    origin : (x, y)
        Where the unit box's top-left corner lands before rotation, in points.

    Returns
    -------
    dict
        ``{"strokes": [...], "line_width": ..., "scale": ..., "label": digit}``, for
        `digits_svm.render_strokes` and `digits_svm.drawing.parse_strokes`.

    Examples
    --------
    >>> d = synthesize_drawing(4, np.random.default_rng(0), style="open")
    >>> d["label"], len(d["strokes"])
    (4, 2)
    """
    styles = STYLES[check_count(digit, "digit", high=9)]
    check_instance(rng, "rng", np.random.Generator, "a numpy.random.Generator (numpy.random.default_rng(seed))")
    if variation is not None:
        check_ranges(variation, "variation", tuple(VARIATION))
    check_number(scale, "scale", low=0, high=10, low_open=True)  # the stroke format's screen scales
    check_sequence(origin, "origin", check_number, length=2)
    if style is None:
        style = list(styles)[int(rng.integers(len(styles)))]
    else:
        check_choice(style, "style", tuple(styles))
    drawing = vary_strokes(styles[style], rng, variation=variation, scale=scale, origin=origin)
    return {**drawing, "label": int(digit)}


def vary_strokes(
    template: Sequence[Stroke],
    rng: np.random.Generator,
    *,
    variation: dict[str, tuple[float, float]] | None = None,
    scale: float = 2.0,
    origin: Sequence[float] = (20.0, 20.0),
) -> dict:
    """A template (strokes in a unit box) varied as a hand would: see `synthesize_drawing`.

    Returns ``{"strokes": [...], "line_width": ..., "scale": ...}``; ``variation``
    overrides ranges of `VARIATION`. `digits_svm.datasets._nondigits` draws its shapes through it too.
    The arguments are taken as given: its callers check them (`synthesize_drawing` a user's).

    Examples
    --------
    >>> d = vary_strokes([[(0, 0), (1, 1)], [(1, 0), (0, 1)]], np.random.default_rng(0))
    >>> len(d["strokes"]), sorted(d)
    (2, ['line_width', 'scale', 'strokes'])
    """
    ranges = {**VARIATION, **(variation or {})}

    def pick(key: str) -> float:
        lo, hi = ranges[key]
        return float(rng.uniform(lo, hi))

    move = _wobble(pick("wobble"), rng)
    angle = math.radians(pick("rotation"))
    slant, aspect, height = pick("slant"), pick("aspect"), pick("height")
    line_width = min(max(pick("pen") * height, 1.0), 40.0)
    cos, sin = math.cos(angle), math.sin(angle)
    strokes = []
    for stroke in template:
        pts = move(_resample(np.asarray(stroke, dtype=np.float64))) + rng.normal(0.0, pick("misplace"), size=2)
        pts = _even(_trim(pts, pick("trim"), pick("trim")), POINT_SPACING)
        u = (pts[:, 0] - 0.5) * aspect + slant * (0.5 - pts[:, 1])
        v = pts[:, 1] - 0.5
        x = origin[0] + height * (0.5 + cos * u - sin * v)
        y = origin[1] + height * (0.5 + sin * u + cos * v)
        points = np.column_stack([x, y]).round(2)
        if rng.random() < 0.5:
            points = points[::-1]
        strokes.append(points.tolist())
    order = rng.permutation(len(strokes)) if rng.random() < 0.3 else range(len(strokes))
    return {"strokes": [strokes[i] for i in order], "line_width": round(line_width, 2), "scale": scale}


def _grids(indices: Sequence[int], digits: Sequence[int], seed: int, method: str,
           variation: dict[str, tuple[float, float]] | None) -> np.ndarray:
    """Grids of the drawings numbered ``indices`` (one row each)."""
    out = np.empty((len(indices), 64), dtype=np.float64)
    for row, i in enumerate(indices):
        digit = int(digits[i % len(digits)])
        drawing = synthesize_drawing(digit, np.random.default_rng([seed, i]), variation=variation)
        out[row] = preprocess_strokes(drawing, method=method).ravel()
    return out


def synthesize(
    n: int,
    *,
    seed: int = TRAINING_SEED,
    method: str | None = None,
    variation: dict[str, tuple[float, float]] | None = None,
    digits: Sequence[int] = tuple(range(10)),
    n_jobs: int | None = 1,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` synthesized digits as model-input grids, through rendering and preprocessing.

    Drawing ``i`` shows digit ``digits[i % len(digits)]`` (repeat a digit in ``digits``
    to draw it more often) in a style chosen at random with equal weight among its
    styles, and comes from ``numpy.random.default_rng([seed, i])``: the first ``k`` of a
    larger set are the same ``k`` digits, and ``n_jobs`` changes nothing but the time.

    Parameters
    ----------
    n : int
        How many digits.
    seed : int, default `TRAINING_SEED`
        Training uses `TRAINING_SEED`; use another for anything you evaluate (a whole
        number >= 0).
    method : str, optional
        Preprocessing method (default ``digits_svm.drawing.DEFAULT_METHOD``): the one
        your app runs.
    variation : dict, optional
        Ranges overriding `VARIATION`.
    digits : sequence of int
        The digits to draw, in turn (non-empty, each 0..9).
    n_jobs : int, default 1
        Parallel jobs (joblib); -1 uses every core.
    progress : callable, optional
        Called as ``progress(step, done, n)`` as the drawings are made
        (`digits_svm.progress.Progress`).

    Returns
    -------
    X : numpy.ndarray
        float64, shape (n, 64), grids 0..16.
    y : numpy.ndarray
        int64, shape (n,), the digits.

    Examples
    --------
    >>> X, y = synthesize(20, seed=5)
    >>> X.shape, y[:12].tolist()
    ((20, 64), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1])
    >>> bool((synthesize(5, seed=5)[0] == X[:5]).all())
    True
    """
    check_count(n, "n")
    check_count(seed, "seed")
    method = check_method(DEFAULT_METHOD if method is None else method)
    if variation is not None:
        check_ranges(variation, "variation", tuple(VARIATION))
    digits = tuple(int(d) for d in check_sequence(digits, "digits", check_count, high=9))
    check_n_jobs(n_jobs)
    progress = check_progress(progress)
    y = np.array([digits[i % len(digits)] for i in range(n)], dtype=np.int64)
    work = functools.partial(_grids, digits=digits, seed=seed, method=method, variation=variation)
    parts = map_chunks(work, n, n_jobs=n_jobs, progress=progress, step="drawing synthesized digits")
    return np.concatenate(parts), y
