import contextlib
import subprocess
import sys

import numpy as np
import pytest
import sklearn
from sklearn.svm import SVC

import digits_svm
from digits_svm.coreml._convert import (
    build_spec,
    describe,
    import_coremltools,
    load_spec,
    quiet_coremltools,
    spec_bytes,
    svc_spec,
)
from digits_svm.errors import ConversionError, ModelFileError, NotAnSVCError
from digits_svm.model._calibration import PlattSVC


def test_saved_interface_read_back_from_disk(mlmodel_path):
    spec = load_spec(mlmodel_path)
    assert spec.WhichOneof("Type") == "supportVectorClassifier"
    (inp,) = spec.description.input
    assert inp.name == "input"
    assert list(inp.type.multiArrayType.shape) == [8, 8]
    assert inp.type.multiArrayType.dataType == 65536 + 64  # ArrayFeatureType.DOUBLE
    assert "row 0 at the top" in inp.shortDescription and "0..16" in inp.shortDescription
    outputs = {o.name: o.type.WhichOneof("Type") for o in spec.description.output}
    assert outputs == {"classLabel": "int64Type"}
    assert spec.description.predictedFeatureName == "classLabel"
    meta = spec.description.metadata
    assert meta.author == "digits_svm" and meta.license == "BSD-3-Clause"
    assert meta.versionString == digits_svm.__version__ and meta.shortDescription
    user = dict(meta.userDefined)
    assert user["preprocessing.method"] == digits_svm.drawing._preprocessing.DEFAULT_METHOD
    assert user["training.preset"] == "example"
    assert user["training.held_out_accuracy"] == "0.96885"


def test_spec_holds_exactly_the_pickles_support_vectors(mlmodel_path, result):
    svc = load_spec(mlmodel_path).supportVectorClassifier
    vectors = np.array([v.values for v in svc.denseSupportVectors.vectors])
    np.testing.assert_array_equal(vectors, result.model.support_vectors_)
    assert list(svc.numberOfSupportVectorsPerClass) == result.model.n_support_.tolist()
    assert svc.kernel.rbfKernel.gamma == 0.001
    np.testing.assert_array_equal(np.array(svc.rho), -result.model.intercept_)


def test_conversion_is_byte_for_byte_deterministic(tmp_path, result):
    a = tmp_path / "a.mlmodel"
    b = tmp_path / "b.mlmodel"
    digits_svm.convert(result.model, a)
    digits_svm.convert(digits_svm.train().model, b)  # retrained from scratch
    assert a.read_bytes() == b.read_bytes()


def test_probability_model_has_class_probability_output(tmp_path):
    model = digits_svm.train(probability=True).model
    path = tmp_path / "p.mlmodel"
    digits_svm.convert(model, path)
    outputs = {o["name"]: o["type"] for o in describe(path)["outputs"]}
    assert outputs == {"classLabel": "Int64", "classProbability": "Dictionary Int64 -> Double"}
    assert len(load_spec(path).supportVectorClassifier.probA) == 45


def test_describe_reports_size_and_interface(mlmodel_path):
    info = describe(mlmodel_path)
    assert info["size_bytes"] == mlmodel_path.stat().st_size
    assert info["inputs"][0]["type"] == "MultiArray Double [8, 8]"
    assert info["support_vectors"] == 519 and info["classes"] == list(range(10))


def test_non_svc_and_string_labels_are_refused(tmp_path):
    X, y = digits_svm.datasets._training_data.load_digits_grids()
    with pytest.raises(NotAnSVCError):
        digits_svm.convert("not a model", tmp_path / "x.mlmodel")
    model = SVC(gamma=0.001).fit(X[:200], np.array([f"d{v}" for v in y[:200]]))
    with pytest.raises(ConversionError, match="not integers"):
        digits_svm.convert(model, tmp_path / "x.mlmodel")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content, message", [(b"", "empty"), (b"\xff\x00garbage", "not a Core ML model|holds no model")])
