"""Reading what ``digits-svm predict`` is given, whatever it holds: an image, strokes, or grids in a file.

`grids_from_input_file` tells the three apart (by suffix, then by the JSON's shape) and
returns model grids; `read_grid_file` reads a ``.npy`` / ``.json`` of grids alone.
"""

from __future__ import annotations

import io
import json
import os
import tokenize
from pathlib import Path
from typing import Any

import numpy as np

from .._files import read_bytes
from .._validation import check_grids, check_path, is_grid_shape
from ..drawing._images import IMAGE_SUFFIXES, load_image
from ..drawing._preprocessing import check_method, preprocess
from ..drawing._strokes import loads_json, parse_strokes, preprocess_strokes
from ..errors import DigitsSVMError, EmptyDrawingError, ImageError, InvalidGridError

__all__ = ["read_grid_file", "grids_from_input_file"]

#: What a ``.json`` input may hold, said after a refusal.
_JSON_INPUTS = ('; a .json input is a drawing ({"strokes": [[[x, y], ...], ...]} or a bare list of strokes) '
               "or grids (8 rows of 8 numbers, 64 numbers, or a list of either)")


def read_grid_file(path: str | os.PathLike) -> np.ndarray:
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
            value = loads_json(data, str(path), InvalidGridError)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidGridError(f"{path} is not valid JSON ({exc}){_JSON_INPUTS}") from exc
        if value == []:
            raise InvalidGridError(f"{path} holds an empty list: no drawing and no grid{_JSON_INPUTS}")
    else:
        try:
            _check_npy_size(data)
            value = np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, OSError, EOFError, SyntaxError, tokenize.TokenError) as exc:  # a broken header too
            raise InvalidGridError(f"{path} is not a readable .npy array ({exc}); save it with numpy.save") from exc
    return check_grids(value, name=f"grids in {path.name}")


def _check_npy_size(data: bytes) -> None:
    """Refuse a ``.npy`` whose header declares more data than the file holds, before anything is allocated.

    A 193-byte file may declare shape ``(10**10,)``: `numpy.load` would try to allocate it
    all. The header says the shape and the item size; the bytes after it must be exactly
    that many. Raises ValueError (the caller names the file).
    """
    stream = io.BytesIO(data)
    version = np.lib.format.read_magic(stream)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, _, dtype = read_header(stream, max_header_size=10_000)
    declared = int(np.prod(shape, dtype=object)) * dtype.itemsize
    held = len(data) - stream.tell()
    if declared != held:
        raise ValueError(f"its header declares shape {shape} of {dtype} ({declared:,} bytes) but it holds {held:,}")


def _is_grid_shaped(value: Any) -> bool:
    """Whether a JSON value has the shape of one grid or a list of grids (not strokes)."""
    try:
        shape = np.asarray(value, dtype=np.float64).shape
    except (TypeError, ValueError):  # ragged: strokes of different lengths
        return False
    return is_grid_shape(shape)


def _nested_three_deep(value: Any) -> bool:
    """Whether ``value`` starts like a list of strokes: a list of lists of points (lists)."""
    return (isinstance(value, list) and bool(value) and isinstance(value[0], list) and bool(value[0])
            and isinstance(value[0][0], list))


def _check_not_blank(grids: np.ndarray, path: Path) -> np.ndarray:
    """A blank grid is refused as a blank image is: there is nothing to recognise."""
    blank = np.flatnonzero(~grids.reshape(len(grids), -1).any(axis=1))
    if len(blank):
        which = "the grid" if len(grids) == 1 else f"grid {int(blank[0])}"
        raise EmptyDrawingError(f"{path}: {which} is blank (all zeros): the drawing has no ink; draw a digit first")
    return grids


def grids_from_input_file(path: str | os.PathLike, *, method: str) -> tuple[np.ndarray, str]:
    """Turn one input file into model grids, whatever it holds.

    Parameters
    ----------
    path : str or PathLike
        An image (a canvas crop: ``.png``, ``.jpg`` …), a strokes ``.json`` (an object with
        ``"strokes"``, or a bare list of strokes, as `digits_svm.drawing.parse_strokes` accepts),
        or grids in ``.npy`` / ``.json`` (8 x 8, 64 values, or a list of either).
    method : str
        Preprocessing method for images and strokes (checked whatever the file holds).

    Returns
    -------
    grids : numpy.ndarray
        float64, shape (n, 8, 8).
    kind : str
        ``"image"``, ``"strokes"`` or ``"grid"``.

    Raises
    ------
    InvalidParameterError
        ``method`` is not one of the methods, or ``path`` is not a path.
    EmptyDrawingError
        A blank image, strokes with no point, or a blank (all-zero) grid: all alike.
    DigitsSVMError
        Anything else that cannot be read, naming the file and what was expected.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "one.json"
    >>> _ = p.write_text(json.dumps([[[20, 0], [20, 80]]]))   # a bare list of strokes: a "1"
    >>> grids, kind = grids_from_input_file(p, method="normalized")
    >>> grids.shape, kind
    ((1, 8, 8), 'strokes')
    """
    method = check_method(method)
    path = Path(check_path(path, "path"))
    if path.is_dir():
        raise ImageError(f"{path} is a folder; give the drawings in it as files (e.g. {path}/*.png)")
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        try:
            return check_grids(preprocess(load_image(path), method=method)), "image"
        except (EmptyDrawingError, ImageError) as exc:
            message = str(exc)
            raise type(exc)(message if message.startswith(str(path)) else f"{path}: {message}") from None
    if suffix == ".json":
        try:
            value = loads_json(read_bytes(path, what="input file", error=InvalidGridError), str(path), InvalidGridError)
        except (UnicodeDecodeError, json.JSONDecodeError):
            value = None  # read_grid_file reports it
        strokes = isinstance(value, dict) and "strokes" in value
        if _nested_three_deep(value) and not _is_grid_shaped(value):
            strokes = True  # a bare list of strokes: strokes of points of numbers
        if strokes:
            try:
                drawing = parse_strokes(value)
            except DigitsSVMError as exc:
                raise type(exc)(f"{path}: {exc}{'' if isinstance(value, dict) else _JSON_INPUTS}") from None
            try:
                return check_grids(preprocess_strokes(drawing, method=method)), "strokes"
            except DigitsSVMError as exc:
                raise type(exc)(f"{path}: {exc}") from None
    if suffix in (".json", ".npy"):
        return _check_not_blank(read_grid_file(path), path), "grid"
    raise ImageError(
        f"{path}: unsupported input type {suffix or '(none)'}; give an image ({', '.join(IMAGE_SUFFIXES)}), "
        "a strokes .json, or grids in .npy/.json"
    )
