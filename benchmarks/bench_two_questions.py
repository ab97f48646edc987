"""One model with a "not a digit" class, or a digit model and a gate; and what a smaller model costs.

Run:  python benchmarks/bench_two_questions.py [--part gate|size|both] [--dev benchmarks/data/handwriting-dev]

**Part "gate"** answers "is it a digit?" three ways, each with the ``app`` preset's data
(`digits_svm.train(preset="app")`: scans with their shifted copies, optdigits' other
writers, synthesized digits and non-digits, all from the training seed), every model a
`digits_svm.model.PlattSVC`:

- **class -1** (what the ``app`` preset ships): one model with the ten digits and the
  class -1; `digits_svm.predict_with_confidence`'s rule;
- **digit model alone**: the same without non-digits (``nondigits=0``); the rule on its
  probabilities only;
- **digit model + gate**: that digit model, and a second model for digits (2,700 drawn at
  random, seed 0, from the digit model's own training rows) against the 2,700 non-digits;
  answered when the gate's probability of "digit" is at least ``g`` and the most probable
  digit's at least ``t``.

For each: support vectors, ``.mlmodel`` bytes (all shipped files together), best guess on
the real dev digits and on the held-out scans, and, per threshold, the real digits
answered, right when answered, and `bench_confidence.py`'s own non-digits (seed 2026,
300 of each kind) rejected.

**Part "size"** is what a budget of 2,000,000 bytes (about 3,400 support vectors) allows
for the digit question alone: ``SVC(C=3, gamma=0.001)`` (pairwise votes, for speed) on the
scans with their copies, the other writers and N synthesized digits, with support vectors,
bytes, and best guess on the dev digits and the held-out scans; then, at N = 2,400, the
levers that make data count more than its volume: virtual support vectors (Decoste and
Schölkopf 2002: the fitted model's support vectors among the scans and other writers,
redrawn and preprocessed again by `digits_svm.datasets._augment.renorm_grids`, added, and the
model refitted), and editing (the training rows the fitted model itself misreads dropped,
and the model refitted).

The real digits (``benchmarks/data/handwriting-dev/``, MNIST, CC BY-SA 3.0) only measure;
nothing here is fitted on them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from joblib import parallel_config
from sklearn.svm import SVC

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the benchmarks beside this file

from bench_confidence import benchmark_nondigits  # noqa: E402
from bench_real_handwriting import DEV_DIR, dev_grids  # noqa: E402

from digits_svm import train
from digits_svm.confidence import answers_from_proba
from digits_svm.coreml._convert import build_spec, spec_bytes
from digits_svm.datasets._augment import augment_grids, renorm_grids
from digits_svm.datasets._handwriting import TRAINING_SEED
from digits_svm.datasets._nondigits import synthesize_nondigits
from digits_svm.datasets._training_data import NOT_A_DIGIT, canonical_split, load_other_writers
from digits_svm.drawing._preprocessing import DEFAULT_METHOD
from digits_svm.model._calibration import PlattSVC
from digits_svm.model._training import synthesized_training_digits
from digits_svm.progress import ProgressBars

THRESHOLDS = (0.5, 0.6, 0.65, 0.7, 0.72, 0.75, 0.8)
GATE_THRESHOLDS = (0.3, 0.5)
TARGETS = {"answered": 0.87, "right": 0.975, "rejected": 0.92}
N_GATE = 2700


def _bytes(*models: SVC) -> int:
    return sum(len(spec_bytes(build_spec(m, preprocessing=None, metadata=None))) for m in models)


def _digit_columns(classes: np.ndarray) -> np.ndarray:
    return np.flatnonzero(classes != NOT_A_DIGIT)


def _best_guess(model: SVC, X: np.ndarray) -> np.ndarray:
    proba = model.predict_proba(X)
    columns = _digit_columns(model.classes_)
    return model.classes_[columns[np.argmax(proba[:, columns], axis=1)]]


def _answered(model: SVC, X: np.ndarray, threshold: float, gate: SVC | None, gate_threshold: float) -> tuple:
    """Per grid: answered (not "not a digit"), and the digit answered (-1 where not)."""
    answers = answers_from_proba(np.asarray(model.classes_), model.predict_proba(X), threshold)
    digits = np.array([-1 if a.digit is None else a.digit for a in answers])
    if gate is not None:
        digits[gate.predict_proba(X)[:, 1] < gate_threshold] = -1
    return digits != -1, digits


def _rule_rows(name: str, model: SVC, gate: SVC | None, dev, scans, nondigits: np.ndarray) -> None:
    for g in GATE_THRESHOLDS if gate is not None else (None,):
        for t in THRESHOLDS:
            row = [name + (f", gate {g}" if g is not None else ""), f"{t:.2f}"]
            answered, digits = _answered(model, dev[0], t, gate, g or 0.0)
            right = (digits[answered] == dev[1][answered]).mean()
            scans_answered = _answered(model, scans[0], t, gate, g or 0.0)[0].mean()
            rejected = 1 - _answered(model, nondigits, t, gate, g or 0.0)[0].mean()
            met = answered.mean() >= TARGETS["answered"] and right >= TARGETS["right"] and rejected >= TARGETS["rejected"]
            row += [f"{answered.mean():.1%}", f"{right:.2%}", f"{scans_answered:.1%}", f"{rejected:.1%}", "yes" if met else ""]
            print("| " + " | ".join(row) + " |")


def gate_part(dev, scans) -> None:
    drawn, _ = benchmark_nondigits(np.random.default_rng(2026), 300, DEFAULT_METHOD)
    nondigits = np.concatenate([g.reshape(-1, 64) for g in drawn.values()])
    started = time.perf_counter()
    one = train(preset="app", progress=ProgressBars())
    digits_only = train(preset="app", nondigits=0, progress=ProgressBars())
    X_digits = _training_rows(digits_only)
    pick = np.random.default_rng(0).choice(len(X_digits), N_GATE, replace=False)
    X_non = synthesize_nondigits(N_GATE, seed=TRAINING_SEED, n_jobs=-1)[0]
    X_gate = np.concatenate([X_digits[pick], X_non])
    y_gate = np.concatenate([np.ones(N_GATE, dtype=np.int64), np.zeros(len(X_non), dtype=np.int64)])
    with parallel_config(n_jobs=-1):
        gate = PlattSVC(C=3.0, gamma=0.001, random_state=0).fit(X_gate, y_gate)
    print(f"(trained in {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    print("Is it a digit? Three ways, with the app preset's data (real digits: 1,000 from MNIST, as canvas crops; "
          f"{len(nondigits)} drawn non-digits of bench_confidence.py, seed 2026)\n")
    print("| design | support vectors | .mlmodel bytes | real digits, best guess | held-out scans, best guess |")
    print("|---|---:|---:|---:|---:|")
    for name, models in (("class -1 (shipped)", [one.model]), ("digit model alone", [digits_only.model]),
                         ("digit model + gate", [digits_only.model, gate])):
        n_sv = " + ".join(f"{int(m.n_support_.sum()):,}" for m in models)
        print(f"| {name} | {n_sv} | {_bytes(*models):,} | {(_best_guess(models[0], dev[0]) == dev[1]).mean():.3f} | "
              f"{int((_best_guess(models[0], scans[0]) == scans[1]).sum())}/{len(scans[1])} |")
    print(f"\nThe rule, per threshold (targets: answered >= {TARGETS['answered']:.0%}, right >= {TARGETS['right']:.1%}, "
          f"drawn non-digits rejected >= {TARGETS['rejected']:.0%})\n")
    print("| design | threshold | real digits answered | right when answered | scans answered | "
          "drawn non-digits rejected | all three met |")
    print("|---|---:|---:|---:|---:|---:|---|")
    _rule_rows("class -1 (shipped)", one.model, None, dev, scans, nondigits)
    _rule_rows("digit model alone", digits_only.model, None, dev, scans, nondigits)
    _rule_rows("digit model + gate", digits_only.model, gate, dev, scans, nondigits)


def _training_rows(result) -> np.ndarray:
    """The digit rows a ``train(preset="app", nondigits=0)`` run fitted, in its order."""
    split = canonical_split()
    scans = augment_grids(split.X_train, split.y_train, result.augment).X
    synthesized = synthesized_training_digits("app", result.n_synthesized)[0]
    return np.concatenate([scans, load_other_writers()[0], synthesized])


def _size_row(name: str, X: np.ndarray, y: np.ndarray, dev, scans) -> SVC:
    model = SVC(C=3.0, gamma=0.001).fit(X, y)
    scans_right = int((model.predict(scans[0]) == scans[1]).sum())
    print(f"| {name} | {len(y):,} | {int(model.n_support_.sum()):,} | {_bytes(model):,} | "
          f"{(model.predict(dev[0]) == dev[1]).mean():.3f} | {scans_right}/{len(scans[1])} |")
    return model


def size_part(dev, scans) -> None:
    split = canonical_split()
    copies = augment_grids(split.X_train, split.y_train, "hshift1")
    real = (np.concatenate([copies.X, load_other_writers()[0]]), np.concatenate([copies.y, load_other_writers()[1]]))
    print("\nThe digit question alone, and what size buys (SVC(C=3, gamma=0.001), pairwise votes; "
          "the budget: 2,000,000 bytes for every shipped model)\n")
    print("| training rows | rows | support vectors | .mlmodel bytes | real digits right | held-out scans right |")
    print("|---|---:|---:|---:|---:|---:|")
    _size_row("scans with copies, other writers", *real, dev, scans)
    base = None
    for n in (2400, 4800, 10800):
        synthesized = synthesized_training_digits("app", n)
        X, y = np.concatenate([real[0], synthesized[0]]), np.concatenate([real[1], synthesized[1]])
        model = _size_row(f"... and {n:,} synthesized digits", X, y, dev, scans)
        if base is None:
            base = (X, y, model)
    X, y, model = base
    sv_real = model.support_[model.support_ < len(real[1])]
    _size_row("2,400, and virtual support vectors (the real ones redrawn)", np.concatenate([X, renorm_grids(X[sv_real])]),
              np.concatenate([y, y[sv_real]]), dev, scans)
    kept = model.predict(X) == y
    _size_row(f"2,400, edited ({int((~kept).sum())} rows the model misreads dropped)", X[kept], y[kept], dev, scans)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("gate", "size", "both"), default="both")
    parser.add_argument("--dev", type=Path, default=DEV_DIR, help="folder of the real dev digits")
    args = parser.parse_args(argv)
    dev = dev_grids(args.dev)
    if dev is None:
        print(f"real handwriting dev set not found in {args.dev}; nothing to measure")
        return 0
    split = canonical_split()
    scans = (split.X_test, split.y_test)
    if args.part in ("gate", "both"):
        gate_part(dev, scans)
    if args.part in ("size", "both"):
        size_part(dev, scans)
    return 0


if __name__ == "__main__":
    sys.exit(main())
