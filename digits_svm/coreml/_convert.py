"""Conversion of the fitted SVC to a Core ML ``.mlmodel``, and reading its interface.

The file's interface is the contract with the app:

- input ``input``: MultiArray Double of shape [8, 8], row-major, row 0 at the top,
  values 0..16 (the output of ``digits_svm.preprocess``);
- output ``classLabel``: Int64, the predicted digit;
- with ``probability=True`` also ``classProbability``: a dictionary Int64 -> Double.

The model is a ``supportVectorClassifier`` spec (which Core ML evaluates with libsvm),
built here from the fitted SVC with coremltools' protobuf classes, field for field as
coremltools 9.0's scikit-learn converter builds it (`svc_spec`); the converter itself is
not called, as it refuses any scikit-learn newer than 1.5.1. `build_spec` then sets the
app's interface and metadata and validates the spec, which is serialised
deterministically, so the same model always gives the same bytes.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import sklearn

from .._files import atomic_write_bytes, read_bytes, sha256_bytes
from .._validation import check_instance, check_path
from .._version import __version__
from ..datasets._training_data import NOT_A_DIGIT
from ..drawing._preprocessing import DEFAULT_METHOD, method_metadata
from ..errors import ConversionError, ModelFileError
from ..model._fitted import check_fitted_svc, has_probabilities, platt_parameters

__all__ = [
    "DEFAULT_MLMODEL_PATH",
    "INPUT_NAME",
    "LABEL_NAME",
    "PROBABILITY_NAME",
    "convert",
    "build_spec",
    "svc_spec",
    "spec_bytes",
    "load_spec",
    "describe",
    "quiet_coremltools",
    "import_coremltools",
]

DEFAULT_MLMODEL_PATH = Path("artifacts") / "DigitsSVM.mlmodel"
INPUT_NAME = "input"
LABEL_NAME = "classLabel"
PROBABILITY_NAME = "classProbability"

INPUT_DESCRIPTION = (
    "8x8 ink grid, row-major (index row*8+col), row 0 at the top; values 0..16 "
    "(0 blank, 16 full ink), as produced by the preprocessing named in the metadata"
)
LABEL_DESCRIPTION = "Predicted digit, 0..9"
#: The label's description for a model that also has the class `digits_svm.datasets.NOT_A_DIGIT`.
LABEL_DESCRIPTION_NOT_A_DIGIT = f"Predicted digit, 0..9, or {NOT_A_DIGIT}: not a digit"
PROBABILITY_DESCRIPTION = "Probability of each digit (libsvm pairwise coupling of Platt sigmoids)"
#: The probabilities' description for a model that also has the class `digits_svm.datasets.NOT_A_DIGIT`.
PROBABILITY_DESCRIPTION_NOT_A_DIGIT = (
    f"Probability of each digit and of {NOT_A_DIGIT}, not a digit (libsvm pairwise coupling of Platt sigmoids)")

# The user-defined metadata keys coremltools' converters write (coremltools.models._METADATA_VERSION
# and _METADATA_SOURCE): the coremltools whose protobuf classes wrote the spec, and the
# framework the model came from, "scikit-learn==<version>". `svc_spec` writes both too.
_COREMLTOOLS_VERSION_KEY = "com.github.apple.coremltools.version"
_COREMLTOOLS_SOURCE_KEY = "com.github.apple.coremltools.source"


@contextlib.contextmanager
def quiet_coremltools() -> Iterator[None]:
    """Silence coremltools' import-time and Linux-only warnings inside the block.

    On Linux coremltools logs "Failed to load _MLModelProxy" at import and warns that
    models cannot run; both are expected here, so they are hidden, nothing else.
    """
    logger = logging.getLogger("coremltools")
    old = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(old)


def import_coremltools() -> Any:
    """coremltools, imported once and quietly (see `quiet_coremltools`)."""
    with quiet_coremltools():
        import coremltools

    return coremltools


def _default_preprocessing_metadata() -> dict[str, str]:
    return method_metadata(DEFAULT_METHOD)


def _set_interface(spec: Any, metadata: Mapping[str, str]) -> None:
    ct = import_coremltools()
    desc = spec.description
    inp = desc.input[0]
    inp.name = INPUT_NAME
    array_type = inp.type.multiArrayType
    del array_type.shape[:]
    array_type.shape.extend([8, 8])
    array_type.dataType = ct.proto.FeatureTypes_pb2.ArrayFeatureType.DOUBLE
    inp.shortDescription = INPUT_DESCRIPTION
    not_a_digit = NOT_A_DIGIT in spec.supportVectorClassifier.int64ClassLabels.vector
    for out in desc.output:
        if out.name == LABEL_NAME:
            out.shortDescription = LABEL_DESCRIPTION_NOT_A_DIGIT if not_a_digit else LABEL_DESCRIPTION
        elif out.name == PROBABILITY_NAME:
            out.shortDescription = PROBABILITY_DESCRIPTION_NOT_A_DIGIT if not_a_digit else PROBABILITY_DESCRIPTION
    desc.metadata.author = "digits_svm"
    desc.metadata.license = "BSD-3-Clause"
    desc.metadata.shortDescription = (
        "Handwritten digit classifier (scikit-learn SVC on load_digits). "
        "Input: 8x8 grid of ink levels 0..16; output: classLabel."
    )
    desc.metadata.versionString = __version__
    # The provenance keys `svc_spec` wrote (coremltools' version, the scikit-learn version) stay.
    desc.metadata.userDefined.update({str(k): str(v) for k, v in metadata.items()})


def _validate(spec: Any, *, probability: bool) -> None:
    """Check the spec is the interface the app relies on, before anything is saved."""
    desc = spec.description
    problems = []
    if spec.WhichOneof("Type") != "supportVectorClassifier":
        problems.append(f"model type is {spec.WhichOneof('Type')}, not supportVectorClassifier")
    inp = desc.input[0]
    if inp.name != INPUT_NAME or list(inp.type.multiArrayType.shape) != [8, 8]:
        problems.append("input is not 'input' with shape [8, 8]")
    outputs = {o.name: o.type.WhichOneof("Type") for o in desc.output}
    if outputs.get(LABEL_NAME) != "int64Type":
        problems.append("output classLabel is not Int64")
    if probability and outputs.get(PROBABILITY_NAME) != "dictionaryType":
        problems.append("output classProbability is missing")
    if desc.predictedFeatureName != LABEL_NAME:
        problems.append("predictedFeatureName is not classLabel")
    svc = spec.supportVectorClassifier
    n_sv = len(svc.denseSupportVectors.vectors)
    if n_sv == 0 or n_sv != sum(svc.numberOfSupportVectorsPerClass):
        problems.append("support-vector counts are inconsistent")
    if problems:
        raise ConversionError("converted spec failed validation: " + "; ".join(problems))


def convert(
    model: Any,
    path: str | os.PathLike | None = None,
    *,
    preprocessing: Mapping[str, str] | None = None,
    metadata: Mapping[str, str] | None = None,
) -> Any:
    """Convert a fitted SVC to a Core ML model with the app's interface.

    Parameters
    ----------
    model : sklearn.svm.SVC
        A fitted SVC on 64 features with integer labels (from `digits_svm.train`).
    path : str or PathLike, optional
        Where to save the ``.mlmodel`` (atomically). Not saved if None. The CLI uses
        ``artifacts/DigitsSVM.mlmodel`` (Xcode generates a class named after the file).
    preprocessing : mapping of str to str, optional
        Metadata naming the preprocessing method and parameters that produce the input;
        defaults to ``digits_svm.drawing._preprocessing.method_metadata(digits_svm.drawing.DEFAULT_METHOD)``. Stored in
        the user-defined metadata under ``preprocessing.<key>``.
    metadata : mapping of str to str, optional
        Further user-defined metadata (training parameters, accuracy, ...).

    Returns
    -------
    coremltools.models.MLModel
        The converted model. It cannot ``predict`` on Linux; use
        `digits_svm.coreml_predict` there.

    Raises
    ------
    InvalidParameterError
        ``path`` is not a path, or ``preprocessing`` / ``metadata`` not a mapping
        (checked before anything is converted).
    NotAnSVCError
        ``model`` is not a fitted SVC on 64 features.
    ConversionError
        The labels are not integers, the kernel has no Core ML form, or the result is invalid.

    Examples
    --------
    >>> from digits_svm import train
    >>> mlmodel = convert(train().model)
    >>> [i.name for i in mlmodel.get_spec().description.input]
    ['input']
    """
    if path is not None:
        check_path(path, "path")
    for name, value in (("preprocessing", preprocessing), ("metadata", metadata)):
        check_instance(value, name, (Mapping, type(None)), "a mapping (dict) of str to str, or None")
    check_fitted_svc(model)
    spec = build_spec(model, preprocessing=preprocessing, metadata=metadata)
    if path is not None:
        atomic_write_bytes(path, spec_bytes(spec))
    ct = import_coremltools()
    with quiet_coremltools():
        return ct.models.MLModel(spec)


def build_spec(model: Any, *, preprocessing: Mapping[str, str] | None, metadata: Mapping[str, str] | None) -> Any:
    """The validated Core ML spec (a ``Model_pb2.Model``) of a fitted SVC, with the app's interface and metadata.

    `convert` saves it; `spec_bytes` gives the bytes it would write (the search measures
    ``.mlmodel`` sizes this way without writing files). The arguments are taken as given:
    `convert` checks them.

    Examples
    --------
    >>> from digits_svm import train
    >>> spec = build_spec(train().model, preprocessing=None, metadata=None)
    >>> spec.WhichOneof("Type"), len(spec.supportVectorClassifier.denseSupportVectors.vectors)
    ('supportVectorClassifier', 519)
    """
    if not np.issubdtype(np.asarray(model.classes_).dtype, np.integer):
        raise ConversionError(
            f"model labels are {np.asarray(model.classes_).dtype}, not integers; the app reads classLabel as Int64"
        )
    spec = svc_spec(model)
    if preprocessing is None:
        preprocessing = _default_preprocessing_metadata()
    entries = {f"preprocessing.{k}": v for k, v in preprocessing.items()}
    entries.update(metadata or {})
    _set_interface(spec, entries)
    _validate(spec, probability=has_probabilities(model))
    return spec


def svc_spec(model: Any) -> Any:
    """The spec coremltools' scikit-learn converter makes of a fitted SVC, built here without it.

    Field for field, and so byte for byte, what coremltools 9.0's
    ``coremltools.converters.sklearn.convert(model, "input", "classLabel").get_spec()``
    gives (its ``_SVC.py``, ``_svm_common.py`` and ``_interface_management.py``), built
    with coremltools' protobuf classes only: the converter refuses scikit-learn newer than
    1.5.1, the protobuf classes do not care. The input is still the converter's: ``input``,
    a Double MultiArray of shape [64]; `build_spec` gives the spec the app's interface.

    Parameters
    ----------
    model : sklearn.svm.SVC
        A fitted SVC on 64 features, labels all integers or all strings.

    Returns
    -------
    coremltools.proto.Model_pb2.Model
        ``specificationVersion`` 1 and a ``supportVectorClassifier``: the kernel and its
        parameters, libsvm's ``rho`` per pair of classes, libsvm's dual coefficients
        (``_dual_coef_``), the dense support vectors and their number per class, Platt's
        ``probA`` and ``probB`` per pair when the model has probabilities, and the class
        labels (Int64 or String). Its description has the input, the output
        ``classLabel`` (and ``classProbability``, a dictionary label -> Double, with
        probabilities) and the converter's own user-defined metadata: the coremltools
        version and ``scikit-learn==<version>``.

    Raises
    ------
    ConversionError
        Labels neither all integers nor all strings (booleans, which the converter stores
        as 0 and 1, included), or a kernel other than linear, rbf, poly and sigmoid.

    Examples
    --------
    >>> from digits_svm import train
    >>> spec = svc_spec(train().model)
    >>> spec.supportVectorClassifier.kernel.rbfKernel.gamma, list(spec.description.input[0].type.multiArrayType.shape)
    (0.001, [64])
    """
    if getattr(model, "_sparse", False):
        raise ConversionError("the model was fitted on a sparse matrix, whose support vectors this converter does not "
                              "write; fit it on a dense array (X.toarray()) and convert that")
    labels = np.asarray(model.classes_).tolist()
    if all(isinstance(c, int) and not isinstance(c, bool) for c in labels):
        label_kind = "int64"
    elif all(isinstance(c, str) for c in labels):
        label_kind = "string"
    else:
        raise ConversionError(f"model labels are {np.asarray(model.classes_).dtype}; Core ML needs all integers or all strings")
    ct = import_coremltools()
    proto = ct.proto
    # In the converter's order: _SVC._generate_base_svm_classifier_spec ...
    spec = proto.Model_pb2.Model()
    spec.specificationVersion = ct.SPECIFICATION_VERSION
    svm = spec.supportVectorClassifier
    _set_kernel(svm.kernel, model)
    # libsvm's rho. scikit-learn's intercept_ is -rho, except for two classes, where it has
    # already flipped intercept_ (and dual_coef_; _dual_coef_ is libsvm's, unflipped).
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    svm.rho.extend((intercept if len(labels) == 2 else -intercept).tolist())
    for row in np.asarray(model._dual_coef_, dtype=np.float64):
        svm.coefficients.add().alpha.extend(row.tolist())
    for vector in np.asarray(model.support_vectors_, dtype=np.float64):
        svm.denseSupportVectors.vectors.add().values.extend(vector.tolist())
    # ... _interface_management.set_classifier_interface_params ...
    prob_a, prob_b = platt_parameters(model)  # empty without probabilities
    has_probabilities = len(prob_a) != 0
    desc = spec.description
    desc.predictedFeatureName = LABEL_NAME
    if has_probabilities:
        desc.predictedProbabilitiesName = PROBABILITY_NAME
    inp = desc.input.add()
    inp.name = INPUT_NAME
    inp.type.multiArrayType.dataType = proto.FeatureTypes_pb2.ArrayFeatureType.DOUBLE
    inp.type.multiArrayType.shape.append(model.support_vectors_.shape[1])
    label = desc.output.add()
    label.name = LABEL_NAME
    getattr(label.type, f"{label_kind}Type").SetInParent()
    if has_probabilities:
        scores = desc.output.add()
        scores.name = PROBABILITY_NAME
        getattr(scores.type.dictionaryType, f"{label_kind}KeyType").SetInParent()
    getattr(svm, f"{label_kind}ClassLabels").vector.extend(labels)
    # ... the rest of _SVC.convert ...
    svm.numberOfSupportVectorsPerClass.extend(int(n) for n in model.n_support_)
    if has_probabilities:
        svm.probA.extend(prob_a.tolist())
        svm.probB.extend(prob_b.tolist())
    # ... and _converter.convert's provenance metadata.
    desc.metadata.userDefined[_COREMLTOOLS_VERSION_KEY] = ct.__version__
    desc.metadata.userDefined[_COREMLTOOLS_SOURCE_KEY] = f"scikit-learn=={sklearn.__version__}"
    return spec

def _set_kernel(kernel: Any, model: Any) -> None:
    """The kernel message, as coremltools' ``_svm_common._set_kernel`` sets it (gamma is the fitted ``_gamma``)."""
    name = model.kernel
    if name == "linear":
        kernel.linearKernel.SetInParent()
    elif name == "rbf":
        kernel.rbfKernel.gamma = model._gamma
    elif name == "poly":
        kernel.polyKernel.gamma = model._gamma
        kernel.polyKernel.c = model.coef0
        kernel.polyKernel.degree = model.degree
    elif name == "sigmoid":
        kernel.sigmoidKernel.gamma = model._gamma
        kernel.sigmoidKernel.c = model.coef0
    else:
        raise ConversionError(f"kernel {name!r} has no Core ML form; train with one of linear, rbf, poly, sigmoid")


