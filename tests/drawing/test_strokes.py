"""Work is bounded before it is done, wherever a drawing enters: points, painting work, JSON depth.

The doors: `parse_strokes` / `render_strokes` / `preprocess_strokes`, strokes and grid files
(``digits-svm predict`` and ``show``), `load_samples` (``train --extra``), and the
playground's ``/api/predict`` and ``/api/samples``, which stays responsive while costly
drawings arrive.
"""

from __future__ import annotations

import glob
import http.client
import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import digits_svm
from digits_svm.datasets._handwriting import synthesize_drawing
from digits_svm.datasets._templates import digit_strokes
from digits_svm.datasets._training_data import load_samples
from digits_svm.drawing import _strokes as strokes
from digits_svm.drawing._strokes import MAX_JSON_DEPTH, MAX_PAINT_PIXELS, check_renderable, json_depth, load_strokes
from digits_svm.errors import InvalidGridError, StrokesError
from digits_svm.io._inputs import grids_from_input_file, read_grid_file
from digits_svm.playground import MAX_POINTS, make_server
from digits_svm.playground._app import HTTPError, decode_json

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
ONE = {"strokes": [[[20, 0], [20, 80]]]}
#: Eight points, a few hundred bytes: every segment a 200-point-wide line over a 4000 x 4000 crop.
COSTLY = {"strokes": [[[0, 0], [390, 390]] * 4], "scale": 10, "line_width": 200}
#: One such segment: exactly the budget (16,000,000 pixels), so accepted.
AT_THE_BUDGET = {"strokes": [[[0, 0], [390, 390]]], "scale": 10, "line_width": 200}
DEEP = "[" * 200_000 + "]" * 200_000


def paint_cost(drawing) -> int:
    """The painting work `check_renderable` counts for a drawing."""
    _, width, height, segments = strokes._frame(drawing, None, None, strokes.DEFAULT_INSET)
    return strokes._paint_cost(segments, height, width)


# ---------------------------------------------------------------- the library
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


# ---------------------------------------------------------------- the CLI and training samples
def test_predict_answers_every_input_it_can_read(cli, mlmodel_path, tmp_path):
    (tmp_path / "good.json").write_text(json.dumps(ONE))
    (tmp_path / "deep.json").write_text(DEEP)
    (tmp_path / "costly.json").write_text(json.dumps(COSTLY))
    (tmp_path / "many.json").write_text(json.dumps({"strokes": [[[i % 30, i // 30] for i in range(10_001)]]}))
    started = time.perf_counter()
    ran = cli("predict", *(tmp_path / f"{n}.json" for n in ("good", "deep", "costly", "many")), "--model", mlmodel_path)
    assert time.perf_counter() - started < 30
    assert ran.returncode == 2, ran.stderr
    assert "good.json: " in ran.stdout and len(ran.stdout.splitlines()) == 1
    assert "deep.json is JSON nested 200000 deep, more than 32" in ran.stderr
    assert "costly.json: the drawing's 7 segments reach 112,000,000 pixels" in ran.stderr
    assert "many.json: the drawing has 10,001 points, more than 10,000" in ran.stderr
    assert "3 of 4 inputs could not be read" in ran.stderr and "Traceback" not in ran.stderr


@pytest.mark.parametrize("name", ["deep", "costly"])
def test_show_refuses_what_it_cannot_render(cli, mlmodel_path, tmp_path, name):
    path = tmp_path / f"{name}.json"
    path.write_text(DEEP if name == "deep" else json.dumps(COSTLY))
    ran = cli("show", path, "--model", mlmodel_path, "--out", tmp_path / "out.png")
    assert ran.returncode == 2 and "Traceback" not in ran.stderr, ran.stderr
    assert ("more than 32" if name == "deep" else "more than 16,000,000") in ran.stderr
    assert not (tmp_path / "out.png").exists()


def test_training_samples_skip_costly_deep_and_oversized_drawings(tmp_path):
    folder = tmp_path / "samples" / "1"
    folder.mkdir(parents=True)
    (folder / "good.json").write_text(json.dumps(ONE))
    (folder / "deep.json").write_text(DEEP)
    (folder / "costly.json").write_text(json.dumps(COSTLY))
    (folder / "many.json").write_text(json.dumps([[[i % 30, i // 30] for i in range(10_001)]]))
    samples = load_samples(tmp_path / "samples")
    assert len(samples) == 1
    reasons = {Path(r["path"]).name: r["reason"] for r in samples.skipped_report()}
    assert "more than 32" in reasons["deep.json"]
    assert "more than 16,000,000" in reasons["costly.json"]
    assert "10,001 points" in reasons["many.json"]


# ---------------------------------------------------------------- the playground
def _post(server, path: str, body: bytes, timeout: float = 120) -> tuple[int, dict]:
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


@pytest.fixture
def server(mlmodel_path, tmp_path):
    with make_server(mlmodel_path, port=0, samples=tmp_path / "samples") as srv:
        yield srv.start()


def test_the_playground_answers_while_costly_drawings_arrive(server, tmp_path):
    hostile = json.dumps(COSTLY).encode()
    answers: list[tuple[int, dict]] = []
    threads = [threading.Thread(target=lambda: answers.append(_post(server, "/api/predict", hostile)))
               for _ in range(8)]
    for t in threads:
        t.start()
    started = time.perf_counter()
    status, answer = _post(server, "/api/predict", json.dumps(ONE).encode(), timeout=30)
    elapsed = time.perf_counter() - started
    for t in threads:
        t.join(timeout=120)
    assert status == 200 and answer["digit"] in range(10), answer
    assert elapsed < 1.0, f"a normal request took {elapsed:.2f} s"
    assert len(answers) == 8 and all(s == 400 and "more than 16,000,000" in a["error"] for s, a in answers), answers


@pytest.mark.parametrize(("body", "status", "fragment"), [
    ({**COSTLY, "label": 1}, 400, "more than 16,000,000"),
    ({"strokes": [[[0, 0], [9000, 9000]]], "label": 1}, 400, "pixels at scale 2, more than 16,000,000"),
    ({"strokes": [[[i % 30, i // 30] for i in range(10_001)]], "label": 1}, 413, "more than 10000"),
])
def test_a_saved_sample_passes_the_checks_a_predicted_one_does(server, tmp_path, body, status, fragment):
    for path in ("/api/predict", "/api/samples"):
        got, answer = _post(server, path, json.dumps(body).encode())
        assert got == status and fragment in answer["error"], (path, answer)
    assert not list((tmp_path / "samples").rglob("*.json"))
    got, answer = _post(server, "/api/samples", json.dumps({**AT_THE_BUDGET, "label": 1}).encode())
    assert got == 201, answer


def test_deep_request_json_is_refused_with_the_limit(server):
    for path in ("/api/predict", "/api/samples"):
        got, answer = _post(server, path, DEEP.encode())
        assert got == 400 and "more than 32" in answer["error"], answer
