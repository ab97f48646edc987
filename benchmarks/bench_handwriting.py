"""Accuracy of each preprocessing method on synthetic handwriting, per distortion.

Two sources, neither seen in training (see ``digits_svm/synthetic.py``):

- redrawn: the held-out half of ``load_digits`` (899 digits) drawn back onto canvas
  crops at varied size, aspect, slant, stroke thickness and margin;
- strokes: our own stroke templates of every digit, varied, rendered as the app does
  (``render_strokes``), with a fixed seed different from the one used for tuning.

Each drawing goes through ``preprocess(method=...)`` and the model trained on the first
half (``train(preset=..., C=..., gamma=..., augment=...)``), which answers as its
``.mlmodel`` does (`digits_svm.model._training.predict_digits`: the most probable class when the
model has probabilities). Run::

    python benchmarks/bench_handwriting.py [--preset example] [--C C] [--gamma G] [--augment NAME]
                                           [--per-digit 40] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import digits_svm
from digits_svm.datasets._templates import digit_strokes, redraw_grid
from digits_svm.drawing._images import ink_levels
from digits_svm.drawing._preprocessing import normalized_grid, seed_grid
from digits_svm.model._training import predict_digits

METHODS = {"seed": seed_grid, "normalized": normalized_grid}

REDRAW = {
    "as scanned (160 px)": {},
    "small (40 px)": {"height": 40},
    "large (400 px)": {"height": 400},
    "wide (aspect 1.4)": {"aspect": 1.4},
    "narrow (aspect 0.6)": {"aspect": 0.6},
    "slant right 0.3": {"slant": 0.3},
    "slant left 0.25": {"slant": -0.25},
    "thin strokes": {"thickness": -2},
    "thick strokes": {"thickness": 4},
    "wide margin (60 px)": {"margin": 60},
}

NEUTRAL = {"height": 120.0, "aspect": 0.7, "slant": 0.05, "line_width": 5.0}
STROKES = {
    "neutral (120 pt, pen 5)": {},
    "small (40 pt)": {"height": 40.0},
    "large (300 pt)": {"height": 300.0},
    "wide (aspect 1.0)": {"aspect": 1.0},
    "narrow (aspect 0.45)": {"aspect": 0.45},
    "slant right 0.35": {"slant": 0.35},
    "slant left 0.2": {"slant": -0.2},
    "thin pen (2 pt)": {"line_width": 2.0},
    "thick pen (12 pt)": {"line_width": 12.0},
    "random mix": {"height": (40.0, 300.0), "aspect": (0.45, 1.0), "slant": (-0.2, 0.35), "line_width": (2.0, 12.0)},
}


def accuracy(model, inks, labels) -> dict[str, float]:
    """Fraction correct per method for a list of ink buffers, as the model's .mlmodel answers."""
    out = {}
    for name, fn in METHODS.items():
        grids = np.array([fn(a).ravel() for a in inks])
        out[name] = float((predict_digits(model, grids) == labels).mean())
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="example", help="training preset (default: example)")
    parser.add_argument("--C", type=float, help="SVC C (overrides the preset)")
    parser.add_argument("--gamma", type=float, help="SVC gamma (overrides the preset)")
    parser.add_argument("--augment", help="augmentation (overrides the preset; see digits_svm.datasets._augment)")
    parser.add_argument("--per-digit", type=int, default=40, help="stroke drawings per digit and condition")
    parser.add_argument("--quick", action="store_true", help="300 redrawn digits, 10 strokes per digit")
    args = parser.parse_args(argv)
    per_digit = 10 if args.quick else args.per_digit

    t0 = time.perf_counter()
    result = digits_svm.train(preset=args.preset, C=args.C, gamma=args.gamma, augment=args.augment)
    X, y = result.X_test, result.y_test
    if args.quick:
        X, y = X[:300], y[:300]
    print(f"model: preset {args.preset!r}, {result.summary()}", file=sys.stderr)

    rows = []
    for name, kw in REDRAW.items():
        inks = [redraw_grid(x, **kw)[..., 3] for x in X]
        rows.append(("redrawn held-out digits", name, len(y), accuracy(result.model, inks, y)))
        print(f"  {rows[-1][1]} done", file=sys.stderr)
    for name, kw in STROKES.items():
        rng = np.random.default_rng(2026)
        drawings = [digit_strokes(d, rng, **{**NEUTRAL, **kw}) for d in range(10) for _ in range(per_digit)]
        labels = np.array([d["label"] for d in drawings])
        inks = [ink_levels(digits_svm.render_strokes(d), ink="alpha") for d in drawings]
        rows.append(("own strokes", name, len(labels), accuracy(result.model, inks, labels)))
        print(f"  {rows[-1][1]} done", file=sys.stderr)

    print("| source | distortion | n | seed | normalized |")
    print("|---|---|---:|---:|---:|")
    for source, name, n, acc in rows:
        print(f"| {source} | {name} | {n} | {acc['seed']:.3f} | {acc['normalized']:.3f} |")
    for source in ("redrawn held-out digits", "own strokes"):
        sel = [r for r in rows if r[0] == source]
        mean = {m: np.mean([r[3][m] for r in sel]) for m in METHODS}
        print(f"| {source} | **mean** | | {mean['seed']:.3f} | {mean['normalized']:.3f} |")
    print(f"\n({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
