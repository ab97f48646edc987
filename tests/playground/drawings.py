"""A drawing the app model misreads, for the memory's tests: a European 1 with a long flag.

The flag starts half the digit's height to the left of the stem, a tenth of the height
below its top, and joins the stem at the top; the stem goes straight down. The app
preset's model reads it as a 7 (probability above 0.9) however it is jittered below
(checked over 300 drawings), and once one of them is in a `PersonalMemory` as a 1, the
memory answers 1 for another (checked over 150 pairs). Coordinates are points on the
page's 320 x 320 canvas.
"""

from __future__ import annotations

import numpy as np

Strokes = list[list[tuple[float, float]]]


def european_one(x0: float = 190, y0: float = 60, size: float = 190) -> Strokes:
    """The 1 in one stroke: the flag up to the stem's top, then the stem down."""
    start = (x0 - 0.5 * size, y0 + 0.1 * size)
    flag = [(start[0] + (x0 - start[0]) * t, start[1] + (y0 - start[1]) * t) for t in np.linspace(0, 1, 10)]
    stem = [(x0, y0 + size * t) for t in np.linspace(0, 1, 20)[1:]]
    return [[(float(x), float(y)) for x, y in flag + stem]]


def jittered(strokes: Strokes, seed: int, *, noise: float = 1.5, shift: float = 10, scale: float = 0.08) -> Strokes:
    """The same drawing drawn again: moved by up to ``shift`` pt, scaled by up to ``scale`` about the canvas's
    centre, and each point off by ``noise`` pt (a normal spread), rounded to 0.01 pt as the page sends it."""
    rng = np.random.default_rng(seed)
    s = 1 + rng.uniform(-scale, scale)
    dx, dy = rng.uniform(-shift, shift, 2)
    def moved(v: float, d: float) -> float:
        return round(160 + (v - 160) * s + d + rng.normal(0, noise), 2)

    return [[(moved(x, dx), moved(y, dy)) for x, y in stroke] for stroke in strokes]


def body(strokes: Strokes, **extra) -> dict:
    """A request body in the shared stroke format, as the page sends it (scale 2, 5 pt pen)."""
    return {"strokes": [[list(p) for p in stroke] for stroke in strokes], "line_width": 5.0, "scale": 2.0, **extra}
