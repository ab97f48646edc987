"""digits_svm: a handwritten-digit SVM from training to an iPhone, offline.

The everyday path is here: train, save and load the pickle, convert to ``.mlmodel`` and
verify it, preprocess a crop or strokes, run the ``.mlmodel``, answer with a confidence.
Everything else lives in submodules, one job each (``docs/api.md`` lists them; the
README's "How the code is laid out" maps them). Every submodule is an attribute of the
package, imported the first time it is used: ``digits_svm.search.search_best``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.1.0"

# ruff: noqa: E402 -- __version__ comes first: persist and coreml read it while the package loads.
from .confidence import NOT_A_DIGIT, Prediction, predict_with_confidence
from .coreml import convert
from .errors import DigitsSVMError, InvalidParameterError
from .images import load_image
from .parity import verify
from .persist import load_pickle, save_pickle
from .preprocessing import preprocess
from .presets import PRESETS
from .runtime import CoreMLRuntime, coreml_predict
from .strokes import load_strokes, preprocess_strokes, render_strokes
from .training import TrainResult, train

__all__ = [
    # train, save, convert, verify
    "train", "TrainResult", "PRESETS", "save_pickle", "load_pickle", "convert", "verify",
    # a drawing in, the model's 8x8 grid out
    "preprocess", "preprocess_strokes", "render_strokes", "load_strokes", "load_image",
    # run the .mlmodel, answer with a confidence
    "CoreMLRuntime", "coreml_predict", "predict_with_confidence", "Prediction", "NOT_A_DIGIT",
    # errors (the whole family: digits_svm.errors)
    "DigitsSVMError", "InvalidParameterError",
]

#: The submodules, one job each (docs/api.md). The ones the names above come from are
#: loaded already; the others load on first use, so ``import digits_svm`` stays light.
SUBMODULES = (
    "artifacts", "augment", "calibration", "cli", "confidence", "coreml", "data", "errors", "fileio", "handwriting", "images",
    "inputs", "libsvm", "nondigits", "parity", "persist", "playground", "plots", "preprocessing", "presets",
    "progress", "runtime", "search", "sharing", "strokes", "svm_spec", "synthetic", "training", "validation",
)


def __getattr__(name: str) -> ModuleType:
    """``digits_svm.<submodule>``: import the submodule on first use (PEP 562)."""
    if name in SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *SUBMODULES})
