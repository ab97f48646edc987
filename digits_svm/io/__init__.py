"""Files: one door to save and load a model, the artifacts of a training run, and the inputs of ``predict``.

`save_model` and `load_model` choose the format by the file's extension (`FORMATS`):
``.skops`` (safe to share: loads only `TRUSTED_TYPES`), ``.joblib``, anything else a pickle.
`write_artifacts` writes a training run's model, ``.mlmodel``, metrics and plots as one
set. `grids_from_input_file` reads what ``digits-svm predict`` is given.
"""

from ._artifacts import write_artifacts
from ._inputs import grids_from_input_file
from ._model_files import FORMATS, TRUSTED_TYPES, load_model, save_model

__all__ = ["save_model", "load_model", "FORMATS", "TRUSTED_TYPES", "write_artifacts", "grids_from_input_file"]
