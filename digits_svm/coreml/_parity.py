"""The parity proof: a ``.mlmodel``, run by `digits_svm.coreml.CoreMLRuntime`, against its scikit-learn estimator.

`verify` runs both on all 1,797 ``load_digits`` digits and thousands of random grids
(`parity_grids`) and says, in a `ParityReport`, whether labels agree everywhere and
decision values and probabilities within `DECISION_TOLERANCE` and
`PROBABILITY_TOLERANCE`. scikit-learn is an independent implementation that never sees
the file, so agreement proves that the file the app ships is the model in the pickle.
For a `digits_svm.model.PlattSVC` the decision values are scikit-learn's and the
probabilities come from them through `digits_svm.model._calibration.platt_probabilities`, the
code the runtime runs too, so there the proof covers the decision values and the Platt
parameters the file carries; that code is checked against scikit-learn's own libsvm
coupling in ``tests/model/test_calibration.py``. See ``docs/runtime.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_count
from ..datasets._training_data import load_digits_grids
from ..errors import VerificationError
from ..model._calibration import PlattSVC, libsvm_decisions, platt_probabilities
from ..model._fitted import check_fitted_svc, has_probabilities, platt_parameters
from ..progress import Progress, check_progress, map_chunks
from ._runtime import as_runtime
from ._spec import N_FEATURES

__all__ = ["DECISION_TOLERANCE", "PROBABILITY_TOLERANCE", "ParityReport", "parity_grids", "verify"]

#: Largest allowed difference between runtime and estimator decision values in `verify`.
DECISION_TOLERANCE = 1e-9
#: Largest allowed difference between runtime and estimator probabilities in `verify`.
PROBABILITY_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ParityReport:
    """How closely a ``.mlmodel`` (run by `CoreMLRuntime`) matches its scikit-learn estimator.

    Attributes
    ----------
    n : int
        Number of grids compared (the 1,797 ``load_digits`` digits, then the random grids).
    n_agree : int
        Grids on which both give the same label.
    max_decision_diff : float
        Largest absolute difference between one-vs-one decision values.
    max_proba_diff : float or None
        Largest absolute difference between probabilities; None without probabilities.
    disagreements : tuple of int
        Indices (into the compared grids, digits first) of the first label disagreements,
        at most 20.
    ok : bool
        All labels agree, decision values within `DECISION_TOLERANCE` and probabilities
        within `PROBABILITY_TOLERANCE`.
    n_digits, n_random : int
        How many of the grids were ``load_digits`` digits and how many random.
    label_rule : str
        ``"votes"``, or ``"probabilities"`` when the model has them: Core ML then outputs
        the most probable class, so the estimator's label is taken as the argmax of its
        probabilities, not its ``predict()``.
    n_predict_differs : int or None
        With probabilities: on how many grids the estimator's ``predict()`` (votes) differs
        from the most probable class, i.e. from what Core ML outputs. None otherwise.
    n_predict_differs_digits : int or None
        The same count restricted to the ``load_digits`` digits.
    binary_platt : bool
        Two classes with probabilities: they are compared as Platt's sigmoid of the
        decision value, uncoupled (libsvm >= 3 and Core ML). A `PlattSVC` gives them so;
        for an ``SVC(probability=True)`` they are computed from its ``probA_``/``probB_``,
        because scikit-learn's ``predict_proba`` also runs pairwise coupling, which moves
        them by up to ~1e-4.

    Examples
    --------
    >>> report = verify(mlmodel, svc, n_random=200)
    >>> report.ok, report.n == report.n_agree == 1_997
    (True, True)
    """

    n: int
    n_agree: int
    max_decision_diff: float
    max_proba_diff: float | None
    disagreements: tuple[int, ...]
    ok: bool
    n_digits: int = 0
    n_random: int = 0
    label_rule: str = "votes"
    n_predict_differs: int | None = None
    n_predict_differs_digits: int | None = None
    binary_platt: bool = False

    def summary(self) -> str:
        """One or two lines for people: agreement and the largest differences.

        Examples
        --------
        >>> ParityReport(n=12797, n_agree=12797, max_decision_diff=3.1e-15, max_proba_diff=None,
        ...              disagreements=(), ok=True).summary()
        '12,797 of 12,797 predictions agree; largest decision-value difference 3.1e-15'
        """
        text = f"{self.n_agree:,} of {self.n:,} predictions agree"
        if self.n_digits or self.n_random:
            text += f" ({self.n_digits:,} load_digits digits + {self.n_random:,} random grids)"
        text += f"; largest decision-value difference {self.max_decision_diff:.2g}"
        if self.max_proba_diff is not None:
            text += f", largest probability difference {self.max_proba_diff:.2g}"
        if not self.ok:
            problems = []
            if self.n_agree != self.n:
                shown = ", ".join(map(str, self.disagreements))
                problems.append(f"labels differ on {self.n - self.n_agree:,} grids (first: {shown})")
            if not self.max_decision_diff <= DECISION_TOLERANCE:
                problems.append(f"decision values differ by more than {DECISION_TOLERANCE:g}")
            if self.max_proba_diff is not None and not self.max_proba_diff <= PROBABILITY_TOLERANCE:
                problems.append(f"probabilities differ by more than {PROBABILITY_TOLERANCE:g}")
            text = "MISMATCH: " + text + "\n" + "; ".join(problems) + "; the .mlmodel is not this estimator"
        if self.label_rule == "probabilities":
            text += (
                "\nlabels compared as Core ML outputs them: the most probable class (argmax of predict_proba). "
                "As expected, and not a mismatch: the estimator's predict() (votes) differs from it on "
                f"{self.n_predict_differs:,} grids ({self.n_predict_differs_digits:,} of them digits), "
                "as scikit-learn counts pairwise votes instead"
            )
            if self.binary_platt:
                text += "; two classes: probabilities are Platt's sigmoid without coupling, as Core ML computes them"
        return text

    def check(self) -> ParityReport:
        """Return the report if `ok`, else raise `VerificationError` with the summary.

        Examples
        --------
        >>> ParityReport(n=1, n_agree=1, max_decision_diff=0.0, max_proba_diff=None,
        ...              disagreements=(), ok=True).check().ok
        True
        """
        if not self.ok:
            raise VerificationError(
                self.summary().replace("\n", "; ") + "; convert the pickle again (digits-svm convert) and re-check"
            )
        return self


def parity_grids(n_random: int = 10_000, random_state: int = 0) -> tuple[np.ndarray, int]:
    """The grids `verify` compares on: all ``load_digits`` digits, then random grids.

    Half of the random grids (rounded down) hold integers 0..16, the others reals in [0, 16].

    Parameters
    ----------
    n_random : int, default 10_000
        Number of random grids (a whole number >= 0; `verify` checks it).
    random_state : int, default 0
        Seed for ``numpy.random.default_rng`` (a whole number >= 0; `verify` checks it).

    Returns
    -------
    grids : numpy.ndarray
        float64, shape (1797 + n_random, 64).
    n_digits : int
        Number of leading rows that are ``load_digits`` digits (1797).

    Examples
    --------
    >>> grids, n_digits = parity_grids(10)
    >>> grids.shape, n_digits
    ((1807, 64), 1797)
    """
    digits, _ = load_digits_grids()
    rng = np.random.default_rng(random_state)
    n_int = n_random // 2
    integers = rng.integers(0, 17, size=(n_int, N_FEATURES)).astype(np.float64)
    reals = rng.uniform(0.0, 16.0, size=(n_random - n_int, N_FEATURES))
    return np.vstack([digits, integers, reals]), len(digits)


def _max_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def verify(mlmodel: Any, estimator: Any, *, n_random: int = 10_000, random_state: int = 0,
           progress: Progress | None = None) -> ParityReport:
    """Check that a ``.mlmodel`` computes what its scikit-learn estimator computes.

    The model is run with `CoreMLRuntime` (libsvm's rules on the spec's numbers) and the
    estimator with scikit-learn, on all 1,797 ``load_digits`` digits and ``n_random`` random
    grids (see `parity_grids`). Labels must agree everywhere, one-vs-one decision values
    within `DECISION_TOLERANCE` and probabilities within `PROBABILITY_TOLERANCE`.

    When the model has probabilities, Core ML outputs the most probable class, so the
    estimator's label is the argmax of its ``predict_proba`` (its ``predict()`` counts
    votes and can differ; the report counts how often).

    Parameters
    ----------
    mlmodel : str, PathLike, spec, MLModel or CoreMLRuntime
        The converted model.
    estimator : sklearn.svm.SVC
        The fitted estimator it was converted from (e.g. loaded from the pickle).
    n_random : int, default 10_000
        Number of random grids besides the digits.
    random_state : int, default 0
        Seed for the random grids.
    progress : callable, optional
        Called as ``progress(step, done, total)`` as the grids are run (then in ten
        batches rather than one; `digits_svm.progress.Progress`).

    Returns
    -------
    ParityReport
        Use ``report.ok``, ``report.summary()``, or ``report.check()`` to raise on mismatch.

    Raises
    ------
    InvalidParameterError
        ``n_random`` or ``random_state`` is not a whole number >= 0 (checked before the
        model is read).
    ModelFileError
        The model file is unreadable or not a supported SVM classifier.
    NotAnSVCError
        ``estimator`` is not a fitted SVC on 64 features.
    VerificationError
        The two cannot be compared at all: different classes, or only one of them has
        probabilities.

    Examples
    --------
    >>> report = verify(mlmodel, svc, n_random=200)
    >>> report.ok, report.n, report.n_agree
    (True, 1997, 1997)
    """
    check_count(n_random, "n_random")
    check_count(random_state, "random_state")
    progress = check_progress(progress)
    runtime = as_runtime(mlmodel)
    check_fitted_svc(estimator, source="estimator")
    est_classes = np.asarray(estimator.classes_)
    if est_classes.tolist() != runtime.classes_.tolist():
        raise VerificationError(
            f"{runtime.source} has classes {runtime.classes_.tolist()} but the estimator has "
            f"{est_classes.tolist()}; they are different models, convert the estimator again"
        )
    est_proba = has_probabilities(estimator)
    if est_proba != runtime.has_probabilities:
        which = "the estimator" if est_proba else runtime.source
        raise VerificationError(
            f"only {which} has probabilities (probability=True); they are different models, "
            "convert the estimator again"
        )
    grids, n_digits = parity_grids(n_random, random_state)
    # in one batch, or with progress in ten, each run both ways
    parts = map_chunks(lambda rows: (*runtime._evaluate(grids[rows]), libsvm_decisions(estimator, grids[rows])),
                       len(grids), n_jobs=1, progress=progress, step="verifying the .mlmodel against the estimator")
    labels = np.concatenate([p[0] for p in parts])
    raw, ref_decision = np.vstack([p[1] for p in parts]), np.vstack([p[3] for p in parts])
    probas = [p[2] for p in parts if p[2] is not None]
    proba = np.vstack(probas) if probas else None
    max_decision = _max_abs_diff(raw, ref_decision)

    binary = len(est_classes) == 2
    predict_differs = predict_differs_digits = None
    max_proba = None
    if proba is not None:
        if binary or isinstance(estimator, PlattSVC):
            # A PlattSVC's predict_proba is exactly this, on these decision values (computed
            # once, not again). For two classes Core ML (libsvm >= 3) returns Platt's sigmoid
            # of the decision value, where scikit-learn's bundled libsvm couples even two classes.
            ref_proba = platt_probabilities(ref_decision, *platt_parameters(estimator), len(est_classes))
        else:
            ref_proba = estimator.predict_proba(grids)
        max_proba = _max_abs_diff(proba, ref_proba)
        ref_labels = est_classes[np.argmax(ref_proba, axis=1)]
        differs = estimator.predict(grids) != ref_labels
        predict_differs = int(differs.sum())
        predict_differs_digits = int(differs[:n_digits].sum())
    else:
        ref_labels = estimator.predict(grids)

    agree = labels == ref_labels
    ok = bool(
        agree.all()
        and max_decision <= DECISION_TOLERANCE
        and (max_proba is None or max_proba <= PROBABILITY_TOLERANCE)
    )
    return ParityReport(
        n=len(grids),
        n_agree=int(agree.sum()),
        max_decision_diff=max_decision,
        max_proba_diff=max_proba,
        disagreements=tuple(int(i) for i in np.flatnonzero(~agree)[:20]),
        ok=ok,
        n_digits=n_digits,
        n_random=len(grids) - n_digits,
        label_rule="probabilities" if proba is not None else "votes",
        n_predict_differs=predict_differs,
        n_predict_differs_digits=predict_differs_digits,
        binary_platt=binary and proba is not None,
    )
