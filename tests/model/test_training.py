import json
import runpy
from pathlib import Path

import numpy as np
import pytest

import digits_svm
from digits_svm.model._presets import PRESETS

RECORDED = Path(__file__).resolve().parents[1] / "recorded"
RECORD_ANSWERS = runpy.run_path(str(RECORDED / "make_model_answers.py"))["answers"]


def test_default_reproduces_the_scikit_learn_example(result):
    assert (result.n_correct, result.n_test) == (871, 899)
    assert result.accuracy == pytest.approx(871 / 899)
    assert result.model.get_params()["gamma"] == 0.001
    assert result.model.get_params()["C"] == 1.0
    assert result.n_train == 898
    assert int(result.model.n_support_.sum()) == 519


def test_report_and_confusion_agree_with_predictions(result):
    assert result.confusion.shape == (10, 10)
    assert result.confusion.sum() == 899
    assert np.trace(result.confusion) == 871
    assert result.report["accuracy"] == pytest.approx(result.accuracy)
    assert set(str(d) for d in range(10)) <= set(result.report)
    assert "precision" in result.report_text


def test_metrics_say_what_was_evaluated_and_what_was_saved(result):
    metrics = json.loads(json.dumps(result.metrics()))  # JSON-serialisable
    assert metrics["n_correct"] == 871
    assert "held-out" in metrics["evaluated_on"]
    assert "898" in metrics["saved_model"]
    assert set(metrics["versions"]) >= {"scikit-learn", "coremltools", "numpy"}


def test_refit_on_all_ships_a_model_fitted_on_every_digit():
    refit = digits_svm.train(refit_on_all=True)
    assert refit.n_correct == 871  # accuracy is still the evaluated model's
    assert refit.n_train == 1797
    assert refit.model.shape_fit_ == (1797, 64)
    assert "refit on all 1,797 scans" in refit.metrics()["saved_model"]


def test_parameters_and_split_are_honoured():
    r = digits_svm.train(C=10.0, gamma=0.0005, test_fraction=0.25, shuffle=True, random_state=1)
    assert r.params["C"] == 10.0 and r.params["gamma"] == 0.0005
    assert r.n_test == 450
    assert r.accuracy > 0.95


def test_probability_model_is_deterministic():
    a = digits_svm.train(probability=True).model
    b = digits_svm.train(probability=True).model
    assert len(a.platt_a_) == 45 and a.random_state == 0
    np.testing.assert_array_equal(a.platt_a_, b.platt_a_)
    np.testing.assert_array_equal(a.platt_b_, b.platt_b_)
    X, _ = digits_svm.datasets._training_data.load_digits_grids()
    assert a.predict_proba(X).tobytes() == b.predict_proba(X).tobytes()


def test_bad_test_fraction_is_refused():
    with pytest.raises(digits_svm.DigitsSVMError, match="test_fraction"):
        digits_svm.train(test_fraction=1.5)


# --------------------------------------------------------------------------- preset "best"

# best_result and best_artifacts_dir (conftest.py): trained and written once per run

def test_best_preset_is_the_searched_choice_and_beats_the_example(best_result, result):
    best = best_result
    assert best.params["C"] == 3.0 and best.params["gamma"] == 0.001 and best.params["probability"] is True
    assert best.augment == "hshift"
    assert best.n_train == 898 and best.n_fitted == 3 * 898
    # 880/899 = 0.979 (docs/decisions.md)
    assert best.n_correct >= 880 and best.n_test == 899
    assert best.n_correct - result.n_correct >= 9
    # the reported accuracy is what the .mlmodel answers: the most probable class
    np.testing.assert_array_equal(best.y_pred, best.model.classes_[best.model.predict_proba(best.X_test).argmax(1)])


def test_best_mlmodel_fits_the_size_budget(best_result, best_artifacts_dir):
    best, best_artifacts = best_result, best_artifacts_dir
    size = (best_artifacts / "DigitsSVM.mlmodel").stat().st_size
    assert size <= 1_000_000
    assert best.n_support_vectors <= 1_600
    metrics = json.loads((best_artifacts / "metrics.json").read_text())
    assert metrics["artifacts"]["mlmodel"]["size_bytes"] == size
    assert metrics["augment"] == "hshift" and metrics["n_fitted_saved_model"] == 2694
    assert metrics["saved_model"] == "the evaluated model, fitted on 2,694 rows: 898 scans and 1,796 copies (hshift)"


