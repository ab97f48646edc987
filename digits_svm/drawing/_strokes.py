"""Strokes: the shared stroke JSON parsed and checked, rendered to a crop as the app does, and preprocessed.

The format (``{"strokes": [[[x, y], [x, y, w], ...], ...], "line_width": 5.0, "scale": 2.0}``,
points in UIKit points, y down) is the one the app, the playground, the golden vectors and
the Swift package in ``swift/`` share; ``docs/preprocessing.md`` ("Strokes: what the app
draws") specifies it.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from .._files import read_bytes
from .._validation import check_number
from ..errors import DigitsSVMError, EmptyDrawingError, StrokesError
from ._preprocessing import DEFAULT_METHOD, check_method, grid_from_ink

__all__ = ["Drawing", "parse_strokes", "load_strokes", "loads_json", "check_renderable", "render_strokes",
           "preprocess_strokes", "DEFAULT_LINE_WIDTH", "DEFAULT_SCALE", "DEFAULT_INSET", "MAX_CROP_PIXELS",
           "MAX_POINTS", "MAX_PAINT_PIXELS", "MAX_JSON_DEPTH"]

#: Rendered crops larger than this many pixels are refused.
MAX_CROP_PIXELS = 16_000_000
#: Most points accepted in one drawing, over all its strokes; a hand-drawn digit has a few hundred.
MAX_POINTS = 10_000
#: Most pixels the renderer may visit for one drawing: the sum, over its segments, of the pixels
#: each may visit in its box (the segment grown by its half-width and a pixel of ramp, clipped
#: to the crop; on each row, the columns near the segment). As many as the largest crop has:
#: hand-drawn and synthesized digits stay far below it.
MAX_PAINT_PIXELS = 16_000_000
#: Deepest nesting of JSON arrays and objects read as a drawing or grids (a drawing needs 4).
MAX_JSON_DEPTH = 32
DEFAULT_LINE_WIDTH = 5.0
DEFAULT_SCALE = 2.0
DEFAULT_INSET = 5.0


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
        Anything malformed, with the place it was found, or more than `MAX_POINTS` points
        (counted before any point is read).

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
    _check_points(sum(len(stroke) for stroke in obj if isinstance(stroke, (list, tuple))))
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


def _check_points(n_points: int) -> None:
    """Refuse a drawing of more than `MAX_POINTS` points."""
    if n_points > MAX_POINTS:
        raise StrokesError(f"the drawing has {n_points:,} points, more than {MAX_POINTS:,}; "
                           "clear the canvas and draw one digit")


def _point(point: Any, where: str) -> tuple[float, float, float]:
    """One point as (x, y, width), width NaN when absent; `StrokesError` naming ``where`` if it is not one."""
    if not isinstance(point, (list, tuple)) or len(point) not in (2, 3):
        raise StrokesError(f"{where} must be [x, y] or [x, y, width], not {point!r:.40}")
    x, y = (_number(v, f"{where} {c}") for v, c in zip(point[:2], "xy", strict=True))
    if abs(x) > 1e5 or abs(y) > 1e5:
        raise StrokesError(f"{where} is at ({x:g}, {y:g}), off any screen; coordinates are points")
    w = _positive(point[2], f"{where} width", 200) if len(point) == 3 else math.nan
    return x, y, w

#: A JSON string, to its closing quote or, unterminated, to the end of the text.
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*(?:"|\\?\Z)', re.DOTALL)
#: Anything but a bracket.
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")


def json_depth(text: bytes | str) -> int:
    """The deepest nesting of ``[`` and ``{`` in JSON text, brackets inside strings not counted.

    The text is scanned, not parsed: a string runs from a quote to the next quote that no
    backslash escapes (or to the end of the text), and every other ``[`` or ``{`` opens a
    level that ``]`` or ``}`` closes. For valid JSON this is the depth of the value.

    Examples
    --------
    >>> json_depth('{"strokes": [[[0, 0]]], "x": "[[[["}'), json_depth("5"), json_depth("[[[")
    (4, 0, 3)
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    brackets = _NOT_BRACKET.sub(b"", _JSON_STRING.sub(b"", data))
    if not brackets:
        return 0
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1).astype(np.int32)
    return max(int(np.cumsum(steps).max()), 0)


def loads_json(text: bytes | str, what: str, error: type[DigitsSVMError] = StrokesError) -> Any:
    """`json.loads`, after refusing text nested deeper than `MAX_JSON_DEPTH` (before any parsing).

    Parameters
    ----------
    text : bytes or str
        JSON text (bytes are decoded as UTF-8).
    what : str
        The input, as the message names it (a path, or "the drawing").
    error : type, default StrokesError
        The `DigitsSVMError` raised for text nested too deeply.

    Raises
    ------
    StrokesError (or ``error``)
        Nested deeper than `MAX_JSON_DEPTH`.
    UnicodeDecodeError, json.JSONDecodeError
        Not UTF-8, not JSON: the caller says what was expected.

    Examples
    --------
    >>> loads_json(b'[[[1, 2]]]', "x.json")
    [[[1, 2]]]
    >>> loads_json("[" * 100 + "]" * 100, "deep.json")
    Traceback (most recent call last):
    ...
    digits_svm.errors.StrokesError: deep.json is JSON nested 100 deep, more than 32; \
a drawing is {"strokes": [[[x, y], ...], ...]}, a grid 8 rows of 8 numbers
    """
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise error(f"{what} is JSON nested {depth} deep, more than {MAX_JSON_DEPTH}; "
                    'a drawing is {"strokes": [[[x, y], ...], ...]}, a grid 8 rows of 8 numbers')
    return json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)


