"""The playground's logic: drawings past the limits, and the personal memory.

Drawings past the limits are refused on /api/predict, /api/samples and /api/memory/add
alike, before any work: a saved sample or a taught drawing passes the checks a predicted
drawing does, JSON nested too deep is refused with the limit, and the server stays
responsive while costly drawings arrive. The drawings are those of tests/limits.py.

The memory (`Playground.remember`, `clear_memory`, `export_memory`, its file) is tested
with the app preset's model and a drawing it misreads (tests/playground/drawings.py).
"""

from __future__ import annotations

import http.client
import json
import threading
import time

import numpy as np
import pytest

from digits_svm.coreml._runtime import CoreMLRuntime
from digits_svm.drawing._strokes import preprocess_strokes
from digits_svm.errors import ArtifactWriteError, MemoryFileError
from digits_svm.memory import MAX_SAMPLES, PersonalMemory
from digits_svm.playground import make_server
from digits_svm.playground._app import MEMORY_DOWNLOAD_NAME, HTTPError, Playground
from tests.limits import AT_THE_BUDGET, COSTLY, DEEP, ONE
from tests.playground.drawings import body, european_one, jittered


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


def test_a_taught_drawing_passes_the_checks_a_predicted_one_does(app_artifacts_dir, tmp_path):
    with make_server(app_artifacts_dir / "DigitsSVM.mlmodel", port=0, samples=tmp_path / "samples",
                     memory_file=tmp_path / "memory.json") as srv:
        srv.start()
        for body, status, fragment in [
            ({**COSTLY, "label": 1}, 400, "more than 16,000,000"),
            ({"strokes": [[[i % 30, i // 30] for i in range(10_001)]], "label": 1}, 413, "more than 10000"),
        ]:
            got, answer = _post(srv, "/api/memory/add", json.dumps(body).encode())
            assert got == status and fragment in answer["error"], answer
        got, answer = _post(srv, "/api/memory/add", DEEP.encode())
        assert got == 400 and "more than 32" in answer["error"], answer
        assert len(srv.playground.memory) == 0 and not (tmp_path / "memory.json").exists()
        got, answer = _post(srv, "/api/memory/add", json.dumps({**AT_THE_BUDGET, "label": 1}).encode())
        assert got == 201, answer


# ---------------------------------------------------------------- the personal memory
@pytest.fixture(scope="module")
def app_runtime(app_artifacts_dir):
    return CoreMLRuntime.from_file(app_artifacts_dir / "DigitsSVM.mlmodel")


@pytest.fixture
def playground(app_runtime, tmp_path):
    return Playground(app_runtime, samples=tmp_path / "samples", memory_file=tmp_path / "memory.json")


def one_drawn(seed: int, **extra) -> dict:
    return body(jittered(european_one(), seed), **extra)


def refused(call, *args) -> HTTPError:
    with pytest.raises(HTTPError) as caught:
        call(*args)
    return caught.value


def test_the_app_model_misreads_the_european_one_as_a_seven(playground):
    """The premise of the memory's tests: however it is jittered, the model answers 7."""
    answers = [playground.predict(one_drawn(seed)) for seed in range(20)]
    assert {(a["digit"], a["model_digit"], a["from_memory"]) for a in answers} == {(7, 7, False)}
    assert {a["memory"]["consulted"] for a in answers} == {False}  # an empty memory is not asked


def test_a_taught_drawing_is_answered_from_memory_and_kept_in_the_file(playground, app_runtime, tmp_path):
    taught = one_drawn(1, label=1)
    answer = playground.remember(taught)
    assert answer["label"] == 1 and answer["model_said"] == 7 and answer["forgotten"] == 0
    assert answer["memory"] == {"samples": 1, "per_digit": {"1": 1}, "max_samples": MAX_SAMPLES, "file": "memory.json",
                                "can_answer": True, "method": playground.default_method}
    # the grid is the server's, from the strokes with the model's preprocessing
    expected = preprocess_strokes({k: v for k, v in taught.items() if k != "label"}, method=playground.default_method)
    assert playground.memory.grids[0].tolist() == expected.tolist()
    assert playground.memory.digits == [1] and playground.memory.model_said == [7]

    for seed in (2, 3, 4):
        again = playground.predict(one_drawn(seed))
        assert (again["digit"], again["from_memory"], again["model_digit"], again["label"]) == (1, True, 7, 7), again
        assert again["memory"] == {"samples": 1, "consulted": True}
    assert playground.info()["memory"]["samples"] == 1

    # the file is the memory's own JSON, and a new playground starts from it
    assert PersonalMemory.load(tmp_path / "memory.json").to_json() == playground.memory_json()
    restarted = Playground(app_runtime, samples=tmp_path / "samples", memory_file=tmp_path / "memory.json")
    assert restarted.memory.digits == [1] and restarted.predict(one_drawn(5))["from_memory"] is True


def test_the_memory_is_not_asked_for_another_preprocessing(playground):
    playground.remember(one_drawn(1, label=1))
    other = next(m for m in playground.methods if m != playground.default_method)
    answer = playground.predict(one_drawn(2, method=other))
    assert answer["from_memory"] is False and answer["digit"] == answer["model_digit"]
    assert answer["memory"] == {"samples": 1, "consulted": False}


def test_a_digit_the_model_reads_right_can_be_taught_too(playground):
    answer = playground.remember(body([[(100, 60), (100, 250)]], label=1))  # a plain 1: the model reads it
    assert answer["model_said"] == 1
    assert playground.memory.model_said == [1]


@pytest.mark.parametrize("request_body, status, fragment", [
    ({"strokes": [[[100, 60], [100, 250]]]}, 400, '"label" is missing'),
    ([[[100, 60], [100, 250]]], 400, '"label" is missing'),
    ({"strokes": [[[100, 60], [100, 250]]], "label": "1"}, 400, '"label" must be an integer 0..9'),
    ({"strokes": [[[100, 60], [100, 250]]], "label": True}, 400, '"label" must be an integer 0..9'),
    ({"strokes": [[[100, 60], [100, 250]]], "label": 10}, 400, '"label" must be an integer 0..9'),
    ({"strokes": [[[100, 60], [100, 250]]], "label": 1, "method": "seed"}, 400, 'send the drawing without "method"'),
    ({"strokes": [[[100, 60], [100, 250]]], "label": 1, "grid": [[0] * 8] * 8}, 400, "unknown key(s) grid"),
    ({"strokes": [], "label": 1}, 422, "the drawing is empty"),
    ({"strokes": "x", "label": 1}, 400, "strokes must be a list of strokes, not str"),
    ({"strokes": [[[i % 300, i // 300] for i in range(10_001)]], "label": 1}, 413, "more than 10000"),
])
def test_a_bad_drawing_to_teach_is_refused_and_changes_nothing(playground, tmp_path, request_body, status, fragment):
    error = refused(playground.remember, request_body)
    assert error.status == status and fragment in error.message, error.message
    assert len(playground.memory) == 0 and not (tmp_path / "memory.json").exists()


def test_a_model_without_probabilities_cannot_be_taught(mlmodel_path, tmp_path):
    playground = Playground(CoreMLRuntime.from_file(mlmodel_path), samples=tmp_path / "s", memory_file=tmp_path / "m.json")
    error = refused(playground.remember, one_drawn(1, label=1))
    assert error.status == 409 and "no probabilities" in error.message and "--preset app" in error.message
    assert playground.info()["memory"]["can_answer"] is False
    answer = playground.predict(one_drawn(1))
    assert answer["from_memory"] is False and answer["memory"] == {"samples": 0, "consulted": False}
    assert not (tmp_path / "m.json").exists()


def test_clear_forgets_everything_and_empties_the_file(playground, tmp_path):
    playground.remember(one_drawn(1, label=1))
    for bad in ([], {"all": True}, None, "clear"):
        error = refused(playground.clear_memory, bad)
        assert error.status == 400 and "send {} (an empty JSON object) to clear the memory" in error.message
    assert len(playground.memory) == 1
    assert playground.clear_memory({})["memory"]["samples"] == 0
    assert len(playground.memory) == 0 and len(PersonalMemory.load(tmp_path / "memory.json")) == 0
    assert playground.predict(one_drawn(2))["digit"] == 7


def test_export_writes_the_grids_train_extra_reads(playground, tmp_path):
    from digits_svm.datasets._training_data import load_samples

    samples = tmp_path / "samples"
    assert playground.export_memory({})["exported"] == 0 and not samples.exists()
    playground.remember(one_drawn(1, label=1))
    playground.remember(one_drawn(2, label=1))
    answer = playground.export_memory({})
    assert answer == {"exported": 2, "folder": str(samples), "per_digit": {"1": 2},
                      "train": f"digits-svm train --extra {samples}"}
    files = sorted(p.relative_to(samples).as_posix() for p in samples.rglob("*") if p.is_file())
    assert len(files) == 2 and all(f.startswith("1/memory-") and f.endswith(".npy") for f in files)
    assert sorted(np.load(samples / f).tolist() for f in files) == sorted(playground.memory.grids.tolist())
    read = load_samples(samples)  # what digits-svm train --extra reads
    assert read.y.tolist() == [1, 1] and not read.skipped
    assert sorted(read.X.tolist()) == sorted(playground.memory.grids.reshape(2, 64).tolist())
    assert playground.export_memory({})["exported"] == 2  # the same memory again: the same files

    for bad in ([], {"folder": "/tmp"}):
        assert refused(playground.export_memory, bad).status == 400


def test_an_export_never_replaces_another_memorys_drawing(playground, tmp_path):
    samples = tmp_path / "samples"
    playground.remember(one_drawn(1, label=1))
    playground.export_memory({})
    first = sorted(samples.glob("1/memory-*.npy"))
    before = [path.read_bytes() for path in first]
    playground.clear_memory({})
    playground.remember(one_drawn(7, label=1))  # another drawing of a 1
    assert playground.export_memory({})["exported"] == 1
    assert len(list(samples.glob("1/memory-*.npy"))) == 2 and [path.read_bytes() for path in first] == before


def test_the_memory_holds_at_most_max_samples_and_forgets_the_oldest(playground, app_runtime, tmp_path):
    full = PersonalMemory()
    full.add(np.zeros((MAX_SAMPLES, 8, 8)), [0] * MAX_SAMPLES, model_said=[None] * MAX_SAMPLES)
    full.save(tmp_path / "memory.json")
    playground = Playground(app_runtime, samples=tmp_path / "samples", memory_file=tmp_path / "memory.json")
    answer = playground.remember(one_drawn(1, label=1))
    assert answer["forgotten"] == 1 and answer["memory"]["samples"] == MAX_SAMPLES
    assert answer["memory"]["per_digit"] == {"0": MAX_SAMPLES - 1, "1": 1}
    assert len(PersonalMemory.load(tmp_path / "memory.json")) == MAX_SAMPLES


def test_a_memory_file_that_is_not_a_memory_fails_at_start(app_runtime, tmp_path):
    bad = tmp_path / "memory.json"
    bad.write_text('{"schema": "something else"}')
    with pytest.raises(MemoryFileError, match=r"memory\.json is not a personal memory"):
        Playground(app_runtime, samples=tmp_path / "s", memory_file=bad)
    with pytest.raises(MemoryFileError, match="is a directory"):
        Playground(app_runtime, samples=tmp_path / "s", memory_file=tmp_path)
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    with pytest.raises(ArtifactWriteError, match="not a directory"):
        Playground(app_runtime, samples=tmp_path / "s", memory_file=a_file / "memory.json")


def test_a_memory_that_cannot_be_written_changes_nothing(playground, tmp_path, monkeypatch):
    playground.remember(one_drawn(1, label=1))
    kept = playground.memory

    def fail(self, path):
        raise ArtifactWriteError(f"cannot write {path}: disk full")

    monkeypatch.setattr(PersonalMemory, "save", fail)
    for call, arg in ((playground.remember, one_drawn(2, label=1)), (playground.clear_memory, {})):
        error = refused(call, arg)
        assert error.status == 500 and "nothing was changed" in error.message and str(tmp_path) not in error.message
        assert playground.memory is kept and len(kept) == 1


def test_without_a_file_the_memory_lives_in_the_playground(app_runtime, tmp_path):
    playground = Playground(app_runtime, samples=tmp_path / "samples")
    playground.remember(one_drawn(1, label=1))
    assert playground.predict(one_drawn(2))["from_memory"] is True
    assert playground.info()["memory"]["file"] is None and playground.memory_download_name == MEMORY_DOWNLOAD_NAME
    assert PersonalMemory.from_json(playground.memory_json()).digits == [1]
    assert [p.name for p in tmp_path.rglob("*")] == []


@pytest.mark.parametrize("name, shown", [("mine.json", "mine.json"), ("my memory.json", MEMORY_DOWNLOAD_NAME),
                                          ('a"b.json', MEMORY_DOWNLOAD_NAME), ("mémoire.json", MEMORY_DOWNLOAD_NAME)])
def test_the_download_is_named_after_a_plain_memory_file(app_runtime, tmp_path, name, shown):
    playground = Playground(app_runtime, samples=tmp_path / "s", memory_file=tmp_path / name)
    assert playground.memory_download_name == shown


def test_concurrent_teaching_loses_nothing(playground, tmp_path):
    drawings = [one_drawn(seed, label=seed % 10) for seed in range(16)]
    threads = [threading.Thread(target=playground.remember, args=(d,)) for d in drawings]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(playground.memory.digits) == sorted(seed % 10 for seed in range(16))
    assert PersonalMemory.load(tmp_path / "memory.json").to_json() == playground.memory_json()
