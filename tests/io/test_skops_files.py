"""The model file safe to share: skops round trips, and a tampered, foreign or broken file is refused before anything is built."""

import io
import json
import pickle
import zipfile

import numpy as np
import pytest
import skops.io
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC

from digits_svm._files import sha256_bytes
from digits_svm.datasets._training_data import load_digits_grids
from digits_svm.errors import PickleIntegrityError, UntrustedTypesError
from digits_svm.io import _model_files as sharing
from digits_svm.io._model_files import sidecar_path
from digits_svm.model._calibration import PlattSVC

#: Every Spy that skops (or pickle) built, by its __setstate__: proof that a refused file built nothing.
BUILT: list[str] = []


class Spy(SVC):
    """An SVC that records being built from a file; a type digits_svm does not trust."""

    def __setstate__(self, state):
        BUILT.append(type(self).__name__)
        super().__setstate__(state)


SPY = f"{Spy.__module__}.{Spy.__qualname__}"


@pytest.fixture(autouse=True)
def _nothing_built_yet():
    BUILT.clear()


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits_grids()
    return X.reshape(len(X), 64), y


def small(digits, cls=SVC, labels=None, **params):
    """An SVC fitted on 200 digits (fast), with ``labels`` mapped from the digits if given."""
    X, y = digits
    y = y[:200] if labels is None else labels(y[:200])
    return cls(gamma=0.001, **params).fit(X[:200], y)


def forge(path, data):
    """Put ``data`` in ``path`` with a sidecar that matches it, as anyone who can replace both can."""
    path.write_bytes(data)
    side = sidecar_path(path)
    meta = json.loads(side.read_text())
    meta["sha256"] = sha256_bytes(data)
    side.write_text(json.dumps(meta))


def test_round_trip_predicts_the_same_and_the_sidecar_says_skops(tmp_path, result, digits):
    path = sharing.save_model(result.model, tmp_path / "m.skops", params=result.params)
    assert path.read_bytes()[:2] == b"PK"  # a zip of JSON and arrays, not a pickle
    side = json.loads(sidecar_path(path).read_text())
    assert side["serializer"] == "skops" and side["sha256"] == sha256_bytes(path.read_bytes())
    assert "TRUSTED_TYPES" in side["warning"] and side["params"]["gamma"] == 0.001
    loaded = sharing.load_model(path)
    X, _ = digits
    np.testing.assert_array_equal(loaded.predict(X), result.model.predict(X))
    np.testing.assert_array_equal(loaded.decision_function(X), result.model.decision_function(X))
    assert type(sharing.load_model(path)) is SVC


@pytest.mark.parametrize("params, labels", [
    ({"cls": PlattSVC, "random_state": 0}, None),
    ({"class_weight": {0: 2.0}, "kernel": "poly", "degree": 2}, None),
    ({"class_weight": "balanced", "random_state": np.random.RandomState(0)}, None),
    ({}, lambda y: np.where(y == 3, -1, y)),  # the "not a digit" class
    ({}, lambda y: y.astype(str)),
], ids=["probabilities", "class-weights-poly", "balanced-randomstate", "not-a-digit", "string-labels"])
def test_every_fitted_svc_needs_only_trusted_types(tmp_path, digits, params, labels):
    """save_model refuses what load_model would refuse, so each of these saving proves TRUSTED_TYPES covers it."""
    model = small(digits, labels=labels, **params)
    # params={}: the sidecar records get_params() as JSON by default, and a RandomState is not JSON
    loaded = sharing.load_model(sharing.save_model(model, tmp_path / "m.skops", params={}))
    X, _ = digits
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    if params.get("cls") is PlattSVC:
        assert type(loaded) is PlattSVC
        np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_a_changed_file_is_refused_before_it_is_parsed(tmp_path, result, monkeypatch):
    path = sharing.save_model(result.model, tmp_path / "m.skops")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    for name in ("loads", "get_untrusted_types"):
        monkeypatch.setattr(skops.io, name, lambda *a, **k: pytest.fail("skops read a file whose hash is wrong"))
    monkeypatch.setattr(sharing, "_types_named", lambda data: pytest.fail("the schema of a changed file was read"))
    with pytest.raises(PickleIntegrityError, match="does not match its sidecar"):
        sharing.load_model(path)


