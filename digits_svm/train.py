"""The estimator, its presets, `train`, and the search that chose the ``"best"`` preset.

By default `train` reproduces scikit-learn's "Recognizing hand-written digits" example:
``SVC(gamma=0.001)`` fitted on the first half of ``load_digits`` (file order, no
shuffle) and evaluated on the second half, where it gets 871 of 899 right.

``train(preset="best")`` uses the hyperparameters `search_best` chose by
cross-validation on the training half only (see docs/model.md and
benchmarks/bench_presets.py); they are frozen in `PRESETS`, so training takes seconds.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix
from sklearn.svm import SVC

from .augment import augment as augment_grids
from .augment import check_augmentation, renorm_grids
from .data import Samples, Split, canonical_split, load_samples, skipped_records
from .errors import DigitsSVMError
from .nondigits import NOT_A_DIGIT
from .persist import library_versions

__all__ = [
    "PRESETS",
    "TrainResult",
    "Candidate",
    "SearchResult",
    "make_estimator",
    "predict_digits",
    "synthesized_training_digits",
    "train",
    "search_best",
]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

#: The digits the ``"app"`` preset's synthesized handwriting shows, in turn: 2 to 8 twice
#: as often as 0, 1 and 9, whose shapes vary least between writers.
APP_DIGITS = (0, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9)

#: Named training settings: ``SVC`` parameters, plus ``augment`` (a key of
#: ``digits_svm.augment.AUGMENTATIONS``, default "none"), ``probability`` (default
#: False), ``synthesized`` (how many synthesized handwritten digits join the training
#: half, default 0), ``synthesized_digits`` (which digits they show, in turn; see
#: `digits_svm.handwriting.synthesize`) and ``nondigits`` (how many synthesized
#: drawings that are not digits join it as the class `digits_svm.nondigits.NOT_A_DIGIT`,
#: default 0). ``"example"`` is the scikit-learn example,
#: exactly. ``"best"`` is what `search_best` chose by cross-validation on the training
#: half (docs/model.md): the best on scans. ``"app"`` is the one to ship in an app: it
#: also learns from synthesized handwriting, and reads real people's digits far better
#: (docs/handwriting.md; ``benchmarks/bench_app_preset.py`` chose its settings), and
#: answers "not a digit" to letters, shapes and scribbles (docs/model.md).
PRESETS: dict[str, dict[str, Any]] = {
    "example": {"kernel": "rbf", "C": 1.0, "gamma": 0.001},
    "best": {"kernel": "rbf", "C": 3.0, "gamma": 0.001, "augment": "hshift", "probability": True},
    "app": {"kernel": "rbf", "C": 3.0, "gamma": 0.001, "augment": "hshift1", "probability": True,
            "synthesized": 2400, "synthesized_digits": APP_DIGITS, "nondigits": 600},
}

#: Keys of a preset that are not ``SVC`` parameters.
_TRAINING_KEYS = ("augment", "probability", "synthesized", "synthesized_digits", "nondigits")

_KERNELS = ("rbf", "linear", "poly", "sigmoid")


@dataclass
class TrainResult:
    """What `train` returns: the model to ship and how well it did.

    Attributes
    ----------
    model : sklearn.svm.SVC
        The fitted estimator to save and convert (refit on all data if ``refit_on_all``).
    accuracy : float
        Accuracy on the held-out part, measured with the model fitted on the training part.
        With ``probability=True`` the digit is the most probable class, as the
        ``.mlmodel`` answers (`predict_digits`).
    n_correct, n_test : int
        Correct predictions and size of the held-out part.
    report : dict
        Per-class precision, recall, f1 and support (``classification_report``).
    report_text : str
        The same report as text.
    confusion : numpy.ndarray
        Confusion matrix, rows true digits 0-9, columns answers 0-9: 10x10, and 10x11
        for a model with the class `digits_svm.nondigits.NOT_A_DIGIT`, whose last
        column counts the digits answered "not a digit".
    params : dict
        Estimator parameters.
    preset : str
        Name of the preset used.
    versions : dict
        Library versions at training time.
    split : str
        How the data were split.
    refit_on_all : bool
        Whether ``model`` was refit on all digits after evaluation.
    n_train : int
        Number of samples (digits and extra samples, before augmentation; synthesized
        digits not included) the shipped ``model`` was fitted on.
    n_extra : int
        Number of the user's own samples added to the training data.
    n_synthesized : int
        Number of synthesized handwritten digits (`digits_svm.handwriting`, seed
        `digits_svm.handwriting.TRAINING_SEED`) added to the training data.
    n_nondigits : int
        Number of synthesized non-digits (`digits_svm.nondigits`, the same seed) added
        as the class `digits_svm.nondigits.NOT_A_DIGIT`.
    augment : str
        Augmentation of the training grids (a key of ``digits_svm.augment.AUGMENTATIONS``).
    n_fitted : int
        Rows the shipped ``model`` was fitted on, shifted copies included.
    extra_skipped : list of (pathlib.Path, str)
        Extra sample files that were skipped, with the reason.
    extra_method : str or None
        Preprocessing method used for the extra samples (None if there were none).
    X_test, y_test, y_pred : numpy.ndarray
        The held-out grids (n, 64), labels and predictions, for plots.

    Examples
    --------
    >>> result = train()
    >>> result.n_correct, result.n_test, result.params["gamma"]
    (871, 899, 0.001)
    """

    model: SVC
    accuracy: float
    n_correct: int
    n_test: int
    report: dict
    report_text: str
    confusion: np.ndarray
    params: dict
    preset: str
    versions: dict
    split: str
    refit_on_all: bool
    n_train: int
    n_extra: int = 0
    n_synthesized: int = 0
    n_nondigits: int = 0
    augment: str = "none"
    n_fitted: int = 0
    extra_skipped: list = field(default_factory=list)
    extra_method: str | None = None
    X_test: np.ndarray | None = field(default=None, repr=False)
    y_test: np.ndarray | None = field(default=None, repr=False)
    y_pred: np.ndarray | None = field(default=None, repr=False)

    @property
    def evaluated_on(self) -> str:
        """Which data the reported accuracy was measured on."""
        return f"held-out part of {self.split}; the evaluated model never saw it"

    @property
    def saved_model(self) -> str:
        """Which model is shipped."""
        if self.refit_on_all:
            return f"refit on all {self.n_train} samples after evaluation (the accuracy above is the evaluated model's)"
        return f"the evaluated model, fitted on {self.n_train} training samples"

    @property
    def n_support_vectors(self) -> int:
        """Support vectors of the shipped model (the ``.mlmodel`` grows ~592 bytes each)."""
        return int(self.model.n_support_.sum())

    def summary(self) -> str:
        """One line for logs and the CLI.

        Examples
        --------
        >>> train().summary()
        'held-out accuracy 0.96885 (871/899), 519 support vectors, preset example'
        """
        rejected = 0 if self.y_pred is None else int((self.y_pred == NOT_A_DIGIT).sum())
        return (
            f"held-out accuracy {self.accuracy:.5f} ({self.n_correct}/{self.n_test}"
            + (f"; {rejected} answered 'not a digit'" if rejected else "")
            + f"), {self.n_support_vectors:,} support vectors, preset {self.preset}"
        )

    def metrics(self) -> dict:
        """A JSON-serialisable record of the run, written as ``metrics.json``."""
        return {
            "accuracy": self.accuracy,
            "n_correct": self.n_correct,
            "n_test": self.n_test,
            "evaluated_on": self.evaluated_on,
            "saved_model": self.saved_model,
            "refit_on_all": self.refit_on_all,
            "n_train_saved_model": self.n_train,
            "n_fitted_saved_model": self.n_fitted,
            "augment": self.augment,
            "n_extra_samples": self.n_extra,
            "n_synthesized": self.n_synthesized,
            "n_nondigits": self.n_nondigits,
            "extra_samples_method": self.extra_method,
            "extra_samples_skipped": skipped_records(self.extra_skipped),
            "preset": self.preset,
            "params": self.params,
            "n_support_vectors": self.n_support_vectors,
            "split": self.split,
            "report": self.report,
            "confusion": self.confusion.tolist(),
            "versions": self.versions,
        }


def _preset(preset: str) -> dict[str, Any]:
    if preset not in PRESETS:
        raise DigitsSVMError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    return dict(PRESETS[preset])


def make_estimator(
    *,
    preset: str = "example",
    C: float | None = None,
    gamma: float | str | None = None,
    kernel: str | None = None,
    degree: int | None = None,
    coef0: float | None = None,
    probability: bool | None = None,
    random_state: int = 0,
) -> SVC:
    """Build an unfitted ``SVC`` from a preset, with explicit parameters overriding it.

    Parameters
    ----------
    preset : str, default "example"
        A key of `PRESETS` (its ``augment`` entry is applied by `train`, not here).
    C, gamma, kernel, degree, coef0 : optional
        Override the preset's value.
    probability : bool, optional
        Fit Platt scaling so the model (and the ``.mlmodel``) gives class probabilities.
        Default: the preset's (True for "best", else False).
    random_state : int, default 0
        Seed for the probability calibration, so training is deterministic.

    Returns
    -------
    sklearn.svm.SVC

    Examples
    --------
    >>> make_estimator()
    SVC(gamma=0.001, random_state=0)
    >>> make_estimator(preset="best")
    SVC(C=3.0, gamma=0.001, probability=True, random_state=0)
    """
    params = _preset(preset)
    preset_probability = params.get("probability", False)
    for key in _TRAINING_KEYS:
        params.pop(key, None)
    for name, value in (("C", C), ("gamma", gamma), ("kernel", kernel), ("degree", degree), ("coef0", coef0)):
        if value is not None:
            params[name] = value
    if params.get("kernel", "rbf") not in _KERNELS:
        raise DigitsSVMError(f"unknown kernel {params['kernel']!r}; choose one of {', '.join(_KERNELS)}")
    if "C" in params and not float(params["C"]) > 0:
        raise DigitsSVMError(f"C must be positive, got {params['C']!r}")
    gamma_value = params.get("gamma", "scale")
    if not isinstance(gamma_value, str) and not float(gamma_value) > 0:
        raise DigitsSVMError(f"gamma must be positive (or 'scale'/'auto'), got {gamma_value!r}")
    probability = preset_probability if probability is None else probability
    return SVC(probability=bool(probability), random_state=random_state, **params)


def predict_digits(model: SVC, X: np.ndarray) -> np.ndarray:
    """The digits a fitted SVC's ``.mlmodel`` answers for grids ``X`` (n, 64).

    A model with probabilities answers the most probable class (libsvm and Core ML both
    take the label from the probabilities when they exist), which can differ from
    ``model.predict`` (pairwise votes) on a few borderline grids; without
    probabilities it is ``model.predict``.

    Examples
    --------
    >>> from digits_svm.data import canonical_split
    >>> s = canonical_split()
    >>> r = train()
    >>> bool((predict_digits(r.model, s.X_test) == r.model.predict(s.X_test)).all())
    True
    """
    if getattr(model, "probability", False):
        return model.classes_[np.argmax(model.predict_proba(X), axis=1)]
    return model.predict(X)


def _fit(estimator: SVC, X: np.ndarray, y: np.ndarray, augment: str,
         synthesized: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[SVC, int]:
    """Fit on ``X, y`` with their augmented copies (and the synthesized digits, not augmented);
    return the model and the rows fitted."""
    data = augment_grids(X, y, augment)
    X_fit, y_fit = data.X, data.y
    if synthesized is not None and len(synthesized[1]):
        X_fit, y_fit = np.concatenate([X_fit, synthesized[0]]), np.concatenate([y_fit, synthesized[1]])
    return estimator.fit(X_fit, y_fit), len(y_fit)


def synthesized_training_digits(preset: str = "app", n: int | None = None, *, method: str | None = None,
                                n_jobs: int | None = -1) -> tuple[np.ndarray, np.ndarray]:
    """The synthesized handwritten digits a preset trains on (``n`` overrides its count).

    Always seed `digits_svm.handwriting.TRAINING_SEED`, so training is deterministic and
    never sees the seeds or templates the benchmarks evaluate on.

    Examples
    --------
    >>> X, y = synthesized_training_digits("app", 17, n_jobs=1)
    >>> X.shape, y.tolist()
    ((17, 64), [0, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9])
    """
    from .handwriting import TRAINING_SEED, synthesize

    params = _preset(preset)
    n = int(params.get("synthesized", 0) if n is None else n)
    if n < 0:
        raise DigitsSVMError(f"synthesized must be 0 or more digits, got {n}")
    digits = params.get("synthesized_digits", tuple(range(10)))
    return synthesize(n, seed=TRAINING_SEED, method=method, digits=digits, n_jobs=n_jobs)


def _training_drawings(preset: str, synthesized: int | None, nondigits: int | None,
                       method: str | None) -> tuple[tuple[np.ndarray, np.ndarray] | None, int, int]:
    """The synthesized digits and non-digits a training run adds (None if neither), and their counts."""
    from .handwriting import TRAINING_SEED
    from .nondigits import synthesize_nondigits

    params = _preset(preset)
    n_nondigits = int(params.get("nondigits", 0) if nondigits is None else nondigits)
    if n_nondigits < 0:
        raise DigitsSVMError(f"nondigits must be 0 or more drawings, got {n_nondigits}")
    parts = []
    n_synthesized = params.get("synthesized", 0) if synthesized is None else synthesized
    if n_synthesized:
        parts.append(synthesized_training_digits(preset, n_synthesized, method=method))
        log.info("adding %d synthesized handwritten digits", len(parts[-1][1]))
    if n_nondigits:
        parts.append(synthesize_nondigits(n_nondigits, seed=TRAINING_SEED, method=method, n_jobs=-1))
        log.info("adding %d synthesized non-digits (class %d)", n_nondigits, NOT_A_DIGIT)
    if not parts:
        return None, 0, 0
    X, y = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    return (X, y), int((y != NOT_A_DIGIT).sum()), n_nondigits


def train(
    *,
    preset: str = "example",
    C: float | None = None,
    gamma: float | str | None = None,
    kernel: str | None = None,
    degree: int | None = None,
    coef0: float | None = None,
    probability: bool | None = None,
    augment: str | None = None,
    synthesized: int | None = None,
    nondigits: int | None = None,
    extra: str | os.PathLike | Samples | None = None,
    method: str | None = None,
    test_fraction: float = 0.5,
    shuffle: bool = False,
    random_state: int = 0,
    refit_on_all: bool = False,
) -> TrainResult:
    """Train and evaluate an SVC on ``load_digits``.

    With no arguments this is scikit-learn's digits example: ``SVC(gamma=0.001)`` on the
    first 898 digits, 871 of the other 899 correct.

    Parameters
    ----------
    preset : str, default "example"
        Named settings from `PRESETS`; explicit arguments override them. "best" is the
        tuned model: hyperparameters chosen by cross-validation on the training half,
        shifted training copies, and probabilities.
    C, gamma, kernel, degree, coef0 : optional
        ``SVC`` parameters.
    probability : bool, optional
        Also learn class probabilities (the ``.mlmodel`` then has ``classProbability``,
        and `digits_svm.predict_with_confidence` can say "not a digit"). Default: the
        preset's (True for "best").
    augment : str, optional
        Add shifted, turned or redrawn copies of the training grids (a key of
        `digits_svm.augment.AUGMENTATIONS`: ``"none"``, ``"hshift"``, ``"shift4"``,
        ``"halfshift"``, ``"rotate"``, ``"renorm"``, their ``"hshift+..."``
        combinations, ``"hshift1"``); default: the preset's. Held-out digits are never augmented.
    synthesized : int, optional
        How many synthesized handwritten digits (`digits_svm.handwriting`) to add to the
        training part; default: the preset's (2,400 for "app", else 0). They are drawn
        as strokes, rendered and preprocessed with ``method``, as the app would.
    nondigits : int, optional
        How many synthesized drawings that are not digits (`digits_svm.nondigits`) to
        add as the class `digits_svm.nondigits.NOT_A_DIGIT` (-1), so the model can answer
        "not a digit"; default: the preset's (600 for "app", else 0).
    extra : str, PathLike or Samples, optional
        A folder of your own labelled drawings (``<folder>/<digit>/<name>.png`` or
        ``.json``, see `digits_svm.load_samples`), added to the training part only.
    method : str, optional
        Preprocessing method for ``extra`` samples and synthesized digits; default
        ``digits_svm.preprocess.DEFAULT_METHOD``. Use the one your app runs.
    test_fraction : float, default 0.5
        Fraction of ``load_digits`` held out for evaluation.
    shuffle : bool, default False
        Shuffle (stratified, seeded by ``random_state``) before splitting.
    random_state : int, default 0
        Seed for shuffling and probability calibration.
    refit_on_all : bool, default False
        After evaluation, refit the same estimator on all 1,797 digits (and the extra
        samples) and return that model (the reported accuracy stays the evaluated model's).

    Returns
    -------
    TrainResult

    Raises
    ------
    SamplesError
        ``extra`` is missing or holds no usable sample.

    Examples
    --------
    >>> result = train()
    >>> result.n_correct, result.n_test
    (871, 899)
    """
    split: Split = canonical_split(test_fraction, shuffle=shuffle, random_state=random_state)
    estimator_args: dict[str, Any] = dict(
        preset=preset, C=C, gamma=gamma, kernel=kernel, degree=degree, coef0=coef0,
        probability=probability, random_state=random_state,
    )
    model = make_estimator(**estimator_args)
    augment = check_augmentation(_preset(preset).get("augment", "none") if augment is None else augment)
    samples = None
    if extra is not None:
        samples = extra if isinstance(extra, Samples) else load_samples(extra, method=method)
        log.info("adding %d extra samples (%d skipped)", len(samples), len(samples.skipped))
    synth, n_synthesized, n_nondigits = _training_drawings(preset, synthesized, nondigits, method)
    X_train, y_train = split.X_train, split.y_train
    if samples is not None:
        X_train = np.concatenate([X_train, samples.X])
        y_train = np.concatenate([y_train, samples.y])
    log.info("fitting %s on %d digits (augment=%s)", model, len(y_train), augment)
    model, n_fitted = _fit(model, X_train, y_train, augment, synth)
    y_pred = predict_digits(model, split.X_test)
    n_correct = int((y_pred == split.y_test).sum())
    labels = np.arange(10)
    report = classification_report(split.y_test, y_pred, labels=labels, output_dict=True, zero_division=0)
    report_text = classification_report(split.y_test, y_pred, labels=labels, digits=3, zero_division=0)
    # rows: the digits; columns: the answers, "not a digit" last when the model has that class
    answers = [*labels, NOT_A_DIGIT] if NOT_A_DIGIT in model.classes_ else labels
    confusion = confusion_matrix(split.y_test, y_pred, labels=answers)[: len(labels)]
    n_train = len(y_train)
    if refit_on_all:
        X_all = np.concatenate([X_train, split.X_test])
        y_all = np.concatenate([y_train, split.y_test])
        model, n_fitted = _fit(make_estimator(**estimator_args), X_all, y_all, augment, synth)
        n_train = len(y_all)
    kept = ("C", "gamma", "kernel", "degree", "coef0", "probability", "random_state")
    params = {k: v for k, v in model.get_params().items() if k in kept}
    return TrainResult(
        model=model,
        accuracy=n_correct / len(split.y_test),
        n_correct=n_correct,
        n_test=len(split.y_test),
        report=report,
        report_text=report_text,
        confusion=confusion,
        params=params,
        preset=preset,
        versions=library_versions(),
        split=split.describe(),
        refit_on_all=bool(refit_on_all),
        n_train=n_train,
        n_extra=0 if samples is None else len(samples),
        n_synthesized=n_synthesized,
        n_nondigits=n_nondigits,
        augment=augment,
        n_fitted=n_fitted,
        extra_skipped=[] if samples is None else list(samples.skipped),
        extra_method=None if samples is None else samples.method,
        X_test=split.X_test,
        y_test=split.y_test,
        y_pred=y_pred,
    )


# --------------------------------------------------------------------------------------
# The search that chose the "best" preset


#: The grid `search_best` explores by default (a log-spaced grid around the example's
#: gamma=0.001, C=1, with each augmentation).
SEARCH_AUGMENTATIONS = ("none", "hshift", "shift4", "renorm", "hshift+renorm")
SEARCH_C = (1.0, 3.0, 10.0)
SEARCH_GAMMA = (0.0005, 0.0007, 0.001, 0.0014, 0.002)
#: The ``.mlmodel`` size budget of a shipped model, in bytes.
MAX_MLMODEL_BYTES = 1_000_000
#: Validation digits (of 898) by which a candidate may trail the top cross-validated
#: count and still compete on drawn digits: differences this small are noise (two
#: models of the top group disagree on 15-25 validation digits, so the standard error
#: of their difference is about 4).
CV_TOLERANCE = 3
#: Seed and ranges of the drawn versions of the validation digits `search_best` scores
#: (`digits_svm.augment.renorm_grids`): another seed than the training copies'
#: (`digits_svm.augment.RENORM_SEED`) and wider ranges, like benchmarks/bench_handwriting.py's.
DRAWN_SEED = 1
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
    model, _ = _fit(SVC(probability=probability, random_state=random_state, **params), X[train_index], y[train_index], augment)
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
    from .coreml import _build_spec, spec_bytes

    model, _ = _fit(SVC(probability=probability, random_state=random_state, **params), X, y, augment)
    return model, len(spec_bytes(_build_spec(model, preprocessing=None, metadata=None)))


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
        Called with one line per finished candidate (the library never prints).
    random_state : int, default 0
        Seed of the probability calibration.

    Returns
    -------
    SearchResult
        ``.candidates`` best first; ``.best`` is the choice. `PRESETS` ``"best"`` holds
        the choice of the default grid (``benchmarks/bench_presets.py`` reproduces it).

    Examples
    --------
    >>> r = search_best(augmentations=("none",), C=(1.0,), gamma=(0.001,), probability=False, n_jobs=1)
    >>> r.best.cv_total, r.best.n_support_vectors
    (898, 519)
    """
    from joblib import Parallel, delayed
    from sklearn.model_selection import KFold

    for name in augmentations:
        check_augmentation(name)
    progress = progress or (lambda message: None)
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
        progress(
            f"[{i + 1}/{len(grid)}] augment={a} C={c:g} gamma={g:g}: cv accuracy {candidate.cv_accuracy:.4f}, "
            f"drawn {candidate.cv_drawn_correct / len(y):.4f}, "
            f"{candidate.n_support_vectors} support vectors, {size:,} bytes"
        )
    top = max((cand.cv_correct for cand in candidates if cand.within_budget), default=0)
    for cand in candidates:
        cand.near_top = cand.cv_correct >= top - cv_tolerance
    candidates.sort(key=Candidate._rank)
    return SearchResult(candidates, n_splits, bool(probability), int(max_bytes), int(cv_tolerance))
