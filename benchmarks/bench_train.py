"""Wall time of `digits-svm train` end to end, and the sizes it produces.

Run:  python benchmarks/bench_train.py [--repeat 3] [-- extra train args]

Runs the real command in a subprocess (start-up and imports included) into a temporary
directory, and prints the median wall time, the .mlmodel size and the support-vector count.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("train_args", nargs="*", help="extra arguments for digits-svm train")
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "digits_svm", "train", "--out", tmp, *args.train_args],
                           check=True, capture_output=True)
            times.append(time.perf_counter() - started)
        metrics = json.loads((Path(tmp) / "metrics.json").read_text())
    print(f"digits-svm train {' '.join(args.train_args)}".rstrip())
    print(f"  wall time, median of {args.repeat}: {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f})")
    print(f"  held-out accuracy: {metrics['accuracy']:.4f} ({metrics['n_correct']}/{metrics['n_test']})")
    print(f"  support vectors: {metrics['n_support_vectors']}")
    print(f"  DigitsSVM.mlmodel: {metrics['artifacts']['mlmodel']['size_bytes']:,} bytes")
    print(f"  digits_svm.pkl: {metrics['artifacts']['pickle']['size_bytes']:,} bytes")


if __name__ == "__main__":
    main()
