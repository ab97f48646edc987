"""The ``.mlmodel``: conversion, and its proof on Linux, where Core ML cannot run.

`convert` writes the fitted SVC as a Core ML support-vector classifier. `CoreMLRuntime`
runs a saved spec with NumPy, with libsvm's arithmetic, as Core ML would. `verify`
proves that it answers what the estimator answers.
"""

from ._convert import convert, describe, load_spec
from ._parity import ParityReport, verify
from ._runtime import CoreMLRuntime, coreml_predict

__all__ = ["convert", "load_spec", "describe", "CoreMLRuntime", "coreml_predict", "verify", "ParityReport"]
