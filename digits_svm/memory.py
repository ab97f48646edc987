"""A personal memory: the user's own corrected drawings, consulted beside the shipped model.

A Core ML model cannot learn on the phone, but the app can remember what its user taught
it. `PersonalMemory` keeps each correction (the drawing's 8x8 grid, the digit the user
said, and what the model had answered) and answers for it when a new drawing is close to
one of them. Otherwise the model answers as it always does, "not a digit" included; an
empty memory changes nothing. The memory is a small JSON file (`PersonalMemory.save`,
`PersonalMemory.load`), the same file the Swift package reads and writes, and it
exports its samples as training samples for ``digits-svm train --extra``.

The rule (`PersonalMemory.answer`), with the model's class probabilities ``p`` for the
drawing's grid ``x``:

1. An empty memory answers nothing.
2. For every sample ``s`` of the memory, in the order they were added, the squared
   distance ``d2 = sum over j = 0..63, in that order, of (x[j] - s[j])**2`` on the raw
   0..16 values.
3. For each digit in the memory, ``m[digit]`` is its samples' smallest ``d2``; ``y`` is the
   digit with the smallest ``m``. If another digit has the same smallest ``m``, the
   memory answers nothing: the drawing must be closer to the samples of ``y`` than to the
   user's samples of any other digit.
4. The radius is ``T = RADIUS + PROB_WEIGHT * log10(max(p[y], PROB_FLOOR)) -
   CONFIDENCE_WEIGHT * log10(p_top)``, where ``p_top`` is the model's largest probability
   over all its classes ("not a digit" included). It shrinks when the model doubts the
   memory's digit, and grows when the model is unsure of its own answer.
5. The memory answers ``y`` if ``T > 0`` and ``sqrt(m[y]) < T``.

``benchmarks/bench_personal.py`` chose the parameters on synthetic users, and
``docs/decisions.md`` says what else was tried.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._files import atomic_write_bytes, atomic_write_text, read_bytes, sha256_bytes
from ._validation import check_grids, check_path
from .errors import InvalidParameterError, MemoryFileError

__all__ = [
    "PersonalMemory", "RADIUS", "PROB_WEIGHT", "CONFIDENCE_WEIGHT", "PROB_FLOOR", "MAX_SAMPLES", "SCHEMA",
    "SCHEMA_VERSION",
]

#: The rule's radius, in grid units (Euclidean distance over 64 values 0..16).
RADIUS = 24.0
#: Grid units the radius shrinks per factor of ten by which the model doubts the memory's digit.
PROB_WEIGHT = 4.0
#: Grid units the radius grows per factor of ten of the model's doubt in its own answer.
CONFIDENCE_WEIGHT = 20.0
#: The smallest probability of the memory's digit the rule uses, so that its log is finite.
PROB_FLOOR = 1e-6
#: The most samples a memory holds; adding more drops the oldest.
MAX_SAMPLES = 500
#: The ``"schema"`` field of the memory's JSON file.
SCHEMA = "digits_svm.personal_memory"
#: The ``"version"`` of the file's format that this code writes and reads.
SCHEMA_VERSION = 1

_NOT_A_DIGIT = -1


def _digit(value: Any, where: str, *, none_ok: bool = False) -> int | None:
    """``value`` as a digit 0..9 (or None where allowed), else ValueError naming ``where``."""
    if value is None and none_ok:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or not 0 <= int(value) <= 9:
        allowed = "a digit 0..9 or null (not a digit)" if none_ok else "a digit 0..9"
        raise ValueError(f"{where} must be {allowed}, not {value!r:.30}")
    return int(value)


def _file_grid(value: Any, where: str) -> np.ndarray:
    """A sample's ``"grid"`` read from a file: 64 finite numbers 0..16, else ValueError naming the place."""
    if not isinstance(value, list) or len(value) != 64:
        raise ValueError(f"{where} must be a list of 64 numbers")
    for j, v in enumerate(value):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"{where}[{j}] must be a number, not {type(v).__name__}")
        if not 0 <= v <= 16:  # False for nan and inf; an int too large for a float is compared exactly
            raise ValueError(f"{where}[{j}] is {v!r}; grid values are in 0..16")
    return np.array(value, dtype=np.float64)


