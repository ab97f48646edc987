import json

import numpy as np
import pytest

import digits_svm
from digits_svm.train import make_estimator


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
    assert "refit on all 1797" in refit.metrics()["saved_model"]


def test_parameters_and_split_are_honoured():
    r = digits_svm.train(C=10.0, gamma=0.0005, test_fraction=0.25, shuffle=True, random_state=1)
    assert r.params["C"] == 10.0 and r.params["gamma"] == 0.0005
    assert r.n_test == 450
    assert r.accuracy > 0.95


def test_probability_model_is_deterministic():
    a = digits_svm.train(probability=True).model
    b = digits_svm.train(probability=True).model
    np.testing.assert_array_equal(a.probA_, b.probA_)
    assert a.random_state == 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"preset": "nope"}, "unknown preset"),
        ({"kernel": "cubic"}, "unknown kernel"),
        ({"C": -1.0}, "C must be positive"),
        ({"gamma": 0.0}, "gamma must be positive"),
    ],
)
def test_bad_estimator_parameters_are_refused(kwargs, message):
    with pytest.raises(digits_svm.DigitsSVMError, match=message):
        make_estimator(**kwargs)


def test_bad_test_fraction_is_refused():
    with pytest.raises(digits_svm.DigitsSVMError, match="test_fraction"):
        digits_svm.train(test_fraction=1.5)