def test_broken_files_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.mlmodel"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=message):
        load_spec(path)


# -- the spec builder against coremltools' own scikit-learn converter -----------------------

#: Models whose spec is built both ways: every kernel with and without probabilities, two
#: classes (rho's sign), labels out of digit order and apart, the "not a digit" class -1
#: the app preset adds, and string labels (`svc_spec` only: `build_spec` refuses them).
BUILT_BOTH_WAYS = [
    "example", "rbf", "rbf-probability", "linear", "linear-probability", "poly", "poly-probability",
    "sigmoid", "sigmoid-probability", "binary", "binary-probability", "scattered-labels",
    "not-a-digit-probability", "strings", "strings-probability",
]


@pytest.fixture(scope="module")
def fitted(result, sklearn_calibrated):
    """name -> a fitted SVC (small: the first 400 digits, or fewer classes of them).

    The ``-probability`` ones are scikit-learn's own ``SVC(probability=True)``: the
    converter reads its ``probA_``/``probB_`` (`test_platt_svc_spec_carries_its_own_platt_parameters`
    covers `PlattSVC`).
    """

    def svc(X, y, probability, **params):
        return sklearn_calibrated(X, y, **params) if probability else SVC(random_state=0, **params).fit(X, y)
    X, y = digits_svm.datasets._training_data.load_digits_grids()
    X, y = X[:400], y[:400]
    kernels = {"rbf": {"gamma": 0.001}, "linear": {}, "poly": {"degree": 2, "coef0": 1.0, "gamma": "scale"},
               "sigmoid": {"gamma": 1e-4, "coef0": -0.5}}
    models = {"example": result.model}
    for kernel, params in kernels.items():
        for probability in (False, True):
            name = kernel + ("-probability" if probability else "")
            models[name] = svc(X, y, probability, kernel=kernel, **params)
    pair = (y == 3) | (y == 8)
    for probability in (False, True):
        name = "binary" + ("-probability" if probability else "")
        models[name] = svc(X[pair], y[pair], probability, gamma=0.001)
    four = y < 4  # digits 0..3 relabelled 40, 7, 3, 12: classes_ sorts them out of digit order
    models["scattered-labels"] = SVC(gamma=0.001).fit(X[four], np.array([40, 7, 3, 12])[y[four]])
    app_like = np.isin(y, [1, 4, 7])  # 7 plays "not a digit", as in the app preset
    labels = np.where(y[app_like] == 7, digits_svm.NOT_A_DIGIT, y[app_like])
    models["not-a-digit-probability"] = sklearn_calibrated(X[app_like], labels, C=3.0, gamma=0.001)
    names = np.array([f"d{v}" for v in y])
    models["strings"] = SVC(gamma=0.001).fit(X, names)
    models["strings-probability"] = sklearn_calibrated(X[four], names[four], gamma=0.001)
    return models


@pytest.fixture(scope="module")
def converter():
    """coremltools' own conversion, as build_spec called it before (skipped where the converter is disabled)."""
    ct = import_coremltools()
    deps = getattr(ct, "_deps", None)
    if not getattr(deps, "_HAS_SKLEARN", True):
        pytest.skip(
            f"coremltools {ct.__version__}'s scikit-learn converter is disabled with scikit-learn {sklearn.__version__} "
            f"(it takes up to {getattr(deps, '_SKLEARN_MAX_VERSION', '?')}); the builder is compared with it where it "
            "runs, with the pinned scikit-learn"
        )

    def convert(model):
        with quiet_coremltools(), contextlib.redirect_stdout(None):  # its two-class probability warning
            return ct.converters.sklearn.convert(model, "input", "classLabel").get_spec()

    return convert


