"""The search that chose the ``"best"`` preset: cross-validation on the training half, ranked by a stated rule.

docs/decisions.md reports its table; ``benchmarks/bench_presets.py`` reproduces it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import KFold
from sklearn.svm import SVC

from ._validation import MAX_RANDOM_STATE, check_bool, check_choice, check_count, check_n_jobs, check_number, check_sequence
from .coreml._convert import build_spec, spec_bytes
from .datasets._augment import AUGMENTATIONS, renorm_grids
from .datasets._training_data import canonical_split
from .model._presets import make_estimator
from .model._training import fit_with_copies, predict_digits
from .progress import Progress, check_progress

__all__ = ["SEARCH_AUGMENTATIONS", "SEARCH_C", "SEARCH_GAMMA", "MAX_MLMODEL_BYTES", "CV_TOLERANCE", "DRAWN_SEED",
           "DRAWN_RANGES", "Candidate", "SearchResult", "search_best"]

log = logging.getLogger(__name__)

#: The augmentations `search_best` tries by default, each with every `SEARCH_C` and
#: `SEARCH_GAMMA` (a log-spaced grid around the example's gamma=0.001, C=1).
SEARCH_AUGMENTATIONS = ("none", "hshift", "shift4", "renorm", "hshift+renorm")
#: The values of C `search_best` tries by default.
SEARCH_C = (1.0, 3.0, 10.0)
#: The values of gamma `search_best` tries by default.
SEARCH_GAMMA = (0.0005, 0.0007, 0.001, 0.0014, 0.002)
#: The ``.mlmodel`` size budget of a shipped model, in bytes.
MAX_MLMODEL_BYTES = 1_000_000
#: Validation digits (of 898) by which a candidate may trail the top cross-validated
#: count and still compete on drawn digits: differences this small are noise (two
#: models of the top group disagree on 15-25 validation digits, so the standard error
#: of their difference is about 4).
CV_TOLERANCE = 3
#: Seed of the drawn versions of the validation digits `search_best` scores
#: (`digits_svm.datasets._augment.renorm_grids`): another seed than the training copies'
#: (`digits_svm.datasets._augment.RENORM_SEED`).
DRAWN_SEED = 1
#: Ranges of those drawn versions: wider than the training copies', like benchmarks/bench_handwriting.py's.
DRAWN_RANGES = {"height": (40, 301), "aspect": (0.6, 1.4), "slant": (-0.3, 0.3), "thickness": (-2, 5)}


@dataclass
class Candidate:
    """One setting tried by `search_best`, with its cross-validated score and its size.

    Attributes
    ----------
    augment : str
        Augmentation of the training grids.
    C, gamma : float
        ``SVC`` (RBF kernel) parameters.
    cv_correct, cv_total : int
        Validation digits answered correctly over all folds, and how many there were.
    cv_log_loss : float or None
        Mean validation log loss of the probabilities (None without probabilities).
    cv_drawn_correct : int
        Validation digits answered correctly when drawn on a canvas at random size,
        aspect, slant and thickness and preprocessed with ``method="normalized"``, as the
        app hands them over (`DRAWN_SEED`, `DRAWN_RANGES`); same folds, out of ``cv_total``.
    n_support_vectors : int
        Support vectors of the model fitted on the whole training half.
    mlmodel_bytes : int
        Size of that model's ``.mlmodel``, measured by converting it.
    within_budget : bool
        Whether ``mlmodel_bytes`` is within the search's ``max_bytes``.
    near_top : bool
        Whether ``cv_correct`` is within the search's ``cv_tolerance`` of the best
        within-budget candidate's.
    model : sklearn.svm.SVC
        That model (fitted on the training half only, never on held-out digits).
    """

    augment: str
    C: float
    gamma: float
    cv_correct: int
    cv_total: int
    cv_log_loss: float | None
    n_support_vectors: int
    mlmodel_bytes: int
    within_budget: bool
    cv_drawn_correct: int = 0
    near_top: bool = True
    model: SVC = field(repr=False, default=None)

    @property
    def cv_accuracy(self) -> float:
        return self.cv_correct / self.cv_total

    def preset(self, *, probability: bool = True) -> dict[str, Any]:
        """This candidate as a `PRESETS` entry."""
        check_bool(probability, "probability")
        return {"kernel": "rbf", "C": self.C, "gamma": self.gamma, "augment": self.augment, "probability": probability}

    def _rank(self) -> tuple:
        loss = self.cv_log_loss if self.cv_log_loss is not None else 0.0
        return (not self.within_budget, not self.near_top, -self.cv_drawn_correct, -self.cv_correct, loss, self.n_support_vectors)


@dataclass
class SearchResult:
    """What `search_best` returns: every candidate, best first, and the chosen one."""

    candidates: list[Candidate]
    n_splits: int
    probability: bool
    max_bytes: int
    cv_tolerance: int = CV_TOLERANCE

    @property
    def best(self) -> Candidate:
        """The chosen candidate (first in rank order)."""
        return self.candidates[0]

    @property
    def rule(self) -> str:
        """How the candidates are ranked, in words."""
        answer = "most probable class" if self.probability else "pairwise vote"
        loss = ", then lowest validation log loss" if self.probability else ""
        return (
            f"within {self.max_bytes:,} bytes of .mlmodel and within {self.cv_tolerance} of the most validation "
            f"digits right ({answer}, {self.n_splits} contiguous folds of the training half), most drawn "
            f"validation digits right, then most validation digits right{loss}, then fewest support vectors"
        )


def _cv_fold(X: np.ndarray, y: np.ndarray, drawn: np.ndarray, train_index: np.ndarray, val_index: np.ndarray,
             augment: str, params: dict[str, Any], probability: bool,
             random_state: int) -> tuple[int, int, float | None]:
    """Fit on one fold's training digits (and their copies), score its validation digits and their drawn versions."""
    estimator = make_estimator(probability=probability, random_state=random_state, **params)
    model, _ = fit_with_copies(estimator, X[train_index], y[train_index], augment)
    y_val = y[val_index]
    correct = int((predict_digits(model, X[val_index]) == y_val).sum())
    drawn_correct = int((predict_digits(model, drawn[val_index]) == y_val).sum())
    if not probability:
        return correct, drawn_correct, None
    proba = model.predict_proba(X[val_index])
    p_true = proba[np.arange(len(y_val)), np.searchsorted(model.classes_, y_val)]
    return correct, drawn_correct, float(-np.log(np.clip(p_true, 1e-15, 1.0)).sum())


