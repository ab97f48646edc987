"""Preprocessing latency: median time per crop for each method and crop size.

The target is a median of at most 300 µs for a 224 x 224 crop with the default method on
the project's 2-core machine. Run::

    python benchmarks/bench_preprocess.py [--repeat 400]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

import digits_svm
from digits_svm.synthetic import digit_strokes

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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=400)
    args = parser.parse_args(argv)
    print("| crop (px) | method | median µs |")
    print("|---|---|---:|")
    for w, h in SIZES:
        img = crop_of_size(w, h)
        repeat = max(5, args.repeat // 40) if w * h > 1_000_000 else args.repeat
        for method in digits_svm.METHODS:
            us = median_us(lambda img=img, method=method: digits_svm.preprocess(img, method=method), repeat)
            default = " (default)" if method == digits_svm.DEFAULT_METHOD else ""
            print(f"| {w} x {h} | {method}{default} | {us:,.0f} |")
    drawing = digit_strokes(5, np.random.default_rng(0), height=120)
    us = median_us(lambda: digits_svm.preprocess_strokes(drawing), max(20, args.repeat // 10))
    n = sum(len(s) for s in drawing["strokes"])
    print(f"| strokes ({n} points, render + preprocess) | {digits_svm.DEFAULT_METHOD} | {us:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
