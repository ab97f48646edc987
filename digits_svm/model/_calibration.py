"""libsvm's probabilities without SVC(probability=True): pairwise Platt fit, sigmoid, coupling, and `PlattSVC`.

scikit-learn 1.9 deprecates ``SVC(probability=True)`` and ``probA_``/``probB_``; Core ML's
SVM spec still needs libsvm's pairwise Platt parameters, one (A, B) per class pair in
libsvm's pair order (0, 1), (0, 2), ..., (1, 2), ... This module computes them as libsvm's
``svm_binary_svc_probability`` and ``sigmoid_train`` do (Lin, Lin and Weng 2007): cross-
validated decision values per class pair, then a Newton fit with backtracking of
``P(first class | f) = 1 / (1 + exp(A f + B))``. The sign is libsvm's (and scikit-learn's
``probA_``): ``f > 0`` means the pair's first class, so A is normally negative.
Seeded and deterministic.

`PlattSVC` is the SVC that the presets with probabilities build: it fits as an SVC, then
calibrates itself with `pairwise_platt`, and its ``predict_proba`` applies libsvm's
prediction rules (`platt_probabilities`: Platt's sigmoid, its clamp, and Wu, Lin and
Weng's coupling), the very code that `digits_svm.coreml._libsvm` runs on a ``.mlmodel``'s spec.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import importlib
import math
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.svm import SVC
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_X_y

from .._validation import MAX_RANDOM_STATE, check_count, check_instance, check_n_jobs
from ..errors import InvalidParameterError
from ..progress import Progress, no_progress

__all__ = ["MIN_PROB", "SMALL_BATCH", "sigmoid_train", "pairwise_platt", "reporting_calibration", "libsvm_decisions",
           "platt_probabilities", "couple", "PlattSVC"]

_MAX_ITER, _MIN_STEP, _SIGMA, _EPS = 100, 1e-10, 1e-12, 1e-5

#: libsvm's clamp of pairwise probabilities to [MIN_PROB, 1 - MIN_PROB].
MIN_PROB = 1e-7
#: Up to this many grids the coupling runs grid by grid on Python floats (less overhead);
#: larger batches run it vectorised over grids. Both give the same bits.
SMALL_BATCH = 8

def _plain_einsum() -> Callable[..., Any]:
    """np.einsum without its Python wrapper: np.einsum(..., optimize=False) calls exactly this."""
    for module in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            return importlib.import_module(module).c_einsum
        except (ImportError, AttributeError):  # pragma: no cover - another numpy layout
            continue
    return np.einsum  # pragma: no cover


einsum = _plain_einsum()


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


def _fold_settings(estimator: Any) -> dict[str, Any]:
    """The SVC parameters of each fold's fit: the estimator's, without the probability setting
    (scikit-learn 1.9 deprecates any value of it) and the class weights (each pair sets its own)."""
    return {k: v for k, v in estimator.get_params().items() if k not in ("probability", "class_weight")}


def _resolved_gamma(settings: dict[str, Any], X: Any) -> Any:
    """The kernel's gamma as ``SVC.fit`` resolves it on all of ``X``: "scale" and "auto" become numbers.

    libsvm keeps the fitted gamma in its folds, so the folds must not resolve a string
    gamma again, each on its own rows. Other kernels' gamma is returned as it is.
    """
    gamma = settings["gamma"]
    if not isinstance(gamma, str) or settings["kernel"] == "precomputed" or callable(settings["kernel"]):
        return gamma
    if gamma == "auto":
        return 1.0 / X.shape[1]
    variance = (X.multiply(X)).mean() - X.mean() ** 2 if sp.issparse(X) else X.var()  # SVC.fit's "scale"
    return 1.0 / (X.shape[1] * variance) if variance != 0 else 1.0


def _binary_decisions(settings: dict[str, Any], X: Any, y: np.ndarray, weights: tuple[float, float],
                      n_folds: int, perm: np.ndarray, sample_weight: np.ndarray | None = None) -> np.ndarray:
    """libsvm's ``svm_binary_svc_probability`` decision values; y is +1 / -1, positive means +1.

    ``settings`` are `_fold_settings`; ``perm`` orders the rows into folds (libsvm shuffles
    them likewise). A fresh SVC per fold, fitted with the weights of its training rows
    (``sample_weight``, None: unweighted), as scikit-learn's libsvm fits its folds. X may be
    dense or CSR.
    """
    settings = {**settings, "class_weight": {1: weights[0], -1: weights[1]}}
    n = len(y)
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
            sub = SVC(**settings)  # a plain SVC: a PlattSVC would calibrate each fold too
            sub.fit(X[train], yt, sample_weight=None if sample_weight is None else sample_weight[train])
            # classes_ is [-1, 1]: scikit-learn's binary decision_function > 0 means classes_[1] = +1.
            dec[held] = sub.decision_function(X[held])
    return dec


def _check_calibration_data(X: Any, y: Any, sample_weight: Any) -> tuple[Any, np.ndarray, np.ndarray | None]:
    """X (float64, dense or CSR), y (1-D, at least two classes) and sample_weight (None or float64), checked.

    A weight of 0 or less drops its row, as libsvm does, so every class needs a row of
    positive weight. Raises `InvalidParameterError` naming the argument.
    """
    Xa = X.tocsr().astype(np.float64, copy=False) if sp.issparse(X) else np.asarray(X, dtype=np.float64, order="C")
    ya = np.asarray(y)
    if Xa.ndim != 2 or ya.ndim != 1 or Xa.shape[0] != len(ya):
        raise InvalidParameterError(f"X=<shape {Xa.shape}> is not allowed; use a 2-D array (dense or sparse) with one row "
                                    f"per label of y (shape {ya.shape})")
    if not np.all(np.isfinite(Xa.data if sp.issparse(Xa) else Xa)):
        raise InvalidParameterError("X=<not finite> is not allowed; use finite numbers")
    classes = np.unique(ya)
    if len(classes) < 2:
        raise InvalidParameterError(f"y=<{len(classes)} class> is not allowed; use labels of at least two classes")
    if sample_weight is None:
        return Xa, ya, None
    try:
        w = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"sample_weight=<not numbers> is not allowed; use one number per row of X: {exc}") from exc
    if w.shape != ya.shape:
        raise InvalidParameterError(f"sample_weight=<shape {w.shape}> is not allowed; use a 1-D array of one weight per row "
                                    f"of X ({len(ya)} weights)")
    if not np.all(np.isfinite(w)):
        raise InvalidParameterError("sample_weight=<not finite> is not allowed; use finite numbers")
    positive = w > 0
    if not positive.any():
        raise InvalidParameterError("sample_weight=<all zero or negative> is not allowed; use a positive weight for at "
                                    "least one row of each class (0 or less drops a row, as in SVC)")
    missing = np.setdiff1d(classes, ya[positive])
    if missing.size:
        raise InvalidParameterError(f"sample_weight=<no positive weight in class {missing.tolist()[0]!r}> is not allowed; "
                                    "use a positive weight for at least one row of each class of y (or leave the class out of y)")
    return Xa, ya, w


#: Where `pairwise_platt` reports each class pair done (`reporting_calibration` sets it).
_PROGRESS: contextvars.ContextVar[Progress] = contextvars.ContextVar("calibration_progress", default=no_progress)


@contextlib.contextmanager
def reporting_calibration(progress: Progress) -> Iterator[None]:
    """Within the block, `pairwise_platt` (and so `PlattSVC.fit`) reports each class pair it calibrates to ``progress``.

    Examples
    --------
    >>> seen = []
    >>> with reporting_calibration(lambda step, done=0, total=0: seen.append((done, total))):
    ...     _ = PlattSVC(gamma=0.001).fit(X[:200], y[:200] % 3)
    >>> seen
    [(1, 3), (2, 3), (3, 3)]
    """
    token = _PROGRESS.set(progress)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def pairwise_platt(estimator: Any, X: Any, y: Any, *, sample_weight: Any = None, n_folds: int = 5, random_state: int = 0,
                   n_jobs: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """libsvm's pairwise Platt parameters of an SVC's settings, from cross-validated decision values.

    Parameters
    ----------
    estimator : sklearn.svm.SVC
        Its settings (kernel, C, gamma, degree, coef0, class_weight) are used; it need
        not be fitted and is not changed. A gamma of "scale" or "auto" is resolved once
        on all of X, as ``SVC.fit`` resolves it, and every fold uses that number.
    X : array-like or scipy.sparse matrix of shape (n, features)
        Dense, or sparse (its rows are taken in CSR).
    y : array-like of shape (n,)
    sample_weight : array-like of shape (n,), optional
        Weights of the rows, as ``SVC.fit`` takes them: a row of weight 0 or less is
        left out (libsvm drops it), and each fold's SVC is fitted with the weights of its
        training rows. The sigmoid fit itself weighs every decision value alike, as
        libsvm's does. None: every row weighs 1.
    n_folds : int, default 5
        Folds of libsvm's cross-validation, at least 2.
    random_state : int, default 0
        Seed of the fold permutations (one ``numpy.random.default_rng`` for all pairs,
        drawn in pair order before any fit, so the result does not depend on ``n_jobs``).
    n_jobs : int or None, default None
        Threads fitting the pairs (-1: one per core; libsvm runs without the GIL). None is
        joblib's: one, unless set by ``joblib.parallel_config`` (`digits_svm.train` sets -1).

    Returns
    -------
    probA, probB : numpy.ndarray of shape (n_pairs,), float64
        In libsvm's pair order over ``numpy.unique(y)``; the sign of scikit-learn's
        ``probA_``/``probB_``: libsvm decision values, positive for the pair's first class.

    Raises
    ------
    digits_svm.errors.InvalidParameterError
        If X and y do not match, X is not finite, there are fewer than two classes,
        sample_weight does not match y or leaves a class without a positive weight, the
        kernel is "precomputed", or n_folds, random_state or n_jobs are out of range.

    Examples
    --------
    >>> keep = y < 3
    >>> a, b = pairwise_platt(SVC(gamma=0.001), X[keep][:150].reshape(-1, 64), y[keep][:150])
    >>> a.shape, bool((a < 0).all())
    ((3,), True)
    """
    check_instance(estimator, "estimator", SVC, "a scikit-learn SVC")
    _check_kernel(estimator.kernel)
    n_folds = check_count(n_folds, "n_folds", low=2)
    random_state = check_count(random_state, "random_state", low=0)
    check_n_jobs(n_jobs)
    Xa, ya, w = _check_calibration_data(X, y, sample_weight)
    classes = np.unique(ya)
    cw = estimator.class_weight
    # as SVC.fit's class_weight_: from every label, whatever its sample weight
    weights = (compute_class_weight(cw, classes=classes, y=ya) if cw is not None else np.ones(len(classes)))
    settings = _fold_settings(estimator)
    settings["gamma"] = _resolved_gamma(settings, Xa)
    if w is not None and not np.all(w > 0):
        kept = np.flatnonzero(w > 0)  # libsvm drops the rows of weight 0 or less before anything else
        Xa, ya, w = Xa[kept], ya[kept], w[kept]
    rng = np.random.default_rng(random_state)
    pairs = []
    for i in range(len(classes)):
        for j in range(i + 1, len(classes)):
            rows = np.flatnonzero((ya == classes[i]) | (ya == classes[j]))
            yb = np.where(ya[rows] == classes[i], 1, -1)
            pairs.append((rows, yb, (float(weights[i]), float(weights[j])), rng.permutation(len(rows))))
    progress = _PROGRESS.get()
    decisions = []
    for decision in Parallel(n_jobs=n_jobs, backend="threading", return_as="generator")(
            delayed(_binary_decisions)(settings, Xa[rows], yb, cw_pair, n_folds, perm, None if w is None else w[rows])
            for rows, yb, cw_pair, perm in pairs):
        decisions.append(decision)
        progress("calibrating the probabilities (class pairs)", len(decisions), len(pairs))
    fits = [sigmoid_train(dec, yb) for dec, (_, yb, _, _) in zip(decisions, pairs, strict=True)]
    return np.array([a for a, _ in fits], dtype=np.float64), np.array([b for _, b in fits], dtype=np.float64)


def _check_kernel(kernel: Any) -> None:
    """Refuse a precomputed kernel: the calibration refits on rows of X, and a Gram matrix's rows are not samples."""
    if isinstance(kernel, str) and kernel == "precomputed":
        raise InvalidParameterError("kernel='precomputed' is not allowed for a Platt calibration (its folds refit the SVC "
                                    "on rows of X); use 'rbf', 'linear', 'poly', 'sigmoid' or a callable kernel")


