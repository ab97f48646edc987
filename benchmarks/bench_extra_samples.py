"""Does training on a user's own samples help with that user's handwriting?

Run:  python benchmarks/bench_extra_samples.py [--preset best] [--method normalized] [--test 500]

A synthetic "user" draws every digit in one consistent style (`digits_svm.datasets._templates.digit_strokes`
with a strong right slant, a thin pen and narrow digits). For k = 0, 1, 3, 10 samples per
digit, k drawings per digit are written as stroke JSON to ``<tmp>/<digit>/<n>.json`` and
passed to ``train(extra=...)``; the model is then scored on ``--test`` *other* drawings by
the same user (a different seed) and on the held-out ``load_digits`` half. A second
experiment does the same with only "7"s in the continental style (crossed) added.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from digits_svm import train
from digits_svm.datasets._templates import digit_strokes
from digits_svm.drawing._preprocessing import DEFAULT_METHOD
from digits_svm.drawing._strokes import preprocess_strokes

#: The user's style: a strong right slant, a thin pen, narrow digits.
USER_STYLE = {"slant": (0.3, 0.45), "line_width": (2.5, 4.0), "aspect": (0.4, 0.6), "height": (90.0, 160.0)}


def user_drawing(digit: int, rng: np.random.Generator, **overrides) -> dict:
    return digit_strokes(digit, rng, **{**USER_STYLE, **overrides})


def write_samples(folder: Path, drawings: list[dict]) -> None:
    for i, d in enumerate(drawings):
        (folder / str(d["label"])).mkdir(parents=True, exist_ok=True)
        (folder / str(d["label"]) / f"{i}.json").write_text(json.dumps(d))


def score(model_result, grids: np.ndarray, labels: np.ndarray) -> float:
    from digits_svm.model._training import predict_digits

    return float((predict_digits(model_result.model, grids.reshape(-1, 64)) == labels).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="best")
    parser.add_argument("--method", default=DEFAULT_METHOD)
    parser.add_argument("--test", type=int, default=500, help="test drawings by the user")
    args = parser.parse_args()

    test_rng = np.random.default_rng(1)
    test_labels = np.arange(args.test) % 10
    test = np.stack([preprocess_strokes(user_drawing(int(d), test_rng), method=args.method) for d in test_labels])
    sevens = np.stack([preprocess_strokes(user_drawing(7, test_rng, style=1), method=args.method) for _ in range(100)])

    print(f"preset {args.preset}, preprocessing {args.method!r}; user test set: {args.test} drawings, "
          f"plus 100 crossed 7s; style {USER_STYLE}")
    print("extra samples | user's drawings | user's crossed 7s | held-out load_digits | support vectors")
    print("---: | ---: | ---: | ---: | ---:")
    for per_digit in (0, 1, 3, 10):
        rng = np.random.default_rng(0)  # the training drawings: never the test seed
        drawings = [user_drawing(d, rng) for d in range(10) for _ in range(per_digit)]
        with tempfile.TemporaryDirectory() as tmp:
            if drawings:
                write_samples(Path(tmp), drawings)
            r = train(preset=args.preset, extra=tmp if drawings else None, method=args.method)
        print(f"{per_digit} per digit ({r.n_extra}) | {score(r, test, test_labels):.1%} | "
              f"{score(r, sevens, np.full(len(sevens), 7)):.0%} | {r.n_correct}/{r.n_test} | {r.n_support_vectors:,}")
    for n in (5, 20):
        rng = np.random.default_rng(0)
        with tempfile.TemporaryDirectory() as tmp:
            write_samples(Path(tmp), [user_drawing(7, rng, style=1) for _ in range(n)])
            r = train(preset=args.preset, extra=tmp, method=args.method)
        print(f"{n} crossed 7s only | {score(r, test, test_labels):.1%} | "
              f"{score(r, sevens, np.full(len(sevens), 7)):.0%} | {r.n_correct}/{r.n_test} | {r.n_support_vectors:,}")


if __name__ == "__main__":
    main()
