"""The model: what a fitted SVC is, its probabilities, the presets, and training.

`train` fits a preset's estimator (`PRESETS`, `make_estimator`) on the training data and
measures it on the held-out scans. `PlattSVC` is an ``SVC`` that computes libsvm's
probabilities itself. `check_fitted_svc` and `has_probabilities` say what a model is.
"""

from ._calibration import PlattSVC
from ._fitted import check_fitted_svc, has_probabilities
from ._presets import PRESETS, make_estimator
from ._training import TrainResult, train

#: Model files name the class by its public home, so they load whichever private module defines it.
PlattSVC.__module__ = __name__

__all__ = ["train", "TrainResult", "PRESETS", "make_estimator", "PlattSVC", "check_fitted_svc", "has_probabilities"]
