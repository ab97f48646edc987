"""Read a Core ML support-vector classifier spec into checked NumPy arrays, refusing what cannot be run faithfully.

This is the model-reading stage of the runtime (`digits_svm.coreml._runtime`): every number the
prediction needs is taken from the spec here, in libsvm's own layout, and checked for
consistency, so a damaged or foreign model fails with `ModelFileError` before any
prediction. `digits_svm.coreml._libsvm` does the arithmetic on what this returns.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ModelFileError
from ._convert import import_coremltools

__all__ = ["KERNELS", "N_FEATURES", "MAX_SUPPORT_VECTORS", "MAX_SPARSE_EXPANSION", "SVMSpec", "read_svm_spec"]

#: The kernels a spec may name (``<name>Kernel`` in the protobuf).
KERNELS = ("linear", "rbf", "poly", "sigmoid")
#: Values per input grid and per support vector: 8 x 8.
N_FEATURES = 64
_REBUILD = "rebuild it with digits-svm train"
#: The most support vectors a spec may declare (the app preset's has about 9,000).
MAX_SUPPORT_VECTORS = 1_000_000
#: How many times its own bytes a spec's sparse support vectors may unpack to.
MAX_SPARSE_EXPANSION = 16


@dataclass(frozen=True, eq=False)
class SVMSpec:
    """The numbers of a ``supportVectorClassifier`` spec, as libsvm holds them, checked.

    Attributes
    ----------
    source : str
        Where the spec came from, used in messages.
    input_name : str
        The single input feature's name.
    input_shape : tuple of int
        ``(8, 8)`` or ``(64,)``.
    input_dtype : str
        ``"DOUBLE"`` or ``"FLOAT32"``.
    classes : numpy.ndarray
        Class labels in the spec's order (int64 or str).
    support_vectors : numpy.ndarray
        float64, shape (n_sv, 64), grouped by class.
    n_support : numpy.ndarray
        int64, support vectors per class, in class order.
    coefficients : tuple of numpy.ndarray
        The k - 1 arrays of n_sv dual coefficients (libsvm's ``sv_coef``).
    rho : numpy.ndarray
        One per pair of classes, pairs in libsvm's order (0, 1), (0, 2), ..., (k-2, k-1).
    prob_a, prob_b : numpy.ndarray or None
        Platt's parameters per pair, or None when the spec has no probabilities.
    kernel : str
        One of `KERNELS`.
    gamma, coef0 : float
    degree : int
    metadata : dict of str to str
        The spec's user-defined metadata, sorted by key.
    """

    source: str
    input_name: str
    input_shape: tuple[int, ...]
    input_dtype: str
    classes: np.ndarray
    support_vectors: np.ndarray
    n_support: np.ndarray
    coefficients: tuple[np.ndarray, ...]
    rho: np.ndarray
    prob_a: np.ndarray | None
    prob_b: np.ndarray | None
    kernel: str
    gamma: float
    coef0: float
    degree: int
    metadata: dict[str, str]


def _array_type_name(data_type: int) -> str:
    enum = import_coremltools().proto.FeatureTypes_pb2.ArrayFeatureType.ArrayDataType
    try:
        return enum.Name(data_type)
    except ValueError:
        return str(data_type)


def read_svm_spec(spec: Any, source: str = "model spec") -> SVMSpec:
    """Check a ``coremltools.proto.Model_pb2.Model`` and take its support-vector classifier's numbers.

    Parameters
    ----------
    spec : coremltools.proto.Model_pb2.Model
        The spec (``MLModel.get_spec()``, or `digits_svm.coreml.load_spec`).
    source : str
        Where it came from (a path), named in messages (`CoreMLRuntime` checks it).

    Returns
    -------
    SVMSpec

    Raises
    ------
    ModelFileError
        Not a spec, not a support-vector classifier, an input that is not one 8x8 (or
        64-value) Double/Float32 MultiArray, or inconsistent numbers.

    Examples
    --------
    >>> spec = mlmodel.get_spec()
    >>> svm = read_svm_spec(spec)
    >>> svm.kernel, svm.input_shape, svm.support_vectors.shape[1], len(svm.rho)
    ('rbf', (8, 8), 64, 45)
    """
    return _Reader(source).read(spec)


class _Reader:
    """One spec's reading; holds the source so every refusal can name it."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.source}: {problem}; {_REBUILD}")

    def read(self, spec: Any) -> SVMSpec:
        if isinstance(spec, (str, os.PathLike)):
            raise ModelFileError(
                f"got the path {str(spec)!r} where a Core ML spec is read; load the file with "
                f"CoreMLRuntime.from_file({str(spec)!r}) (or digits_svm.coreml.load_spec)"
            )
        if not hasattr(spec, "WhichOneof") or not hasattr(spec, "description"):
            raise ModelFileError(
                f"expected a Core ML spec (a coremltools Model_pb2.Model), got {type(spec).__name__}; "
                "load a .mlmodel file with CoreMLRuntime.from_file(path)"
            )
        kind = spec.WhichOneof("Type")
        if kind != "supportVectorClassifier":
            raise ModelFileError(
                f"{self.source} holds a {kind or 'empty'} model, not a support-vector classifier; "
                "this runtime runs only the SVM classifiers digits_svm converts (digits-svm train)"
            )
        name, shape, dtype = self.input(spec.description)
        svc = spec.supportVectorClassifier
        classes = self.classes(svc)
        vectors, counts = self.support_vectors(svc, len(classes))
        kernel, gamma, coef0, degree = self.kernel(svc.kernel)
        coef, rho, prob_a, prob_b = self.coefficients(svc, len(classes), len(vectors))
        return SVMSpec(
            source=self.source, input_name=name, input_shape=shape, input_dtype=dtype,
            classes=classes, support_vectors=vectors, n_support=counts, coefficients=coef, rho=rho,
            prob_a=prob_a, prob_b=prob_b, kernel=kernel, gamma=gamma, coef0=coef0, degree=degree,
            metadata=dict(sorted(spec.description.metadata.userDefined.items())),
        )

    def input(self, desc: Any) -> tuple[str, tuple[int, ...], str]:
        if len(desc.input) != 1:
            raise self.fail(f"the model has {len(desc.input)} inputs; expected one 8x8 grid")
        feature = desc.input[0]
        if feature.type.WhichOneof("Type") != "multiArrayType":
            raise self.fail(
                f"input {feature.name!r} is a {feature.type.WhichOneof('Type') or 'untyped'} feature, not a MultiArray"
            )
        array = feature.type.multiArrayType
        shape = tuple(int(s) for s in array.shape)
        if shape not in ((8, 8), (N_FEATURES,)):
            raise self.fail(f"input {feature.name!r} has shape {list(shape)}; expected [8, 8] (or [64])")
        dtype = _array_type_name(array.dataType)
        if dtype not in ("DOUBLE", "FLOAT32"):
            raise self.fail(f"input {feature.name!r} holds {dtype} values; expected DOUBLE (or FLOAT32)")
        return feature.name, shape, dtype

    def classes(self, svc: Any) -> np.ndarray:
        which = svc.WhichOneof("ClassLabels")
        if which == "int64ClassLabels":
            classes = np.array(list(svc.int64ClassLabels.vector), dtype=np.int64)
        elif which == "stringClassLabels":
            classes = np.array(list(svc.stringClassLabels.vector), dtype=str)
        else:
            raise self.fail("the classifier has no class labels")
        if len(classes) < 2 or len(set(classes.tolist())) != len(classes):
            raise self.fail(f"the classifier needs two or more distinct class labels, has {classes.tolist()}")
        return classes

    def support_vectors(self, svc: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
        counts = np.array(list(svc.numberOfSupportVectorsPerClass), dtype=np.int64)
        which = svc.WhichOneof("supportVectors")
        self.check_sizes(svc, which)
        if which == "denseSupportVectors":
            rows = [list(v.values) for v in svc.denseSupportVectors.vectors]
            bad = [i for i, r in enumerate(rows) if len(r) != N_FEATURES]
            if bad:
                raise self.fail(
                    f"support vector {bad[0]} has {len(rows[bad[0]])} values; an 8x8 model needs {N_FEATURES}"
                )
            vectors = np.array(rows, dtype=np.float64).reshape(len(rows), N_FEATURES)
        elif which == "sparseSupportVectors":
            vectors = self.dense_from_sparse(svc.sparseSupportVectors.vectors)
        else:
            raise self.fail("the classifier has no support vectors")
        if len(counts) != k or (counts < 0).any() or counts.sum() != len(vectors) or len(vectors) == 0:
            raise self.fail(
                f"support-vector counts per class {counts.tolist()} do not match {k} classes "
                f"and {len(vectors)} support vectors"
            )
        if not np.isfinite(vectors).all():
            raise self.fail("a support vector holds NaN or infinity")
        return vectors, counts

    def check_sizes(self, svc: Any, which: str | None) -> None:
        """Refuse declared sizes the spec cannot hold, before any array is built from them.

        At most `MAX_SUPPORT_VECTORS`; and sparse vectors, which may hold no value at all,
        may not unpack to more than `MAX_SPARSE_EXPANSION` times the spec's own bytes (a
        real model's unpack to about 1.3 times).
        """
        n = len(getattr(svc, which).vectors) if which in ("denseSupportVectors", "sparseSupportVectors") else 0
        if n > MAX_SUPPORT_VECTORS:
            raise self.fail(f"it declares {n:,} support vectors, more than {MAX_SUPPORT_VECTORS:,}")
        if which == "sparseSupportVectors":
            unpacked, held = n * N_FEATURES * 8, svc.ByteSize()
            if unpacked > MAX_SPARSE_EXPANSION * held + 1_000_000:
                raise self.fail(f"its {n:,} sparse support vectors would unpack to {unpacked:,} bytes from {held:,}; "
                                "it declares far more than it holds")

    def dense_from_sparse(self, sparse_vectors: Any) -> np.ndarray:
        vectors = np.zeros((len(sparse_vectors), N_FEATURES))
        for row, vector in enumerate(sparse_vectors):
            index = np.array([node.index for node in vector.nodes], dtype=np.int64)
            if index.size and (index.min() < 1 or index.max() > N_FEATURES):
                raise self.fail(
                    f"sparse support vector {row} has index {int(index.min() if index.min() < 1 else index.max())}; "
                    f"indices run from 1 to {N_FEATURES}"
                )
            if len(np.unique(index)) != len(index):
                raise self.fail(f"sparse support vector {row} repeats an index")
            vectors[row, index - 1] = [node.value for node in vector.nodes]
        return vectors

    def kernel(self, kernel: Any) -> tuple[str, float, float, int]:
        which = kernel.WhichOneof("kernel")
        if which not in tuple(f"{k}Kernel" for k in KERNELS):
            raise self.fail("the classifier names no kernel (linear, RBF, polynomial or sigmoid)")
        params = getattr(kernel, which)
        name = which[: -len("Kernel")]
        gamma = float(getattr(params, "gamma", 0.0))
        coef0 = float(getattr(params, "c", 0.0))
        degree = int(getattr(params, "degree", 1))
        if not (np.isfinite(gamma) and np.isfinite(coef0)) or degree < 0:
            raise self.fail(f"the {name} kernel has invalid parameters")
        return name, gamma, coef0, degree

    def coefficients(
        self, svc: Any, k: int, n_sv: int
    ) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray | None, np.ndarray | None]:
        n_pairs = k * (k - 1) // 2
        coef = tuple(np.array(list(c.alpha), dtype=np.float64) for c in svc.coefficients)
        if len(coef) != k - 1 or any(len(c) != n_sv for c in coef):
            raise self.fail(
                f"expected {k - 1} coefficient arrays of {n_sv} values, found {[len(c) for c in coef]}"
            )
        rho = np.array(list(svc.rho), dtype=np.float64)
        if len(rho) != n_pairs:
            raise self.fail(f"expected {n_pairs} rho values (one per pair of classes), found {len(rho)}")
        prob_a = np.array(list(svc.probA), dtype=np.float64)
        prob_b = np.array(list(svc.probB), dtype=np.float64)
        if len(prob_a) or len(prob_b):
            if len(prob_a) != n_pairs or len(prob_b) != n_pairs:
                raise self.fail(
                    f"expected {n_pairs} probA and probB values, found {len(prob_a)} and {len(prob_b)}"
                )
        if not all(np.isfinite(a).all() for a in (*coef, rho, prob_a, prob_b)):
            raise self.fail("coefficients, rho or probA/probB hold NaN or infinity")
        has_proba = len(prob_a) > 0
        return coef, rho, prob_a if has_proba else None, prob_b if has_proba else None