def load_strokes(path: str | os.PathLike) -> Drawing:
    """Read a strokes ``.json`` file (the shared stroke format; see `parse_strokes`).

    Raises
    ------
    StrokesError
        Missing, unreadable, not JSON, nested deeper than `MAX_JSON_DEPTH`, or not a drawing.

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
        obj = loads_json(raw, str(path))
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
        Override the drawing's own values (defaults 5.0 pt and 2.0): as in the stroke
        format, ``0 < line_width <= 200`` and ``0 < scale <= 10``.
    inset : float
        Margin around the touch bounding box, in points (the app's 5).

    Returns
    -------
    PIL.Image.Image
        RGBA, black, ink in alpha.

    Raises
    ------
    InvalidParameterError
        ``line_width``, ``scale`` or ``inset`` given out of range (the same fields inside
        the drawing are its data: a `StrokesError`).
    EmptyDrawingError
        No points.
    StrokesError
        Malformed strokes, more than `MAX_POINTS` points, a crop over `MAX_CROP_PIXELS`
        pixels or more than `MAX_PAINT_PIXELS` pixels to paint (see `check_renderable`),
        all refused before anything is painted.

    Examples
    --------
    >>> crop = render_strokes([[[10, 10], [10, 50]]])   # a vertical stroke, 40 pt
    >>> crop.mode, crop.size
    ('RGBA', (20, 100))
    """
    alpha = _render_alpha(strokes, *_render_arguments(line_width, scale, inset))
    rgba = np.zeros((*alpha.shape, 4), dtype=np.uint8)
    rgba[..., 3] = alpha
    return Image.fromarray(rgba, mode="RGBA")


def check_renderable(
    strokes: Any,
    line_width: float | None = None,
    scale: float | None = None,
    inset: float = DEFAULT_INSET,
) -> Drawing:
    """Refuse, before anything is painted, a drawing that `render_strokes` would refuse; return it parsed.

    Every check `render_strokes` makes of the drawing is made here, from the points alone: its
    fields, at most `MAX_POINTS` points, at least one, a crop of at most `MAX_CROP_PIXELS`
    pixels, and at most `MAX_PAINT_PIXELS` pixels to paint (the sum, over the segments, of
    the pixels each segment may visit in its box: the segment grown by its half-width and a pixel of
    ramp, clipped to the crop, and on each row only the columns the segment can reach near
    that row). What passes renders in time and memory proportional to these limits; a drawing
    saved for training is checked here too.

    Parameters
    ----------
    strokes, line_width, scale, inset
        As in `render_strokes` (which checks the last three: here they are taken as given).

    Returns
    -------
    Drawing

    Raises
    ------
    EmptyDrawingError, StrokesError
        As `render_strokes`.

    Examples
    --------
    >>> check_renderable({"strokes": [[[0, 0], [50, 50]]]}).n_points
    2
    >>> check_renderable({"strokes": [[[0, 0], [390, 390]] * 2], "scale": 10, "line_width": 200})
    Traceback (most recent call last):
    ...
    digits_svm.errors.StrokesError: the drawing's 3 segments reach 48,000,000 pixels at scale 10, \
more than 16,000,000; draw one digit with fewer points, a thinner line or a smaller scale
    """
    return _frame(strokes, line_width, scale, inset)[0]


