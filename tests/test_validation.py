"""Validation in one place: the grids (check_grids, grid files) and every public function's arguments."""

import importlib
import inspect
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.svm import SVC

import digits_svm
from digits_svm import _files as fileio
from digits_svm import confidence, playground, plots, progress, search
from digits_svm._validation import check_grids
from digits_svm.coreml import _convert as coreml
from digits_svm.coreml import _parity as parity
from digits_svm.coreml import _runtime as runtime
from digits_svm.datasets import _augment as augment
from digits_svm.datasets import _handwriting as handwriting
from digits_svm.datasets import _nondigits as nondigits
from digits_svm.datasets import _templates as synthetic
from digits_svm.datasets import _training_data as data
from digits_svm.drawing import _images as images
from digits_svm.drawing import _preprocessing as preprocessing
from digits_svm.drawing import _strokes as strokes
from digits_svm.errors import DigitsSVMError, InvalidGridError, InvalidParameterError
from digits_svm.io import _artifacts as artifacts
from digits_svm.io import _inputs as inputs
from digits_svm.io import _model_files as sharing
from digits_svm.io._inputs import read_grid_file
from digits_svm.model import _calibration as calibration
from digits_svm.model import _presets as presets
from digits_svm.model import _training as training
from digits_svm.model._fitted import check_fitted_svc


@pytest.mark.parametrize("shape, n", [((8, 8), 1), ((64,), 1), ((5, 8, 8), 5), ((5, 64), 5)])
def test_accepted_shapes(shape, n):
    out = check_grids(np.ones(shape))
    assert out.shape == (n, 8, 8) and out.dtype == np.float64


def test_row_major_order_is_kept():
    flat = np.arange(64) / 4
    assert check_grids(flat)[0, 1, 0] == flat[8]


@pytest.mark.parametrize(
    "value, message",
    [
        (np.zeros(63), "shape"),
        (np.zeros((8, 9)), "shape"),
        (np.zeros((0, 64)), "empty"),
        (np.full((8, 8), np.nan), "NaN"),
        (np.full((8, 8), np.inf), "NaN or infinity"),
        (np.full((8, 8), -0.5), "0..16"),
        (np.full((8, 8), 16.5), "0..16"),
        ([["a"] * 8] * 8, "numbers"),
    ],
)
def test_bad_grids_are_refused_with_the_fix(value, message):
    with pytest.raises(InvalidGridError, match=message):
        check_grids(value)


def test_grid_files(tmp_path):
    grid = np.arange(64, dtype=float).reshape(8, 8) / 4
    np.save(tmp_path / "g.npy", grid)
    (tmp_path / "g.json").write_text(json.dumps(grid.tolist()))
    np.testing.assert_array_equal(read_grid_file(tmp_path / "g.npy")[0], grid)
    np.testing.assert_array_equal(read_grid_file(tmp_path / "g.json")[0], grid)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InvalidGridError, match="not valid JSON"):
        read_grid_file(tmp_path / "bad.json")
    with pytest.raises(InvalidGridError, match="not found"):
        read_grid_file(tmp_path / "missing.npy")
    with pytest.raises(InvalidGridError, match="unsupported"):
        read_grid_file(tmp_path / "g.txt")


# ----------------------------------------------------------------------- arguments
# Every public function and constructor refuses a bad argument with InvalidParameterError
# (a DigitsSVMError and a ValueError) whose message starts with the argument's name, before
# it reads, draws, renders, fits or writes anything: the data arguments below are None,
# and the calls run in an empty folder that must stay empty.



def _rng() -> np.random.Generator:
    return np.random.default_rng(0)


def _runtime() -> runtime.CoreMLRuntime:
    """A CoreMLRuntime that was never built: enough for the type check, which comes first."""
    return runtime.CoreMLRuntime.__new__(runtime.CoreMLRuntime)


_CANDIDATE = search.Candidate("none", 1.0, 0.001, 1, 1, None, 1, 1, True)
_NAN = math.nan

