"""Strokes: parsing, rendering as the app paints, files, and the limits on a drawing's work.

A drawing is the strokes the app recorded; `render_strokes` paints them as the app's canvas
does, and `preprocess_strokes` makes the 8x8 grid. Work is bounded before it is done,
wherever a drawing enters: points, painting work, JSON depth. Here the library's doors
(`parse_strokes` / `render_strokes` / `preprocess_strokes`, `load_strokes`); the command's,
the training samples' and the playground's are tested on the same drawings (tests/limits.py).
"""

from __future__ import annotations

import glob
import json
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import digits_svm
from digits_svm import preprocess_strokes, render_strokes
from digits_svm.datasets._handwriting import synthesize_drawing
from digits_svm.datasets._templates import digit_strokes
from digits_svm.drawing import _strokes as strokes
from digits_svm.drawing._strokes import MAX_JSON_DEPTH, MAX_PAINT_PIXELS, check_renderable, json_depth, load_strokes
from digits_svm.errors import InvalidGridError, StrokesError
from digits_svm.io._inputs import grids_from_input_file, read_grid_file
from digits_svm.playground import MAX_POINTS
from digits_svm.playground._app import HTTPError, decode_json
from tests.limits import AT_THE_BUDGET, COSTLY, DEEP

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
EXPECTED = json.loads((GOLDEN / "expected.json").read_text())


# ------------------------------------------------------------------ golden vectors
@pytest.mark.parametrize("name", ["seven", "one_pressure", "zero", "dot"])
def test_golden_strokes_render_to_the_golden_crop(name):
    drawing = digits_svm.load_strokes(GOLDEN / f"{name}.json")
    crop = render_strokes(drawing)
    golden = Image.open(GOLDEN / f"strokes_{name}.png")
    assert crop.size == golden.size
    assert np.array_equal(np.asarray(crop), np.asarray(golden.convert("RGBA")))
    for method in digits_svm.drawing._preprocessing.METHODS:
        expected = EXPECTED[f"strokes_{name}"][method]
        assert preprocess_strokes(drawing, method=method).astype(int).tolist() == expected


# ------------------------------------------------------------------ strokes
def test_render_follows_the_app_crop_rectangle():
    # touches truncated to integers: x 10..30, y 20..80; inset 5 pt; scale 2
    crop = render_strokes({"strokes": [[[10.7, 20.2], [30.9, 80.5]]], "scale": 2.0})
    assert crop.size == ((30 - 10 + 10) * 2, (80 - 20 + 10) * 2)
    alpha = np.asarray(crop.getchannel("A"))
    assert alpha.max() == 255 and alpha[0, 0] == 0
    assert np.asarray(crop)[..., :3].max() == 0  # black ink


def reference_render(drawing) -> np.ndarray:
    """The renderer as first written (one segment at a time, its box whole; the distance as
    sqrt(ex * ex + ey * ey), as the Swift package computes it), as alpha; a reference."""
    import math

    d = digits_svm.drawing._strokes.parse_strokes(drawing)
    pts = np.concatenate(d.strokes)
    lo, hi = np.trunc(pts[:, :2].min(axis=0)) - 5.0, np.trunc(pts[:, :2].max(axis=0)) + 5.0
    x0, y0 = math.floor(lo[0] * d.scale), math.floor(lo[1] * d.scale)
    clear = np.ones((math.ceil(hi[1] * d.scale) - y0, math.ceil(hi[0] * d.scale) - x0))
    h, w = clear.shape
    for s in d.strokes:
        px, py = s[:, 0] * d.scale - x0, s[:, 1] * d.scale - y0
        radius = np.where(np.isnan(s[:, 2]), d.line_width, s[:, 2]) * d.scale / 2
        for i in range(len(s) - 1) if len(s) > 1 else [0]:
            j = min(i + 1, len(s) - 1)
            ax, ay, bx, by, r = px[i], py[i], px[j], py[j], radius[j]
            c0, c1 = max(math.floor(min(ax, bx) - r - 1), 0), min(math.ceil(max(ax, bx) + r + 1), w)
            r0, r1 = max(math.floor(min(ay, by) - r - 1), 0), min(math.ceil(max(ay, by) + r + 1), h)
            cx = np.arange(c0, c1, dtype=np.float64)[None, :] + 0.5 - ax
            cy = np.arange(r0, r1, dtype=np.float64)[:, None] + 0.5 - ay
            dx, dy = bx - ax, by - ay
            t = np.clip((cx * dx + cy * dy) / (dx * dx + dy * dy), 0, 1) if dx * dx + dy * dy > 0 else 0.0
            ex, ey = cx - t * dx, cy - t * dy
            clear[r0:r1, c0:c1] *= 1.0 - np.clip(r + 0.5 - np.sqrt(ex * ex + ey * ey), 0, 1)
    return np.floor((1.0 - clear) * 255 + 0.5).astype(np.uint8)


