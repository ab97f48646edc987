"""libsvm's prediction arithmetic on a spec's numbers: kernels, one-vs-one decisions, votes, probabilities.

`LibsvmModel` takes the numbers `digits_svm.coreml._spec` read from a spec and computes, once,
everything that depends only on the model (the pairwise coefficients as one matrix, the
support vectors times -2 and their squared norms, the class pairs, the vote table); each
call then does only the arithmetic that depends on the grids. The rules are libsvm's
``svm_predict`` and ``svm_predict_probability`` (see ``docs/runtime.md``); the
probabilities are `digits_svm.model._calibration.platt_probabilities`, the code that a fitted
`digits_svm.model.PlattSVC` answers with too. Every number it returns is bit-for-bit
what the plain formulas give (with the same NumPy and BLAS): the BLAS products have the
same shapes, and the rearrangements (-2 folded into the support vectors, the clamp of
negative distances, votes counted by a product) are exact. The one exception is one grid
against a model whose weights pass `ONE_GRID_BY_CLASS_ABOVE` (see `LibsvmModel.decision`):
its sums run in another order, and its decision values move by about 1e-13.
"""

from __future__ import annotations

import numpy as np

from ..model._calibration import einsum, platt_probabilities
from ._spec import SVMSpec

__all__ = ["LibsvmModel"]

#: Above this many bytes of pairwise weights (a core's cache here), one grid is weighed class
#: by class instead of by the whole (n_sv, pairs) matrix, of which each pair reads only the
#: support vectors of its two classes (see `LibsvmModel.decision`).
ONE_GRID_BY_CLASS_ABOVE = 1 << 20