#: (function, argument named in the message, positional args, keyword args): one bad value each.
CASES: list[tuple] = [
    # training
    (training.train, "method", (), {"method": "nope"}),
    (training.train, "augment", (), {"augment": ["nope"]}),
    (training.train, "augment", (), {"augment": "flip"}),
    (training.train, "C", (), {"C": -1}),
    (training.train, "preset", (), {"preset": "nope"}),
    (training.train, "gamma", (), {"gamma": "auto-ish"}),
    (training.train, "kernel", (), {"kernel": "cubic"}),
    (training.train, "degree", (), {"degree": 0}),
    (training.train, "coef0", (), {"coef0": _NAN}),
    (training.train, "probability", (), {"probability": "yes"}),
    (training.train, "synthesized", (), {"synthesized": -5}),
    (training.train, "nondigits", (), {"nondigits": 2.5}),
    (training.train, "extra", (), {"extra": 3}),
    (training.train, "test_fraction", (), {"test_fraction": 1.5}),
    (training.train, "shuffle", (), {"shuffle": "no"}),
    (training.train, "random_state", (), {"random_state": -1}),
    (training.train, "random_state", (), {"random_state": 2**32}),
    (training.train, "refit_on_all", (), {"refit_on_all": 1}),
    (training.synthesized_training_digits, "method", ("app", 3), {"method": "nope"}),
    (training.synthesized_training_digits, "n_jobs", ("app", 3), {"n_jobs": 0}),
    (training.fit_with_copies, "augment", (None, None, None, "nope"), {}),
    # calibration
    (calibration.sigmoid_train, "decision_values", ([1.0], [1, -1]), {}),
    (calibration.sigmoid_train, "decision_values", ([_NAN], [1]), {}),
    (calibration.pairwise_platt, "estimator", (object(), np.zeros((2, 1)), [0, 1]), {}),
    (calibration.pairwise_platt, "n_folds", (SVC(), np.zeros((2, 1)), [0, 1]), {"n_folds": 1}),
    (calibration.pairwise_platt, "random_state", (SVC(), np.zeros((2, 1)), [0, 1]), {"random_state": -1}),
    (calibration.pairwise_platt, "n_jobs", (SVC(), np.zeros((2, 1)), [0, 1]), {"n_jobs": 0}),
    (calibration.pairwise_platt, "X", (SVC(), np.zeros(2), [0, 1]), {}),
    (calibration.pairwise_platt, "y", (SVC(), np.zeros((2, 1)), [0, 0]), {}),
    (calibration.pairwise_platt, "sample_weight", (SVC(), np.zeros((2, 1)), [0, 1]), {"sample_weight": [1.0]}),
    (calibration.pairwise_platt, "sample_weight", (SVC(), np.zeros((2, 1)), [0, 1]), {"sample_weight": [1.0, 0.0]}),
    # presets
    (presets.make_estimator, "preset", (), {"preset": "nope"}),
    (presets.make_estimator, "preset", (), {"preset": ["best"]}),
    (presets.make_estimator, "C", (), {"C": 0}),
    (presets.make_estimator, "gamma", (), {"gamma": -0.1}),
    (presets.make_estimator, "kernel", (), {"kernel": "cubic"}),
    (presets.make_estimator, "degree", (), {"degree": 2.0}),
    (presets.make_estimator, "coef0", (), {"coef0": "0"}),
    (presets.make_estimator, "probability", (), {"probability": 0}),
    (presets.make_estimator, "random_state", (), {"random_state": None}),
    # search
    (search.search_best, "augmentations", (), {"augmentations": ("none", "nope")}),
    (search.search_best, "augmentations", (), {"augmentations": "hshift"}),
    (search.search_best, "C", (), {"C": (1.0, -3.0)}),
    (search.search_best, "gamma", (), {"gamma": ()}),
    (search.search_best, "n_splits", (), {"n_splits": 1}),
    (search.search_best, "probability", (), {"probability": "yes"}),
    (search.search_best, "max_bytes", (), {"max_bytes": -1}),
    (search.search_best, "cv_tolerance", (), {"cv_tolerance": 0.5}),
    (search.search_best, "n_jobs", (), {"n_jobs": 0}),
    (search.search_best, "progress", (), {"progress": "print"}),
    (progress.ProgressBars, "quiet", (), {"quiet": "yes"}),
    (progress.check_progress, "progress", ("print",), {}),
    (progress.ProgressBars, "bars", (), {"bars": 1}),
    (training.train, "progress", (), {"progress": "print"}),
    (handwriting.synthesize, "progress", (3,), {"progress": 3}),
    (nondigits.synthesize_nondigits, "progress", (3,), {"progress": "x"}),
    (search.search_best, "random_state", (), {"random_state": -1}),
    (_CANDIDATE.preset, "probability", (), {"probability": "yes"}),
    # data
    (data.canonical_split, "test_fraction", (0,), {}),
    (data.canonical_split, "shuffle", (), {"shuffle": None}),
    (data.canonical_split, "random_state", (), {"random_state": -2, "shuffle": True}),
    (data.load_samples, "folder", (None,), {}),
    (data.load_samples, "method", ("samples",), {"method": "sharp"}),
    # augment
    (augment.shift_grids, "rows", (None,), {"rows": 9}),
    (augment.shift_grids, "rows", (None,), {"rows": 1.0}),
    (augment.shift_grids, "cols", (None,), {"cols": 0.25}),
    (augment.shift_grids, "cols", (None,), {"cols": 9}),
    (augment.rotate_grids, "degrees", (None, _NAN), {}),
    (augment.renorm_grids, "seed", (None,), {"seed": -1}),
    (augment.renorm_grids, "ranges", (None,), {"ranges": {"size": (1, 2)}}),
    (augment.renorm_grids, "ranges", (None,), {"ranges": {"aspect": (1.3, 0.7)}}),
    (augment.renorm_grids, "ranges", (None,), {"ranges": {"height": (60.5, 200)}}),
    (augment.renorm_grids, "ranges", (None,), {"ranges": {"height": (0, 5)}}),
    (augment.augment_grids, "augment", (None, None, "flip"), {}),
    (augment.check_augmentation, "augment", (["nope"],), {}),
    # handwriting
    (handwriting.style_names, "digit", (10,), {}),
    (handwriting.synthesize_drawing, "digit", (-1, _rng()), {}),
    (handwriting.synthesize_drawing, "rng", (3, 0), {}),
    (handwriting.synthesize_drawing, "style", (3, _rng()), {"style": "nope"}),
    (handwriting.synthesize_drawing, "variation", (3, _rng()), {"variation": {"nope": (0, 1)}}),
    (handwriting.synthesize_drawing, "scale", (3, _rng()), {"scale": 0}),
    (handwriting.synthesize_drawing, "origin", (3, _rng()), {"origin": (20.0,)}),
    (handwriting.synthesize_drawing, "rng", (3, None), {}),
    (handwriting.synthesize_drawing, "variation", (3, _rng()), {"variation": {"wobble": 0.1}}),
    (handwriting.synthesize_drawing, "scale", (3, _rng()), {"scale": 11}),
    (handwriting.synthesize_drawing, "origin", (3, _rng()), {"origin": (0, _NAN)}),
    (handwriting.synthesize, "n", (-1,), {}),
    (handwriting.synthesize, "seed", (3,), {"seed": -1}),
    (handwriting.synthesize, "method", (3,), {"method": "nope"}),
    (handwriting.synthesize, "variation", (3,), {"variation": 5}),
    (handwriting.synthesize, "digits", (3,), {"digits": ()}),
    (handwriting.synthesize, "digits", (3,), {"digits": (3, 12)}),
    (handwriting.synthesize, "n_jobs", (3,), {"n_jobs": 0}),
    # nondigits
    (nondigits.nondigit_drawing, "rng", (None,), {}),
    (nondigits.nondigit_drawing, "kind", (_rng(), "doodle"), {}),
    (nondigits.synthesize_nondigits, "n", (-1,), {}),
    (nondigits.synthesize_nondigits, "seed", (3,), {"seed": -1}),
    (nondigits.synthesize_nondigits, "method", (3,), {"method": "nope"}),
    (nondigits.synthesize_nondigits, "n_jobs", (3,), {"n_jobs": 1.5}),
    # synthetic
    (synthetic.digit_strokes, "digit", (10, _rng()), {}),
    (synthetic.digit_strokes, "rng", (3, None), {}),
    (synthetic.digit_strokes, "style", (3, _rng()), {"style": 2}),
    (synthetic.digit_strokes, "height", (3, _rng()), {"height": 0.0}),
    (synthetic.digit_strokes, "aspect", (3, _rng()), {"aspect": (0.0, 1.0)}),
    (synthetic.digit_strokes, "slant", (3, _rng()), {"slant": _NAN}),
    (synthetic.digit_strokes, "line_width", (3, _rng()), {"line_width": 300.0}),
    (synthetic.digit_strokes, "jitter", (3, _rng()), {"jitter": -0.1}),
    (synthetic.digit_strokes, "origin", (3, _rng()), {"origin": (1, 2, 3)}),
    (synthetic.digit_strokes, "scale", (3, _rng()), {"scale": 0}),
    (synthetic.redraw_grid, "height", (None,), {"height": 0}),
    (synthetic.redraw_grid, "aspect", (None,), {"aspect": 0}),
    (synthetic.redraw_grid, "slant", (None,), {"slant": math.inf}),
    (synthetic.redraw_grid, "thickness", (None,), {"thickness": 1.5}),
    (synthetic.redraw_grid, "margin", (None,), {"margin": -1}),
    # strokes (arguments: InvalidParameterError; the same fields in a drawing stay StrokesError)
    (strokes.render_strokes, "line_width", (None,), {"line_width": 0}),
    (strokes.render_strokes, "scale", (None,), {"scale": 11}),
    (strokes.render_strokes, "inset", (None,), {"inset": _NAN}),
    (strokes.preprocess_strokes, "method", (None, "nope"), {}),
    (strokes.preprocess_strokes, "line_width", (None,), {"line_width": "5"}),
    (strokes.preprocess_strokes, "scale", (None,), {"scale": -2}),
    (strokes.preprocess_strokes, "inset", (None,), {"inset": 10**400}),
    # preprocessing and images
    (preprocessing.check_method, "method", (None,), {}),
    (preprocessing.preprocess, "method", (None, "nope"), {}),
    (preprocessing.preprocess, "ink", (None,), {"ink": "blue"}),
    (preprocessing.normalized_grid, "params", (None, 32), {}),
    (preprocessing.normalized_grid, "params", (None, {"box": 32}), {}),
    (preprocessing.normalized_grid, "params", (None, {**preprocessing.NORMALIZED_PARAMS, "block": 5}), {}),
    (images.ink_levels, "ink", (None,), {"ink": "blue"}),
    # inputs
    (inputs.grids_from_input_file, "method", ("x.png",), {"method": "nope"}),
    (inputs.grids_from_input_file, "path", (None,), {"method": "seed"}),
    # confidence
    (confidence.predict_with_confidence, "min_confidence", (None, None), {"min_confidence": 1.5}),
    (confidence.predict_with_confidence, "min_confidence", (None, None), {"min_confidence": "0.5"}),
    (confidence.predict_with_confidence, "memory", (None, None), {"memory": "memory.json"}),
    (confidence.answers_from_proba, "min_confidence", (None, None, -0.1), {}),
    # parity
    (parity.verify, "n_random", (None, None), {"n_random": -1}),
    (parity.verify, "random_state", (None, None), {"random_state": 0.5}),
    (parity.verify, "random_state", (None, None), {"random_state": -1}),
    # runtime
    (runtime.CoreMLRuntime, "source", (None,), {"source": 3}),
    (runtime.CoreMLRuntime, "source", (None,), {"source": Path("m.mlmodel")}),
    (runtime.coreml_predict, "return_decision", (None, None), {"return_decision": "yes"}),
    (runtime.coreml_predict, "return_proba", (None, None), {"return_proba": 1}),
    # coreml
    (coreml.convert, "path", (None, 3), {}),
    (coreml.convert, "preprocessing", (None,), {"preprocessing": "seed"}),
    (coreml.convert, "metadata", (None,), {"metadata": ["a"]}),
    (coreml.convert, "metadata", (None,), {"metadata": 1}),
    (coreml.load_spec, "path", (None,), {}),
    (coreml.describe, "path", (3,), {}),
    # model files
    (check_fitted_svc, "source", (None,), {"source": None}),
    (sharing.save_model, "path", (None, None), {}),
    (sharing.save_model, "path", (None, 3), {}),
    (sharing.save_model, "path", (None, b"m.skops"), {}),
    (sharing.save_model, "params", (None, "m.skops"), {"params": "C=1"}),
    (sharing.save_model, "params", (None, "m.pkl"), {"params": [("C", 1)]}),
    (sharing.save_model, "conversion", (None, "m.skops"), {"conversion": {"preprocessing": None, "metadata": {"a": 1}}}),
    (sharing.save_model, "conversion", (None, "m.pkl"), {"conversion": {"metadata": {}}}),
    (sharing.save_model, "conversion", (None, "m.joblib"), {"conversion": {"preprocessing": 1, "metadata": {}}}),
    (sharing.save_model, "conversion", (None, "m.skops"), {"conversion": []}),
    (sharing.load_model, "path", (b"m.pkl",), {}),
    (sharing.load_model, "trusted", ("m.pkl",), {"trusted": "yes"}),
    (sharing.load_model, "trusted", ("m.joblib",), {"trusted": None}),
    (sharing.load_model, "trusted", ("m.skops",), {"trusted": 1}),
    (sharing.load_model, "path", (None,), {}),
    (sharing.load_model, "trusted", ("m.skops",), {"trusted": 1}),
    # fileio
    (fileio.atomic_write_bytes, "data", ("f.bin", "text"), {}),
    (fileio.atomic_write_bytes, "exclusive", ("f.bin", b""), {"exclusive": "yes"}),
    (fileio.atomic_write_text, "exclusive", ("f.txt", ""), {"exclusive": None}),
    (fileio.read_bytes, "what", ("f.bin",), {"what": 3}),
    (fileio.read_bytes, "error", ("f.bin",), {"error": ValueError}),
    # artifacts
    (artifacts.write_artifacts, "out_dir", (None, None), {}),
    (artifacts.write_artifacts, "preprocessing", (None,), {"preprocessing": "seed"}),
    (artifacts.write_artifacts, "plots", (None,), {"plots": "no"}),
    (artifacts.write_artifacts, "verify", (None,), {"verify": None}),
    (artifacts.write_artifacts, "progress", (None,), {"progress": "print"}),
    (artifacts.write_artifacts, "model_format", (None,), {"model_format": "onnx"}),
    # plots
    (plots.plot_confusion, "path", (None, None), {}),
    (plots.plot_confusion, "title", (None, "c.png"), {"title": 3}),
    (plots.plot_misclassified, "path", (None, None, None, None), {}),
    (plots.plot_misclassified, "max_digits", (None, None, None, "m.png"), {"max_digits": -1}),
    (plots.plot_drawing, "path", (None, None, None), {}),
    (plots.plot_drawing, "prediction", (None, None, "d.png"), {"prediction": 7}),
    (plots.plot_styles, "path", (None,), {}),
    (plots.plot_styles, "per_style", ("s.png",), {"per_style": -1}),
    (plots.plot_styles, "seed", ("s.png",), {"seed": 1.5}),
    # playground
    (playground.Playground, "runtime", ("m.mlmodel",), {}),
    (playground.Playground, "samples", (_runtime(),), {"samples": None}),
    (playground.Playground, "model_path", (_runtime(),), {"model_path": Path("m.mlmodel")}),
    (playground.PlaygroundServer, "address", (("127.0.0.1",), None), {}),
    (playground.PlaygroundServer, "port", (("127.0.0.1", 70000), None), {}),
    (playground.PlaygroundServer, "host", ((None, 0), None), {}),
    (playground.PlaygroundServer, "playground", (("127.0.0.1", 0), None), {}),
    (playground.make_server, "model", (None,), {}),
    (playground.make_server, "host", ("m.mlmodel",), {"host": 127}),
    (playground.make_server, "port", ("m.mlmodel",), {"port": 70000}),
    (playground.make_server, "port", ("m.mlmodel",), {"port": -1}),
    (playground.make_server, "samples", ("m.mlmodel",), {"samples": None}),
    (playground.serve, "open_browser", ("m.mlmodel",), {"open_browser": "yes"}),
    (playground.serve, "ready", ("m.mlmodel",), {"ready": "print"}),
    (playground.serve, "port", ("m.mlmodel",), {"port": 65536}),
]