def test_mlmodel_metadata_records_how_it_was_trained(best_result, best_artifacts_dir):
    best, best_artifacts = best_result, best_artifacts_dir
    from digits_svm.coreml._convert import load_spec

    meta = load_spec(best_artifacts / "DigitsSVM.mlmodel").description.metadata.userDefined
    assert meta["training.preset"] == "best"
    assert json.loads(meta["training.params"])["C"] == 3.0
    assert json.loads(meta["training.params"])["probability"] is True
    assert meta["training.augment"] == "hshift"
    assert meta["training.n_extra_samples"] == "0"
    assert meta["training.n_train_samples"] == "898"
    assert meta["training.held_out_correct"] == f"{best.n_correct}/899"
    assert float(meta["training.held_out_accuracy"]) == pytest.approx(best.accuracy, abs=5e-6)
    assert meta["preprocessing.method"] == "normalized"


def test_training_twice_gives_byte_identical_mlmodels(best_artifacts_dir):
    from digits_svm.coreml._convert import convert, spec_bytes
    from digits_svm.io._artifacts import training_metadata

    again = digits_svm.train(preset="best")
    a = spec_bytes(convert(again.model, metadata=training_metadata(again)).get_spec())
    assert a == (best_artifacts_dir / "DigitsSVM.mlmodel").read_bytes()


@pytest.mark.parametrize("preset", ["example", "best"])
def test_the_mlmodel_answers_as_recorded_under_any_supported_version(preset, result, best_result):
    """Both ends of the supported scikit-learn/NumPy range ship the same model (CI runs this at each).

    tests/recorded/model_answers.json was written by tests/recorded/make_model_answers.py
    with scikit-learn 1.5.1 and NumPy 2.2.6: the label of each of 11,797 grids (the 1,797
    digits, the last 899 held out, then 10,000 random grids).
    """
    recorded = json.loads((RECORDED / "model_answers.json").read_text(encoding="utf-8"))[preset]
    today = RECORD_ANSWERS(result if preset == "example" else best_result)
    assert today["n_correct"] == recorded["n_correct"]
    differs = [i for i, (a, b) in enumerate(zip(today["labels"], recorded["labels"], strict=True)) if a != b]
    assert differs == []
    if preset == "best":
        np.testing.assert_allclose(today["proba"], recorded["proba"], rtol=0, atol=1e-9)


def test_presets_can_be_overridden_argument_by_argument():
    r = digits_svm.train(preset="best", augment="none", probability=False)
    assert r.augment == "none" and r.n_fitted == 898 and r.params["probability"] is False
    assert r.params["C"] == 3.0
    with pytest.raises(digits_svm.DigitsSVMError, match="augment='flip' is not allowed; use one of 'none', "):
        digits_svm.train(augment="flip")


# ------------------------------------------------------------------ the "app" preset
def test_app_preset_learns_from_synthesized_handwriting(app_result):
    assert app_result.preset == "app"
    assert app_result.n_synthesized == PRESETS["app"]["synthesized"] > 0
    assert app_result.n_train == 898  # synthesized digits are counted apart
    assert app_result.n_nondigits == PRESETS["app"]["nondigits"] > 0
    assert app_result.n_other_writers == 3823
    # one shifted copy of each scan (hshift1); other writers, synthesized digits and non-digits as they are
    assert app_result.n_fitted == 2 * 898 + 3823 + app_result.n_synthesized + app_result.n_nondigits
    # Held-out scans: 839/899 (38 answered -1) with 12,000 synthesized digits alone; 879/899
    # (10 answered -1) with optdigits' other writers too (docs/model.md).
    assert app_result.n_correct >= 870
    assert digits_svm.model._fitted.has_probabilities(app_result.model) and app_result.model.classes_.tolist() == [-1, *range(10)]
    assert app_result.metrics()["n_synthesized"] == app_result.n_synthesized
    assert app_result.metrics()["n_nondigits"] == app_result.n_nondigits
    assert app_result.metrics()["n_other_writers"] == 3823


