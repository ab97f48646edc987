"""Predictions with a confidence, and "not a digit" for drawings that are not digits.

A model trained with ``probability=True`` gives, for each grid, a probability for each
class (libsvm's Platt sigmoids with pairwise coupling; the ``.mlmodel`` outputs the same
as ``classProbability``). The ``app`` preset also has a class of its own for drawings
that are not digits, `NOT_A_DIGIT` (label -1, learnt from `digits_svm.datasets.synthesize_nondigits`).
`predict_with_confidence` answers "not a digit" (``None``) when the most probable class
is `NOT_A_DIGIT` or when the most probable digit's probability is below
``min_confidence``; otherwise it answers that digit. `DEFAULT_MIN_CONFIDENCE` was chosen
for the ``app`` preset from the table of ``benchmarks/bench_confidence.py``, measured on
real handwritten digits and on non-digits of its own (docs/model.md).

The same function works with a fitted ``SVC`` and with a saved ``.mlmodel`` (run by the
NumPy runtime, `digits_svm.coreml.CoreMLRuntime`), so the app's rule can be tried on
Linux before it ships: the app applies the same two tests to the ``.mlmodel``'s
``classLabel`` and ``classProbability`` (docs/xcode.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
from sklearn.svm import SVC

from ._validation import check_grids, check_instance, check_number
from .coreml._runtime import as_runtime
from .datasets._training_data import NOT_A_DIGIT
from .errors import ModelFileError, NoProbabilitiesError
from .memory import PersonalMemory
from .model._fitted import check_fitted_svc, has_probabilities

__all__ = ["DEFAULT_MIN_CONFIDENCE", "Prediction", "answers_from_proba", "predict_proba",
           "predict_with_confidence", "recorded_min_confidence"]

#: Probability of the most probable digit below which `predict_with_confidence` answers
#: "not a digit" (None). Chosen for the ``app`` preset from benchmarks/bench_confidence.py:
#: see docs/model.md.
DEFAULT_MIN_CONFIDENCE = 0.72


class Prediction(NamedTuple):
    """One answer of `predict_with_confidence`.

    Attributes
    ----------
    digit : int or None
        The digit, or None for "not a digit" (the model's most probable class is
        `NOT_A_DIGIT`, or ``probability`` is below the threshold).
    probability : float
        Probability of the most probable digit, 0..1.
    best_guess : int
        The most probable digit, even when it was rejected.
    from_memory : bool
        Whether the user's `digits_svm.memory.PersonalMemory` answered ``digit`` (the
        model's own answer is then ``best_guess``).

    Examples
    --------
    >>> str(Prediction(7, 0.93, 7)), str(Prediction(None, 0.31, 4))
    ('7 (probability 0.93)', 'not a digit (best guess 4, probability 0.31)')
    """

    digit: int | None
    probability: float
    best_guess: int
    from_memory: bool = False

    def __str__(self) -> str:
        if self.from_memory:
            return f"{self.digit} (from memory; the model's best guess {self.best_guess}, probability {self.probability:.2f})"
        if self.digit is None:
            return f"not a digit (best guess {self.best_guess}, probability {self.probability:.2f})"
        return f"{self.digit} (probability {self.probability:.2f})"


def recorded_min_confidence(metadata: Mapping[str, str]) -> float:
    """The threshold a ``.mlmodel`` records (``confidence.min_confidence``), else the default.

    Raises
    ------
    ModelFileError
        The recorded value is not a probability.

    Examples
    --------
    >>> recorded_min_confidence({"confidence.min_confidence": "0.6"}), recorded_min_confidence({})
    (0.6, 0.72)
    """
    text = metadata.get("confidence.min_confidence")
    if text is None:
        return DEFAULT_MIN_CONFIDENCE
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise ModelFileError(f"the model's metadata confidence.min_confidence is {str(text)[:40]!r}, not a probability "
                             "in 0..1; retrain the model, or give the threshold yourself (--min-confidence)")
    return value


def predict_proba(model: Any, grids: Any) -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities of grids, from a fitted SVC or a ``.mlmodel``.

    Parameters
    ----------
    model : sklearn.svm.SVC, str, PathLike, spec, MLModel or CoreMLRuntime
        A fitted SVC trained with ``probability=True``, or a ``.mlmodel`` (path, spec,
        ``coremltools`` MLModel, or `digits_svm.coreml.CoreMLRuntime`) with a
        ``classProbability`` output.
    grids : array-like
        One grid (8, 8) or (64,), or a batch (n, 8, 8) or (n, 64); values 0..16.

    Returns
    -------
    classes : numpy.ndarray
        int64 labels, shape (n_classes,).
    proba : numpy.ndarray
        float64, shape (n, n_classes); each row sums to 1.

    Raises
    ------
    NoProbabilitiesError
        The model was trained without probabilities.
    InvalidGridError
        The grids are not valid 8x8 grids.
    """
    X = check_grids(grids).reshape(-1, 64)
    if not isinstance(model, SVC) and not hasattr(model, "fit"):  # a .mlmodel in some form
        runtime = as_runtime(model)
        if not runtime.has_probabilities:
            raise NoProbabilitiesError(
                "this .mlmodel has no classProbability output, so it cannot say how sure it is; "
                "retrain with --probability (or --preset best)"
            )
        return np.asarray(runtime.classes_, dtype=np.int64), np.asarray(runtime.predict_proba(X.reshape(-1, 8, 8)))
    check_fitted_svc(model)
    if not has_probabilities(model):
        raise NoProbabilitiesError(
            "this SVC was trained without probabilities, so it cannot say how sure it is; "
            "retrain with digits_svm.train(probability=True) (or preset='best')"
        )
    return np.asarray(model.classes_, dtype=np.int64), model.predict_proba(X)


