import json
from pathlib import Path

import numpy as np
import pytest

import digits_svm
from digits_svm.datasets._templates import digit_strokes
from digits_svm.datasets._training_data import load_samples
from digits_svm.drawing._preprocessing import preprocess
from digits_svm.drawing._strokes import preprocess_strokes, render_strokes
from tests.limits import COSTLY, DEEP, ONE


def test_canonical_split_is_the_examples_halves():
    s = digits_svm.datasets._training_data.canonical_split()
    X, y = digits_svm.datasets._training_data.load_digits_grids()
    np.testing.assert_array_equal(s.X_train, X[:898])
    np.testing.assert_array_equal(s.y_test, y[898:])


def test_other_writers_are_new_digits_of_the_same_kind():
    X, y = digits_svm.datasets._training_data.load_other_writers()
    assert X.shape == (3823, 64) and X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16 and (X == np.round(X)).all()  # ink counts, as in load_digits
    assert np.bincount(y, minlength=10).min() >= 370
    # none of them is a load_digits grid, so the held-out half is never trained on through them
    known = {tuple(row) for row in digits_svm.datasets._training_data.load_digits_grids()[0].astype(int)}
    assert not any(tuple(row) in known for row in X.astype(int))
    credit = (digits_svm.datasets._training_data.OTHER_WRITERS_FILE.parent / "README.md").read_text()
    assert "Alpaydin" in credit and "CC BY 4.0" in credit


def test_the_library_never_reads_the_real_handwriting_dev_set():
    """The dev set in benchmarks/data/ measures; nothing in digits_svm/ may open it or name it."""
    package = Path(digits_svm.__file__).parent
    sources = [p for p in package.rglob("*") if p.is_file() and p.suffix in {".py", ".md", ".js", ".html", ".json"}]
    assert len(sources) > 20
    for path in sources:
        text = path.read_text(encoding="utf-8").lower()
        for name in ("mnist", "handwriting-dev", "benchmarks/data", "mlxtend"):
            assert name not in text, f"{path.relative_to(package)} names {name!r}"
    assert (package.parent / "benchmarks" / "data" / "handwriting-dev" / "mnist-dev.npz").is_file()


@pytest.fixture(scope="module")
def samples_dir(tmp_path_factory):
    """Three good samples (two stroke JSON, one PNG) and one of each kind of bad file."""
    root = tmp_path_factory.mktemp("samples")
    rng = np.random.default_rng(0)
    for digit, name in ((7, "a.json"), (3, "b.json")):
        (root / str(digit)).mkdir(exist_ok=True)
        (root / str(digit) / name).write_text(json.dumps(digit_strokes(digit, rng)))
    (root / "1").mkdir()
    render_strokes(digit_strokes(1, rng)).save(root / "1" / "c.png")
    # bad ones
    (root / "x").mkdir()
    (root / "x" / "d.json").write_text(json.dumps(digit_strokes(4, rng)))           # unknown label folder
    (root / "12").mkdir()
    (root / "12" / "e.json").write_text(json.dumps(digit_strokes(1, rng)))          # not a digit 0..9
    (root / "7" / "notes.txt").write_text("my sevens")                             # unsupported file type
    (root / "7" / "broken.png").write_bytes(b"\x89PNG not really")                   # unreadable image
    (root / "3" / "empty.json").write_text(json.dumps({"strokes": []}))              # empty drawing
    (root / "3" / "wrong.json").write_text(json.dumps({**digit_strokes(5, rng), "label": 5}))  # label != folder
    (root / "stray.json").write_text(json.dumps(digit_strokes(2, rng)))              # not in a digit folder
    (root / "7" / ".DS_Store").write_bytes(b"\0")                                   # hidden: ignored
    return root


@pytest.fixture(scope="module")
def samples(samples_dir):
    return load_samples(samples_dir, method="normalized")


def test_good_samples_are_read_with_folder_labels_in_path_order(samples, samples_dir):
    assert [p.relative_to(samples_dir).as_posix() for p in samples.paths] == ["1/c.png", "3/b.json", "7/a.json"]
    assert samples.y.tolist() == [1, 3, 7]
    assert samples.X.shape == (3, 64) and samples.X.dtype == np.float64
    assert samples.method == "normalized"


