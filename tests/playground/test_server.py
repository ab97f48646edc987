"""The playground's HTTP server, driven over a real socket (server on port 0 in a thread)."""

from __future__ import annotations

import http.client
import json
import signal
import threading
from pathlib import Path

import numpy as np
import pytest

from digits_svm.coreml._runtime import CoreMLRuntime
from digits_svm.drawing._preprocessing import DEFAULT_METHOD, METHODS
from digits_svm.drawing._strokes import load_strokes, preprocess_strokes
from digits_svm.errors import DigitsSVMError, ModelFileError
from digits_svm.playground import MAX_BODY_BYTES, MAX_POINTS, make_server
from digits_svm.playground._app import Playground

# A tall vertical stroke with a little flag: drawn in points, like the page sends.
ONE = {"strokes": [[[60, 20], [60, 40], [60, 60], [60, 80], [60, 100], [60, 120]]], "line_width": 5.0, "scale": 2.0}


@pytest.fixture
def samples(tmp_path):
    return tmp_path / "samples"


@pytest.fixture
def server(mlmodel_path, samples):
    with make_server(mlmodel_path, port=0, samples=samples) as srv:
        yield srv.start()


def request(server, method, path, body=None, *, data=None, headers=None):
    """Send one request; return (status, headers, decoded JSON or raw bytes)."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    if body is not None:
        data = json.dumps(body).encode("utf-8")
    hdrs = {"Content-Type": "application/json"} if data is not None else {}
    hdrs.update(headers or {})
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        if resp.getheader("Content-Type", "").startswith("application/json"):
            return resp.status, resp, json.loads(raw)
        return resp.status, resp, raw
    finally:
        conn.close()


def assert_error(answer, status, *fragments):
    got, resp, payload = answer
    assert got == status, payload
    assert resp.getheader("Content-Type") == "application/json"
    assert set(payload) == {"error"} and payload["error"], payload
    for fragment in fragments:
        assert fragment in payload["error"], payload["error"]


def assert_still_serving(server):
    status, _, answer = request(server, "POST", "/api/predict", ONE)
    assert status == 200 and answer["digit"] in range(10), answer


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# ---------------------------------------------------------------- good paths
def test_info_describes_the_model(server, mlmodel_path):
    status, _, info = request(server, "GET", "/api/info")
    assert status == 200
    runtime = CoreMLRuntime.from_file(mlmodel_path)
    assert info["classes"] == [int(c) for c in runtime.classes_] == list(range(10))
    assert info["has_probabilities"] is False
    assert info["methods"] == list(METHODS)
    assert info["default_method"] == runtime.metadata["preprocessing.method"]
    assert info["limits"] == {"max_body_bytes": MAX_BODY_BYTES, "max_points": MAX_POINTS}


def test_default_method_falls_back_when_metadata_names_none(mlmodel_path, samples):
    from digits_svm.coreml._convert import load_spec

    spec = load_spec(mlmodel_path)
    del spec.description.metadata.userDefined["preprocessing.method"]
    playground = Playground(CoreMLRuntime.from_spec(spec), samples=samples)
    assert playground.default_method == DEFAULT_METHOD


def test_page_and_static_files_are_served(server):
    status, resp, page = request(server, "GET", "/")
    assert status == 200 and resp.getheader("Content-Type").startswith("text/html")
    assert b'<canvas id="pad"' in page and b"/static/app.js" in page
    status, resp, js = request(server, "GET", "/static/app.js")
    assert status == 200 and resp.getheader("Content-Type").startswith("text/javascript")
    assert b"setPointerCapture" in js and b"/api/predict" in js
    status, _, css = request(server, "GET", "/static/style.css")
    assert status == 200 and b"touch-action: none" in css
    status, resp, empty = request(server, "HEAD", "/")
    assert status == 200 and empty == b"" and int(resp.getheader("Content-Length")) == len(page)


@pytest.mark.parametrize("method", METHODS)
def test_predict_matches_the_library_and_the_runtime(server, mlmodel_path, method):
    status, _, answer = request(server, "POST", "/api/predict", {**ONE, "method": method})
    assert status == 200, answer
    expected_grid = preprocess_strokes(ONE["strokes"], method=method, line_width=5.0, scale=2.0)
    np.testing.assert_array_equal(np.array(answer["grid"]), expected_grid)
    expected_digit = int(CoreMLRuntime.from_file(mlmodel_path).predict(expected_grid[None])[0])
    assert answer["digit"] == expected_digit
    assert answer["method"] == method and answer["probabilities"] is None
    assert set(answer["timing_ms"]) == {"preprocess", "predict", "total"}
    assert 0 < answer["timing_ms"]["total"] < 5000


def test_predict_uses_the_models_method_by_default_and_accepts_a_bare_list(server):
    _, _, info = request(server, "GET", "/api/info")
    status, _, answer = request(server, "POST", "/api/predict", ONE["strokes"])
    assert status == 200 and answer["method"] == info["default_method"]


def test_pen_widths_reach_the_renderer(server):
    thick = {"strokes": [[[60, y, 12.0] for y in range(20, 121, 20)]]}
    _, _, thin_answer = request(server, "POST", "/api/predict", {**ONE, "method": "seed"})
    _, _, thick_answer = request(server, "POST", "/api/predict", {**thick, "method": "seed"})
    assert np.sum(thick_answer["grid"]) > np.sum(thin_answer["grid"])


def test_probabilities_when_the_model_has_them(best_artifacts_dir, tmp_path):
    """The best preset's .mlmodel has probabilities (and no class -1)."""
    with make_server(best_artifacts_dir / "DigitsSVM.mlmodel", port=0, samples=tmp_path / "s") as srv:
        srv.start()
        _, _, info = request(srv, "GET", "/api/info")
        status, _, answer = request(srv, "POST", "/api/predict", ONE)
    assert info["has_probabilities"] is True
    assert status == 200
    probs = answer["probabilities"]
    assert sorted(probs, key=int) == [str(d) for d in range(10)]
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-6)
    assert all(0.0 <= p <= 1.0 for p in probs.values())


