"""The Swift package against the library, as `verify` checks the .mlmodel against the pickle.

`digits-grid` (swift/, release build) and `preprocess_strokes` get the same 2,050 drawings:
seeded random strokes over the app's pen widths and screen scales, one-point dots,
per-point widths (force * 4), synthesized handwriting, and malformed drawings. Every grid
cell must be within 1e-6 of Python's, every refusal must be Python's refusal with Python's
message, and the shipped model (the app preset's .mlmodel) must answer the same on both
grids. The counts go to the test summary.
"""

from __future__ import annotations

import copy
import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import digits_svm
from digits_svm.confidence import predict_with_confidence
from digits_svm.coreml._runtime import CoreMLRuntime
from digits_svm.datasets._handwriting import synthesize_drawing
from digits_svm.errors import DigitsSVMError

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
