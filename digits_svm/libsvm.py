"""libsvm's prediction arithmetic on NumPy arrays: kernels, one-vs-one decisions, votes, Platt's sigmoid, coupling.

`LibsvmModel` takes the numbers `digits_svm.svm_spec` read from a spec and computes, once,
everything that depends only on the model (the pairwise coefficients as one matrix, the
squared norms of the support vectors, the class pairs, the index tables of the votes and
of the pairwise probabilities); each call then does only the arithmetic that depends on
the grids. The rules are libsvm's ``svm_predict`` and ``svm_predict_probability``
(see ``docs/runtime.md``), and the operations, their order and their shapes are those of
the runtime as it was first checked against scikit-learn, so every number it returns is
bit-for-bit what that runtime returned.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from .svm_spec import SVMSpec

__all__ = ["MIN_PROB", "SMALL_BATCH", "LibsvmModel", "couple"]

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


_einsum = _plain_einsum()


class LibsvmModel:
    """A support-vector classifier's numbers, prepared for libsvm's prediction rules.

    Parameters
    ----------
    spec : SVMSpec
        What `digits_svm.svm_spec.read_svm_spec` read.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from digits_svm import convert
    >>> from digits_svm.data import load_digits_grids
    >>> from digits_svm.svm_spec import read_svm_spec
    >>> X, y = load_digits_grids()
    >>> model = SVC(gamma=0.001).fit(X[:100], y[:100])
    >>> svm = LibsvmModel(read_svm_spec(convert(model, preprocessing={"method": "seed"}).get_spec()))
    >>> raw = svm.decision(X[100:105].reshape(-1, 64))
    >>> raw.shape, svm.vote_winners(raw).tolist()
    ((5, 45), [4, 0, 5, 3, 6])
    """

    def __init__(self, spec: SVMSpec):
        k = len(spec.classes)
        self.n_classes = k
        pairs = np.array([(i, j) for i in range(k) for j in range(i + 1, k)], dtype=np.intp).reshape(-1, 2)
        self.pairs = pairs
        sv = spec.support_vectors
        self._sv_t = sv.T  # a view, so the product below is the very BLAS call it always was
        self._sv_sq = np.einsum("ij,ij->i", sv, sv)
        self.kernel, self._gamma, self._coef0, self._degree = spec.kernel, spec.gamma, spec.coef0, spec.degree
        self._minus_gamma = -spec.gamma
        self._weights = _pair_weights(spec, pairs)
        self._rho = spec.rho
        self._prob_a, self._prob_b = spec.prob_a, spec.prob_b
        i, j = pairs[:, 0], pairs[:, 1]
        self._first, self._second = i, j
        self._upper = i * k + j  # flat index of (i, j) in a k x k matrix
        self._lower = j * k + i

    @property
    def has_probabilities(self) -> bool:
        """Whether the model has Platt parameters."""
        return self._prob_a is not None

    def kernel_matrix(self, X: np.ndarray) -> np.ndarray:
        """``K(x, sv)`` for every grid (row of ``X``, shape (n, 64)) and support vector."""
        dot = X @ self._sv_t
        if self.kernel == "linear":
            return dot
        if self.kernel == "rbf":
            sq = dot  # |x - s|^2 = |x|^2 + |s|^2 - 2 x.s, built in place
            sq *= -2.0
            sq += _einsum("ij,ij->i", X, X)[:, None]
            sq += self._sv_sq
            np.maximum(sq, 0.0, out=sq)  # rounding can make a zero distance slightly negative
            sq *= self._minus_gamma
            return np.exp(sq, out=sq)
        if self.kernel == "poly":
            return (self._gamma * dot + self._coef0) ** self._degree
        return np.tanh(self._gamma * dot + self._coef0)

    def decision(self, X: np.ndarray) -> np.ndarray:
        """libsvm's decision values: shape (n, pairs), positive means the pair's first class."""
        return self.kernel_matrix(X) @ self._weights - self._rho

    def vote_winners(self, raw: np.ndarray) -> np.ndarray:
        """Index of the class with most votes per grid; ties go to the smaller index (libsvm's ``svm_predict``)."""
        n, k = len(raw), self.n_classes
        winners = np.where(raw > 0, self._first, self._second)  # dec > 0 votes for i, anything else for j
        if n == 1:
            return np.bincount(winners[0], minlength=k).argmax(axis=0, keepdims=True)
        winners += (k * np.arange(n, dtype=np.intp))[:, None]
        return np.bincount(winners.ravel(), minlength=n * k).reshape(n, k).argmax(axis=1)

    def probabilities(self, raw: np.ndarray) -> np.ndarray:
        """libsvm's ``svm_predict_probability``: shape (n, k), columns in class order."""
        assert self._prob_a is not None and self._prob_b is not None  # callers check has_probabilities
        f = raw * self._prob_a + self._prob_b
        e = np.exp(-np.abs(f))
        # libsvm's sigmoid_predict, in its cancellation-free form, then its clamp.
        one_plus = 1.0 + e
        r = np.where(f >= 0, e / one_plus, 1.0 / one_plus)
        np.minimum(np.maximum(r, MIN_PROB, out=r), 1.0 - MIN_PROB, out=r)
        n, k = len(raw), self.n_classes
        if k == 2:
            # libsvm >= 3 (and Core ML) return the pairwise probability itself for two classes.
            return np.column_stack([r[:, 0], 1.0 - r[:, 0]])
        flat = np.zeros((n, k * k))
        flat[:, self._upper] = r
        flat[:, self._lower] = 1.0 - r
        pairwise = flat.reshape(n, k, k)
        if n <= SMALL_BATCH:
            return np.array([_couple_one(pairwise[m : m + 1]) for m in range(n)])
        return couple(pairwise)


def _pair_weights(spec: SVMSpec, pairs: np.ndarray) -> np.ndarray:
    """The dual coefficients as one (n_sv, pairs) matrix, so all decisions are one product.

    libsvm's layout: class i's SVs carry, in coefficients[j-1], their weight in pair (i, j),
    and class j's SVs carry, in coefficients[i], theirs. One column per pair.
    """
    counts, coef = spec.n_support, spec.coefficients
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    weights = np.zeros((len(spec.support_vectors), len(pairs)))
    for p, (i, j) in enumerate(pairs):
        rows_i = slice(start[i], start[i] + counts[i])
        rows_j = slice(start[j], start[j] + counts[j])
        weights[rows_i, p] = coef[j - 1][rows_i]
        weights[rows_j, p] = coef[i][rows_j]
    return weights


def _coupling_matrix(r: np.ndarray) -> np.ndarray:
    """Q of Wu, Lin and Weng's method 2 from pairwise probabilities r (n, k, k) with a zero diagonal."""
    k = r.shape[1]
    Q = -(r * r.transpose(0, 2, 1))  # Q[t][j] = -r[j][t] * r[t][j]
    Q.reshape(len(r), -1)[:, :: k + 1] = _einsum("njt,njt->nt", r, r)  # sum over j != t of r[j][t]^2
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
        Qp = _einsum("ntj,nj->nt", Qa, pa)
        pQp = _einsum("nt,nt->n", pa, Qp)
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
        Qp_array = _einsum("ntj,nj->nt", Q, p)
        pQp = float(_einsum("nt,nt->n", p, Qp_array)[0])
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

