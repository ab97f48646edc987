"""Preprocessing latency: median time per crop for each method and crop size, and strokes to answer.

The budgets: a median of at most 150 µs for a
224 x 224 crop with the default method; strokes (a 28-point drawing) to grid, i.e.
render + preprocess, at most 500 µs; strokes to answer, i.e. render, preprocess and
predict with probabilities (`coreml_predict(..., return_proba=True)`, as the playground
answers), at most 1 ms. The answer uses the "app" preset's model (trained here, ~30 s)
or the ``.mlmodel`` given with ``--model``. Run::

    python benchmarks/bench_preprocess.py [--repeat 400] [--model artifacts/DigitsSVM.mlmodel]

Timings are medians over ``--repeat`` runs; the load average is printed with them,
since other jobs on the machine inflate every figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import digits_svm
from digits_svm.datasets._templates import digit_strokes

SIZES = [(224, 224), (64, 96), (600, 400), (4000, 4000)]


def crop_of_size(width: int, height: int):
    """A rendered digit, resized to the given crop size (RGBA, ink in alpha)."""
    drawing = digit_strokes(5, np.random.default_rng(0), height=120, aspect=0.7, slant=0.1)
    return digits_svm.render_strokes(drawing).resize((width, height))


def median_us(fn, repeat: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def app_runtime(model: str | None) -> digits_svm.CoreMLRuntime:
    """The runtime of ``model``, or of a freshly trained "app" preset."""
    if model:
        return digits_svm.CoreMLRuntime.from_file(model)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "app.mlmodel"
        digits_svm.convert(digits_svm.train(preset="app").model, path)
        return digits_svm.CoreMLRuntime.from_file(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=400)
    parser.add_argument("--model", help='.mlmodel for "strokes to answer" (default: train the "app" preset)')
    args = parser.parse_args(argv)
    try:
        runtime = app_runtime(args.model)
    except digits_svm.DigitsSVMError as exc:  # a --model that is missing or not a model: say so, no traceback
        parser.error(f"{exc} (or leave --model out to train the app preset here)")
    print(f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores")
    print("| crop (px) | method | median µs |")
    print("|---|---|---:|")
    for w, h in SIZES:
        img = crop_of_size(w, h)
        repeat = max(5, args.repeat // 40) if w * h > 1_000_000 else args.repeat
        for method in digits_svm.drawing.METHODS:
            us = median_us(lambda img=img, method=method: digits_svm.preprocess(img, method=method), repeat)
            default = " (default)" if method == digits_svm.drawing.DEFAULT_METHOD else ""
            print(f"| {w} x {h} | {method}{default} | {us:,.0f} |")
    drawing = digit_strokes(5, np.random.default_rng(0), height=120)
    n = sum(len(s) for s in drawing["strokes"])
    method = runtime.preprocessing_method or digits_svm.drawing.DEFAULT_METHOD
    to_grid = median_us(lambda: digits_svm.preprocess_strokes(drawing, method=method), args.repeat)
    to_answer = median_us(
        lambda: digits_svm.coreml_predict(runtime, digits_svm.preprocess_strokes(drawing, method=method), return_proba=True),
        args.repeat,
    )
    print(f"| strokes ({n} points) to grid: render + preprocess | {method} | {to_grid:,.0f} |")
    print(f"| strokes ({n} points) to answer: + predict with probabilities "
          f"({runtime.n_support_vectors:,} support vectors) | {method} | {to_answer:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
