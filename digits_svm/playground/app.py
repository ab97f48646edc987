"""The playground's logic, apart from HTTP: read a drawing request, answer it with the model, save a sample.

`Playground` answers what the page asks (`digits_svm.playground.server` carries it over
HTTP): the strokes in the shared stroke JSON format go through the same preprocessing the
app runs (`digits_svm.strokes.preprocess_strokes`) and the same model file the app ships,
executed by `digits_svm.runtime.CoreMLRuntime`; the answer is the digit (or "not a
digit", by `digits_svm.predict_with_confidence`'s rule at the threshold the model
records), the probabilities and the 8x8 grid. Drawings can be saved as labelled samples
in the folder layout ``train(extra=...)`` reads. A refusal is an `HTTPError` with the
status and the one-line message the page shows.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

import numpy as np

from ..confidence import NOT_A_DIGIT, answers_from_proba, recorded_min_confidence
from ..errors import EmptyDrawingError, InvalidParameterError, StrokesError
from ..fileio import atomic_write_json
from ..preprocessing import DEFAULT_METHOD, METHODS
from ..runtime import CoreMLRuntime, coreml_predict
from ..strokes import MAX_JSON_DEPTH, MAX_POINTS, Drawing, check_renderable, json_depth, parse_strokes, preprocess_strokes
from ..validation import check_choice, check_instance, check_path

__all__ = ["MAX_BODY_BYTES", "MAX_POINTS", "HTTPError", "Playground", "decode_json"]

#: Largest request body accepted (bytes); larger bodies get 413 before they are read.
MAX_BODY_BYTES = 1_000_000
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

    A drawing to save passes the same checks as one to answer (`digits_svm.strokes.check_renderable`:
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
        Shown on the page; informational only.
    """

    def __init__(self, runtime: CoreMLRuntime, *, samples: str | os.PathLike = "samples", model_path: str | None = None):
        self.runtime = check_instance(runtime, "runtime", CoreMLRuntime, "a CoreMLRuntime (CoreMLRuntime.from_file(path))")
        self.samples = Path(check_path(samples, "samples"))
        self.model_path = check_instance(model_path, "model_path", (str, type(None)), "a string, or None")
        self.methods = tuple(METHODS)
        wanted = runtime.preprocessing_method
        self.default_method = wanted if wanted in self.methods else DEFAULT_METHOD
        self.min_confidence = recorded_min_confidence(runtime.metadata)

    def info(self) -> dict[str, Any]:
        """What the page needs to know about the model (``GET /api/info``)."""
        return {
            "model": self.model_path,
            "classes": _plain(self.runtime.classes_),
            "has_probabilities": bool(self.runtime.has_probabilities),
            "methods": list(self.methods),
            "default_method": self.default_method,
            "metadata": {str(k): str(v) for k, v in self.runtime.metadata.items()},
            "limits": {"max_body_bytes": MAX_BODY_BYTES, "max_points": MAX_POINTS},
            "samples": str(self.samples),
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
        request reaches the path except the label, which must be the integer 0..9.
        """
        if not isinstance(body, dict) or "label" not in body:
            raise HTTPError(HTTPStatus.BAD_REQUEST, '"label" is missing; send {"strokes": ..., "label": 0..9}')
        label = _check_label(body["label"])
        drawing = _parse_drawing(body)
        record = drawing.to_json()  # the shared stroke format, label included
        folder = self.samples / str(label)
        while True:
            path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex}.json"
            try:
                # exclusive: a name collision (never expected with a UUID) cannot overwrite a sample.
                atomic_write_json(path, record, exclusive=True)
                break
            except FileExistsError:
                continue
        return {"saved": str(path), "label": label, "points": drawing.n_points, "count": _count_samples(folder)}


def _count_samples(folder: Path) -> int:
    return sum(1 for p in folder.glob("*.json") if not p.name.startswith("."))