def test_the_app_model_answers_not_a_digit_with_its_best_guess(app_artifacts_dir, tmp_path):
    from digits_svm import predict_with_confidence
    from digits_svm.confidence import DEFAULT_MIN_CONFIDENCE

    letter_h = {"strokes": [[[10, 10], [10, 110]], [[90, 10], [90, 110]], [[10, 60], [90, 60]]], "line_width": 6}
    seven = json.loads((Path(__file__).parents[1] / "golden" / "seven.json").read_text())
    mlmodel = app_artifacts_dir / "DigitsSVM.mlmodel"
    with make_server(mlmodel, port=0, samples=tmp_path / "s") as srv:
        srv.start()
        answers = [request(srv, "POST", "/api/predict", d)[2] for d in (letter_h, seven)]
    expected = predict_with_confidence(mlmodel, np.stack([preprocess_strokes(letter_h), preprocess_strokes(seven)]))
    assert expected[0].digit is None and expected[1].digit == 7  # the rule itself, from the library
    assert [a["digit"] for a in answers] == [None, 7]
    assert [a["best_guess"] for a in answers] == [p.best_guess for p in expected]
    assert [a["probability"] for a in answers] == pytest.approx([p.probability for p in expected], abs=1e-12)
    assert answers[0]["min_confidence"] == DEFAULT_MIN_CONFIDENCE
    assert "-1" in answers[0]["probabilities"] and answers[1]["label"] == 7


# ---------------------------------------------------------------- bad requests
BAD_BODIES = [
    pytest.param(b"{not json", 400, "not valid JSON", id="malformed-json"),
    pytest.param(b"\xff\xfe{}", 400, "not UTF-8", id="not-utf8"),
    pytest.param(b"3", 400, "object", id="number"),
    pytest.param(b"null", 400, "object", id="null"),
    pytest.param(b'{"strokes": "1"}', 400, "strokes must be a list of strokes, not str", id="strokes-not-a-list"),
    pytest.param(b'{"strokes": [[[1]]]}', 400, "stroke 0 point 0 must be [x, y] or [x, y, width], not [1]",
                 id="point-one-number"),
    pytest.param(b'{"strokes": [[[1, 2, 3, 4]]]}', 400, "stroke 0 point 0 must be [x, y] or [x, y, width], not [1, 2, 3, 4]",
                 id="point-four-numbers"),
    pytest.param(b'{"strokes": [[["1", "2"]]]}', 400, "stroke 0 point 0 x must be a number, not str ('1')", id="point-strings"),
    pytest.param(b'{"strokes": [[[1, true]]]}', 400, "stroke 0 point 0 y must be a number, not bool (True)", id="point-bool"),
    pytest.param(b'{"strokes": [[[1, NaN]]]}', 400, "NaN", id="nan"),
    pytest.param(b'{"strokes": [[[1, Infinity]]]}', 400, "Infinity", id="infinity"),
    pytest.param(b'{"strokes": [[[1, 1e999]]]}', 400, "stroke 0 point 0 y must be finite, not inf", id="overflow-to-inf"),
    pytest.param(b'{"strokes": [[[1, 1' + b"0" * 400 + b']]]}', 400, "too large", id="int-too-big-for-float"),
    pytest.param(b'{"strokes": [[[1, ' + b"9" * 5000 + b']]]}', 400, "too large", id="int-5000-digits"),
    pytest.param(b'{"strokes": [[[1, 2]]], "colour": "red"}', 400, "unknown key", id="unknown-key"),
    pytest.param(b'{"strokes": [[[1, 200000]]]}', 400, "off any screen", id="off-screen"),
    pytest.param(b'{"strokes": [[[1, 2]]], "scale": "2"}', 400, "scale must be a number, not str ('2')", id="scale-string"),
    pytest.param(b'{"strokes": [[[1, 2]]], "line_width": -5}', 400, "line_width must be > 0 and <= 200, not -5",
                 id="negative-line-width"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, 400, "request JSON is nested too deeply", id="nested-too-deep"),
    pytest.param(b'{"strokes": []}', 422, "the drawing is empty; draw a digit first", id="no-strokes"),
    pytest.param(b'{"strokes": [[], []]}', 422, "the drawing is empty; draw a digit first", id="empty-strokes"),
    pytest.param(b'{"strokes": [[[1, 2]]], "method": "bilinear"}', 400,
                 "method='bilinear' is not allowed; use one of 'normalized', 'seed'", id="unknown-method"),
    pytest.param(b'{"strokes": [[[1, 2]]], "method": ["seed"]}', 400, "method=['seed'] is not allowed", id="method-list"),
]


@pytest.mark.parametrize("data, status, fragment", BAD_BODIES)
def test_bad_predict_bodies_get_a_json_error_and_the_server_keeps_serving(server, data, status, fragment):
    assert fragment  # each refusal is checked for the message that names the problem
    assert_error(request(server, "POST", "/api/predict", data=data), status, fragment)
    assert_still_serving(server)