class PersonalMemory:
    """The user's corrected drawings: their grids, the digits the user said, what the model had said.

    Samples keep the order they were added in. Beyond `MAX_SAMPLES` the oldest are dropped.

    Examples
    --------
    >>> memory = PersonalMemory()
    >>> one = np.zeros((8, 8))
    >>> one[:, 4] = 16                                  # a stroke down the middle
    >>> memory.add([one], [1], model_said=[7])          # the model had read it as a 7
    >>> len(memory), memory.digits, memory.model_said
    (1, [1], [7])
    >>> p = {-1: 0.01, 1: 0.10, 7: 0.85, **{d: 0.005 for d in (0, 2, 3, 4, 5, 6, 8, 9)}}
    >>> memory.answer(one, p), PersonalMemory().answer(one, p)
    (1, None)
    """

    def __init__(self) -> None:
        self._grids = np.zeros((0, 64), dtype=np.float64)
        self._digits: list[int] = []
        self._model_said: list[int | None] = []

    def __len__(self) -> int:
        return len(self._digits)

    def __repr__(self) -> str:
        return f"PersonalMemory({len(self)} samples, per digit {self.per_digit})"

    @property
    def grids(self) -> np.ndarray:
        """The samples' grids, float64 (n, 8, 8), a read-only view."""
        view = self._grids.reshape(-1, 8, 8)
        view.flags.writeable = False
        return view

    @property
    def digits(self) -> list[int]:
        """The digit the user said for each sample."""
        return list(self._digits)

    @property
    def per_digit(self) -> dict[int, int]:
        """How many samples each digit has, digits in increasing order."""
        return {d: self._digits.count(d) for d in sorted(set(self._digits))}

    @property
    def model_said(self) -> list[int | None]:
        """What the model had answered for each sample (None: "not a digit", or not given)."""
        return list(self._model_said)

    def add(self, grids: Any, digits: Iterable[Any], *, model_said: Iterable[Any] | None = None) -> None:
        """Remember corrections: ``grids[i]`` is a drawing the user said is ``digits[i]``.

        Parameters
        ----------
        grids : array-like
            One 8x8 grid or a batch, values 0..16, as the model takes them.
        digits : sequence of int
            0..9, one per grid.
        model_said : sequence of (int or None), optional
            What the model had answered for each (None: "not a digit").

        Raises
        ------
        InvalidGridError
            A grid is not 8x8 (or 64) values 0..16.
        InvalidParameterError
            A digit or answer is not 0..9, or the counts differ. Nothing is added.
        """
        rows = check_grids(grids).reshape(-1, 64)
        labels, said = list(digits), [None] * len(rows) if model_said is None else list(model_said)
        if not len(rows) == len(labels) == len(said):
            raise InvalidParameterError(
                f"add() takes one digit (and one model answer) per grid; got {len(rows)} grids, {len(labels)} digits "
                f"and {len(said)} model answers")
        try:
            ys = [_digit(d, f"digits[{i}]") for i, d in enumerate(labels)]
            ms = [_digit(m, f"model_said[{i}]", none_ok=True) for i, m in enumerate(said)]
        except ValueError as exc:
            raise InvalidParameterError(str(exc)) from None
        self._append(rows, [y for y in ys if y is not None], ms)

    def _append(self, rows: np.ndarray, digits: list[int], said: list[int | None]) -> None:
        self._grids = np.vstack([self._grids, rows])[-MAX_SAMPLES:]
        self._digits = (self._digits + digits)[-MAX_SAMPLES:]
        self._model_said = (self._model_said + said)[-MAX_SAMPLES:]

    def clear(self) -> None:
        """Forget every sample."""
        self._grids = np.zeros((0, 64), dtype=np.float64)
        self._digits, self._model_said = [], []

    def answer(self, grid: Any, probabilities: Mapping[int, float]) -> int | None:
        """The memory's digit for one grid, or None to let the model answer (the rule: see the module).

        Parameters
        ----------
        grid : array-like
            One 8x8 grid (or 64 values), 0..16.
        probabilities : mapping of int to float
            The model's class probabilities for ``grid`` (Core ML's ``classProbability``):
            labels 0..9, and -1 ("not a digit") where the model has that class.

        Returns
        -------
        int or None
        """
        x = check_grids(grid)
        if len(x) != 1:
            raise InvalidParameterError(f"answer() takes one grid, not {len(x)}; use predict_with_confidence for a batch")
        if not isinstance(probabilities, Mapping) or any(d not in probabilities for d in range(10)):
            raise InvalidParameterError("probabilities must map every digit 0..9 (and -1 where the model has it) "
                                        "to its probability, as Core ML's classProbability does")
        classes = np.array(sorted(probabilities), dtype=np.int64)
        proba = np.array([[float(probabilities[c]) for c in classes]])
        digit = int(self.answers(x, classes, proba)[0]) if len(self) else _NOT_A_DIGIT
        return None if digit == _NOT_A_DIGIT else digit

    def answers(self, grids: np.ndarray, classes: np.ndarray, proba: np.ndarray) -> np.ndarray:
        """The rule for a batch of checked grids: the memory's digit per grid, -1 where it says nothing.

        ``grids`` (n, 8, 8) as `check_grids` returns them, ``proba`` (n, k) with the
        columns of ``classes`` (labels 0..9, and -1 where the model has it).
        """
        n = len(grids)
        out = np.full(n, _NOT_A_DIGIT, dtype=np.int64)
        if not len(self) or not n:
            return out
        x = np.asarray(grids, dtype=np.float64).reshape(n, 64)
        digits = np.array(self._digits)
        order = np.argsort(digits, kind="stable")  # the samples digit by digit, for one minimum per digit
        present, starts = np.unique(digits[order], return_index=True)
        columns = np.ascontiguousarray(self._grids[order].T)  # (64, m): the sums below run over j = 0..63 in order
        column_of = {int(c): i for i, c in enumerate(classes)}
        for i in range(n):
            diff = columns - x[i][:, None]
            d2 = np.cumsum(diff * diff, axis=0)[-1]  # a running sum runs j = 0..63 in order; a reduction may pair them
            nearest = np.minimum.reduceat(d2, starts)
            best = nearest.min()
            if np.count_nonzero(nearest == best) > 1:
                continue  # as close to the user's samples of another digit: no answer
            y = int(present[nearest.argmin()])
            p_y = max(float(proba[i, column_of[y]]), PROB_FLOOR)
            limit = RADIUS + PROB_WEIGHT * math.log10(p_y) - CONFIDENCE_WEIGHT * math.log10(float(proba[i].max()))
            if limit > 0 and math.sqrt(best) < limit:
                out[i] = y
        return out

    def to_json(self) -> str:
        """The memory as the JSON text of its file.

        ``{"schema": SCHEMA, "version": SCHEMA_VERSION, "samples": [{"grid": [64 numbers],
        "digit": 0..9, "model_said": 0..9 or null}, ...]}``, grids row by row.
        """
        samples = [{"grid": [float(v) for v in g], "digit": d, "model_said": m}
                   for g, d, m in zip(self._grids, self._digits, self._model_said, strict=True)]
        return json.dumps({"schema": SCHEMA, "version": SCHEMA_VERSION, "samples": samples}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str = "the memory") -> PersonalMemory:
        """A memory from its JSON text, checked strictly.

        Raises
        ------
        MemoryFileError
            Not JSON, another schema or version, or a malformed sample; the message names
            ``source`` and the place (``samples[3].grid[12]``).
        """
        def refuse(name: str) -> None:
            raise ValueError(f"{name} is not a number a memory holds")

        try:
            doc = json.loads(text, parse_constant=refuse)
            return cls._from_document(doc)
        except (ValueError, RecursionError) as exc:  # json.JSONDecodeError is a ValueError
            reason = "it is not JSON" if isinstance(exc, (json.JSONDecodeError, RecursionError, UnicodeDecodeError)) \
                else str(exc)
            raise MemoryFileError(f"{source} is not a personal memory: {reason}; save one with "
                                  "PersonalMemory.save (or the app's export)") from None

    @classmethod
    def _from_document(cls, doc: Any) -> PersonalMemory:
        if not isinstance(doc, dict) or set(doc) != {"schema", "version", "samples"}:
            raise ValueError("it must be an object with exactly the keys 'schema', 'version' and 'samples'")
        if doc["schema"] != SCHEMA:
            raise ValueError(f"its schema is {doc['schema']!r:.60}, not {SCHEMA!r}")
        if doc["version"] != SCHEMA_VERSION or isinstance(doc["version"], bool):
            raise ValueError(f"its version is {doc['version']!r:.30}; this digits_svm reads version {SCHEMA_VERSION}")
        samples = doc["samples"]
        if not isinstance(samples, list) or len(samples) > MAX_SAMPLES:
            raise ValueError(f"'samples' must be a list of at most {MAX_SAMPLES} samples")
        rows, digits, said = [], [], []
        for i, sample in enumerate(samples):
            where = f"samples[{i}]"
            if not isinstance(sample, dict) or set(sample) != {"grid", "digit", "model_said"}:
                raise ValueError(f"{where} must be an object with exactly the keys 'grid', 'digit' and 'model_said'")
            rows.append(_file_grid(sample["grid"], f"{where}.grid"))
            digits.append(_digit(sample["digit"], f"{where}.digit"))
            said.append(_digit(sample["model_said"], f"{where}.model_said", none_ok=True))
        memory = cls()
        if rows:
            memory._append(np.array(rows), [d for d in digits if d is not None], said)
        return memory

    def save(self, path: str | os.PathLike) -> Path:
        """Write the memory's JSON file atomically; returns its path."""
        return atomic_write_text(check_path(path, "path"), self.to_json())

    @classmethod
    def load(cls, path: str | os.PathLike) -> PersonalMemory:
        """Read a memory's JSON file, checked strictly (`MemoryFileError` naming the file and the place)."""
        path = Path(check_path(path, "path"))
        return cls.from_json(read_bytes(path, what="personal memory", error=MemoryFileError), source=str(path))

    def export_samples(self, folder: str | os.PathLike) -> list[Path]:
        """Write each sample as a training sample: ``<folder>/<digit>/memory-<hash>.npy``, an 8x8 grid.

        ``digits-svm train --extra <folder>`` then learns from what the user taught (the
        grids are taken as they are, already preprocessed). A file is named by its grid's
        SHA-256, so exporting again rewrites the same files and never replaces a drawing
        exported from another memory.
        """
        root = Path(check_path(folder, "folder"))
        written = []
        for grid, digit in zip(self.grids, self._digits, strict=True):
            data = _npy_bytes(grid)
            written.append(atomic_write_bytes(root / str(digit) / f"memory-{sha256_bytes(data)[:16]}.npy", data))
        return written


def _npy_bytes(grid: np.ndarray) -> bytes:
    import io

    out = io.BytesIO()
    np.save(out, np.ascontiguousarray(grid, dtype=np.float64))
    return out.getvalue()
