from pathlib import Path

import numpy as np
import pytest

import digits_svm
from digits_svm import NOT_A_DIGIT, predict_with_confidence
from digits_svm.confidence import DEFAULT_MIN_CONFIDENCE, predict_proba
from digits_svm.datasets._nondigits import synthesize_nondigits
from digits_svm.drawing._strokes import preprocess_strokes


@pytest.fixture(scope="module")
def best(best_result):
    """The "best" preset (probabilities, no class -1), trained once per run (conftest.py)."""
    return best_result


@pytest.fixture(scope="module")
def best_mlmodel(tmp_path_factory, best):
    path = tmp_path_factory.mktemp("confidence") / "DigitsSVM.mlmodel"
    digits_svm.convert(best.model, path)
    return path


def test_held_out_scans_that_the_app_model_answers_are_right(app_result):
    preds = predict_with_confidence(app_result.model, app_result.X_test)
    answered = np.array([p.digit is not None for p in preds])
    digits = np.array([p.best_guess for p in preds])
    labels = app_result.y_pred
    np.testing.assert_array_equal(digits[labels != NOT_A_DIGIT], labels[labels != NOT_A_DIGIT])
    assert not answered[labels == NOT_A_DIGIT].any()  # the class -1 is "not a digit" at any threshold
    assert answered.mean() >= 0.9  # bench_confidence.py: 93.9% of the scans at the default
    right = digits[answered] == app_result.y_test[answered]
    # Rejecting the unsure ones removes more errors than hits: 99.8% of the answered scans are
    # right at the default against 97.8% of all (bench_confidence.py).
    assert right.mean() >= 0.995 > app_result.accuracy
    assert all(p.probability >= DEFAULT_MIN_CONFIDENCE for p, a in zip(preds, answered, strict=True) if a)


def _not_digits() -> np.ndarray:
    specks = np.zeros((8, 8))
    specks[3, 4], specks[5, 1] = 3, 2
    cross = preprocess_strokes([[[0, 0], [60, 80]], [[60, 0], [0, 80]]])
    flat = preprocess_strokes([[[0, 10], [80, 10]]])
    letter_h = preprocess_strokes([[[10, 10], [10, 110]], [[90, 10], [90, 110]], [[10, 60], [90, 60]]], line_width=6)
    return np.stack([np.zeros((8, 8)), specks, cross, flat, letter_h])


def test_blank_grids_letters_and_scribbles_are_not_digits(app_result, best):
    preds = predict_with_confidence(app_result.model, _not_digits())
    assert [p.digit for p in preds] == [None] * 5
    assert "not a digit" in str(preds[0])
    # A model without the class -1 has only the threshold: blank grids and strokes fall below 0.5.
    preds = predict_with_confidence(best.model, _not_digits()[:4], min_confidence=0.5)
    assert [p.digit for p in preds] == [None] * 4
    assert all(0.0 < p.probability < 0.5 for p in preds)


def test_the_app_mlmodel_gives_the_same_answers_as_the_svc(app_result, app_artifacts_dir):
    """Scans, synthesized non-digits of another seed and blank grids: every answer equal."""
    mlmodel = app_artifacts_dir / "DigitsSVM.mlmodel"
    grids = np.concatenate([app_result.X_test.reshape(-1, 8, 8), synthesize_nondigits(150, seed=31)[0].reshape(-1, 8, 8),
                            _not_digits()])
    from_svc = predict_with_confidence(app_result.model, grids)
    from_file = predict_with_confidence(mlmodel, grids)
    assert [(p.digit, p.best_guess) for p in from_file] == [(p.digit, p.best_guess) for p in from_svc]
    np.testing.assert_allclose([p.probability for p in from_file], [p.probability for p in from_svc], atol=1e-9)
    assert sum(p.digit is None for p in from_file) > 150  # the set holds many non-digits
    classes, proba = predict_proba(mlmodel, grids)
    assert classes.tolist() == [NOT_A_DIGIT, *range(10)] and np.allclose(proba.sum(1), 1.0)


