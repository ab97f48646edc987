"""Writing the artifacts of a training run: pickle (or skops), ``.mlmodel``, ``metrics.json``.

This is the one place that knows the artifact names; ``digits-svm train`` and the
notebook both call `write_artifacts`. The files of a run are one set: they are written
into a staging folder inside the output folder and then moved into place together, under a
lock that refuses a second run into the same folder (`write_artifacts` says what holds at
each moment, a kill included).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from .._files import atomic_write_json, check_writable_dir, sha256_bytes
from .._validation import check_bool, check_choice, check_instance, check_path
from ..confidence import DEFAULT_MIN_CONFIDENCE, NOT_A_DIGIT
from ..coreml._convert import convert
from ..coreml._parity import verify
from ..coreml._runtime import CoreMLRuntime
from ..errors import ArtifactWriteError, OutputBusyError
from ..model._fitted import has_probabilities
from ..model._training import TrainResult
from ..plots import CONFUSION_NAME, MISCLASSIFIED_NAME, plot_confusion, plot_misclassified
from ..progress import Progress, check_progress
from ._model_files import FORMATS, save_model, sidecar_path

__all__ = ["PICKLE_NAME", "MLMODEL_NAME", "METRICS_NAME", "ArtifactPaths", "training_metadata", "write_artifacts"]

PICKLE_NAME = "digits_svm.pkl"
MLMODEL_NAME = "DigitsSVM.mlmodel"
METRICS_NAME = "metrics.json"

#: Held (by `training_lock`) while a run writes the folder; removed when the run ends.
LOCK_NAME = ".digits-svm-train.lock"
#: Written once a run's staging folder holds its whole set; names what is moved and what is removed.
SWAP_RECORD_NAME = ".digits-svm-swap.json"
#: Each run's own staging folder inside the output folder: ``.digits-svm-staging-<random>``.
STAGING_PREFIX = ".digits-svm-staging-"
_SWAP_FORMAT = "digits_svm.swap/1"
#: Every file name a set may hold, in the order messages list them. Moving a set in removes the
#: names of this list that the new set lacks (a plot of an older run, the model file of another format).
SET_NAMES = tuple(
    [name for ext in FORMATS.values() for name in (Path(PICKLE_NAME).stem + ext, Path(PICKLE_NAME).stem + ext + ".json")]
    + [MLMODEL_NAME, METRICS_NAME, CONFUSION_NAME, MISCLASSIFIED_NAME]
)

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

    The files are one set, put in place together:

    1. `training_lock` holds ``out_dir`` (a second run into it is refused with
       `OutputBusyError`), and what an earlier run killed mid-way left is settled: a swap
       it had begun is completed, its staging folders are removed.
    2. Every file is written into a new staging folder, ``out_dir/.digits-svm-staging-<random>``,
       that only this run writes; ``metrics.json``'s sizes and SHA-256 are those of the bytes
       staged there. Until step 3 ends, ``out_dir`` holds the previous set untouched.
    3. A swap record (``.digits-svm-swap.json``, written atomically) names the staging folder,
       the files to move and the names of `SET_NAMES` the new set lacks. Each file is then
       moved into ``out_dir`` with ``os.replace`` (the model's sidecar, the model, the
       ``.mlmodel``, the plots, ``metrics.json`` last), the names the new set lacks are
       removed, then the record and the staging folder.

    A kill at any point (SIGKILL included) leaves either the previous set with a staging
    folder the next run removes, or, once the swap record exists, a swap the next run into
    ``out_dir`` completes before it writes anything. An exception (Ctrl-C included) before
    step 3 removes the staging folder and leaves the previous set; one during step 3 first
    completes the swap. Files in ``out_dir`` whose names are not in `SET_NAMES` are never
    touched, besides this module's own: the lock, the swap record and the staging folders.

    Parameters
    ----------
    result : TrainResult
        What `digits_svm.train` returned.
    out_dir : str or PathLike, default "artifacts"
        Output directory; created if missing.
    preprocessing : dict, optional
        Preprocessing metadata for the ``.mlmodel`` (see `digits_svm.convert`).
    plots : bool, default True
        Also write ``confusion_matrix.png`` and ``misclassified.png`` (without them, the plots
        of an earlier set are removed: they would describe another model).
    verify : bool, default True
        Run the saved ``.mlmodel`` with `digits_svm.CoreMLRuntime` against the model on
        all digits and 10,000 random grids (`digits_svm.verify`); on any disagreement raise
        `VerificationError` (nothing of this run is kept). The result goes to metrics.json.
    progress : callable, optional
        A `digits_svm.progress.Progress`: called as ``progress(step)`` as each step starts,
        and as ``progress(step, done, total)`` while the ``.mlmodel`` is verified (the CLI
        shows them).
    model_format : {"pickle", "joblib", "skops"}, default "pickle"
        The fitted model's file (a key of `digits_svm.io.FORMATS`): `PICKLE_NAME`, or
        ``digits_svm.joblib``, or ``digits_svm.skops``, the file safe to share.

    Returns
    -------
    ArtifactPaths
        The files' final paths in ``out_dir``.

    Raises
    ------
    InvalidParameterError
        An argument of the wrong kind (checked before anything is written).
    OutputBusyError
        Another training run is writing ``out_dir`` (checked before anything is written).
    ArtifactWriteError
        ``out_dir`` cannot be created or written.
    VerificationError
        The saved ``.mlmodel`` disagrees with the model (``out_dir`` keeps its previous set).

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
    progress = check_progress(progress)
    check_choice(model_format, "model_format", tuple(FORMATS))
    out = check_writable_dir(out_dir)  # before the slow part: converting and verifying
    model_name = Path(PICKLE_NAME).stem + FORMATS[model_format]  # digits_svm.pkl, .joblib or .skops
    with training_lock(out):
        settle(out)
        try:
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
        except OSError as exc:
            raise ArtifactWriteError(f"cannot write to {out}: {exc.strerror or exc}; choose a writable directory") from exc
        try:
            names = _write_set(result, staging, out, model_name, preprocessing=preprocessing, plots=plots,
                               verify=verify, progress=progress, model_format=model_format)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        progress(f"moving the new set into {out}")
        _swap_in(out, staging, names)
    paths = ArtifactPaths(out / model_name, out / MLMODEL_NAME, out / METRICS_NAME)
    paths.plots = [out / name for name in (CONFUSION_NAME, MISCLASSIFIED_NAME) if name in names]
    return paths


def _write_set(result: TrainResult, staging: Path, out: Path, model_name: str, *, preprocessing: Mapping[str, str] | None,
               plots: bool, verify: bool, progress: Progress, model_format: str) -> list[str]:
    """Write every file of the set into ``staging``; return their names in the order `_swap_in` moves them."""
    conversion = {"preprocessing": None if preprocessing is None else dict(preprocessing),
                  "metadata": training_metadata(result)}
    model_path, mlmodel_path = staging / model_name, staging / MLMODEL_NAME
    progress(f"saving the model ({model_format}) to {out / model_name}")
    save_model(result.model, model_path, params=result.params, conversion=conversion)

    progress(f"converting to Core ML: {out / MLMODEL_NAME}")
    started = time.perf_counter()
    convert(result.model, mlmodel_path, **conversion)
    convert_seconds = time.perf_counter() - started

    metrics = result.metrics()
    if verify:
        metrics["coreml_parity"] = _verify_saved(mlmodel_path, result, progress)
    # the staging folder is this run's alone: these are the bytes this run wrote, and the ones moved into place
    staged = {name: p.read_bytes() for name, p in ((model_format, model_path), ("mlmodel", mlmodel_path))}
    metrics["artifacts"] = {
        name: {"file": p.name, "size_bytes": len(staged[name]), "sha256": sha256_bytes(staged[name])}
        for name, p in ((model_format, model_path), ("mlmodel", mlmodel_path))
    }
    metrics["convert_seconds"] = round(convert_seconds, 3)
    names = [sidecar_path(model_path).name, model_name, MLMODEL_NAME]
    if plots:
        progress("drawing the confusion matrix and the misread digits")
        assert result.X_test is not None and result.y_test is not None and result.y_pred is not None
        drawn = [
            plot_confusion(result.confusion, staging / CONFUSION_NAME),
            plot_misclassified(result.X_test, result.y_test, result.y_pred, staging / MISCLASSIFIED_NAME),
        ]
        metrics["plots"] = [p.name for p in drawn]
        names += metrics["plots"]
    progress(f"writing {out / METRICS_NAME}")
    atomic_write_json(staging / METRICS_NAME, metrics)
    return [*names, METRICS_NAME]


# ---------------------------------------------------------------- one run at a time, one set at a time
_held = threading.local()  # the output folders this thread holds, so that a holder's own write_artifacts goes on


@contextlib.contextmanager
def training_lock(out_dir: str | os.PathLike) -> Iterator[Path]:
    """Hold ``out_dir`` for one training run; refuse at once if another run (or thread) holds it.

    The lock is `filelock.FileLock` on ``out_dir/.digits-svm-train.lock`` (`LOCK_NAME`), which
    the holder removes before it lets go, so the folder keeps no lock file after a run (one
    left by a killed run is taken over by the next). The thread that holds the folder may
    enter again (``digits-svm train`` holds it from before training until the set is in place,
    and `write_artifacts` takes it too).

    Yields
    ------
    pathlib.Path
        ``out_dir``, created if missing.

    Raises
    ------
    OutputBusyError
        Another training run is writing ``out_dir``.
    ArtifactWriteError
        ``out_dir`` cannot be created or written.
    """
    out = check_writable_dir(out_dir)
    key = os.path.realpath(out)
    held: set[str] = _held.__dict__.setdefault("dirs", set())
    if key in held:
        yield out
        return
    lock_path = out / LOCK_NAME
    lock = FileLock(lock_path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise OutputBusyError(
            f"{out} is being written by another training run; wait for it to end or choose another output folder (--out)"
        ) from None
    except OSError as exc:
        raise ArtifactWriteError(f"cannot lock {lock_path}: {exc.strerror or exc}; choose a writable directory") from exc
    held.add(key)
    try:
        yield out
    finally:
        held.discard(key)
        try:
            lock_path.unlink(missing_ok=True)  # while held: FileLock does not take a lock file that was unlinked
        finally:
            lock.release()


def settle(out_dir: str | os.PathLike) -> None:
    """Complete a swap that a killed run began in ``out_dir``, and remove its staging folders.

    Call only while holding `training_lock` (`write_artifacts` does, before it writes anything).

    Raises
    ------
    ArtifactWriteError
        The swap record is not one `write_artifacts` writes, or a file cannot be moved.
    """
    out = Path(out_dir)
    record_path = out / SWAP_RECORD_NAME
    if record_path.exists():
        _apply_swap(out, _read_swap_record(record_path))
    for stale in out.glob(STAGING_PREFIX + "*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
    for temporary in out.glob(f".{SWAP_RECORD_NAME}.*.tmp"):  # a record whose atomic write was killed
        temporary.unlink(missing_ok=True)


def _read_swap_record(path: Path) -> dict[str, Any]:
    """The swap record at ``path``, checked to name only a staging folder and set names."""
    try:
        record = json.loads(path.read_bytes())
    except (OSError, ValueError):
        record = None
    ok = (
        isinstance(record, dict)
        and record.get("format") == _SWAP_FORMAT
        and isinstance(record.get("staging"), str)
        and record["staging"].startswith(STAGING_PREFIX)
        and Path(record["staging"]).name == record["staging"]
        and all(isinstance(record.get(k), list) and all(n in SET_NAMES for n in record[k]) for k in ("files", "remove"))
    )
    if not ok:
        raise ArtifactWriteError(
            f"{path} is not a swap record of digits_svm; remove it and any {STAGING_PREFIX}* folder beside it, then train again"
        )
    assert isinstance(record, dict)
    return record


def _swap_in(out: Path, staging: Path, names: list[str]) -> None:
    """Move the complete set in ``staging`` into ``out`` (step 3 of `write_artifacts`)."""
    record = {"format": _SWAP_FORMAT, "staging": staging.name, "files": names,
              "remove": [n for n in SET_NAMES if n not in names]}
    try:
        _fsync_dir(staging)
        atomic_write_json(out / SWAP_RECORD_NAME, record)
        _fsync_dir(out)
        _apply_swap(out, record)
    except BaseException:
        if (out / SWAP_RECORD_NAME).exists():
            with contextlib.suppress(Exception):
                _apply_swap(out, record)  # the set is complete: finish moving it in (else the next run does)
        else:
            shutil.rmtree(staging, ignore_errors=True)
        raise


def _apply_swap(out: Path, record: dict[str, Any]) -> None:
    """Carry out a swap record; each step can run again after a kill (a file gone from staging was moved)."""
    staging = out / record["staging"]
    try:
        for name in record["files"]:
            if os.path.lexists(staging / name):
                os.replace(staging / name, out / name)
        for name in record["remove"]:
            (out / name).unlink(missing_ok=True)
        _fsync_dir(out)
        (out / SWAP_RECORD_NAME).unlink(missing_ok=True)
    except OSError as exc:
        raise ArtifactWriteError(
            f"cannot move the new set into {out}: {exc.strerror or exc}; free disk space, then train again to complete it"
        ) from exc
    shutil.rmtree(staging, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    """Flush a directory's entries to disk (where the platform can open a directory)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open a directory
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on a directory
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------- what an interrupted run left
def set_state(out_dir: str | os.PathLike) -> tuple[int, int] | None:
    """Which set ``out_dir`` holds: its ``metrics.json``'s inode and modification time (None: none).

    Every swap replaces ``metrics.json`` last, so a changed value means a new set was moved in.
    """
    try:
        st = (Path(out_dir) / METRICS_NAME).stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


def left_behind(out_dir: str | os.PathLike, before: tuple[int, int] | None) -> str:
    """Say what ``out_dir`` holds after a run stopped early, given `set_state` from before it wrote.

    Examples
    --------
    >>> import tempfile
    >>> left_behind(tempfile.mkdtemp(), None).startswith("nothing was written to ")
    True
    """
    out = Path(out_dir)
    present = ", ".join(n for n in SET_NAMES if (out / n).is_file())
    if (out / SWAP_RECORD_NAME).exists():
        return f"{out} holds a new set only partly moved in; the next training run into it completes it first"
    if set_state(out) != before:
        return f"{out} holds the new set of this run ({present})"
    if present:
        return f"{out} still holds the previous set ({present})"
    return f"nothing was written to {out}"
