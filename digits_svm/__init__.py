"""digits_svm: a handwritten-digit SVM from training to an iPhone, offline.

The public API is re-exported here; see the README for a tour.
"""

__version__ = "0.1.0"

# ruff: noqa: I001 -- the order is the data's: the error family first, then each stage.

from .errors import *  # noqa: E402,F401,F403
from .errors import __all__ as _errors_all  # noqa: E402
from .data import Samples, canonical_split, load_grids, load_samples  # noqa: E402
from .grids import check_grids  # noqa: E402
from .train import PRESETS, TrainResult, search_best, train  # noqa: E402
from .persist import load_joblib, load_model, load_pickle, save_joblib, save_pickle  # noqa: E402
from .coreml import convert, describe  # noqa: E402
from .preprocess import (  # noqa: E402
    DEFAULT_METHOD,
    METHODS,
    Drawing,
    load_image,
    load_strokes,
    method_metadata,
    parse_strokes,
    preprocess,
    preprocess_strokes,
    render_strokes,
)
from .artifacts import write_artifacts  # noqa: E402
from .runtime import CoreMLRuntime, ParityReport, coreml_predict, verify  # noqa: E402
from .confidence import DEFAULT_MIN_CONFIDENCE, NOT_A_DIGIT, Prediction, predict_with_confidence  # noqa: E402
from . import handwriting  # noqa: E402,F401  (the synthesizer: digits_svm.handwriting.synthesize)
from . import nondigits  # noqa: E402,F401  (non-digits to learn from: digits_svm.nondigits.synthesize_nondigits)

__all__ = [
    *_errors_all,
    "__version__",
    "canonical_split",
    "load_grids",
    "Samples",
    "load_samples",
    "check_grids",
    "PRESETS",
    "TrainResult",
    "train",
    "search_best",
    "save_pickle",
    "load_pickle",
    "save_joblib",
    "load_joblib",
    "load_model",
    "convert",
    "describe",
    "METHODS",
    "DEFAULT_METHOD",
    "Drawing",
    "preprocess",
    "preprocess_strokes",
    "render_strokes",
    "parse_strokes",
    "load_strokes",
    "load_image",
    "method_metadata",
    "write_artifacts",
    "CoreMLRuntime",
    "ParityReport",
    "coreml_predict",
    "verify",
    "DEFAULT_MIN_CONFIDENCE",
    "NOT_A_DIGIT",
    "Prediction",
    "predict_with_confidence",
]
