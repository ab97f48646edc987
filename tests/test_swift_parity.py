"""The Swift package against the library, as `verify` checks the .mlmodel against the pickle.

`digits-grid` (swift/, release build) and `preprocess_strokes` get the same 2,050 drawings:
seeded random strokes over the app's pen widths and screen scales, one-point dots,
per-point widths (force * 4), synthesized handwriting, and malformed drawings. Every grid
cell must be within 1e-6 of Python's, every refusal must be Python's refusal with Python's
message, and the shipped model (the app preset's .mlmodel) must answer the same on both
grids. The personal memory too: six synthetic users teach their memories, then draw; the
Swift `PersonalMemory` (through ``digits-grid --memory``) must answer every drawing (and
every hand-made grid at the edge of its radius) as Python's does, and each side must read
the other's memory file. The counts go to the test summary.
"""

from __future__ import annotations

import copy
import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

import digits_svm
from digits_svm.confidence import predict_proba, predict_with_confidence
from digits_svm.coreml._runtime import CoreMLRuntime
from digits_svm.datasets._handwriting import synthesize_drawing
from digits_svm.errors import DigitsSVMError, MemoryFileError
from digits_svm.memory import MAX_SAMPLES, PersonalMemory

SWIFT = Path(__file__).resolve().parents[1] / "swift"
TOLERANCE = 1e-6

pytestmark = pytest.mark.skipif(
    shutil.which("swift") is None,
    reason="swift is not on PATH: the Swift 6 toolchain builds swift/ (see README, 'On the phone')",
)