def predict_with_confidence(
    model: Any, grids: Any, *, min_confidence: float = DEFAULT_MIN_CONFIDENCE, memory: PersonalMemory | None = None
) -> list[Prediction]:
    """The digit of each grid, or "not a digit".

    The answer is "not a digit" (``digit`` None) when the model's most probable class
    is `NOT_A_DIGIT` (its ``classLabel`` is -1; only models trained with non-digits,
    such as the ``app`` preset, have that class) or when the most probable digit's
    probability is below ``min_confidence`` (a letter, a shape, a scribble, or a digit
    too ambiguous to guess). Otherwise it is that digit, as the ``.mlmodel``'s
    ``classLabel`` is.

    Parameters
    ----------
    model : sklearn.svm.SVC, str, PathLike, spec, MLModel or CoreMLRuntime
        A model with probabilities: see `predict_proba`.
    grids : array-like
        One 8x8 grid or a batch, values 0..16.
    min_confidence : float, default DEFAULT_MIN_CONFIDENCE
        Threshold in 0..1; 0 answers every grid whose most probable class is a digit.
    memory : PersonalMemory, optional
        The user's corrections: where it answers (`PersonalMemory.answer`), its digit is
        the answer and ``from_memory`` is True. An empty memory changes nothing.

    Returns
    -------
    list of Prediction
        One per grid: ``digit`` (int or None), ``probability``, ``best_guess``, ``from_memory``.

    Raises
    ------
    InvalidParameterError
        ``min_confidence`` is not a number in 0..1 (checked before the model is read).
    NoProbabilitiesError
        The model was trained without probabilities.

    Examples
    --------
    >>> from digits_svm.model import PlattSVC
    >>> model = PlattSVC(gamma=0.001, random_state=0).fit(X[:500], y[:500])
    >>> [str(p) for p in predict_with_confidence(model, X[-5:-3])], y[-5:-3].tolist()
    (['9 (probability 0.95)', '0 (probability 0.85)'], [9, 0])
    >>> p = predict_with_confidence(model, X[-4], min_confidence=0.9)[0]
    >>> p.digit, p.best_guess
    (None, 0)
    """
    threshold = check_number(min_confidence, "min_confidence", low=0, high=1)
    check_instance(memory, "memory", (PersonalMemory, type(None)), "a digits_svm.memory.PersonalMemory, or None")
    classes, proba = predict_proba(model, grids)
    answers = answers_from_proba(classes, proba, threshold)
    if memory is None or not len(memory):
        return answers
    taught = memory.answers(check_grids(grids), classes, proba)
    return [answer if digit == NOT_A_DIGIT else answer._replace(digit=int(digit), from_memory=True)
            for answer, digit in zip(answers, taught, strict=True)]


def answers_from_proba(classes: np.ndarray, proba: np.ndarray, min_confidence: float) -> list[Prediction]:
    """`predict_with_confidence`'s rule applied to probabilities already computed.

    ``classes`` (n_classes,) and ``proba`` (n, n_classes) as `predict_proba` returns
    them (not checked here); ``min_confidence`` a number in 0..1, else
    `digits_svm.errors.InvalidParameterError`.

    Examples
    --------
    >>> [str(p) for p in answers_from_proba(np.array([-1, 3, 7]), np.array([[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]]), 0.5)]
    ['7 (probability 0.70)', 'not a digit (best guess 3, probability 0.30)']
    """
    check_number(min_confidence, "min_confidence", low=0, high=1)
    rows = np.arange(len(proba))
    top = np.argmax(proba, axis=1)  # the classLabel (ties go to the first class, as in the runtime)
    digit_columns = np.flatnonzero(classes != NOT_A_DIGIT)
    best = digit_columns[np.argmax(proba[:, digit_columns], axis=1)]
    p_best = proba[rows, best]
    answered = (classes[top] != NOT_A_DIGIT) & (p_best >= min_confidence)
    return [
        Prediction(int(classes[b]) if ok else None, float(p), int(classes[b]))
        for b, p, ok in zip(best, p_best, answered, strict=True)
    ]