def libsvm_decisions(model: SVC, X: Any) -> np.ndarray:
    """libsvm's one-vs-one decision values of a fitted SVC: shape (n, pairs), positive for the pair's first class.

    scikit-learn's ``decision_function`` with ``decision_function_shape="ovo"``, with the
    sign of two classes turned back (scikit-learn's is positive for the second class).

    Examples
    --------
    >>> libsvm_decisions(svc, X[100:102]).shape
    (2, 45)
    """
    ovo = copy.copy(model)  # shares the fitted arrays; only the output shape changes
    ovo.decision_function_shape = "ovo"
    dec = ovo.decision_function(X)
    dec = dec.reshape(dec.shape[0], -1)
    return -dec if len(model.classes_) == 2 else dec


@lru_cache(maxsize=8)
def _pair_slots(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat indices of (i, j) and (j, i) in a k x k matrix, for the pairs in libsvm's order."""
    i, j = np.triu_indices(k, 1)
    return i * k + j, j * k + i


def platt_probabilities(raw: np.ndarray, prob_a: np.ndarray, prob_b: np.ndarray, n_classes: int) -> np.ndarray:
    """libsvm's ``svm_predict_probability``: shape (n, n_classes), columns in class order.

    ``raw`` are libsvm's decision values (n, pairs); ``prob_a``/``prob_b`` one Platt pair
    per class pair. Platt's sigmoid, clamped to [`MIN_PROB`, 1 - `MIN_PROB`], then `couple`
    (for two classes the pairwise probability itself, as libsvm >= 3 and Core ML give).

    Examples
    --------
    >>> p = platt_probabilities(np.array([[2.0]]), np.array([-1.0]), np.array([0.0]), 2)
    >>> p.round(3).tolist()
    [[0.881, 0.119]]
    """
    f = raw * prob_a + prob_b
    e = np.exp(-np.abs(f))
    # libsvm's sigmoid_predict, in its cancellation-free form, then its clamp.
    one_plus = 1.0 + e
    r = np.where(f >= 0, e / one_plus, 1.0 / one_plus)
    np.minimum(np.maximum(r, MIN_PROB, out=r), 1.0 - MIN_PROB, out=r)
    n, k = len(raw), n_classes
    if k == 2:
        # libsvm >= 3 (and Core ML) return the pairwise probability itself for two classes.
        return np.column_stack([r[:, 0], 1.0 - r[:, 0]])
    upper, lower = _pair_slots(k)
    flat = np.zeros((n, k * k))
    flat[:, upper] = r
    flat[:, lower] = 1.0 - r
    pairwise = flat.reshape(n, k, k)
    if n <= SMALL_BATCH:
        return np.array([_couple_one(pairwise[m : m + 1]) for m in range(n)])
    return couple(pairwise)


def _coupling_matrix(r: np.ndarray) -> np.ndarray:
    """Q of Wu, Lin and Weng's method 2 from pairwise probabilities r (n, k, k) with a zero diagonal."""
    k = r.shape[1]
    Q = -(r * r.transpose(0, 2, 1))  # Q[t][j] = -r[j][t] * r[t][j]
    Q.reshape(len(r), -1)[:, :: k + 1] = einsum("njt,njt->nt", r, r)  # sum over j != t of r[j][t]^2
    return Q


def couple(r: np.ndarray) -> np.ndarray:
    """libsvm's ``multiclass_probability`` (Wu, Lin and Weng, method 2), vectorised over grids.

    ``r`` has shape (n, k, k) with ``r[:, i, j]`` the probability of i against j and zeros
    on the diagonal. Each grid iterates until its own stopping test passes, exactly as
    libsvm does one grid at a time.

    Examples
    --------
    >>> p = np.array([0.5, 0.3, 0.2])
    >>> r = p[:, None] / (p[:, None] + p[None, :]) * (1 - np.eye(3))
    >>> bool(np.abs(couple(r[None]) - p).max() < 0.005)
    True
    """
    n, k, _ = r.shape
    Q = _coupling_matrix(r)
    p = np.full((n, k), 1.0 / k)
    eps = 0.005 / k
    active = np.arange(n)
    for _ in range(max(100, k)):
        Qa, pa = Q[active], p[active]
        Qp = einsum("ntj,nj->nt", Qa, pa)
        pQp = einsum("nt,nt->n", pa, Qp)
        running = np.abs(Qp - pQp[:, None]).max(axis=1) >= eps
        active, Qa, pa, Qp, pQp = active[running], Qa[running], pa[running], Qp[running], pQp[running]
        if active.size == 0:
            break
        for t in range(k):
            qtt = Qa[:, t, t]
            diff = (pQp - Qp[:, t]) / qtt
            pa[:, t] += diff
            one_plus = (1.0 + diff)[:, None]
            pQp = (pQp + diff * (diff * qtt + 2.0 * Qp[:, t])) / one_plus[:, 0] / one_plus[:, 0]
            step = Qa[:, t, :] * diff[:, None]
            step += Qp
            Qp = np.divide(step, one_plus, out=step)
            pa /= one_plus
        p[active] = pa
    return p


def _couple_one(r: np.ndarray) -> np.ndarray:
    """`couple` for one grid (r of shape (1, k, k)), on Python floats: the same operations in the same order.

    Two things make it cheap. The sums (Q p and p.Q p) are the very einsum calls `couple`
    makes, on the same shapes. And of the vector Q p, step t of a sweep reads only entry
    t, and a sweep's last Q p is never read (the next sweep recomputes it), so entry t is
    brought up to date just before step t, through the same updates in the same order,
    instead of every entry at every step; p is not read within a sweep, so its updates run
    after the sweep, again in the same order per entry.
    """
    k = r.shape[1]
    Q = _coupling_matrix(r)
    rows = Q[0].tolist()
    diagonal = [rows[t][t] for t in range(k)]
    values = [1.0 / k] * k
    p = np.array([values])
    eps = 0.005 / k
    for _ in range(max(100, k)):
        Qp_array = einsum("ntj,nj->nt", Q, p)
        pQp = float(einsum("nt,nt->n", p, Qp_array)[0])
        Qp = Qp_array[0].tolist()
        for value in Qp:
            if abs(value - pQp) >= eps:
                break
        else:  # max |Qp - pQp| < eps: converged
            break
        diffs: list[float] = []
        one_plus: list[float] = []
        for t, qtt in enumerate(diagonal):
            qp = Qp[t]
            # the t updates so far (zip stops there); Q is symmetric, so rows[t][s] == Q[s][t]
            for d, q, o in zip(diffs, rows[t], one_plus, strict=False):
                qp = (qp + d * q) / o
            diff = (pQp - qp) / qtt
            o = 1.0 + diff
            pQp = (pQp + diff * (diff * qtt + 2.0 * qp)) / o / o
            diffs.append(diff)
            one_plus.append(o)
        for t, o in enumerate(one_plus):
            values[t] += diffs[t]
            values = list(map(o.__rtruediv__, values))  # v / o for every v
        p = np.array([values])
    return np.array(values)


class PlattSVC(SVC):
    """A scikit-learn ``SVC`` that gives libsvm's probabilities without ``SVC(probability=True)``.

    It takes the SVC's parameters (leave ``probability`` unset). `fit` fits the SVC, then
    `pairwise_platt` on the same data, sample weights and fitted gamma (libsvm's 5 folds,
    seeded by ``random_state``; None means 0, so a fit is always deterministic; the pairs
    are fitted in threads under ``joblib.parallel_config(n_jobs=...)``, with the same
    result); `predict_proba` is libsvm's ``svm_predict_probability`` (`platt_probabilities`),
    which the ``.mlmodel`` computes too. ``predict`` is the SVC's (pairwise votes). X may be
    dense or sparse, as for an SVC. It passes scikit-learn's estimator checks but those
    that plain SVC fails too, so meta-estimators (``Pipeline``, ``GridSearchCV``,
    ``BaggingClassifier``, ``CalibratedClassifierCV``) take it. A pickle of it needs
    ``digits_svm`` installed to load.

    Attributes
    ----------
    platt_a_, platt_b_ : numpy.ndarray of shape (n_pairs,)
        libsvm's ``probA``/``probB``, one per class pair (what the ``.mlmodel`` carries).

    Examples
    --------
    >>> model = PlattSVC(gamma=0.001, random_state=0).fit(X[:300], y[:300])
    >>> proba = model.predict_proba(X[300:302])
    >>> proba.shape, model.classes_[proba.argmax(axis=1)].tolist(), y[300:302].tolist()
    ((2, 10), [7, 3], [7, 3])
    """

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> PlattSVC:
        """Fit the SVC, then its pairwise Platt parameters (`pairwise_platt`) on the same data.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix of shape (n, features)
            Dense, or sparse (libsvm's sparse fit; the calibration takes its rows in CSR).
        y : array-like of shape (n,)
            Class labels, at least two classes (a column vector is taken as 1-D, with
            scikit-learn's ``DataConversionWarning``).
        sample_weight : array-like of shape (n,), optional
            Per-row weights, as ``SVC.fit`` takes them (they scale C per row; a row of
            weight 0 or less is left out). The calibration's fold fits are weighted
            alike, as libsvm's probability folds are.

        Returns
        -------
        PlattSVC
            This estimator, fitted.

        Raises
        ------
        ValueError
            scikit-learn's own errors for X and y (shape, non-finite values, labels that
            are not classes); `digits_svm.errors.InvalidParameterError` (a ``ValueError``)
            for ``probability=True``, a precomputed kernel, a random_state that is not
            None or a whole number, fewer than two classes, or sample weights that do
            not match y or leave a class without a positive weight. All of these are
            checked before anything is fitted, so a refused call leaves the estimator
            as it was.
        """
        if self.probability is True:
            raise InvalidParameterError("probability=True is not allowed for a PlattSVC; it calibrates itself, "
                                        "so leave probability unset")
        _check_kernel(self.kernel)
        try:
            seed = 0 if self.random_state is None else check_count(self.random_state, "random_state", high=MAX_RANDOM_STATE)
        except InvalidParameterError as exc:
            raise InvalidParameterError(f"{exc}, or None (it seeds the calibration's folds)") from None
        # scikit-learn's checks of X and y, then the calibration's, all before the SVC is refitted.
        # check_X_y changes nothing on the estimator; SVC.fit sets n_features_in_ (and
        # feature_names_in_ from the X given) itself.
        X_checked, y_checked = check_X_y(X, y, accept_sparse="csr", dtype=np.float64, order="C",
                                         accept_large_sparse=False)
        check_classification_targets(y_checked)
        _check_calibration_data(X_checked, y_checked, sample_weight)
        super().fit(X, y_checked, sample_weight=sample_weight)
        # libsvm's folds keep the fitted gamma: a "scale" or "auto" gamma is not resolved again per fold
        fitted = SVC(**{**self.get_params(), "gamma": self._gamma})
        self.platt_a_, self.platt_b_ = pairwise_platt(fitted, X_checked, y_checked, sample_weight=sample_weight,
                                                      random_state=seed)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n, n_classes), columns in ``classes_`` order (libsvm's rules).

        Raises ``sklearn.exceptions.NotFittedError`` before `fit`.
        """
        check_is_fitted(self, ["platt_a_", "platt_b_"])
        return platt_probabilities(libsvm_decisions(self, X), self.platt_a_, self.platt_b_, len(self.classes_))

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """The log of `predict_proba`.

        Raises ``sklearn.exceptions.NotFittedError`` before `fit`.
        """
        return np.log(self.predict_proba(X))