def spec_bytes(spec: Any) -> bytes:
    """Serialise a spec deterministically (map entries sorted), as written to disk."""
    return spec.SerializeToString(deterministic=True)


def load_spec(path: str | os.PathLike) -> Any:
    """Read a ``.mlmodel`` file into a ``coremltools.proto.Model_pb2.Model``.

    Raises
    ------
    ModelFileError
        Missing, empty or unparsable file.
    """
    data = read_bytes(check_path(path, "path"), what="model", error=ModelFileError)
    if not data:
        raise ModelFileError(f"{path} is empty; rebuild it with digits-svm train")
    ct = import_coremltools()
    spec = ct.proto.Model_pb2.Model()
    try:
        spec.ParseFromString(data)
    except Exception as exc:  # protobuf's DecodeError and friends
        raise ModelFileError(f"{path} is not a Core ML model (cannot parse: {exc}); rebuild it with digits-svm train") from exc
    if spec.WhichOneof("Type") is None:
        raise ModelFileError(f"{path} parses but holds no model; it is corrupt or not a .mlmodel")
    return spec


def _feature_type(feature: Any) -> str:
    kind = feature.type.WhichOneof("Type")
    if kind == "multiArrayType":
        arr = feature.type.multiArrayType
        dtype = import_coremltools().proto.FeatureTypes_pb2.ArrayFeatureType.ArrayDataType.Name(arr.dataType)
        return f"MultiArray {dtype.title()} {list(arr.shape)}"
    if kind == "dictionaryType":
        key = feature.type.dictionaryType.WhichOneof("KeyType")
        return "Dictionary " + ("Int64" if key == "int64KeyType" else "String") + " -> Double"
    return {"int64Type": "Int64", "doubleType": "Double", "stringType": "String"}.get(kind, str(kind))