def test_render_paints_exactly_as_one_segment_at_a_time():
    # The renderer computes all segments at once and skips pixels it can prove untouched;
    # every pixel must still get the same products in the same order.
    rng = np.random.default_rng(7)
    drawings = [digit_strokes(d, rng) for d in range(10)]
    drawings.append({"strokes": [[[10, 10]], [[10, 10], [10, 10], [60, 12, 9.0]], [[40, 90], [5, 20, 1.0]]],
                     "line_width": 14.0, "scale": 3.0})  # dots, a repeated point, widths, a long diagonal
    for drawing in drawings:
        assert np.asarray(render_strokes(drawing))[..., 3].tobytes() == reference_render(drawing).tobytes()


def test_plain_and_numpy_coordinates_parse_alike():
    # Plain ints and floats take parse_strokes' short way, NumPy scalars the checked one.
    points = [[10, 20.5], [11.25, 22, 3], [0, 1e5, 200]]
    plain = digits_svm.drawing._strokes.parse_strokes([points]).strokes[0]
    boxed = digits_svm.drawing._strokes.parse_strokes([[[np.float64(v) for v in p] for p in points]]).strokes[0]
    assert plain.tobytes() == boxed.tobytes() and plain.shape == (3, 3) and np.isnan(plain[0, 2])
    with pytest.raises(StrokesError, match="stroke 0 point 1 width must be > 0 and <= 200, not 201"):
        digits_svm.drawing._strokes.parse_strokes([[[0, 0], [1, 1, 201]]])


def test_pressure_widths_widen_the_stroke():
    thin = render_strokes([[[10, 10, 2.0], [10, 100, 2.0]]])
    thick = render_strokes([[[10, 10, 12.0], [10, 100, 12.0]]])
    assert np.asarray(thick)[..., 3].sum() > 4 * np.asarray(thin)[..., 3].sum()


@pytest.mark.parametrize(
    "bad, fragment",
    [
        ({"strokes": "abc"}, "must be a list"),
        ({"strokes": [[[1, "x"]]]}, "must be a number"),
        ({"strokes": [[[1, 2, 3, 4]]]}, r"\[x, y\] or \[x, y, width\]"),
        ({"strokes": [[[1, float("nan")]]]}, "finite"),
        ({"strokes": [[[1, 10**400]]]}, "finite"),
        ({"strokes": [[[1, 2, -1]]]}, "width must be > 0"),
        ({"strokes": [[[True, 2]]]}, "must be a number"),
        ({"strokes": [], "label": 11}, "label"),
        ({"strokes": [], "scale": 0}, "scale"),
        ({"strokes": [], "colour": 1}, "unknown key"),
        ({"points": []}, "unknown key"),
        ({"line_width": 3}, "needs \"strokes\""),
        ({"strokes": [[[0, 0], [90000, 90000]]]}, "more than"),
        (3, "must be a list"),
    ],
)
def test_bad_strokes_are_refused(bad, fragment):
    with pytest.raises(StrokesError, match=fragment):
        render_strokes(bad)


def test_load_strokes_errors_name_the_file(tmp_path):
    p = tmp_path / "x.json"
    p.write_text("{nope")
    with pytest.raises(StrokesError, match="x.json is not JSON"):
        digits_svm.load_strokes(p)
    p.write_text('{"strokes": 5}')
    with pytest.raises(StrokesError, match="x.json: strokes must be a list"):
        digits_svm.load_strokes(p)


def test_drawing_round_trips_through_json():
    d = digits_svm.drawing._strokes.parse_strokes({"strokes": [[[1, 2], [3, 4, 5]]], "label": 3, "scale": 3})
    again = digits_svm.drawing._strokes.parse_strokes(json.loads(json.dumps(d.to_json())))
    assert again.to_json() == d.to_json() == {
        "strokes": [[[1.0, 2.0], [3.0, 4.0, 5.0]]], "line_width": 5.0, "scale": 3.0, "label": 3
    }