def _frame(
    strokes: Any, line_width: float | None, scale: float | None, inset: float,
) -> tuple[Drawing, int, int, np.ndarray]:
    """The checked drawing, its crop's width and height, and its segments in crop pixels (see `check_renderable`).

    The segments are rows ``ax, ay, bx, by, r`` (pixels), a column per segment, in painting order.
    ``line_width``, ``scale`` and ``inset`` are taken as given: `render_strokes` and `preprocess_strokes` check them.
    """
    drawing = parse_strokes(strokes)
    lw = drawing.line_width if line_width is None else line_width
    sc = drawing.scale if scale is None else scale
    _check_points(drawing.n_points)  # a Drawing made in code is not parsed
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
    pieces = []
    for stroke in drawing.strokes:
        px = stroke[:, 0] * sc - x0
        py = stroke[:, 1] * sc - y0
        radius = np.where(np.isnan(stroke[:, 2]), lw, stroke[:, 2]) * sc / 2
        if len(stroke) > 1:  # segment p[i] -> p[i+1], with the width of p[i+1]
            pieces.append(np.array([px[:-1], py[:-1], px[1:], py[1:], radius[1:]]))
        else:  # a dot
            pieces.append(np.array([px, py, px, py, radius]))
    segments = np.concatenate(pieces, axis=1)
    paint = _paint_cost(segments, height, width)
    if paint > MAX_PAINT_PIXELS:
        raise StrokesError(
            f"the drawing's {segments.shape[1]:,} segments reach {paint:,} pixels at scale {sc:g}, "
            f"more than {MAX_PAINT_PIXELS:,}; draw one digit with fewer points, a thinner line or a smaller scale"
        )
    return drawing, width, height, segments


def _render_arguments(line_width: Any, scale: Any, inset: Any) -> tuple[float | None, float | None, float]:
    """`render_strokes`'s overrides of the drawing, checked (InvalidParameterError) before it is read, as floats.

    The same fields inside a drawing are its data: `parse_strokes` refuses them with a `StrokesError`.
    """
    if line_width is not None:
        line_width = check_number(line_width, "line_width", low=0, high=200, low_open=True)
    if scale is not None:
        scale = check_number(scale, "scale", low=0, high=10, low_open=True)
    return line_width, scale, check_number(inset, "inset")


def _render_alpha(strokes: Any, line_width: float | None, scale: float | None, inset: float) -> np.ndarray:
    """`render_strokes`'s crop as its alpha channel alone (uint8, height x width)."""
    _, width, height, segments = _frame(strokes, line_width, scale, inset)
    clear = np.ones((height, width), dtype=np.float64)  # product of (1 - coverage)
    _paint_segments(clear, segments)
    # floor((1 - clear) * 255 + 0.5), in place; the value is at least 0.5, so the cast's truncation is that floor
    np.subtract(1.0, clear, out=clear)
    clear *= 255
    clear += 0.5
    return clear.astype(np.uint8)


