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
import os
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import numpy as np

from .errors import InvalidGridError, InvalidParameterError

__all__ = ["GRID_SHAPE", "GRID_MAX", "MAX_RANDOM_STATE", "check_grids", "is_grid_shape", "check_choice", "check_number",
           "check_count", "check_bool", "check_sequence", "check_ranges", "check_instance", "check_path", "check_subclass",
           "check_n_jobs"]

GRID_SHAPE = (8, 8)
GRID_MAX = 16.0
#: The largest seed scikit-learn takes as ``random_state`` (NumPy's ``RandomState``: 2**32 - 1).
MAX_RANDOM_STATE = 2**32 - 1


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
    """How a given value appears in a message: its repr for plain values, a class's name, else its type."""
    if value is None or isinstance(value, (bool, int, float, str)):
        text = repr(value)
        return text if len(text) <= 80 else text[:77] + "..."
    if isinstance(value, (list, tuple)) and len(value) <= 4 and all(isinstance(v, (bool, int, float, str)) for v in value):
        return repr(value)
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, os.PathLike):  # the path as the user typed it, not PosixPath(...)
        return repr(os.fspath(value))
    return f"a {type(value).__name__}"


def _refuse(name: str, value: Any, allowed: str) -> InvalidParameterError:
    """The one message of a bad argument: its name, what was given, what is allowed."""
    return InvalidParameterError(f"{name}={_shown(value)} is not allowed; use {allowed}")


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
        raise _refuse(name, value, "one of " + ", ".join(repr(c) for c in choices))
    return value