# ------------------------------------------------------------------ properties
points = st.lists(
    st.tuples(st.floats(0, 400, allow_nan=False), st.floats(0, 400, allow_nan=False)), min_size=1, max_size=12
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    strokes=st.lists(points, min_size=1, max_size=4),
    line_width=st.floats(0.5, 30),
    scale=st.sampled_from([1.0, 2.0, 3.0]),
    method=st.sampled_from(digits_svm.drawing._preprocessing.METHODS),
)
def test_any_strokes_give_a_valid_grid(strokes, line_width, scale, method):
    drawing = {"strokes": [[list(p) for p in s] for s in strokes], "line_width": line_width, "scale": scale}
    grid = preprocess_strokes(drawing, method=method)
    assert grid.shape == (8, 8) and np.isfinite(grid).all()
    assert grid.min() >= 0 and grid.max() <= 16
    assert np.array_equal(grid, np.round(grid))
    if method == "normalized":  # seed may truncate faint ink to 0, as the app does
        assert grid.max() > 0



def paint_cost(drawing) -> int:
    """The painting work `check_renderable` counts for a drawing."""
    _, width, height, segments = strokes._frame(drawing, None, None, strokes.DEFAULT_INSET)
    return strokes._paint_cost(segments, height, width)


# ------------------------------------------------------------------ limits: work is bounded before it is done
def test_a_costly_drawing_is_refused_before_anything_is_painted():
    started = time.perf_counter()
    for refuse in (digits_svm.render_strokes, digits_svm.preprocess_strokes, check_renderable):
        with pytest.raises(StrokesError, match=r"7 segments reach 112,000,000 pixels at scale 10, more than 16,000,000; "
                                               "draw one digit with fewer points, a thinner line or a smaller scale"):
            refuse(COSTLY)
    assert time.perf_counter() - started < 0.5
    assert len(json.dumps(COSTLY)) < 400
    assert paint_cost(AT_THE_BUDGET) == MAX_PAINT_PIXELS
    assert digits_svm.preprocess_strokes(AT_THE_BUDGET).max() == 16


def test_the_point_cap_is_the_playgrounds_and_counts_before_reading_points():
    assert MAX_POINTS == strokes.MAX_POINTS == 10_000
    over = {"strokes": [[[i % 300, i // 300] for i in range(6000)], [[0, 0]] * 4000, ["not a point"]]}
    with pytest.raises(StrokesError, match="the drawing has 10,001 points, more than 10,000; clear the canvas"):
        strokes.parse_strokes(over)
    made = strokes.Drawing((np.zeros((10_001, 3)),))  # a Drawing made in code is counted when rendered
    with pytest.raises(StrokesError, match="10,001 points"):
        digits_svm.render_strokes(made)
    assert strokes.parse_strokes({"strokes": [[[i % 50, i // 50] for i in range(10_000)]]}).n_points == 10_000


def test_every_realistic_drawing_is_far_within_the_budget():
    """The golden drawings and 2,000 synthesized digits at the app's scales use under a tenth of it."""
    drawings = [json.loads(Path(p).read_text()) for p in sorted(glob.glob(str(GOLDEN / "*.json")))
                if not p.endswith("expected.json")]
    drawings += [synthesize_drawing(i % 10, np.random.default_rng([5, i]), scale=float(1 + i % 3)) for i in range(1000)]
    drawings += [digit_strokes(i % 10, np.random.default_rng([6, i]), scale=float(1 + i % 3)) for i in range(1000)]
    assert max(paint_cost(d) for d in drawings) < MAX_PAINT_PIXELS / 10
    assert max(paint_cost(synthesize_drawing(i % 10, np.random.default_rng([7, i]), scale=10.0))
               for i in range(100)) < MAX_PAINT_PIXELS / 2


@pytest.mark.parametrize(("text", "depth"), [
    ('{"strokes": [[[0, 0]]], "x": "[[[["}', 4), ("5", 0), ("[[[", 3), (r'["a\\" [[[ "]', 4), (r'["a\" [[[ "]', 1),
    ('["unterminated [[[[', 1), ("]]][[", 0), ("[" * 100, 100),
])
def test_json_depth_skips_strings(text, depth):
    assert json_depth(text) == json_depth(text.encode()) == depth


def test_deep_json_is_refused_naming_the_file_and_the_limit(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP)
    limit = f"deep.json is JSON nested 200000 deep, more than {MAX_JSON_DEPTH}"
    with pytest.raises(StrokesError, match=limit):
        load_strokes(deep)
    with pytest.raises(InvalidGridError, match=limit):
        read_grid_file(deep)
    with pytest.raises(InvalidGridError, match=limit):
        grids_from_input_file(deep, method="normalized")
    just = tmp_path / "just.json"  # as deep as allowed: parsed, then refused as a drawing
    just.write_text("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)
    with pytest.raises(StrokesError, match="stroke 0 point 0 must be"):
        load_strokes(just)
    with pytest.raises(HTTPError, match="nested too deeply .200000 levels, more than 32."):
        decode_json(DEEP.encode())
