"""Synthesized drawings that are not digits, to teach a model to answer "not a digit".

A classifier that has only seen digits puts every drawing in some digit class. The
``app`` preset also learns a class of its own, `NOT_A_DIGIT` (label -1), from drawings
this module makes: letters that nobody writes as a digit, shapes, scribbles, partial
strokes of a digit (a drawing abandoned part way) and stray marks, each varied by
`digits_svm.datasets._handwriting.vary_strokes` (wobble, rotation, slant, aspect, size, pen width)
and reduced by `digits_svm.preprocess_strokes`, the path a drawn digit takes.

Training and evaluation are kept apart: presets train on these generators with seeds
from `digits_svm.datasets._handwriting.TRAINING_SEED`; ``benchmarks/bench_confidence.py``
measures on non-digits of its own (other templates, other code, other seeds) and on
real handwritten digits.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np

from .._validation import check_choice, check_count, check_instance, check_n_jobs
from ..drawing._preprocessing import DEFAULT_METHOD, check_method
from ..drawing._strokes import preprocess_strokes
from ..progress import Progress, check_progress, map_chunks
from ._handwriting import TRAINING_SEED, Stroke, curve, line, synthesize_drawing, vary_strokes
from ._templates import arc
from ._training_data import NOT_A_DIGIT

__all__ = ["TEMPLATES", "nondigit_drawing", "synthesize_nondigits"]


#: Fixed templates in a unit box (x right, y down), by kind. Letters that people also
#: write as digits (O, I, l, S, Z, B, D, G, b, g, q, ...) are left out on purpose.
TEMPLATES: dict[str, dict[str, list[Stroke]]] = {
    "letters": {
        "A": [line((0, 1), (0.5, 0), (1, 1)), line((0.22, 0.6), (0.78, 0.6))],
        "E": [line((0.9, 0), (0.1, 0), (0.1, 1), (0.9, 1)), line((0.1, 0.5), (0.7, 0.5))],
        "F": [line((0.9, 0), (0.1, 0), (0.1, 1)), line((0.1, 0.48), (0.7, 0.48))],
        "H": [line((0.1, 0), (0.1, 1)), line((0.9, 0), (0.9, 1)), line((0.1, 0.5), (0.9, 0.5))],
        "K": [line((0.15, 0), (0.15, 1)), line((0.9, 0), (0.15, 0.6)), line((0.4, 0.4), (0.9, 1))],
        "M": [line((0, 1), (0.08, 0), (0.5, 0.7), (0.92, 0), (1, 1))],
        "N": [line((0.1, 1), (0.1, 0), (0.9, 1), (0.9, 0))],
        "R": [line((0.15, 1), (0.15, 0)) + arc(0.4, 0.25, 0.35, 0.25, -90, 90, 12)[1:] + line((0.15, 0.5), (0.9, 1))],
        "T": [line((0, 0), (1, 0)), line((0.5, 0), (0.5, 1))],
        "V": [line((0, 0), (0.5, 1), (1, 0))],
        "W": [line((0, 0), (0.22, 1), (0.5, 0.35), (0.78, 1), (1, 0))],
        "X": [line((0.05, 0), (0.95, 1)), line((0.95, 0), (0.05, 1))],
        "Y": [line((0, 0), (0.5, 0.5), (1, 0)), line((0.5, 0.5), (0.5, 1))],
        "k": [line((0.2, 0), (0.2, 1)), line((0.8, 0.4), (0.2, 0.75), (0.85, 1))],
        "m": [line((0.05, 1), (0.05, 0.4)) + arc(0.275, 0.55, 0.225, 0.2, 180, 360, 10) + line((0.5, 0.55), (0.5, 1)),
              arc(0.725, 0.55, 0.225, 0.2, 180, 360, 10) + line((0.95, 0.55), (0.95, 1))],
        "n": [line((0.15, 1), (0.15, 0.3)) + curve((0.15, 0.45), (0.5, 0.15), (0.85, 0.45), n=8) + line((0.85, 1))],
        "r": [line((0.25, 1), (0.25, 0.2)), curve((0.25, 0.45), (0.5, 0.2), (0.85, 0.25), n=8)],
        "w": [curve((0, 0.2), (0.2, 1), (0.5, 0.45), (0.8, 1), (1, 0.2), n=6)],
        "x": [line((0.1, 0.3), (0.9, 1)), line((0.9, 0.3), (0.1, 1))],
    },
    "shapes": {
        "triangle": [line((0.5, 0), (1, 1), (0, 1), (0.5, 0))],
        "square": [line((0, 0), (1, 0), (1, 1), (0, 1), (0, 0))],
        "diamond": [line((0.5, 0), (1, 0.5), (0.5, 1), (0, 0.5), (0.5, 0))],
        "star": [line((0.5, 0), (0.79, 0.95), (0.02, 0.36), (0.98, 0.36), (0.21, 0.95), (0.5, 0))],
        "asterisk": [line((0.5, 0), (0.5, 1)), line((0.07, 0.25), (0.93, 0.75)), line((0.93, 0.25), (0.07, 0.75))],
        "plus": [line((0.5, 0), (0.5, 1)), line((0, 0.5), (1, 0.5))],
        "hash": [line((0.4, 0), (0.3, 1)), line((0.75, 0), (0.65, 1)),
                 line((0, 0.33), (1, 0.33)), line((0, 0.67), (1, 0.67))],
        "equals": [line((0, 0.3), (1, 0.3)), line((0, 0.7), (1, 0.7))],
        "arrow right": [line((0, 0.5), (1, 0.5)), line((0.65, 0.15), (1, 0.5), (0.65, 0.85))],
        "arrow up": [line((0.5, 1), (0.5, 0)), line((0.15, 0.35), (0.5, 0), (0.85, 0.35))],
        "heart": [curve((0.5, 0.3), (0.25, 0.02), (0.02, 0.3), (0.5, 1), n=8)
                  + curve((0.5, 1), (0.98, 0.3), (0.75, 0.02), (0.5, 0.3), n=8)[1:]],
        "check": [line((0, 0.55), (0.35, 1), (1, 0))],
        "smiley": [arc(0.5, 0.5, 0.5, 0.5, 0, 360, 32), arc(0.5, 0.5, 0.28, 0.28, 25, 155, 10), [(0.33, 0.35)], [(0.67, 0.35)]],
        "crossed box": [line((0, 0), (1, 0), (1, 1), (0, 1), (0, 0)), line((0, 0), (1, 1)), line((1, 0), (0, 1))],
        "house": [line((0, 1), (0, 0.4), (0.5, 0), (1, 0.4), (1, 1), (0, 1))],
    },
}

#: The kinds of non-digit, in the order `synthesize_nondigits` cycles through them
#: (a kind listed twice is drawn twice as often).
KINDS = ("letters", "shapes", "scribbles", "letters", "shapes", "partial", "scribbles", "marks")

#: Digits whose beginning is drawn as a "partial" drawing (the start of a 1 or a 7 is
#: still a 1 or a stroke of one).
PARTIAL_DIGITS = (0, 2, 3, 4, 5, 6, 8, 9)

#: Variation of the non-digits, wider than the digits' (`digits_svm.datasets._handwriting.VARIATION`).
VARIATION: dict[str, tuple[float, float]] = {
    "rotation": (-30.0, 30.0),
    "aspect": (0.5, 1.4),
    "height": (30.0, 220.0),
}


def _scribble(rng: np.random.Generator) -> list[Stroke]:
    """A smooth random path: a heading that turns at a random rate, one or two strokes."""
    n = int(rng.integers(15, 70))
    heading = rng.uniform(0, 2 * math.pi) + np.cumsum(rng.normal(0, rng.uniform(0.2, 0.9), size=n))
    steps = np.column_stack([np.cos(heading), np.sin(heading)]) * rng.uniform(0.05, 0.15)
    path = np.cumsum(steps, axis=0)
    path = (path - path.min(axis=0)) / max(float(np.ptp(path, axis=0).max()), 1e-9)
    cut = int(rng.integers(n // 3, n)) if rng.random() < 0.3 else n
    return [list(map(tuple, part)) for part in (path[:cut], path[cut:]) if len(part)]


def _scratch(rng: np.random.Generator) -> list[Stroke]:
    """A scratch-out: a zig-zag back and forth across a box."""
    k = int(rng.integers(5, 12))
    y = np.linspace(0, 1, k) + rng.normal(0, 0.03, size=k)
    x = np.where(np.arange(k) % 2 == 0, 0.0, 1.0) + rng.normal(0, 0.05, size=k)
    return [list(map(tuple, np.column_stack([x, y])))]


def _spiral(rng: np.random.Generator) -> list[Stroke]:
    """A spiral of 2 to 3.5 turns from the middle out."""
    turns = rng.uniform(2.0, 3.5)
    t = np.linspace(0, 1, int(40 * turns))
    a = t * turns * 2 * math.pi * rng.choice([-1, 1])
    return [list(zip(0.5 + 0.5 * t * np.cos(a), 0.5 + 0.5 * t * np.sin(a), strict=True))]


def _wave(rng: np.random.Generator) -> list[Stroke]:
    """A sine wave or a zig-zag, 1.5 to 4 periods across."""
    periods = rng.uniform(1.5, 4)
    x = np.linspace(0, 1, int(16 * periods))
    y = np.sin(x * periods * 2 * math.pi)
    if rng.random() < 0.5:
        y = np.sign(y) * np.abs(y) ** 0.3
    return [list(zip(x, 0.5 + 0.5 * y, strict=True))]


def _polygon(rng: np.random.Generator) -> list[Stroke]:
    """A closed polygon of 3 to 5 random corners."""
    k = int(rng.integers(3, 6))
    angles = np.sort(rng.uniform(0, 2 * math.pi, size=k))
    pts = np.column_stack([np.cos(angles), np.sin(angles)]) * rng.uniform(0.6, 1.0, size=(k, 1))
    return [list(map(tuple, np.vstack([pts, pts[:1]]) / 2 + 0.5))]


def _marks(rng: np.random.Generator) -> list[Stroke]:
    """Stray marks: one to five dots."""
    return [[(float(x), float(y))] for x, y in rng.uniform(0, 1, size=(int(rng.integers(1, 6)), 2))]


#: Generated templates, by kind (each a function of the random generator).
_GENERATED: dict[str, tuple[Callable[[np.random.Generator], list[Stroke]], ...]] = {
    "shapes": (_spiral, _wave, _polygon),
    "scribbles": (_scribble, _scribble, _scratch),  # random walks twice as often as scratch-outs
    "marks": (_marks,),
}


def _partial(rng: np.random.Generator) -> dict:
    """The beginning of a synthesized digit: its strokes cut at 15% to 50% of their length."""
    drawing = synthesize_drawing(int(rng.choice(PARTIAL_DIGITS)), rng)
    del drawing["label"]
    strokes = [np.asarray(s, dtype=np.float64) for s in drawing["strokes"]]
    lengths = [float(np.hypot(*np.diff(s, axis=0).T).sum()) if len(s) > 1 else 0.0 for s in strokes]
    keep = rng.uniform(0.15, 0.5) * sum(lengths)
    kept: list[list[list[float]]] = []
    for stroke, length in zip(strokes, lengths, strict=True):
        if keep <= 0:
            break
        if length <= keep:
            kept.append(stroke.tolist())
        else:
            seg = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(stroke, axis=0).T))])
            kept.append(stroke[: max(2, int(np.searchsorted(seg, keep)) + 1)].tolist())
        keep -= length
    return {**drawing, "strokes": kept}


def _is_a_line(drawing: dict) -> bool:
    """Whether the drawing's points lie nearly on one line (a "1", not a non-digit)."""
    pts = np.concatenate([np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in drawing["strokes"]])
    if len(pts) < 3:
        return False
    spread = np.linalg.svd(pts - pts.mean(axis=0), compute_uv=False)
    return bool(spread[1] < 0.15 * spread[0])