def fields(message, prefix=""):
    """Every field set in a protobuf message, as (path, value), recursively; a set empty message is "{}"."""
    out = []
    for field, value in message.ListFields():
        path = prefix + field.name
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            out += [(f"{path}[{key!r}]", value[key]) for key in sorted(value)]
        elif field.is_repeated and field.message_type is not None:
            for i, item in enumerate(value):
                out += fields(item, f"{path}[{i}].") or [(f"{path}[{i}]", "{}")]
        elif field.is_repeated:
            out.append((path, list(value)))
        elif field.message_type is not None:
            out += fields(value, path + ".") or [(path, "{}")]
        else:
            out.append((path, value))
    return out


@pytest.mark.parametrize("name", BUILT_BOTH_WAYS)
def test_svc_spec_is_the_converters_spec_field_for_field(converter, fitted, name):
    ours, theirs = svc_spec(fitted[name]), converter(fitted[name])
    assert [path for path, _ in fields(ours)] == [path for path, _ in fields(theirs)]
    assert fields(ours) == fields(theirs)
    assert spec_bytes(ours) == spec_bytes(theirs)


@pytest.mark.parametrize("name", [n for n in BUILT_BOTH_WAYS if not n.startswith("strings")])
def test_build_spec_gives_the_bytes_it_gave_with_the_converter(converter, fitted, name, monkeypatch):
    metadata = {"training.preset": "test", "training.kernel": name}
    ours = build_spec(fitted[name], preprocessing=None, metadata=metadata)
    monkeypatch.setattr(digits_svm.coreml._convert, "svc_spec", converter)
    theirs = build_spec(fitted[name], preprocessing=None, metadata=metadata)
    assert fields(ours) == fields(theirs)
    assert spec_bytes(ours) == spec_bytes(theirs)


def test_the_fields_compared_are_every_field_the_converter_sets(converter, fitted):
    """The comparison sees each kind of field: kernels, rho, coefficients, probabilities, labels, metadata."""
    seen = {path for name in BUILT_BOTH_WAYS for path, _ in fields(converter(fitted[name]))}
    svm = "supportVectorClassifier."
    expected = {
        "specificationVersion", "description.predictedFeatureName", "description.predictedProbabilitiesName",
        "description.input[0].name", "description.input[0].type.multiArrayType.shape",
        "description.input[0].type.multiArrayType.dataType", "description.output[0].name",
        "description.output[0].type.int64Type", "description.output[0].type.stringType",
        "description.output[1].type.dictionaryType.int64KeyType", "description.output[1].type.dictionaryType.stringKeyType",
        "description.metadata.userDefined['com.github.apple.coremltools.version']",
        "description.metadata.userDefined['com.github.apple.coremltools.source']",
        svm + "kernel.linearKernel", svm + "kernel.rbfKernel.gamma", svm + "kernel.polyKernel.gamma",
        svm + "kernel.polyKernel.c", svm + "kernel.polyKernel.degree", svm + "kernel.sigmoidKernel.gamma",
        svm + "kernel.sigmoidKernel.c", svm + "numberOfSupportVectorsPerClass", svm + "denseSupportVectors.vectors[0].values",
        svm + "coefficients[0].alpha", svm + "rho", svm + "probA", svm + "probB", svm + "int64ClassLabels.vector",
        svm + "stringClassLabels.vector",
    }
    assert expected <= seen


def test_platt_svc_spec_carries_its_own_platt_parameters(fitted):
    """A PlattSVC's spec is its SVC's spec with probA/probB (and the probability output) added."""
    X, y = digits_svm.datasets._training_data.load_digits_grids()
    platt = PlattSVC(gamma=0.001, random_state=0).fit(X[:400], y[:400])
    ours = svc_spec(platt)
    np.testing.assert_array_equal(ours.supportVectorClassifier.probA, platt.platt_a_)
    np.testing.assert_array_equal(ours.supportVectorClassifier.probB, platt.platt_b_)
    ours.supportVectorClassifier.ClearField("probA")
    ours.supportVectorClassifier.ClearField("probB")
    plain = svc_spec(fitted["rbf"])
    assert fields(ours.supportVectorClassifier) == fields(plain.supportVectorClassifier)
    assert [o.name for o in ours.description.output] == [o.name for o in plain.description.output] + ["classProbability"]


