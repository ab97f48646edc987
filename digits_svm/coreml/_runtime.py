"""Run a saved ``.mlmodel`` with NumPy, exactly as Core ML would: `CoreMLRuntime` and `coreml_predict`.

Core ML cannot execute models on Linux, yet we want proof that the ``.mlmodel`` the app
ships *is* the scikit-learn model in the pickle. Core ML evaluates a
``supportVectorClassifier`` spec with libsvm, so the runtime re-implements libsvm's
prediction path on the spec's own numbers, in three stages, one module each:

- `digits_svm.coreml._spec` reads the spec and checks it (`ModelFileError` for anything it
  cannot run faithfully);
- `digits_svm.coreml._libsvm` holds libsvm's arithmetic: kernel values, one-vs-one decision
  values in libsvm's pair order ``(0, 1), (0, 2), ..., (k-2, k-1)`` (``dec[p] = sum(coef
  * K) - rho[p]``, positive meaning the pair's first class), the vote (ties to the smaller
  class index), and, when the spec has ``probA``/``probB``, Platt's sigmoid per pair
  (clamped to [1e-7, 1 - 1e-7]) and libsvm's pairwise coupling: ``svm_predict_probability``,
  which is what Core ML runs when probabilities are present;
- this module answers: it checks the grids a caller gives and returns labels, decision
  values and probabilities as Core ML outputs them.

`digits_svm.coreml.verify` then checks the runtime against
the estimator itself (scikit-learn, an independent implementation) on all 1,797
``load_digits`` digits and thousands of random grids. See ``docs/runtime.md``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._validation import check_bool, check_grids, check_instance
from ..errors import InvalidGridError, ModelFileError
from ._convert import load_spec
from ._libsvm import LibsvmModel
from ._spec import N_FEATURES, read_svm_spec

__all__ = [
    "CoreMLRuntime",
    "coreml_predict",
    "as_runtime",
]


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
    >>> runtime = CoreMLRuntime.from_spec(mlmodel)
    >>> runtime.input_name, runtime.input_shape, runtime.kernel
    ('input', (8, 8), 'rbf')
    >>> runtime.metadata["preprocessing.method"], runtime.preprocessing_method
    ('seed', 'seed')
    >>> bool((runtime.predict(X[100:200]) == svc.predict(X[100:200])).all())
    True
    """

    def __init__(self, spec: Any, *, source: str = "model spec"):
        self.source = check_instance(source, "source", str, "a string (where the spec came from, for messages)")
        self._spec = spec
        svm = read_svm_spec(spec, source)
        self.classes_ = svm.classes
        self._input_name, self._input_shape, self._input_dtype = svm.input_name, svm.input_shape, svm.input_dtype
        self._float32 = svm.input_dtype == "FLOAT32"
        self._metadata = svm.metadata
        self._n_sv = len(svm.support_vectors)
        self._libsvm = LibsvmModel(svm)
        self._binary = len(svm.classes) == 2
        self._grids_name = f"grids for input {svm.input_name!r}"

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
        >>> from digits_svm import convert
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.mlmodel"
        >>> _ = convert(svc, path, preprocessing={"method": "seed"})
        >>> CoreMLRuntime.from_file(path).classes_.tolist()
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        """
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
        >>> spec = mlmodel.get_spec()
        >>> CoreMLRuntime.from_spec(spec).has_probabilities
        False
        """
        if hasattr(spec, "get_spec") and not hasattr(spec, "WhichOneof"):
            spec = spec.get_spec()
        return cls(spec)

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
        return self._libsvm.has_probabilities

    @property
    def kernel(self) -> str:
        """The kernel: ``"linear"``, ``"rbf"``, ``"poly"`` or ``"sigmoid"``."""
        return self._libsvm.kernel

    @property
    def n_support_vectors(self) -> int:
        """Total number of support vectors in the spec."""
        return self._n_sv

    # -- prediction ---------------------------------------------------------------------

    def _features(self, grids: Any) -> np.ndarray:
        if isinstance(grids, Mapping):
            if set(grids) != {self._input_name}:
                raise InvalidGridError(
                    f"the model's input is named {self._input_name!r}, got keys {sorted(map(str, grids))}; "
                    f"pass {{{self._input_name!r}: grid}} or the grids themselves"
                )
            grids = grids[self._input_name]
        X = check_grids(grids, name=self._grids_name).reshape(-1, N_FEATURES)
        if self._float32:
            X = X.astype(np.float32).astype(np.float64)  # what a Float32 MultiArray can hold
        return X

    def _sklearn_sign(self, raw: np.ndarray) -> np.ndarray:
        """scikit-learn's sign convention: it flips libsvm's sign for two classes only."""
        return -raw if self._binary else raw

    def _evaluate(self, grids: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Labels, raw libsvm decision values and probabilities (None without probA/probB)."""
        libsvm = self._libsvm
        raw = libsvm.decision(self._features(grids))
        if libsvm.has_probabilities:
            proba = libsvm.probabilities(raw)
            return self.classes_[np.argmax(proba, axis=1)], raw, proba
        return self.classes_[libsvm.vote_winners(raw)], raw, None

    def _require_probabilities(self) -> None:
        if not self._libsvm.has_probabilities:
            raise ModelFileError(
                f"{self.source} has no probabilities (its SVC was trained without probability=True); "
                "use predict(), or retrain with probability=True"
            )

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
        >>> from digits_svm import convert
        >>> model = SVC(gamma=0.001, decision_function_shape="ovo").fit(X[:100], y[:100])
        >>> runtime = CoreMLRuntime.from_spec(convert(model, preprocessing={"method": "seed"}))
        >>> dec = runtime.decision_function(X[100:110])
        >>> dec.shape, bool(abs(dec - model.decision_function(X[100:110])).max() < 1e-12)
        ((10, 45), True)
        """
        return self._sklearn_sign(self._libsvm.decision(self._features(grids)))

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
        >>> runtime = CoreMLRuntime.from_spec(mlmodel)
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
        >>> from digits_svm.model import PlattSVC
        >>> from digits_svm import convert
        >>> model = PlattSVC(gamma=0.001, random_state=0).fit(X[:100], y[:100])
        >>> runtime = CoreMLRuntime.from_spec(convert(model, preprocessing={"method": "seed"}))
        >>> proba = runtime.predict_proba(X[100:110])
        >>> proba.shape, bool(abs(proba - model.predict_proba(X[100:110])).max() < 1e-9)
        ((10, 10), True)
        """
        self._require_probabilities()
        return self._libsvm.probabilities(self._libsvm.decision(self._features(grids)))

    def __repr__(self) -> str:
        return (
            f"CoreMLRuntime({self.source!r}, kernel={self.kernel!r}, classes={len(self.classes_)}, "
            f"support_vectors={self._n_sv}, probabilities={self.has_probabilities})"
        )


def as_runtime(path_or_spec: Any) -> CoreMLRuntime:
    """``path_or_spec`` as a `CoreMLRuntime`: a runtime itself, a ``.mlmodel`` path, or a spec."""
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
    InvalidParameterError
        ``return_decision`` or ``return_proba`` is not True or False.
    ModelFileError
        The model file is missing, corrupt or not a supported SVM classifier, or
        probabilities were asked of a model without them.
    InvalidGridError
        The grids have the wrong shape or values outside 0..16.

    Examples
    --------
    >>> coreml_predict(mlmodel, X[100:105]).tolist()
    [4, 0, 5, 3, 6]
    >>> labels, decision = coreml_predict(mlmodel, X[100], return_decision=True)
    >>> labels.shape, decision.shape
    ((1,), (1, 45))
    """
    check_bool(return_decision, "return_decision")
    check_bool(return_proba, "return_proba")
    runtime = as_runtime(path_or_spec)
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
