"""libsvm's pairwise Platt calibration (probA, probB per class pair), without SVC(probability=True).

scikit-learn 1.9 deprecates ``SVC(probability=True)`` and ``probA_``/``probB_``; Core ML's
SVM spec still needs libsvm's pairwise Platt parameters, one (A, B) per class pair in
libsvm's pair order (0, 1), (0, 2), ..., (1, 2), ... This module computes them as libsvm's
``svm_binary_svc_probability`` and ``sigmoid_train`` do (Lin, Lin and Weng 2007): cross-
validated decision values per class pair, then a Newton fit with backtracking of
``P(first class | f) = 1 / (1 + exp(A f + B))``. The sign is libsvm's (and scikit-learn's
``probA_``): ``f > 0`` means the pair's first class, so A is normally negative.
Seeded and deterministic.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.svm import SVC
from sklearn.utils.class_weight import compute_class_weight

from .errors import InvalidParameterError
from .validation import check_count, check_instance

__all__ = ["sigmoid_train", "pairwise_platt"]

_MAX_ITER, _MIN_STEP, _SIGMA, _EPS = 100, 1e-10, 1e-12, 1e-5


def _objective(dec: np.ndarray, t: np.ndarray, A: float, B: float) -> float:
    f = dec * A + B
    return float(np.sum(np.where(f >= 0, t * f, (t - 1) * f) + np.log1p(np.exp(-np.abs(f)))))


def sigmoid_train(decision_values: Any, labels: Any) -> tuple[float, float]:
    """Fit Platt's sigmoid to decision values as libsvm's ``sigmoid_train`` does.

    Parameters
    ----------
    decision_values : array-like of shape (n,)
        Decision values; positive means the positive class.
    labels : array-like of shape (n,)
        ``> 0`` for the positive class, anything else for the negative one.

    Returns
    -------
    A, B : float
        ``P(positive | f) = 1 / (1 + exp(A f + B))``.

    Raises
    ------
    digits_svm.errors.InvalidParameterError
        If the arrays are not 1-D of one length, empty, or not finite.

    Examples
    --------
    >>> A, B = sigmoid_train([-2.0, -1.0, 1.0, 2.0], [-1, -1, 1, 1])
    >>> A < 0
    True
    """
    dec = np.asarray(decision_values, dtype=np.float64)
    lab = np.asarray(labels)
    if dec.ndim != 1 or lab.ndim != 1 or len(dec) != len(lab) or len(dec) == 0:
        raise InvalidParameterError(f"decision_values=<shape {dec.shape}> is not allowed; use a non-empty 1-D array "
                                    f"of the length of labels (shape {lab.shape})")
    if not np.all(np.isfinite(dec)):
        raise InvalidParameterError("decision_values=<not finite> is not allowed; use finite numbers")
    positive = lab > 0
    prior1 = float(np.count_nonzero(positive))
    prior0 = float(len(lab) - prior1)
    hi, lo = (prior1 + 1.0) / (prior1 + 2.0), 1.0 / (prior0 + 2.0)
    t = np.where(positive, hi, lo)
    A, B = 0.0, math.log((prior0 + 1.0) / (prior1 + 1.0))
    fval = _objective(dec, t, A, B)
    for _ in range(_MAX_ITER):
        f = dec * A + B
        e = np.exp(-np.abs(f))
        # libsvm's two branches: p = 1/(1+exp(f)), q = 1-p, computed without overflow.
        small, large = e / (1.0 + e), 1.0 / (1.0 + e)
        p = np.where(f >= 0, small, large)
        q = np.where(f >= 0, large, small)
        d2 = p * q
        h11 = _SIGMA + float(np.sum(dec * dec * d2))
        h22 = _SIGMA + float(np.sum(d2))
        h21 = float(np.sum(dec * d2))
        d1 = t - p
        g1, g2 = float(np.sum(dec * d1)), float(np.sum(d1))
        if abs(g1) < _EPS and abs(g2) < _EPS:
            break
        det = h11 * h22 - h21 * h21
        dA = -(h22 * g1 - h21 * g2) / det
        dB = -(-h21 * g1 + h11 * g2) / det
        gd = g1 * dA + g2 * dB
        step = 1.0
        while step >= _MIN_STEP:
            newA, newB = A + step * dA, B + step * dB
            newf = _objective(dec, t, newA, newB)
            if newf < fval + 0.0001 * step * gd:
                A, B, fval = newA, newB, newf
                break
            step /= 2.0
        if step < _MIN_STEP:
            break  # libsvm: "Line search fails"
    return A, B


def _binary_decisions(estimator: Any, X: np.ndarray, y: np.ndarray, weights: tuple[float, float],
                      n_folds: int, rng: np.random.Generator) -> np.ndarray:
    """libsvm's ``svm_binary_svc_probability`` decision values; y is +1 / -1, positive means +1."""
    # A fresh estimator per fold, without the probability setting (scikit-learn 1.9 deprecates any value of it).
    settings = {k: v for k, v in estimator.get_params().items() if k not in ("probability", "class_weight")}
    settings["class_weight"] = {1: weights[0], -1: weights[1]}

    n = len(y)
    perm = rng.permutation(n)
    dec = np.zeros(n)
    for k in range(n_folds):
        begin, end = k * n // n_folds, (k + 1) * n // n_folds
        held = perm[begin:end]
        train = np.concatenate([perm[:begin], perm[end:]])
        yt = y[train]
        p_count, n_count = int(np.count_nonzero(yt > 0)), int(np.count_nonzero(yt <= 0))
        if p_count == 0 and n_count == 0:
            dec[held] = 0.0
        elif n_count == 0:
            dec[held] = 1.0
        elif p_count == 0:
            dec[held] = -1.0
        else:
            sub = type(estimator)(**settings)
            sub.fit(X[train], yt)
            # classes_ is [-1, 1]: scikit-learn's binary decision_function > 0 means classes_[1] = +1.
            dec[held] = sub.decision_function(X[held])
    return dec