def test_the_builder_never_calls_coremltools_converters(monkeypatch, fitted, tmp_path):
    ct = import_coremltools()

    class Refused:
        def __getattr__(self, name):
            raise AssertionError(f"coremltools.converters.{name} was used")

    def refuse(*args, **kwargs):
        raise AssertionError("a scikit-learn converter of coremltools was called")

    for name, module in list(sys.modules.items()):  # sklearn.convert, _converter.convert, _SVC.convert, ...
        if name.startswith("coremltools.converters.sklearn") and hasattr(module, "convert"):
            monkeypatch.setattr(module, "convert", refuse)
    monkeypatch.setattr(ct, "converters", Refused())
    model = fitted["not-a-digit-probability"]
    spec = build_spec(model, preprocessing=None, metadata=None)
    digits_svm.convert(model, tmp_path / "m.mlmodel")
    assert (tmp_path / "m.mlmodel").read_bytes() == spec_bytes(spec)
    assert list(spec.supportVectorClassifier.int64ClassLabels.vector) == [-1, 1, 4]
    assert spec.description.predictedProbabilitiesName == "classProbability"


def test_the_coremltools_provenance_metadata_names_the_versions_at_work(fitted):
    user = svc_spec(fitted["rbf"]).description.metadata.userDefined
    assert user["com.github.apple.coremltools.version"] == import_coremltools().__version__
    assert user["com.github.apple.coremltools.source"] == f"scikit-learn=={sklearn.__version__}"


def test_rho_is_libsvms_for_two_classes_and_more(fitted):
    """rho = -_intercept_ always: scikit-learn flips intercept_ itself for two classes."""
    for name in ("rbf", "binary"):
        model = fitted[name]
        rho = np.array(svc_spec(model).supportVectorClassifier.rho)
        np.testing.assert_array_equal(rho, -model._intercept_)
    assert fitted["binary"].intercept_[0] == -fitted["binary"]._intercept_[0]


def test_kernels_and_labels_core_ml_cannot_hold_are_refused():
    X, y = digits_svm.datasets._training_data.load_digits_grids()
    gram = X[:64] @ X[:64].T
    precomputed = SVC(kernel="precomputed").fit(gram, y[:64])  # 64 "features": the Gram matrix's columns
    with pytest.raises(ConversionError, match="kernel 'precomputed' has no Core ML form"):
        svc_spec(precomputed)
    odd_even = SVC(gamma=0.001).fit(X[:200], y[:200] % 2 == 0)
    with pytest.raises(ConversionError, match="all integers or all strings"):
        svc_spec(odd_even)



def test_importing_the_library_and_coremltools_prints_nothing():
    """coremltools' "scikit-learn version ... is not supported" line (any scikit-learn above 1.5.1)
    and its Linux-only import messages concern APIs we do not call: kept out of the terminal,
    and its logger is handed back as it was, so its other warnings still show."""
    code = ("import logging, digits_svm, digits_svm.coreml._convert as c; c.import_coremltools(); "
            "assert logging.getLogger('coremltools').level == logging.NOTSET")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_a_model_fitted_on_a_sparse_matrix_is_refused_with_the_remedy():
    import scipy.sparse as sp
    from sklearn.svm import SVC

    from digits_svm.datasets._training_data import load_digits_grids

    X, y = load_digits_grids()
    model = SVC(gamma=0.001).fit(sp.csr_matrix(X[:200]), y[:200])
    with pytest.raises(digits_svm.errors.ConversionError, match=r"fitted on a sparse matrix.*X.toarray\(\)"):
        digits_svm.convert(model)
