"""Canvas crop or strokes -> the model's input: an 8x8 grid of ink levels 0..16.

Two methods, both plain integer arithmetic on an 8-bit ink buffer so that an app can
port them to Swift and check the port against the golden vectors in ``tests/golden/``:

``"seed"``
    Exactly what the seed app computes from its crop (see ``docs/preprocessing.md``):
    8 x 8 tiles that follow the crop's aspect ratio, ``Int(mean alpha * 16)`` per tile.
``"normalized"``
    Brings the crop to the geometry of ``load_digits`` first: ink mask, upright (slant
    removed), aspect ratio kept, scaled so the longer side fills a 32 x 32 box, centred,
    strokes thickened to the training data's pen width, then ink pixels counted in
    4 x 4 blocks, as the UCI data was made.

Ink
    The 8-bit ink value of a pixel is its alpha when the image has an alpha channel that
    is not fully opaque (the app's transparent canvas), else its darkness
    ``255 - L`` on a light background (``L``: Pillow's luma, ``(19595 R + 38470 G +
    7471 B + 32768) >> 16``). One exception: when most pixels are opaque (alpha >= 128)
    and those are light (median luma >= 128), the opaque part is paper (a white canvas
    exported with a transparent border), and ink is the darkness seen over white,
    ``(alpha * (255 - L) + 127) // 255``. ``ink="alpha"`` or ``ink="darkness"`` forces
    alpha or darkness.
"""

from __future__ import annotations

import json
import math
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import EmptyDrawingError, ImageError, StrokesError
from .fileio import read_bytes

if TYPE_CHECKING:  # Pillow is imported where it is used
    from PIL import Image

__all__ = [
    "METHODS",
    "DEFAULT_METHOD",
    "INKS",
    "Drawing",
    "preprocess",
    "preprocess_strokes",
    "render_strokes",
    "parse_strokes",
    "load_strokes",
    "load_image",
    "ink_levels",
    "method_metadata",
]

METHODS = ("normalized", "seed")
DEFAULT_METHOD = "normalized"
INKS = ("auto", "alpha", "darkness")

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

#: Images larger than this many pixels are refused (decompression bombs).
MAX_IMAGE_PIXELS = 40_000_000
#: Rendered crops larger than this many pixels are refused.
MAX_CROP_PIXELS = 16_000_000
DEFAULT_LINE_WIDTH = 5.0
DEFAULT_SCALE = 2.0
DEFAULT_INSET = 5.0


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
    method = check_method(method)
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
    """Return ``method`` if it is one of `METHODS`, else raise `ImageError` naming them."""
    if method not in METHODS:
        raise ImageError(f"unknown preprocessing method {method!r}; use one of {', '.join(METHODS)}")
    return method


# ----------------------------------------------------------------------- images
def load_image(path: str | os.PathLike) -> Image.Image:
    """Open an image file (a canvas crop) with Pillow, refusing non-images and bombs.

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    PIL.Image.Image
        Fully loaded (the file is closed).

    Raises
    ------
    ImageError
        Missing or unreadable file, not an image, or more than 40 million pixels.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "crop.png"
    >>> Image.new("RGBA", (20, 30)).save(p)
    >>> load_image(p).size
    (20, 30)
    """
    import io

    from PIL import Image

    path = Path(path)
    data = read_bytes(path, what="image", error=ImageError)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                _check_size(img.size, path)
                img.load()
                return img.copy()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"{path}: image too large ({exc}); crop it to the drawing first") from exc
    except Image.UnidentifiedImageError as exc:
        raise ImageError(f"{path} is not a readable image (not a format Pillow knows); "
                         "give a PNG or JPEG canvas crop") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        reason = re.sub(r"<[^<>]* at 0x[0-9a-fA-F]+>", path.name, str(exc))  # never an object's repr
        raise ImageError(f"{path} is not a readable image ({reason}); give a PNG or JPEG canvas crop") from exc


def _check_size(size: tuple[int, int], what: Any) -> None:
    w, h = size
    if w < 1 or h < 1:
        raise ImageError(f"{what}: image is empty ({w}x{h} pixels)")
    if w * h > MAX_IMAGE_PIXELS:
        raise ImageError(
            f"{what}: image has {w}x{h} pixels, more than {MAX_IMAGE_PIXELS:,}; crop it to the drawing first"
        )


