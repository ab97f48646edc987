"""The playground in a real browser: headless Chromium drawing with pointer events.

Needs Debian's ``/usr/bin/chromium`` and Playwright from PyPI (``.ci/run`` installs both;
``playwright install`` is never needed because the system browser is used).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from digits_svm.drawing._preprocessing import METHODS
from digits_svm.drawing._strokes import preprocess_strokes
from digits_svm.playground import make_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} not found: apt-get install chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed: pip install playwright")

PEN_STOP_MS = 1000  # the page's pen-stop delay, as in the app
# Pen -> width: the page sends w = pressure * 4.17 * 4 (Apple Pencil max force, app's 4 pt per force).
PEN_WIDTH_PER_PRESSURE = 4.17 * 4


def seven(x0: float, y0: float, size: float) -> list[list[tuple[float, float]]]:
    """A "7" as one stroke: the top bar, then the diagonal down to the left."""
    top = [(x0 + size * 0.55 * t, y0) for t in (i / 10 for i in range(11))]
    diag = [(x0 + size * 0.55 - size * 0.35 * t, y0 + size * t) for t in (i / 20 for i in range(1, 21))]
    return [top + diag]


def one(x0: float, y0: float, size: float) -> list[list[tuple[float, float]]]:
    """A "1": one vertical line."""
    return [[(x0 + size * 0.3, y0 + size * i / 20) for i in range(21)]]


def four(x0: float, y0: float, size: float) -> list[list[tuple[float, float]]]:
    """A "4" in two strokes: the open angle, then the downstroke."""
    return [
        [(x0 + size * 0.3, y0), (x0, y0 + size * 0.6), (x0 + size * 0.5, y0 + size * 0.6)],
        [(x0 + size * 0.35, y0 + size * 0.3), (x0 + size * 0.35, y0 + size)],
    ]


def zero(x0: float, y0: float, size: float) -> list[list[tuple[float, float]]]:
    """A "0" as one closed ellipse, taller than wide."""
    cx, cy, rx, ry = x0 + size * 0.3, y0 + size * 0.5, size * 0.3, size * 0.5
    return [[(cx + rx * math.sin(2 * math.pi * i / 40), cy - ry * math.cos(2 * math.pi * i / 40)) for i in range(41)]]


# Shapes the default model reads reliably with its own preprocessing ("normalized"): checked
# over sizes 100..240 pt, scales 1..3 and 1.5 pt of jitter, each was read right every time.
# (This narrow "7" is not: "normalized" reads it as 3 about half the time; it is only drawn,
# never asserted.)
SHAPES = {0: zero, 1: one, 4: four}


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture
def server(mlmodel_path, tmp_path):
    with make_server(mlmodel_path, port=0, samples=tmp_path / "samples") as srv:
        yield srv.start()


@pytest.fixture
def page(browser, server):
    # Scale 2, like the iPhones the app runs on; has_touch so touch input can be tested too.
    context = browser.new_context(viewport={"width": 1000, "height": 820}, device_scale_factor=2, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.url)
    page.wait_for_selector("body[data-ready='true']")
    yield page
    context.close()
    assert errors == [], errors  # no JavaScript exceptions on the page


def canvas_origin(page) -> tuple[float, float]:
    box = page.locator("#pad").bounding_box()
    return box["x"], box["y"]


def draw_with_mouse(page, strokes) -> None:
    x, y = canvas_origin(page)
    for stroke in strokes:
        page.mouse.move(x + stroke[0][0], y + stroke[0][1])
        page.mouse.down()
        for px, py in stroke[1:]:
            page.mouse.move(x + px, y + py)
        page.mouse.up()


def wait_for_prediction(page, seq_before: int = 0, timeout: float = 10_000) -> dict:
    page.wait_for_function(
        f"(() => {{ const r = document.querySelector('#result');"
        f" return r.dataset.state === 'done' && +r.dataset.seq > {seq_before}; }})()",
        timeout=timeout,
    )
    return page.locator("#result").evaluate("r => ({...r.dataset})")


def test_draw_wait_for_the_pen_stop_see_the_digit_and_save_it(page, server, tmp_path):
    digit = 0
    with page.expect_request("**/api/predict") as sent:
        draw_with_mouse(page, SHAPES[digit](110, 60, 190))
        # No button: the page recognises about a second after the last pointerup.
        result = wait_for_prediction(page)
    body = sent.value.post_data_json
    assert result["trigger"] == "pen-stop"
    assert page.locator("#digit").inner_text() == str(digit) == result["digit"]

    # What was sent is the shared stroke format, in CSS px (= points), with the screen scale.
    assert body["scale"] == 2 and body["line_width"] == 5.0
    assert len(body["strokes"]) == 1 and all(len(p) == 2 for p in body["strokes"][0])  # mouse: no width
    assert body["method"] == result["method"]

    # The heat map shows the server's 8x8 grid, the numbers included.
    cells = page.locator("#grid .cell")
    assert cells.count() == 64
    expected = preprocess_strokes(body["strokes"], method=body["method"], line_width=5.0, scale=2.0)
    shown = [float(t) for t in cells.all_inner_texts()]
    assert shown == pytest.approx(expected.ravel().tolist(), abs=0.05)

    # Pen-up -> prediction on screen, measured in the page: the 1 s pen-stop wait plus the round trip.
    latency = float(result["latencyMs"])
    request_ms = float(result["requestMs"])
    print(f"\npen-up -> prediction: {latency:.1f} ms (pen-stop wait {PEN_STOP_MS} ms + round trip {request_ms:.1f} ms)")
    # Loose bounds (a shared CI machine), only to catch a timer that never fires or fires early.
    assert PEN_STOP_MS <= latency < PEN_STOP_MS + 5000
    assert 0 < request_ms < 5000

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "playground.png"), full_page=True)
    (ARTIFACTS / "playground-latency.json").write_text(
        json.dumps({"pen_up_to_prediction_ms": latency, "request_ms": request_ms, "pen_stop_ms": PEN_STOP_MS}) + "\n"
    )

    # Save it as a sample: one file in samples/0/, the same strokes, the label.
    page.locator(f"#save-buttons button[data-label='{digit}']").click()
    page.wait_for_function("document.querySelector('#save-status').dataset.saved")
    saved = Path(page.locator("#save-status").evaluate("e => e.dataset.saved"))
    assert saved.parent == tmp_path / "samples" / str(digit) and saved.is_file()
    stored = json.loads(saved.read_text())
    assert stored["label"] == digit
    assert stored["strokes"] == body["strokes"] and stored["scale"] == 2.0
    assert list((tmp_path / "samples").rglob("*.json")) == [saved]
    # Saving clears the pad for the next sample.
    assert page.locator("#digit").inner_text() == "–"


@pytest.mark.parametrize("digit", sorted(SHAPES))
def test_drawn_shapes_are_recognised(page, digit):
    draw_with_mouse(page, SHAPES[digit](110, 60, 190))
    page.locator("#recognise").click()
    result = wait_for_prediction(page)
    assert result["digit"] == str(digit)


def test_the_app_model_says_not_a_digit_to_a_letter_and_reads_a_digit(browser, app_artifacts_dir, tmp_path):
    """With the model apps ship (probabilities and the class -1), an "H" is "not a digit"."""
    with make_server(app_artifacts_dir / "DigitsSVM.mlmodel", port=0, samples=tmp_path / "s") as srv:
        srv.start()
        context = browser.new_context(viewport={"width": 1000, "height": 820}, device_scale_factor=2)
        page = context.new_page()
        page.goto(srv.url)
        page.wait_for_selector("body[data-ready='true']")
        letter_h = [[(110, 60), (110, 250)], [(230, 60), (230, 250)], [(110, 155), (230, 155)]]
        draw_with_mouse(page, letter_h)
        page.locator("#recognise").click()
        result = wait_for_prediction(page)
        assert result["digit"] == "none"
        assert page.locator("#digit").inner_text() == "not a digit"
        assert "best guess" in page.locator("#digit").get_attribute("title")
        page.locator("#clear").click()
        draw_with_mouse(page, SHAPES[0](110, 60, 190))
        page.locator("#recognise").click()
        assert wait_for_prediction(page, int(result["seq"]))["digit"] == "0"
        assert page.locator("#digit").inner_text() == "0"
        context.close()


def test_pen_pressure_becomes_width_and_touch_draws_too(page):
    cdp = page.context.new_cdp_session(page)
    x, y = canvas_origin(page)
    (stroke,) = seven(110, 60, 190)

    def pen(kind, px, py, force):
        cdp.send("Input.dispatchMouseEvent", {
            "type": kind, "x": x + px, "y": y + py, "button": "left", "buttons": 1 if kind != "mouseReleased" else 0,
            "clickCount": 1, "pointerType": "pen", "force": force,
        })

    with page.expect_request("**/api/predict") as sent:
        pen("mousePressed", *stroke[0], 0.3)
        for px, py in stroke[1:]:
            pen("mouseMoved", px, py, 0.3)
        pen("mouseReleased", *stroke[-1], 0.0)
        wait_for_prediction(page)
    points = sent.value.post_data_json["strokes"][0]
    assert all(len(p) == 3 for p in points)
    assert points[0][2] == pytest.approx(0.3 * PEN_WIDTH_PER_PRESSURE, abs=0.01)

    page.locator("#clear").click()
    seq = int(page.locator("#result").evaluate("r => r.dataset.seq || 0"))
    with page.expect_request("**/api/predict") as sent:
        touch = [{"x": x + stroke[0][0], "y": y + stroke[0][1]}]
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": touch})
        for px, py in stroke[1:]:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x + px, "y": y + py}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        result = wait_for_prediction(page, seq)
    points = sent.value.post_data_json["strokes"][0]
    assert len(points) > 10 and all(len(p) == 2 for p in points)  # touch: no width, like a finger
    assert result["trigger"] == "pen-stop"


def test_method_switch_undo_clear_and_server_errors_on_the_page(page):
    draw_with_mouse(page, seven(110, 60, 190))
    draw_with_mouse(page, [[(150, 170), (230, 170)]])  # a crossbar, as some people write 7
    page.locator("#recognise").click()
    first = wait_for_prediction(page)

    other = [m for m in METHODS if m != first["method"]][0]
    page.locator("#method").select_option(other)
    switched = wait_for_prediction(page, int(first["seq"]))
    assert switched["method"] == other and switched["trigger"] == "method"

    with page.expect_request("**/api/predict") as sent:
        page.locator("#undo").click()
        undone = wait_for_prediction(page, int(switched["seq"]))
    assert len(sent.value.post_data_json["strokes"]) == 1 and undone["trigger"] == "undo"

    page.locator("#clear").click()
    assert page.locator("#digit").inner_text() == "–"
    assert page.locator("#grid .cell").count() == 64
    assert page.locator("#grid .cell").all_inner_texts() == [""] * 64
    page.locator("#recognise").click()
    assert page.locator("#error").inner_text() == "Draw a digit first."

    # A request the server refuses: its JSON error is shown on the page.
    draw_with_mouse(page, seven(110, 60, 190))
    page.locator("#method").evaluate("s => { s.add(new Option('bogus', 'bogus')); s.value = 'bogus'; }")
    page.locator("#recognise").click()
    page.wait_for_function("document.querySelector('#result').dataset.state === 'error'")
    assert "is not allowed; use one of 'normalized', 'seed'" in page.locator("#error").inner_text()


def test_teach_the_page_a_one_it_misreads_and_it_answers_from_memory(browser, app_artifacts_dir, tmp_path):
    """A European 1 the app model reads as 7: "That was a 1", then the same style, drawn again, is a 1 from memory."""
    from tests.playground.drawings import european_one, jittered

    samples = tmp_path / "samples"
    with make_server(app_artifacts_dir / "DigitsSVM.mlmodel", port=0, samples=samples,
                     memory_file=tmp_path / "memory.json") as srv:
        srv.start()
        context = browser.new_context(viewport={"width": 1000, "height": 1000}, device_scale_factor=2)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(srv.url)
        page.wait_for_selector("body[data-ready='true']")
        teach_one = page.locator("#teach-buttons button[data-digit='1']")
        assert teach_one.is_disabled()  # nothing answered yet: nothing to teach

        draw_with_mouse(page, jittered(european_one(), seed=1))
        page.locator("#recognise").click()
        first = wait_for_prediction(page)
        assert first["digit"] == "7" and first["fromMemory"] == "false", first  # the model misreads it
        assert page.locator("#memory-note").is_hidden()

        with page.expect_request("**/api/memory/add") as sent:
            teach_one.click()
        page.wait_for_function("document.querySelector('#teach-status').dataset.taught === '1'")
        taught = sent.value.post_data_json
        assert taught["label"] == 1 and "grid" not in taught and "method" not in taught  # strokes only: the server makes the grid
        assert "Remembered as 1 (the model read 7)" in page.locator("#teach-status").inner_text()
        assert page.locator("#digit").inner_text() == "–"  # the pad is cleared for the next drawing
        assert page.locator("#memory-info").get_attribute("data-samples") == "1"
        assert srv.playground.memory.digits == [1] and srv.playground.memory.model_said == [7]
        grid = preprocess_strokes(taught, method=srv.playground.default_method)
        assert srv.playground.memory.grids[0].tolist() == grid.tolist()
        assert json.loads((tmp_path / "memory.json").read_text())["samples"][0]["digit"] == 1  # kept in the file

        draw_with_mouse(page, jittered(european_one(), seed=2))
        page.locator("#recognise").click()
        second = wait_for_prediction(page, int(first["seq"]))
        assert second["digit"] == "1" and second["fromMemory"] == "true" and second["modelDigit"] == "7", second
        assert page.locator("#digit").inner_text() == "1"
        assert page.locator("#memory-note").inner_text() == "from your memory (the model read 7)"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "playground-memory.png"), full_page=True)

        page.locator("#memory-export").click()
        page.wait_for_function("document.querySelector('#teach-status').dataset.exported === '1'")
        assert [p.relative_to(samples).parent.as_posix() for p in samples.rglob("memory-*.npy")] == ["1"]

        page.locator("#memory-clear").click()  # asks first
        assert page.locator("#memory-info").get_attribute("data-samples") == "1"
        page.locator("#memory-clear").click()
        page.wait_for_function("document.querySelector('#memory-info').dataset.samples === '0'")
        assert len(srv.playground.memory) == 0
        context.close()
    assert errors == [], errors
