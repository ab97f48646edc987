"""The playground's answers to drawings past the limits: refused on /api/predict and /api/samples alike, before any work.

A saved sample passes the checks a predicted drawing does, JSON nested too deep is refused
with the limit, and the server stays responsive while costly drawings arrive. The drawings
are those of tests/limits.py.
"""

from __future__ import annotations

import http.client
import json
import threading
import time

import pytest

from digits_svm.playground import make_server
from tests.limits import AT_THE_BUDGET, COSTLY, DEEP, ONE


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