def ink_levels(image: Any, *, ink: str = "auto") -> np.ndarray:
    """The 8-bit ink value of every pixel of a crop.

    Parameters
    ----------
    image : PIL.Image.Image, str, PathLike or numpy.ndarray
        A canvas crop. Arrays: ``uint8`` of shape (H, W) (grey), (H, W, 2) (grey +
        alpha), (H, W, 3) (RGB) or (H, W, 4) (RGBA) are read as images of that mode;
        a ``bool`` (H, W) array is an ink mask; a float (H, W) array in 0..1 is ink
        coverage (rounded to 0..255).
    ink : {"auto", "alpha", "darkness"}
        Where ink comes from: ``"auto"`` reads alpha when the image has an alpha
        channel that is not fully opaque, else darkness ``255 - luma``.

    Returns
    -------
    numpy.ndarray
        ``uint8``, shape (H, W): 0 no ink, 255 full ink.

    Examples
    --------
    >>> from PIL import Image
    >>> ink_levels(Image.new("RGBA", (3, 2), (0, 0, 0, 128))).tolist()
    [[128, 128, 128], [128, 128, 128]]
    >>> ink_levels(Image.new("L", (2, 1), 255)).tolist()   # white paper: no ink
    [[0, 0]]
    """
    if ink not in INKS:
        raise ImageError(f"unknown ink source {ink!r}; use one of {', '.join(INKS)}")
    if isinstance(image, (str, os.PathLike)):
        image = load_image(image)
    if isinstance(image, np.ndarray):
        direct = _array_ink(image)
        if direct is not None:
            return direct
        image = _array_image(image)
    if not hasattr(image, "mode") or not hasattr(image, "getchannel"):
        raise ImageError(
            f"cannot preprocess a {type(image).__name__}; give a PIL image, an image path or a NumPy array"
        )
    _check_size(image.size, "image")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    if has_alpha and ink != "darkness":
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"), dtype=np.uint8)
        if ink == "alpha":
            return alpha
        opaque = alpha >= 128
        if 2 * int(np.count_nonzero(opaque)) <= opaque.size:
            return alpha  # mostly transparent (the app's canvas): not paper, and not fully opaque
        if alpha.min() < 255:
            luma = _opaque_paper_luma(opaque, rgba)
            if luma is not None:
                # light paper with a transparent border: ink is what is darker than the paper
                return ((alpha.astype(np.uint32) * (255 - luma) + 127) // 255).astype(np.uint8)
            return alpha
        image = rgba
    elif ink == "alpha":
        raise ImageError(f"the image ({image.mode}) has no alpha channel; use ink='darkness' or 'auto'")
    luma = np.asarray(image.convert("L"), dtype=np.uint8)
    return (255 - luma).astype(np.uint8)


def _opaque_paper_luma(opaque: np.ndarray, rgba: Image.Image) -> np.ndarray | None:
    """The luma of the image when its opaque pixels (``opaque``: alpha >= 128, most of them) are light paper.

    On the app's canvas only ink is opaque, and it is dark; a white canvas exported with a
    transparent border has opaque light paper over most of the image instead. Callers
    check that most pixels are opaque first, so the app's crops pay nothing for this.
    """
    luma = np.asarray(rgba.convert("L"), dtype=np.uint8)
    return luma if float(np.median(luma[opaque])) >= 128 else None


def _array_ink(array: np.ndarray) -> np.ndarray | None:
    """Ink from a 2-D bool or float array, or None when the array is an image."""
    if array.ndim == 2 and array.dtype == bool:
        return np.where(array, 255, 0).astype(np.uint8)
    if array.ndim == 2 and np.issubdtype(array.dtype, np.floating):
        if not np.all(np.isfinite(array)) or array.size == 0 or array.min() < 0 or array.max() > 1:
            raise ImageError("a float array is read as ink coverage and must be finite, non-empty and within 0..1")
        return np.floor(array * 255 + 0.5).astype(np.uint8)
    return None


def _array_image(array: np.ndarray) -> Image.Image:
    from PIL import Image

    by_channels = {2: "LA", 3: "RGB", 4: "RGBA"}
    mode = "L" if array.ndim == 2 else by_channels.get(array.shape[2]) if array.ndim == 3 else None
    if array.dtype != np.uint8 or mode is None or array.size == 0:
        raise ImageError(
            f"cannot read an array of shape {array.shape} and dtype {array.dtype} as an image; give uint8 "
            "(H, W), (H, W, 2), (H, W, 3) or (H, W, 4), a bool mask, or float ink coverage in 0..1"
        )
    return Image.fromarray(np.ascontiguousarray(array), mode=mode)


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
    EmptyDrawingError
        The crop has no ink at all.
    ImageError
        Not an image, unreadable, too large, or an unknown method / ink source.

    Examples
    --------
    >>> import numpy as np
    >>> crop = np.zeros((16, 16), dtype=bool); crop[:, 6:10] = True   # a thick "1"
    >>> preprocess(crop, method="seed")[0].tolist()
    [0.0, 0.0, 0.0, 16.0, 16.0, 0.0, 0.0, 0.0]
    >>> preprocess(crop)[0].tolist()     # full height, centred, width kept within 8..18 of 32
    [0.0, 0.0, 0.0, 16.0, 16.0, 0.0, 0.0, 0.0]
    """
    method = check_method(method)
    return _grid(ink_levels(image, ink=ink), method)


def _grid(levels: np.ndarray, method: str) -> np.ndarray:
    """An ink buffer through a checked method."""
    if not levels.any():
        raise EmptyDrawingError("the drawing has no ink (every pixel is transparent or white); draw a digit first")
    if method == "seed":
        return seed_grid(levels)
    return normalized_grid(levels)


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
    """
    box, block = int(params["box"]), int(params["block"])
    peak = int(levels.max())
    if peak == 0:
        raise EmptyDrawingError("the drawing has no ink; draw a digit first")
    mask = levels >= (peak + 1) // 2
    rows_with_ink = np.flatnonzero(mask.any(axis=1))
    mask = mask[rows_with_ink[0] : rows_with_ink[-1] + 1]
    cols_with_ink = np.flatnonzero(mask.any(axis=0))
    mask = mask[:, cols_with_ink[0] : cols_with_ink[-1] + 1]
    h, w = mask.shape
    by_col = np.zeros((h, w + 1), dtype=np.int32)  # by_col[y, c]: ink pixels left of column c
    np.cumsum(mask, axis=1, out=by_col[:, 1:])
    count = by_col[:, -1]
    shift = _slant_shift(mask, count, float(params["max_slant"]))
    inked = count > 0
    first = mask.argmax(axis=1)
    last = (by_col[:, 1:] >= count[:, None]).argmax(axis=1)
    left = int((first - shift)[inked].min())
    width = int((last - shift)[inked].max()) - left + 1
    ky = box / h
    kx = min(max(ky, float(params["min_width"]) / width), float(params["max_width"]) / width)
    cols, rows = _footprints((width, h), (kx, ky), box)  # (box, 2) each, cols in upright columns
    # ink under each footprint: the row prefix sums read at shifted columns, then summed over rows
    at = cols[None, :, :] + (left + shift).astype(np.int32)[:, None, None]  # (h, box, 2)
    np.minimum(np.maximum(at, 0, out=at), w, out=at)
    at += (np.arange(h, dtype=np.int32) * (w + 1))[:, None, None]  # flat index into by_col
    ends = by_col.ravel().take(at)
    col_ink = ends[:, :, 1] - ends[:, :, 0]  # (h, box)
    by_row = np.zeros((h + 1, box), dtype=np.int32)
    np.cumsum(col_ink, axis=0, out=by_row[1:])
    ink = by_row[rows[:, 1]] - by_row[rows[:, 0]]  # (box, box)
    area = (rows[:, 1] - rows[:, 0])[:, None] * (cols[:, 1] - cols[:, 0])[None, :]
    touched = ink > 0
    bitmap = touched & (ink >= float(params["coverage"]) * area)
    if 2 * np.count_nonzero(bitmap) < np.count_nonzero(touched):  # strokes thinner than a box pixel: keep them
        bitmap = touched
    bitmap = _thicken(bitmap, float(params["pen_width"]), int(params["max_dilation"]))
    n = box // block
    return bitmap.reshape(n, block, n, block).sum(axis=(1, 3)).astype(np.float64)


def _slant_shift(mask: np.ndarray, count: np.ndarray, max_slant: float) -> np.ndarray:
    """Per-row leftward shift that makes the ink upright (zeros when it cannot tell).

    The slant comes from sums of integers, exact in float64 in any summation order (for
    ink boxes under 25,000 rows), combined by three fixed operations: a dot product of
    non-integers would round differently in BLAS, on another platform or in the Swift
    package, and ``floor`` could then fall on the other side of an integer.
    """
    h, w = mask.shape
    count = count.astype(np.float64)
    xsum = mask.view(np.uint8) @ np.arange(w, dtype=np.float64)
    y = np.arange(h, dtype=np.float64)
    sy = float(count @ y)
    my = sy / float(count.sum())
    vy = float(count @ (y * y)) - sy * my  # sum of n(y) (y - my)^2
    slant = (float(xsum @ y) - float(xsum.sum()) * my) / vy if vy > 0 else 0.0
    if abs(slant) > max_slant:
        slant = 0.0
    return np.floor(slant * (y - my) + 0.5).astype(np.int64)


def _footprints(n: tuple[int, int], k: tuple[float, float], box: int) -> np.ndarray:
    """First and end source pixel under each box pixel, for n source pixels scaled by k, centred.

    Both axes at once: ``n`` and ``k`` hold (columns, rows); the result is (2, box, 2), int32.
    """
    offset = np.array([[(box - k[0] * n[0]) / 2], [(box - k[1] * n[1]) / 2]])
    scale = np.array([[k[0]], [k[1]]])
    limit = np.array([[n[0]], [n[1]]])
    t = np.arange(box + 1, dtype=np.float64)
    edges = np.minimum(np.maximum(np.floor((t[:-1] - offset) / scale), 0), limit).astype(np.int32)
    ends = np.minimum(np.maximum(np.ceil((t[1:] - offset) / scale), 0), limit).astype(np.int32)
    out = np.empty((2, box, 2), dtype=np.int32)
    out[:, :, 0] = edges
    np.maximum(edges, ends, out=out[:, :, 1])
    return out


def _thicken(bitmap: np.ndarray, pen_width: float, max_dilation: int) -> np.ndarray:
    """Dilate with a 3x3 square (each adds about 2 pixels of width) towards ``pen_width``."""
    h, w = bitmap.shape
    padded = np.zeros((h + 2, w + 2), dtype=bool)  # a blank border: outside the box counts as blank
    padded[1:-1, 1:-1] = bitmap
    times = min(max_dilation, max(0, math.ceil((pen_width - 1 - _stroke_width(padded)) / 2)))
    for i in range(times):
        if i:
            padded[1:-1, 1:-1] = bitmap
        rows = padded[:-2] | padded[1:-1] | padded[2:]  # (h, w + 2)
        bitmap = rows[:, :-2] | rows[:, 1:-1] | rows[:, 2:]
    return bitmap


def _stroke_width(padded: np.ndarray) -> float:
    """Mean stroke width of a binary bitmap given with a blank border: 2 * area / perimeter.

    The perimeter counts ink/blank edges between 4-neighbours, the border's included, so
    the bitmap's own edge rows and columns count as edges where they hold ink.
    """
    area = np.count_nonzero(padded)
    if area == 0:
        return 0.0
    edges = np.count_nonzero(padded[1:] != padded[:-1]) + np.count_nonzero(padded[:, 1:] != padded[:, :-1])
    return 2.0 * area / edges


# ----------------------------------------------------------------------- strokes
@dataclass(frozen=True, eq=False)
class Drawing:
    """A validated drawing: strokes of (x, y, width) points in points, y down.

    ``width`` is NaN where a point has none (the drawing's ``line_width`` applies).

    Examples
    --------
    >>> d = parse_strokes({"strokes": [[[0, 0], [0, 50, 8]]], "label": 1})
    >>> d.strokes[0][:, 2].tolist(), d.n_points, d.to_json()["strokes"]
    ([nan, 8.0], 2, [[[0.0, 0.0], [0.0, 50.0, 8.0]]])
    """

    strokes: tuple[np.ndarray, ...]
    line_width: float = DEFAULT_LINE_WIDTH
    scale: float = DEFAULT_SCALE
    label: int | None = None

    @property
    def n_points(self) -> int:
        """Number of points over all strokes."""
        return sum(len(s) for s in self.strokes)

    def to_json(self) -> dict:
        """The shared stroke JSON format (``{"strokes": ..., "line_width": ..., "scale": ...}``)."""
        strokes = [[[float(x), float(y)] if math.isnan(w) else [float(x), float(y), float(w)] for x, y, w in s]
                   for s in self.strokes]
        out: dict[str, Any] = {"strokes": strokes, "line_width": self.line_width, "scale": self.scale}
        if self.label is not None:
            out["label"] = self.label
        return out


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StrokesError(f"{what} must be a number, not {type(value).__name__} ({value!r:.40})")
    try:
        value = float(value)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise StrokesError(f"{what} must be finite, not {value}")
    return value


def _positive(value: Any, what: str, limit: float) -> float:
    value = _number(value, what)
    if not 0 < value <= limit:
        raise StrokesError(f"{what} must be > 0 and <= {limit:g}, not {value:g}")
    return value


def parse_strokes(obj: Any) -> Drawing:
    """Validate a drawing in the shared stroke JSON format.

    Parameters
    ----------
    obj : dict, list or Drawing
        ``{"strokes": [[[x, y], [x, y, w], ...], ...], "line_width": 5.0, "scale": 2.0,
        "label": 3}`` (``line_width``, ``scale``, ``label`` optional) or a bare list of
        strokes. Points are in points (UIKit, y down); ``w`` is a per-point line width
        in points (the app uses ``force * 4``).

    Returns
    -------
    Drawing

    Raises
    ------
    StrokesError
        Anything malformed, with the place it was found.

    Examples
    --------
    >>> d = parse_strokes({"strokes": [[[10, 10], [10, 60, 6.5]]], "scale": 3})
    >>> d.n_points, d.line_width, d.scale
    (2, 5.0, 3.0)
    """
    if isinstance(obj, Drawing):
        return obj
    line_width, scale, label = DEFAULT_LINE_WIDTH, DEFAULT_SCALE, None
    if isinstance(obj, Mapping):
        unknown = set(obj) - {"strokes", "line_width", "scale", "label"}
        if unknown:
            raise StrokesError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))} in a drawing; "
                               "expected strokes, line_width, scale, label")
        if "strokes" not in obj:
            raise StrokesError('a drawing needs "strokes": a list of strokes, each a list of [x, y] points')
        line_width = _positive(obj.get("line_width", line_width), "line_width", 200)
        scale = _positive(obj.get("scale", scale), "scale", 10)
        label = obj.get("label")
        if label is not None and (isinstance(label, bool) or not isinstance(label, int) or not 0 <= label <= 9):
            raise StrokesError(f"label must be an integer 0..9, not {label!r:.40}")
        obj = obj["strokes"]
    if not isinstance(obj, (list, tuple)):
        raise StrokesError(f"strokes must be a list of strokes, not {type(obj).__name__}")
    strokes = []
    plain = (int, float)  # exactly these types (not bool) take the short way below
    for i, stroke in enumerate(obj):
        if not isinstance(stroke, (list, tuple)):
            raise StrokesError(f"stroke {i} must be a list of [x, y] points, not {type(stroke).__name__}")
        rows: list[tuple[float, float, float]] = []
        for j, point in enumerate(stroke):
            # The short way accepts only what _point accepts, with the same values; anything
            # else (including every mistake) goes through _point, which names it.
            if type(point) in (list, tuple) and 2 <= len(point) <= 3:
                x, y = point[0], point[1]
                if type(x) in plain and type(y) in plain and -1e5 <= x <= 1e5 and -1e5 <= y <= 1e5:
                    if len(point) == 2:
                        rows.append((float(x), float(y), math.nan))
                        continue
                    w = point[2]
                    if type(w) in plain and 0 < w <= 200:
                        rows.append((float(x), float(y), float(w)))
                        continue
            rows.append(_point(point, f"stroke {i} point {j}"))
        if rows:
            strokes.append(np.array(rows, dtype=np.float64))
    return Drawing(tuple(strokes), line_width=line_width, scale=scale, label=label)


