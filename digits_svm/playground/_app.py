"""The playground's logic, apart from HTTP: read a drawing request, answer it with the model and the memory, save a sample.

`Playground` answers what the page asks (`digits_svm.playground._server` carries it over
HTTP): the strokes in the shared stroke JSON format go through the same preprocessing the
app runs (`digits_svm.drawing.preprocess_strokes`) and the same model file the app ships,
executed by `digits_svm.coreml.CoreMLRuntime`; the answer is the digit (or "not a
digit", by `digits_svm.predict_with_confidence`'s rule at the threshold the model
records), the probabilities and the 8x8 grid. Drawings can be saved as labelled samples
in the folder layout ``train(extra=...)`` reads. The user can also teach it: a drawing the
model misread goes into the playground's `digits_svm.memory.PersonalMemory`, which then
answers beside the model, as the app's memory does. A refusal is an `HTTPError` with the
status and the one-line message the page shows.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

import numpy as np

from .._files import atomic_write_bytes, check_writable_dir
from .._validation import check_choice, check_count, check_instance, check_path
from ..confidence import NOT_A_DIGIT, answers_from_proba, recorded_min_confidence
from ..coreml._runtime import CoreMLRuntime, coreml_predict
from ..drawing._preprocessing import DEFAULT_METHOD, METHODS
from ..drawing._strokes import (
    MAX_JSON_DEPTH,
    MAX_POINTS,
    Drawing,
    check_renderable,
    json_depth,
    parse_strokes,
    preprocess_strokes,
)
from ..errors import ArtifactWriteError, EmptyDrawingError, InvalidParameterError, StrokesError
from ..memory import MAX_SAMPLES as MAX_MEMORY_SAMPLES
from ..memory import PersonalMemory

__all__ = ["MAX_BODY_BYTES", "MAX_MEMORY_SAMPLES", "MAX_POINTS", "MAX_SAMPLES", "MAX_SAMPLE_BYTES", "MEMORY_DOWNLOAD_NAME",
           "HTTPError", "Playground", "decode_json"]

logger = logging.getLogger(__name__)

#: Largest request body accepted (bytes); larger bodies get 413 before they are read.
MAX_BODY_BYTES = 1_000_000
#: Most sample files one samples folder may hold (a session of drawing makes a few hundred).
MAX_SAMPLES = 10_000
#: Most bytes the sample files of one samples folder may take (a drawing is a few kilobytes).
MAX_SAMPLE_BYTES = 50_000_000
#: Keys a client may send besides the stroke format itself.
_REQUEST_ONLY_KEYS = ("method",)
#: The name the page's download of the memory gets when the playground keeps no memory file.
MEMORY_DOWNLOAD_NAME = "personal-memory.json"


class HTTPError(Exception):
    """A request the server refuses: an HTTP status and a one-line message for the page."""

    def __init__(self, status: HTTPStatus, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _reject_constant(name: str) -> float:
    raise HTTPError(HTTPStatus.BAD_REQUEST, f"JSON contains {name}; send finite numbers only")


def _parse_int(text: str) -> int:
    # Coordinates and labels are small; a 5,000-digit integer would otherwise make int()
    # or float() raise outside the validation (ValueError, OverflowError).
    if len(text.lstrip("-")) > 20:
        raise HTTPError(HTTPStatus.BAD_REQUEST, f"JSON integer {text[:20]}... is too large; coordinates are points")
    return int(text)


def decode_json(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPError(HTTPStatus.BAD_REQUEST, "request body is not UTF-8; send JSON text") from None
    depth = json_depth(body)
    if depth > MAX_JSON_DEPTH:
        raise HTTPError(HTTPStatus.BAD_REQUEST, f"request JSON is nested too deeply ({depth} levels, more than "
                        f"{MAX_JSON_DEPTH}); send strokes as [[[x, y], ...], ...]")
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise HTTPError(HTTPStatus.BAD_REQUEST, f"request body is not valid JSON ({exc}); send a JSON object") from None
    except RecursionError:
        raise HTTPError(HTTPStatus.BAD_REQUEST,
                        "request JSON is nested too deeply; send strokes as [[[x, y], ...], ...]") from None


def _count_points(strokes: Any) -> int:
    """Points in a stroke list, counted without validating them (that is parse_strokes' job)."""
    if not isinstance(strokes, list):
        return 0
    return sum(len(stroke) for stroke in strokes if isinstance(stroke, list))


def _strokes_payload(body: Any) -> dict[str, Any]:
    """The stroke-format part of a request body, with the size limits applied."""
    if isinstance(body, list):
        body = {"strokes": body}
    if not isinstance(body, dict):
        raise HTTPError(HTTPStatus.BAD_REQUEST, 'request JSON must be an object like {"strokes": [[[x, y], ...]]}')
    n_points = _count_points(body.get("strokes"))
    if n_points > MAX_POINTS:
        raise HTTPError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            f"drawing has {n_points} points, more than {MAX_POINTS}; clear the canvas and draw one digit",
        )
    return {k: v for k, v in body.items() if k not in _REQUEST_ONLY_KEYS}


