import json
import pickle
import re

import numpy as np
import pytest
import sklearn
from sklearn.svm import SVC

import digits_svm
from digits_svm.errors import NotAnSVCError, PickleIntegrityError
from digits_svm.io._model_files import sidecar_path


@pytest.fixture
def saved(tmp_path, result):
    path = tmp_path / "model.pkl"
    digits_svm.save_model(result.model, path, params=result.params)
    return path


def test_pickle_round_trip_predicts_the_same(saved, result):
    loaded = digits_svm.load_model(saved)
    X, _ = digits_svm.datasets._training_data.load_digits_grids()
    np.testing.assert_array_equal(loaded.predict(X), result.model.predict(X))
    assert saved.read_bytes()[:2] == b"\x80" + bytes([pickle.HIGHEST_PROTOCOL])


def test_sidecar_records_hash_versions_and_params(saved):
    side = json.loads(sidecar_path(saved).read_text())
    import hashlib

    assert side["sha256"] == hashlib.sha256(saved.read_bytes()).hexdigest()
    assert side["versions"]["scikit-learn"] == sklearn.__version__
    assert side["params"]["gamma"] == 0.001
    assert side["classes"] == list(range(10))
    assert "runs code" in side["warning"]


def test_joblib_round_trip(tmp_path, result):
    path = digits_svm.save_model(result.model, tmp_path / "model.joblib")
    assert json.loads(sidecar_path(path).read_text())["serializer"] == "joblib"
    loaded = digits_svm.load_model(path)
    np.testing.assert_array_equal(loaded.support_vectors_, result.model.support_vectors_)


def test_changed_file_is_refused_before_unpickling(saved):
    data = bytearray(saved.read_bytes())
    data[-20] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(PickleIntegrityError, match="does not match its sidecar"):
        digits_svm.load_model(saved)


def test_other_scikit_learn_version_is_refused(saved):
    side = sidecar_path(saved)
    meta = json.loads(side.read_text())
    meta["versions"]["scikit-learn"] = "0.99.0"  # a version no supported environment has
    side.write_text(json.dumps(meta))
    with pytest.raises(PickleIntegrityError, match=f"saved with scikit-learn 0.99.0 but {re.escape(sklearn.__version__)}"):
        digits_svm.load_model(saved)


def test_missing_sidecar_needs_trust(saved):
    sidecar_path(saved).unlink()
    with pytest.raises(PickleIntegrityError, match="no sidecar"):
        digits_svm.load_model(saved)
    assert isinstance(digits_svm.load_model(saved, trusted=True), SVC)


def test_broken_sidecar_is_reported(saved):
    sidecar_path(saved).write_text("{")
    with pytest.raises(PickleIntegrityError, match="unreadable"):
        digits_svm.load_model(saved)


def test_not_an_svc_and_garbage_are_refused(tmp_path):
    (tmp_path / "dict.pkl").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(NotAnSVCError, match="builtins.dict, not a scikit-learn SVC"):
        digits_svm.load_model(tmp_path / "dict.pkl", trusted=True)
    (tmp_path / "junk.pkl").write_bytes(b"not a pickle at all")
    with pytest.raises(PickleIntegrityError, match="not a readable pickle"):
        digits_svm.load_model(tmp_path / "junk.pkl", trusted=True)
    with pytest.raises(PickleIntegrityError, match="not found"):
        digits_svm.load_model(tmp_path / "missing.pkl")


def test_saving_something_else_writes_nothing(tmp_path):
    with pytest.raises(NotAnSVCError, match="never fitted"):
        digits_svm.save_model(SVC(), tmp_path / "m.pkl")
    X, y = digits_svm.datasets._training_data.load_digits_grids()
    with pytest.raises(NotAnSVCError, match="fitted on 10 features"):
        digits_svm.save_model(SVC().fit(X[:50, :10], y[:50]), tmp_path / "m.pkl")
    assert list(tmp_path.iterdir()) == []


