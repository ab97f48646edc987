"""How the "app" preset's settings were chosen: synthesized digits, augmentation, C, gamma.

Every candidate trains on the training half of ``load_digits`` (augmented) plus the
first N synthesized handwritten digits (`digits_svm.model._training.synthesized_training_digits`,
seed `digits_svm.datasets._handwriting.TRAINING_SEED`). For each it prints:

- ``cv``: scans right in 5 contiguous folds of the training half (synthesized digits
  always on the training side; pairwise votes, for speed);
- ``dev``: real handwritten digits right (``benchmarks/data/handwriting-dev/``, MNIST; measured
  only, never fitted), answered as the ``.mlmodel`` does (most probable class);
- support vectors and ``.mlmodel`` bytes (budget 1,500,000);
- ``held``: held-out scans right, **for information only** (not used to choose).

The rule: within the size budget and within 5 of the best ``cv`` count, the most digits
right over both validation sets (``cv + dev``: scans and real handwriting weigh alike),
then the highest ``dev``.

This chooses how the preset reads digits; the candidates learn no "not a digit" class.
The preset then adds ``PRESETS["app"]["nondigits"]`` synthesized non-digits as the class
-1, chosen by ``benchmarks/bench_confidence.py`` (docs/model.md), which costs support
vectors (about 650, over the budget above) and a few held-out scans. Run::

    python benchmarks/bench_app_preset.py [--n-jobs 2] [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import KFold
from sklearn.svm import SVC

from digits_svm.coreml._convert import build_spec, spec_bytes
from digits_svm.datasets._augment import augment_grids
from digits_svm.datasets._training_data import canonical_split
from digits_svm.model._presets import PRESETS
from digits_svm.model._training import predict_digits, synthesized_training_digits

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from bench_real_handwriting import dev_grids  # noqa: E402

MAX_BYTES = 1_500_000
CV_TOLERANCE = 5
GRID = {
    "synthesized": (2000, 2400, 2800),
    "augment": ("none", "hshift1", "hshift"),
    "C": (3.0, 10.0),
    "gamma": (0.0007, 0.001),
}


def _fit(X, y, aug, synth, C, gamma, probability):
    data = augment_grids(X, y, aug)
    model = SVC(C=C, gamma=gamma, probability=probability, random_state=0)
    return model.fit(np.concatenate([data.X, synth[0]]), np.concatenate([data.y, synth[1]]))


def _cv(X, y, aug, synth, C, gamma):
    right = 0
    for train, val in KFold(5).split(X):
        model = _fit(X[train], y[train], aug, synth, C, gamma, False)
        right += int((model.predict(X[val]) == y[val]).sum())
    return right


def _final(split, aug, synth, C, gamma, dev):
    model = _fit(split.X_train, split.y_train, aug, synth, C, gamma, True)
    size = len(spec_bytes(build_spec(model, preprocessing=None, metadata=None)))
    held = int((predict_digits(model, split.X_test) == split.y_test).sum())
    dev_right = None if dev is None else int((predict_digits(model, dev[0]) == dev[1]).sum())
    return int(model.n_support_.sum()), size, held, dev_right


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-jobs", type=int, default=-1)
    parser.add_argument("--quick", action="store_true", help="only the chosen preset's own settings")
    args = parser.parse_args(argv)
    dev = dev_grids()
    if dev is None:
        print("benchmarks/data/handwriting-dev/ not found: the dev score that chooses the preset is missing; nothing to do")
        return 0
    t0 = time.perf_counter()
    app = PRESETS["app"]
    grid = GRID if not args.quick else {k: (app[k],) for k in GRID}
    split = canonical_split()
    synth_all = synthesized_training_digits("app", max(grid["synthesized"]), n_jobs=args.n_jobs)
    candidates = list(itertools.product(*grid.values()))
    print(f"{len(candidates)} candidates; synthesized digits ready in {time.perf_counter() - t0:.0f} s", file=sys.stderr)

    def synth(n):
        return synth_all[0][:n], synth_all[1][:n]

    X, y = split.X_train, split.y_train
    tasks = [delayed(_cv)(X, y, a, synth(n), C, g) for n, a, C, g in candidates]
    tasks += [delayed(_final)(split, a, synth(n), C, g, dev) for n, a, C, g in candidates]
    out = Parallel(n_jobs=args.n_jobs)(tasks)
    cv, final = out[: len(candidates)], out[len(candidates):]
    rows = [dict(zip(GRID, c, strict=True), cv=v, sv=f[0], bytes=f[1], held=f[2], dev=f[3])
            for c, v, f in zip(candidates, cv, final, strict=True)]
    top = max((r["cv"] for r in rows if r["bytes"] <= MAX_BYTES), default=0)
    for r in rows:
        r["eligible"] = r["bytes"] <= MAX_BYTES and r["cv"] >= top - CV_TOLERANCE
    rows.sort(key=lambda r: (not r["eligible"], -(r["cv"] + r["dev"]), -r["dev"]))
    print("| synthesized | augment | C | gamma | cv (of 898) | dev (of 1,000) | support vectors | .mlmodel bytes "
          "| held-out (info) | eligible |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['synthesized']} | {r['augment']} | {r['C']:g} | {r['gamma']:g} | {r['cv']} | {r['dev']} | "
              f"{r['sv']:,} | {r['bytes']:,} | {r['held']} | {'yes' if r['eligible'] else 'no'} |")
    best = rows[0]
    chosen = {k: best[k] for k in GRID}
    same = all(app[k] == v for k, v in chosen.items())
    print(f"\nchosen: {chosen}; PRESETS['app'] {'matches' if same else 'DIFFERS: ' + str({k: app[k] for k in GRID})}")
    print(f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
