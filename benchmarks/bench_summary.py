"""The figures that matter, one row per preset: the table at the top of the README.

Run:  python benchmarks/bench_summary.py [--presets example,best,app] [--dev benchmarks/data/handwriting-dev]

Trains each preset on the training half (as ``digits-svm train --preset P`` does) and prints
one markdown row per preset:

- **real digits, best guess**: the most probable digit of each of the 1,000 real
  handwritten dev digits (``benchmarks/data/handwriting-dev/``, from the MNIST database by
  LeCun, Cortes and Burges, CC BY-SA 3.0), as the app's canvas crops through the default
  preprocessing. They only measure; nothing is fitted on them;
- **answered, right when answering**: the same digits under the "not a digit" rule
  (`digits_svm.predict_with_confidence`, its default threshold); a preset without
  probabilities answers every digit;
- **non-digits rejected**: ``bench_confidence.py``'s own drawn letters, shapes, scribbles
  and partial strokes (300 of each kind, seed 2026), made apart from what ``app`` trains on;
- **held-out scans**: the ``.mlmodel``'s answers on the 899 held-out ``load_digits`` scans;
- **.mlmodel**: its size in bytes, as ``digits-svm train`` writes it.

Timings are left to the other benchmarks: they vary with the machine, these do not.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

import digits_svm
from digits_svm.confidence import DEFAULT_MIN_CONFIDENCE, predict_with_confidence
from digits_svm.io import write_artifacts

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_confidence import benchmark_nondigits  # noqa: E402
from bench_real_handwriting import DEV_DIR, dev_grids  # noqa: E402


def _row(preset: str, dev, nondigits: np.ndarray, out: Path) -> str:
    result = digits_svm.train(preset=preset)
    paths = write_artifacts(result, out / preset, plots=False)
    runtime = digits_svm.CoreMLRuntime.from_file(paths.mlmodel)
    scans = int((runtime.predict(result.X_test) == result.y_test).sum())
    cells = []
    if dev is not None:
        answers = predict_with_confidence(runtime, dev[0]) if runtime.has_probabilities else None
        if answers is None:
            guesses = runtime.predict(dev[0])
            cells += [f"{(guesses == dev[1]).mean():.1%}", "100%", f"{(guesses == dev[1]).mean():.1%}"]
        else:
            best = np.array([a.best_guess for a in answers])
            digit = np.array([-1 if a.digit is None else a.digit for a in answers])
            answered = digit != -1
            cells += [f"{(best == dev[1]).mean():.1%}", f"{answered.mean():.1%}",
                      f"{(digit[answered] == dev[1][answered]).mean():.1%}"]
    if runtime.has_probabilities:
        rejected = np.mean([a.digit is None for a in predict_with_confidence(runtime, nondigits)])
        cells.append(f"{rejected:.1%}")
    else:
        cells.append("0% (no rule)")
    cells += [f"{scans}/{len(result.y_test)}", f"{paths.mlmodel.stat().st_size:,}"]
    return f"| {preset} | " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="example,best,app", help="comma-separated presets (default: all)")
    parser.add_argument("--dev", type=Path, default=DEV_DIR, help="folder of the real dev digits")
    args = parser.parse_args(argv)
    dev = dev_grids(args.dev)
    drawn, _ = benchmark_nondigits(np.random.default_rng(2026), 300, digits_svm.drawing.DEFAULT_METHOD)
    nondigits = np.concatenate(list(drawn.values()))
    header = (["preset"] + (["real digits, best guess", "answered", "right when answering"] if dev is not None else [])
              + ["non-digits rejected", "held-out scans", ".mlmodel bytes"])
    if dev is None:
        print(f"real handwriting dev set not found in {args.dev}: its columns are left out")
    print(f"threshold {DEFAULT_MIN_CONFIDENCE}; {len(nondigits):,} drawn non-digits")
    print("| " + " | ".join(header) + " |")
    print("|---|" + "---:|" * (len(header) - 1))
    with tempfile.TemporaryDirectory() as out:
        for preset in args.presets.split(","):
            print(_row(preset, dev, nondigits, Path(out)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