def check_number(value: Any, name: str, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False, multiple_of: float | None = None) -> float:
    """Return ``value`` as a float if it is a finite number within the bounds, else raise `InvalidParameterError`.

    ``low_open`` / ``high_open`` exclude the bound itself; ``multiple_of`` (0.5, say)
    also asks for a whole multiple of it. Callers keep the value they were given (an
    int stays an int); the float returned is for comparisons.

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
    try:
        number = float(value) if ok else math.nan
    except OverflowError:  # an int too large for a float
        number = math.nan
    ok = ok and math.isfinite(number)
    if ok and low is not None:
        ok = number > low if low_open else number >= low
    if ok and high is not None:
        ok = number < high if high_open else number <= high
    if ok and multiple_of is not None:
        ok = (number / multiple_of).is_integer()
    if not ok:
        bounds = []
        if low is not None:
            bounds.append(f"{'>' if low_open else '>='} {low:g}")
        if high is not None:
            bounds.append(f"{'<' if high_open else '<='} {high:g}")
        allowed = "a finite number" if not bounds else "a number " + " and ".join(bounds)
        if multiple_of is not None:
            allowed += f", a multiple of {multiple_of:g}"
        raise _refuse(name, value, allowed)
    return number


def check_count(value: Any, name: str, *, low: int | None = 0, high: int | None = None) -> int:
    """Return ``value`` if it is a whole number within ``low..high`` (None: unbounded), else raise `InvalidParameterError`.

    Examples
    --------
    >>> check_count(600, "nondigits")
    600
    >>> check_count(-1, "nondigits")
    Traceback (most recent call last):
    ...
    digits_svm.errors.InvalidParameterError: nondigits=-1 is not allowed; use a whole number >= 0
    """
    if (not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_))
            or (low is not None and value < low) or (high is not None and value > high)):
        bounds = ([] if low is None else [f">= {low}"]) + ([] if high is None else [f"<= {high}"])
        raise _refuse(name, value, " ".join(["a whole number", " and ".join(bounds)]).strip())
    return int(value)


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` if it is True or False, else raise `InvalidParameterError`.

    Examples
    --------
    >>> check_bool(True, "shuffle")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise _refuse(name, value, "True or False")
    return bool(value)


def check_sequence(values: Any, name: str, check: Callable[..., Any] | None = None, *args: Any,
                   length: int | None = None, **kwargs: Any) -> tuple:
    """Return ``values`` as a tuple if it is a sequence (list, tuple, 1-D array ...) of acceptable items, else raise.

    The sequence must be non-empty, or have exactly ``length`` items; each item is then
    given to ``check(item, f"{name}[{i}]", *args, **kwargs)`` (one of the ``check_*``
    functions). A string or a mapping is not a sequence here. The items are returned as
    given, not converted.

    Examples
    --------
    >>> check_sequence([1, 3.0], "C", check_number, low=0, low_open=True)
    (1, 3.0)
    >>> check_sequence((1, -2), "C", check_number, low=0, low_open=True)
    Traceback (most recent call last):
    ...
    digits_svm.errors.InvalidParameterError: C[1]=-2 is not allowed; use a number > 0
    """
    allowed = "a non-empty sequence (list or tuple)" if length is None else f"a sequence of {length} items"
    if (isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable)
            or (isinstance(values, np.ndarray) and values.ndim != 1)):
        raise _refuse(name, values, allowed)
    items = tuple(values)
    if (len(items) != length) if length is not None else not items:
        raise _refuse(name, values, allowed)
    if check is not None:
        for i, item in enumerate(items):
            check(item, f"{name}[{i}]", *args, **kwargs)
    return items


def check_ranges(value: Any, name: str, keys: Collection[str], *, whole: Collection[str] = ()) -> Mapping:
    """Return ``value`` if it maps some of ``keys`` to (low, high) pairs of finite numbers, else raise.

    ``low <= high``; the keys in ``whole`` take whole numbers with ``low < high`` (a
    range whose high end is excluded, as ``numpy.random.Generator.integers``).

    Examples
    --------
    >>> check_ranges({"aspect": (0.5, 1.0)}, "ranges", ("aspect", "height"))
    {'aspect': (0.5, 1.0)}
    >>> check_ranges({"aspect": (1, 0.5)}, "ranges", ("aspect", "height"))
    Traceback (most recent call last):
    ...
    digits_svm.errors.InvalidParameterError: ranges['aspect']=(1, 0.5) is not allowed; use (low, high) with low <= high
    """
    check_instance(value, name, Mapping, "a mapping (dict) of (low, high) pairs")
    for key, pair in value.items():
        where = f"{name}[{key!r}]"
        if not isinstance(key, str) or key not in keys:
            raise InvalidParameterError(f"{where} is not allowed; use the keys {', '.join(repr(k) for k in keys)}")
        integer = key in whole
        low, high = check_sequence(pair, where, check_count if integer else check_number, length=2, low=None)
        if not (low < high if integer else low <= high):
            raise _refuse(where, pair, f"(low, high) with low {'<' if integer else '<='} high")
    return value


def check_instance(value: Any, name: str, types: type | tuple[Any, ...], what: str) -> Any:
    """Return ``value`` if it is an instance of ``types``, else raise `InvalidParameterError` saying ``what`` to use.

    Examples
    --------
    >>> check_instance("Held out", "title", str, "a string")
    'Held out'
    >>> check_instance(3, "title", str, "a string")
    Traceback (most recent call last):
    ...
    digits_svm.errors.InvalidParameterError: title=3 is not allowed; use a string
    """
    if not isinstance(value, types):
        raise _refuse(name, value, what)
    return value


def check_path(value: Any, name: str) -> Any:
    """Return ``value`` if it is a path (a ``str`` or an ``os.PathLike``), else raise `InvalidParameterError`.

    Examples
    --------
    >>> check_path(None, "out_dir")
    Traceback (most recent call last):
    ...
    digits_svm.errors.InvalidParameterError: out_dir=None is not allowed; use a path (str or os.PathLike)
    """
    return check_instance(value, name, (str, os.PathLike), "a path (str or os.PathLike)")


def check_subclass(value: Any, name: str, base: type) -> Any:
    """Return ``value`` if it is the class ``base`` or a subclass of it, else raise `InvalidParameterError`.

    Examples
    --------
    >>> check_subclass(int, "error", Exception)
    Traceback (most recent call last):
    ...
    digits_svm.errors.InvalidParameterError: error=int is not allowed; use Exception or a subclass of it
    """
    if not (isinstance(value, type) and issubclass(value, base)):
        raise _refuse(name, value, f"{base.__name__} or a subclass of it")
    return value


def check_n_jobs(value: Any, name: str = "n_jobs") -> Any:
    """Return ``value`` if joblib takes it as a number of jobs (None, or a whole number other than 0), else raise.

    Examples
    --------
    >>> check_n_jobs(-1)
    -1
    >>> check_n_jobs(0)
    Traceback (most recent call last):
    ...
    digits_svm.errors.InvalidParameterError: n_jobs=0 is not allowed; use None, -1 (every core) or a whole number other than 0
    """
    if value is not None and (not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)) or value == 0):
        raise _refuse(name, value, "None, -1 (every core) or a whole number other than 0")
    return value
