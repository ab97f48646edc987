"""How well a confidence threshold separates digits from things that are not digits.

Run:  python benchmarks/bench_confidence.py [--preset best] [--method normalized] [--n 200]

Trains `digits_svm.train(preset=...)` on the training half (probabilities on), then for
each threshold prints the fraction of digits accepted (held-out ``load_digits`` half, and
synthetic drawn digits from `digits_svm.synthetic.digit_strokes` through the app's
rendering and the preprocessing), the accuracy on the accepted ones, and the fraction of
non-digits rejected: random scribbles, letters and shapes drawn with
`digits_svm.render_strokes`, and blank-ish / noise grids. Everything is seeded.
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from digits_svm import predict_with_confidence, train
from digits_svm.errors import DigitsSVMError
from digits_svm.preprocess import DEFAULT_METHOD, preprocess_strokes
from digits_svm.synthetic import digit_strokes

THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="best")
    parser.add_argument("--method", default=DEFAULT_METHOD, help="preprocessing of the drawings")
    parser.add_argument("--n", type=int, default=200, help="drawings of each kind")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    result = train(preset=args.preset, probability=True)
    model = result.model
    drawn_labels = rng.integers(0, 10, size=args.n)
    drawn, kept = grids_of([digit_strokes(int(d), rng) for d in drawn_labels], args.method)
    drawn_labels = drawn_labels[kept]
    sets = {
        "scribbles": grids_of([scribble(rng) for _ in range(args.n)], args.method)[0],
        "letters/shapes": grids_of([_draw(SHAPES[k], rng) for k in rng.choice(list(SHAPES), size=args.n)], args.method)[0],
        "noise grids": noise_grids(rng, args.n),
    }

    def answers(grids):
        preds = predict_with_confidence(model, grids, min_confidence=0.0)
        return np.array([p.probability for p in preds]), np.array([p.best_guess for p in preds])

    p_test, guess_test = answers(result.X_test)
    p_drawn, guess_drawn = answers(drawn)
    p_non = {name: answers(g)[0] for name, g in sets.items()}
    p_all_non = np.concatenate(list(p_non.values()))

    print(f"model: preset {args.preset}, {result.summary()}; drawings preprocessed with {args.method!r}")
    print(f"digits: {len(p_test)} held-out load_digits, {len(p_drawn)} drawn (synthetic); "
          + ", ".join(f"{len(v)} {k}" for k, v in p_non.items()))
    header = ["min_confidence", "held-out accepted", "accuracy of accepted", "drawn digits accepted",
              "drawn accuracy of accepted", *[f"{k} rejected" for k in p_non], "all non-digits rejected"]
    print(" | ".join(header))
    print(" | ".join("---:" for _ in header))
    for t in THRESHOLDS:
        acc_test = p_test >= t
        acc_drawn = p_drawn >= t
        row = [
            f"{t:.2f}",
            f"{acc_test.mean():.1%}",
            f"{(guess_test[acc_test] == result.y_test[acc_test]).mean():.2%}" if acc_test.any() else "-",
            f"{acc_drawn.mean():.1%}",
            f"{(guess_drawn[acc_drawn] == drawn_labels[acc_drawn]).mean():.1%}" if acc_drawn.any() else "-",
            *[f"{(p < t).mean():.1%}" for p in p_non.values()],
            f"{(p_all_non < t).mean():.1%}",
        ]
        print(" | ".join(row))


if __name__ == "__main__":
    main()
