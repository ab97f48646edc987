"""The presets: named training recipes (``SVC`` parameters and training data), and the estimator each builds.

``"example"`` is scikit-learn's digits example; ``"best"`` is what
`digits_svm.search.search_best` chose on scans; ``"app"`` is the one to ship
(docs/decisions.md says how each was chosen).
"""

from __future__ import annotations

from typing import Any

from sklearn.svm import SVC

from .._validation import MAX_RANDOM_STATE, check_bool, check_choice, check_count, check_number
from ._calibration import PlattSVC

__all__ = ["PRESETS", "APP_DIGITS", "KERNELS", "preset_settings", "drawing_counts", "make_estimator"]

#: The digits the ``"app"`` preset's synthesized handwriting shows, in turn: 2 to 8 twice
#: as often as 0, 1 and 9, whose shapes vary least between writers.
APP_DIGITS = (0, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9)

#: Named training settings: ``SVC`` parameters, plus ``augment`` (a key of
#: ``digits_svm.datasets.AUGMENTATIONS``, default "none"), ``probability`` (default
#: False), ``synthesized`` (how many synthesized handwritten digits join the training
#: half, default 0), ``synthesized_digits`` (which digits they show, in turn; see
#: `digits_svm.datasets.synthesize`) and ``nondigits`` (how many synthesized
#: drawings that are not digits join it as the class `digits_svm.datasets.NOT_A_DIGIT`,
#: default 0) and ``other_writers`` (whether the 3,823 digits of optdigits' 30 other
#: writers, `digits_svm.datasets.load_other_writers`, join it, default False).
#: ``"example"`` is the scikit-learn example,
#: exactly. ``"best"`` is what `digits_svm.search.search_best` chose by cross-validation on the training
#: half (docs/model.md): the best on scans. ``"app"`` is the one to ship in an app: it
#: also learns from synthesized handwriting, and reads real people's digits far better
#: (docs/handwriting.md; ``benchmarks/bench_app_preset.py`` chose its settings), and
#: answers "not a digit" to letters, shapes and scribbles (docs/model.md).
PRESETS: dict[str, dict[str, Any]] = {
    "example": {"kernel": "rbf", "C": 1.0, "gamma": 0.001},
    "best": {"kernel": "rbf", "C": 3.0, "gamma": 0.001, "augment": "hshift", "probability": True},
    "app": {"kernel": "rbf", "C": 3.0, "gamma": 0.001, "augment": "hshift1", "probability": True,
            "other_writers": True, "synthesized": 10800, "synthesized_digits": APP_DIGITS, "nondigits": 2700},
}

#: Keys of a preset that are not ``SVC`` parameters.
_TRAINING_KEYS = ("augment", "probability", "synthesized", "synthesized_digits", "nondigits", "other_writers")

#: The ``SVC`` kernels a preset or an override may name.
KERNELS = ("rbf", "linear", "poly", "sigmoid")


def preset_settings(preset: str) -> dict[str, Any]:
    """A copy of the settings of the preset named ``preset`` (a key of `PRESETS`, checked by the caller).

    Examples
    --------
    >>> preset_settings("best")["augment"]
    'hshift'
    """
    return dict(PRESETS[preset])


def drawing_counts(preset: str, synthesized: int | None = None, nondigits: int | None = None) -> tuple[int, int]:
    """How many synthesized digits and non-digits a training run draws: the preset's, unless given.

    The caller has checked the arguments (`digits_svm.train` and the command line do).

    Examples
    --------
    >>> drawing_counts("app"), drawing_counts("app", nondigits=0), drawing_counts("example")
    ((10800, 2700), (10800, 0), (0, 0))
    """
    settings = preset_settings(preset)
    return (int(settings.get("synthesized", 0) if synthesized is None else synthesized),
            int(settings.get("nondigits", 0) if nondigits is None else nondigits))


def make_estimator(
    *,
    preset: str = "example",
    C: float | None = None,
    gamma: float | str | None = None,
    kernel: str | None = None,
    degree: int | None = None,
    coef0: float | None = None,
    probability: bool | None = None,
    random_state: int = 0,
) -> SVC:
    """Build an unfitted ``SVC`` from a preset, with explicit parameters overriding it.

    Parameters
    ----------
    preset : str, default "example"
        A key of `PRESETS` (its ``augment`` entry is applied by `train`, not here).
    C, gamma, kernel, degree, coef0 : optional
        Override the preset's value.
    probability : bool, optional
        Fit libsvm's pairwise Platt scaling so the model (and the ``.mlmodel``) gives class
        probabilities: the estimator is then a `digits_svm.model.PlattSVC`, an SVC
        that calibrates itself (``SVC(probability=True)`` is deprecated from scikit-learn
        1.9 on). Default: the preset's (True for "best" and "app", else False).
    random_state : int, default 0
        Seed for the probability calibration, so training is deterministic (0 to
        ``2**32 - 1``).

    Returns
    -------
    sklearn.svm.SVC
        A `digits_svm.model.PlattSVC` when ``probability`` is true.

    Raises
    ------
    InvalidParameterError
        An unknown preset or kernel, or a parameter out of range, named in the message.

    Examples
    --------
    >>> make_estimator()
    SVC(gamma=0.001, random_state=0)
    >>> make_estimator(preset="best")
    PlattSVC(C=3.0, gamma=0.001, random_state=0)
    """
    params = preset_settings(check_choice(preset, "preset", tuple(PRESETS)))
    preset_probability = params.get("probability", False)
    for key in _TRAINING_KEYS:
        params.pop(key, None)
    for name, value in (("C", C), ("gamma", gamma), ("kernel", kernel), ("degree", degree), ("coef0", coef0)):
        if value is not None:
            params[name] = value
    check_choice(params.get("kernel", "rbf"), "kernel", KERNELS)
    if "C" in params:
        check_number(params["C"], "C", low=0, low_open=True)
    gamma_value = params.get("gamma", "scale")
    if isinstance(gamma_value, str):
        check_choice(gamma_value, "gamma", ("scale", "auto"))
    else:
        check_number(gamma_value, "gamma", low=0, low_open=True)
    if "degree" in params:
        check_count(params["degree"], "degree", low=1)
    if "coef0" in params:
        check_number(params["coef0"], "coef0")
    probability = preset_probability if probability is None else check_bool(probability, "probability")
    check_count(random_state, "random_state", high=MAX_RANDOM_STATE)
    # The probability setting is left at its default: from scikit-learn 1.9 on, any value
    # given for it (False too) is deprecated.
    return (PlattSVC if probability else SVC)(random_state=random_state, **params)