def test_mlmodel_gives_the_same_answers_as_the_svc(best, best_mlmodel):
    grids = best.X_test[:60].reshape(-1, 8, 8)
    from_svc = predict_with_confidence(best.model, grids)
    from_file = predict_with_confidence(best_mlmodel, grids)
    from_spec = predict_with_confidence(digits_svm.coreml._convert.load_spec(best_mlmodel), grids)
    assert [p.digit for p in from_file] == [p.digit for p in from_svc] == [p.digit for p in from_spec]
    np.testing.assert_allclose([p.probability for p in from_file], [p.probability for p in from_svc], atol=1e-9)
    classes, proba = predict_proba(best_mlmodel, grids)
    assert classes.tolist() == list(range(10)) and np.allclose(proba.sum(1), 1.0)


def test_threshold_zero_accepts_everything_and_one_almost_nothing(best):
    grids = best.X_test[:40]
    assert all(p.digit is not None for p in predict_with_confidence(best.model, grids, min_confidence=0.0))
    assert all(p.digit is None for p in predict_with_confidence(best.model, grids, min_confidence=1.0))


def test_models_without_probabilities_are_refused_clearly(result, mlmodel_path):
    with pytest.raises(digits_svm.errors.NoProbabilitiesError, match="trained without probabilities.*probability=True"):
        predict_with_confidence(result.model, np.zeros((8, 8)))
    with pytest.raises(digits_svm.errors.NoProbabilitiesError, match="no classProbability output.*--probability"):
        predict_with_confidence(mlmodel_path, np.zeros((8, 8)))


@pytest.mark.parametrize("bad", [-0.1, 1.5, "high", float("nan")])
def test_min_confidence_must_be_a_probability(best, bad):
    with pytest.raises(digits_svm.InvalidParameterError, match="min_confidence=.* is not allowed; use a number >= 0 and <= 1"):
        predict_with_confidence(best.model, np.zeros((8, 8)), min_confidence=bad)


def test_bad_grids_and_non_models_are_refused(best):
    with pytest.raises(digits_svm.errors.InvalidGridError):
        predict_with_confidence(best.model, np.full((8, 8), 17.0))
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(digits_svm.errors.NotAnSVCError):
        predict_with_confidence(LogisticRegression(), np.zeros((8, 8)))


def test_the_threshold_a_model_records_is_checked():
    from digits_svm.confidence import recorded_min_confidence

    assert recorded_min_confidence({"confidence.min_confidence": "0.6"}) == 0.6
    assert recorded_min_confidence({}) == DEFAULT_MIN_CONFIDENCE
    for bad in ("high", "1.5", "nan"):
        with pytest.raises(digits_svm.errors.ModelFileError, match="confidence.min_confidence is .*--min-confidence"):
            recorded_min_confidence({"confidence.min_confidence": bad})


def test_the_cli_answers_by_the_rule_the_app_model_records(app_artifacts_dir, tmp_path, capsys):
    import json

    from digits_svm.cli import main

    mlmodel = str(app_artifacts_dir / "DigitsSVM.mlmodel")
    letter = tmp_path / "H.json"
    letter.write_text(json.dumps({"strokes": [[[10, 10], [10, 110]], [[90, 10], [90, 110]], [[10, 60], [90, 60]]],
                                  "line_width": 6}))
    seven = str(Path(__file__).parent / "golden" / "seven.json")
    assert main(["predict", seven, str(letter), "--model", mlmodel]) == 0
    assert capsys.readouterr().out == f"{seven}: 7\n{letter}: not a digit\n"
    assert main(["predict", str(letter), "--model", mlmodel, "--probability"]) == 0
    assert capsys.readouterr().out.startswith("not a digit (best guess ")
    assert main(["predict", seven, "--model", mlmodel, "--min-confidence", "1"]) == 0
    assert capsys.readouterr().out == "not a digit\n"
    assert main(["show", str(letter), "--model", mlmodel, "--out", str(tmp_path / "h.png"), "--method", "normalized"]) == 0
    assert capsys.readouterr().out.startswith("normalized: not a digit (best guess ")
