"""The estimator, its presets, and `train`.

By default `train` reproduces scikit-learn's "Recognizing hand-written digits" example:
``SVC(gamma=0.001)`` fitted on the first half of ``load_digits`` (file order, no
shuffle) and evaluated on the second half, where it gets 871 of 899 right.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix
from sklearn.svm import SVC

from .data import Split, canonical_split
from .errors import DigitsSVMError
from .persist import library_versions

__all__ = ["PRESETS", "TrainResult", "make_estimator", "train"]

log = logging.getLogger(__name__)

#: Named estimator settings. ``"example"`` is the scikit-learn example, exactly.
PRESETS: dict[str, dict[str, Any]] = {
    "example": {"kernel": "rbf", "C": 1.0, "gamma": 0.001},
}

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
    n_correct, n_test : int
        Correct predictions and size of the held-out part.
    report : dict
        Per-class precision, recall, f1 and support (``classification_report``).
    report_text : str
        The same report as text.
    confusion : numpy.ndarray
        10x10 confusion matrix, rows true labels, columns predictions.
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
        Number of samples the shipped ``model`` was fitted on.
    n_extra : int
        Number of the user's own samples added to the training data.
    X_test, y_test, y_pred : numpy.ndarray
        The held-out grids (n, 64), labels and predictions, for plots.
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
    X_test: np.ndarray = field(default=None, repr=False)
    y_test: np.ndarray = field(default=None, repr=False)
    y_pred: np.ndarray = field(default=None, repr=False)

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

    def summary(self) -> str:
        """One line for logs and the CLI.

        Examples
        --------
        >>> train().summary()
        'held-out accuracy 0.9689 (871/899), 519 support vectors, preset example'
        """
        return (
            f"held-out accuracy {self.accuracy:.4f} ({self.n_correct}/{self.n_test}), "
            f"{int(self.model.n_support_.sum())} support vectors, preset {self.preset}"
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
            "n_extra_samples": self.n_extra,
            "preset": self.preset,
            "params": self.params,
            "n_support_vectors": int(self.model.n_support_.sum()),
            "split": self.split,
            "report": self.report,
            "confusion": self.confusion.tolist(),
            "versions": self.versions,
        }


def make_estimator(
    *,
    preset: str = "example",
    C: float | None = None,
    gamma: float | str | None = None,
    kernel: str | None = None,
    degree: int | None = None,
    coef0: float | None = None,
    probability: bool = False,
    random_state: int = 0,
) -> SVC:
    """Build an unfitted ``SVC`` from a preset, with explicit parameters overriding it.

    Parameters
    ----------
    preset : str, default "example"
        A key of `PRESETS`.
    C, gamma, kernel, degree, coef0 : optional
        Override the preset's value.
    probability : bool, default False
        Fit Platt scaling so the model (and the ``.mlmodel``) gives class probabilities.
    random_state : int, default 0
        Seed for the probability calibration, so training is deterministic.

    Returns
    -------
    sklearn.svm.SVC

    Examples
    --------
    >>> make_estimator()
    SVC(gamma=0.001, random_state=0)
    """
    if preset not in PRESETS:
        raise DigitsSVMError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    params = dict(PRESETS[preset])
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
    return SVC(probability=bool(probability), random_state=random_state, **params)


def train(
    *,
    preset: str = "example",
    C: float | None = None,
    gamma: float | str | None = None,
    kernel: str | None = None,
    degree: int | None = None,
    coef0: float | None = None,
    probability: bool = False,
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
        Named parameters from `PRESETS`; explicit arguments override them.
    C, gamma, kernel, degree, coef0 : optional
        ``SVC`` parameters.
    probability : bool, default False
        Also learn class probabilities (the ``.mlmodel`` then has ``classProbability``).
    test_fraction : float, default 0.5
        Fraction of ``load_digits`` held out for evaluation.
    shuffle : bool, default False
        Shuffle (stratified, seeded by ``random_state``) before splitting.
    random_state : int, default 0
        Seed for shuffling and probability calibration.
    refit_on_all : bool, default False
        After evaluation, refit the same estimator on all 1,797 digits and return that
        model (the reported accuracy stays the evaluated model's).

    Returns
    -------
    TrainResult

    Examples
    --------
    >>> result = train()
    >>> result.n_correct, result.n_test
    (871, 899)
    """
    split: Split = canonical_split(test_fraction, shuffle=shuffle, random_state=random_state)
    estimator_args = dict(
        preset=preset, C=C, gamma=gamma, kernel=kernel, degree=degree, coef0=coef0,
        probability=probability, random_state=random_state,
    )
    model = make_estimator(**estimator_args)
    log.info("fitting %s on %d digits", model, len(split.y_train))
    model.fit(split.X_train, split.y_train)
    y_pred = model.predict(split.X_test)
    n_correct = int((y_pred == split.y_test).sum())
    labels = np.arange(10)
    report = classification_report(split.y_test, y_pred, labels=labels, output_dict=True, zero_division=0)
    report_text = classification_report(split.y_test, y_pred, labels=labels, digits=3, zero_division=0)
    confusion = confusion_matrix(split.y_test, y_pred, labels=labels)
    n_train = len(split.y_train)
    if refit_on_all:
        X_all = np.concatenate([split.X_train, split.X_test])
        y_all = np.concatenate([split.y_train, split.y_test])
        model = make_estimator(**estimator_args).fit(X_all, y_all)
        n_train = len(y_all)
    params = {k: v for k, v in model.get_params().items() if k in ("C", "gamma", "kernel", "degree", "coef0", "probability", "random_state")}
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
        X_test=split.X_test,
        y_test=split.y_test,
        y_pred=y_pred,
    )