@contextmanager
def _drawing_errors() -> Iterator[None]:
    """Turn the library's drawing errors into HTTP errors: empty is 422, malformed 400."""
    try:
        yield
    except EmptyDrawingError as exc:
        raise HTTPError(HTTPStatus.UNPROCESSABLE_ENTITY, str(exc)) from None
    except StrokesError as exc:
        raise HTTPError(HTTPStatus.BAD_REQUEST, str(exc)) from None


def _parse_drawing(body: Any) -> Drawing:
    """Validate a request body as a drawing that renders within the limits; an empty one is 422, a malformed one 400.

    A drawing to save passes the same checks as one to answer (`digits_svm.drawing._strokes.check_renderable`:
    points, crop size and painting work), so that training on it later renders it as quickly.
    """
    payload = _strokes_payload(body)
    with _drawing_errors():
        drawing = parse_strokes(payload)
        if drawing.n_points == 0:
            raise HTTPError(HTTPStatus.UNPROCESSABLE_ENTITY, "the drawing is empty; draw a digit first")
        return check_renderable(drawing)


def _check_label(label: Any) -> int:
    # bool is an int subclass: True must not become the digit 1.
    if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label <= 9:
        raise HTTPError(HTTPStatus.BAD_REQUEST,
                        f'"label" must be an integer 0..9, got {json.dumps(label)}; pick the digit you drew')
    return label


def _check_empty_object(body: Any, action: str) -> None:
    """A request that only acts (clear, export) takes ``{}``: refuse (400) anything else."""
    if not isinstance(body, dict) or body:
        raise HTTPError(HTTPStatus.BAD_REQUEST, f"send {{}} (an empty JSON object) to {action}; it takes no parameters")


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays as plain JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


