"""Speed of the NumPy Core ML runtime against scikit-learn, on the same models, side by side.

Run:  python benchmarks/bench_runtime.py [--repeat 20] [--single 300] [--no-app]

Trains three models and converts each to a Core ML .mlmodel: the default (SVC(gamma=0.001),
the scikit-learn example), the same with probability=True, and the "app" preset (the
model apps ship; about 30 s to train, skipped with --no-app). For each it times, with
time.perf_counter, the runtime's call and scikit-learn's alternately (so both see the
same load) and prints medians:

- a batch of all 1,797 load_digits grids: CoreMLRuntime.predict vs SVC.predict, and
  predict_proba vs predict_proba for the models with probabilities;
- one grid at a time: the same calls on a single (8, 8) grid;
- reading and checking the saved .mlmodel (CoreMLRuntime.from_file).

Ratios are runtime time / scikit-learn time (below 1: the runtime is faster); the last
lines compare the ones with targets.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import digits_svm  # noqa: E402
from digits_svm import CoreMLRuntime


def median_seconds(fn, repeat: int) -> float:
    fn()  # warm-up (imports, BLAS threads, caches)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def side_by_side(ours, theirs, repeat: int) -> tuple[float, float]:
    """Median seconds of each, timed alternately so that both see the same load."""
    ours(), theirs()  # warm-up
    a, b = [], []
    for _ in range(repeat):
        for fn, times in ((ours, a), (theirs, b)):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return statistics.median(a), statistics.median(b)


def row(label: str, ours: float, theirs: float) -> str:
    return (
        f"  {label:<34} runtime {ours * 1e3:9.3f} ms   scikit-learn {theirs * 1e3:9.3f} ms   "
        f"ratio {ours / theirs:5.2f} ({theirs / ours:4.1f}x faster)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="repeats for batch timings")
    parser.add_argument("--single", type=int, default=300, help="repeats for single-grid timings")
    parser.add_argument("--no-app", action="store_true", help="skip the app preset (saves ~30 s of training)")
    args = parser.parse_args()

    X, _ = digits_svm.datasets.load_digits_grids()
    grid = X[0].reshape(8, 8)
    one = X[:1]
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"{len(X):,} load_digits grids; medians of {args.repeat} batch and {args.single} single-grid runs; "
          f"load average {load} on {os.cpu_count()} cores")
    models = [("default SVC(gamma=0.001)", {}), ("probability=True", {"probability": True})]
    if not args.no_app:
        models.append(('app preset (train(preset="app"))', {"preset": "app"}))
    targets = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, train_args in models:
            model = digits_svm.train(**train_args).model
            path = Path(tmp) / "model.mlmodel"
            digits_svm.convert(model, path, preprocessing={"method": "seed"})
            read = median_seconds(lambda path=path: CoreMLRuntime.from_file(path), max(3, args.repeat // 4))
            runtime = CoreMLRuntime.from_file(path)
            print(f"{name}: {runtime.n_support_vectors} support vectors, "
                  f"{path.stat().st_size:,} byte .mlmodel, from_file {read * 1e3:.1f} ms")
            calls = [("predict", runtime.predict, model.predict)]
            if runtime.has_probabilities:
                calls.append(("predict_proba", runtime.predict_proba, model.predict_proba))
            for what, ours, theirs in calls:
                batch = side_by_side(lambda ours=ours: ours(X), lambda theirs=theirs: theirs(X), args.repeat)
                single = side_by_side(lambda ours=ours: ours(grid), lambda theirs=theirs: theirs(one), args.single)
                print(row(f"{what}, batch of 1,797", *batch))
                print(row(f"{what}, one grid", *single))
                if what == "predict" and not train_args:
                    targets += [(f"{name}, predict, one grid", single, 3.0),
                                (f"{name}, predict, batch of 1,797", batch, 8.0)]
                if what == "predict_proba":
                    targets.append((f"{name}, predict_proba, one grid", single, 2.0))
    print("targets (scikit-learn time / runtime time, measured above):")
    for label, (ours, theirs), needed in targets:
        verdict = "met" if theirs / ours >= needed else "NOT met"
        print(f"  {label:<58} {theirs / ours:5.1f}x faster (needs >= {needed:g}x): {verdict}")


if __name__ == "__main__":
    main()
