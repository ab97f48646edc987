"""Speed of the NumPy Core ML runtime against scikit-learn, on the same model.

Run:  python benchmarks/bench_runtime.py [--repeat 20] [--single 300]

Trains the default model (SVC(gamma=0.001), the scikit-learn example) and the same with
probability=True, converts each to a Core ML spec, and times, with time.perf_counter and
medians over repeats:

- a batch of all 1,797 load_digits grids: CoreMLRuntime.predict vs SVC.predict (and
  predict_proba vs predict_proba for the probability model);
- one grid at a time: the same calls on a single (8, 8) grid;
- reading and checking the saved .mlmodel (CoreMLRuntime.from_file).

Ratios are runtime time / scikit-learn time (below 1: the runtime is faster).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import digits_svm  # noqa: E402
from digits_svm import CoreMLRuntime  # noqa: E402


def median_seconds(fn, repeat: int) -> float:
    fn()  # warm-up (imports, BLAS threads, caches)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def row(label: str, ours: float, theirs: float) -> str:
    return (
        f"  {label:<34} runtime {ours * 1e3:9.3f} ms   scikit-learn {theirs * 1e3:9.3f} ms   "
        f"ratio {ours / theirs:5.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="repeats for batch timings")
    parser.add_argument("--single", type=int, default=300, help="repeats for single-grid timings")
    args = parser.parse_args()

    X, _ = digits_svm.load_grids()
    grid = X[0].reshape(8, 8)
    one = X[:1]
    print(f"{len(X):,} load_digits grids; medians of {args.repeat} batch and {args.single} single-grid runs")
    with tempfile.TemporaryDirectory() as tmp:
        for name, probability in (("default SVC(gamma=0.001)", False), ("probability=True", True)):
            model = digits_svm.train(probability=probability).model
            path = Path(tmp) / "model.mlmodel"
            digits_svm.convert(model, path, preprocessing={"method": "seed"})
            load = median_seconds(lambda path=path: CoreMLRuntime.from_file(path), max(3, args.repeat // 4))
            runtime = CoreMLRuntime.from_file(path)
            print(f"{name}: {runtime.n_support_vectors} support vectors, "
                  f"{path.stat().st_size:,} byte .mlmodel, from_file {load * 1e3:.1f} ms")
            calls = [("predict", runtime.predict, model.predict)]
            if probability:
                calls.append(("predict_proba", runtime.predict_proba, model.predict_proba))
            for what, ours, theirs in calls:
                print(row(f"{what}, batch of 1,797",
                          median_seconds(lambda ours=ours: ours(X), args.repeat),
                          median_seconds(lambda theirs=theirs: theirs(X), args.repeat)))
                print(row(f"{what}, one grid",
                          median_seconds(lambda ours=ours: ours(grid), args.single),
                          median_seconds(lambda theirs=theirs: theirs(one), args.single)))

if __name__ == "__main__":
    main()
