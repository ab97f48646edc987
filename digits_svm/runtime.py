"""Run a saved ``.mlmodel`` with NumPy, exactly as Core ML would, and prove it matches the pickle.

Core ML cannot execute models on Linux, yet we want proof that the ``.mlmodel`` the app
ships *is* the scikit-learn model in the pickle. Core ML evaluates a
``supportVectorClassifier`` spec with libsvm, so this module re-implements libsvm's
prediction path on the spec's own numbers:

- kernel values ``K(x, sv)`` for the linear, RBF, polynomial and sigmoid kernels, with the
  parameters read from the spec;
- one-vs-one decision values in libsvm's pair order ``(0, 1), (0, 2), ..., (k-2, k-1)``:
  ``dec[p] = sum(coef * K) - rho[p]``, positive meaning the first class of the pair;
- the label by votes (``dec > 0`` votes for the first class, otherwise the second; ties go
  to the smaller class index), or, when the spec has ``probA``/``probB``, by the largest
  probability: Platt's sigmoid per pair (clamped to [1e-7, 1 - 1e-7]) and, for more than two
  classes, libsvm's pairwise coupling (``multiclass_probability``). That is libsvm's
  ``svm_predict_probability``, which is what Core ML runs when probabilities are present.

`verify` then checks the runtime against the estimator itself (scikit-learn, an independent
implementation) on all 1,797 ``load_digits`` digits and thousands of random grids.
See ``docs/runtime.md``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import InvalidGridError, ModelFileError, VerificationError
from .grids import check_grids

__all__ = [
    "CoreMLRuntime",
    "coreml_predict",
    "verify",
    "ParityReport",
    "parity_grids",
    "DECISION_TOLERANCE",
    "PROBABILITY_TOLERANCE",
]

#: Largest allowed difference between runtime and estimator decision values in `verify`.
DECISION_TOLERANCE = 1e-9
#: Largest allowed difference between runtime and estimator probabilities in `verify`.
PROBABILITY_TOLERANCE = 1e-6

_KERNELS = ("linearKernel", "rbfKernel", "polyKernel", "sigmoidKernel")
_N_FEATURES = 64
_MIN_PROB = 1e-7  # libsvm's clamp of pairwise probabilities
_REBUILD = "rebuild it with digits-svm train"


def _array_type_name(data_type: int) -> str:
    from .coreml import _coremltools

    enum = _coremltools().proto.FeatureTypes_pb2.ArrayFeatureType.ArrayDataType
    try:
        return enum.Name(data_type)
    except ValueError:
        return str(data_type)


class CoreMLRuntime:
    """A Core ML support-vector classifier, executed with NumPy and libsvm's rules.

    Build it with `from_file` (a saved ``.mlmodel``) or `from_spec` (a
    ``coremltools.proto.Model_pb2.Model`` or an ``MLModel``); the spec is checked for
    consistency first, so a damaged or foreign model fails with `ModelFileError` rather
    than giving wrong answers.

    Attributes
    ----------
    classes_ : numpy.ndarray
        Class labels in the spec's order (int64, or str for string labels); the columns of
        `predict_proba` and the classes of the pairs in `decision_function` follow it.
    source : str
        Where the spec came from, used in messages.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from digits_svm import convert, load_grids
    >>> X, y = load_grids()
    >>> model = SVC(gamma=0.001).fit(X[:100], y[:100])
    >>> runtime = CoreMLRuntime.from_spec(convert(model, preprocessing={"method": "seed"}))
    >>> runtime.input_name, runtime.input_shape, runtime.kernel
    ('input', (8, 8), 'rbf')
    >>> runtime.metadata["preprocessing.method"], runtime.preprocessing_method
    ('seed', 'seed')
    >>> bool((runtime.predict(X[100:200]) == model.predict(X[100:200])).all())
    True
    """

    def __init__(self, spec: Any, *, source: str = "model spec"):
        self.source = source
        self._spec = spec
        self._parse(spec)

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> CoreMLRuntime:
        """Read a saved ``.mlmodel`` and prepare it for prediction.

        Parameters
        ----------
        path : str or PathLike
            A ``.mlmodel`` file holding a support-vector classifier.

        Returns
        -------
        CoreMLRuntime

        Raises
        ------
        ModelFileError
            The file is missing, empty, corrupt, or not a support-vector classifier with
            an 8x8 (or 64-value) input.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from sklearn.svm import SVC
        >>> from digits_svm import convert, load_grids
        >>> X, y = load_grids()
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.mlmodel"
        >>> _ = convert(SVC(gamma=0.001).fit(X[:100], y[:100]), path, preprocessing={"method": "seed"})
        >>> CoreMLRuntime.from_file(path).classes_.tolist()
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        """
        from .coreml import load_spec

        return cls(load_spec(path), source=str(path))

    @classmethod
    def from_spec(cls, spec: Any) -> CoreMLRuntime:
        """Prepare an in-memory spec (or a ``coremltools.models.MLModel``) for prediction.

        Parameters
        ----------
        spec : coremltools.proto.Model_pb2.Model or coremltools.models.MLModel
            The model; an ``MLModel`` is read through its ``get_spec()``.

        Returns
        -------
        CoreMLRuntime

        Raises
        ------
        ModelFileError
            The spec is not a consistent support-vector classifier with an 8x8 input.

        Examples
        --------
        >>> from sklearn.svm import SVC
        >>> from digits_svm import convert, load_grids
        >>> X, y = load_grids()
        >>> spec = convert(SVC(gamma=0.001).fit(X[:100], y[:100]), preprocessing={"method": "seed"}).get_spec()
        >>> CoreMLRuntime.from_spec(spec).has_probabilities
        False
        """
        if hasattr(spec, "get_spec") and not hasattr(spec, "WhichOneof"):
            spec = spec.get_spec()
        return cls(spec)

    def _fail(self, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.source}: {problem}; {_REBUILD}")

    def _parse(self, spec: Any) -> None:
        if not hasattr(spec, "WhichOneof") or not hasattr(spec, "description"):
            raise ModelFileError(
                f"expected a Core ML spec, an MLModel or a .mlmodel path, got {type(spec).__name__}; "
                "load a model with CoreMLRuntime.from_file(path)"
            )
        kind = spec.WhichOneof("Type")
        if kind != "supportVectorClassifier":
            raise ModelFileError(
                f"{self.source} holds a {kind or 'empty'} model, not a support-vector classifier; "
                "this runtime runs only the SVM classifiers digits_svm converts (digits-svm train)"
            )
        self._parse_input(spec.description)
        svc = spec.supportVectorClassifier
        self._parse_classes(svc)
        self._parse_support_vectors(svc)
        self._parse_kernel(svc.kernel)
        self._parse_coefficients(svc)
        self._metadata = dict(sorted(spec.description.metadata.userDefined.items()))

    def _parse_input(self, desc: Any) -> None:
        if len(desc.input) != 1:
            raise self._fail(f"the model has {len(desc.input)} inputs; expected one 8x8 grid")
        feature = desc.input[0]
        if feature.type.WhichOneof("Type") != "multiArrayType":
            raise self._fail(
                f"input {feature.name!r} is a {feature.type.WhichOneof('Type') or 'untyped'} feature, not a MultiArray"
            )
        array = feature.type.multiArrayType
        shape = tuple(int(s) for s in array.shape)
        if shape not in ((8, 8), (_N_FEATURES,)):
            raise self._fail(f"input {feature.name!r} has shape {list(shape)}; expected [8, 8] (or [64])")
        dtype = _array_type_name(array.dataType)
        if dtype not in ("DOUBLE", "FLOAT32"):
            raise self._fail(f"input {feature.name!r} holds {dtype} values; expected DOUBLE (or FLOAT32)")
        self._input_name = feature.name
        self._input_shape = shape
        self._input_dtype = dtype

    def _parse_classes(self, svc: Any) -> None:
        which = svc.WhichOneof("ClassLabels")
        if which == "int64ClassLabels":
            classes = np.array(list(svc.int64ClassLabels.vector), dtype=np.int64)
        elif which == "stringClassLabels":
            classes = np.array(list(svc.stringClassLabels.vector), dtype=str)
        else:
            raise self._fail("the classifier has no class labels")
        if len(classes) < 2 or len(set(classes.tolist())) != len(classes):
            raise self._fail(f"the classifier needs two or more distinct class labels, has {classes.tolist()}")
        self.classes_ = classes
        k = len(classes)
        pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
        self._pairs = np.array(pairs, dtype=np.intp).reshape(-1, 2)

    def _parse_support_vectors(self, svc: Any) -> None:
        k = len(self.classes_)
        counts = np.array(list(svc.numberOfSupportVectorsPerClass), dtype=np.int64)
        which = svc.WhichOneof("supportVectors")
        if which == "denseSupportVectors":
            rows = [list(v.values) for v in svc.denseSupportVectors.vectors]
            bad = [i for i, r in enumerate(rows) if len(r) != _N_FEATURES]
            if bad:
                raise self._fail(
                    f"support vector {bad[0]} has {len(rows[bad[0]])} values; an 8x8 model needs {_N_FEATURES}"
                )
            vectors = np.array(rows, dtype=np.float64).reshape(len(rows), _N_FEATURES)
        elif which == "sparseSupportVectors":
            vectors = self._dense_from_sparse(svc.sparseSupportVectors.vectors)
        else:
            raise self._fail("the classifier has no support vectors")
        if len(counts) != k or (counts < 0).any() or counts.sum() != len(vectors) or len(vectors) == 0:
            raise self._fail(
                f"support-vector counts per class {counts.tolist()} do not match {k} classes "
                f"and {len(vectors)} support vectors"
            )
        if not np.isfinite(vectors).all():
            raise self._fail("a support vector holds NaN or infinity")
        self._sv = vectors
        self._sv_sq = np.einsum("ij,ij->i", vectors, vectors)
        self._n_sv = counts

    def _dense_from_sparse(self, sparse_vectors: Any) -> np.ndarray:
        vectors = np.zeros((len(sparse_vectors), _N_FEATURES))
        for row, vector in enumerate(sparse_vectors):
            index = np.array([node.index for node in vector.nodes], dtype=np.int64)
            if index.size and (index.min() < 1 or index.max() > _N_FEATURES):
                raise self._fail(
                    f"sparse support vector {row} has index {int(index.min() if index.min() < 1 else index.max())}; "
                    f"indices run from 1 to {_N_FEATURES}"
                )
            if len(np.unique(index)) != len(index):
                raise self._fail(f"sparse support vector {row} repeats an index")
            vectors[row, index - 1] = [node.value for node in vector.nodes]
        return vectors

    def _parse_kernel(self, kernel: Any) -> None:
        which = kernel.WhichOneof("kernel")
        if which not in _KERNELS:
            raise self._fail("the classifier names no kernel (linear, RBF, polynomial or sigmoid)")
        params = getattr(kernel, which)
        self._kernel = which[: -len("Kernel")]
        self._gamma = float(getattr(params, "gamma", 0.0))
        self._coef0 = float(getattr(params, "c", 0.0))
        self._degree = int(getattr(params, "degree", 1))
        if not (np.isfinite(self._gamma) and np.isfinite(self._coef0)) or self._degree < 0:
            raise self._fail(f"the {self._kernel} kernel has invalid parameters")

    def _parse_coefficients(self, svc: Any) -> None:
        k = len(self.classes_)
        n_pairs = len(self._pairs)
        n_sv = len(self._sv)
        coef = [np.array(list(c.alpha), dtype=np.float64) for c in svc.coefficients]
        if len(coef) != k - 1 or any(len(c) != n_sv for c in coef):
            raise self._fail(
                f"expected {k - 1} coefficient arrays of {n_sv} values, found {[len(c) for c in coef]}"
            )
        rho = np.array(list(svc.rho), dtype=np.float64)
        if len(rho) != n_pairs:
            raise self._fail(f"expected {n_pairs} rho values (one per pair of classes), found {len(rho)}")
        prob_a = np.array(list(svc.probA), dtype=np.float64)
        prob_b = np.array(list(svc.probB), dtype=np.float64)
        if len(prob_a) or len(prob_b):
            if len(prob_a) != n_pairs or len(prob_b) != n_pairs:
                raise self._fail(
                    f"expected {n_pairs} probA and probB values, found {len(prob_a)} and {len(prob_b)}"
                )
        if not all(np.isfinite(a).all() for a in (*coef, rho, prob_a, prob_b)):
            raise self._fail("coefficients, rho or probA/probB hold NaN or infinity")
        # libsvm's layout: class i's SVs carry, in coefficients[j-1], their weight in pair (i, j),
        # and class j's SVs carry, in coefficients[i], theirs. One column per pair.
        start = np.concatenate([[0], np.cumsum(self._n_sv)[:-1]])
        weights = np.zeros((n_sv, n_pairs))
        for p, (i, j) in enumerate(self._pairs):
            rows_i = slice(start[i], start[i] + self._n_sv[i])
            rows_j = slice(start[j], start[j] + self._n_sv[j])
            weights[rows_i, p] = coef[j - 1][rows_i]
            weights[rows_j, p] = coef[i][rows_j]
        self._weights = weights
        self._rho = rho
        self._prob_a = prob_a if len(prob_a) else None
        self._prob_b = prob_b if len(prob_b) else None

    # -- properties ---------------------------------------------------------------------

    @property
    def input_name(self) -> str:
        """Name of the model's input feature (``"input"`` for digits_svm models)."""
        return self._input_name

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Declared shape of the input: ``(8, 8)``, or ``(64,)`` for coremltools' raw conversion."""
        return self._input_shape

    @property
    def metadata(self) -> dict[str, str]:
        """The spec's user-defined metadata (preprocessing, training parameters, versions), a copy."""
        return dict(self._metadata)

    @property
    def preprocessing_method(self) -> str | None:
        """The preprocessing method the metadata names (``preprocessing.method``), or None."""
        return self._metadata.get("preprocessing.method") or None

    @property
    def has_probabilities(self) -> bool:
        """Whether the spec carries Platt parameters (``probA``/``probB``), so `predict_proba` works."""
        return self._prob_a is not None

    @property
    def kernel(self) -> str:
        """The kernel: ``"linear"``, ``"rbf"``, ``"poly"`` or ``"sigmoid"``."""
        return self._kernel

    @property
    def n_support_vectors(self) -> int:
        """Total number of support vectors in the spec."""
        return len(self._sv)

    # -- prediction ---------------------------------------------------------------------

    def _features(self, grids: Any) -> np.ndarray:
        if isinstance(grids, Mapping):
            if set(grids) != {self._input_name}:
                raise InvalidGridError(
                    f"the model's input is named {self._input_name!r}, got keys {sorted(map(str, grids))}; "
                    f"pass {{{self._input_name!r}: grid}} or the grids themselves"
                )
            grids = grids[self._input_name]
        X = check_grids(grids, name=f"grids for input {self._input_name!r}").reshape(-1, _N_FEATURES)
        if self._input_dtype == "FLOAT32":
            X = X.astype(np.float32).astype(np.float64)  # what a Float32 MultiArray can hold
        return X

    def _kernel_matrix(self, X: np.ndarray) -> np.ndarray:
        dot = X @ self._sv.T
        if self._kernel == "linear":
            return dot
        if self._kernel == "rbf":
            sq = dot  # |x - s|^2 = |x|^2 + |s|^2 - 2 x.s, built in place
            sq *= -2.0
            sq += np.einsum("ij,ij->i", X, X)[:, None]
            sq += self._sv_sq[None, :]
            np.maximum(sq, 0.0, out=sq)  # rounding can make a zero distance slightly negative
            sq *= -self._gamma
            return np.exp(sq, out=sq)
        if self._kernel == "poly":
            return (self._gamma * dot + self._coef0) ** self._degree
        return np.tanh(self._gamma * dot + self._coef0)

    def _raw_decision(self, X: np.ndarray) -> np.ndarray:
        """libsvm's decision values: shape (n, pairs), positive means the pair's first class."""
        return self._kernel_matrix(X) @ self._weights - self._rho

    def _sklearn_sign(self, raw: np.ndarray) -> np.ndarray:
        """scikit-learn's sign convention: it flips libsvm's sign for two classes only."""
        return -raw if len(self.classes_) == 2 else raw

    def _evaluate(self, grids: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Labels, raw libsvm decision values and probabilities (None without probA/probB)."""
        raw = self._raw_decision(self._features(grids))
        if self.has_probabilities:
            proba = self._probabilities(raw)
            return self.classes_[np.argmax(proba, axis=1)], raw, proba
        return self.classes_[np.argmax(self._votes(raw), axis=1)], raw, None

    def _require_probabilities(self) -> None:
        if not self.has_probabilities:
            raise ModelFileError(
                f"{self.source} has no probabilities (its SVC was trained without probability=True); "
                "use predict(), or retrain with probability=True"
            )

    def _votes(self, raw: np.ndarray) -> np.ndarray:
        k = len(self.classes_)
        first = raw > 0  # libsvm: dec > 0 votes for i, anything else (0 included) for j
        votes = np.zeros((len(raw), k), dtype=np.int64)
        for c in range(k):
            votes[:, c] = (first & (self._pairs[:, 0] == c)).sum(1) + (~first & (self._pairs[:, 1] == c)).sum(1)
        return votes

    def _probabilities(self, raw: np.ndarray) -> np.ndarray:
        assert self._prob_a is not None and self._prob_b is not None  # callers check has_probabilities
        f = raw * self._prob_a + self._prob_b
        e = np.exp(-np.abs(f))
        # libsvm's sigmoid_predict, in its cancellation-free form, then its clamp.
        r = np.where(f >= 0, e / (1.0 + e), 1.0 / (1.0 + e))
        r = np.minimum(np.maximum(r, _MIN_PROB), 1.0 - _MIN_PROB)
        k = len(self.classes_)
        if k == 2:
            # libsvm >= 3 (and Core ML) return the pairwise probability itself for two classes.
            return np.column_stack([r[:, 0], 1.0 - r[:, 0]])
        pairwise = np.zeros((len(raw), k, k))
        i, j = self._pairs[:, 0], self._pairs[:, 1]
        pairwise[:, i, j] = r
        pairwise[:, j, i] = 1.0 - r
        return _couple(pairwise)

    def decision_function(self, grids: Any) -> np.ndarray:
        """One-vs-one decision values, as scikit-learn's ``decision_function_shape="ovo"``.

        Parameters
        ----------
        grids : array-like or mapping
            One grid (8, 8) or (64,), or a batch (n, 8, 8) or (n, 64), values 0..16; or
            ``{input_name: grids}`` as given to ``MLModel.predict``.

        Returns
        -------
        numpy.ndarray
            float64, shape (n, k(k-1)/2), pairs in libsvm's order (0, 1), (0, 2), ...,
            (k-2, k-1) over `classes_`. For more than two classes a positive value favours
            the pair's first class; for two classes the single column follows
            scikit-learn, which flips libsvm's sign: positive favours ``classes_[1]``.

        Examples
        --------
        >>> from sklearn.svm import SVC
        >>> from digits_svm import convert, load_grids
        >>> X, y = load_grids()
        >>> model = SVC(gamma=0.001, decision_function_shape="ovo").fit(X[:100], y[:100])
        >>> runtime = CoreMLRuntime.from_spec(convert(model, preprocessing={"method": "seed"}))
        >>> dec = runtime.decision_function(X[100:110])
        >>> dec.shape, bool(abs(dec - model.decision_function(X[100:110])).max() < 1e-12)
        ((10, 45), True)
        """
        return self._sklearn_sign(self._raw_decision(self._features(grids)))

    def predict(self, grids: Any) -> np.ndarray:
        """The label Core ML outputs as ``classLabel``.

        Without probabilities this is libsvm's vote (ties to the earliest class); with
        probabilities it is the class with the largest probability, as libsvm's
        ``svm_predict_probability`` returns, which can differ from scikit-learn's
        ``predict()`` (votes) on borderline grids.

        Parameters
        ----------
        grids : array-like or mapping
            As for `decision_function`.

        Returns
        -------
        numpy.ndarray
            shape (n,), dtype of `classes_` (int64 or str).

        Examples
        --------
        >>> from sklearn.svm import SVC
        >>> from digits_svm import convert, load_grids
        >>> X, y = load_grids()
        >>> model = SVC(gamma=0.001).fit(X[:100], y[:100])
        >>> runtime = CoreMLRuntime.from_spec(convert(model, preprocessing={"method": "seed"}))
        >>> runtime.predict(X[100:105]).tolist(), y[100:105].tolist()
        ([4, 0, 5, 3, 6], [4, 0, 5, 3, 6])
        >>> runtime.predict({"input": X[100].reshape(8, 8)}).tolist()
        [4]
        """
        return self._evaluate(grids)[0]

    def predict_proba(self, grids: Any) -> np.ndarray:
        """Class probabilities, as Core ML's ``classProbability`` output.

        Parameters
        ----------
        grids : array-like or mapping
            As for `decision_function`.

        Returns
        -------
        numpy.ndarray
            float64, shape (n, k), columns in `classes_` order, rows summing to 1.

        Raises
        ------
        ModelFileError
            The model was converted from an SVC trained without ``probability=True``.

        Examples
        --------
        >>> from sklearn.svm import SVC
        >>> from digits_svm import convert, load_grids
        >>> X, y = load_grids()
        >>> model = SVC(gamma=0.001, probability=True, random_state=0).fit(X[:100], y[:100])
        >>> runtime = CoreMLRuntime.from_spec(convert(model, preprocessing={"method": "seed"}))
        >>> proba = runtime.predict_proba(X[100:110])
        >>> proba.shape, bool(abs(proba - model.predict_proba(X[100:110])).max() < 1e-9)
        ((10, 10), True)
        """
        self._require_probabilities()
        return self._probabilities(self._raw_decision(self._features(grids)))

    def __repr__(self) -> str:
        return (
            f"CoreMLRuntime({self.source!r}, kernel={self._kernel!r}, classes={len(self.classes_)}, "
            f"support_vectors={len(self._sv)}, probabilities={self.has_probabilities})"
        )


def _couple(r: np.ndarray) -> np.ndarray:
    """libsvm's ``multiclass_probability`` (Wu, Lin and Weng, method 2), vectorised over samples.

    ``r`` has shape (n, k, k) with ``r[:, i, j]`` the probability of i against j. Each sample
    iterates until its own stopping test passes, exactly as libsvm does one sample at a time.
    """
    n, k, _ = r.shape
    r = r.copy()
    r[:, np.arange(k), np.arange(k)] = 0.0
    Q = -(r * r.transpose(0, 2, 1))  # Q[t][j] = -r[j][t] * r[t][j]
    Q[:, np.arange(k), np.arange(k)] = np.einsum("njt,njt->nt", r, r)  # sum over j != t of r[j][t]^2
    p = np.full((n, k), 1.0 / k)
    eps = 0.005 / k
    active = np.arange(n)
    for _ in range(max(100, k)):
        Qa, pa = Q[active], p[active]
        Qp = np.einsum("ntj,nj->nt", Qa, pa)
        pQp = np.einsum("nt,nt->n", pa, Qp)
        running = np.abs(Qp - pQp[:, None]).max(axis=1) >= eps
        active, Qa, pa, Qp, pQp = active[running], Qa[running], pa[running], Qp[running], pQp[running]
        if active.size == 0:
            break
        for t in range(k):
            qtt = Qa[:, t, t]
            diff = (pQp - Qp[:, t]) / qtt
            pa[:, t] += diff
            pQp = (pQp + diff * (diff * qtt + 2.0 * Qp[:, t])) / (1.0 + diff) / (1.0 + diff)
            Qp = (Qp + diff[:, None] * Qa[:, t, :]) / (1.0 + diff)[:, None]
            pa /= (1.0 + diff)[:, None]
        p[active] = pa
    return p


def _runtime(path_or_spec: Any) -> CoreMLRuntime:
    if isinstance(path_or_spec, CoreMLRuntime):
        return path_or_spec
    if isinstance(path_or_spec, (str, os.PathLike)):
        return CoreMLRuntime.from_file(path_or_spec)
    return CoreMLRuntime.from_spec(path_or_spec)


def coreml_predict(
    path_or_spec: Any,
    grids: Any,
    *,
    return_decision: bool = False,
    return_proba: bool = False,
) -> np.ndarray | tuple[np.ndarray, ...]:
    """Predict digits with a ``.mlmodel`` on any platform, as Core ML would on the phone.

    Parameters
    ----------
    path_or_spec : str, PathLike, spec, MLModel or CoreMLRuntime
        A saved ``.mlmodel``, an in-memory spec or ``MLModel``, or a prepared runtime.
    grids : array-like or mapping
        One grid (8, 8) or (64,), or a batch (n, 8, 8) or (n, 64), values 0..16.
    return_decision : bool, default False
        Also return the one-vs-one decision values (see `CoreMLRuntime.decision_function`).
    return_proba : bool, default False
        Also return the class probabilities (the model must have them).

    Returns
    -------
    labels : numpy.ndarray
        shape (n,), the ``classLabel`` output.
    decision : numpy.ndarray
        Only if ``return_decision``: shape (n, k(k-1)/2).
    proba : numpy.ndarray
        Only if ``return_proba``: shape (n, k), columns in class order.

    Raises
    ------
    ModelFileError
        The model file is missing, corrupt or not a supported SVM classifier, or
        probabilities were asked of a model without them.
    InvalidGridError
        The grids have the wrong shape or values outside 0..16.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from digits_svm import convert, load_grids
    >>> X, y = load_grids()
    >>> mlmodel = convert(SVC(gamma=0.001).fit(X[:100], y[:100]), preprocessing={"method": "seed"})
    >>> coreml_predict(mlmodel, X[100:105]).tolist()
    [4, 0, 5, 3, 6]
    >>> labels, decision = coreml_predict(mlmodel, X[100], return_decision=True)
    >>> labels.shape, decision.shape
    ((1,), (1, 45))
    """
    runtime = _runtime(path_or_spec)
    if return_proba:
        runtime._require_probabilities()
    labels, raw, proba = runtime._evaluate(grids)
    out: list[np.ndarray] = [labels]
    if return_decision:
        out.append(runtime._sklearn_sign(raw))
    if return_proba:
        assert proba is not None  # _require_probabilities() said so
        out.append(proba)
    return out[0] if len(out) == 1 else tuple(out)


@dataclass(frozen=True)
class ParityReport:
    """How closely a ``.mlmodel`` (run by `CoreMLRuntime`) matches its scikit-learn estimator.

    Attributes
    ----------
    n : int
        Number of grids compared (the 1,797 ``load_digits`` digits, then the random grids).
    n_agree : int
        Grids on which both give the same label.
    max_decision_diff : float
        Largest absolute difference between one-vs-one decision values.
    max_proba_diff : float or None
        Largest absolute difference between probabilities; None without probabilities.
    disagreements : tuple of int
        Indices (into the compared grids, digits first) of the first label disagreements,
        at most 20.
    ok : bool
        All labels agree, decision values within `DECISION_TOLERANCE` and probabilities
        within `PROBABILITY_TOLERANCE`.
    n_digits, n_random : int
        How many of the grids were ``load_digits`` digits and how many random.
    label_rule : str
        ``"votes"``, or ``"probabilities"`` when the model has them: Core ML then outputs
        the most probable class, so the estimator's label is taken as the argmax of its
        probabilities, not its ``predict()``.
    n_predict_differs : int or None
        With probabilities: on how many grids the estimator's ``predict()`` (votes) differs
        from the most probable class, i.e. from what Core ML outputs. None otherwise.
    n_predict_differs_digits : int or None
        The same count restricted to the ``load_digits`` digits.
    binary_platt : bool
        Two classes with probabilities: the estimator's probabilities were taken as Platt's
        sigmoid of its decision value (libsvm >= 3 and Core ML), because scikit-learn's
        ``predict_proba`` also runs pairwise coupling, which moves them by up to ~1e-4.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from digits_svm import convert, load_grids
    >>> X, y = load_grids()
    >>> model = SVC(gamma=0.001).fit(X[:100], y[:100])
    >>> report = verify(convert(model, preprocessing={"method": "seed"}), model, n_random=200)
    >>> report.ok, report.n == report.n_agree == 1_997
    (True, True)
    """

    n: int
    n_agree: int
    max_decision_diff: float
    max_proba_diff: float | None
    disagreements: tuple[int, ...]
    ok: bool
    n_digits: int = 0
    n_random: int = 0
    label_rule: str = "votes"
    n_predict_differs: int | None = None
    n_predict_differs_digits: int | None = None
    binary_platt: bool = False

    def summary(self) -> str:
        """One or two lines for people: agreement and the largest differences.

        Examples
        --------
        >>> ParityReport(n=12797, n_agree=12797, max_decision_diff=3.1e-15, max_proba_diff=None,
        ...              disagreements=(), ok=True).summary()
        '12,797 of 12,797 predictions agree; largest decision-value difference 3.1e-15'
        """
        text = f"{self.n_agree:,} of {self.n:,} predictions agree"
        if self.n_digits or self.n_random:
            text += f" ({self.n_digits:,} load_digits digits + {self.n_random:,} random grids)"
        text += f"; largest decision-value difference {self.max_decision_diff:.2g}"
        if self.max_proba_diff is not None:
            text += f", largest probability difference {self.max_proba_diff:.2g}"
        if not self.ok:
            problems = []
            if self.n_agree != self.n:
                shown = ", ".join(map(str, self.disagreements))
                problems.append(f"labels differ on {self.n - self.n_agree:,} grids (first: {shown})")
            if not self.max_decision_diff <= DECISION_TOLERANCE:
                problems.append(f"decision values differ by more than {DECISION_TOLERANCE:g}")
            if self.max_proba_diff is not None and not self.max_proba_diff <= PROBABILITY_TOLERANCE:
                problems.append(f"probabilities differ by more than {PROBABILITY_TOLERANCE:g}")
            text = "MISMATCH: " + text + "\n" + "; ".join(problems) + "; the .mlmodel is not this estimator"
        if self.label_rule == "probabilities":
            text += (
                "\nlabels compared as Core ML outputs them: the most probable class (argmax of predict_proba); "
                f"the estimator's predict() (votes) differs from it on {self.n_predict_differs:,} grids "
                f"({self.n_predict_differs_digits:,} of them digits)"
            )
            if self.binary_platt:
                text += "; two classes: probabilities are Platt's sigmoid without coupling, as Core ML computes them"
        return text

    def check(self) -> ParityReport:
        """Return the report if `ok`, else raise `VerificationError` with the summary.

        Examples
        --------
        >>> ParityReport(n=1, n_agree=1, max_decision_diff=0.0, max_proba_diff=None,
        ...              disagreements=(), ok=True).check().ok
        True
        """
        if not self.ok:
            raise VerificationError(
                self.summary().replace("\n", "; ") + "; convert the pickle again (digits-svm convert) and re-check"
            )
        return self


def parity_grids(n_random: int = 10_000, random_state: int = 0) -> tuple[np.ndarray, int]:
    """The grids `verify` compares on: all ``load_digits`` digits, then random grids.

    Half of the random grids (rounded down) hold integers 0..16, the others reals in [0, 16].

    Parameters
    ----------
    n_random : int, default 10_000
        Number of random grids.
    random_state : int, default 0
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    grids : numpy.ndarray
        float64, shape (1797 + n_random, 64).
    n_digits : int
        Number of leading rows that are ``load_digits`` digits (1797).

    Examples
    --------
    >>> grids, n_digits = parity_grids(10)
    >>> grids.shape, n_digits
    ((1807, 64), 1797)
    """
    from .data import load_grids

    if isinstance(n_random, bool) or not isinstance(n_random, (int, np.integer)) or n_random < 0:
        raise VerificationError(f"n_random must be a whole number >= 0, got {n_random!r}")
    digits, _ = load_grids()
    rng = np.random.default_rng(random_state)
    n_int = n_random // 2
    integers = rng.integers(0, 17, size=(n_int, _N_FEATURES)).astype(np.float64)
    reals = rng.uniform(0.0, 16.0, size=(n_random - n_int, _N_FEATURES))
    return np.vstack([digits, integers, reals]), len(digits)


def _max_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def verify(mlmodel: Any, estimator: Any, *, n_random: int = 10_000, random_state: int = 0) -> ParityReport:
    """Check that a ``.mlmodel`` computes what its scikit-learn estimator computes.

    The model is run with `CoreMLRuntime` (libsvm's rules on the spec's numbers) and the
    estimator with scikit-learn, on all 1,797 ``load_digits`` digits and ``n_random`` random
    grids (see `parity_grids`). Labels must agree everywhere, one-vs-one decision values
    within `DECISION_TOLERANCE` and probabilities within `PROBABILITY_TOLERANCE`.

    When the model has probabilities, Core ML outputs the most probable class, so the
    estimator's label is the argmax of its ``predict_proba`` (its ``predict()`` counts
    votes and can differ; the report counts how often).

    Parameters
    ----------
    mlmodel : str, PathLike, spec, MLModel or CoreMLRuntime
        The converted model.
    estimator : sklearn.svm.SVC
        The fitted estimator it was converted from (e.g. loaded from the pickle).
    n_random : int, default 10_000
        Number of random grids besides the digits.
    random_state : int, default 0
        Seed for the random grids.

    Returns
    -------
    ParityReport
        Use ``report.ok``, ``report.summary()``, or ``report.check()`` to raise on mismatch.

    Raises
    ------
    ModelFileError
        The model file is unreadable or not a supported SVM classifier.
    NotAnSVCError
        ``estimator`` is not a fitted SVC on 64 features.
    VerificationError
        The two cannot be compared at all: different classes, or only one of them has
        probabilities.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from digits_svm import convert, load_grids
    >>> X, y = load_grids()
    >>> model = SVC(gamma=0.001).fit(X[:100], y[:100])
    >>> report = verify(convert(model, preprocessing={"method": "seed"}), model, n_random=200)
    >>> report.ok, report.n, report.n_agree
    (True, 1997, 1997)
    """
    import copy

    from .persist import check_fitted_svc

    runtime = _runtime(mlmodel)
    check_fitted_svc(estimator, source="estimator")
    est_classes = np.asarray(estimator.classes_)
    if est_classes.tolist() != runtime.classes_.tolist():
        raise VerificationError(
            f"{runtime.source} has classes {runtime.classes_.tolist()} but the estimator has "
            f"{est_classes.tolist()}; they are different models, convert the estimator again"
        )
    est_proba = len(getattr(estimator, "probA_", ())) > 0
    if est_proba != runtime.has_probabilities:
        which = "the estimator" if est_proba else runtime.source
        raise VerificationError(
            f"only {which} has probabilities (probability=True); they are different models, "
            "convert the estimator again"
        )
    grids, n_digits = parity_grids(n_random, random_state)
    labels, raw, proba = runtime._evaluate(grids)

    ovo = copy.copy(estimator)  # shares the fitted arrays; only the output shape changes
    ovo.decision_function_shape = "ovo"
    ref_decision = ovo.decision_function(grids).reshape(len(grids), -1)
    max_decision = _max_abs_diff(runtime._sklearn_sign(raw), ref_decision)

    binary = len(est_classes) == 2
    predict_differs = predict_differs_digits = None
    max_proba = None
    if proba is not None:
        if binary:
            # Core ML (libsvm >= 3) returns Platt's sigmoid of the libsvm decision value
            # (-sklearn's); scikit-learn's bundled libsvm couples even two classes.
            from scipy.special import expit

            first = expit(ref_decision[:, 0] * estimator.probA_[0] - estimator.probB_[0])
            first = np.clip(first, _MIN_PROB, 1.0 - _MIN_PROB)
            ref_proba = np.column_stack([first, 1.0 - first])
        else:
            ref_proba = estimator.predict_proba(grids)
        max_proba = _max_abs_diff(proba, ref_proba)
        ref_labels = est_classes[np.argmax(ref_proba, axis=1)]
        differs = estimator.predict(grids) != ref_labels
        predict_differs = int(differs.sum())
        predict_differs_digits = int(differs[:n_digits].sum())
    else:
        ref_labels = estimator.predict(grids)

    agree = labels == ref_labels
    ok = bool(
        agree.all()
        and max_decision <= DECISION_TOLERANCE
        and (max_proba is None or max_proba <= PROBABILITY_TOLERANCE)
    )
    return ParityReport(
        n=len(grids),
        n_agree=int(agree.sum()),
        max_decision_diff=max_decision,
        max_proba_diff=max_proba,
        disagreements=tuple(int(i) for i in np.flatnonzero(~agree)[:20]),
        ok=ok,
        n_digits=n_digits,
        n_random=len(grids) - n_digits,
        label_rule="probabilities" if proba is not None else "votes",
        n_predict_differs=predict_differs,
        n_predict_differs_digits=predict_differs_digits,
        binary_platt=binary and proba is not None,
    )
