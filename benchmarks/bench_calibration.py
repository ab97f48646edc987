"""Held-out calibration of our pairwise Platt fit against scikit-learn's SVC(probability=True).

Run:  python benchmarks/bench_calibration.py [--seed 0]

Trains on one half of ``load_digits`` (a seeded permutation) and evaluates on the other
half only, for the ``example`` settings (C=1, gamma=0.001) and the ``best`` preset's
(C=3, gamma=0.001), then for the ``best`` settings fitted with sample weights
(``best+w``: seeded, uniform in [0.2, 3], one training row in ten weighted 0, which
libsvm leaves out). For each: scikit-learn's ``SVC(probability=True)`` (deprecated from
1.9 on; its warning is silenced here) against ``digits_svm.model.PlattSVC``, both
fitted with the same weights and coupled by the same code
(``digits_svm.model._calibration.platt_probabilities``), so only the Platt parameters differ.
Prints log loss, multiclass Brier score (mean over grids of the squared distance to the
one-hot), argmax accuracy and fit time (ours: the SVC fit plus the calibration), with the
ratio ours / scikit-learn's.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.svm import SVC

from digits_svm.coreml._convert import svc_spec
from digits_svm.coreml._libsvm import LibsvmModel
from digits_svm.coreml._spec import read_svm_spec
from digits_svm.datasets._training_data import load_digits_grids
from digits_svm.model._calibration import PlattSVC

SETTINGS = {"example": {"C": 1.0, "gamma": 0.001}, "best": {"C": 3.0, "gamma": 0.001}}


def scores(p: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Log loss, Brier score, argmax accuracy."""
    onehot = np.eye(p.shape[1])[y]
    log_loss = float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-15, 1.0))))
    brier = float(np.mean(np.sum((p - onehot) ** 2, axis=1)))
    return log_loss, brier, float(np.mean(p.argmax(axis=1) == y))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    X, y = load_digits_grids()
    X = X.reshape(len(X), 64)
    order = np.random.default_rng(args.seed).permutation(len(X))
    half = len(X) // 2
    train, test = order[:half], order[half:]
    weights = np.random.default_rng(args.seed + 1).uniform(0.2, 3.0, len(train))
    weights[np.random.default_rng(args.seed + 2).permutation(len(train))[: len(train) // 10]] = 0.0
    cases = [(name, params, None) for name, params in SETTINGS.items()] + [("best+w", SETTINGS["best"], weights)]
    print(f"train {len(train)} grids, held-out {len(test)} grids (seed {args.seed}); best+w: "
          f"{np.count_nonzero(weights == 0)} training rows weighted 0, the others in [0.2, 3]")
    print(f"{'settings':8} {'who':8} {'log loss':>9} {'Brier':>8} {'accuracy':>9} {'fit s':>7}")
    for name, params, sample_weight in cases:
        t0 = time.perf_counter()
        with warnings.catch_warnings():  # the reference: deprecated from scikit-learn 1.9 on
            warnings.filterwarnings("ignore", "The `probability` parameter", FutureWarning)
            theirs = SVC(**params, probability=True, random_state=0).fit(X[train], y[train], sample_weight=sample_weight)
        t_theirs = time.perf_counter() - t0
        t0 = time.perf_counter()
        ours = PlattSVC(**params, random_state=0).fit(X[train], y[train], sample_weight=sample_weight)
        t_ours = time.perf_counter() - t0
        theirs_model = LibsvmModel(read_svm_spec(svc_spec(theirs)))
        p_theirs = theirs_model.probabilities(theirs_model.decision(X[test]))  # coupled by the same code as ours
        p_ours = ours.predict_proba(X[test])
        s_theirs, s_ours = scores(p_theirs, y[test]), scores(p_ours, y[test])
        print(f"{name:8} {'sklearn':8} {s_theirs[0]:9.4f} {s_theirs[1]:8.4f} {s_theirs[2]:9.4f} {t_theirs:7.2f}")
        print(f"{name:8} {'ours':8} {s_ours[0]:9.4f} {s_ours[1]:8.4f} {s_ours[2]:9.4f} {t_ours:7.2f}")
        ratio = [o / t for o, t in zip(s_ours, s_theirs, strict=True)]
        print(f"{name:8} {'ratio':8} {ratio[0]:9.3f} {ratio[1]:8.3f} {ratio[2]:9.3f} {t_ours / t_theirs:7.2f}")
        diff = np.abs(p_ours - p_theirs)
        print(f"{name:8} |p ours - p sklearn| max {diff.max():.4f} mean {diff.mean():.5f}, "
              f"argmax agreement {np.mean(p_ours.argmax(1) == p_theirs.argmax(1)):.4f}")


if __name__ == "__main__":
    main()