@pytest.fixture(scope="module")
def digits_grid() -> Path:
    """`digits-grid`, built in release (reusing swift/.build: a second build is a no-op)."""
    build = ["swift", "build", "-c", "release", "--package-path", str(SWIFT)]
    done = subprocess.run(build, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"swift build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    bin_dir = subprocess.run([*build, "--show-bin-path"], capture_output=True, text=True, check=True).stdout.strip()
    return Path(bin_dir) / "digits-grid"


def _walk(rng: np.random.Generator, n: int, step: float) -> list[list[float]]:
    """A smooth random stroke of n points (a random walk whose direction drifts)."""
    start = rng.uniform(-50, 400, 2)
    angle = np.cumsum(rng.normal(0, 0.6, n))
    steps = step * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    points = start + np.cumsum(steps, axis=0)
    return (points.round(2) if rng.random() < 0.5 else points).tolist()


def _dot(rng: np.random.Generator) -> list[float]:
    """A touch point, with its own width (force * 4) half of the time."""
    point = [float(rng.uniform(0, 300)), float(rng.uniform(0, 300))]
    return point + [float(rng.uniform(0.5, 17))] * int(rng.integers(2))


def _pen(rng: np.random.Generator) -> dict:
    """The pen widths and screen scales the app allows: 1..20 pt, 1x..3x."""
    scale = float(rng.choice([1.0, 2.0, 3.0])) if rng.random() < 0.8 else float(rng.uniform(0.5, 3.0))
    return {"line_width": float(rng.uniform(1.0, 20.0)), "scale": scale}


#: Values a malformed drawing puts where a number belongs.
BAD_VALUES = ["1", True, None, math.nan, math.inf, -math.inf, 1e6, -2e5, [1], {"x": 1}, 10**400, "é'\"\n"]


def _malformed(rng: np.random.Generator, good: dict, k: int) -> object:
    """One of the ways a drawing goes wrong, cycling with k."""
    d = copy.deepcopy(good)
    point = d["strokes"][0][int(rng.integers(len(d["strokes"][0])))]
    bad = BAD_VALUES[int(rng.integers(len(BAD_VALUES)))]
    kind = k % 11
    if kind == 0:
        point[int(rng.integers(2))] = bad
    elif kind == 1:
        point[2:] = [[0, -1.5, 250, True, "4", 1e-320][k % 6]]
    elif kind == 2:
        point[:] = point[:1] if rng.random() < 0.5 else [*point[:2], 1.0, 2.0]
    elif kind == 3:
        d["strokes"][0] = [3, "s", None, {}][k % 4]
    elif kind == 4:
        d[["line_width", "scale", "label"][k % 3]] = [0, 11, -2, "2", None, math.nan, 3.0, 10, True, 250][k % 10]
    elif kind == 5:
        return {"strokes": d["strokes"], "colour": "red"} if k % 2 else {"points": d["strokes"]}
    elif kind == 6:
        return {"strokes": ["x", 5, {}][k % 3]}
    elif kind == 7:
        return [{"strokes": []}, {"strokes": [[], []]}, [], [[]]][k % 4]
    elif kind == 8:
        return {"strokes": [[[0, 0], [9000, 9000 - k]]], "scale": 2}  # a crop over 16 million pixels
    elif kind == 9:
        return {"strokes": [[[float(k), 10.0, 1e-9]]]}  # a hair-thin dot on a pixel corner: no ink
    else:
        return [5, "x", None, True, 2.5][k % 5]
    return d


@pytest.fixture(scope="module")
def drawings() -> list[tuple[str, object]]:
    """2,050 (kind, drawing) pairs, the same on every run."""
    rng = np.random.default_rng(19)
    out: list[tuple[str, object]] = []
    for _ in range(700):
        strokes = [_walk(rng, int(rng.integers(2, 31)), float(rng.uniform(1, 15))) for _ in range(int(rng.integers(1, 4)))]
        out.append(("random strokes", {"strokes": strokes, **_pen(rng)}))
    for _ in range(200):
        dots = [[_dot(rng)] for _ in range(int(rng.integers(1, 4)))]
        out.append(("dots", {"strokes": dots, **_pen(rng)} if rng.random() < 0.7 else dots))
    for _ in range(300):
        stroke = [[x, y, float(4 * rng.uniform(0.05, 4.2))] for x, y in _walk(rng, int(rng.integers(2, 31)), 6.0)]
        out.append(("per-point widths", {"strokes": [stroke], **_pen(rng)}))
    for i in range(600):
        scale = float(rng.choice([1.0, 2.0, 3.0]))
        out.append(("synthesized", synthesize_drawing(i % 10, np.random.default_rng([19, i]), scale=scale)))
    good = [d for _, d in out if isinstance(d, dict)]
    for k in range(250):
        out.append(("malformed", _malformed(rng, good[int(rng.integers(len(good)))], k)))
    return out


def _python(drawing: object, method: str) -> list[float] | str:
    try:
        return digits_svm.preprocess_strokes(drawing, method=method).ravel().tolist()
    except DigitsSVMError as exc:
        return str(exc)


@pytest.fixture(scope="module")
def app_model(app_artifacts_dir) -> CoreMLRuntime:
    return CoreMLRuntime.from_file(app_artifacts_dir / "DigitsSVM.mlmodel")


@pytest.mark.slow
@pytest.mark.parametrize("method", digits_svm.drawing._preprocessing.METHODS)
def test_swift_grids_and_refusals_equal_pythons(method, digits_grid, drawings, app_model, summary_line):
    lines = "".join(json.dumps(d) + "\n" for _, d in drawings)
    done = subprocess.run([str(digits_grid), "--method", method], input=lines, capture_output=True, text=True,
                          timeout=300, check=True)
    swift = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(swift) == len(drawings)
    python = [_python(d, method) for _, d in drawings]
    grids = [(s, p) for s, p in zip(swift, python, strict=True) if isinstance(p, list)]
    refusals = [(s, p) for s, p in zip(swift, python, strict=True) if isinstance(p, str)]
    close = [i for i, (s, p) in enumerate(grids)
             if isinstance(s, list) and len(s) == 64 and np.max(np.abs(np.subtract(s, p))) <= TOLERANCE]
    largest = max((float(np.max(np.abs(np.subtract(s, p)))) for s, p in grids if isinstance(s, list)), default=0.0)
    matched = sum(isinstance(s, dict) and s.get("error") == p for s, p in refusals)
    # the shipped model's answer (digit or "not a digit") on the Swift grid and the Python grid
    s_grids = np.array([grids[i][0] for i in close], dtype=np.float64).reshape(-1, 8, 8)
    p_grids = np.array([grids[i][1] for i in close], dtype=np.float64).reshape(-1, 8, 8)
    answers = [a == b for a, b in zip(predict_with_confidence(app_model, s_grids),
                                      predict_with_confidence(app_model, p_grids), strict=True)]
    labels = np.array_equal(app_model.predict(s_grids), app_model.predict(p_grids))
    summary = (f"Swift digits-grid vs Python, {method}, {len(drawings):,} drawings: "
               f"{len(close):,}/{len(grids):,} grids within 1e-6 (largest difference {largest:g}); "
               f"{matched:,}/{len(refusals):,} refusals with Python's message; "
               f"{sum(answers):,}/{len(grids):,} answers equal")
    summary_line(summary)
    mismatch = next((drawings[i] for i, (s, p) in enumerate(zip(swift, python, strict=True))
                     if (s.get("error") if isinstance(s, dict) else s) != p), None)
    assert len(close) == len(grids) and matched == len(refusals), f"{summary}; first mismatch: {mismatch}"
    assert labels and sum(answers) == len(grids), summary
    kinds = {kind for kind, _ in drawings}
    assert len(drawings) >= 2000 and len(kinds) == 5 and len(refusals) >= 200


def _costly() -> list[str]:
    """Drawings (as JSON text) at and over the point cap, the painting budget and the JSON depth limit."""
    rng = np.random.default_rng(23)
    fat = {"scale": 10, "line_width": 200}
    out = [
        {"strokes": [[[0, 0], [390, 390]] * 4], **fat},  # 7 segments over the whole crop
        {"strokes": [[[0, 0], [390, 390]]], **fat},  # one: exactly the budget
        {"strokes": [[[0, 0], [390, 390], [0, 0]]], **fat},  # two: twice it
        {"strokes": [[[0, 0], [390, 389]]], **fat},  # just under
        {"strokes": [[[0, 0]], [[390, 390]]], **fat},  # two dots on a big crop
        {"strokes": [[[i % 50, i // 50] for i in range(10_000)]]},  # the point cap
        {"strokes": [[[i % 50, i // 50] for i in range(10_001)]]},  # one over
        {"strokes": [5, [[0, 0]] * 10_001]},  # counted before any stroke is read
        {"strokes": [[[0, 0]] * 5000, [[1, 1]] * 5001, [[0, "x"]]]},
    ]
    for _ in range(60):  # fat random scribbles around the budget, at the app's scales and up
        n = int(rng.integers(2, 40))
        points = rng.uniform(0, 400, (n, 2)).round(1).tolist()
        out.append({"strokes": [points], "line_width": float(rng.uniform(10, 200)),
                    "scale": float(rng.choice([3.0, 5.0, 10.0]))})
    texts = [json.dumps(d) for d in out]
    texts += ["[" * 200_000 + "]" * 200_000, "[" * 32 + "]" * 32, "[" * 33 + "]" * 33, "{" * 40,
              '{"strokes": [[[0, 0], [10, 10]]], "label": "' + "[" * 100 + '"}',
              '{"strokes": [[[0, 0], [10, 10]]], "x": "\\"' + "[" * 40 + '"}', '"\\' + "[" * 40,
              '{"strokes": [[[0, 0]]], "x": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}']
    return texts


#: A refusal of text that is not JSON: the two parsers word the syntax error each its own way.
NOT_JSON = "the drawing is not JSON"


def _python_text(text: str, method: str) -> list[float] | str:
    try:
        drawing = digits_svm.drawing._strokes.loads_json(text, "the drawing")
    except json.JSONDecodeError:
        return NOT_JSON
    except DigitsSVMError as exc:
        return str(exc)
    return _python(drawing, method)


@pytest.mark.slow
@pytest.mark.parametrize("method", digits_svm.drawing._preprocessing.METHODS)
def test_swift_refuses_costly_drawings_as_python_does(method, digits_grid, summary_line):
    texts = _costly()
    done = subprocess.run([str(digits_grid), "--method", method], input="".join(t + "\n" for t in texts),
                          capture_output=True, text=True, timeout=300, check=True)
    swift = [{"error": NOT_JSON} if isinstance(s, dict) and s["error"].startswith(NOT_JSON + " (") else s
             for s in map(json.loads, done.stdout.splitlines())]
    assert len(swift) == len(texts)
    python = [_python_text(t, method) for t in texts]
    grids = [(s, p) for s, p in zip(swift, python, strict=True) if isinstance(p, list)]
    refusals = [(s, p) for s, p in zip(swift, python, strict=True) if isinstance(p, str)]
    close = sum(isinstance(s, list) and len(s) == 64 and np.max(np.abs(np.subtract(s, p))) <= TOLERANCE for s, p in grids)
    matched = sum(isinstance(s, dict) and s.get("error") == p for s, p in refusals)
    summary = (f"Swift digits-grid vs Python, {method}, {len(texts)} costly or deep drawings: "
               f"{close}/{len(grids)} grids within 1e-6, {matched}/{len(refusals)} refusals with Python's message")
    summary_line(summary)
    mismatch = next(((t[:200], s, p) for t, s, p in zip(texts, swift, python, strict=True)
                     if (s.get("error") if isinstance(s, dict) else s) != p
                     and not (isinstance(s, list) and isinstance(p, list)
                              and np.max(np.abs(np.subtract(s, p))) <= TOLERANCE)), None)
    assert close == len(grids) and matched == len(refusals), f"{summary}; first mismatch: {mismatch}"
    budget = sum("more than 16,000,000; draw one digit" in p for _, p in refusals)
    points = sum("points, more than 10,000" in p for _, p in refusals)
    deep = sum("deep, more than 32" in p for _, p in refusals)
    assert budget >= 5 and points == 3 and deep == 4 and len(grids) >= 10, (budget, points, deep, len(grids))


# ---------------------------------------------------------------- the personal memory
#: The synthetic users: what each teaches its memory, as (the digit whose style it draws, the
#: style, the digit it means). The fourth writes its 1 as the model's 7 and its 9 as a 4, the
#: last its curved 1 as a 7: their memories disagree with what the model reads.
USERS = [
    [(1, "flag", 1), (7, "plain", 7), (4, "open", 4), (9, "hooked", 9)],
    [(2, "z", 2), (5, "s-like", 5), (8, "two circles", 8)],
    [(3, "flat top", 3), (6, "open loop", 6), (0, "egg", 0), (9, "two strokes", 9), (2, "curl", 2)],
    [(7, "upright", 1), (4, "open slanted", 9), (0, "narrow oval", 0)],
    [(5, "flat belly", 5), (8, "s and back", 8), (6, "tall stem", 6), (1, "long flag", 1)],
    [(4, "one stroke", 4), (3, "long tail", 3), (7, "hooked top", 7), (2, "swan", 2), (6, "narrow", 6), (1, "curved", 7)],
]


def _hand(rng: np.random.Generator) -> dict[str, tuple[float, float]]:
    """One person's habits: the synthesizer's variation ranges narrowed around a random centre each."""
    def around(lo: float, hi: float, half: float) -> tuple[float, float]:
        centre = float(rng.uniform(lo + half, hi - half))
        return centre - half, centre + half

    return {"rotation": around(-12, 12, 2.0), "slant": around(-0.2, 0.3, 0.04), "aspect": around(0.5, 1.0, 0.04),
            "height": around(40, 110, 6.0), "pen": around(0.05, 0.18, 0.01), "wobble": (0.04, 0.08),
            "trim": (-0.02, 0.02), "misplace": (0.0, 0.01)}


def _jitter(drawing: dict, rng: np.random.Generator) -> dict:
    """The same strokes drawn again: moved a little, every point off by a fraction of a point."""
    dx, dy = rng.normal(0, 3, 2)
    strokes = [[[round(x + dx + rng.normal(0, 0.8), 2), round(y + dy + rng.normal(0, 0.8), 2)] for x, y in stroke]
               for stroke in drawing["strokes"]]
    return {**drawing, "strokes": strokes}


def _grids(drawings: list[dict], method: str) -> np.ndarray:
    return np.array([digits_svm.preprocess_strokes(d, method=method).ravel() for d in drawings])


class User(NamedTuple):
    memory: PersonalMemory
    drawings: list[dict]
    #: "again" (a memory sample redrawn), "fresh" (the user's hand, a taught digit), "other" (anyone's digit)
    kinds: list[str]


@pytest.fixture(scope="module")
def users(app_model) -> list[User]:
    """Each user's memory (5 to 50 samples, model_said from the app model) and 220 drawings made after."""
    method = app_model.preprocessing_method
    out = []
    for u, teaches in enumerate(USERS):
        rng = np.random.default_rng([29, u])
        hand = _hand(rng)
        n = int(rng.integers(5, 51))
        taught = [teaches[k % len(teaches)] for k in range(n)]
        samples = [synthesize_drawing(drawn, rng, style=style, variation=hand) for drawn, style, _ in taught]
        grids = _grids(samples, method).reshape(-1, 8, 8)
        memory = PersonalMemory()
        memory.add(grids, [meant for *_, meant in taught],
                   model_said=[p.digit for p in predict_with_confidence(app_model, grids)])
        drawings = [_jitter(samples[k % n], rng) for k in range(80)]
        drawings += [synthesize_drawing(teaches[k % len(teaches)][0], rng, style=teaches[k % len(teaches)][1],
                                        variation=hand) for k in range(80)]
        drawings += [synthesize_drawing(int(rng.integers(10)), rng) for _ in range(60)]
        out.append(User(memory, drawings, ["again"] * 80 + ["fresh"] * 80 + ["other"] * 60))
    return out


def _probability_map(classes: np.ndarray, row: np.ndarray) -> dict[int, float]:
    return dict(zip(classes.tolist(), row.tolist(), strict=True))


def _edge_cases(memory: PersonalMemory, rng: np.random.Generator, n: int) -> list[tuple[np.ndarray, dict[int, float]]]:
    """Hand-made grids with fractional values around a sample, at random distances spanning the
    radius, under random probabilities (some 0, some "not a digit" on top); every fifth the
    midpoint of two samples of different digits (equally far from both)."""
    grids, digits = memory.grids.reshape(-1, 64), np.array(memory.digits)
    out = []
    for k in range(n):
        p = rng.dirichlet(np.full(11, 0.4))
        p[rng.random(11) < 0.1] = 0.0
        i = int(rng.integers(len(grids)))
        a, others = grids[i], grids[digits != digits[i]]
        if k % 5 == 0 and len(others):
            x = (a + others[rng.integers(len(others))]) / 2
        else:
            direction = rng.normal(size=64)
            x = np.clip(a + rng.uniform(0, 50) * direction / np.linalg.norm(direction), 0, 16)
        out.append((x, dict(zip(range(-1, 10), p.tolist(), strict=True))))
    return out


def _memory_run(digits_grid: Path, path: Path, method: str, lines: list[dict]) -> list[dict]:
    done = subprocess.run([str(digits_grid), "--memory", str(path), "--method", method],
                          input="".join(json.dumps(line) + "\n" for line in lines), capture_output=True, text=True,
                          timeout=300, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.slow
def test_swift_memory_answers_as_pythons(digits_grid, users, app_model, tmp_path, summary_line):
    method = app_model.preprocessing_method
    rng = np.random.default_rng(31)
    drawings = answered = changed = equal = close = edges = edges_equal = edges_answered = 0
    answered_by_kind: dict[str, int] = {}
    for u, user in enumerate(users):
        path = user.memory.save(tmp_path / f"user-{u}.json")
        grids = _grids(user.drawings, method)
        classes, proba = predict_proba(app_model, grids.reshape(-1, 8, 8))
        lines = [{"drawing": d, "probabilities": {str(c): p for c, p in _probability_map(classes, row).items()}}
                 for d, row in zip(user.drawings, proba, strict=True)]
        edge = _edge_cases(user.memory, rng, 100)
        lines += [{"grid": x.tolist(), "probabilities": {str(c): v for c, v in p.items()}} for x, p in edge]
        swift = _memory_run(digits_grid, path, method, lines)
        assert len(swift) == len(lines) and all("error" not in s for s in swift), next(s for s in swift if "error" in s)
        model = [a.digit for a in predict_with_confidence(app_model, grids.reshape(-1, 8, 8))]
        for s, g, row, kind, said in zip(swift[:len(grids)], grids, proba, user.kinds, model, strict=True):
            python = user.memory.answer(g, _probability_map(classes, row))
            drawings += 1
            close += len(s["grid"]) == 64 and float(np.max(np.abs(np.subtract(s["grid"], g)))) <= TOLERANCE
            equal += s["memory"] == python
            answered += python is not None
            changed += python is not None and python != said
            answered_by_kind[kind] = answered_by_kind.get(kind, 0) + (python is not None)
        for s, (x, p) in zip(swift[len(grids):], edge, strict=True):
            python = user.memory.answer(x, p)
            edges += 1
            edges_equal += s["memory"] == python and s["grid"] == x.tolist()
            edges_answered += python is not None
    sizes = [len(user.memory) for user in users]
    disagreeing = sum(any(d != m for d, m in zip(user.memory.digits, user.memory.model_said, strict=True))
                      for user in users)
    summary = (f"Swift digits-grid vs Python, personal memory, {len(users)} users' memories ({min(sizes)}-{max(sizes)} "
               f"samples, {disagreeing} disagreeing with the model), {drawings:,} drawings: {close:,}/{drawings:,} grids "
               f"within 1e-6; {answered:,} answered by the memory (redrawn {answered_by_kind['again']}, fresh "
               f"{answered_by_kind['fresh']}, others' {answered_by_kind['other']}; {changed} changing the model's "
               f"answer); {equal:,}/{drawings:,} memory answers equal; {edges_equal}/{edges} hand-made grids at the "
               f"radius's edge and at ties equal ({edges_answered} answered)")
    summary_line(summary)
    assert close == drawings and equal == drawings and edges_equal == edges, summary
    assert drawings >= 1000 and len(users) >= 5 and all(5 <= n <= 50 for n in sizes) and disagreeing >= 1, summary
    assert answered >= drawings // 3 and changed >= 20 and 0 < edges_answered < edges, summary


def _same(a: PersonalMemory, b: PersonalMemory) -> bool:
    return np.array_equal(a.grids, b.grids) and a.digits == b.digits and a.model_said == b.model_said


def _write_memory(digits_grid: Path, out: Path, samples: list[tuple[np.ndarray, int, int | None]],
                  memory: Path | None = None) -> subprocess.CompletedProcess:
    lines = "".join(json.dumps({"grid": g.ravel().tolist(), "digit": d, "model_said": m}) + "\n" for g, d, m in samples)
    given = ["--memory", str(memory)] if memory else []
    return subprocess.run([str(digits_grid), *given, "--write-memory", str(out)], input=lines, capture_output=True,
                          text=True, timeout=60)


#: Memory files both sides must refuse, each with the same message: (what is wrong, the JSON text).
def _bad_memories(good: dict) -> list[tuple[str, str]]:
    def edit(change) -> str:
        doc = copy.deepcopy(good)
        change(doc)
        return json.dumps(doc)

    def sample(change):
        return lambda doc: change(doc["samples"][1])

    return [
        ("not JSON", "{"), ("a list", "[]"), ("an extra key", edit(lambda d: d.update(extra=1))),
        ("another schema", edit(lambda d: d.update(schema="digits_svm.other_memory"))),
        ("version 2", edit(lambda d: d.update(version=2))), ("version true", edit(lambda d: d.update(version=True))),
        ("version '1'", edit(lambda d: d.update(version="1"))),
        ("501 samples", edit(lambda d: d.update(samples=d["samples"] * 501))),
        ("samples not a list", edit(lambda d: d.update(samples={"grid": []}))),
        ("a sample without model_said", edit(sample(lambda s: s.pop("model_said")))),
        ("63 numbers", edit(sample(lambda s: s["grid"].pop()))),
        ("17.0", edit(sample(lambda s: s["grid"].__setitem__(5, 17.0)))),
        ("-1", edit(sample(lambda s: s["grid"].__setitem__(63, -1)))),
        ("a string in the grid", edit(sample(lambda s: s["grid"].__setitem__(0, "1")))),
        ("a bool in the grid", edit(sample(lambda s: s["grid"].__setitem__(0, True)))),
        ("1e400 in the grid", edit(sample(lambda s: s["grid"].__setitem__(0, "INF"))).replace('"INF"', "1e400")),
        ("digit 10", edit(sample(lambda s: s.update(digit=10)))), ("digit 3.0", edit(sample(lambda s: s.update(digit=3.0)))),
        ("digit true", edit(sample(lambda s: s.update(digit=True)))),
        ("digit null", edit(sample(lambda s: s.update(digit=None)))),
        ("model_said -1", edit(sample(lambda s: s.update(model_said=-1)))),
        ("model_said '7'", edit(sample(lambda s: s.update(model_said="7")))),
    ]


@pytest.mark.slow
def test_each_side_reads_the_others_memory_file(digits_grid, users, tmp_path, summary_line):
    rng = np.random.default_rng(37)
    # fractional values as Python and Swift write floats, and the whole 0..16
    odd = np.array([0.1 + 0.2, 1e-05, 15.999999999999998, 16.0, 0.5, 2 / 3, 5e-324, 1e-4] * 8).reshape(8, 8)
    extra = [(odd, 3, None), (rng.uniform(0, 16, (8, 8)), 0, 9), (np.zeros((8, 8)), 9, 4)]
    python_written = swift_written = 0
    for u, user in enumerate(users):
        # Python writes, Swift reads it, adds the extra samples, writes; Python reads that
        written = tmp_path / f"swift-{u}.json"
        done = _write_memory(digits_grid, written, extra, memory=user.memory.save(tmp_path / f"python-{u}.json"))
        assert done.returncode == 0, done.stderr
        expected = PersonalMemory.from_json(user.memory.to_json())
        expected.add(np.array([g for g, _, _ in extra]), [d for _, d, _ in extra], model_said=[m for *_, m in extra])
        assert _same(PersonalMemory.load(written), expected)
        assert written.read_text() == expected.to_json()  # byte for byte the same file
        python_written += 1
    # Swift writes a memory from scratch, one past the cap: both keep the newest 500
    samples = [(rng.integers(0, 17, (8, 8)) * rng.choice([1.0, 0.25, 0.1]), int(k % 10), [None, *range(10)][k % 11])
               for k in range(MAX_SAMPLES + 5)]
    done = _write_memory(digits_grid, tmp_path / "cap.json", samples)
    assert done.returncode == 0, done.stderr
    expected = PersonalMemory()
    expected.add(np.array([g for g, _, _ in samples]), [d for _, d, _ in samples], model_said=[m for *_, m in samples])
    assert len(expected) == MAX_SAMPLES and _same(PersonalMemory.load(tmp_path / "cap.json"), expected)
    assert (tmp_path / "cap.json").read_text() == expected.to_json()
    swift_written += 1
    # the memories both refuse, with the same message
    refusals = []
    for what, text in _bad_memories(json.loads(users[0].memory.to_json())):
        path = tmp_path / "bad.json"
        path.write_text(text)
        with pytest.raises(MemoryFileError) as python:
            PersonalMemory.load(path)
        done = subprocess.run([str(digits_grid), "--memory", str(path)], input="", capture_output=True, text=True,
                              timeout=60)
        refusals.append((what, done.returncode, done.stderr.strip(), f"digits-grid: {python.value}"))
    matched = sum(code == 2 and swift == python for _, code, swift, python in refusals)
    summary = (f"Swift digits-grid vs Python, personal memory files: {python_written} written by Python read, "
               f"extended and written back by Swift byte for byte as Python writes them; {swift_written} written by "
               f"Swift ({MAX_SAMPLES + 5} samples, the newest {MAX_SAMPLES} kept) loaded by Python equal; "
               f"{matched}/{len(refusals)} malformed files refused with Python's message")
    summary_line(summary)
    assert matched == len(refusals), next(r for r in refusals if r[1] != 2 or r[2] != r[3])
