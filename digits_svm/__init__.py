"""digits_svm: a handwritten-digit SVM from training to an iPhone, offline.

The everyday path is here: train, save and load the model, convert it to ``.mlmodel`` and
verify it, preprocess a crop or strokes, run the ``.mlmodel``, answer with a confidence.
The rest lives in subpackages, one job each, that build on each other in this order:

- `digits_svm.drawing`: a drawing (crop or strokes) in, the model's 8x8 grid out;
- `digits_svm.datasets`: scans, the user's samples, copies, synthesized drawings;
- `digits_svm.model`: the presets, training, probabilities, what a fitted SVC is;
- `digits_svm.coreml`: the ``.mlmodel``, its NumPy runtime and the parity proof;
- `digits_svm.memory`, `digits_svm.confidence` and `digits_svm.plots`: the user's corrections, answers and pictures;
- `digits_svm.io`: model files, a training run's artifacts, ``predict``'s inputs;
- `digits_svm.search`, `digits_svm.cli`, `digits_svm.playground`: the tools on top.

Each is an attribute of the package, imported the first time it is used.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ._version import __version__ as __version__
from .confidence import Prediction, predict_with_confidence
from .coreml import CoreMLRuntime, convert, coreml_predict, verify
from .datasets import NOT_A_DIGIT
from .drawing import load_image, load_strokes, preprocess, preprocess_strokes, render_strokes
from .errors import DigitsSVMError, InvalidParameterError
from .io import load_model, save_model
from .memory import PersonalMemory
from .model import PRESETS, TrainResult, train

__all__ = [
    # train, save, convert, verify
    "train", "TrainResult", "PRESETS", "save_model", "load_model", "convert", "verify",
    # a drawing in, the model's 8x8 grid out
    "preprocess", "preprocess_strokes", "render_strokes", "load_strokes", "load_image",
    # run the .mlmodel, answer with a confidence
    "CoreMLRuntime", "coreml_predict", "predict_with_confidence", "Prediction", "NOT_A_DIGIT", "PersonalMemory",
    # errors (the whole family: digits_svm.errors)
    "DigitsSVMError", "InvalidParameterError",
]

#: The subpackages and public modules, in the order they build on each other.
SUBMODULES = (
    "errors", "progress", "drawing", "datasets", "model", "coreml", "memory", "confidence", "plots", "io",
    "search", "cli", "playground",
)


def __getattr__(name: str) -> ModuleType:
    """``digits_svm.<submodule>``: import the submodule on first use (PEP 562)."""
    if name in SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *SUBMODULES})
