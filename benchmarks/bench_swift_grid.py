"""Strokes to grid in Swift (`digits-grid`, release) beside Python's `preprocess_strokes`.

The same 1,000 drawings of 28 points (a "5" 120 pt tall, varied at random) go through
both; the target is at most 200 µs per drawing for `digits-grid`. Its figure is the time
for all drawings (JSON in, parse, render, preprocess, JSON out) minus the time of the
same process given no drawings (start-up), divided by 1,000; median of the repeats.
Needs `swift` on PATH. Run::

    python benchmarks/bench_swift_grid.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import digits_svm
from digits_svm.synthetic import digit_strokes

SWIFT = Path(__file__).resolve().parents[1] / "swift"
N = 1000


def build() -> Path:
    """Build `digits-grid` in release (a no-op when swift/.build is up to date)."""
    cmd = ["swift", "build", "-c", "release", "--package-path", str(SWIFT)]
    subprocess.run(cmd, check=True, capture_output=True)
    return Path(subprocess.run([*cmd, "--show-bin-path"], check=True, capture_output=True, text=True).stdout.strip())


def run_seconds(binary: Path, method: str, lines: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([str(binary / "digits-grid"), "--method", method], input=lines, capture_output=True, text=True,
                   check=True)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    binary = build()
    drawings = [digit_strokes(5, np.random.default_rng([19, i]), style=1, height=120) for i in range(N)]
    points = {sum(len(s) for s in d["strokes"]) for d in drawings}
    lines = "".join(json.dumps(d) + "\n" for d in drawings)
    print(f"{N:,} drawings of {'/'.join(map(str, sorted(points)))} points; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; median of {args.repeat} runs")
    print("| method | Swift digits-grid µs/drawing | Python preprocess_strokes µs/drawing | Python / Swift |")
    print("|---|---:|---:|---:|")
    for method in digits_svm.METHODS:
        swift, python = [], []
        for _ in range(args.repeat):  # interleaved, so both see the same load
            swift.append((run_seconds(binary, method, lines) - run_seconds(binary, method, "")) / N * 1e6)
            t0 = time.perf_counter()
            for d in drawings:
                digits_svm.preprocess_strokes(d, method=method)
            python.append((time.perf_counter() - t0) / N * 1e6)
        s, p = statistics.median(swift), statistics.median(python)
        print(f"| {method} | {s:,.0f} | {p:,.0f} | {p / s:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
