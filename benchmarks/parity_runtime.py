"""Parity of the NumPy Core ML runtime with scikit-learn, for every model variant we ship or test.

Run:  python benchmarks/parity_runtime.py [--n-random 10000] [--random-state 0]

For each variant it converts the fitted SVC to a Core ML spec, runs `digits_svm.verify`
(all 1,797 load_digits digits + N random grids, half integers 0..16, half reals) and prints
the report. For the probability model it also counts how often Core ML's label (the most
probable class, argmax of predict_proba) differs from scikit-learn's predict() (votes),
separately on the digits, the random integer grids and the random real grids.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.svm import SVC

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import digits_svm  # noqa: E402
from digits_svm.coreml._parity import parity_grids
from digits_svm.model._calibration import PlattSVC

NAMES = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])


def variants():
    """name -> (fitted SVC, Core ML spec)."""
    X, y = digits_svm.datasets.load_digits_grids()
    seed = {"method": "seed"}
    pair = (y == 3) | (y == 8)
    half = int(pair.sum()) // 2
    models = {
        "default SVC(gamma=0.001)": digits_svm.train().model,
        "probability=True": digits_svm.train(probability=True).model,
        "linear kernel": digits_svm.train(kernel="linear").model,
        "poly kernel (degree 3, coef0 1)": digits_svm.train(kernel="poly", degree=3, coef0=1.0).model,
        "sigmoid kernel (gamma 1e-4, coef0 -0.5)": digits_svm.train(kernel="sigmoid", gamma=1e-4, coef0=-0.5).model,
        "binary 3 vs 8": SVC(gamma=0.001).fit(X[pair][:half], y[pair][:half]),
        "binary 3 vs 8, probability=True": PlattSVC(gamma=0.001, random_state=0).fit(X[pair][:half], y[pair][:half]),
    }
    out = {name: (model, digits_svm.convert(model, preprocessing=seed).get_spec()) for name, model in models.items()}
    strings = SVC(gamma=0.001).fit(X[:898], NAMES[y[:898]])
    # The spec coremltools' converter makes, built without it (tests/coreml/test_convert.py compares them).
    out["string labels (coremltools' raw [64] input)"] = (strings, digits_svm.coreml._convert.svc_spec(strings))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-random", type=int, default=10_000)
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args()

    for name, (model, spec) in variants().items():
        started = time.perf_counter()
        report = digits_svm.verify(spec, model, n_random=args.n_random, random_state=args.random_state)
        took = time.perf_counter() - started
        print(f"{name}: {'OK' if report.ok else 'FAILED'} ({took:.1f} s)")
        for line in report.summary().splitlines():
            print(f"    {line}")

    model = digits_svm.train(probability=True).model
    grids, n_digits = parity_grids(args.n_random, args.random_state)
    n_int = args.n_random // 2
    core_ml = model.classes_[model.predict_proba(grids).argmax(axis=1)]
    differs = core_ml != model.predict(grids)
    print("probability=True: label = argmax(predict_proba) (Core ML) vs predict() (votes), disagreements:")
    for part, rows in (
        ("load_digits digits", slice(0, n_digits)),
        ("random integer grids", slice(n_digits, n_digits + n_int)),
        ("random real grids", slice(n_digits + n_int, None)),
    ):
        d = differs[rows]
        print(f"    {part:<22} {int(d.sum()):>5,} of {d.size:>5,} ({d.mean():.1%})")
    held_out = slice(898, n_digits)
    _, y = digits_svm.datasets.load_digits_grids()
    print(f"    held-out accuracy (last 899 digits): predict() {np.mean(model.predict(grids[held_out]) == y[898:]):.4f}, "
          f"argmax(predict_proba) {np.mean(core_ml[held_out] == y[898:]):.4f}")


if __name__ == "__main__":
    main()
