import numpy as np
import pytest
from sklearn.svm import SVC

import digits_svm
from digits_svm.coreml import describe, load_spec
from digits_svm.errors import ConversionError, ModelFileError, NotAnSVCError


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
    assert user["preprocessing.method"] == digits_svm.preprocessing.DEFAULT_METHOD
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
    X, y = digits_svm.data.load_digits_grids()
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