def test_an_untrusted_type_is_refused_before_anything_is_built(tmp_path, result, digits):
    spy = small(digits, cls=Spy)
    data = skops.io.dumps(spy)
    path = sharing.save_model(result.model, tmp_path / "m.skops")
    forge(path, data)
    with pytest.raises(UntrustedTypesError, match=rf"^{path} was refused before anything in it was built: .*'{SPY}'"):
        sharing.load_model(path)
    with pytest.raises(UntrustedTypesError):  # trusted=True waives the sidecar, never the types
        sharing.load_model(path, trusted=True)
    assert BUILT == []
    skops.io.loads(data, trusted=[SPY])  # the spy works: a loader that trusts it builds it
    assert BUILT == ["Spy"]


def test_a_model_load_model_would_refuse_is_not_saved(tmp_path, digits):
    with pytest.raises(UntrustedTypesError, match=rf"^not saved to {tmp_path / 'm.skops'}, as load_model would refuse it"):
        sharing.save_model(small(digits, cls=Spy), tmp_path / "m.skops")
    assert list(tmp_path.iterdir()) == []


def test_a_subclass_in_trusted_types_loads_and_is_a_fitted_svc(tmp_path, digits, monkeypatch):
    """How digits_svm.model.PlattSVC (in TRUSTED_TYPES) loads: an SVC subclass that is trusted."""
    assert "digits_svm.model.PlattSVC" in sharing.TRUSTED_TYPES
    monkeypatch.setattr(sharing, "TRUSTED_TYPES", (*sharing.TRUSTED_TYPES, SPY))
    spy = small(digits, cls=Spy)
    loaded = sharing.load_model(sharing.save_model(spy, tmp_path / "m.skops"))
    assert type(loaded) is Spy and BUILT == ["Spy"]
    X, _ = digits
    np.testing.assert_array_equal(loaded.predict(X), spy.predict(X))


def test_a_pipeline_is_refused_though_skops_itself_trusts_it(tmp_path, result, digits):
    X, y = digits
    data = skops.io.dumps(make_pipeline(SVC(gamma=0.001)).fit(X[:200], y[:200]))
    assert skops.io.get_untrusted_types(data=data) == []  # skops trusts every scikit-learn type
    path = sharing.save_model(result.model, tmp_path / "m.skops")
    forge(path, data)
    with pytest.raises(UntrustedTypesError, match=r"\('sklearn\.pipeline\.Pipeline'\)"):
        sharing.load_model(path)


