"""Training: fit an SVC on ``load_digits``' training half (copies, other writers, synthesized and extra drawings); evaluate it.

By default `train` reproduces scikit-learn's "Recognizing hand-written digits" example:
``SVC(gamma=0.001)`` fitted on the first half of ``load_digits`` (file order, no
shuffle) and evaluated on the second half, where it gets 871 of 899 right.

``train(preset="best")`` uses the hyperparameters `digits_svm.search.search_best` chose
by cross-validation on the training half only (see docs/decisions.md and
benchmarks/bench_presets.py); they are frozen in `digits_svm.model.PRESETS`, so
training takes seconds."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from joblib import parallel_config
from sklearn.metrics import classification_report, confusion_matrix
from sklearn.svm import SVC

from .._validation import check_bool, check_count, check_instance, check_number
from .._version import library_versions
from ..datasets._augment import augment_grids, check_augmentation
from ..datasets._handwriting import TRAINING_SEED, synthesize
from ..datasets._nondigits import synthesize_nondigits
from ..datasets._training_data import (
    NOT_A_DIGIT,
    Samples,
    Split,
    canonical_split,
    load_other_writers,
    load_samples,
    skipped_records,
)
from ..drawing._preprocessing import check_method
from ..progress import Progress, check_progress
from ._calibration import reporting_calibration
from ._fitted import has_probabilities
from ._presets import drawing_counts, make_estimator, preset_settings

__all__ = ["TrainResult", "train", "predict_digits", "fit_with_copies", "synthesized_training_digits"]

log = logging.getLogger(__name__)


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
        for a model with the class `digits_svm.datasets.NOT_A_DIGIT`, whose last
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
        Number of synthesized handwritten digits (`digits_svm.datasets.synthesize`, with
        the fixed training seed) added to the training data.
    n_nondigits : int
        Number of synthesized non-digits (`digits_svm.datasets.synthesize_nondigits`, the
        same seed) added as the class `digits_svm.datasets.NOT_A_DIGIT`.
    n_other_writers : int
        Number of digits of optdigits' other writers
        (`digits_svm.datasets.load_other_writers`) added to the training data (not augmented).
    augment : str
        Augmentation of the training grids (a key of ``digits_svm.datasets.AUGMENTATIONS``).
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
    n_other_writers: int = 0
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
    def fitted_rows(self) -> str:
        """What the shipped model was fitted on, part by part.

        Examples
        --------
        >>> train().fitted_rows
        '898 scans'
        """
        n_extra = self.n_extra
        n_copies = self.n_fitted - self.n_train - self.n_other_writers - self.n_synthesized - self.n_nondigits
        parts = [(self.n_train - n_extra, "scans"), (n_extra, "of your samples"), (n_copies, f"copies ({self.augment})"),
                 (self.n_other_writers, "digits of optdigits' other writers"),
                 (self.n_synthesized, "synthesized digits"), (self.n_nondigits, "synthesized non-digits")]
        named = [f"{n:,} {what}" for n, what in parts if n]
        if len(named) == 1:
            return named[0]
        return f"{self.n_fitted:,} rows: " + ", ".join(named[:-1]) + " and " + named[-1]

    @property
    def saved_model(self) -> str:
        """Which model is shipped."""
        if self.refit_on_all:
            return f"refit on all {self.fitted_rows} after evaluation (the accuracy above is the evaluated model's)"
        return f"the evaluated model, fitted on {self.fitted_rows}"

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
            "n_other_writers": self.n_other_writers,
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


def predict_digits(model: SVC, X: np.ndarray) -> np.ndarray:
    """The digits a fitted SVC's ``.mlmodel`` answers for grids ``X`` (n, 64).

    A model with probabilities answers the most probable class (libsvm and Core ML both
    take the label from the probabilities when they exist), which can differ from
    ``model.predict`` (pairwise votes) on a few borderline grids; without
    probabilities it is ``model.predict``.

    Examples
    --------
    >>> from digits_svm.datasets import canonical_split
    >>> s = canonical_split()
    >>> r = train()
    >>> bool((predict_digits(r.model, s.X_test) == r.model.predict(s.X_test)).all())
    True
    """
    if has_probabilities(model):
        return model.classes_[np.argmax(model.predict_proba(X), axis=1)]
    return model.predict(X)


def fit_with_copies(estimator: SVC, X: np.ndarray, y: np.ndarray, augment: str,
         synthesized: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[SVC, int]:
    """Fit on ``X, y`` with their augmented copies (and ``synthesized``: other writers' and
    synthesized digits, not augmented); return the model and the rows fitted."""
    data = augment_grids(X, y, augment)
    X_fit, y_fit = data.X, data.y
    if synthesized is not None and len(synthesized[1]):
        X_fit, y_fit = np.concatenate([X_fit, synthesized[0]]), np.concatenate([y_fit, synthesized[1]])
    return estimator.fit(X_fit, y_fit), len(y_fit)


def synthesized_training_digits(preset: str = "app", n: int | None = None, *, method: str | None = None,
                                n_jobs: int | None = -1, progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The synthesized handwritten digits a preset trains on (``n`` overrides its count).

    Always seed `digits_svm.datasets._handwriting.TRAINING_SEED`, so training is deterministic and
    never sees the seeds or templates the benchmarks evaluate on. ``preset`` and ``n`` are
    taken as given (`train` checks them); ``method``, ``n_jobs`` and ``progress`` are as in
    `digits_svm.datasets.synthesize` (which checks them before drawing anything).

    Examples
    --------
    >>> X, y = synthesized_training_digits("app", 17, n_jobs=1)
    >>> X.shape, y.tolist()
    ((17, 64), [0, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9])
    """
    n = drawing_counts(preset, synthesized=n)[0]
    digits = preset_settings(preset).get("synthesized_digits", tuple(range(10)))
    return synthesize(n, seed=TRAINING_SEED, method=method, digits=digits, n_jobs=n_jobs, progress=progress)