def _key(func: object) -> str:
    """A public callable's own name (``training.train``), whichever module lists it; bound methods by their function."""
    func = getattr(func, "__func__", func)
    return f"{func.__module__.removeprefix('digits_svm.')}.{func.__qualname__}"


@pytest.mark.parametrize("func, name, args, kwargs", CASES,
                         ids=[f"{_key(c[0])}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_a_bad_argument_is_an_invalid_parameter_error_naming_it(func, name, args, kwargs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    try:
        func(*args, **kwargs)
    except ValueError as exc:  # what a caller who knows nothing of digits_svm catches
        error = exc
    else:
        pytest.fail(f"{_key(func)}(**{kwargs}) was accepted")
    assert isinstance(error, InvalidParameterError) and isinstance(error, DigitsSVMError), repr(error)
    # the argument's name first (with an index or key for an item), then what was given and what to use
    assert re.match(rf"{re.escape(name)}(\[[^\]]*\])*(=.+)? is not allowed; use \S", str(error)), str(error)
    assert list(tmp_path.iterdir()) == []  # refused before any file was written


def test_train_refuses_an_unknown_method_and_an_unhashable_augment_naming_them():
    with pytest.raises(InvalidParameterError, match=r"^method='nope' is not allowed; use one of 'normalized', 'seed'$"):
        digits_svm.train(method="nope")  # nothing to preprocess: it used to be ignored
    with pytest.raises(InvalidParameterError, match=r"^augment=\['nope'\] is not allowed; use one of 'none', 'hshift', "):
        digits_svm.train(augment=["nope"])  # it used to be TypeError: unhashable type: 'list'
    with pytest.raises(ValueError, match=r"^C=-1 is not allowed; use a number > 0$"):
        digits_svm.train(C=-1)  # it used to be a plain DigitsSVMError


def test_strokes_fields_inside_a_drawing_stay_strokes_errors():
    """The same field is an argument (InvalidParameterError) or a drawing's data (StrokesError, its own message)."""
    with pytest.raises(InvalidParameterError, match=r"^line_width=0 is not allowed; use a number > 0 and <= 200$"):
        digits_svm.render_strokes([[[0, 0], [0, 9]]], line_width=0)
    with pytest.raises(digits_svm.errors.StrokesError, match=r"^line_width must be > 0 and <= 200, not 0$") as info:
        digits_svm.render_strokes({"strokes": [[[0, 0], [0, 9]]], "line_width": 0})
    assert not isinstance(info.value, InvalidParameterError)
    with pytest.raises(digits_svm.errors.StrokesError, match=r"^scale must be > 0 and <= 10, not 11$"):
        digits_svm.preprocess_strokes({"strokes": [[[0, 0], [0, 9]]], "scale": 11})


#: Public callables whose every argument is data (grids, images, models, results, file
#: contents) or a path to read: their data is checked by check_grids, parse_strokes, the
#: model readers and the file readers, each with its own error. Functions without
#: parameters need no entry.
DATA_ONLY = {
    # records: their fields are what the library computed
    "model._training.TrainResult", "datasets._training_data.Split", "datasets._training_data.Samples",
    "datasets._augment.Augmented", "datasets._augment.Rotation",
    "search.Candidate", "search.SearchResult", "coreml._parity.ParityReport", "confidence.Prediction",
    "io._artifacts.ArtifactPaths", "drawing._strokes.Drawing", "coreml._spec.SVMSpec",
    # data in, data out
    "datasets._augment.split_cells", "drawing._preprocessing.seed_grid", "coreml._libsvm.LibsvmModel",
    "model._calibration.couple",
    "model._training.predict_digits", "confidence.predict_proba", "io._artifacts.training_metadata",
    "drawing._strokes.parse_strokes", "coreml._convert.spec_bytes", "coreml._convert.svc_spec", "_files.sha256_bytes",
    "coreml._runtime.as_runtime",
    "_validation.is_grid_shape", "model._fitted.has_probabilities", "model._fitted.platt_parameters",
    "model._calibration.libsvm_decisions", "model._calibration.platt_probabilities",
    # progress: the protocol, its no-op, and the chunked map the synthesizers call with checked arguments
    "progress.Progress", "progress.no_progress", "progress.map_chunks", "model._calibration.reporting_calibration",
    # a drawing's own checks (StrokesError, as parse_strokes), and JSON text in, data out
    "drawing._strokes.check_renderable", "drawing._strokes.loads_json",
    # a scikit-learn estimator: its parameters are SVC's, which scikit-learn checks in fit
    "model.PlattSVC",
    # a file's content, not an argument: a bad recorded threshold is a ModelFileError
    "confidence.recorded_min_confidence",
    # a path to read (the readers' errors name the file)
    "drawing._images.load_image", "drawing._strokes.load_strokes", "io._inputs.read_grid_file",
    "io._model_files.sidecar_path", "_files.check_writable_dir",
    # the command line: argparse checks it (usage and exit status 2)
    "cli.main",
    # the checks themselves: the value is what they judge; names, choices and bounds are the caller's code
    "_validation.check_grids", "_validation.check_choice", "_validation.check_number", "_validation.check_count",
    "_validation.check_bool", "_validation.check_sequence", "_validation.check_ranges", "_validation.check_instance",
    "_validation.check_path", "_validation.check_subclass", "_validation.check_n_jobs",
}


def _public_callables() -> dict[str, object]:
    found = {}
    for module in ["", *digits_svm.SUBMODULES]:
        mod = importlib.import_module("digits_svm" + (f".{module}" if module else ""))
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isfunction(obj) or (inspect.isclass(obj) and not issubclass(obj, BaseException)):
                found[_key(obj)] = obj
    return found


def _resolves(key: str) -> bool:
    """Whether ``key`` (``module.qualname``, as `_key` writes it) names a callable of the package."""
    parts = key.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module("digits_svm." + ".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            obj = getattr(obj, name, None)
        return callable(obj)
    return False


def test_the_table_covers_every_public_function_that_takes_an_argument():
    public = _public_callables()
    takes_arguments = {key for key, obj in public.items() if inspect.signature(obj).parameters}
    tried = {_key(case[0]) for case in CASES}
    assert len(takes_arguments) > 40  # the collection itself works
    assert sorted(takes_arguments - tried - DATA_ONLY) == []  # a function with arguments that no case tries
    assert sorted(key for key in tried | DATA_ONLY if not _resolves(key)) == []  # stale entries
    assert sorted(tried & DATA_ONLY) == []


def test_every_checked_argument_of_a_tried_function_exists():
    for func, name, _, kwargs in CASES:
        params = inspect.signature(func).parameters
        assert set(kwargs) <= set(params), (_key(func), kwargs)
        assert name in params or name in ("augment", "port", "host"), (_key(func), name)
