"""How well the "not a digit" rule separates real digits from drawings that are not digits.

Run:  python benchmarks/bench_confidence.py [--preset app] [--n 300] [--seed 2026]
      [--dev benchmarks/data/handwriting-dev] [--nondigits N] [--synthesized N] [--C C] [--gamma G]

(the last four override the preset's, to compare variants).

Trains `digits_svm.train(preset=...)` on the training half (probabilities on) and, for
each threshold, applies `digits_svm.predict_with_confidence`'s rule (the one the app
applies to the ``.mlmodel``'s answer) to:

- **real handwritten digits**: the 1,000 dev digits of ``benchmarks/data/handwriting-dev/``
  (from the MNIST database by LeCun, Cortes and Burges, CC BY-SA 3.0, written by people
  who never saw this project) as the app's canvas crops: the fraction answered, and the
  fraction of answers that are right (skipped, with a line saying so, where the set is
  absent);
- the **held-out scans** of ``load_digits``: answered, and right when answered;
- **non-digits of this benchmark's own**, drawn through the app's rendering and the
  preprocessing: random zig-zag scribbles, letters and shapes (`SHAPES`, at random
  sizes, aspects, slants and pen widths), partial strokes (the first 20-40% of a
  `digits_svm.datasets._templates` digit's path, the way a drawing left unfinished looks; a
  beginning that is a straight line is a "1" and is drawn again), and noise grids
  (specks, blobs, uniform noise, solid ink, given as grids). The fraction rejected, per
  kind, and over the three drawn kinds together.

The non-digits are generated here, by code and seeds apart from the ones the ``app``
preset trains on (`digits_svm.datasets._nondigits`, seeds from ``default_rng([0, i, 1])``); the
real digits are only measured, never fitted. The row of `DEFAULT_MIN_CONFIDENCE` is
marked. Everything is seeded. Last, how sure the real-digit figures at the default
are: their 5-95% range over 2,000 resamplings of the dev digits (a set of 1,000 digits
moves them by about a point either way).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_real_handwriting, beside this file

from bench_real_handwriting import DEV_DIR, dev_grids  # noqa: E402

from digits_svm import train
from digits_svm.confidence import DEFAULT_MIN_CONFIDENCE, answers_from_proba, predict_proba
from digits_svm.datasets._templates import digit_strokes
from digits_svm.drawing._preprocessing import DEFAULT_METHOD
from digits_svm.drawing._strokes import preprocess_strokes
from digits_svm.errors import DigitsSVMError
from digits_svm.progress import ProgressBars

THRESHOLDS = (0.0, 0.3, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
#: The real-digit targets at the default threshold: answered, and right when answered.
TARGET_ANSWERED, TARGET_RIGHT = 0.87, 0.975


def _arc(cx, cy, r, start, stop, n=20):
    t = np.radians(np.linspace(start, stop, n))
    return [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in t]


#: Letters and shapes that are not digits (unit box, y down). Letters that people also
#: use as digits (O, I, l, S, Z, b, g, q) are left out on purpose.
SHAPES: dict[str, list[list[tuple[float, float]]]] = {
    "A": [[(0, 1), (0.5, 0), (1, 1)], [(0.25, 0.55), (0.75, 0.55)]],
    "E": [[(1, 0), (0, 0), (0, 1), (1, 1)], [(0, 0.5), (0.7, 0.5)]],
    "F": [[(1, 0), (0, 0), (0, 1)], [(0, 0.5), (0.7, 0.5)]],
    "H": [[(0, 0), (0, 1)], [(1, 0), (1, 1)], [(0, 0.5), (1, 0.5)]],
    "K": [[(0, 0), (0, 1)], [(1, 0), (0, 0.55), (1, 1)]],
    "M": [[(0, 1), (0, 0), (0.5, 0.6), (1, 0), (1, 1)]],
    "N": [[(0, 1), (0, 0), (1, 1), (1, 0)]],
    "W": [[(0, 0), (0.25, 1), (0.5, 0.4), (0.75, 1), (1, 0)]],
    "X": [[(0, 0), (1, 1)], [(1, 0), (0, 1)]],
    "R": [[(0, 1), (0, 0)] + _arc(0.45, 0.25, 0.25, -90, 90, 12) + [(0, 0.5), (1, 1)]],
    "#": [[(0.35, 0), (0.25, 1)], [(0.75, 0), (0.65, 1)], [(0, 0.35), (1, 0.35)], [(0, 0.7), (1, 0.7)]],
    "+": [[(0.5, 0), (0.5, 1)], [(0, 0.5), (1, 0.5)]],
    "star": [[(0.5, 0), (0.8, 1), (0, 0.35), (1, 0.35), (0.2, 1), (0.5, 0)]],
    "triangle": [[(0.5, 0), (1, 1), (0, 1), (0.5, 0)]],
    "square": [[(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]],
    "check": [[(0, 0.6), (0.35, 1), (1, 0)]],
    "arrow": [[(0, 0.5), (1, 0.5)], [(0.7, 0.2), (1, 0.5), (0.7, 0.8)]],
    "wave": [[(x / 20, 0.5 + 0.4 * math.sin(x / 20 * 4 * math.pi)) for x in range(21)]],
    "spiral": [[(0.5 + 0.5 * t / 40 * math.cos(t / 40 * 6 * math.pi), 0.5 + 0.5 * t / 40 * math.sin(t / 40 * 6 * math.pi))
                for t in range(41)]],
    "smiley": [_arc(0.5, 0.5, 0.5, 0, 360, 30), _arc(0.5, 0.5, 0.3, 20, 160, 10), [(0.35, 0.35)], [(0.65, 0.35)]],
}


def _draw(template, rng: np.random.Generator) -> dict:
    """A template at a random size, aspect, slant, pen width and wobble, in points."""
    h = rng.uniform(50, 250)
    w = h * rng.uniform(0.5, 1.2)
    slant = rng.uniform(-0.2, 0.3)
    strokes = []
    for stroke in template:
        pts = np.asarray(stroke, dtype=float) + rng.normal(0, 0.02, size=(len(stroke), 2))
        x = 40 + pts[:, 0] * w + slant * (1 - pts[:, 1]) * h
        y = 40 + pts[:, 1] * h
        strokes.append(np.column_stack([x, y]).round(2).tolist())
    return {"strokes": strokes, "line_width": float(rng.uniform(3, 10))}


def partial(rng: np.random.Generator) -> dict:
    """The first 20-40% of the path of a drawn digit (0, 2-6, 8, 9), as if left unfinished.

    A beginning that lies on a straight line would be a "1": it is drawn again.
    """
    while True:
        drawing = digit_strokes(int(rng.choice([0, 2, 3, 4, 5, 6, 8, 9])), rng)
        strokes = [np.asarray(s, dtype=float) for s in drawing["strokes"]]
        keep = rng.uniform(0.2, 0.4) * sum(np.hypot(*np.diff(s, axis=0).T).sum() for s in strokes)
        kept = []
        for stroke in strokes:
            along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(stroke, axis=0).T))])
            if along[-1] <= keep:
                kept.append(stroke)
            else:
                i = int(np.searchsorted(along, keep))
                t = (keep - along[i - 1]) / (along[i] - along[i - 1])
                kept.append(np.vstack([stroke[:i], stroke[i - 1] + t * (stroke[i] - stroke[i - 1])]))
                break
            keep -= along[-1]
        points = np.concatenate(kept)
        spread = np.linalg.svd(points - points.mean(axis=0), compute_uv=False)
        if spread[1] >= 0.15 * spread[0]:
            return {"strokes": [k.round(2).tolist() for k in kept], "line_width": drawing["line_width"]}


def scribble(rng: np.random.Generator) -> dict:
    """A random zig-zag: 4 to 14 points anywhere in a box, joined by one or two strokes."""
    n = int(rng.integers(4, 15))
    pts = rng.uniform(0, 1, size=(n, 2)) * [rng.uniform(40, 250), rng.uniform(40, 250)] + 40
    cut = int(rng.integers(2, n - 1)) if n > 4 and rng.random() < 0.5 else n
    strokes = [pts[:cut].round(2).tolist(), pts[cut:].round(2).tolist()]
    return {"strokes": [s for s in strokes if s], "line_width": float(rng.uniform(3, 10))}


def noise_grids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Blank-ish and noisy 8x8 grids: faint specks, a single blob, uniform noise, solid ink."""
    kinds = []
    for i in range(n):
        g = np.zeros((8, 8))
        kind = i % 4
        if kind == 0:  # a few faint specks
            idx = rng.choice(64, size=int(rng.integers(1, 6)), replace=False)
            g.flat[idx] = rng.integers(1, 6, size=len(idx))
        elif kind == 1:  # one small blob
            r, c = rng.integers(0, 7, size=2)
            g[r:r + 2, c:c + 2] = rng.integers(6, 17, size=(2, 2))[: 8 - r, : 8 - c]
        elif kind == 2:  # uniform noise
            g = rng.integers(0, 17, size=(8, 8)).astype(float)
        else:  # (nearly) solid ink
            g = np.clip(16 - rng.integers(0, 4, size=(8, 8)), 0, 16).astype(float)
        kinds.append(g)
    return np.stack(kinds)