def describe(path: str | os.PathLike) -> dict:
    """Summarise a saved ``.mlmodel``: interface, metadata, size.

    Parameters
    ----------
    path : str or PathLike
        A ``.mlmodel`` file.

    Returns
    -------
    dict
        Keys ``inputs`` and ``outputs`` (name, type, description), ``metadata``
        (author, license, description, version), ``user_defined``, ``model_type``,
        ``support_vectors``, ``classes``, ``size_bytes`` and ``sha256``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from digits_svm import train
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "DigitsSVM.mlmodel"
    >>> _ = convert(train().model, path)
    >>> info = describe(path)
    >>> info["inputs"][0]["type"], info["support_vectors"], info["user_defined"]["preprocessing.method"]
    ('MultiArray Double [8, 8]', 519, 'normalized')
    """
    data = read_bytes(check_path(path, "path"), what="model", error=ModelFileError)
    spec = load_spec(path)
    desc = spec.description
    info = {
        "path": str(path),
        "size_bytes": len(data),
        "sha256": sha256_bytes(data),
        "specification_version": spec.specificationVersion,
        "model_type": spec.WhichOneof("Type"),
        "inputs": [{"name": f.name, "type": _feature_type(f), "description": f.shortDescription} for f in desc.input],
        "outputs": [{"name": f.name, "type": _feature_type(f), "description": f.shortDescription} for f in desc.output],
        "metadata": {
            "author": desc.metadata.author,
            "license": desc.metadata.license,
            "description": desc.metadata.shortDescription,
            "version": desc.metadata.versionString,
        },
        "user_defined": dict(sorted(desc.metadata.userDefined.items())),
    }
    if info["model_type"] == "supportVectorClassifier":
        svc = spec.supportVectorClassifier
        info["support_vectors"] = int(sum(svc.numberOfSupportVectorsPerClass))
        labels = svc.int64ClassLabels.vector if svc.HasField("int64ClassLabels") else svc.stringClassLabels.vector
        info["classes"] = list(labels)
        info["kernel"] = svc.kernel.WhichOneof("kernel")
    return info