class LibsvmModel:
    """A support-vector classifier's numbers, prepared for libsvm's prediction rules.

    Parameters
    ----------
    spec : SVMSpec
        What `digits_svm.coreml._spec.read_svm_spec` read.

    Examples
    --------
    >>> from digits_svm.coreml._spec import read_svm_spec
    >>> svm = LibsvmModel(read_svm_spec(mlmodel.get_spec()))
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
        self._sv_t = sv.T  # a view, so the product below is the plain X @ s.T BLAS call
        # -2 s, for the RBF kernel's -2 x.s: scaling by a power of two is exact, so X @ (-2 s).T
        # gives the very bits of (X @ s.T) * -2, one pass over the kernel matrix fewer
        self._minus_2sv_t = (-2.0 * sv).T
        self._sv_sq = np.einsum("ij,ij->i", sv, sv)
        self.kernel, self._gamma, self._coef0, self._degree = spec.kernel, spec.gamma, spec.coef0, spec.degree
        self._minus_gamma = -spec.gamma
        self._weights = _pair_weights(spec, pairs)
        large = self._weights.nbytes > ONE_GRID_BY_CLASS_ABOVE
        self._by_class = _class_weights(self._weights, spec.n_support, pairs) if large else None
        self._rho = spec.rho
        self._prob_a, self._prob_b = spec.prob_a, spec.prob_b
        i, j = pairs[:, 0], pairs[:, 1]
        self._first, self._second = i, j
        # votes of a batch as one product: (dec > 0) @ _vote_for + _votes_if_all_lost counts
        # each class's votes (a pair votes for i when dec > 0, for j otherwise), exactly
        self._vote_for = np.zeros((len(pairs), k))
        self._vote_for[np.arange(len(pairs)), i] = 1.0
        self._vote_for[np.arange(len(pairs)), j] = -1.0
        self._votes_if_all_lost = np.bincount(j, minlength=k).astype(np.float64)

    @property
    def has_probabilities(self) -> bool:
        """Whether the model has Platt parameters."""
        return self._prob_a is not None

    def kernel_matrix(self, X: np.ndarray) -> np.ndarray:
        """``K(x, sv)`` for every grid (row of ``X``, shape (n, 64)) and support vector."""
        if self.kernel == "rbf":
            sq = X @ self._minus_2sv_t  # |x - s|^2 = |x|^2 + |s|^2 - 2 x.s, built in place
            sq += einsum("ij,ij->i", X, X)[:, None]
            sq += self._sv_sq
            # Rounding can make a zero distance slightly negative; clamped to 0, its kernel is
            # exp(-gamma * 0) = 1. Whole-number grids never round, and looking for a negative
            # costs a sixth of clamping them all, so look first and set those kernels to 1.
            below = sq < 0.0 if np.minimum.reduce(sq, axis=None) < 0.0 else None
            sq *= self._minus_gamma
            np.exp(sq, out=sq)
            if below is not None:
                sq[below] = 1.0
            return sq
        dot = X @ self._sv_t
        if self.kernel == "linear":
            return dot
        if self.kernel == "poly":
            return (self._gamma * dot + self._coef0) ** self._degree
        return np.tanh(self._gamma * dot + self._coef0)

    def decision(self, X: np.ndarray) -> np.ndarray:
        """libsvm's decision values: shape (n, pairs), positive means the pair's first class.

        A batch is one product with the (n_sv, pairs) weights. One grid against a model
        whose weights outgrow `ONE_GRID_BY_CLASS_ABOVE` (the ``app`` preset's: 8,892
        support vectors, 3.9 MB, four fifths zeros) is weighed class by class instead,
        reading only the coefficients a pair uses: about a quarter of the time. Its sums
        then run in another order than the batch's, as one grid's always did (a
        matrix-vector product against a matrix product): the two agree to about 1e-13.
        """
        K = self.kernel_matrix(X)
        if self._by_class is not None and len(K) == 1:
            return self._one_by_class(K[0], *self._by_class)
        raw = K @ self._weights
        raw -= self._rho
        return raw

    def _one_by_class(
        self, k_row: np.ndarray, blocks: list[tuple[slice, np.ndarray]], first: np.ndarray, second: np.ndarray
    ) -> np.ndarray:
        """Decision values of one grid from its kernel row, class by class (see `decision` and `_class_weights`)."""
        width = self.n_classes - 1
        shares = np.empty(len(blocks) * width)  # shares[c * width + s]: class c's SVs' sum in its pair with its s-th other class
        for c, (rows, weights) in enumerate(blocks):
            np.matmul(k_row[rows], weights, out=shares[c * width : (c + 1) * width])
        raw = shares[first]
        raw += shares[second]
        raw -= self._rho
        return raw[None, :]

    def vote_winners(self, raw: np.ndarray) -> np.ndarray:
        """Index of the class with most votes per grid; ties go to the smaller index (libsvm's ``svm_predict``)."""
        if len(raw) == 1:  # a count of 45 winners costs less than a product here
            winners = np.where(raw[0] > 0, self._first, self._second)  # dec > 0 votes for i, anything else for j
            return np.bincount(winners, minlength=self.n_classes).argmax(axis=0, keepdims=True)
        return ((raw > 0) @ self._vote_for + self._votes_if_all_lost).argmax(axis=1)

    def probabilities(self, raw: np.ndarray) -> np.ndarray:
        """libsvm's ``svm_predict_probability``: shape (n, k), columns in class order."""
        assert self._prob_a is not None and self._prob_b is not None  # callers check has_probabilities
        return platt_probabilities(raw, self._prob_a, self._prob_b, self.n_classes)


def _class_weights(
    weights: np.ndarray, counts: np.ndarray, pairs: np.ndarray
) -> tuple[list[tuple[slice, np.ndarray]], np.ndarray, np.ndarray]:
    """`_pair_weights`' matrix class by class, for one grid against a large model (`LibsvmModel.decision`).

    Per class c: its support vectors' rows and their (n_c, k-1) weights, column s for its
    pair with the s-th other class (in class order): the nonzero part of those rows. Then,
    per pair (i, j), where the shares of i's and of j's support vectors lie in the
    concatenated sums of those products: i's share is in i's column j - 1 (j > i), j's in
    j's column i.
    """
    k = len(counts)
    pair_of = np.zeros((k, k), dtype=np.intp)  # pair_of[a, b]: the column of the pair of classes a and b
    pair_of[pairs[:, 0], pairs[:, 1]] = pair_of[pairs[:, 1], pairs[:, 0]] = np.arange(len(pairs))
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    blocks = []
    for c in range(k):
        rows = slice(int(start[c]), int(start[c] + counts[c]))
        # C order (indexing the columns gives F order): the layout the bits were checked with
        blocks.append((rows, np.ascontiguousarray(weights[rows][:, np.delete(pair_of[c], c)])))
    i, j = pairs[:, 0], pairs[:, 1]
    return blocks, i * (k - 1) + j - 1, j * (k - 1) + i


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
