"""Strokes to grid in Swift (`digits-grid`, release) beside Python's `preprocess_strokes`.

The same 1,000 drawings of 28 points (a "5" 120 pt tall, varied at random) go through
both; the target is at most 200 µs per drawing for `digits-grid`. Its figure is the CPU
time of the process for all drawings (JSON in, parse, render, preprocess, JSON out) minus
that of the same process given no drawings (start-up), divided by 1,000; Python's is the
CPU time of `preprocess_strokes` per drawing in this process. CPU time, because the
machine is shared: waiting for a core is not the code's cost. Medians of the repeats,
interleaved. Needs `swift` on PATH. Run::

    python benchmarks/bench_swift_grid.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import digits_svm
from digits_svm.datasets._templates import digit_strokes

SWIFT = Path(__file__).resolve().parents[1] / "swift"
N = 1000


def build() -> Path:
    """Build `digits-grid` in release (a no-op when swift/.build is up to date)."""
    cmd = ["swift", "build", "-c", "release", "--package-path", str(SWIFT)]
    subprocess.run(cmd, check=True, capture_output=True)
    return Path(subprocess.run([*cmd, "--show-bin-path"], check=True, capture_output=True, text=True).stdout.strip())


def cpu_seconds(binary: Path, method: str, lines: str) -> float:
    """CPU time (user + system) of one `digits-grid` run over ``lines``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([str(binary / "digits-grid"), "--method", method], input=lines, capture_output=True, text=True,
                   check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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
    print("| method | Swift digits-grid CPU µs/drawing | Python preprocess_strokes CPU µs/drawing | Python / Swift |")
    print("|---|---:|---:|---:|")
    for method in digits_svm.drawing.METHODS:
        swift, python = [], []
        for _ in range(args.repeat):  # interleaved, so both see the same load
            swift.append((cpu_seconds(binary, method, lines) - cpu_seconds(binary, method, "")) / N * 1e6)
            t0 = time.process_time()
            for d in drawings:
                digits_svm.preprocess_strokes(d, method=method)
            python.append((time.process_time() - t0) / N * 1e6)
        s, p = statistics.median(swift), statistics.median(python)
        print(f"| {method} | {s:,.0f} | {p:,.0f} | {p / s:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