def test_other_writers_join_the_training_part_only_when_asked():
    plain = digits_svm.train()
    more = digits_svm.train(other_writers=True)
    assert (plain.n_other_writers, more.n_other_writers) == (0, 3823)
    assert more.n_fitted == plain.n_fitted + 3823 and more.n_test == plain.n_test == 899
    assert more.n_correct > plain.n_correct  # 30 more writers read the 13 held-out writers better
    assert digits_svm.train(preset="app", other_writers=False, synthesized=20, nondigits=10).n_other_writers == 0
    with pytest.raises(digits_svm.InvalidParameterError, match="other_writers"):
        digits_svm.train(other_writers="yes")


def test_app_preset_artifacts_record_it_verify_and_fit_the_budget(app_artifacts_dir, app_result):
    from digits_svm.coreml._convert import load_spec

    mlmodel = app_artifacts_dir / "DigitsSVM.mlmodel"
    # 5.32 MB with 12,000 synthesized digits and 3,000 non-digits (8,892 support vectors);
    # 5.4 MB with 10,800 and 2,700 and optdigits' other writers (9,053; docs/model.md)
    assert mlmodel.stat().st_size <= 5_500_000
    meta = load_spec(mlmodel).description.metadata.userDefined
    assert meta["training.preset"] == "app"
    assert meta["training.n_synthesized"] == str(app_result.n_synthesized)
    assert meta["training.n_nondigits"] == str(app_result.n_nondigits)
    assert meta["training.n_other_writers"] == "3823"
    label = next(o for o in load_spec(mlmodel).description.output if o.name == "classLabel")
    assert label.shortDescription == "Predicted digit, 0..9, or -1: not a digit"
    assert meta["confidence.min_confidence"] == str(digits_svm.confidence.DEFAULT_MIN_CONFIDENCE)
    assert meta["confidence.not_a_digit_label"] == "-1"
    parity = json.loads((app_artifacts_dir / "metrics.json").read_text())["coreml_parity"]
    assert parity["n_agree"] == parity["n"] == 11_797


def test_synthesized_training_is_deterministic_to_the_byte():
    from digits_svm.coreml._convert import build_spec, spec_bytes

    # the app preset with fewer drawings (its shifted copies, probabilities, parallel synthesis all kept)
    a = digits_svm.train(preset="app", synthesized=40, nondigits=20)
    b = digits_svm.train(preset="app", synthesized=40, nondigits=20)
    assert a.n_synthesized == 40 and a.n_nondigits == 20
    assert spec_bytes(build_spec(a.model, preprocessing=None, metadata=None)) == spec_bytes(
        build_spec(b.model, preprocessing=None, metadata=None))


def test_synthesized_zero_is_the_preset_without_handwriting():
    r = digits_svm.train(preset="app", synthesized=0, nondigits=0, probability=False)
    assert r.n_synthesized == r.n_nondigits == 0 and r.n_fitted == 2 * 898 + 3823  # the other writers stay


def test_negative_synthesized_is_refused():
    with pytest.raises(digits_svm.DigitsSVMError, match="synthesized"):
        digits_svm.train(synthesized=-5)


@pytest.mark.parametrize("width", [8, 14, 22, 30])
def test_the_readme_seven_is_read_as_seven_by_the_model_the_readme_recommends(app_result, width):
    from digits_svm.model._training import predict_digits

    readme_seven = {"strokes": [[[20, 10], [70, 10], [35, 110]]]}  # README quick start
    grid = digits_svm.preprocess_strokes(readme_seven, line_width=width).reshape(1, 64)
    assert predict_digits(app_result.model, grid).tolist() == [7]


def test_train_reports_its_slow_steps_through_its_callback():
    steps = []
    digits_svm.train(synthesized=250, nondigits=210, progress=lambda step, done=0, total=0: steps.append((step, done, total)))
    drawn = [s for s in steps if s[0] == "drawing synthesized digits"]
    assert drawn[-1] == ("drawing synthesized digits", 250, 250) and len(drawn) >= 2  # several chunks, counted
    assert [s for s in steps if s[0] == "drawing synthesized non-digits"][-1][1:] == (210, 210)
    assert steps[-1] == ("fitting the SVM", 0, 0)
    steps.clear()
    digits_svm.train(preset="best", progress=lambda step, done=0, total=0: steps.append((step, done, total)))
    assert steps[0] == ("fitting the SVM", 0, 0)  # then each of the 45 class pairs, as it is calibrated
    assert steps[1:] == [("calibrating the probabilities (class pairs)", k, 45) for k in range(1, 46)]
    with pytest.raises(digits_svm.InvalidParameterError, match="progress"):
        digits_svm.train(progress="print")
