"""The playground's logic, apart from HTTP: read a drawing request, answer it with the model, save a sample.

`Playground` answers what the page asks (`digits_svm.playground._server` carries it over
HTTP): the strokes in the shared stroke JSON format go through the same preprocessing the
app runs (`digits_svm.drawing.preprocess_strokes`) and the same model file the app ships,
executed by `digits_svm.coreml.CoreMLRuntime`; the answer is the digit (or "not a
digit", by `digits_svm.predict_with_confidence`'s rule at the threshold the model
records), the probabilities and the 8x8 grid. Drawings can be saved as labelled samples
in the folder layout ``train(extra=...)`` reads. A refusal is an `HTTPError` with the
status and the one-line message the page shows.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

import numpy as np

from .._files import atomic_write_bytes
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

__all__ = ["MAX_BODY_BYTES", "MAX_POINTS", "MAX_SAMPLES", "MAX_SAMPLE_BYTES", "HTTPError", "Playground", "decode_json"]

logger = logging.getLogger(__name__)

#: Largest request body accepted (bytes); larger bodies get 413 before they are read.
MAX_BODY_BYTES = 1_000_000
#: Most sample files one samples folder may hold (a session of drawing makes a few hundred).
MAX_SAMPLES = 10_000
#: Most bytes the sample files of one samples folder may take (a drawing is a few kilobytes).
MAX_SAMPLE_BYTES = 50_000_000
#: Keys a client may send besides the stroke format itself.
_REQUEST_ONLY_KEYS = ("method",)


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

    Raises
    ------
    ArtifactWriteError
        ``samples`` (or one of its digit folders) is a file, or cannot be read.
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
    """

    def __init__(self, runtime: CoreMLRuntime, *, samples: str | os.PathLike = "samples", model_path: str | None = None,
                 max_samples: int = MAX_SAMPLES, max_sample_bytes: int = MAX_SAMPLE_BYTES):
        self.runtime = check_instance(runtime, "runtime", CoreMLRuntime, "a CoreMLRuntime (CoreMLRuntime.from_file(path))")
        self.samples = Path(check_path(samples, "samples"))
        self.model_path = check_instance(model_path, "model_path", (str, type(None)), "a string, or None")
        self.max_samples = check_count(max_samples, "max_samples", low=1)
        self.max_sample_bytes = check_count(max_sample_bytes, "max_sample_bytes", low=1)
        self._lock = threading.Lock()
        self._counts, self._bytes = _scan_samples(self.samples)
        self.methods = tuple(METHODS)
        wanted = runtime.preprocessing_method
        self.default_method = wanted if wanted in self.methods else DEFAULT_METHOD
        self.min_confidence = recorded_min_confidence(runtime.metadata)

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
        if self.runtime.has_probabilities:  # labels and probabilities from one evaluation
            labels, proba = coreml_predict(self.runtime, grids, return_proba=True)
            classes = np.asarray(self.runtime.classes_)
            probabilities = {str(c): float(p) for c, p in zip(_plain(classes), proba[0], strict=True)}
            answer = answers_from_proba(classes, np.asarray(proba), self.min_confidence)[0]
            digit = answer.digit
            confidence = {"best_guess": answer.best_guess, "probability": answer.probability,
                          "min_confidence": self.min_confidence}
        else:
            labels = self.runtime.predict(grids)
            digit = None if labels[0] == NOT_A_DIGIT else _plain(labels[0])
        done = time.perf_counter()
        return {
            "digit": digit,
            "label": _plain(labels[0]),
            **confidence,
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