def pairwise_platt(estimator: Any, X: Any, y: Any, *, n_folds: int = 5,
                   random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """libsvm's pairwise Platt parameters of an SVC's settings, from cross-validated decision values.

    Parameters
    ----------
    estimator : sklearn.svm.SVC
        Its settings (kernel, C, gamma, degree, coef0, class_weight) are used; it need
        not be fitted and is not changed.
    X : array-like of shape (n, features)
    y : array-like of shape (n,)
    n_folds : int, default 5
        Folds of libsvm's cross-validation, at least 2.
    random_state : int, default 0
        Seed of the fold permutations (one ``numpy.random.default_rng`` for all pairs).

    Returns
    -------
    probA, probB : numpy.ndarray of shape (n_pairs,), float64
        In libsvm's pair order over ``numpy.unique(y)``; the sign of scikit-learn's
        ``probA_``/``probB_``: libsvm decision values, positive for the pair's first class.

    Raises
    ------
    digits_svm.errors.InvalidParameterError
        If X and y do not match, there are fewer than two classes, or n_folds or
        random_state are out of range.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from digits_svm.data import load_digits_grids
    >>> X, y = load_digits_grids()
    >>> keep = y < 3
    >>> a, b = pairwise_platt(SVC(gamma=0.001), X[keep][:150].reshape(-1, 64), y[keep][:150])
    >>> a.shape, bool((a < 0).all())
    ((3,), True)
    """
    check_instance(estimator, "estimator", SVC, "a scikit-learn SVC")
    n_folds = check_count(n_folds, "n_folds", low=2)
    random_state = check_count(random_state, "random_state", low=0)
    Xa = np.asarray(X, dtype=np.float64)
    ya = np.asarray(y)
    if Xa.ndim != 2 or ya.ndim != 1 or len(Xa) != len(ya):
        raise InvalidParameterError(f"X=<shape {Xa.shape}> is not allowed; use a 2-D array with one row per label of y "
                                    f"(shape {ya.shape})")
    classes = np.unique(ya)
    if len(classes) < 2:
        raise InvalidParameterError(f"y=<{len(classes)} class> is not allowed; use labels of at least two classes")
    cw = estimator.class_weight
    weights = (compute_class_weight(cw, classes=classes, y=ya) if cw is not None else np.ones(len(classes)))
    rng = np.random.default_rng(random_state)
    prob_a, prob_b = [], []
    for i in range(len(classes)):
        for j in range(i + 1, len(classes)):
            rows = np.flatnonzero((ya == classes[i]) | (ya == classes[j]))
            yb = np.where(ya[rows] == classes[i], 1, -1)
            dec = _binary_decisions(estimator, Xa[rows], yb, (float(weights[i]), float(weights[j])), n_folds, rng)
            a, b = sigmoid_train(dec, yb)
            prob_a.append(a)
            prob_b.append(b)
    return np.array(prob_a, dtype=np.float64), np.array(prob_b, dtype=np.float64)