def test_sample_grids_are_the_preprocessing_of_each_file(samples, samples_dir):
    drawing = json.loads((samples_dir / "7" / "a.json").read_text())
    np.testing.assert_array_equal(samples.X[2], preprocess_strokes(drawing, method="normalized").ravel())
    np.testing.assert_array_equal(samples.X[0], preprocess(samples_dir / "1" / "c.png", method="normalized").ravel())
    seed = load_samples(samples_dir, method="seed")
    np.testing.assert_array_equal(seed.X[2], preprocess_strokes(drawing, method="seed").ravel())


def test_bad_samples_are_skipped_with_a_reason_each(samples, samples_dir):
    reasons = {p.relative_to(samples_dir).as_posix(): r for p, r in samples.skipped}
    assert set(reasons) == {
        "x/d.json", "12/e.json", "7/notes.txt", "7/broken.png", "3/empty.json", "3/wrong.json", "stray.json",
    }
    assert "unknown label folder 'x'" in reasons["x/d.json"]
    assert "unknown label folder '12'" in reasons["12/e.json"]
    assert "unsupported file type '.txt'" in reasons["7/notes.txt"]
    assert reasons["7/broken.png"].startswith("unreadable: ")
    assert reasons["3/empty.json"].startswith("empty drawing: ")
    assert "disagrees with its folder 3" in reasons["3/wrong.json"]
    assert "digit folder" in reasons["stray.json"]
    assert all("\n" not in r for r in reasons.values())
    assert samples.skipped_report()[0].keys() == {"path", "reason"}


def test_a_folder_with_no_usable_sample_is_an_error(tmp_path):
    (tmp_path / "9").mkdir()
    (tmp_path / "9" / "a.txt").write_text("nope")
    with pytest.raises(digits_svm.errors.SamplesError, match=r"no usable sample .*1 skipped.*a.txt") as info:
        load_samples(tmp_path)
    assert "\n" not in str(info.value)
    with pytest.raises(digits_svm.errors.SamplesError, match="does not exist"):
        load_samples(tmp_path / "missing")


def test_unknown_method_is_refused_before_reading(samples_dir):
    with pytest.raises(digits_svm.DigitsSVMError, match="method='sharp' is not allowed"):
        load_samples(samples_dir, method="sharp")


def test_extra_samples_go_to_training_only(samples_dir, samples, tmp_path):
    base = digits_svm.train()
    extra = digits_svm.train(extra=samples_dir)
    assert extra.n_train == base.n_train + 3 == 901
    assert extra.n_extra == 3 and extra.model.shape_fit_ == (901, 64)
    assert extra.n_test == 899  # held-out half untouched
    np.testing.assert_array_equal(extra.X_test, base.X_test)
    metrics = json.loads(json.dumps(extra.metrics()))
    assert metrics["n_extra_samples"] == 3
    assert metrics["extra_samples_method"] == "normalized"
    assert len(metrics["extra_samples_skipped"]) == 7
    assert {"path", "reason"} == set(metrics["extra_samples_skipped"][0])
    from digits_svm.coreml._convert import load_spec
    from digits_svm.io._artifacts import training_metadata

    digits_svm.convert(extra.model, tmp_path / "m.mlmodel", metadata=training_metadata(extra))
    meta = load_spec(tmp_path / "m.mlmodel").description.metadata.userDefined
    assert meta["training.n_extra_samples"] == "3" and meta["training.n_train_samples"] == "901"
    assert meta["training.extra_samples_method"] == "normalized"
    # a Samples object works too, and refit_on_all keeps the extras
    refit = digits_svm.train(extra=samples, refit_on_all=True)
    assert refit.n_train == 1797 + 3


def test_training_samples_skip_costly_deep_and_oversized_drawings(tmp_path):
    folder = tmp_path / "samples" / "1"
    folder.mkdir(parents=True)
    (folder / "good.json").write_text(json.dumps(ONE))
    (folder / "deep.json").write_text(DEEP)
    (folder / "costly.json").write_text(json.dumps(COSTLY))
    (folder / "many.json").write_text(json.dumps([[[i % 30, i // 30] for i in range(10_001)]]))
    samples = load_samples(tmp_path / "samples")
    assert len(samples) == 1
    reasons = {Path(r["path"]).name: r["reason"] for r in samples.skipped_report()}
    assert "more than 32" in reasons["deep.json"]
    assert "more than 16,000,000" in reasons["costly.json"]
    assert "10,001 points" in reasons["many.json"]