def _training_drawings(preset: str, synthesized: int | None, nondigits: int | None, method: str | None,
                       progress: Progress) -> tuple[tuple[np.ndarray, np.ndarray] | None, int, int]:
    """The synthesized digits and non-digits a training run adds (None if neither), and their counts."""
    n_synthesized, n_nondigits = drawing_counts(preset, synthesized, nondigits)
    parts = []
    if n_synthesized:
        parts.append(synthesized_training_digits(preset, n_synthesized, method=method, progress=progress))
        log.info("adding %d synthesized handwritten digits", len(parts[-1][1]))
    if n_nondigits:
        parts.append(synthesize_nondigits(n_nondigits, seed=TRAINING_SEED, method=method, n_jobs=-1, progress=progress))
        log.info("adding %d synthesized non-digits (class %d)", n_nondigits, NOT_A_DIGIT)
    if not parts:
        return None, 0, 0
    X, y = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    return (X, y), int((y != NOT_A_DIGIT).sum()), n_nondigits


def _unaugmented_rows(preset: str, other_writers: bool | None, synthesized: int | None, nondigits: int | None,
                      method: str | None, progress: Progress) -> tuple[tuple[np.ndarray, np.ndarray] | None, int, int, int]:
    """The rows a training run adds without copies (other writers' digits, then the synthesized
    digits and non-digits; None if none), and the three counts."""
    if other_writers is None:
        other_writers = bool(preset_settings(preset).get("other_writers", False))
    synth, n_synthesized, n_nondigits = _training_drawings(preset, synthesized, nondigits, method, progress)
    if not other_writers:
        return synth, 0, n_synthesized, n_nondigits
    writers = load_other_writers()
    log.info("adding %d digits of optdigits' other writers", len(writers[1]))
    if synth is None:
        return writers, len(writers[1]), n_synthesized, n_nondigits
    return ((np.concatenate([writers[0], synth[0]]), np.concatenate([writers[1], synth[1]])),
            len(writers[1]), n_synthesized, n_nondigits)