def _point(point: Any, where: str) -> tuple[float, float, float]:
    """One point as (x, y, width), width NaN when absent; `StrokesError` naming ``where`` if it is not one."""
    if not isinstance(point, (list, tuple)) or len(point) not in (2, 3):
        raise StrokesError(f"{where} must be [x, y] or [x, y, width], not {point!r:.40}")
    x, y = (_number(v, f"{where} {c}") for v, c in zip(point[:2], "xy", strict=True))
    if abs(x) > 1e5 or abs(y) > 1e5:
        raise StrokesError(f"{where} is at ({x:g}, {y:g}), off any screen; coordinates are points")
    w = _positive(point[2], f"{where} width", 200) if len(point) == 3 else math.nan
    return x, y, w


def load_strokes(path: str | os.PathLike) -> Drawing:
    """Read a strokes ``.json`` file (the shared stroke format; see `parse_strokes`).

    Raises
    ------
    StrokesError
        Missing, unreadable, not JSON, or not a drawing.

    Examples
    --------
    >>> import tempfile, pathlib, json
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "seven.json"
    >>> _ = p.write_text(json.dumps({"strokes": [[[0, 0], [40, 0], [15, 60]]], "label": 7}))
    >>> load_strokes(p).label
    7
    """
    path = Path(path)
    raw = read_bytes(path, what="strokes file", error=StrokesError)
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StrokesError(f"{path} is not JSON ({exc}); expected a drawing in the stroke format") from exc
    try:
        return parse_strokes(obj)
    except StrokesError as exc:
        raise StrokesError(f"{path}: {exc}") from None


