"""Personal memory in Swift (`digits-grid --memory`, release) beside the model and the rule in Python.

The question: does an answer with a memory of 500 samples cost at most twice the answer
without one? On Linux Swift cannot run the Core ML model, so this measures what can be
measured, side by side in one run:

- **Swift**, `digits-grid` on the same 1,000 drawings (a "5" of 28 points, 120 pt tall,
  varied at random, as in bench_swift_grid.py), each line carrying the model's class
  probabilities for the drawing's grid: (a) the plain mode (drawing lines, strokes to grid);
  drawing lines in the memory mode with (b) an empty memory and (c) the 500-sample memory;
  grid lines (no drawing) in the memory mode with (d) an empty memory and (e) the 500-sample
  memory. (e) − (d) is the memory rule's cost per answer, (c) − (a) all that the memory mode
  adds (the probabilities read, the longer line, the rule). Each figure is the CPU time of the
  process over all lines minus that of the same process, with the same memory file, given no
  lines (start-up, the memory file read), divided by 1,000.
- **Python**, the same grids and probabilities: `digits_svm.memory.PersonalMemory.answer`
  with the same memory, and `digits_svm.coreml.CoreMLRuntime.predict_proba` of the app model
  on one grid, one answer at a time (CPU time, on one BLAS thread).

Core ML's own time on a phone is not measured here: the model's time in Python's NumPy
runtime stands in for it, so the Swift ratio is (Python model + Swift rule) / Python model.
The memory is 500 synthesized digits (`digits_svm.datasets.synthesize(500, seed=777)`),
written with `PersonalMemory.save`. CPU time, because the machine is shared; medians of the
repeats, interleaved. Needs `swift` on PATH and the app model
(``digits-svm train --preset app``). Run::

    python benchmarks/bench_personal_swift.py [--model artifacts/DigitsSVM.mlmodel] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# One answer at a time is what the phone does; CPU time of several BLAS threads is not one answer's.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from digits_svm.coreml import CoreMLRuntime  # noqa: E402
from digits_svm.datasets import synthesize  # noqa: E402
from digits_svm.datasets._templates import digit_strokes  # noqa: E402
from digits_svm.drawing import preprocess_strokes  # noqa: E402
from digits_svm.memory import MAX_SAMPLES, PersonalMemory  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SWIFT = REPO / "swift"
N = 1000


def build() -> Path:
    """Build `digits-grid` in release (a no-op when swift/.build is up to date); its folder."""
    cmd = ["swift", "build", "-c", "release", "--package-path", str(SWIFT)]
    subprocess.run(cmd, check=True, capture_output=True)
    return Path(subprocess.run([*cmd, "--show-bin-path"], check=True, capture_output=True, text=True).stdout.strip())


def run(binary: Path, args: list[str], lines: str) -> tuple[float, str]:
    """CPU seconds (user + system) of one `digits-grid` run over ``lines``, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([str(binary / "digits-grid"), *args], input=lines, capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stdout


def per_line_us(binary: Path, args: list[str], lines: str) -> float:
    """CPU µs per line: the run over ``lines`` minus the same run given none, over `N`."""
    return (run(binary, args, lines)[0] - run(binary, args, "")[0]) / N * 1e6


def python_us(fn, items) -> float:
    """CPU µs per call of ``fn`` over ``items``, one at a time."""
    t0 = time.process_time()
    for item in items:
        fn(*item)
    return (time.process_time() - t0) / len(items) * 1e6


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=REPO / "artifacts" / "DigitsSVM.mlmodel",
                        help="the app's .mlmodel (digits-svm train --preset app)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if not args.model.is_file():
        parser.error(f"no model at {args.model}: train one with `digits-svm train --preset app --out DIR` "
                     "and pass DIR/DigitsSVM.mlmodel as --model")
    binary = build()
    runtime = CoreMLRuntime.from_file(args.model)
    classes = [int(c) for c in runtime.classes_]

    drawings = [digit_strokes(5, np.random.default_rng([19, i]), style=1, height=120) for i in range(N)]
    points = {sum(len(s) for s in d["strokes"]) for d in drawings}
    grids = np.array([preprocess_strokes(d) for d in drawings], dtype=np.float64).reshape(N, 64)
    proba = np.asarray(runtime.predict_proba(grids.reshape(-1, 8, 8)))
    probabilities = [dict(zip(classes, row.tolist(), strict=True)) for row in proba]
    given = [{str(c): p for c, p in pr.items()} for pr in probabilities]
    grid_lists = [[int(v) for v in g] for g in grids]
    plain_lines = "".join(json.dumps(d) + "\n" for d in drawings)
    drawing_lines = "".join(json.dumps({"drawing": d, "probabilities": p}) + "\n" for d, p in zip(drawings, given, strict=True))
    grid_lines = "".join(json.dumps({"grid": g, "probabilities": p}) + "\n" for g, p in zip(grid_lists, given, strict=True))

    X, y = synthesize(MAX_SAMPLES, seed=777)
    memory = PersonalMemory()
    memory.add(list(X), [int(v) for v in y])
    with tempfile.TemporaryDirectory() as tmp:
        full, empty = Path(tmp) / "memory-500.json", Path(tmp) / "memory-0.json"
        memory.save(full)
        PersonalMemory().save(empty)
        size = full.stat().st_size

        # The Swift answers are Python's (a check, not timed).
        python_answers = [memory.answer(g, p) for g, p in zip(grids, probabilities, strict=True)]
        out = run(binary, ["--memory", str(full)], grid_lines)[1]
        swift_answers = [json.loads(line)["memory"] for line in out.splitlines()]
        same = sum(a == b for a, b in zip(python_answers, swift_answers, strict=True))
        fired = sum(a is not None for a in python_answers)

        cases = {
            "a": ("drawing lines, no --memory (strokes → grid)", [], plain_lines),
            "b": ("drawing + probabilities lines, --memory of 0 samples", ["--memory", str(empty)], drawing_lines),
            "c": ("drawing + probabilities lines, --memory of 500 samples", ["--memory", str(full)], drawing_lines),
            "d": ("grid + probabilities lines, --memory of 0 samples", ["--memory", str(empty)], grid_lines),
            "e": ("grid + probabilities lines, --memory of 500 samples", ["--memory", str(full)], grid_lines),
        }
        times: dict[str, list[float]] = {k: [] for k in [*cases, "model", "rule"]}
        one_grid = [(g.reshape(1, 8, 8),) for g in grids]
        asked = list(zip(grids, probabilities, strict=True))
        for _ in range(args.repeat):  # interleaved, so all see the same load
            for key, (_, argv_, lines) in cases.items():
                times[key].append(per_line_us(binary, argv_, lines))
            times["model"].append(python_us(runtime.predict_proba, one_grid))
            times["rule"].append(python_us(memory.answer, asked))
    t = {k: statistics.median(v) for k, v in times.items()}

    print(f"{N:,} drawings of {'/'.join(map(str, sorted(points)))} points; memory of {len(memory)} synthesized "
          f"digits ({size:,} bytes of JSON); model "
          f"{args.model.name} ({runtime.n_support_vectors:,} support vectors); load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPU time, median of {args.repeat} interleaved runs\n")
    print(f"Swift's memory answers equal Python's on {same:,}/{N:,} grids (the memory answered {fired:,}).\n")
    print("| what | CPU µs per answer |")
    print("|---|---:|")
    for key, (name, _, _) in cases.items():
        print(f"| Swift ({key}) {name} | {t[key]:,.1f} |")
    rule_swift = t["e"] - t["d"]
    print(f"| Swift: the memory rule, (e) − (d) | {rule_swift:,.1f} |")
    print(f"| Swift: the memory mode's line reading without the rule, (b) − (a) | {t['b'] - t['a']:,.1f} |")
    print(f"| Swift: all the memory mode adds to a drawing, (c) − (a) | {t['c'] - t['a']:,.1f} |")
    print(f"| Python: the model, CoreMLRuntime.predict_proba on one grid | {t['model']:,.1f} |")
    print(f"| Python: the memory rule, PersonalMemory.answer | {t['rule']:,.1f} |")
    print()
    print("Ratios (answer with a memory of 500 samples / answer without one; the target is ≤ 2x):\n")
    print(f"- Python, model + rule / model: ({t['model']:,.1f} + {t['rule']:,.1f}) / {t['model']:,.1f} = "
          f"**{(t['model'] + t['rule']) / t['model']:.2f}x**")
    print(f"- Swift rule against the model's time in Python: ({t['model']:,.1f} + {rule_swift:,.1f}) / "
          f"{t['model']:,.1f} = **{(t['model'] + rule_swift) / t['model']:.2f}x**")
    print(f"- Swift drawing to answer, without the model: (c) / (a) = {t['c'] / t['a']:.2f}x; "
          f"rule / strokes → grid = {rule_swift / t['a']:.2f}")
    print(f"- the Swift rule is {t['rule'] / rule_swift:.1f}x faster than Python's" if rule_swift > 0
          else "- the Swift rule's cost is below this measurement's resolution")
    print("\nCore ML's own time on a phone is not measured here: the model's time in Python's NumPy "
          "runtime stands in for it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