def _fit_and_measure(X: np.ndarray, y: np.ndarray, augment: str, params: dict[str, Any], probability: bool,
                     random_state: int) -> tuple[SVC, int]:
    """Fit on the whole training half; return the model and its ``.mlmodel`` size in bytes."""
    model, _ = fit_with_copies(make_estimator(probability=probability, random_state=random_state, **params), X, y,
                               augment)
    return model, len(spec_bytes(build_spec(model, preprocessing=None, metadata=None)))


def search_best(
    *,
    augmentations: tuple[str, ...] = SEARCH_AUGMENTATIONS,
    C: tuple[float, ...] = SEARCH_C,
    gamma: tuple[float, ...] = SEARCH_GAMMA,
    n_splits: int = 5,
    probability: bool = True,
    max_bytes: int = MAX_MLMODEL_BYTES,
    cv_tolerance: int = CV_TOLERANCE,
    n_jobs: int | None = -1,
    progress: Progress | None = None,
    random_state: int = 0,
) -> SearchResult:
    """Choose hyperparameters and augmentation by cross-validation on the training half.

    Only the canonical training half (the first 898 digits) is used: the held-out half
    stays untouched, so its accuracy remains an honest estimate. The training half is
    cut into ``n_splits`` contiguous folds (file order, as the held-out half follows
    the training half, so a fold's writers are mostly not in the rest); only each
    fold's training part is augmented, so no copy of a validation digit is ever
    fitted. Each fold also scores the drawn versions of its validation digits (redrawn
    at random size, aspect, slant and thickness and preprocessed with
    ``method="normalized"``, as the app would hand them over; `DRAWN_SEED`,
    `DRAWN_RANGES`). Each candidate is also fitted on the whole training half and
    converted, to measure its support vectors and ``.mlmodel`` size. Candidates are
    ranked by `SearchResult.rule`.

    Parameters
    ----------
    augmentations, C, gamma : tuples
        The grid: every combination is a candidate (RBF kernel).
    n_splits : int, default 5
        Number of folds.
    probability : bool, default True
        Score the model as shipped with probabilities (the most probable class is the
        answer; log loss breaks ties). False scores the pairwise vote.
    max_bytes : int, default 1,000,000
        ``.mlmodel`` size budget; larger candidates rank last.
    cv_tolerance : int, default `CV_TOLERANCE`
        Candidates within this many validation digits of the best within-budget
        candidate are ranked by their drawn validation digits first.
    n_jobs : int, default -1
        Parallel jobs (joblib); -1 uses every core.
    progress : callable, optional
        Called as ``progress("trying candidates", done, total)`` as candidates finish
        (`digits_svm.progress.Progress`; the library never prints). Each candidate's
        figures also go to the ``digits_svm.search`` logger, at level INFO.
    random_state : int, default 0
        Seed of the probability calibration.

    Returns
    -------
    SearchResult
        ``.candidates`` best first; ``.best`` is the choice. `PRESETS` ``"best"`` holds
        the choice of the default grid (``benchmarks/bench_presets.py`` reproduces it).

    Raises
    ------
    InvalidParameterError
        An argument out of range (an empty grid, an unknown augmentation, ``n_splits`` < 2,
        ...), refused before any digit is drawn or fitted.

    Examples
    --------
    >>> r = search_best(augmentations=("none",), C=(1.0,), gamma=(0.001,), probability=False, n_jobs=1)
    >>> r.best.cv_total, r.best.n_support_vectors
    (898, 519)
    """
    augmentations = check_sequence(augmentations, "augmentations", check_choice, tuple(AUGMENTATIONS))
    C = check_sequence(C, "C", check_number, low=0, low_open=True)
    gamma = check_sequence(gamma, "gamma", check_number, low=0, low_open=True)
    check_count(n_splits, "n_splits", low=2, high=898)  # KFold's folds of the 898 training digits
    check_bool(probability, "probability")
    check_count(max_bytes, "max_bytes")
    check_count(cv_tolerance, "cv_tolerance")
    check_n_jobs(n_jobs)
    progress = check_progress(progress)
    check_count(random_state, "random_state", high=MAX_RANDOM_STATE)
    split = canonical_split()
    X, y = split.X_train, split.y_train
    drawn = renorm_grids(X, seed=DRAWN_SEED, ranges=DRAWN_RANGES)
    folds = list(KFold(n_splits).split(X))
    grid = [(a, float(c), float(g)) for a in augmentations for c in C for g in gamma]
    tasks: list[Any] = []
    for a, c, g in grid:
        params = {"kernel": "rbf", "C": c, "gamma": g}
        tasks.extend(delayed(_cv_fold)(X, y, drawn, tr, va, a, params, probability, random_state) for tr, va in folds)
        tasks.append(delayed(_fit_and_measure)(X, y, a, params, probability, random_state))
    results = Parallel(n_jobs=n_jobs, return_as="generator")(tasks)
    candidates = []
    for i, (a, c, g) in enumerate(grid):
        fold_scores = [next(results) for _ in folds]
        model, size = next(results)
        losses = [loss for _, _, loss in fold_scores]
        candidate = Candidate(
            augment=a, C=c, gamma=g,
            cv_correct=sum(correct for correct, _, _ in fold_scores),
            cv_drawn_correct=sum(drawn_correct for _, drawn_correct, _ in fold_scores),
            cv_total=len(y),
            cv_log_loss=None if not probability else sum(losses) / len(y),
            n_support_vectors=int(model.n_support_.sum()),
            mlmodel_bytes=size,
            within_budget=size <= max_bytes,
            model=model,
        )
        candidates.append(candidate)
        log.info("[%d/%d] augment=%s C=%g gamma=%g: cv accuracy %.4f, drawn %.4f, %d support vectors, %s bytes",
                 i + 1, len(grid), a, c, g, candidate.cv_accuracy, candidate.cv_drawn_correct / len(y),
                 candidate.n_support_vectors, f"{size:,}")
        progress("trying candidates", i + 1, len(grid))
    top = max((cand.cv_correct for cand in candidates if cand.within_budget), default=0)
    for cand in candidates:
        cand.near_top = cand.cv_correct >= top - cv_tolerance
    candidates.sort(key=Candidate._rank)
    return SearchResult(candidates, n_splits, bool(probability), int(max_bytes), int(cv_tolerance))