def nondigit_drawing(rng: np.random.Generator, kind: str | None = None) -> dict:
    """One synthesized drawing that is not a digit, in the shared stroke format.

    Parameters
    ----------
    rng : numpy.random.Generator
    kind : str, optional
        One of `KINDS` (random if None).

    Returns
    -------
    dict
        ``{"strokes": [...], "line_width": ..., "scale": ...}`` (no ``label``: the stroke
        format labels digits only).

    Examples
    --------
    >>> d = nondigit_drawing(np.random.default_rng(0), "letters")
    >>> sorted(d), len(d["strokes"]) > 0
    (['line_width', 'scale', 'strokes'], True)
    """
    check_instance(rng, "rng", np.random.Generator, "a numpy.random.Generator (numpy.random.default_rng(seed))")
    if kind is None:
        kind = str(rng.choice(sorted(set(KINDS))))
    check_choice(kind, "kind", sorted(set(KINDS)))
    while True:  # drawings that came out as a straight line are a "1": draw again
        if kind == "partial":
            drawing = _partial(rng)
        else:
            fixed = list(TEMPLATES.get(kind, {}).values())
            generated = _GENERATED.get(kind, ())
            pick = int(rng.integers(len(fixed) + len(generated)))
            template = fixed[pick] if pick < len(fixed) else generated[pick - len(fixed)](rng)
            drawing = vary_strokes(template, rng, variation=VARIATION)
        if not _is_a_line(drawing):
            return drawing


