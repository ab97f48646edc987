"""What a fitted model is: a scikit-learn ``SVC`` on 64 features, with or without probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.svm import SVC

from .._validation import check_instance
from ..errors import NotAnSVCError
from ._calibration import PlattSVC

__all__ = ["check_fitted_svc", "has_probabilities", "platt_parameters"]


def check_fitted_svc(model: Any, *, source: str = "model") -> None:
    """Raise `NotAnSVCError` unless ``model`` is a fitted scikit-learn ``SVC`` on 64 features.

    Parameters
    ----------
    model : object
        The object to check.
    source : str
        Where it came from, for the message (a file name, say).
    """
    check_instance(source, "source", str, "a string (where the model came from, for messages)")
    if not isinstance(model, SVC):
        raise NotAnSVCError(
            f"{source} holds a {type(model).__module__}.{type(model).__name__}, not a scikit-learn SVC; "
            "train one with digits_svm.train()"
        )
    if not hasattr(model, "support_vectors_"):
        raise NotAnSVCError(f"{source} holds an SVC that was never fitted; call .fit() or use digits_svm.train()")
    n_features = getattr(model, "n_features_in_", model.support_vectors_.shape[1])
    if n_features != 64:
        raise NotAnSVCError(
            f"{source} holds an SVC fitted on {n_features} features; an 8x8 digit model needs 64"
        )


def has_probabilities(model: Any) -> bool:
    """Whether a fitted SVC holds libsvm's pairwise Platt parameters, so it gives probabilities.

    A fitted `digits_svm.model.PlattSVC` (what the presets with probabilities build)
    does, and so does an ``SVC(probability=True)`` of an older scikit-learn. The latter is
    read from the fitted parameters, not from ``model.probability`` alone: from
    scikit-learn 1.9 on, that setting's default is the string ``"deprecated"``, which is true.

    Examples
    --------
    >>> has_probabilities(svc)
    False
    """
    if isinstance(model, PlattSVC):
        return hasattr(model, "platt_a_")
    return getattr(model, "probability", False) is True and len(getattr(model, "_probA", ())) != 0


def platt_parameters(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """libsvm's ``probA`` and ``probB`` of a fitted SVC, one per class pair (empty without probabilities).

    A `digits_svm.model.PlattSVC`'s ``platt_a_``/``platt_b_``, or an
    ``SVC(probability=True)``'s ``probA_``/``probB_``, read under their stored names
    because scikit-learn 1.9 deprecates the public ones (a FutureWarning).
    """
    if not has_probabilities(model):
        return np.empty(0), np.empty(0)
    if isinstance(model, PlattSVC):
        return np.asarray(model.platt_a_, dtype=np.float64), np.asarray(model.platt_b_, dtype=np.float64)
    return np.asarray(model._probA, dtype=np.float64), np.asarray(model._probB, dtype=np.float64)
