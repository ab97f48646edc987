"""Validation in one place: the model's 8x8 inputs (`check_grids`) and every public function's arguments.

A *grid* is what the model eats: 8 rows x 8 columns, row 0 at the top, each value an ink
level from 0 (blank) to 16 (full), as in ``load_digits``. Every public entry point that
takes grids calls `check_grids`, so the rules and the messages are the same everywhere.
Values outside 0..16 are **rejected**, not clipped: they mean the caller skipped or
broke the preprocessing, and clipping would hide that. Run images through
`digits_svm.preprocess` (or clip deliberately with ``np.clip(g, 0, 16)``).

An *argument* is checked by one of the small ``check_*`` functions below (scikit-learn's
``utils/validation.py`` is the model), which every public function calls on what it is
given; a bad one raises `digits_svm.errors.InvalidParameterError` (a ``ValueError``), whose
message names the argument, what was given and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

import numpy as np

from .errors import InvalidGridError, InvalidParameterError

__all__ = ["GRID_SHAPE", "GRID_MAX", "check_grids", "is_grid_shape", "check_choice", "check_number", "check_count",
           "check_bool"]

GRID_SHAPE = (8, 8)
GRID_MAX = 16.0


def is_grid_shape(shape: tuple[int, ...]) -> bool:
    """Whether an array of ``shape`` holds grids: (8, 8), (64,), (n, 8, 8) or (n, 64)."""
    return (shape in (GRID_SHAPE, (64,)) or (len(shape) == 3 and shape[1:] == GRID_SHAPE)
            or (len(shape) == 2 and shape[1] == 64))


def check_grids(grids: Any, *, name: str = "grids") -> np.ndarray:
    """Validate grids and return them as a float64 array of shape (n, 8, 8).

    Parameters
    ----------
    grids : array-like
        One grid of shape (8, 8) or (64,), or a batch of shape (n, 8, 8) or (n, 64).
    name : str
        Name used in error messages.

    Returns
    -------
    numpy.ndarray
        float64 array of shape (n, 8, 8); a single grid becomes n = 1.

    Raises
    ------
    InvalidGridError
        Wrong shape, non-numeric, NaN or infinite values, or values outside 0..16.

    Examples
    --------
    >>> check_grids(np.zeros((8, 8))).shape
    (1, 8, 8)
    >>> check_grids(np.zeros((3, 64))).shape
    (3, 8, 8)
    """
    try:
        raw = np.asarray(grids)
    except (TypeError, ValueError) as exc:  # ragged lists
        raise InvalidGridError(
            f"{name} must be numbers in an 8x8 array (or 64 values); could not read them as numbers: {exc}"
        ) from exc
    if raw.dtype.kind not in "biuf":  # text, objects (None, mixed), complex: never cast silently
        raise InvalidGridError(
            f"{name} must be numbers in an 8x8 array (or 64 values); could not read them as numbers: "
            f"they are {raw.dtype} values"
        )
    arr = raw.astype(np.float64, copy=False)
    shape = arr.shape
    if not is_grid_shape(shape):
        raise InvalidGridError(
            f"{name} have shape {shape}; expected (8, 8), (64,), (n, 8, 8) or (n, 64): "
            "an 8x8 grid, row 0 at the top"
        )
    arr = arr.reshape(-1, 8, 8)
    if arr.shape[0] == 0:
        raise InvalidGridError(f"{name} are empty; give at least one 8x8 grid")
    # NaN propagates through both, so the one test below catches NaN and infinity too
    lo, hi = float(np.minimum.reduce(arr, axis=None)), float(np.maximum.reduce(arr, axis=None))
    if not (lo >= 0.0 and hi <= GRID_MAX):
        if not np.all(np.isfinite(arr)):
            raise InvalidGridError(f"{name} contain NaN or infinity; every value must be a finite number in 0..16")
        raise InvalidGridError(
            f"{name} have values from {lo:g} to {hi:g}; values must lie in 0..16 "
            "(run images through digits_svm.preprocess, or clip with np.clip(grid, 0, 16))"
        )
    return np.ascontiguousarray(arr)


# ----------------------------------------------------------------------- arguments
def _shown(value: Any) -> str:
    """How a given value appears in a message: its repr for plain values, else its type."""
    if value is None or isinstance(value, (bool, int, float, str)):
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(value, (list, tuple)) and len(value) <= 4 and all(isinstance(v, (bool, int, float, str)) for v in value):
        return repr(value)
    return f"a {type(value).__name__}"


def check_choice(value: Any, name: str, choices: Collection[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``, else raise `InvalidParameterError`.

    Examples
    --------
    >>> check_choice("seed", "method", ("normalized", "seed"))
    'seed'
    >>> check_choice(["nope"], "augment", ("none", "hshift"))
    Traceback (most recent call last):
    ...
    digits_svm.errors.InvalidParameterError: augment=['nope'] is not allowed; use one of 'none', 'hshift'
    """
    plain = isinstance(value, (str, int, float))  # never compare (or hash) a list, array or object
    if not (plain and any(value == c and isinstance(value, bool) == isinstance(c, bool) for c in choices)):
        allowed = ", ".join(repr(c) for c in choices)
        raise InvalidParameterError(f"{name}={_shown(value)} is not allowed; use one of {allowed}")
    return value


def check_number(value: Any, name: str, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float if it is a finite number within the bounds, else raise `InvalidParameterError`.

    ``low_open`` / ``high_open`` exclude the bound itself.

    Examples
    --------
    >>> check_number(3, "C", low=0, low_open=True)
    3.0
    >>> check_number(-1, "C", low=0, low_open=True)
    Traceback (most recent call last):
    ...
    digits_svm.errors.InvalidParameterError: C=-1 is not allowed; use a number > 0
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    number = float(value) if ok else math.nan
    ok = ok and math.isfinite(number)
    if ok and low is not None:
        ok = number > low if low_open else number >= low
    if ok and high is not None:
        ok = number < high if high_open else number <= high
    if not ok:
        bounds = []
        if low is not None:
            bounds.append(f"{'>' if low_open else '>='} {low:g}")
        if high is not None:
            bounds.append(f"{'<' if high_open else '<='} {high:g}")
        allowed = "a finite number" if not bounds else "a number " + " and ".join(bounds)
        raise InvalidParameterError(f"{name}={_shown(value)} is not allowed; use {allowed}")
    return number


def check_count(value: Any, name: str, *, low: int = 0, high: int | None = None) -> int:
    """Return ``value`` if it is a whole number within ``low..high``, else raise `InvalidParameterError`.

    Examples
    --------
    >>> check_count(600, "nondigits")
    600
    >>> check_count(-1, "nondigits")
    Traceback (most recent call last):
    ...
    digits_svm.errors.InvalidParameterError: nondigits=-1 is not allowed; use a whole number >= 0
    """
    if (not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)) or value < low
            or (high is not None and value > high)):
        allowed = f"a whole number >= {low}" + ("" if high is None else f" and <= {high}")
        raise InvalidParameterError(f"{name}={_shown(value)} is not allowed; use {allowed}")
    return int(value)


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` if it is True or False, else raise `InvalidParameterError`.

    Examples
    --------
    >>> check_bool(True, "shuffle")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(f"{name}={_shown(value)} is not allowed; use True or False")
    return bool(value)
