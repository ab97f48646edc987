"""Canvas crop -> the model's input: an 8x8 grid of ink levels 0..16, by one of two methods.

Both methods are plain integer arithmetic on an 8-bit ink buffer (`digits_svm.drawing.ink_levels`)
so that an app can port them to Swift and check the port against the golden vectors in
``tests/golden/`` (the Swift package in ``swift/`` is such a port, proven in CI):

``"seed"``
    Exactly what the seed app computes from its crop (see ``docs/preprocessing.md``):
    8 x 8 tiles that follow the crop's aspect ratio, ``Int(mean alpha * 16)`` per tile.
``"normalized"``
    Brings the crop to the geometry of ``load_digits`` first: ink mask, upright (slant
    removed), aspect ratio kept, scaled so the longer side fills a 32 x 32 box, centred,
    strokes thickened to the training data's pen width, then ink pixels counted in
    4 x 4 blocks, as the UCI data was made.

Strokes reach the same methods through `digits_svm.drawing.preprocess_strokes`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._validation import check_choice, check_count, check_instance, check_number
from ..errors import EmptyDrawingError
from ._images import ink_levels

__all__ = ["METHODS", "DEFAULT_METHOD", "NORMALIZED_PARAMS", "method_metadata", "check_method", "preprocess",
           "grid_from_ink", "seed_grid", "normalized_grid"]

#: The ways a drawing becomes a grid: ``"normalized"`` (the training data's geometry) and
#: ``"seed"`` (the app's tiles); see ``docs/preprocessing.md``.
METHODS = ("normalized", "seed")
#: The method used unless one is given.
DEFAULT_METHOD = "normalized"

#: Parameters of ``method="normalized"`` (recorded in the .mlmodel metadata).
NORMALIZED_PARAMS = {
    "box": 32,  # side of the normalised bitmap, as in the UCI data
    "block": 4,  # 4 x 4 blocks -> counts 0..16
    "max_slant": 1.0,  # |dx/dy| above this is a shape, not a slant, and is kept
    "min_width": 8,  # a digit narrower than this many box pixels is widened to it
    "max_width": 18,  # a digit wider than this is narrowed to it (training digits are 4-6 blocks wide)
    "coverage": 0.5,  # a box pixel is ink when at least this fraction of its footprint is ink
    "pen_width": 4.5,  # target stroke width in box pixels
    "max_dilation": 3,  # at most this many 3x3 dilations
}


# ----------------------------------------------------------------------- metadata
def method_metadata(method: str = DEFAULT_METHOD) -> dict[str, str]:
    """The preprocessing method and its parameters, as stored in the .mlmodel metadata.

    Parameters
    ----------
    method : {"normalized", "seed"}

    Returns
    -------
    dict of str to str
        ``{"method": ..., <parameter>: <value>, ...}``; `digits_svm.convert` stores each
        entry under ``preprocessing.<key>``.

    Examples
    --------
    >>> meta = method_metadata("seed")
    >>> list(meta)
    ['method', 'tiles', 'value', 'ink', 'doc']
    >>> meta["value"], meta["doc"]
    ('floor(16 * sum(ink) / (255 * pixels))', 'docs/preprocessing.md')
    """
    doc = {"doc": "docs/preprocessing.md"}
    if method == "seed":
        return {
            "method": "seed",
            "tiles": "8x8 following the crop aspect",
            "value": "floor(16 * sum(ink) / (255 * pixels))",
            "ink": "alpha, else 255 - luma",
            **doc,
        }
    params = {k: (f"{v:g}" if isinstance(v, float) else str(v)) for k, v in NORMALIZED_PARAMS.items()}
    return {"method": "normalized", **params, "ink": "alpha, else 255 - luma", **doc}


def check_method(method: str) -> str:
    """Return ``method`` if it is one of `METHODS`, else raise `digits_svm.errors.InvalidParameterError` naming them."""
    return check_choice(method, "method", METHODS)


# ----------------------------------------------------------------------- methods
def preprocess(image: Any, method: str = DEFAULT_METHOD, *, ink: str = "auto") -> np.ndarray:
    """Turn a canvas crop into the model's input grid.

    Parameters
    ----------
    image : PIL.Image.Image, str, PathLike or numpy.ndarray
        The crop (RGBA, LA, L, RGB ...; see `ink_levels` for arrays).
    method : {"normalized", "seed"}
        ``"seed"`` is exactly the seed app's computation; ``"normalized"`` (the default)
        first brings the drawing to the geometry of the training data. Both are
        specified step by step in ``docs/preprocessing.md``.
    ink : {"auto", "alpha", "darkness"}
        Where ink comes from (see `ink_levels`).

    Returns
    -------
    numpy.ndarray
        float64, shape (8, 8), integer values 0..16, row 0 at the top.

    Raises
    ------
    InvalidParameterError
        An unknown ``method`` or ``ink``, refused before the image is read.
    EmptyDrawingError
        The crop has no ink at all.
    ImageError
        Not an image, unreadable or too large.

    Examples
    --------
    >>> crop = np.zeros((16, 16), dtype=bool); crop[:, 6:10] = True   # a thick "1"
    >>> preprocess(crop, method="seed")[0].tolist()
    [0.0, 0.0, 0.0, 16.0, 16.0, 0.0, 0.0, 0.0]
    >>> preprocess(crop)[0].tolist()     # full height, centred, width kept within 8..18 of 32
    [0.0, 0.0, 0.0, 16.0, 16.0, 0.0, 0.0, 0.0]
    """
    method = check_method(method)
    return grid_from_ink(ink_levels(image, ink=ink), method)


def grid_from_ink(levels: np.ndarray, method: str) -> np.ndarray:
    """The 8x8 grid of an ink buffer (uint8, as `digits_svm.drawing.ink_levels` gives) by ``method``.

    `preprocess` reads the ink of a crop and `digits_svm.drawing.preprocess_strokes` renders
    it; both check ``method`` and end here.

    Examples
    --------
    >>> levels = np.zeros((16, 16), dtype=np.uint8); levels[:, 6:10] = 255
    >>> grid_from_ink(levels, "seed")[0].tolist()
    [0.0, 0.0, 0.0, 16.0, 16.0, 0.0, 0.0, 0.0]
    """
    peak = int(levels.max())  # 0: no ink (cheaper than levels.any(), and the normalized method needs it)
    if peak == 0:
        raise EmptyDrawingError("the drawing has no ink (every pixel is transparent or plain background); draw a digit first")
    if method == "seed":
        return seed_grid(levels)
    return _normalized_grid(levels, peak, NORMALIZED_PARAMS)


def seed_grid(levels: np.ndarray) -> np.ndarray:
    """``method="seed"`` on an ink buffer: the app's tiles and ``Int(mean * 16)``.

    Tile ``(r, c)`` of a W x H crop covers pixel columns ``floor(c W / 8)`` to
    ``ceil((c + 1) W / 8) - 1`` and rows likewise (the tile rectangle rounded outward
    to whole pixels, as Core Graphics crops), so neighbouring tiles share a pixel when
    8 does not divide the size. Its value is ``floor(16 * S / (255 * N))`` for ink sum
    ``S`` over its ``N`` pixels: exact integer arithmetic, equal to ``Int(alpha * 16)``
    with ``alpha`` the mean ink in 0..1.
    """
    h, w = levels.shape
    rows = _tile_edges(h)
    cols = _tile_edges(w)
    integral = np.zeros((h + 1, w + 1), dtype=np.int64)
    integral[1:, 1:] = levels.astype(np.int64).cumsum(0).cumsum(1)
    r0, r1 = rows[:, :1], rows[:, 1:]  # (8, 1) each
    c0, c1 = cols[:, 0], cols[:, 1]  # (8,)
    sums = integral[r1, c1] - integral[r0, c1] - integral[r1, c0] + integral[r0, c0]
    pixels = (r1 - r0) * (c1 - c0)
    return ((16 * sums) // (255 * pixels)).astype(np.float64)


def _tile_edges(n: int, parts: int = 8) -> np.ndarray:
    """Start (inclusive) and end (exclusive) pixel of each of ``parts`` tiles of ``n`` pixels."""
    i = np.arange(parts, dtype=np.int64)
    start = (i * n) // parts
    end = -((-(i + 1) * n) // parts)  # ceil((i + 1) n / parts)
    return np.stack([start, end], axis=1)


def normalized_grid(levels: np.ndarray, params: Mapping[str, float] = NORMALIZED_PARAMS) -> np.ndarray:
    """``method="normalized"`` on an ink buffer (ported step by step in ``docs/preprocessing.md``).

    1. Mask: a pixel is ink when ``2 * level >= peak`` (``peak``: the strongest level;
       128 and up for a fully inked drawing). Rows and columns without ink are dropped.
    2. Slant: over ink pixels (x right, y down, means ``mx``, ``my``),
       ``s = sum((x - mx) * (y - my)) / sum((y - my)^2)``, computed from integer sums as
       ``(Sxy - Sx my) / (Syy - Sy my)`` so that every port gets the same bits. If
       ``|s| <= max_slant``, row ``y`` moves left by ``shift(y) = floor(s * (y - my) + 0.5)``
       pixels (upright).
    3. Scale: the upright ink spans ``w`` x ``h`` pixels. Rows scale by ``ky = box / h``
       (full height); columns by ``kx = clip(ky, min_width / w, max_width / w)`` (aspect
       kept within limits), centred: offsets ``ox = (box - kx w) / 2``, ``oy = (box - ky h) / 2``.
    4. Bitmap: box pixel ``(tx, ty)`` covers upright columns ``floor((tx - ox) / kx)`` to
       ``ceil((tx + 1 - ox) / kx) - 1`` and rows likewise (clipped to the ink box). It
       is ink if at least ``coverage`` of its footprint (and at least one pixel) is ink;
       but if that keeps fewer than half of the box pixels whose footprint holds any ink
       (strokes thinner than a box pixel), every such box pixel is ink instead.
    5. Pen: stroke width ``sw = 2 * area / perimeter`` (perimeter: ink/blank edges
       between 4-neighbours, outside the box counting as blank). The bitmap is dilated
       ``min(max_dilation, max(0, ceil((pen_width - 1 - sw) / 2)))`` times; a dilation
       makes every pixel with ink in its 3 x 3 neighbourhood ink.
    6. Counts: ink pixels in each ``block`` x ``block`` block, an integer 0..16.

    ``params`` other than `NORMALIZED_PARAMS` must hold all its keys: ``box`` and
    ``block`` whole numbers (``block`` dividing ``box``), the others numbers >= 0.
    """
    if params is not NORMALIZED_PARAMS:  # the default is known good: the app's path pays nothing
        _check_params(params)
    peak = int(levels.max())
    if peak == 0:
        raise EmptyDrawingError("the drawing has no ink; draw a digit first")
    return _normalized_grid(levels, peak, params)


def _normalized_grid(levels: np.ndarray, peak: int, params: Mapping[str, float]) -> np.ndarray:
    """`normalized_grid` on a buffer whose strongest level, ``peak``, is known (> 0) and checked ``params``."""
    box, block = int(params["box"]), int(params["block"])
    mask, sums, x0 = _ink_box(levels >= (peak + 1) // 2)
    h, w = mask.shape
    by_col = np.zeros((h, w + 1), dtype=np.int32)  # by_col[y, c]: ink pixels left of column c
    np.cumsum(mask, axis=1, out=by_col[:, 1:])
    shift = _slant_shift(sums, x0, float(params["max_slant"]))
    inked = sums[0] > 0
    left = int((mask.argmax(axis=1) - shift)[inked].min())
    # a row's prefix first reaches its count just past its last ink pixel
    width = int((by_col.argmax(axis=1) - shift)[inked].max()) - left
    ky = box / h
    kx = min(max(ky, float(params["min_width"]) / width), float(params["max_width"]) / width)
    footprints = _footprints((width, h), (kx, ky), box)  # (box, 2) per axis, columns in upright columns
    cols, rows = footprints
    ink = _footprint_ink(by_col, left + shift, rows, cols)
    sizes = footprints[:, :, 1] - footprints[:, :, 0]
    # ink on at least `coverage` of the footprint, and some (ink is whole: ink > 0 is ink >= 1)
    bitmap = ink >= np.maximum(float(params["coverage"]) * np.multiply.outer(sizes[1], sizes[0]), 1.0)
    touched = np.count_nonzero(ink)
    if 2 * np.count_nonzero(bitmap) < touched:  # strokes thinner than a box pixel: keep them
        bitmap = ink > 0
    bitmap = _thicken(bitmap, float(params["pen_width"]), int(params["max_dilation"]))
    blocks = _block_sums(box, block)
    return blocks @ bitmap @ blocks.T  # ink pixels per block: whole numbers, exact in any order


@functools.lru_cache(maxsize=8)
def _block_sums(box: int, block: int) -> np.ndarray:
    """(box // block, box): row ``i`` is 1 over pixels ``i * block`` to ``(i + 1) * block - 1`` (read-only).

    ``B @ bitmap @ B.T`` counts the pixels of each ``block`` x ``block`` block, in two
    small products (less than half the time of ``reshape(...).sum(axis=(1, 3))``).
    """
    sums = np.kron(np.eye(box // block), np.ones(block))
    sums.flags.writeable = False
    return sums


def _ink_box(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """``mask`` (holding some ink) cut to the rows and columns that hold ink; each row's ink count and x sum; the cut's left edge.

    The counts and sums (x from the mask's left edge), shape (2, rows), are whole numbers
    computed exactly in floating point: float32 holds every integer up to 2**24, so it
    serves masks up to 4,096 columns wide, float64 any other (a column's count need only
    be told from zero). Two matrix-vector products (and one more for the columns) cost
    less than one product with two columns.
    """
    pixels = mask.view(np.uint8).astype(np.float32 if mask.shape[1] <= 4096 else np.float64)
    ones, x = _ones_and_x(mask.shape[1], pixels.dtype)
    sums = np.empty((2, len(mask)), dtype=pixels.dtype)
    np.matmul(pixels, ones, out=sums[0])  # per row: ink pixels
    np.matmul(pixels, x, out=sums[1])  # and the sum of their x
    top, bottom = _span(sums[0] > 0)
    left, right = _span(_ones_and_x(len(mask), pixels.dtype)[0] @ pixels > 0)  # rows without ink add nothing
    return mask[top:bottom, left:right], sums[:, top:bottom], left


@functools.lru_cache(maxsize=8)
def _ones_and_x(n: int, dtype: np.dtype) -> np.ndarray:
    """(2, n): ones, and the index 0..n-1, to count and sum a mask's rows or columns in a product (read-only)."""
    weights: np.ndarray = np.ones((2, n), dtype=dtype)
    weights[1] = np.arange(n)
    weights.flags.writeable = False
    return weights


def _span(flags: np.ndarray) -> tuple[int, int]:
    """First and end (one past the last) index of the True values of a 1-D bool array holding some."""
    return int(flags.argmax()), len(flags) - int(flags[::-1].argmax())


def _footprint_ink(by_col: np.ndarray, offset: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Ink pixels under each box pixel's footprint, (box, box): rows by ``rows``, columns by ``cols`` moved by ``offset``.

    ``by_col`` holds each row's prefix counts of ink; row ``y``'s upright column ``u`` is
    its column ``u + offset[y]``, clipped to the row. Only the box columns whose
    footprint holds a column are read (the others hold no ink), and the clipping is
    skipped when no read can leave its row (``offset`` is monotonic: its ends bound it).
    """
    h, stride = by_col.shape
    box = len(cols)
    some = cols[:, 1] > cols[:, 0]
    if not some.any():
        return np.zeros((box, box), dtype=np.int32)
    first, last = _span(some)
    cols = cols[first:last]
    base = np.arange(0, h * stride, stride, dtype=np.int32)  # where each row starts in by_col
    at = cols[None, :, :] + (base + offset)[:, None, None]  # (h, k, 2) flat indices into by_col
    lo, hi = sorted((int(offset[0]), int(offset[-1])))
    if lo + int(cols[0, 0]) < 0 or hi + int(cols[-1, 1]) > stride - 1:
        np.minimum(np.maximum(at, base[:, None, None], out=at), (base + (stride - 1))[:, None, None], out=at)
    ends = by_col.reshape(-1).take(at)
    by_row = np.zeros((h + 1, last - first), dtype=np.int32)  # by_row[y]: ink above row y under each column footprint
    np.cumsum(ends[:, :, 1] - ends[:, :, 0], axis=0, out=by_row[1:])
    ink = np.zeros((box, box), dtype=np.int32)
    ink[:, first:last] = by_row[rows[:, 1]] - by_row[rows[:, 0]]
    return ink


def _check_params(params: Any) -> None:
    """`normalized_grid`'s ``params``: every key of `NORMALIZED_PARAMS`, each a number in range."""
    check_instance(params, "params", Mapping, "a mapping with the keys of NORMALIZED_PARAMS")
    for key in NORMALIZED_PARAMS:
        if key in ("box", "block"):
            check_count(params.get(key), f"params[{key!r}]", low=1)
        else:
            check_number(params.get(key), f"params[{key!r}]", low=0)
    check_choice(params["block"], "params['block']", [d for d in range(1, params["box"] + 1) if params["box"] % d == 0])


def _slant_shift(sums: np.ndarray, x0: int, max_slant: float) -> np.ndarray:
    """Per-row leftward shift that makes the ink upright (zeros when it cannot tell).

    ``sums`` holds each row's ink count and, in its second row, the sum of its ink's x, x
    counted from ``x0`` columns left of the ink box. The slant comes from sums of
    integers, exact in float64 in any summation order (for ink boxes under 25,000 rows),
    combined by three fixed operations: a dot product of non-integers would round
    differently in BLAS, on another platform or in the Swift package, and ``floor`` could
    then fall on the other side of an integer.
    """
    powers = _powers(sums.shape[1])
    y = powers[1]
    (n, sx), (sy, sxy), (syy, _) = (powers @ sums.T.astype(np.float64)).tolist()
    sx -= x0 * n  # x from the ink box's left edge, still whole numbers
    sxy -= x0 * sy
    my = sy / n
    vy = syy - sy * my  # sum of n(y) (y - my)^2
    slant = (sxy - sx * my) / vy if vy > 0 else 0.0
    if abs(slant) > max_slant:
        slant = 0.0
    return np.floor(slant * (y - my) + 0.5).astype(np.int32)


@functools.lru_cache(maxsize=8)
def _powers(h: int) -> np.ndarray:
    """(3, h): 1, y and y^2 for rows y = 0..h-1, as float64 (read-only; np.stack costs more than the product)."""
    y = np.arange(h, dtype=np.float64)
    powers = np.empty((3, h))
    powers[0] = 1
    powers[1] = y
    np.multiply(y, y, out=powers[2])
    powers.flags.writeable = False
    return powers


def _footprints(n: tuple[int, int], k: tuple[float, float], box: int) -> np.ndarray:
    """First and end source pixel under each box pixel, for n source pixels scaled by k, centred.

    Both axes at once: ``n`` and ``k`` hold (columns, rows); the result is (2, box, 2), int32.
    """
    offset, scale, limit = np.array([(box - k[0] * n[0]) / 2, (box - k[1] * n[1]) / 2, *k, *n]).reshape(3, 2, 1)
    at = (np.arange(box + 1, dtype=np.float64) - offset) / scale  # box pixel edges in source pixels
    out = np.empty((2, box, 2))
    np.floor(at[:, :-1], out=out[:, :, 0])
    np.ceil(at[:, 1:], out=out[:, :, 1])
    np.minimum(np.maximum(out, 0, out=out), limit[:, :, None], out=out)
    ends = out.astype(np.int32)
    np.maximum(ends[:, :, 0], ends[:, :, 1], out=ends[:, :, 1])
    return ends


def _thicken(bitmap: np.ndarray, pen_width: float, max_dilation: int) -> np.ndarray:
    """Dilate with a 3x3 square (each adds about 2 pixels of width) towards ``pen_width``.

    The bitmap, with a blank border (outside the box counts as blank), is one Python
    integer: pixel ``(y, x)`` of the bordered ``h + 2`` x ``w + 2`` bitmap is bit
    ``y * (w + 2) + x``. Moving the integer by one bit or one row reaches a neighbour, so a
    dilation is six whole-bitmap operations, and ``int.bit_count`` counts area and edges.
    """
    h, w = bitmap.shape
    stride = w + 2
    padded = np.zeros((h + 2, stride), dtype=bool)
    padded[1:-1, 1:-1] = bitmap
    bits = _to_int(padded)
    times = min(max_dilation, max(0, math.ceil((pen_width - 1 - _stroke_width(bits, stride)) / 2)))
    if not times:
        return bitmap
    inside = _inside(h, w)
    for _ in range(times):
        rows = bits | (bits << stride) | (bits >> stride)
        bits = (rows | (rows << 1) | (rows >> 1)) & inside
    size = (h + 2) * stride
    flat = np.unpackbits(np.frombuffer(bits.to_bytes((size + 7) // 8, "little"), dtype=np.uint8),
                         count=size, bitorder="little")
    return flat.reshape(h + 2, stride)[1:-1, 1:-1].view(bool)


@functools.lru_cache(maxsize=8)
def _inside(h: int, w: int) -> int:
    """The pixels of an h x w bitmap as `_thicken` lays it out with its border: every bit but the border's."""
    padded = np.zeros((h + 2, w + 2), dtype=bool)
    padded[1:-1, 1:-1] = True
    return _to_int(padded)


def _to_int(bitmap: np.ndarray) -> int:
    """A bool array as a Python integer: element ``i`` of its flat (C) order is bit ``i``."""
    return int.from_bytes(np.packbits(bitmap, bitorder="little").tobytes(), "little")


def _stroke_width(bits: int, stride: int) -> float:
    """Mean stroke width of a bitmap given with a blank border, as bits of rows of ``stride``: 2 * area / perimeter.

    The perimeter counts ink/blank edges between 4-neighbours, the border's included, so
    the bitmap's own edge rows and columns count as edges where they hold ink. A bit and
    the next (or the one a row on) differ across such an edge; the border columns keep
    the last pixel of a row and the first of the next from being compared.
    """
    area = bits.bit_count()
    if area == 0:
        return 0.0
    edges = (bits ^ (bits >> 1)).bit_count() + (bits ^ (bits >> stride)).bit_count()
    return 2.0 * area / edges