def render_strokes(
    strokes: Any,
    line_width: float | None = None,
    scale: float | None = None,
    inset: float = DEFAULT_INSET,
) -> Image.Image:
    """Render strokes as the app does and return its crop.

    The app draws black, round-capped segments between successive points on a
    transparent canvas at the screen scale (segment ``p[i] -> p[i+1]`` with the width
    of ``p[i+1]``, or ``line_width``), then crops the rectangle
    ``(minX - inset, minY - inset, maxX - minX + 2 inset, maxY - minY + 2 inset)``
    (points truncated to integers, then times ``scale``, rounded outward to pixels).
    A stroke of one point is a dot. Coverage is antialiased with a 1-pixel ramp
    (``clip(r + 0.5 - d, 0, 1)`` for a pixel centre at distance ``d`` from the segment,
    ``r`` half the width in pixels) and segments are composited source-over; this is
    close to, not bit-identical with, Core Graphics. Only IEEE operations are used (``d``
    is ``sqrt(ex * ex + ey * ey)``, not a libm ``hypot``), so the Swift package in
    ``swift/`` renders the same bits.

    Parameters
    ----------
    strokes : dict, list or Drawing
        The shared stroke format (see `parse_strokes`).
    line_width, scale : float, optional
        Override the drawing's own values (defaults 5.0 pt and 2.0).
    inset : float
        Margin around the touch bounding box, in points (the app's 5).

    Returns
    -------
    PIL.Image.Image
        RGBA, black, ink in alpha.

    Raises
    ------
    EmptyDrawingError
        No points.
    StrokesError
        Malformed strokes, or a crop over 16 million pixels.

    Examples
    --------
    >>> crop = render_strokes([[[10, 10], [10, 50]]])   # a vertical stroke, 40 pt
    >>> crop.mode, crop.size
    ('RGBA', (20, 100))
    """
    from PIL import Image

    alpha = _render_alpha(strokes, line_width, scale, inset)
    rgba = np.zeros((*alpha.shape, 4), dtype=np.uint8)
    rgba[..., 3] = alpha
    return Image.fromarray(rgba, mode="RGBA")