def grids_of(drawings, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Preprocessed grids of the drawings, and the indices of the drawings that gave one."""
    out, kept = [], []
    for i, d in enumerate(drawings):
        try:
            out.append(preprocess_strokes(d, method=method))
            kept.append(i)
        except DigitsSVMError:
            continue  # a degenerate random drawing; nothing to classify
    return np.stack(out), np.asarray(kept)


def benchmark_nondigits(rng: np.random.Generator, n: int, method: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """This benchmark's non-digits: ``n`` of each drawn kind as grids (by kind), and ``n`` noise grids."""
    drawn = {
        "scribbles": grids_of([scribble(rng) for _ in range(n)], method)[0],
        "letters/shapes": grids_of([_draw(SHAPES[k], rng) for k in rng.choice(list(SHAPES), size=n)], method)[0],
        "partial strokes": grids_of([partial(rng) for _ in range(n)], method)[0],
    }
    return drawn, noise_grids(rng, n)


def _answered_right(classes, proba, threshold, labels=None):
    """Per drawing: answered (not "not a digit"), and, with labels, answered right (None without)."""
    answers = answers_from_proba(classes, proba, threshold)
    answered = np.array([a.digit is not None for a in answers])
    if labels is None:
        return answered, None
    return answered, np.array([a.digit == y for a, y in zip(answers, labels, strict=True)])


def _rates(classes, proba, threshold, labels=None):
    """Fraction answered (not "not a digit") and, with labels, the fraction of answers right."""
    answered, right = _answered_right(classes, proba, threshold, labels)
    if right is None:
        return answered.mean(), None
    return answered.mean(), (right[answered].mean() if answered.any() else float("nan"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="app")
    parser.add_argument("--method", default=DEFAULT_METHOD, help="preprocessing of the drawings")
    parser.add_argument("--n", type=int, default=300, help="non-digits of each kind")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dev", type=Path, default=DEV_DIR, help="folder of the real dev digits")
    parser.add_argument("--nondigits", type=int, help="synthesized non-digits to train on (default: the preset's)")
    parser.add_argument("--synthesized", type=int, help="synthesized digits to train on (default: the preset's)")
    parser.add_argument("--C", type=float, help="SVC C (default: the preset's)")
    parser.add_argument("--gamma", type=float, help="SVC gamma (default: the preset's)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    result = train(preset=args.preset, probability=True, nondigits=args.nondigits, synthesized=args.synthesized,
                   C=args.C, gamma=args.gamma, progress=ProgressBars())
    model = result.model
    drawn, noise = benchmark_nondigits(rng, args.n, args.method)
    dev = dev_grids(args.dev, method=args.method)

    def proba(grids):
        return predict_proba(model, np.asarray(grids).reshape(-1, 8, 8))

    p_dev = proba(dev[0]) if dev is not None else None
    p_scans = proba(result.X_test)
    p_drawn = {k: proba(g) for k, g in drawn.items()}
    p_noise = proba(noise)

    overrides = {k: getattr(args, k) for k in ("nondigits", "synthesized", "C", "gamma") if getattr(args, k) is not None}
    print(f"model: preset {args.preset}" + "".join(f", {k}={v}" for k, v in overrides.items())
          + f", {result.summary()}; drawings preprocessed with {args.method!r}")
    if dev is None:
        print(f"real handwriting dev set not found in {args.dev}: its columns are left out")
    print(("real digits: 1,000 from MNIST (LeCun, Cortes, Burges), as canvas crops; " if dev is not None else "")
          + f"{len(result.y_test)} held-out scans; non-digits: "
          + ", ".join(f"{len(g)} {k}" for k, g in drawn.items()) + f", {len(noise)} noise grids")
    header = (["min_confidence"] + (["real digits answered", "right when answered"] if dev is not None else [])
              + ["scans answered", "scans right when answered"] + [f"{k} rejected" for k in drawn]
              + ["drawn non-digits rejected", "noise grids rejected"])
    print("| " + " | ".join(header) + " |")
    print("|" + "---:|" * len(header))
    for t in sorted({*THRESHOLDS, DEFAULT_MIN_CONFIDENCE}):
        row = [f"**{t:.2f} (default)**" if t == DEFAULT_MIN_CONFIDENCE else f"{t:.2f}"]
        if p_dev is not None:
            answered, right = _rates(*p_dev, t, dev[1])
            row += [f"{answered:.1%}", f"{right:.2%}"]
        answered, right = _rates(*p_scans, t, result.y_test)
        row += [f"{answered:.1%}", f"{right:.2%}"]
        rejected = {k: 1 - _rates(*p, t)[0] for k, p in p_drawn.items()}
        n_drawn = sum(len(g) for g in drawn.values())
        row += [f"{r:.1%}" for r in rejected.values()]
        row += [f"{sum(r * len(drawn[k]) for k, r in rejected.items()) / n_drawn:.1%}", f"{1 - _rates(*p_noise, t)[0]:.1%}"]
        print("| " + " | ".join(row) + " |")
    if p_dev is not None:
        print(_resampled(*p_dev, DEFAULT_MIN_CONFIDENCE, dev[1], np.random.default_rng(args.seed)))
    return 0


def _resampled(classes, proba, threshold, labels, rng: np.random.Generator, n: int = 2000) -> str:
    """How sure the real-digit figures at ``threshold`` are: their 5-95% range over ``n``
    resamplings (with replacement) of the dev digits, and how often both targets hold."""
    answered, right = _answered_right(classes, proba, threshold, labels)
    picks = rng.integers(0, len(labels), size=(n, len(labels)))
    a = answered[picks].mean(axis=1)
    r = right[picks].sum(axis=1) / np.maximum(answered[picks].sum(axis=1), 1)
    return (f"real digits at {threshold:.2f}, over {n:,} resamplings of the dev digits: answered "
            f"{np.percentile(a, 5):.1%}-{np.percentile(a, 95):.1%} (5-95%), right when answered "
            f"{np.percentile(r, 5):.1%}-{np.percentile(r, 95):.1%}; both >= {TARGET_ANSWERED:.0%} and >= "
            f"{TARGET_RIGHT:.1%} in {np.mean((a >= TARGET_ANSWERED) & (r >= TARGET_RIGHT)):.0%} of them")


if __name__ == "__main__":
    sys.exit(main())