def _check_training_arguments(*, augment: Any, synthesized: Any, nondigits: Any, other_writers: Any, extra: Any,
                              method: Any, test_fraction: Any, shuffle: Any, refit_on_all: Any, progress: Any) -> Progress:
    """`train`'s arguments besides the estimator's, checked before any data is read or drawn; returns the progress callback."""
    if augment is not None:
        check_augmentation(augment)
    if other_writers is not None:
        check_bool(other_writers, "other_writers")
    for name, count in (("synthesized", synthesized), ("nondigits", nondigits)):
        if count is not None:
            check_count(count, name)
    if extra is not None:
        check_instance(extra, "extra", (str, os.PathLike, Samples), "a samples folder (str or os.PathLike) or Samples")
    if method is not None:  # checked even when nothing is preprocessed: a typo is never ignored
        check_method(method)
    check_number(test_fraction, "test_fraction", low=0, high=1, low_open=True, high_open=True)
    check_bool(shuffle, "shuffle")
    check_bool(refit_on_all, "refit_on_all")
    return check_progress(progress)


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
    other_writers: bool | None = None,
    extra: str | os.PathLike | Samples | None = None,
    method: str | None = None,
    test_fraction: float = 0.5,
    shuffle: bool = False,
    random_state: int = 0,
    refit_on_all: bool = False,
    progress: Progress | None = None,
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
        `digits_svm.datasets.AUGMENTATIONS`: ``"none"``, ``"hshift"``, ``"shift4"``,
        ``"halfshift"``, ``"rotate"``, ``"renorm"``, their ``"hshift+..."``
        combinations, ``"hshift1"``); default: the preset's. Held-out digits are never augmented.
    synthesized : int, optional
        How many synthesized handwritten digits (`digits_svm.datasets.synthesize`) to add to the
        training part; default: the preset's (10,800 for "app", else 0). They are drawn
        as strokes, rendered and preprocessed with ``method``, as the app would.
    nondigits : int, optional
        How many synthesized drawings that are not digits (`digits_svm.datasets.synthesize_nondigits`) to
        add as the class `digits_svm.datasets.NOT_A_DIGIT` (-1), so the model can answer
        "not a digit"; default: the preset's (2,700 for "app", else 0).
    other_writers : bool, optional
        Add the 3,823 digits of optdigits' 30 other writers
        (`digits_svm.datasets.load_other_writers`: the same kind of scans as ``load_digits``,
        by people who wrote none of them) to the training part, without copies; default:
        the preset's (True for "app", else False).
    extra : str, PathLike or Samples, optional
        A folder of your own labelled drawings (``<folder>/<digit>/<name>.png`` or
        ``.json``, see `digits_svm.datasets.load_samples`), added to the training part only.
    method : str, optional
        Preprocessing method for ``extra`` samples and synthesized digits; default
        ``digits_svm.drawing.DEFAULT_METHOD``. Use the one your app runs.
    test_fraction : float, default 0.5
        Fraction of ``load_digits`` held out for evaluation.
    shuffle : bool, default False
        Shuffle (stratified, seeded by ``random_state``) before splitting.
    random_state : int, default 0
        Seed for shuffling and probability calibration.
    refit_on_all : bool, default False
        After evaluation, refit the same estimator on all 1,797 digits (and the extra
        samples) and return that model (the reported accuracy stays the evaluated model's).
    progress : callable, optional
        Called as ``progress(step, done, total)`` while the slow steps run (drawing the
        synthesized digits and non-digits, fitting); `digits_svm.progress.ProgressBars`
        shows them. The library itself never prints.

    Returns
    -------
    TrainResult

    Raises
    ------
    InvalidParameterError
        An argument is out of range or not one of its choices (checked before anything
        is read, drawn or fitted); the message names it.
    SamplesError
        ``extra`` is missing or holds no usable sample.

    Examples
    --------
    >>> result = train()
    >>> result.n_correct, result.n_test
    (871, 899)
    """
    estimator_args: dict[str, Any] = dict(
        preset=preset, C=C, gamma=gamma, kernel=kernel, degree=degree, coef0=coef0,
        probability=probability, random_state=random_state,
    )
    model = make_estimator(**estimator_args)  # checks preset, the SVC parameters and random_state
    progress = _check_training_arguments(augment=augment, synthesized=synthesized, nondigits=nondigits,
                                         other_writers=other_writers, extra=extra, method=method,
                                         test_fraction=test_fraction, shuffle=shuffle, refit_on_all=refit_on_all,
                                         progress=progress)
    split: Split = canonical_split(test_fraction, shuffle=shuffle, random_state=random_state)
    augment = preset_settings(preset).get("augment", "none") if augment is None else augment
    samples = None
    if extra is not None:
        samples = extra if isinstance(extra, Samples) else load_samples(extra, method=method)
        log.info("adding %d extra samples (%d skipped)", len(samples), len(samples.skipped))
    synth, n_other_writers, n_synthesized, n_nondigits = _unaugmented_rows(preset, other_writers, synthesized, nondigits,
                                                                           method, progress)
    X_train, y_train = split.X_train, split.y_train
    if samples is not None:
        X_train = np.concatenate([X_train, samples.X])
        y_train = np.concatenate([y_train, samples.y])
    log.info("fitting %s on %d digits (augment=%s)", model, len(y_train), augment)
    progress("fitting the SVM")
    # a PlattSVC's calibration fits its class pairs in threads, and reports each one done
    with parallel_config(n_jobs=-1), reporting_calibration(progress):
        model, n_fitted = fit_with_copies(model, X_train, y_train, augment, synth)
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
        progress("refitting on every digit")
        with parallel_config(n_jobs=-1), reporting_calibration(progress):
            model, n_fitted = fit_with_copies(make_estimator(**estimator_args), X_all, y_all, augment, synth)
        n_train = len(y_all)
    kept = ("C", "gamma", "kernel", "degree", "coef0", "probability", "random_state")
    params = {k: v for k, v in model.get_params().items() if k in kept}
    params["probability"] = has_probabilities(model)  # a bool under every scikit-learn (1.9's default is a string)
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
        n_other_writers=n_other_writers,
        augment=augment,
        n_fitted=n_fitted,
        extra_skipped=[] if samples is None else list(samples.skipped),
        extra_method=None if samples is None else samples.method,
        X_test=split.X_test,
        y_test=split.y_test,
        y_pred=y_pred,
    )