def _render_alpha(strokes: Any, line_width: float | None, scale: float | None, inset: float) -> np.ndarray:
    """`render_strokes`'s crop as its alpha channel alone (uint8, height x width)."""
    drawing = parse_strokes(strokes)
    lw = drawing.line_width if line_width is None else _positive(line_width, "line_width", 200)
    sc = drawing.scale if scale is None else _positive(scale, "scale", 10)
    inset = _number(inset, "inset")
    if drawing.n_points == 0:
        raise EmptyDrawingError("the drawing has no points; draw a digit first")
    allpts = np.concatenate(drawing.strokes)
    lo = np.trunc(allpts[:, :2].min(axis=0)) - inset
    hi = np.trunc(allpts[:, :2].max(axis=0)) + inset
    x0, y0 = math.floor(lo[0] * sc), math.floor(lo[1] * sc)
    width, height = math.ceil(hi[0] * sc) - x0, math.ceil(hi[1] * sc) - y0
    if width < 1 or height < 1:
        raise StrokesError(f"inset {inset:g} leaves an empty crop; use a positive inset")
    if width * height > MAX_CROP_PIXELS:
        raise StrokesError(
            f"the drawing spans {width}x{height} pixels at scale {sc:g}, more than {MAX_CROP_PIXELS:,}; "
            "coordinates are in points"
        )
    segments = []  # (ax, ay, bx, by, r) in pixels, in painting order
    for stroke in drawing.strokes:
        px = stroke[:, 0] * sc - x0
        py = stroke[:, 1] * sc - y0
        radius = np.where(np.isnan(stroke[:, 2]), lw, stroke[:, 2]) * sc / 2
        if len(stroke) > 1:  # segment p[i] -> p[i+1], with the width of p[i+1]
            segments.append(np.stack([px[:-1], py[:-1], px[1:], py[1:], radius[1:]], axis=1))
        else:  # a dot
            segments.append(np.stack([px, py, px, py, radius], axis=1))
    clear = np.ones((height, width), dtype=np.float64)  # product of (1 - coverage)
    _paint_segments(clear, np.concatenate(segments))
    return np.floor((1.0 - clear) * 255 + 0.5).astype(np.uint8)


