"""What a fitted SVC is: its probabilities are read from its fitted Platt parameters, not its ``probability`` setting."""

import copy

import numpy as np
import pytest

import digits_svm


@pytest.mark.filterwarnings("ignore:The `probability` parameter was deprecated:FutureWarning")  # scikit-learn >= 1.9
def test_probabilities_are_read_from_the_fitted_parameters(result, sklearn_calibrated):
    """scikit-learn 1.9's default ``probability`` is the string "deprecated": true, yet no probabilities."""
    model = copy.copy(result.model)
    model.probability = "deprecated"
    assert not digits_svm.model._fitted.has_probabilities(model)
    assert [len(a) for a in digits_svm.model._fitted.platt_parameters(model)] == [0, 0]
    X, y = digits_svm.datasets._training_data.load_digits_grids()
    calibrated = sklearn_calibrated(X[:300], y[:300], gamma=0.001)  # an older pickle's kind of model
    prob_a, prob_b = digits_svm.model._fitted.platt_parameters(calibrated)
    assert digits_svm.model._fitted.has_probabilities(calibrated) and len(prob_a) == len(prob_b) == 45
    assert prob_a.dtype == np.float64 and (prob_a < 0).all()  # libsvm's A: higher decision, higher probability
