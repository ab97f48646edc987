"""Writing the artifacts of a training run: pickle (or skops), ``.mlmodel``, ``metrics.json``.

This is the one place that knows the artifact names; ``digits-svm train`` and the
notebook both call `write_artifacts`. Every file is written atomically.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .confidence import DEFAULT_MIN_CONFIDENCE, NOT_A_DIGIT
from .coreml import convert
from .fileio import atomic_write_json, check_writable_dir
from .parity import verify
from .persist import has_probabilities, sha256_bytes
from .plots import CONFUSION_NAME, MISCLASSIFIED_NAME, plot_confusion, plot_misclassified
from .progress import Progress, no_progress
from .runtime import CoreMLRuntime
from .sharing import FORMATS, save_model
from .training import TrainResult
from .validation import check_bool, check_choice, check_instance, check_path

__all__ = ["PICKLE_NAME", "MLMODEL_NAME", "METRICS_NAME", "ArtifactPaths", "training_metadata", "write_artifacts"]

PICKLE_NAME = "digits_svm.pkl"
MLMODEL_NAME = "DigitsSVM.mlmodel"
METRICS_NAME = "metrics.json"

@dataclass
class ArtifactPaths:
    """Where `write_artifacts` put each file (``pickle``: the model file, in whichever format it was saved)."""

    pickle: Path
    mlmodel: Path
    metrics: Path
    plots: list[Path] = field(default_factory=list)


def training_metadata(result: TrainResult) -> dict[str, str]:
    """The ``.mlmodel`` user-defined metadata that describe how the model was trained.

    Keys (all strings): ``training.preset``, ``training.params`` (JSON of the SVC
    parameters), ``training.augment``, ``training.held_out_accuracy`` (5 decimals, so
    881/899 reads 0.97998, not 0.9800), ``training.held_out_correct`` (``"871/899"``),
    ``training.evaluated_on``, ``training.saved_model``, ``training.n_train_samples``,
    ``training.n_extra_samples``, ``training.n_synthesized`` (synthesized handwritten
    digits in the training data), when there were extra samples,
    ``training.extra_samples_method`` (their preprocessing), and when there were
    synthesized non-digits, ``training.n_nondigits``, and when optdigits' other writers
    were added, ``training.n_other_writers``. A model with probabilities also
    records the "not a digit" rule an app applies: ``confidence.min_confidence`` (the
    default threshold, `digits_svm.confidence.DEFAULT_MIN_CONFIDENCE`) and, when it has that
    class, ``confidence.not_a_digit_label`` (``"-1"``).

    Examples
    --------
    >>> from digits_svm import train
    >>> meta = training_metadata(train())
    >>> meta["training.held_out_accuracy"], meta["training.held_out_correct"], meta["training.preset"]
    ('0.96885', '871/899', 'example')
    """
    meta = {
        "training.preset": result.preset,
        "training.params": json.dumps(result.params, sort_keys=True),
        "training.augment": result.augment,
        "training.held_out_accuracy": f"{result.accuracy:.5f}",
        "training.held_out_correct": f"{result.n_correct}/{result.n_test}",
        "training.evaluated_on": result.evaluated_on,
        "training.saved_model": result.saved_model,
        "training.n_train_samples": str(result.n_train),
        "training.n_extra_samples": str(result.n_extra),
        "training.n_synthesized": str(result.n_synthesized),
    }
    if result.extra_method is not None:
        meta["training.extra_samples_method"] = result.extra_method
    if result.n_nondigits:
        meta["training.n_nondigits"] = str(result.n_nondigits)
    if result.n_other_writers:
        meta["training.n_other_writers"] = str(result.n_other_writers)
    if has_probabilities(result.model):
        meta["confidence.min_confidence"] = str(DEFAULT_MIN_CONFIDENCE)
        if NOT_A_DIGIT in result.model.classes_:
            meta["confidence.not_a_digit_label"] = str(NOT_A_DIGIT)
    return meta


def _verify_saved(mlmodel: Path, result: TrainResult, progress: Progress) -> dict:
    """Check the saved file against the estimator; remove it and raise if they differ."""
    assert result.X_test is not None and result.y_test is not None  # train() always sets them
    runtime = CoreMLRuntime.from_file(mlmodel)
    report = verify(runtime, result.model, progress=progress)
    if not report.ok:
        mlmodel.unlink(missing_ok=True)
        report.check()  # raises VerificationError with the summary
    n_right = int((runtime.predict(result.X_test) == result.y_test).sum())
    return {
        "summary": report.summary(),
        "n": report.n,
        "n_agree": report.n_agree,
        "max_decision_diff": report.max_decision_diff,
        "max_proba_diff": report.max_proba_diff,
        "label_rule": report.label_rule,
        # with probabilities Core ML labels by the most probable class, which can differ from predict()
        "mlmodel_correct": n_right,
        "mlmodel_accuracy": round(n_right / len(result.y_test), 6),
    }


def write_artifacts(
    result: TrainResult,
    out_dir: str | os.PathLike = "artifacts",
    *,
    preprocessing: dict[str, str] | None = None,
    plots: bool = True,
    verify: bool = True,
    progress: Progress | None = None,
    model_format: str = "pickle",
) -> ArtifactPaths:
    """Save the pickle (or skops file), the ``.mlmodel`` and ``metrics.json`` of a training run.

    Parameters
    ----------
    result : TrainResult
        What `digits_svm.train` returned.
    out_dir : str or PathLike, default "artifacts"
        Output directory; created if missing.
    preprocessing : dict, optional
        Preprocessing metadata for the ``.mlmodel`` (see `digits_svm.convert`).
    plots : bool, default True
        Also write ``confusion_matrix.png`` and ``misclassified.png``.
    verify : bool, default True
        Run the saved ``.mlmodel`` with `digits_svm.CoreMLRuntime` against the model on
        all digits and 10,000 random grids (`digits_svm.verify`); on any disagreement
        delete the file and raise `VerificationError`. The result goes to metrics.json.
    progress : callable, optional
        A `digits_svm.progress.Progress`: called as ``progress(step)`` as each step starts,
        and as ``progress(step, done, total)`` while the ``.mlmodel`` is verified (the CLI
        shows them).
    model_format : {"pickle", "joblib", "skops"}, default "pickle"
        The fitted model's file (a key of `digits_svm.sharing.FORMATS`): `PICKLE_NAME`, or
        ``digits_svm.joblib``, or ``digits_svm.skops``, the file safe to share.

    Returns
    -------
    ArtifactPaths

    Raises
    ------
    InvalidParameterError
        An argument of the wrong kind (checked before anything is written).
    ArtifactWriteError
        ``out_dir`` cannot be created or written.
    VerificationError
        The saved ``.mlmodel`` disagrees with the model (it is deleted).

    Examples
    --------
    >>> import tempfile
    >>> from digits_svm import train
    >>> paths = write_artifacts(train(), tempfile.mkdtemp(), plots=False)
    >>> paths.mlmodel.name, paths.pickle.name, paths.metrics.name
    ('DigitsSVM.mlmodel', 'digits_svm.pkl', 'metrics.json')
    """
    check_path(out_dir, "out_dir")
    check_instance(preprocessing, "preprocessing", (Mapping, type(None)), "a mapping (dict) of str to str, or None")
    check_bool(plots, "plots")
    check_bool(verify, "verify")
    check_instance(progress, "progress", (Callable, type(None)), "a callable taking one line, or None")
    check_choice(model_format, "model_format", tuple(FORMATS))
    progress = progress or no_progress
    out = check_writable_dir(out_dir)  # before the slow part: converting and verifying
    model_name = Path(PICKLE_NAME).stem + FORMATS[model_format]  # digits_svm.pkl, .joblib or .skops
    paths = ArtifactPaths(out / model_name, out / MLMODEL_NAME, out / METRICS_NAME)

    conversion = {"preprocessing": None if preprocessing is None else dict(preprocessing),
                  "metadata": training_metadata(result)}
    progress(f"saving the model ({model_format}) to {paths.pickle}")
    save_model(result.model, paths.pickle, params=result.params, conversion=conversion)

    progress(f"converting to Core ML: {paths.mlmodel}")
    started = time.perf_counter()
    convert(result.model, paths.mlmodel, **conversion)
    convert_seconds = time.perf_counter() - started

    metrics = result.metrics()
    if verify:
        metrics["coreml_parity"] = _verify_saved(paths.mlmodel, result, progress)
    metrics["artifacts"] = {
        name: {"file": p.name, "size_bytes": p.stat().st_size, "sha256": sha256_bytes(p.read_bytes())}
        for name, p in ((model_format, paths.pickle), ("mlmodel", paths.mlmodel))
    }
    metrics["convert_seconds"] = round(convert_seconds, 3)
    if plots:
        progress("drawing the confusion matrix and the misread digits")
        assert result.X_test is not None and result.y_test is not None and result.y_pred is not None
        paths.plots = [
            plot_confusion(result.confusion, out / CONFUSION_NAME),
            plot_misclassified(result.X_test, result.y_test, result.y_pred, out / MISCLASSIFIED_NAME),
        ]
        metrics["plots"] = [p.name for p in paths.plots]
    progress(f"writing {paths.metrics}")
    atomic_write_json(paths.metrics, metrics)
    return paths