#: Segments are painted in groups whose boxes hold at most this many pixels together.
_PAINT_BATCH_PIXELS = 1 << 20


def _paint_segments(clear: np.ndarray, segments: np.ndarray) -> None:
    """Composite round-capped segments (rows ``ax, ay, bx, by, r``, pixels) into ``clear``, in order.

    Each segment covers the pixels of its bounding box (plus a pixel of ramp), clipped to
    the crop. The coverage of a group of segments is computed at once, over all their
    boxes' rows laid end to end; the factors ``1 - coverage`` are then multiplied into
    ``clear`` in segment order (``np.multiply.at`` applies them in the order given), so
    every pixel sees the same products in the same order as when the segments were
    painted one at a time.
    """
    h, w = clear.shape
    ax, ay, bx, by, r = segments.T
    c0 = np.maximum(np.floor(np.minimum(ax, bx) - r - 1), 0).astype(np.int64)
    c1 = np.minimum(np.ceil(np.maximum(ax, bx) + r + 1), w).astype(np.int64)
    r0 = np.maximum(np.floor(np.minimum(ay, by) - r - 1), 0).astype(np.int64)
    r1 = np.minimum(np.ceil(np.maximum(ay, by) + r + 1), h).astype(np.int64)
    visible = np.flatnonzero((c0 < c1) & (r0 < r1))
    sizes = ((r1 - r0) * (c1 - c0)).tolist()
    flat = clear.reshape(-1)
    first = 0
    while first < len(visible):
        last, pixels = first, 0
        while last < len(visible) and (last == first or pixels + sizes[visible[last]] <= _PAINT_BATCH_PIXELS):
            pixels += sizes[visible[last]]
            last += 1
        g = visible[first:last]
        index, factor = _clearance(ax[g], ay[g], bx[g], by[g], r[g], r0[g], r1[g], c0[g], c1[g], w)
        np.multiply.at(flat, index, factor)
        first = last