@pytest.mark.parametrize("attribute, value", [
    ("_n_support", lambda m: m._n_support * 2),  # more support vectors than there are: libsvm would read past them
    ("support_vectors_", lambda m: "x"),
    ("support_vectors_", lambda m: m.support_vectors_.astype(np.float32)),
    ("_dual_coef_", lambda m: m._dual_coef_[:, :-1].copy()),
    ("_intercept_", lambda m: m._intercept_[:3].copy()),
    ("_impl", lambda m: "epsilon_svr"),
    ("kernel", lambda m: "precomputed"),
    ("_gamma", lambda m: None),
    ("cache_size", lambda m: [200]),
    ("n_features_in_", lambda m: np.arange(3)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_an_svc_whose_arrays_no_fit_leaves_is_refused(tmp_path, result, digits, attribute, value):
    """Trusted types, forged values: the file names nothing untrusted, but its state would mislead libsvm."""
    model = small(digits)
    setattr(model, attribute, value(model))
    path = sharing.save_model(result.model, tmp_path / "m.skops")
    forge(path, skops.io.dumps(model))
    with pytest.raises(PickleIntegrityError, match=rf"holds an SVC whose fitted state no fit leaves \(.*{attribute}"):
        sharing.load_model(path)


@pytest.mark.parametrize("attribute", ["platt_a_", "platt_b_"])
def test_a_platt_svc_without_one_platt_pair_per_class_pair_is_refused(tmp_path, result, digits, attribute):
    model = small(digits, cls=PlattSVC, random_state=0)
    setattr(model, attribute, getattr(model, attribute)[:-1].copy())
    path = sharing.save_model(result.model, tmp_path / "m.skops")
    forge(path, skops.io.dumps(model))
    with pytest.raises(PickleIntegrityError, match=rf"fitted state no fit leaves \({attribute}\)"):
        sharing.load_model(path)


def _zip(**members) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, text in members.items():
            archive.writestr(name.replace("_", "."), text)
    return buf.getvalue()


@pytest.mark.parametrize("make", [
    lambda good: b"",
    lambda good: b"not a zip at all",
    lambda good: good[: len(good) // 2],  # truncated
    lambda good: _zip(readme_txt="no schema"),
    lambda good: _zip(schema_json="{not json"),
    lambda good: _zip(schema_json=json.dumps({"__class__": "SVC", "__module__": "sklearn.svm._classes"})),
], ids=["empty", "garbage", "truncated", "no-schema", "bad-json", "no-loader"])
def test_a_file_that_is_not_skops_is_refused_with_one_line(tmp_path, result, make):
    path = sharing.save_model(result.model, tmp_path / "m.skops")
    forge(path, make(path.read_bytes()))
    with pytest.raises(PickleIntegrityError) as info:
        sharing.load_model(path)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(f"{path} is not a readable skops file (")


def test_a_pickle_named_skops_is_never_unpickled(tmp_path, result, digits):
    """Whatever the sidecar says, a .skops name is read as skops."""
    payload = pickle.dumps(small(digits, cls=Spy))
    path = sharing.save_model(result.model, tmp_path / "m.skops")
    forge(path, payload)
    side = sidecar_path(path)
    side.write_text(json.dumps({**json.loads(side.read_text()), "serializer": "pickle"}))
    with pytest.raises(PickleIntegrityError, match="not a readable skops file"):
        sharing.load_model(path)
    renamed = path.rename(tmp_path / "m.bin")  # a skops file under another name: its sidecar still says skops
    side.rename(sidecar_path(renamed))
    sidecar_path(renamed).write_text(json.dumps({**json.loads(sidecar_path(renamed).read_text()), "serializer": "skops"}))
    with pytest.raises(PickleIntegrityError, match="is a skops file"):
        sharing.load_model(renamed)
    assert BUILT == []


def test_the_extension_chooses_the_format(tmp_path, result):
    assert [sharing.format_of(n) for n in ("a.skops", "a.SKOPS", "a.joblib", "a.pkl", "a")] == [
        "skops", "skops", "joblib", "pickle", "pickle"]
    for name, serializer in (("m.skops", "skops"), ("m.joblib", "joblib"), ("m.pkl", "pickle"), ("m.bin", "pickle")):
        path = sharing.save_model(result.model, tmp_path / name)
        assert json.loads(sidecar_path(path).read_text())["serializer"] == serializer, name
        assert type(sharing.load_model(path)) is SVC
    assert (tmp_path / "m.pkl").read_bytes()[:1] == b"\x80" and (tmp_path / "m.skops").read_bytes()[:2] == b"PK"
    assert sorted(sharing.FORMATS) == ["joblib", "pickle", "skops"]


@pytest.mark.parametrize("padding, entries", [(sharing.MAX_SKOPS_SCHEMA_BYTES + 1, 0), (0, sharing.MAX_SKOPS_ENTRIES)])
def test_a_zip_bomb_is_refused_before_anything_in_it_is_read(tmp_path, result, padding, entries, monkeypatch):
    """A schema padded with whitespace (it compresses to almost nothing) or a flood of entries, with a matching sidecar."""
    path = sharing.save_model(result.model, tmp_path / "m.skops")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as src, \
            zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info.filename, data + b" " * padding if info.filename == "schema.json" else data)
        for i in range(entries):
            out.writestr(f"pad{i}.npy", b"")
    assert len(buffer.getvalue()) < 500_000  # small on disk
    forge(path, buffer.getvalue())
    read = []
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda self, name, pwd=None: read.append(name))
    with pytest.raises(PickleIntegrityError, match=r"more than a model's file .*nothing in it was read"):
        sharing.load_model(path)
    assert read == [] and BUILT == []