def _grids(indices: Sequence[int], seed: int, method: str) -> np.ndarray:
    out = np.empty((len(indices), 64), dtype=np.float64)
    for row, i in enumerate(indices):
        rng = np.random.default_rng([seed, i, 1])
        out[row] = preprocess_strokes(nondigit_drawing(rng, KINDS[i % len(KINDS)]), method=method).ravel()
    return out


def synthesize_nondigits(
    n: int, *, seed: int = TRAINING_SEED, method: str | None = None, n_jobs: int | None = 1,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` non-digits as model-input grids, labelled `NOT_A_DIGIT`.

    Drawing ``i`` is of kind ``KINDS[i % len(KINDS)]`` and comes from
    ``numpy.random.default_rng([seed, i, 1])`` (a stream apart from the digits' of
    `digits_svm.datasets.synthesize`), so the same seed gives the same grids.

    Parameters
    ----------
    n : int
    seed : int, default `digits_svm.datasets._handwriting.TRAINING_SEED`
    method : str, optional
        Preprocessing method (default ``digits_svm.drawing.DEFAULT_METHOD``).
    n_jobs : int, default 1
        Parallel jobs (joblib); -1 uses every core.
    progress : callable, optional
        Called as ``progress(step, done, n)`` as the drawings are made
        (`digits_svm.progress.Progress`).

    Returns
    -------
    X : numpy.ndarray
        float64, shape (n, 64).
    y : numpy.ndarray
        int64, shape (n,), all `NOT_A_DIGIT`.

    Examples
    --------
    >>> X, y = synthesize_nondigits(8)
    >>> X.shape, set(y.tolist())
    ((8, 64), {-1})
    """
    check_count(n, "n")
    check_count(seed, "seed")
    method = check_method(DEFAULT_METHOD if method is None else method)
    check_n_jobs(n_jobs)
    progress = check_progress(progress)
    y = np.full(n, NOT_A_DIGIT, dtype=np.int64)
    work = functools.partial(_grids, seed=seed, method=method)
    parts = map_chunks(work, n, n_jobs=n_jobs, progress=progress, step="drawing synthesized non-digits")
    return np.concatenate(parts), y