def test_too_many_points_is_refused(server):
    too_many = {"strokes": [[[i % 300, i // 300] for i in range(MAX_POINTS + 1)]]}
    data = json.dumps(too_many, separators=(",", ":")).encode()
    assert len(data) < MAX_BODY_BYTES  # refused for its points, not its size
    assert_error(request(server, "POST", "/api/predict", data=data), 413, str(MAX_POINTS))
    just_enough = {"strokes": [[[50 + i % 10, 20 + i // 100] for i in range(MAX_POINTS)]]}
    status, _, _ = request(server, "POST", "/api/predict", just_enough)
    assert status == 200


def test_body_over_the_limit_is_refused_before_it_is_read(server):
    # Only the headers are sent: a 413 that waited for the body would time out here.
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.putrequest("POST", "/api/predict")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
        conn.endheaders()
        resp = conn.getresponse()
        payload = json.loads(resp.read())
    finally:
        conn.close()
    assert resp.status == 413 and "more than 1000000" in payload["error"]
    assert_still_serving(server)


def test_body_over_the_limit_sent_in_full_is_refused(server):
    data = b'{"strokes": [[' + b"[1, 2], " * (MAX_BODY_BYTES // 8) + b"[1, 2]]]}"
    assert len(data) > MAX_BODY_BYTES
    try:
        answer = request(server, "POST", "/api/samples", data=data)
    except (ConnectionResetError, BrokenPipeError):
        pass  # the server answered and closed while the client was still sending: also a refusal
    else:
        assert_error(answer, 413, "send one drawing at a time")
    assert_still_serving(server)


@pytest.mark.parametrize(
    "headers, status, fragment",
    [
        ({"Content-Length": "abc"}, 400, "not a byte count"),
        ({"Content-Length": "-5"}, 400, "not a byte count"),
        ({"Transfer-Encoding": "chunked"}, 411, "Content-Length"),
    ],
)
def test_bad_content_length_headers(server, headers, status, fragment):
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.putrequest("POST", "/api/predict")
        for key, value in headers.items():
            conn.putheader(key, value)
        conn.endheaders()
        resp = conn.getresponse()
        payload = json.loads(resp.read())
    finally:
        conn.close()
    assert resp.status == status and fragment in payload["error"], payload
    assert_still_serving(server)


def test_missing_content_length_is_411(server):
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.putrequest("POST", "/api/predict")
        conn.endheaders()
        resp = conn.getresponse()
        payload = json.loads(resp.read())
    finally:
        conn.close()
    assert resp.status == 411 and "Content-Length" in payload["error"]


@pytest.mark.parametrize(
    "method, path, status, allow",
    [
        ("GET", "/nope", 404, None),
        ("POST", "/api/nope", 404, None),
        ("GET", "/static/nope.js", 404, None),
        ("GET", "/static/../server.py", 404, None),
        ("GET", "/static/%2e%2e/server.py", 404, None),
        ("GET", "/static/", 404, None),
        ("GET", "/api/predict", 405, "POST"),
        ("GET", "/api/samples", 405, "POST"),
        ("GET", "/api/memory/add", 405, "POST"),
        ("GET", "/api/memory/clear", 405, "POST"),
        ("GET", "/api/memory/export", 405, "POST"),
        ("POST", "/api/memory", 405, "GET"),
        ("DELETE", "/api/memory", 405, "GET"),
        ("PUT", "/api/memory/add", 405, "POST"),
        ("POST", "/api/memory/nope", 404, None),
        ("POST", "/", 405, "GET"),
        ("POST", "/api/info", 405, "GET"),
        ("PUT", "/api/samples", 405, "POST"),
        ("DELETE", "/api/samples", 405, "POST"),
        ("OPTIONS", "/api/predict", 405, "POST"),
        ("PATCH", "/nope", 404, None),
    ],
)
def test_unknown_paths_and_wrong_methods(server, method, path, status, allow):
    answer = request(server, method, path, data=b"{}" if method in ("POST", "PUT") else None)
    if status == 405:
        expected = f"{method} is not allowed on {path}; use {allow}"
    elif path.startswith("/static/"):
        expected = f"no such file: {path}"
    else:
        expected = f"no such page: {path}; open / for the playground"
    assert_error(answer, status, expected)
    assert answer[2]["error"] == expected
    assert answer[1].getheader("Allow") == allow
    assert_still_serving(server)


def test_requests_are_not_logged_to_stderr(server, capfd):
    request(server, "GET", "/")
    request(server, "GET", "/nope")
    request(server, "POST", "/api/predict", data=b"{")
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


# ---------------------------------------------------------------- samples
def test_save_sample_writes_the_stroke_format_with_its_label(server, samples):
    status, _, answer = request(server, "POST", "/api/samples", {**ONE, "label": 7, "method": "seed"})
    assert status == 201, answer
    (saved,) = files_under(samples)
    assert saved.parent == samples / "7" and saved.suffix == ".json"
    assert Path(answer["saved"]) == saved and answer["label"] == 7 and answer["count"] == 1
    stored = json.loads(saved.read_text())
    assert stored == {"strokes": ONE["strokes"], "line_width": 5.0, "scale": 2.0, "label": 7}
    drawing = load_strokes(saved)  # the library reads it back
    assert drawing.label == 7 and drawing.to_json()["strokes"] == ONE["strokes"]
    assert not [p for p in saved.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    "label", ["../x", "1/../../x", -1, 10, "1", True, False, 1.0, None, [1], {"d": 1}, 1e9]
)
def test_bad_labels_are_refused_and_write_nothing(server, tmp_path, label):
    assert_error(request(server, "POST", "/api/samples", {**ONE, "label": label}), 400, '"label" must be an integer 0..9')
    assert files_under(tmp_path) == []


def test_missing_label_and_empty_drawing_are_refused(server, tmp_path):
    assert_error(request(server, "POST", "/api/samples", ONE), 400, '"label" is missing')
    assert_error(request(server, "POST", "/api/samples", {"strokes": [], "label": 3}), 422,
                 "the drawing is empty; draw a digit first")
    assert_error(request(server, "POST", "/api/samples", {"strokes": "x", "label": 3}), 400,
                 "strokes must be a list of strokes, not str")
    assert files_under(tmp_path) == []


def test_concurrent_saves_lose_nothing(server, samples):
    n_threads, per_thread = 8, 5
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(i):
        for j in range(per_thread):
            body = {"strokes": [[[10 + i, 10 + j], [10 + i, 60 + j]]], "label": (i + j) % 10}
            status, _, _ = request(server, "POST", "/api/samples", body)
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * (n_threads * per_thread)
    saved = files_under(samples)
    assert len(saved) == n_threads * per_thread
    assert len({p.name for p in saved}) == len(saved)
    pairs = set()
    for path in saved:
        stored = json.loads(path.read_text())
        assert int(path.parent.name) == stored["label"]
        pairs.add((stored["strokes"][0][0][0], stored["strokes"][0][0][1]))
    assert len(pairs) == n_threads * per_thread  # every drawing kept, none overwritten


# ---------------------------------------------------------------- startup
def test_bad_model_path_fails_before_serving(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        make_server(tmp_path / "missing.mlmodel", port=0)
    junk = tmp_path / "junk.mlmodel"
    junk.write_bytes(b"not a model")
    with pytest.raises(ModelFileError):
        make_server(junk, port=0)


def test_port_in_use_is_a_user_error(server, mlmodel_path):
    port = server.server_address[1]
    with pytest.raises(DigitsSVMError, match="--port"):
        make_server(mlmodel_path, port=port)


def test_serve_reports_its_url_and_stops_on_ctrl_c(mlmodel_path, tmp_path, ctrl_c):
    """serve() in this process: it reports its URL, answers, and Ctrl-C (SIGINT) ends it quietly.

    A thread asks the server for /api/info once it is ready, then interrupts the main thread
    as the terminal's Ctrl-C would (`_thread.interrupt_main` raises KeyboardInterrupt there);
    serve() must return, not raise. (tests/test_cli.py sends a real SIGINT to the command.)
    """
    import _thread
    import urllib.request

    from digits_svm.playground import serve

    urls: list[str] = []
    answers: list[dict] = []

    def ask_then_interrupt(url: str) -> None:
        try:
            answers.append(json.load(urllib.request.urlopen(url + "api/info", timeout=10)))
        finally:
            _thread.interrupt_main(signal.SIGINT)

    def ready(url: str) -> None:
        urls.append(url)
        threading.Thread(target=ask_then_interrupt, args=(url,), daemon=True).start()

    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # Ctrl-C raises KeyboardInterrupt here
    serve(mlmodel_path, port=0, samples=tmp_path / "s", ready=ready)  # returns once interrupted
    (url,) = urls
    assert url.startswith("http://127.0.0.1:") and url.endswith("/")
    assert [a["classes"] for a in answers] == [list(range(10))]


# ---------------------------------------------------------------- clients that misbehave
def _raw_exchange(server, payload: bytes, *, wait: float = 5.0) -> bytes:
    """Send raw bytes, then read whatever the server answers until it closes."""
    import socket

    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=wait) as sock:
        sock.sendall(payload)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def _headers(server) -> bytes:
    """Host and Content-Type header lines the server accepts, for hand-written requests."""
    host, port = server.server_address[:2]
    return f"Host: {host}:{port}\r\nContent-Type: application/json\r\n".encode()


def _status_and_error(raw: bytes) -> tuple[int, str]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)["error"]


def test_a_body_that_stops_is_a_408_not_a_500(server, monkeypatch, capfd):
    from digits_svm.playground._server import PlaygroundHandler

    monkeypatch.setattr(PlaygroundHandler, "timeout", 0.5)
    raw = _raw_exchange(server, b"POST /api/predict HTTP/1.1\r\n" + _headers(server) + b"Content-Length: 100\r\n\r\n{\"strokes\"")
    status, error = _status_and_error(raw)
    assert status == 408 and "did not arrive within 0.5 s" in error
    assert "Traceback" not in capfd.readouterr().err
    assert_still_serving(server)


def test_a_header_line_of_100_kb_is_a_json_4xx(server, capfd):
    raw = _raw_exchange(server, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
    status, error = _status_and_error(raw)
    assert status == 431 and "well-formed HTTP request" in error
    assert "Traceback" not in capfd.readouterr().err
    assert_still_serving(server)


def test_a_huge_content_length_and_a_dropped_connection(server, capfd):
    huge = b"Content-Length: 99999999999999999999\r\n\r\n"
    raw = _raw_exchange(server, b"POST /api/predict HTTP/1.1\r\n" + _headers(server) + huge)
    assert _status_and_error(raw)[0] == 413
    import socket

    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=5) as sock:  # sends half a body, then hangs up
        sock.sendall(b"POST /api/predict HTTP/1.1\r\n" + _headers(server) + b"Content-Length: 50\r\n\r\n{\"str")
    assert_still_serving(server)
    assert "Traceback" not in capfd.readouterr().err


def test_a_port_out_of_range_from_python_is_a_user_error(mlmodel_path, tmp_path):
    with pytest.raises(DigitsSVMError, match="port=70000 is not allowed; use a whole number >= 0 and <= 65535"):
        make_server(mlmodel_path, port=70000, samples=tmp_path)


def test_a_host_that_does_not_resolve_names_the_host_not_the_port(mlmodel_path, tmp_path):
    with pytest.raises(DigitsSVMError, match="host 999.1.1.1") as info:
        make_server(mlmodel_path, host="999.1.1.1", port=0, samples=tmp_path)
    assert "--port" not in str(info.value)


# ---------------------------------------------------------------- requests from other web pages
def _post_raw(server, path: str, data: bytes, headers: dict[str, str]):
    """POST with exactly these headers (no Content-Type unless given); return (status, headers, JSON)."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.putrequest("POST", path, skip_host="Host" in headers)
        for key, value in headers.items():
            conn.putheader(key, value)
        conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data)
        resp = conn.getresponse()
        return resp.status, resp, json.loads(resp.read())
    finally:
        conn.close()


def _origin(server) -> str:
    return server.url.rstrip("/")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
     "application/json-patch+json", "application/json; charset=latin-1", None],
)
def test_a_body_that_is_not_application_json_is_415_and_saves_nothing(server, samples, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    data = json.dumps({**ONE, "label": 3}).encode()
    assert_error(_post_raw(server, "/api/samples", data, headers), 415, "application/json")
    assert files_under(samples) == []
    assert_still_serving(server)


@pytest.mark.parametrize("content_type",
                         ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=\"UTF-8\""])
def test_application_json_with_or_without_a_utf8_charset_is_accepted(server, samples, content_type):
    data = json.dumps({**ONE, "label": 3}).encode()
    status, _, answer = _post_raw(server, "/api/samples", data, {"Content-Type": content_type, "Origin": _origin(server)})
    assert status == 201, answer
    assert len(files_under(samples)) == 1


def test_a_cross_site_form_post_is_refused(server, samples):
    """What a page on another site can send without asking: text/plain, a foreign Origin and Host."""
    data = json.dumps({**ONE, "label": 3}).encode()
    port = server.server_address[1]
    answer = _post_raw(server, "/api/samples", data, {"Content-Type": "text/plain", "Origin": "http://evil.example",
                                                      "Host": f"evil.example:{port}"})
    assert 400 <= answer[0] < 500
    assert_error(answer, answer[0])
    answer = _post_raw(server, "/api/samples", b"label=3&strokes=x", {"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(answer, 415, "application/json")
    assert files_under(samples) == []


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "https://127.0.0.1:{port}", "http://127.0.0.1:{other}",
                                    "http://localhost.evil.example:{port}", "http://127.0.0.1:{port}/path", "file://",
                                    "http://user@127.0.0.1:{port}"])
def test_a_post_from_another_origin_is_403(server, samples, origin):
    port = server.server_address[1]
    origin = origin.format(port=port, other=port + 1 if port < 65535 else port - 1)
    data = json.dumps({**ONE, "label": 3}).encode()
    for path in ("/api/samples", "/api/predict"):
        assert_error(_post_raw(server, path, data, {"Content-Type": "application/json", "Origin": origin}), 403, "Origin",
                     server.url.rstrip("/"))
    assert files_under(samples) == []
    assert_still_serving(server)


@pytest.mark.parametrize("origin", ["http://127.0.0.1:{port}", "http://localhost:{port}", "http://[::1]:{port}",
                                    "HTTP://LOCALHOST:{port}"])
def test_a_post_from_the_playgrounds_own_origin_is_accepted(server, samples, origin):
    data = json.dumps({**ONE, "label": 3}).encode()
    origin = origin.format(port=server.server_address[1])
    status, _, answer = _post_raw(server, "/api/samples", data, {"Content-Type": "application/json", "Origin": origin})
    assert status == 201, answer


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1", "127.0.0.1:{other}", "127.0.0.2:{port}",
                                  "localhost.evil.example:{port}", "127.0.0.1:{port}@evil.example", "", "0.0.0.0:{port}"])
def test_a_foreign_host_header_is_refused_before_anything_is_answered(server, samples, host):
    """DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 sends its own Host."""
    port = server.server_address[1]
    host = host.format(port=port, other=port + 1 if port < 65535 else port - 1)
    hostport = f"{server.server_address[0]}:{port}"
    for method, path in (("GET", "/api/info"), ("GET", "/"), ("GET", "/static/app.js")):
        status, resp, payload = request(server, method, path, headers={"Host": host})
        assert_error((status, resp, payload), 421, "Host", hostport, "--host")
    data = json.dumps({**ONE, "label": 3}).encode()
    assert_error(_post_raw(server, "/api/samples", data, {"Content-Type": "application/json", "Host": host}), 421, "Host")
    assert files_under(samples) == []
    assert_still_serving(server)


def test_a_missing_host_header_is_refused(server):
    raw = _raw_exchange(server, b"GET /api/info HTTP/1.0\r\n\r\n")
    status, error = _status_and_error(raw)
    assert status == 421 and "Host" in error


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_the_loopback_names_with_the_port_are_accepted_as_host(server, host):
    status, _, info = request(server, "GET", "/api/info", headers={"Host": host.format(port=server.server_address[1])})
    assert status == 200 and info["classes"] == list(range(10))


def test_info_names_files_without_absolute_paths(server, mlmodel_path, samples):
    status, _, info = request(server, "GET", "/api/info")
    assert status == 200
    assert info["model"] == Path(mlmodel_path).name and info["samples"] == samples.name
    text = json.dumps(info)
    assert str(samples.parent) not in text and str(Path(mlmodel_path).parent) not in text


# ---------------------------------------------------------------- Content-Length that two parsers could read differently
@pytest.mark.parametrize("lengths", [["40", "4"], ["1_0"], ["+40"], [" 4 0"], ["0x10"], ["4e1"], ["٤٠"], ["40", "40"]])
def test_a_duplicated_or_non_digit_content_length_is_400(server, samples, lengths):
    body = json.dumps({**ONE, "label": 3}).encode()
    host, port = server.server_address[:2]
    head = f"POST /api/samples HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
    head += "".join(f"Content-Length: {n}\r\n" for n in lengths)
    raw = _raw_exchange(server, head.encode() + b"\r\n" + body)
    status, error = _status_and_error(raw)
    assert status == 400 and "Content-Length" in error, error
    assert files_under(samples) == []
    assert_still_serving(server)


# ---------------------------------------------------------------- the samples folder's cap
def _existing_samples(folder: Path, label: int, n: int, size: int = 100) -> None:
    (folder / str(label)).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / str(label) / f"old-{i}.json").write_bytes(b" " * size)


def _started(playground: Playground):
    from digits_svm.playground._server import PlaygroundServer

    return PlaygroundServer(("127.0.0.1", 0), playground).start()


def test_samples_are_saved_as_compact_json(server, samples):
    big = {"strokes": [[[50 + i % 50, 20 + i // 100] for i in range(9_000)]], "label": 4}
    data = json.dumps(big).encode()
    status, _, answer = request(server, "POST", "/api/samples", data=data)
    assert status == 201, answer
    (saved,) = files_under(samples)
    text = saved.read_text()
    assert text.count("\n") == 1 and text.endswith("}\n") and ", " not in text and ": " not in text
    assert saved.stat().st_size <= 1.5 * len(data)  # not 4x, as indented JSON was
    assert load_strokes(saved).label == 4


def test_the_samples_cap_counts_what_is_on_disk_at_start_and_refuses_with_507(mlmodel_path, samples):
    _existing_samples(samples, 4, 2)
    (samples / "notes.txt").write_text("not a sample: not counted")
    playground = Playground(CoreMLRuntime.from_file(mlmodel_path), samples=samples, max_samples=3)
    assert playground.save_sample({**ONE, "label": 4})["count"] == 3
    with _started(playground) as srv:
        answer = request(srv, "POST", "/api/samples", {**ONE, "label": 5})
        assert_error(answer, 507, "3 samples", "samples", "move")
        assert_still_serving(srv)
    assert len(list(samples.rglob("*.json"))) == 3 and not (samples / "5").exists()


def test_the_samples_cap_on_bytes(mlmodel_path, samples):
    _existing_samples(samples, 1, 3, size=1_000)
    playground = Playground(CoreMLRuntime.from_file(mlmodel_path), samples=samples, max_sample_bytes=3_000 + 150)
    small = {"strokes": [[[60, 20], [60, 120]]], "label": 1}
    assert playground.save_sample(small)["count"] == 4  # about 90 bytes
    from digits_svm.playground._app import HTTPError

    with pytest.raises(HTTPError) as refused:
        playground.save_sample(small)
    assert refused.value.status == 507 and "3,150 bytes" in refused.value.message
    assert len(files_under(samples)) == 4


def test_a_save_does_not_list_the_samples_folder(mlmodel_path, samples, monkeypatch):
    """Counts and bytes are read once, at start-up; a save then costs the same whatever the folder holds."""
    import os

    _existing_samples(samples, 2, 5)
    playground = Playground(CoreMLRuntime.from_file(mlmodel_path), samples=samples)

    def listing(*args, **kwargs):
        raise AssertionError("a save listed the samples folder")

    for owner, name in ((os, "scandir"), (os, "listdir"), (Path, "glob"), (Path, "rglob"), (Path, "iterdir")):
        monkeypatch.setattr(owner, name, listing)
    assert [playground.save_sample({**ONE, "label": 2})["count"] for _ in range(3)] == [6, 7, 8]
    assert playground.save_sample({**ONE, "label": 3})["count"] == 1


def test_concurrent_saves_stop_exactly_at_the_cap(mlmodel_path, samples):
    playground = Playground(CoreMLRuntime.from_file(mlmodel_path), samples=samples, max_samples=10)
    statuses: list[int] = []
    with _started(playground) as srv:
        threads = [threading.Thread(target=lambda: statuses.append(request(srv, "POST", "/api/samples", {**ONE, "label": 0})[0]))
                   for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(statuses) == [201] * 10 + [507] * 6
    assert len(files_under(samples)) == 10


@pytest.mark.parametrize("kwargs", [{"max_samples": 0}, {"max_samples": 1.5}, {"max_sample_bytes": -1}])
def test_the_cap_is_checked(mlmodel_path, samples, kwargs):
    from digits_svm.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match=next(iter(kwargs))):
        Playground(CoreMLRuntime.from_file(mlmodel_path), samples=samples, **kwargs)


def test_samples_pointing_at_a_file_fails_at_start_up(mlmodel_path, tmp_path, cli):
    a_file = tmp_path / "samples.txt"
    a_file.write_text("not a folder")
    with pytest.raises(DigitsSVMError, match=r"samples\.txt is a file, not a folder.*--samples"):
        make_server(mlmodel_path, port=0, samples=a_file)
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "7").write_text("not a folder")
    with pytest.raises(DigitsSVMError, match=r"7 is a file, not a folder"):
        make_server(mlmodel_path, port=0, samples=tmp_path / "s")
    proc = cli("playground", "--model", mlmodel_path, "--port", "0", "--samples", a_file)
    assert proc.returncode == 2 and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert "samples.txt is a file, not a folder" in line and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- --host: IPv6, and a warning when other machines can reach it
def _ipv6_loopback() -> bool:
    import socket

    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)")
def test_an_ipv6_loopback_host_serves_and_warns_nothing(mlmodel_path, samples, caplog):
    with caplog.at_level("WARNING", logger="digits_svm.playground._server"):
        srv = make_server(mlmodel_path, host="::1", port=0, samples=samples)
    with srv:
        srv.start()
        port = srv.server_address[1]
        assert srv.url == f"http://[::1]:{port}/" and not srv.exposed
        status, _, info = request(srv, "GET", "/api/info")
        assert status == 200 and info["classes"] == list(range(10))
        data = json.dumps({**ONE, "label": 3}).encode()
        status, _, answer = _post_raw(srv, "/api/samples", data, {"Content-Type": "application/json", "Origin": srv.url[:-1]})
        assert status == 201, answer
    assert caplog.records == []


@pytest.fixture
def pretend_wildcard(monkeypatch):
    """Make a server believe it is bound to every interface while its socket listens on loopback only."""
    from digits_svm.playground import _server as server_module

    def bind_loopback(self):
        wanted = self.server_address[0]
        self.socket.bind(("::1" if self.address_family == server_module.socket.AF_INET6 else "127.0.0.1", 0))
        self.server_address = (wanted, *self.socket.getsockname()[1:])

    monkeypatch.setattr(server_module.PlaygroundServer, "server_bind", bind_loopback)
    monkeypatch.setattr(server_module, "_machine_addresses",
                        lambda *, ipv6: ["192.168.1.20", "fd00::20"] if ipv6 else ["192.168.1.20"])


@pytest.mark.parametrize("host, lan_urls", [
    ("0.0.0.0", ["http://192.168.1.20:{port}/"]),
    pytest.param("::", ["http://192.168.1.20:{port}/", "http://[fd00::20]:{port}/"],
                 marks=pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)")),
])
def test_a_host_other_machines_can_reach_is_warned_about_with_the_urls_that_reach_it(
        mlmodel_path, samples, caplog, pretend_wildcard, host, lan_urls):
    with caplog.at_level("WARNING", logger="digits_svm.playground._server"):
        srv = make_server(mlmodel_path, host=host, port=0, samples=samples)
    with srv:
        srv.start()
        port = srv.server_address[1]
        lan_urls = [u.format(port=port) for u in lan_urls]
        (record,) = caplog.records
        assert record.levelname == "WARNING"
        assert f"listens on {host}, so other machines on your network can reach it" in record.message
        assert all(u in record.message for u in lan_urls) and "--host 127.0.0.1" in record.message
        assert srv.exposed and srv.url == f"http://{'[::1]' if ':' in host else '127.0.0.1'}:{port}/"
        assert srv.urls == [srv.url, *lan_urls]
        for url in srv.urls:  # each listed URL is one the server answers to
            authority = url.split("/")[2]
            status, _, _ = request(srv, "GET", "/api/info", headers={"Host": authority})
            assert status == 200, url
        assert_error(request(srv, "GET", "/api/info", headers={"Host": f"{host}:{port}"}), 421, "Host")
        assert_error(request(srv, "GET", "/api/info", headers={"Host": f"evil.example:{port}"}), 421, "Host")


def test_the_cli_prints_the_warning_on_stderr(cli, mlmodel_path, tmp_path, pretend_wildcard, monkeypatch):
    from digits_svm.playground._server import PlaygroundServer

    monkeypatch.setattr(PlaygroundServer, "serve_forever", lambda self, *a, **k: None)  # return at once
    proc = cli("playground", "--model", mlmodel_path, "--host", "0.0.0.0", "--port", "0", "--samples", tmp_path / "s")
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.splitlines()
    assert line.startswith("playground at http://127.0.0.1:")
    (warning,) = proc.stderr.splitlines()
    assert warning.startswith("digits-svm: warning: the playground listens on 0.0.0.0, so other machines")
    assert "http://192.168.1.20:" in warning


# ---------------------------------------------------------------- the personal memory
MEMORY_POSTS = ["/api/memory/add", "/api/memory/clear", "/api/memory/export"]


@pytest.fixture
def app_server(app_artifacts_dir, tmp_path):
    """The app preset's model (probabilities, "not a digit"), with a memory file."""
    with make_server(app_artifacts_dir / "DigitsSVM.mlmodel", port=0, samples=tmp_path / "samples",
                     memory_file=tmp_path / "memory.json") as srv:
        yield srv.start()


def _taught_body(path: str, seed: int = 1) -> dict:
    from tests.playground.drawings import body, european_one, jittered

    return body(jittered(european_one(), seed), label=1) if path == "/api/memory/add" else {}


def test_memory_teach_answer_download_export_and_clear_over_http(app_server, tmp_path):
    from digits_svm.memory import PersonalMemory
    from tests.playground.drawings import body, european_one, jittered

    drawn = body(jittered(european_one(), 2))
    status, _, before = request(app_server, "POST", "/api/predict", drawn)
    assert status == 200 and (before["digit"], before["from_memory"]) == (7, False)

    status, _, taught = request(app_server, "POST", "/api/memory/add", _taught_body("/api/memory/add"))
    assert status == 201 and taught["label"] == 1 and taught["model_said"] == 7, taught
    assert taught["memory"]["samples"] == 1 and taught["memory"]["file"] == "memory.json"

    status, _, after = request(app_server, "POST", "/api/predict", drawn)
    assert status == 200 and (after["digit"], after["from_memory"], after["model_digit"]) == (1, True, 7), after
    _, _, info = request(app_server, "GET", "/api/info")
    assert info["memory"]["samples"] == 1 and info["memory"]["per_digit"] == {"1": 1}

    status, resp, download = request(app_server, "GET", "/api/memory")
    assert status == 200 and resp.getheader("Content-Type") == "application/json"
    assert resp.getheader("Content-Disposition") == 'attachment; filename="memory.json"'
    assert PersonalMemory.from_json(json.dumps(download)).to_json() == (tmp_path / "memory.json").read_text()
    conn = http.client.HTTPConnection(*app_server.server_address[:2], timeout=10)
    try:
        conn.request("HEAD", "/api/memory")
        head = conn.getresponse()
        assert head.status == 200 and head.read() == b""
        assert int(head.getheader("Content-Length")) == len((tmp_path / "memory.json").read_bytes())
    finally:
        conn.close()

    status, _, exported = request(app_server, "POST", "/api/memory/export", {})
    assert status == 200 and exported["exported"] == 1, exported
    assert len(list((tmp_path / "samples" / "1").glob("memory-*.npy"))) == 1

    status, _, cleared = request(app_server, "POST", "/api/memory/clear", {})
    assert status == 200 and cleared["memory"]["samples"] == 0
    assert request(app_server, "POST", "/api/predict", drawn)[2]["digit"] == 7
    assert PersonalMemory.load(tmp_path / "memory.json").digits == []


def _memory_untouched(server, tmp_path) -> None:
    assert len(server.playground.memory) == 0
    assert not (tmp_path / "memory.json").exists() and files_under(tmp_path / "samples") == []


@pytest.mark.parametrize("path", MEMORY_POSTS)
def test_the_memory_routes_keep_the_security_rules(app_server, tmp_path, path):
    data = json.dumps(_taught_body(path)).encode()
    port = app_server.server_address[1]
    refusals = [
        (_post_raw(app_server, path, data, {"Content-Type": "application/json", "Origin": "http://evil.example"}), 403,
         "Origin"),
        (_post_raw(app_server, path, data, {"Content-Type": "application/json", "Origin": "null"}), 403, "Origin"),
        (_post_raw(app_server, path, data, {"Content-Type": "application/json", "Host": f"evil.example:{port}"}), 421,
         "Host"),
        (_post_raw(app_server, path, data, {"Content-Type": "text/plain"}), 415, "application/json"),
        (_post_raw(app_server, path, data, {}), 415, "application/json"),
        (request(app_server, "POST", path, data=b"{not json"), 400, "not valid JSON"),
        (request(app_server, "POST", path, data=b'{"strokes": [[[1, NaN]]], "label": 1}'), 400, "NaN"),
        (request(app_server, "POST", path, data=b"\xff"), 400, "not UTF-8"),
    ]
    for answer, status, fragment in refusals:
        assert_error(answer, status, fragment)
    for headers, status, fragment in [({"Content-Length": str(MAX_BODY_BYTES + 1)}, 413, "more than 1000000"),
                                      ({}, 411, "Content-Length")]:
        host = app_server.server_address[0]
        conn = http.client.HTTPConnection(host, port, timeout=5)
        try:
            conn.putrequest("POST", path)
            conn.putheader("Content-Type", "application/json")
            for key, value in headers.items():
                conn.putheader(key, value)
            conn.endheaders()  # the headers only: a refusal that waited for the body would time out
            resp = conn.getresponse()
            payload = json.loads(resp.read())
        finally:
            conn.close()
        assert resp.status == status and fragment in payload["error"], payload
    _memory_untouched(app_server, tmp_path)
    assert_still_serving(app_server)


@pytest.mark.parametrize("path", ["/api/memory", "/api/memory/add"])
def test_the_memory_is_not_readable_by_a_rebound_name(app_server, path):
    port = app_server.server_address[1]
    assert_error(request(app_server, "GET", path, headers={"Host": f"evil.example:{port}"}), 421, "Host")


@pytest.mark.parametrize("data, status, fragment", [
    (b'{"strokes": [[[100, 60], [100, 250]]]}', 400, '"label" is missing'),
    (b'{"strokes": [[[100, 60], [100, 250]]], "label": "1"}', 400, '"label" must be an integer 0..9'),
    (b'{"strokes": [[[100, 60], [100, 250]]], "label": 1, "method": "seed"}', 400, 'without "method"'),
    (b'{"strokes": [[[100, 60], [100, 250]]], "label": 1, "grid": []}', 400, "unknown key(s) grid"),
    (b'{"strokes": [], "label": 1}', 422, "the drawing is empty"),
    (b'{"strokes": [[[1, 200000]]], "label": 1}', 400, "off any screen"),
    (json.dumps({"strokes": [[[i % 300, i // 300] for i in range(MAX_POINTS + 1)]], "label": 1}).encode(), 413,
     str(MAX_POINTS)),
    (b"[" * 100_000 + b"]" * 100_000, 400, "nested too deeply"),
    (b"3", 400, '"label" is missing'),
])
def test_a_bad_drawing_to_teach_gets_a_json_error(app_server, tmp_path, data, status, fragment):
    assert_error(request(app_server, "POST", "/api/memory/add", data=data), status, fragment)
    _memory_untouched(app_server, tmp_path)


@pytest.mark.parametrize("path", ["/api/memory/clear", "/api/memory/export"])
@pytest.mark.parametrize("data", [b"[]", b'{"all": true}', b"null", b'"x"'])
def test_clear_and_export_take_an_empty_object(app_server, tmp_path, path, data):
    assert_error(request(app_server, "POST", path, data=data), 400, "send {} (an empty JSON object)")
    _memory_untouched(app_server, tmp_path)


def test_a_model_without_probabilities_refuses_to_be_taught(server, samples):
    assert_error(request(server, "POST", "/api/memory/add", {**ONE, "label": 1}), 409, "no probabilities", "--preset app")
    _, _, info = request(server, "GET", "/api/info")
    assert info["memory"] == {"samples": 0, "per_digit": {}, "max_samples": 500, "file": None, "can_answer": False,
                              "method": info["default_method"]}
    status, resp, download = request(server, "GET", "/api/memory")
    assert status == 200 and download["samples"] == []
    assert resp.getheader("Content-Disposition") == 'attachment; filename="personal-memory.json"'
    status, _, answer = request(server, "POST", "/api/predict", ONE)
    assert status == 200 and answer["from_memory"] is False and answer["memory"] == {"samples": 0, "consulted": False}


def test_an_export_after_another_memory_keeps_both_drawings(app_server, tmp_path):
    request(app_server, "POST", "/api/memory/add", _taught_body("/api/memory/add", 1))
    assert request(app_server, "POST", "/api/memory/export", {})[0] == 200
    request(app_server, "POST", "/api/memory/clear", {})
    request(app_server, "POST", "/api/memory/add", _taught_body("/api/memory/add", 3))
    assert request(app_server, "POST", "/api/memory/export", {})[0] == 200
    assert len(list(app_server.playground.samples.glob("*/memory-*.npy"))) == 2


def test_concurrent_teaching_over_http_loses_nothing(app_server, tmp_path):
    from digits_svm.memory import PersonalMemory

    statuses: list[int] = []
    threads = [threading.Thread(target=lambda seed=seed: statuses.append(
        request(app_server, "POST", "/api/memory/add", _taught_body("/api/memory/add", seed))[0])) for seed in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 12
    assert PersonalMemory.load(tmp_path / "memory.json").digits == [1] * 12 == app_server.playground.memory.digits


def test_a_memory_file_that_is_not_a_memory_stops_the_command(cli, mlmodel_path, tmp_path):
    bad = tmp_path / "memory.json"
    bad.write_text("[1, 2")
    proc = cli("playground", "--model", mlmodel_path, "--port", "0", "--samples", tmp_path / "s", "--memory", bad)
    assert proc.returncode == 2 and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert str(bad) in line and "not a personal memory" in line and "Traceback" not in proc.stderr