def _clearance(
    ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray, r: np.ndarray,
    r0: np.ndarray, r1: np.ndarray, c0: np.ndarray, c1: np.ndarray, w: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Flat pixel index and ``1 - coverage`` of the pixels each segment may cover, segment by segment.

    Coverage is ``clip(r + 0.5 - d, 0, 1)`` for a pixel centre at distance ``d`` from the
    segment; per pixel these are exactly the operations of painting one segment alone.
    Pixels run along the rows of each box (``r0``..``r1``, ``c0``..``c1``), and each row
    only over the columns within ``r + 1.5`` of the segment's points that lie within
    ``r + 1.5`` of the row: every pixel left out is more than ``r + 0.5`` away, so its
    coverage is 0 and painting it would multiply by exactly 1.
    """
    tall = r1 - r0
    run_segment = np.repeat(np.arange(len(ax)), tall)  # one run per box row
    run_row = r0[run_segment] + (np.arange(len(run_segment)) - np.repeat(np.cumsum(tall) - tall, tall))
    run_ax, run_dx = ax[run_segment], (bx - ax)[run_segment]
    run_ay, run_dy = ay[run_segment], (by - ay)[run_segment]
    reach = (r + 1.5)[run_segment]
    centre = run_row + 0.5
    flat_row = run_dy == 0
    step = np.where(flat_row, 1.0, run_dy)
    t1 = np.where(flat_row, 0.0, (centre - reach - run_ay) / step)
    t2 = np.where(flat_row, 1.0, (centre + reach - run_ay) / step)
    x1 = run_ax + np.clip(np.minimum(t1, t2), 0.0, 1.0) * run_dx
    x2 = run_ax + np.clip(np.maximum(t1, t2), 0.0, 1.0) * run_dx
    run_c0 = np.maximum(np.floor(np.minimum(x1, x2) - reach - 0.5).astype(np.int64), c0[run_segment])
    run_c1 = np.minimum(np.ceil(np.maximum(x1, x2) + reach - 0.5).astype(np.int64) + 1, c1[run_segment])
    run_wide = np.maximum(run_c1 - run_c0, 0)
    run_start = np.cumsum(run_wide) - run_wide
    n = int(run_start[-1] + run_wide[-1])
    column = np.arange(n) - np.repeat(run_start - run_c0, run_wide)  # the pixel's column in the crop
    index = np.repeat(run_row * w, run_wide) + column

    def per_pixel(values: np.ndarray) -> np.ndarray:  # a segment's value on each of its pixels
        return np.repeat(values[run_segment], run_wide)

    cx = column.astype(np.float64) + 0.5 - per_pixel(ax)
    cy = np.repeat(run_row.astype(np.float64) + 0.5 - run_ay, run_wide)
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    dx, dy = per_pixel(dx), per_pixel(dy)
    t = np.divide(cx * dx + cy * dy, per_pixel(length2), out=np.zeros(n), where=per_pixel(length2 > 0))  # a dot: 0
    np.minimum(np.maximum(t, 0.0, out=t), 1.0, out=t)
    ex, ey = cx - t * dx, cy - t * dy
    # IEEE operations only (not libm's hypot, which each platform rounds its own way): the
    # Swift package renders the same bits
    coverage = per_pixel(r + 0.5) - np.sqrt(ex * ex + ey * ey)
    np.minimum(np.maximum(coverage, 0.0, out=coverage), 1.0, out=coverage)
    return index, np.subtract(1.0, coverage, out=coverage)


def preprocess_strokes(
    strokes: Any,
    method: str = DEFAULT_METHOD,
    line_width: float | None = None,
    scale: float | None = None,
    inset: float = DEFAULT_INSET,
) -> np.ndarray:
    """Render strokes as the app does (`render_strokes`) and `preprocess` the crop.

    Parameters
    ----------
    strokes : dict, list or Drawing
        The shared stroke format (see `parse_strokes`).
    method : {"normalized", "seed"}
    line_width, scale, inset
        As in `render_strokes`.

    Returns
    -------
    numpy.ndarray
        float64, shape (8, 8), values 0..16.

    Examples
    --------
    >>> grid = preprocess_strokes([[[20, 0], [20, 80]]])   # a "1"
    >>> grid.shape, grid[:, 3:5].sum() == grid.sum()
    ((8, 8), np.True_)
    """
    # The crop's alpha is its ink (ink="alpha"), so the ink buffer comes straight from the renderer.
    levels = _render_alpha(strokes, line_width, scale, inset)
    return _grid(levels, check_method(method))
