"""Validation of 8x8 model inputs, in one place.

A *grid* is what the model eats: 8 rows x 8 columns, row 0 at the top, each value an ink
level from 0 (blank) to 16 (full), as in ``load_digits``. Every public entry point that
takes grids calls `check_grids`, so the rules and the messages are the same everywhere.

Values outside 0..16 are **rejected**, not clipped: they mean the caller skipped or
broke the preprocessing, and clipping would hide that. Run images through
``digits_svm.preprocess`` (or clip deliberately with ``np.clip(g, 0, 16)``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidGridError
from .fileio import read_bytes

__all__ = ["GRID_SHAPE", "GRID_MAX", "check_grids", "load_grid_file", "grids_from_file"]

GRID_SHAPE = (8, 8)
GRID_MAX = 16.0


def _grid_shape(shape: tuple[int, ...]) -> bool:
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
        arr = np.asarray(grids, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidGridError(
            f"{name} must be numbers in an 8x8 array (or 64 values); could not read them as numbers: {exc}"
        ) from exc
    shape = arr.shape
    if not _grid_shape(shape):
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


def load_grid_file(path: str | os.PathLike) -> np.ndarray:
    """Read grids from a ``.npy`` or ``.json`` file and validate them with `check_grids`.

    A JSON file holds one grid (a list of 8 rows of 8 numbers, or 64 numbers) or a list of
    such grids.

    Parameters
    ----------
    path : str or PathLike
        A ``.npy`` or ``.json`` file.

    Returns
    -------
    numpy.ndarray
        float64 array of shape (n, 8, 8).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".npy"):
        raise InvalidGridError(f"{path}: unsupported grid file type {suffix or '(none)'}; use .npy or .json")
    data = read_bytes(path, what="grid file", error=InvalidGridError)
    if suffix == ".json":
        try:
            value = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidGridError(f"{path} is not valid JSON ({exc}); expected 8 rows of 8 numbers") from exc
    else:
        import io

        try:
            value = np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise InvalidGridError(f"{path} is not a readable .npy array ({exc}); save it with numpy.save") from exc
    return check_grids(value, name=f"grids in {path.name}")


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


def _is_grid_shaped(value: Any) -> bool:
    """Whether a JSON value has the shape of one grid or a list of grids (not strokes)."""
    try:
        shape = np.asarray(value, dtype=np.float64).shape
    except (TypeError, ValueError):  # ragged: strokes of different lengths
        return False
    return _grid_shape(shape)


def _nested_three_deep(value: Any) -> bool:
    """Whether ``value`` starts like a list of strokes: a list of lists of points (lists)."""
    return (isinstance(value, list) and bool(value) and isinstance(value[0], list) and bool(value[0])
            and isinstance(value[0][0], list))


def _check_not_blank(grids: np.ndarray, path: Path) -> np.ndarray:
    """A blank grid is refused as a blank image is: there is nothing to recognise."""
    from .errors import EmptyDrawingError

    blank = np.flatnonzero(~grids.reshape(len(grids), -1).any(axis=1))
    if len(blank):
        which = "the grid" if len(grids) == 1 else f"grid {int(blank[0])}"
        raise EmptyDrawingError(f"{path}: {which} is blank (all zeros): the drawing has no ink; draw a digit first")
    return grids


def grids_from_file(path: str | os.PathLike, *, method: str) -> tuple[np.ndarray, str]:
    """Turn one input file into model grids, whatever it holds.

    Parameters
    ----------
    path : str or PathLike
        An image (a canvas crop: ``.png``, ``.jpg`` …), a strokes ``.json`` (an object with
        ``"strokes"``, or a bare list of strokes, as `digits_svm.parse_strokes` accepts),
        or grids in ``.npy`` / ``.json`` (8 x 8, 64 values, or a list of either).
    method : str
        Preprocessing method for images and strokes.

    Returns
    -------
    grids : numpy.ndarray
        float64, shape (n, 8, 8).
    kind : str
        ``"image"``, ``"strokes"`` or ``"grid"``.

    Raises
    ------
    EmptyDrawingError
        A blank image, strokes with no point, or a blank (all-zero) grid: all alike.
    DigitsSVMError
        Anything else that cannot be read, naming the file and what was expected.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "one.json"
    >>> _ = p.write_text(json.dumps([[[20, 0], [20, 80]]]))   # a bare list of strokes: a "1"
    >>> grids, kind = grids_from_file(p, method="normalized")
    >>> grids.shape, kind
    ((1, 8, 8), 'strokes')
    """
    from .errors import DigitsSVMError, ImageError

    path = Path(path)
    if path.is_dir():
        raise ImageError(f"{path} is a folder; give the drawings in it as files (e.g. {path}/*.png)")
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        from .preprocess import load_image, preprocess

        return check_grids(preprocess(load_image(path), method=method)), "image"
    if suffix == ".json":
        try:
            value = json.loads(read_bytes(path, what="input file", error=InvalidGridError).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            value = None  # load_grid_file reports it
        strokes = isinstance(value, dict) and "strokes" in value
        if _nested_three_deep(value) and not _is_grid_shaped(value):
            strokes = True  # a bare list of strokes: strokes of points of numbers
        if strokes:
            from .preprocess import parse_strokes, preprocess_strokes

            try:
                drawing = parse_strokes(value)
            except DigitsSVMError as exc:
                expected = ("" if isinstance(value, dict) else
                            '; a .json input is a drawing ({"strokes": [[[x, y], ...], ...]} or a bare list of '
                            "strokes) or grids (8 rows of 8 numbers, 64 numbers, or a list of either)")
                raise type(exc)(f"{path}: {exc}{expected}") from None
            return check_grids(preprocess_strokes(drawing, method=method)), "strokes"
    if suffix in (".json", ".npy"):
        return _check_not_blank(load_grid_file(path), path), "grid"
    raise ImageError(
        f"{path}: unsupported input type {suffix or '(none)'}; give an image ({', '.join(IMAGE_SUFFIXES)}), "
        "a strokes .json, or grids in .npy/.json"
    )
