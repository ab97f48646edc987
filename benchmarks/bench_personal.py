"""Personal memory: does remembering a user's corrections fix their misread digits, and at what cost?

Synthetic users (`USERS`) each write every digit in one consistent personal style: their
own stroke shapes (`TEMPLATES`, drawn here, not the training styles of
`digits_svm.datasets`), their own slant, aspect, rotation, size and pen, varied per
drawing as a hand varies (`HAND_JITTER`, applied by `digits_svm.datasets._handwriting.vary_strokes`).
Every drawing goes through the app's rendering and preprocessing
(`digits_svm.drawing.preprocess_strokes`) and the shipped ``.mlmodel`` (run by
`digits_svm.coreml.CoreMLRuntime`, answered by the 0.72 rule of
`digits_svm.confidence`); the memory's rule is `digits_svm.memory.PersonalMemory`.

Protocol, per user, everything seeded and nothing trained:

- **before**: 100 fresh drawings of each digit (seed stream ``[seed, user, digit, 1, i]``),
  answered by the model alone; a digit is *misread* when at most 50% of them are right
  (the answer, not the best guess: "not a digit" is wrong);
- **corrections**: for each misread digit, the first 1, 3 and 5 drawings of a separate
  seed stream (``[seed, user, digit, 0, i]``) that the model answers wrongly, stored
  with the model's answer (what the user would have corrected); the fresh test drawings
  are never corrections;
- **after k**: the same 100 fresh drawings per digit answered by model + memory of the
  k corrections of every misread digit;
- **other writers**: the effect of each user's memory (5 corrections) on (a) the 1,000
  real dev digits (benchmarks/data/handwriting-dev, MNIST; measured only: no parameter
  was chosen on them) as best-guess accuracy, per user, with the 7s apart; (b)
  synthesized digits of other hands (`digits_svm.datasets.synthesize`, seed 777, not a
  training seed), the set on which the rule's parameters were chosen; (c) non-digits
  (`digits_svm.datasets.synthesize_nondigits`, seed 778): how many the memory turns
  into a digit;
- **time**: one answer at a time, model alone against model + a memory of 500 samples,
  interleaved in one run.

Run::

    python benchmarks/bench_personal.py [--model artifacts/DigitsSVM.mlmodel] [--seed 2026]
        [--rule final] [--dev benchmarks/data/handwriting-dev]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

# One answer at a time is what the phone does; multi-threaded BLAS on a busy 2-core machine makes
# the model's single-grid time erratic (0.3 ms to 8 ms), so the timing runs on one thread.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_real_handwriting, beside this file

from digits_svm import memory as personal  # noqa: E402
from digits_svm.confidence import DEFAULT_MIN_CONFIDENCE, answers_from_proba  # noqa: E402
from digits_svm.coreml import CoreMLRuntime  # noqa: E402
from digits_svm.datasets._handwriting import curve as _curve  # noqa: E402  (the same Catmull-Rom spline)
from digits_svm.datasets._handwriting import vary_strokes  # noqa: E402
from digits_svm.drawing import preprocess_strokes  # noqa: E402
from digits_svm.memory import PersonalMemory  # noqa: E402

N_TEST = 100          # fresh drawings per digit and user
CORRECTIONS = (1, 3, 5)
MISREAD = 0.5         # a digit is misread when at most this fraction is answered right
MAX_TRIES = 400       # correction-stream drawings looked at to find 5 misread ones


# -- stroke templates of this benchmark's own (unit box, x right, y down) ------------------

def _arc(cx, cy, rx, ry, start, stop, n=24):
    t = np.radians(np.linspace(start, stop, n))
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in t]


def _line(*points):
    return [(float(x), float(y)) for x, y in points]



TEMPLATES = {
    0: {
        "oval": [_arc(0.5, 0.5, 0.42, 0.5, -90, 275, 40)],
        "slashed": [_arc(0.5, 0.5, 0.42, 0.5, -90, 275, 40), _line((0.85, 0.08), (0.15, 0.92))],
        "dotted": [_arc(0.5, 0.5, 0.42, 0.5, -90, 275, 40), _line((0.48, 0.45), (0.52, 0.55))],
        "loop top": [_curve((0.6, 0.0), (0.15, 0.2), (0.1, 0.7), (0.5, 1.0), (0.9, 0.6), (0.75, 0.1), (0.35, 0.12),
                            (0.25, 0.02))],
    },
    1: {
        "stick": [_line((0.5, 0.0), (0.5, 1.0))],
        "long flag": [_line((0.0, 0.5), (0.7, 0.0), (0.65, 1.0))],
        "very long flag": [_line((0.0, 0.62), (0.75, 0.0), (0.7, 1.0))],
        "high flag": [_line((0.0, 0.3), (0.75, 0.0), (0.7, 1.0))],
        "flag and serif": [_line((0.0, 0.45), (0.6, 0.0), (0.6, 1.0)), _line((0.25, 1.0), (0.95, 1.0))],
        "base serif": [_line((0.25, 0.22), (0.55, 0.0), (0.55, 1.0)), _line((0.1, 1.0), (0.95, 1.0))],
        "hooked": [_curve((0.1, 0.3), (0.4, 0.15), (0.6, 0.0), n=4) + _line((0.6, 0.0), (0.55, 1.0), (0.85, 0.9))],
    },
    2: {
        "plain": [_arc(0.5, 0.28, 0.4, 0.28, 200, 360, 16) + _line((0.9, 0.28), (0.08, 1.0), (0.95, 1.0))],
        "looped": [_arc(0.5, 0.28, 0.4, 0.28, 195, 360, 16)
                   + _curve((0.9, 0.3), (0.55, 0.62), (0.2, 0.92), (0.1, 0.8), (0.28, 0.72), (0.4, 0.92),
                            (0.95, 0.98), n=6)],
        "z-like": [_line((0.05, 0.0), (0.95, 0.0), (0.05, 1.0), (0.95, 1.0))],
        "curl start": [_curve((0.3, 0.3), (0.15, 0.15), (0.35, 0.0), (0.75, 0.05), (0.85, 0.35), (0.4, 0.75),
                              (0.05, 1.0), n=6) + _line((0.05, 1.0), (0.95, 1.0))],
    },
    3: {
        "round": [_arc(0.45, 0.26, 0.4, 0.26, 200, 450, 20) + _arc(0.45, 0.74, 0.47, 0.26, 270, 520, 20)],
        "flat top": [_line((0.05, 0.0), (0.9, 0.0), (0.35, 0.42)) + _arc(0.45, 0.7, 0.45, 0.3, 270, 520, 20)],
        "cursive": [_curve((0.1, 0.1), (0.5, 0.0), (0.8, 0.2), (0.45, 0.5), (0.3, 0.45), (0.45, 0.5), (0.9, 0.7),
                           (0.55, 1.0), (0.05, 0.9), n=6)],
    },
    4: {
        "closed": [_line((0.65, 0.0), (0.03, 0.66), (0.97, 0.66)), _line((0.68, 0.0), (0.68, 1.0))],
        "open": [_line((0.12, 0.0), (0.08, 0.6), (0.95, 0.6)), _line((0.72, 0.0), (0.72, 1.0))],
        "open high cross": [_line((0.15, 0.0), (0.1, 0.35), (1.0, 0.35)), _line((0.7, 0.0), (0.7, 1.0))],
        "chair": [_line((0.05, 0.0), (0.05, 0.55), (0.75, 0.55)), _line((0.75, 0.0), (0.75, 1.0), (0.95, 1.0))],
    },
    5: {
        "two strokes": [_line((0.18, 0.02), (0.12, 0.44)) + _arc(0.47, 0.7, 0.44, 0.3, 225, 505, 24),
                        _line((0.18, 0.0), (0.92, 0.03))],
        "high flag": [_line((0.2, 0.15), (0.15, 0.5)) + _arc(0.48, 0.72, 0.42, 0.28, 225, 505, 24),
                      _line((0.25, 0.0), (1.0, -0.05))],
        "s-curve": [_curve((0.9, 0.0), (0.25, 0.05), (0.15, 0.4), (0.65, 0.45), (0.85, 0.75), (0.45, 1.0), (0.05, 0.85))],
    },
    6: {
        "curved": [_curve((0.8, 0.0), (0.35, 0.25), (0.08, 0.7)) + _arc(0.48, 0.72, 0.4, 0.28, 180, 540, 30)],
        "tiny loop": [_curve((0.7, 0.0), (0.35, 0.3), (0.2, 0.8)) + _arc(0.38, 0.85, 0.18, 0.15, 180, 540, 20)],
        "straight": [_line((0.55, 0.0), (0.15, 0.75)) + _arc(0.45, 0.75, 0.32, 0.25, 180, 540, 28)],
    },
    7: {
        "plain": [_line((0.04, 0.03), (0.96, 0.0), (0.38, 1.0))],
        "barred": [_line((0.04, 0.03), (0.96, 0.0), (0.38, 1.0)), _line((0.3, 0.52), (0.85, 0.48))],
        "barred serif": [_line((0.05, 0.2), (0.05, 0.0), (0.95, 0.0), (0.45, 1.0)), _line((0.35, 0.5), (0.9, 0.5))],
        "barred hook": [_curve((0.0, 0.2), (0.1, 0.03), (0.5, 0.05), (0.95, 0.0), n=6) + _line((0.95, 0.0), (0.5, 1.0)),
                        _line((0.3, 0.5), (0.9, 0.5))],
        "steep": [_line((0.15, 0.05), (0.9, 0.0), (0.75, 1.0))],
    },
    8: {
        "two circles": [_arc(0.5, 0.24, 0.32, 0.24, 0, 360, 28), _arc(0.5, 0.73, 0.43, 0.27, -80, 285, 28)],
        "one stroke": [_curve((0.8, 0.12), (0.5, 0.0), (0.2, 0.12), (0.25, 0.35), (0.5, 0.48), (0.8, 0.65),
                              (0.75, 0.92), (0.5, 1.0), (0.22, 0.9), (0.2, 0.68), (0.5, 0.48), (0.75, 0.3),
                              (0.8, 0.12), n=6)],
        "snowman": [_arc(0.5, 0.18, 0.2, 0.18, 0, 360, 24), _arc(0.5, 0.66, 0.48, 0.34, -90, 270, 30)],
        "hourglass": [_line((0.1, 0.0), (0.9, 0.0), (0.1, 1.0), (0.9, 1.0), (0.1, 0.0))],
    },
    9: {
        "straight stem": [_arc(0.45, 0.28, 0.4, 0.28, 0, 370, 30) + _line((0.85, 0.25), (0.85, 1.0))],
        "g tail": [_arc(0.45, 0.27, 0.38, 0.27, 0, 370, 30)
                   + _curve((0.83, 0.3), (0.82, 0.8), (0.5, 1.0), (0.15, 0.85), n=8)],
        "small head": [_arc(0.5, 0.15, 0.25, 0.15, 0, 370, 24) + _line((0.75, 0.15), (0.75, 1.0))],
        "flat head": [_arc(0.5, 0.2, 0.45, 0.2, 0, 370, 30) + _line((0.95, 0.2), (0.9, 1.0))],
    },
}

#: How one person's drawings of the same digit differ from one another, around their hand:
#: slant, aspect and rotation as offsets, height and pen as factors; wobble, trim and
#: misplace as `digits_svm.datasets._handwriting.VARIATION` ranges.
HAND_JITTER = {"slant": 0.06, "aspect": 0.08, "rotation": 4.0, "height": 0.2, "pen": 0.2,
               "wobble": (0.03, 0.1), "trim": (-0.05, 0.05), "misplace": (0.0, 0.03)}


def _user(name, hand, **styles):
    """A user: a name, a hand (slant, aspect, rotation, height, pen) and a style name per digit."""
    defaults = {0: "oval", 1: "stick", 2: "plain", 3: "round", 4: "closed", 5: "two strokes", 6: "curved",
                7: "plain", 8: "two circles", 9: "straight stem"}
    chosen = {d: styles.get(f"d{d}", defaults[d]) for d in range(10)}
    return {"name": name, "hand": hand, "styles": chosen}


#: The synthetic users: each writes every digit in one style of `TEMPLATES`, in one hand.
USERS = [
    _user("anna: continental, wide", dict(slant=0.05, aspect=1.05, rotation=0.0, height=55, pen=0.1),
          d1="very long flag", d7="barred", d4="open", d2="looped"),
    _user("hans: German school", dict(slant=0.1, aspect=0.75, rotation=0.0, height=70, pen=0.09),
          d1="high flag", d7="barred", d4="open", d9="g tail"),
    _user("ben: thin, right-slanted", dict(slant=0.3, aspect=0.42, rotation=6.0, height=100, pen=0.14),
          d4="open high cross", d9="small head", d7="barred", d3="flat top"),
    _user("chloe: back-slanted", dict(slant=-0.3, aspect=0.7, rotation=-8.0, height=60, pen=0.08),
          d1="flag and serif", d0="dotted", d7="barred serif", d9="flat head"),
    _user("dev: programmer", dict(slant=0.1, aspect=0.75, rotation=2.0, height=70, pen=0.09),
          d0="slashed", d7="barred", d2="z-like", d1="base serif"),
    _user("eva: round, wide", dict(slant=0.0, aspect=1.1, rotation=-2.0, height=50, pen=0.1),
          d1="hooked", d8="hourglass", d7="steep", d4="chair"),
    _user("farid: thin, cursive", dict(slant=0.3, aspect=0.45, rotation=5.0, height=95, pen=0.13),
          d9="g tail", d8="snowman", d7="barred hook", d1="long flag", d3="cursive", d5="s-curve"),
    _user("greta: school print", dict(slant=0.08, aspect=0.7, rotation=0.0, height=70, pen=0.09)),
]


def _variation(hand):
    j = HAND_JITTER
    return {"slant": (hand["slant"] - j["slant"], hand["slant"] + j["slant"]),
            "aspect": (hand["aspect"] - j["aspect"], hand["aspect"] + j["aspect"]),
            "rotation": (hand["rotation"] - j["rotation"], hand["rotation"] + j["rotation"]),
            "height": (hand["height"] * (1 - j["height"]), hand["height"] * (1 + j["height"])),
            "pen": (hand["pen"] * (1 - j["pen"]), hand["pen"] * (1 + j["pen"])),
            "wobble": j["wobble"], "trim": j["trim"], "misplace": j["misplace"]}


def user_grids(user_index: int, digit: int, stream: int, indices, seed: int) -> np.ndarray:
    """Grids (n, 64) of the user's drawings ``indices`` of ``digit`` from seed stream ``stream``
    (0: drawings that may become corrections, 1: fresh test drawings)."""
    user = USERS[user_index]
    template = TEMPLATES[digit][user["styles"][digit]]
    variation = _variation(user["hand"])
    return np.array([preprocess_strokes(vary_strokes(template, np.random.default_rng([seed, user_index, digit, stream, i]),
                                                     variation=variation)).ravel() for i in indices])


# -- the protocol -------------------------------------------------------------------------------

class Model:
    """The shipped .mlmodel (NumPy runtime): probabilities, the app's answer and the best guess."""

    def __init__(self, path: Path):
        self.runtime = CoreMLRuntime.from_file(path)
        self.classes = np.asarray(self.runtime.classes_, dtype=np.int64)

    def proba(self, grids: np.ndarray) -> np.ndarray:
        return np.asarray(self.runtime.predict_proba(np.asarray(grids).reshape(-1, 8, 8)))

    def answers(self, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(answer, best guess): the answer is -1 for "not a digit"."""
        preds = answers_from_proba(self.classes, proba, DEFAULT_MIN_CONFIDENCE)
        return (np.array([-1 if p.digit is None else p.digit for p in preds], dtype=np.int64),
                np.array([p.best_guess for p in preds], dtype=np.int64))


class UserData:
    """One user's fresh test drawings (grids, probabilities, model answers) and corrections."""

    def __init__(self, model: Model, index: int, seed: int):
        self.index, self.user = index, USERS[index]
        self.grids, self.proba, self.answer, self.guess = {}, {}, {}, {}
        for d in range(10):
            g = user_grids(index, d, 1, range(N_TEST), seed)
            p = model.proba(g)
            self.grids[d], self.proba[d] = g, p
            self.answer[d], self.guess[d] = model.answers(p)
        self.before = {d: float((self.answer[d] == d).mean()) for d in range(10)}
        self.misread = [d for d in range(10) if self.before[d] <= MISREAD]
        # corrections: the first drawings of stream 0 that the model answers wrongly
        self.corrections = {}
        for d in self.misread:
            found: list[tuple[np.ndarray, int]] = []
            start = 0
            while len(found) < max(CORRECTIONS) and start < MAX_TRIES:
                g = user_grids(index, d, 0, range(start, start + 20), seed)
                a, _ = model.answers(model.proba(g))
                found += [(g[i], int(a[i])) for i in np.flatnonzero(a != d)]
                start += 20
            if len(found) < max(CORRECTIONS):
                raise RuntimeError(f"{self.user['name']}: only {len(found)} misread {d}s in {MAX_TRIES} drawings")
            self.corrections[d] = found[:max(CORRECTIONS)]

    def memory(self, k: int) -> PersonalMemory:
        """The memory after k corrections of each misread digit (added in turn: round r of every digit)."""
        memory = PersonalMemory()
        for r in range(k):
            for d in self.misread:
                grid, said = self.corrections[d][r]
                memory.add([grid], [d], model_said=[None if said == -1 else said])
        return memory


def parametrized_answers(memory: PersonalMemory, grids: np.ndarray, proba: np.ndarray, classes: np.ndarray,
                         radius: float, prob_weight: float, confidence_weight: float) -> np.ndarray:
    """`PersonalMemory.answers` with other parameters than the chosen ones (for the search): -1 where none."""
    grids = np.asarray(grids, dtype=np.float64).reshape(-1, 64)
    n = len(grids)
    out = np.full(n, -1, dtype=np.int64)
    if len(memory) == 0 or n == 0:
        return out
    mem, digits = memory.grids.reshape(-1, 64), np.array(memory.digits)
    present = sorted(set(memory.digits))
    d2 = np.empty((n, len(mem)))
    for start in range(0, n, 256):
        chunk = grids[start:start + 256]
        d2[start:start + 256] = np.cumsum((chunk[:, None, :] - mem[None]) ** 2, axis=2)[:, :, -1]
    per_digit = np.stack([d2[:, digits == d].min(axis=1) for d in present], axis=1)
    best = per_digit.min(axis=1)
    ties = (per_digit == best[:, None]).sum(axis=1) > 1
    y = np.array(present)[per_digit.argmin(axis=1)]
    column = {int(c): i for i, c in enumerate(classes)}
    p_y = proba[np.arange(n), [column[int(v)] for v in y]]
    limit = np.array([radius + prob_weight * math.log10(max(a, personal.PROB_FLOOR)) - confidence_weight * math.log10(b)
                      for a, b in zip(p_y.tolist(), proba.max(axis=1).tolist(), strict=True)])
    fire = ~ties & (limit > 0) & (np.sqrt(best) < limit)
    out[fire] = y[fire]
    return out


def rule_answers(rule: dict, memory: PersonalMemory, grids: np.ndarray, proba: np.ndarray,
                 classes: np.ndarray, model_answer: np.ndarray) -> np.ndarray:
    """The memory's digit per grid (-1: none) under ``rule`` (the chosen one or an alternative)."""
    kind = rule["kind"]
    if kind == "final":
        if rule == CHOSEN:  # the library's own rule
            return memory.answers(np.asarray(grids).reshape(-1, 8, 8), classes, proba)
        return parametrized_answers(memory, grids, proba, classes, rule["radius"], rule["prob_weight"],
                                    rule["confidence_weight"])
    if len(memory) == 0:
        return np.full(len(grids), -1, dtype=np.int64)
    mem, digits = memory.grids.reshape(-1, 64), np.array(memory.digits)
    d = np.sqrt(((grids[:, None, :] - mem[None]) ** 2).sum(axis=2))
    nn = d.argmin(axis=1)
    dnn, y = d[np.arange(len(grids)), nn], digits[nn]
    if kind == "plain":          # nearest sample within a fixed radius
        fire = dnn < rule["radius"]
    elif kind == "misreading":   # ... and the model's answer is one it gave for the user's samples of y
        said = np.array([-1 if m is None else m for m in memory.model_said])
        known = {dg: set(said[digits == dg].tolist()) for dg in set(digits.tolist())}
        fire = (dnn < rule["radius"]) & np.array([a in known[t] for a, t in zip(model_answer.tolist(), y.tolist(), strict=True)])
    elif kind == "spread":       # radius relative to the spread of the user's samples of y
        spread = {}
        for dg in set(digits.tolist()):
            s = mem[digits == dg]
            pair = np.sqrt(((s[:, None] - s[None]) ** 2).sum(axis=2))[np.triu_indices(len(s), 1)]
            spread[dg] = float(np.median(pair)) if len(pair) else rule["default_spread"]
        fire = dnn < rule["factor"] * np.array([spread[t] for t in y.tolist()])
    else:
        raise ValueError(kind)
    return np.where(fire, y, -1)


CHOSEN = {"kind": "final", "radius": personal.RADIUS, "prob_weight": personal.PROB_WEIGHT,
          "confidence_weight": personal.CONFIDENCE_WEIGHT}

#: The rules compared by --alternatives (the chosen one last).
ALTERNATIVES = {
    "plain radius 20": {"kind": "plain", "radius": 20.0},
    "plain radius 25": {"kind": "plain", "radius": 25.0},
    "plain radius 30": {"kind": "plain", "radius": 30.0},
    "radius 30 + model said a stored misreading (or not a digit)": {"kind": "misreading", "radius": 30.0},
    "radius 1.2 x spread of the user's samples": {"kind": "spread", "factor": 1.2, "default_spread": 20.0},
    "prob-adjusted, aggressive (R 30, B 4, W 20)": {"kind": "final", "radius": 30.0, "prob_weight": 4.0,
                                                     "confidence_weight": 20.0},
    "prob-adjusted, no confidence term (R 26, B 4, W 0)": {"kind": "final", "radius": 26.0, "prob_weight": 4.0,
                                                            "confidence_weight": 0.0},
    "chosen (R 24, B 4, W 20)": CHOSEN,
}


def final_answers(rule, memory, grids, proba, classes, answer):
    mem = rule_answers(rule, memory, grids, proba, classes, answer)
    return np.where(mem >= 0, mem, answer), mem


def evaluate_user(data: UserData, model: Model, rule: dict) -> dict:
    """Accuracy per digit before and after 1, 3, 5 corrections."""
    out = {"before": data.before, "after": {}}
    for k in CORRECTIONS:
        memory = data.memory(k)
        out["after"][k] = {}
        for d in range(10):
            final, _ = final_answers(rule, memory, data.grids[d], data.proba[d], model.classes, data.answer[d])
            out["after"][k][d] = float((final == d).mean())
    return out


class OtherSet:
    """Digits of other writers (or non-digits): grids, labels, probabilities, answers."""

    def __init__(self, model: Model, grids: np.ndarray, labels: np.ndarray):
        self.grids, self.labels = np.asarray(grids, dtype=np.float64).reshape(-1, 64), np.asarray(labels)
        self.proba = model.proba(self.grids)
        self.answer, self.guess = model.answers(self.proba)

    def effect(self, rule: dict, memory: PersonalMemory, classes: np.ndarray) -> dict:
        mem = rule_answers(rule, memory, self.grids, self.proba, classes, self.answer)
        guess = np.where(mem >= 0, mem, self.guess)
        answer = np.where(mem >= 0, mem, self.answer)
        y = self.labels
        sevens = y == 7
        return {
            "guess": 100 * ((guess == y).mean() - (self.guess == y).mean()),
            "answer": 100 * ((answer == y).mean() - (self.answer == y).mean()),
            "sevens": 100 * ((guess[sevens] == 7).mean() - (self.guess[sevens] == 7).mean()) if sevens.any() else 0.0,
            "fired": 100 * (mem >= 0).mean(),
            "became_digit": 100 * ((self.answer == -1) & (mem >= 0)).mean(),
            "lost": {int(d): int(((self.guess == y) & (guess != y) & (y == d)).sum()) for d in range(10)},
        }


def timing(model: Model, memory: PersonalMemory, grids: np.ndarray, repeats: int) -> dict:
    """Seconds per answer, one grid at a time: model alone, and model + memory, interleaved."""
    classes = model.classes.tolist()
    alone, both, rule_only = [], [], []
    for i in range(repeats):
        g = grids[i % len(grids)]
        order = (0, 1) if i % 2 == 0 else (1, 0)
        for which in order:
            t0 = time.perf_counter()
            p = model.proba(g[None])
            answer = answers_from_proba(model.classes, p, DEFAULT_MIN_CONFIDENCE)[0]
            if which == 1:
                t1 = time.perf_counter()
                mine = memory.answer(g, dict(zip(classes, p[0].tolist(), strict=True)))
                t2 = time.perf_counter()
                _ = mine if mine is not None else answer.digit
                both.append(t2 - t0)
                rule_only.append(t2 - t1)
            else:
                alone.append(time.perf_counter() - t0)
    return {"alone": float(np.median(alone)), "both": float(np.median(both)), "rule": float(np.median(rule_only))}


# -- printing ---------------------------------------------------------------------------------------

def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def print_users(datas: list[UserData]) -> None:
    print("## The synthetic users\n")
    print("| user | hand (slant, aspect, rotation, height pt, pen) | own styles | misread (model alone, ≤ 50% right) |")
    print("|---|---|---|---|")
    for data in datas:
        u = data.user
        h = u["hand"]
        styles = ", ".join(f"{d}: {s}" for d, s in u["styles"].items()
                           if s != {0: "oval", 1: "stick", 2: "plain", 3: "round", 4: "closed", 5: "two strokes",
                                    6: "curved", 7: "plain", 8: "two circles", 9: "straight stem"}[d])
        misread = ", ".join(f"{d} ({_pct(data.before[d])})" for d in data.misread) or "none"
        print(f"| {u['name']} | {h['slant']:+.2f}, {h['aspect']:.2f}, {h['rotation']:+.0f}°, {h['height']:.0f}, "
              f"{h['pen']:.2f} | {styles or 'school print'} | {misread} |")
    print()


def print_results(datas: list[UserData], results: list[dict]) -> dict:
    print("## Misread digits: answered right, model alone and after k corrections\n")
    print("(100 fresh drawings per digit; corrections come from a separate seed stream.)\n")
    print("| user | digit (style) | model alone | after 1 | after 3 | after 5 | ≥ 95% by 5? |")
    print("|---|---|---:|---:|---:|---:|:---:|")
    fixed = {k: [] for k in CORRECTIONS}
    for data, res in zip(datas, results, strict=True):
        for d in data.misread:
            after = [res["after"][k][d] for k in CORRECTIONS]
            for k, a in zip(CORRECTIONS, after, strict=True):
                fixed[k].append(a)
            print(f"| {data.user['name'].split(':')[0]} | {d} ({data.user['styles'][d]}) | {_pct(res['before'][d])} | "
                  + " | ".join(_pct(a) for a in after) + f" | {'yes' if max(after) >= 0.95 else 'no'} |")
    print()
    print("## The same users' other digits (not corrected): answered right\n")
    print("| user | model alone (all other digits) | after 1 | after 3 | after 5 | worst digit drop after 1 / 3 / 5 (points) |")
    print("|---|---:|---:|---:|---:|---|")
    worst_all = {k: 0.0 for k in CORRECTIONS}
    for data, res in zip(datas, results, strict=True):
        others = [d for d in range(10) if d not in data.misread]
        before = np.mean([res["before"][d] for d in others])
        cells, drops = [], []
        for k in CORRECTIONS:
            cells.append(_pct(np.mean([res["after"][k][d] for d in others])))
            drop = [(100 * (res["before"][d] - res["after"][k][d]), d) for d in others]
            w = max(drop)
            worst_all[k] = max(worst_all[k], w[0])
            drops.append(f"{w[0]:.0f} ({w[1]})" if w[0] > 0 else "0")
        print(f"| {data.user['name'].split(':')[0]} | {_pct(before)} | " + " | ".join(cells) + " | " + " / ".join(drops) + " |")
    print()
    summary = {"fixed": fixed, "worst_drop": worst_all}
    print("## Overall\n")
    print("| corrections per misread digit | misread digits: mean right | lowest | at ≥ 95% "
          "| worst drop of another digit (points) |")
    print("|---:|---:|---:|---:|---:|")
    n = len(fixed[CORRECTIONS[0]])
    before = [res["before"][d] for data, res in zip(datas, results, strict=True) for d in data.misread]
    print(f"| 0 (model alone) | {_pct(np.mean(before))} | {_pct(np.min(before))} | {sum(b >= 0.95 for b in before)}/{n} | 0 |")
    for k in CORRECTIONS:
        print(f"| {k} | {_pct(np.mean(fixed[k]))} | {_pct(np.min(fixed[k]))} | {sum(a >= 0.95 for a in fixed[k])}/{n} | "
              f"{worst_all[k]:.0f} |")
    print()
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=REPO / "artifacts" / "DigitsSVM.mlmodel",
                        help="the app's .mlmodel (digits-svm train --preset app)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the users' drawings (the rule was chosen on 101, 202)")
    parser.add_argument("--dev", type=Path, default=REPO / "benchmarks" / "data" / "handwriting-dev")
    parser.add_argument("--alternatives", action="store_true", help="also compare the rules of ALTERNATIVES")
    parser.add_argument("--radius", type=float, default=personal.RADIUS)
    parser.add_argument("--prob-weight", type=float, default=personal.PROB_WEIGHT)
    parser.add_argument("--confidence-weight", type=float, default=personal.CONFIDENCE_WEIGHT)
    parser.add_argument("--timing-repeats", type=int, default=400)
    parser.add_argument("--save-memories", type=Path, default=None, help="folder to write each user's 5-correction memory (JSON)")
    args = parser.parse_args(argv)
    t_start = time.perf_counter()
    rule = {"kind": "final", "radius": args.radius, "prob_weight": args.prob_weight,
            "confidence_weight": args.confidence_weight}

    model = Model(args.model)
    print(f"# Personal memory benchmark (seed {args.seed}, model {args.model.name}, "
          f"{model.runtime.n_support_vectors:,} support vectors)\n")
    print(f"Rule: nearest memory sample (Euclidean over the 64 grid values) when "
          f"d < {rule['radius']:g} + {rule['prob_weight']:g}·log10 p(memory digit) − "
          f"{rule['confidence_weight']:g}·log10 p(model's top class), and nearer than any other digit's samples.\n")
    datas = [UserData(model, i, args.seed) for i in range(len(USERS))]
    print_users(datas)
    results = [evaluate_user(data, model, rule) for data in datas]
    summary = print_results(datas, results)

    # other writers
    from digits_svm.datasets import synthesize, synthesize_nondigits

    others = {}
    try:
        from bench_real_handwriting import dev_grids

        dev = dev_grids(args.dev)
    except Exception as error:  # noqa: BLE001 - the dev set is optional
        print(f"(dev set not read: {error})")
        dev = None
    if dev is None:
        print(f"real handwriting dev set not found in {args.dev}: the dev-set rows are skipped\n")
    else:
        others["dev"] = OtherSet(model, dev[0], dev[1])
    X, y = synthesize(1000, seed=777)
    others["synth"] = OtherSet(model, X, y)
    N, _ = synthesize_nondigits(500, seed=778)
    others["nondigits"] = OtherSet(model, N, np.full(len(N), -1))

    print("## Other writers: each user's memory (5 corrections per misread digit) on digits it never saw\n")
    print("Dev = the 1,000 real MNIST digits (measured only). Synth = 1,000 synthesized digits of other hands "
          "(seed 777; the set the parameters were chosen on). Non-digits = 500 synthesized non-digits (seed 778).\n")
    print("| user | memory size | dev best guess Δ (points) | dev answer Δ | dev 7s best guess Δ | dev digits lost (digit: n) "
          "| synth best guess Δ | synth 7s Δ | non-digits turned into a digit |")
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|")
    dev_guess, dev_sevens = [], []
    for data in datas:
        memory = data.memory(max(CORRECTIONS))
        row = [data.user["name"].split(":")[0], str(len(memory))]
        if "dev" in others:
            e = others["dev"].effect(rule, memory, model.classes)
            dev_guess.append(e["guess"])
            dev_sevens.append(e["sevens"])
            lost = ", ".join(f"{d}: {n}" for d, n in e["lost"].items() if n) or "-"
            row += [f"{e['guess']:+.1f}", f"{e['answer']:+.1f}", f"{e['sevens']:+.0f}", lost]
        else:
            row += ["-"] * 4
        s = others["synth"].effect(rule, memory, model.classes)
        nd = others["nondigits"].effect(rule, memory, model.classes)
        row += [f"{s['guess']:+.1f}", f"{s['sevens']:+.0f}", f"{nd['became_digit']:.1f}%"]
        print("| " + " | ".join(row) + " |")
        if args.save_memories is not None:
            args.save_memories.mkdir(parents=True, exist_ok=True)
            (args.save_memories / f"{data.user['name'].split(':')[0]}.json").write_text(memory.to_json())
    if dev_guess:
        print(f"\nDev best-guess change, mean over users: **{np.mean(dev_guess):+.2f} points** "
              f"(worst {min(dev_guess):+.1f}); dev 7s, mean over users {np.mean(dev_sevens):+.1f} points "
              f"(worst {min(dev_sevens):+.0f}).\n")

    # consistency of the batch and the single-grid rule
    data = datas[1]
    memory = data.memory(max(CORRECTIONS))
    g, p = data.grids[7][:40], data.proba[7][:40]
    single = [memory.answer(g[i], dict(zip(model.classes.tolist(), p[i].tolist(), strict=True))) for i in range(len(g))]
    batch = parametrized_answers(memory, g, p, model.classes, personal.RADIUS, personal.PROB_WEIGHT,
                                 personal.CONFIDENCE_WEIGHT)
    assert [(-1 if s is None else s) for s in single] == batch.tolist(), "answer and the search's batch rule disagree"

    # timing: a memory of 500 samples
    big = PersonalMemory()
    big.add(list(others["synth"].grids[:personal.MAX_SAMPLES]), [int(v) for v in others["synth"].labels[:personal.MAX_SAMPLES]])
    queries = np.vstack([data.grids[d][:20] for data in datas for d in range(10)])
    t = timing(model, big, queries, args.timing_repeats)
    print("## Time per answer, one grid at a time (medians, interleaved in one run)\n")
    print("| model alone | model + memory of 500 samples | of which the memory rule | ratio |")
    print("|---:|---:|---:|---:|")
    print(f"| {1e3 * t['alone']:.3f} ms | {1e3 * t['both']:.3f} ms | {1e3 * t['rule']:.3f} ms | "
          f"**{t['both'] / t['alone']:.2f}x** |")
    print(f"\n(memory JSON of 500 samples: {len(big.to_json()):,} bytes)\n")

    if args.alternatives:
        print("## Alternatives (same users, same drawings)\n")
        print("| rule | misread: mean right after 1 / 3 / 5 | lowest after 5 | at ≥ 95% after 5 | worst other-digit drop after 5 "
              "| synth best guess Δ, mean over users (worst) | synth 7s Δ (worst user) | non-digits → digit (worst user) |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for name, alt in ALTERNATIVES.items():
            res = [evaluate_user(data, model, alt) for data in datas]
            fixed = {k: [r["after"][k][d] for data, r in zip(datas, res, strict=True) for d in data.misread] for k in CORRECTIONS}
            worst = max(100 * (r["before"][d] - r["after"][5][d]) for data, r in zip(datas, res, strict=True)
                        for d in range(10) if d not in data.misread)
            eff = [others["synth"].effect(alt, data.memory(5), model.classes) for data in datas]
            nd = [others["nondigits"].effect(alt, data.memory(5), model.classes)["became_digit"] for data in datas]
            print(f"| {name} | " + " / ".join(_pct(np.mean(fixed[k])) for k in CORRECTIONS)
                  + f" | {_pct(min(fixed[5]))} | {sum(a >= 0.95 for a in fixed[5])}/{len(fixed[5])} | {worst:.0f} | "
                  f"{np.mean([e['guess'] for e in eff]):+.2f} ({min(e['guess'] for e in eff):+.1f}) | "
                  f"{min(e['sevens'] for e in eff):+.0f} | {max(nd):.1f}% |")
        print()

    # targets
    fixed5 = summary["fixed"][5]
    print("## Targets\n")
    reached = sum(max(summary["fixed"][k][i] for k in CORRECTIONS) >= 0.95 for i in range(len(fixed5)))
    print(f"- misread digits at ≥ 95% after ≤ 5 corrections: {reached}/{len(fixed5)}"
          f" (mean {_pct(np.mean(fixed5))}, lowest {_pct(min(fixed5))} after 5)")
    print(f"- other digits of the same user drop ≤ 2 points: worst drop {summary['worst_drop'][5]:.0f} points after 5 "
          f"({'met' if summary['worst_drop'][5] <= 2 else 'missed'})")
    if dev_guess:
        print(f"- other writers (dev) move ≤ 1 point on average: {np.mean(dev_guess):+.2f} "
              f"({'met' if abs(np.mean(dev_guess)) <= 1 else 'missed'})")
    print(f"- time with a 500-sample memory ≤ 2x: {t['both'] / t['alone']:.2f}x "
          f"({'met' if t['both'] / t['alone'] <= 2 else 'missed'})")
    print(f"\n({time.perf_counter() - t_start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
