"""The presets' estimator: `make_estimator` refuses what it cannot build, naming the choices."""

import pytest

import digits_svm
from digits_svm.model._presets import make_estimator


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"preset": "nope"}, "preset='nope' is not allowed; use one of 'example', 'best', 'app'"),
        ({"kernel": "cubic"}, "kernel='cubic' is not allowed"),
        ({"C": -1.0}, r"C=-1.0 is not allowed; use a number > 0"),
        ({"gamma": 0.0}, r"gamma=0.0 is not allowed; use a number > 0"),
    ],
)
def test_bad_estimator_parameters_are_refused(kwargs, message):
    with pytest.raises(digits_svm.DigitsSVMError, match=message):
        make_estimator(**kwargs)