class Playground:
    """The playground's logic, independent of HTTP: model, methods and samples folder.

    Parameters
    ----------
    runtime : CoreMLRuntime
        The loaded model.
    samples : str or PathLike, default "samples"
        Where saved drawings go, as ``<samples>/<digit>/<name>.json``.
    model_path : str, optional
        The model's file; only its name is shown on the page.
    max_samples : int, default 10,000
        Most sample files (``<samples>/<digit>/*.json``) the folder may hold.
    max_sample_bytes : int, default 50,000,000
        Most bytes those files may take together.
    memory_file : str or PathLike, optional
        The personal memory's JSON file: read here if it exists, and rewritten
        atomically after each change (`remember`, `clear_memory`). Without it the memory
        lives as long as the playground (the page can download it).

    Raises
    ------
    ArtifactWriteError
        ``samples`` (or one of its digit folders) is a file, or cannot be read; or the
        folder of ``memory_file`` cannot be written.
    MemoryFileError
        ``memory_file`` exists and is not a personal memory (or is a folder).
    InvalidParameterError
        A cap below 1, or an argument of the wrong type.

    Notes
    -----
    The samples already in the folder are counted once, here; each save then adds its
    file to the count and bytes under a lock, so a save costs the same however full the
    folder is. Files removed while the playground runs are still counted until it is
    restarted. A save that would pass a cap is refused with 507 Insufficient Storage:
    the request is valid and resending it, smaller or later, does not help (as 413 or
    429 would suggest); room in the folder does.

    The memory (``memory``, a `PersonalMemory`) is one per playground, shared by every
    page that reaches it. It is never changed in place: a change builds a new memory
    under a lock, writes its file, then replaces ``memory``, so an answer reads one
    whole memory without waiting, and a failed write changes nothing. It holds at most
    `digits_svm.memory.MAX_SAMPLES` drawings (the oldest are forgotten first).
    """

    def __init__(self, runtime: CoreMLRuntime, *, samples: str | os.PathLike = "samples", model_path: str | None = None,
                 max_samples: int = MAX_SAMPLES, max_sample_bytes: int = MAX_SAMPLE_BYTES,
                 memory_file: str | os.PathLike | None = None):
        self.runtime = check_instance(runtime, "runtime", CoreMLRuntime, "a CoreMLRuntime (CoreMLRuntime.from_file(path))")
        self.samples = Path(check_path(samples, "samples"))
        self.model_path = check_instance(model_path, "model_path", (str, type(None)), "a string, or None")
        self.max_samples = check_count(max_samples, "max_samples", low=1)
        self.max_sample_bytes = check_count(max_sample_bytes, "max_sample_bytes", low=1)
        check_instance(memory_file, "memory_file", (str, os.PathLike, type(None)), "a path (str or os.PathLike), or None")
        self.memory_file = Path(memory_file) if memory_file is not None else None
        self._lock = threading.Lock()
        self._counts, self._bytes = _scan_samples(self.samples)
        self.methods = tuple(METHODS)
        wanted = runtime.preprocessing_method
        self.default_method = wanted if wanted in self.methods else DEFAULT_METHOD
        self.min_confidence = recorded_min_confidence(runtime.metadata)
        self._memory_lock = threading.Lock()
        self.memory = PersonalMemory()
        if self.memory_file is not None:
            if self.memory_file.exists():
                self.memory = PersonalMemory.load(self.memory_file)  # MemoryFileError names the file
            check_writable_dir(self.memory_file.parent)  # a memory that cannot be kept fails now, not at the first change

    def info(self) -> dict[str, Any]:
        """What the page needs to know about the model (``GET /api/info``).

        Files are named without their folders (the model file's name, the samples
        folder's name): any page that reaches the server can read this.
        """
        return {
            "model": Path(self.model_path).name if self.model_path is not None else None,
            "classes": _plain(self.runtime.classes_),
            "has_probabilities": bool(self.runtime.has_probabilities),
            "methods": list(self.methods),
            "default_method": self.default_method,
            "metadata": {str(k): str(v) for k, v in self.runtime.metadata.items()},
            "limits": {"max_body_bytes": MAX_BODY_BYTES, "max_points": MAX_POINTS},
            "samples": self.samples.name or str(self.samples),
            "memory": self._memory_summary(self.memory),
        }

    def _memory_summary(self, memory: PersonalMemory) -> dict[str, Any]:
        """What the page shows of a memory: its size per digit, its cap, its file's name, whether it can answer."""
        return {
            "samples": len(memory),
            "per_digit": {str(d): n for d, n in memory.per_digit.items()},
            "max_samples": MAX_MEMORY_SAMPLES,
            "file": self.memory_file.name if self.memory_file is not None else None,
            "can_answer": bool(self.runtime.has_probabilities),
            "method": self.default_method,
        }

    def predict(self, body: Any) -> dict[str, Any]:
        """Preprocess a drawing and run the model on it (``POST /api/predict``)."""
        started = time.perf_counter()
        method = body.get("method", self.default_method) if isinstance(body, dict) else self.default_method
        try:
            check_choice(method, "method", self.methods)
        except InvalidParameterError as exc:
            raise HTTPError(HTTPStatus.BAD_REQUEST, str(exc)) from None
        drawing = _parse_drawing(body)
        with _drawing_errors():
            grid = preprocess_strokes(drawing, method=method)
        preprocessed = time.perf_counter()
        grids = grid.reshape(1, 8, 8)
        probabilities, confidence = None, {}
        memory = self.memory  # one whole memory: a change replaces it, never alters it
        consulted = from_memory = False
        if self.runtime.has_probabilities:  # labels and probabilities from one evaluation
            labels, proba = coreml_predict(self.runtime, grids, return_proba=True)
            classes = np.asarray(self.runtime.classes_)
            probabilities = {str(c): float(p) for c, p in zip(_plain(classes), proba[0], strict=True)}
            answer = answers_from_proba(classes, np.asarray(proba), self.min_confidence)[0]
            model_digit = digit = answer.digit
            confidence = {"best_guess": answer.best_guess, "probability": answer.probability,
                          "min_confidence": self.min_confidence}
            # The memory holds grids of the model's own preprocessing: another method's grid is not compared with them.
            consulted = bool(len(memory)) and method == self.default_method
            if consulted:
                taught = int(memory.answers(grids, classes, np.asarray(proba))[0])
                from_memory = taught != NOT_A_DIGIT
                digit = taught if from_memory else digit
        else:
            labels = self.runtime.predict(grids)
            model_digit = digit = None if labels[0] == NOT_A_DIGIT else _plain(labels[0])
        done = time.perf_counter()
        return {
            "digit": digit,
            "from_memory": from_memory,
            "model_digit": model_digit,
            "label": _plain(labels[0]),
            **confidence,
            "memory": {"samples": len(memory), "consulted": consulted},
            "probabilities": probabilities,
            "grid": [[float(v) for v in row] for row in grid],
            "method": method,
            "timing_ms": {
                "preprocess": round((preprocessed - started) * 1e3, 3),
                "predict": round((done - preprocessed) * 1e3, 3),
                "total": round((done - started) * 1e3, 3),
            },
        }

    def save_sample(self, body: Any) -> dict[str, Any]:
        """Save a labelled drawing as ``<samples>/<label>/<time>-<uuid>.json`` (``POST /api/samples``).

        The file name is made here from the clock and a random UUID; nothing from the
        request reaches the path except the label, which must be the integer 0..9. The
        file is compact JSON (one line). A save that would take the folder past
        ``max_samples`` files or ``max_sample_bytes`` bytes is refused with 507 and
        writes nothing; ``"count"`` in the answer is the files of that label.
        """
        if not isinstance(body, dict) or "label" not in body:
            raise HTTPError(HTTPStatus.BAD_REQUEST, '"label" is missing; send {"strokes": ..., "label": 0..9}')
        label = _check_label(body["label"])
        drawing = _parse_drawing(body)
        record = drawing.to_json()  # the shared stroke format, label included
        data = (json.dumps(record, separators=(",", ":"), sort_keys=True) + "\n").encode("utf-8")
        with self._lock:  # reserve the room first, so that concurrent saves cannot pass the cap together
            self._check_room(len(data))
            self._counts[label] += 1
            self._bytes += len(data)
            count = self._counts[label]
        try:
            path = self._write(self.samples / str(label), data)
        except BaseException:
            with self._lock:
                self._counts[label] -= 1
                self._bytes -= len(data)
            raise
        return {"saved": str(path), "label": label, "points": drawing.n_points, "count": count}

    def _check_room(self, size: int) -> None:
        """Refuse (507) a file of ``size`` bytes that would take the folder past a cap; call under the lock."""
        remedy = (f"move the samples out of {self.samples.name or self.samples}/ (e.g. after digits-svm train --extra) "
                  "and restart the playground")
        total = sum(self._counts)
        if total + 1 > self.max_samples:
            raise HTTPError(HTTPStatus.INSUFFICIENT_STORAGE,
                            f"the samples folder holds {total:,} samples, its limit of {self.max_samples:,}; {remedy}")
        if self._bytes + size > self.max_sample_bytes:
            raise HTTPError(HTTPStatus.INSUFFICIENT_STORAGE,
                            f"the samples folder holds {self._bytes:,} bytes of samples; this one ({size:,} bytes) would pass "
                            f"its limit of {self.max_sample_bytes:,} bytes; {remedy}")

    @staticmethod
    def _write(folder: Path, data: bytes) -> Path:
        while True:
            path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex}.json"
            try:
                # exclusive: a name collision (never expected with a UUID) cannot overwrite a sample.
                return atomic_write_bytes(path, data, exclusive=True)
            except FileExistsError:
                continue
            except ArtifactWriteError as exc:
                logger.warning("playground: %s", exc)
                raise HTTPError(HTTPStatus.INTERNAL_SERVER_ERROR,
                                "the sample could not be written (the server's log says why); free disk space or "
                                "check the samples folder's permissions") from None

    # ------------------------------------------------------------ the personal memory
    def remember(self, body: Any) -> dict[str, Any]:
        """Add a drawing the user labelled to the memory (``POST /api/memory/add``).

        The body is the one ``/api/samples`` takes (strokes and ``"label"``), without a
        ``"method"``: the grid is made here from the strokes with the model's own
        preprocessing, and what the model said is the model's answer to that grid, so
        nothing the client computed is kept. Refused (409) with a model without
        probabilities, whose answers the memory cannot weigh.
        """
        if not self.runtime.has_probabilities:
            raise HTTPError(HTTPStatus.CONFLICT,
                            "this model has no probabilities, so a memory cannot weigh its answers; start the playground "
                            "with a model trained with --preset app (or --probability)")
        if not isinstance(body, dict) or "label" not in body:
            raise HTTPError(HTTPStatus.BAD_REQUEST, '"label" is missing; send {"strokes": ..., "label": 0..9}')
        if "method" in body:
            raise HTTPError(HTTPStatus.BAD_REQUEST,
                            f'the memory keeps grids made with the model\'s own preprocessing ({self.default_method!r}); '
                            'send the drawing without "method"')
        label = _check_label(body["label"])
        drawing = _parse_drawing(body)
        with _drawing_errors():
            grid = preprocess_strokes(drawing, method=self.default_method)
        _, proba = coreml_predict(self.runtime, grid.reshape(1, 8, 8), return_proba=True)
        model_said = answers_from_proba(np.asarray(self.runtime.classes_), np.asarray(proba), self.min_confidence)[0].digit
        with self._memory_lock:
            memory = copy.deepcopy(self.memory)
            before = len(memory)
            memory.add(grid.reshape(1, 8, 8), [label], model_said=[model_said])
            self._keep(memory)
        return {"label": label, "model_said": model_said, "forgotten": before + 1 - len(memory),
                "memory": self._memory_summary(memory)}

    def clear_memory(self, body: Any) -> dict[str, Any]:
        """Forget every drawing of the memory, and empty its file (``POST /api/memory/clear``, body ``{}``)."""
        _check_empty_object(body, "clear the memory")
        with self._memory_lock:
            self._keep(PersonalMemory())
        return {"memory": self._memory_summary(self.memory)}

    def memory_json(self) -> str:
        """The memory's JSON file, as `PersonalMemory.save` writes it (``GET /api/memory``)."""
        return self.memory.to_json()

    @property
    def memory_download_name(self) -> str:
        """The download's file name: the memory file's if it is plain ASCII, else `MEMORY_DOWNLOAD_NAME`."""
        name = self.memory_file.name if self.memory_file is not None else ""
        return name if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", name) else MEMORY_DOWNLOAD_NAME

    def _keep(self, memory: PersonalMemory) -> None:
        """Write ``memory`` to the memory file (if any), then make it the playground's; call under the memory lock.

        A write that fails is a 500 and leaves both the file and the memory as they were.
        """
        if self.memory_file is not None:
            try:
                memory.save(self.memory_file)
            except ArtifactWriteError as exc:
                logger.warning("playground: %s", exc)
                raise HTTPError(HTTPStatus.INTERNAL_SERVER_ERROR,
                                f"the memory could not be written to {self.memory_file.name} (the server's log says why); "
                                "nothing was changed; free disk space or check the file's permissions") from None
        self.memory = memory

    def export_memory(self, body: Any) -> dict[str, Any]:
        """Write the memory's drawings as training samples in the samples folder (``POST /api/memory/export``, body ``{}``).

        The files are those of `PersonalMemory.export_samples` (``<samples>/<digit>/memory-<hash>.npy``,
        the 8x8 grids ``digits-svm train --extra`` reads): exporting again rewrites the same
        files, and a drawing exported from an earlier memory is never replaced.
        """
        _check_empty_object(body, "export the memory")
        memory = self.memory
        try:
            written = memory.export_samples(self.samples)
        except ArtifactWriteError as exc:
            logger.warning("playground: %s", exc)
            raise HTTPError(HTTPStatus.INTERNAL_SERVER_ERROR,
                            "the memory could not be exported (the server's log says why); free disk space or "
                            "check the samples folder's permissions") from None
        return {"exported": len(written), "folder": str(self.samples),
                "per_digit": {str(d): n for d, n in memory.per_digit.items()},
                "train": f"digits-svm train --extra {self.samples}"}


def _scan_samples(folder: Path) -> tuple[list[int], int]:
    """Count the sample files (``<folder>/<digit>/*.json``) per digit, and their bytes; once, at start-up."""
    counts, total = [0] * 10, 0
    if folder.exists() and not folder.is_dir():
        raise ArtifactWriteError(f"samples folder {folder} is a file, not a folder; give a folder with --samples")
    for digit in range(10):
        sub = folder / str(digit)
        if not sub.exists():
            continue
        if not sub.is_dir():
            raise ArtifactWriteError(f"{sub} is a file, not a folder; move it away or give another folder with --samples")
        try:
            with os.scandir(sub) as entries:
                for entry in entries:
                    if entry.name.endswith(".json") and not entry.name.startswith(".") and entry.is_file():
                        counts[digit] += 1
                        total += entry.stat().st_size
        except OSError as exc:
            raise ArtifactWriteError(
                f"cannot read samples folder {sub}: {exc.strerror or exc}; check its permissions or give another with --samples"
            ) from exc
    return counts, total