def _segment_boxes(
    segments: np.ndarray, h: int, w: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each segment's box of pixels, clipped to an ``h`` x ``w`` crop: ``c0, c1, r0, r1``, whether it is visible, its size.

    The box is the segment's bounding box grown by its half-width ``r`` and a pixel of
    ramp; an invisible box (empty after clipping) has size 0.
    """
    ax, ay, bx, by, r = segments
    c0 = np.maximum(np.floor(np.minimum(ax, bx) - r - 1), 0).astype(np.int64)
    c1 = np.minimum(np.ceil(np.maximum(ax, bx) + r + 1), w).astype(np.int64)
    r0 = np.maximum(np.floor(np.minimum(ay, by) - r - 1), 0).astype(np.int64)
    r1 = np.minimum(np.ceil(np.maximum(ay, by) + r + 1), h).astype(np.int64)
    visible = (c0 < c1) & (r0 < r1)
    return c0, c1, r0, r1, visible, np.where(visible, (r1 - r0) * (c1 - c0), 0)


def _paint_cost(segments: np.ndarray, h: int, w: int) -> int:
    """How many pixels painting ``segments`` into an ``h`` x ``w`` crop may visit, at most: `MAX_PAINT_PIXELS` bounds it.

    A segment visits, on each row of its box, the columns within ``reach = r + 1.5`` of
    the part of the segment that lies within ``reach`` of the row: at most
    ``2 reach |dx| / |dy| + 2 reach + 3`` columns, and never more than its box is wide. Its
    cost is the box's rows times that. The operations are the Swift package's, in its
    order, so both sides count the same.
    """
    ax, ay, bx, by, r = segments
    c0, c1, r0, r1, visible, _ = _segment_boxes(segments, h, w)
    dx, dy = np.abs(bx - ax), np.abs(by - ay)
    reach2 = 2 * (r + 1.5)
    cols = (c1 - c0).astype(np.float64)
    run = np.ceil(reach2 * dx / np.where(dy > 0, dy, 1.0) + reach2 + 3)
    run = np.where(dy > 0, np.minimum(run, cols), cols).astype(np.int64)
    return int(np.where(visible, (r1 - r0) * run, 0).sum())


#: Segments are painted in groups whose boxes hold at most this many pixels together.
_PAINT_BATCH_PIXELS = 1 << 20


def _paint_segments(clear: np.ndarray, segments: np.ndarray) -> None:
    """Composite round-capped segments (``segments``: rows ``ax, ay, bx, by, r``, a column each, pixels) into ``clear``, in order.

    Each segment covers the pixels of its bounding box (plus a pixel of ramp), clipped to
    the crop. The coverage of a group of segments is computed at once, over all their
    boxes' rows laid end to end; the factors ``1 - coverage`` are then multiplied into
    ``clear`` in segment order (``np.multiply.at`` applies them in the order given), so
    every pixel sees the same products in the same order as when the segments were
    painted one at a time.
    """
    h, w = clear.shape
    ax, ay, bx, by, r = segments
    c0, c1, r0, r1, shown, box_sizes = _segment_boxes(segments, h, w)
    visible = np.flatnonzero(shown)
    sizes = box_sizes.tolist()
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

    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    # a segment's values on each of its pixels; a dot (dx = dy = 0) divides by 1 instead of 0, so
    # that t = 0 / 1 and ex, ey = cx, cy: the same bits as leaving it out
    ax, dx, dy, length2, reach = np.repeat(
        np.array([ax, dx, dy, np.where(length2 > 0, length2, 1.0), r + 0.5])[:, run_segment], run_wide, axis=1)
    cx = column.astype(np.float64)
    cx += 0.5
    cx -= ax
    cy = np.repeat(run_row.astype(np.float64) + 0.5 - run_ay, run_wide)
    t = cx * dx
    t += np.multiply(cy, dy, out=ax)  # ax is spent: a scratch array from here on
    t /= length2
    np.clip(t, 0.0, 1.0, out=t)  # as minimum(maximum(t, 0), 1) but for the sign of a zero t, which moves no bit below
    dx *= t
    dy *= t
    ex = np.subtract(cx, dx, out=dx)
    ey = np.subtract(cy, dy, out=dy)
    # IEEE operations only (not libm's hypot, which each platform rounds its own way): the
    # Swift package renders the same bits
    ex *= ex
    ey *= ey
    ex += ey
    coverage = np.subtract(reach, np.sqrt(ex, out=ex), out=reach)
    np.clip(coverage, 0.0, 1.0, out=coverage)  # reach - d is never -0.0: the same bits as minimum(maximum(...))
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
        Checked before anything is rendered.
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
    method = check_method(method)  # a bad argument is refused before any rendering
    arguments = _render_arguments(line_width, scale, inset)
    # The crop's alpha is its ink (ink="alpha"), so the ink buffer comes straight from the renderer.
    return grid_from_ink(_render_alpha(strokes, *arguments), method)
