"""The personal memory: its file, its rule, and that an empty one changes nothing."""

from __future__ import annotations

import json

import numpy as np
import pytest

import digits_svm
from digits_svm.confidence import predict_proba, predict_with_confidence
from digits_svm.coreml._parity import parity_grids
from digits_svm.datasets import load_samples
from digits_svm.errors import InvalidGridError, InvalidParameterError, MemoryFileError
from digits_svm.memory import MAX_SAMPLES, SCHEMA, SCHEMA_VERSION, PersonalMemory

ONE = np.zeros((8, 8))
ONE[:, 4] = 16
SEVEN = np.zeros((8, 8))
SEVEN[0, 1:7] = 16
SEVEN[1:, 5] = 12


def probabilities(**by_digit: float) -> dict[int, float]:
    """Class probabilities: the named digits (d1=0.7), the rest sharing what is left, and -1."""
    given = {int(k[1:]): v for k, v in by_digit.items()}
    rest = (1 - sum(given.values())) / (11 - len(given))
    return {-1: rest, **{d: given.get(d, rest) for d in range(10)}}


def test_an_empty_memory_answers_nothing():
    assert PersonalMemory().answer(ONE, probabilities(d7=0.9)) is None


def test_a_drawing_close_to_a_correction_is_answered_with_its_digit():
    memory = PersonalMemory()
    memory.add([ONE], [1], model_said=[7])
    near = ONE.copy()
    near[0, 3] = 4
    assert memory.answer(near, probabilities(d7=0.6, d1=0.2)) == 1


def test_a_far_drawing_is_left_to_the_model():
    memory = PersonalMemory()
    memory.add([ONE], [1])
    assert memory.answer(SEVEN, probabilities(d7=0.9)) is None


def test_a_model_sure_of_another_digit_shrinks_the_radius():
    memory = PersonalMemory()
    memory.add([ONE], [1])
    near = ONE.copy()
    near[:4, 3] = 9  # distance 18
    assert memory.answer(near, probabilities(d1=0.3, d7=0.3)) == 1
    assert memory.answer(near, probabilities(d7=0.99, d1=0.0001)) is None


def test_a_drawing_as_close_to_two_digits_is_left_to_the_model():
    memory = PersonalMemory()
    memory.add([ONE, ONE], [1, 7])
    assert memory.answer(ONE, probabilities(d1=0.5)) is None


def test_the_json_file_round_trips_and_keeps_the_order(tmp_path):
    memory = PersonalMemory()
    memory.add(np.stack([ONE, SEVEN, ONE]), [1, 7, 4], model_said=[7, None, 9])
    path = memory.save(tmp_path / "memory.json")
    loaded = PersonalMemory.load(path)
    assert loaded.digits == [1, 7, 4] and loaded.model_said == [7, None, 9]
    assert loaded.grids.tobytes() == memory.grids.tobytes()
    doc = json.loads(path.read_text())
    assert doc["schema"] == SCHEMA and doc["version"] == SCHEMA_VERSION and len(doc["samples"][0]["grid"]) == 64


def test_beyond_the_limit_the_oldest_samples_go():
    memory = PersonalMemory()
    memory.add(np.zeros((MAX_SAMPLES, 64)), [0] * MAX_SAMPLES)
    memory.add([ONE], [1])
    assert len(memory) == MAX_SAMPLES and memory.digits[-1] == 1 and memory.digits.count(0) == MAX_SAMPLES - 1
    memory.clear()
    assert len(memory) == 0


@pytest.mark.parametrize("change, place", [
    (lambda d: d.update(schema="other"), "schema"),
    (lambda d: d.update(version=2), "version"),
    (lambda d: d.update(extra=1), "exactly the keys"),
    (lambda d: d["samples"][0]["grid"].pop(), "samples[0].grid must be a list of 64 numbers"),
    (lambda d: d["samples"][0]["grid"].__setitem__(12, 17.0), "samples[0].grid[12] is 17.0"),
    (lambda d: d["samples"][0]["grid"].__setitem__(3, "1"), "samples[0].grid[3] must be a number"),
    (lambda d: d["samples"][0].update(digit=10), "samples[0].digit must be a digit 0..9"),
    (lambda d: d["samples"][0].update(model_said=True), "samples[0].model_said must be a digit 0..9 or null"),
    (lambda d: d.update(samples=d["samples"] * (MAX_SAMPLES + 1)), f"at most {MAX_SAMPLES} samples"),
])
def test_a_malformed_file_is_refused_naming_the_file_and_the_place(tmp_path, change, place):
    memory = PersonalMemory()
    memory.add([ONE], [1])
    doc = json.loads(memory.to_json())
    change(doc)
    path = tmp_path / "memory.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(MemoryFileError, match=f"^{path} is not a personal memory: .*{place.replace('[', '.').replace(']', '.')}"):
        PersonalMemory.load(path)


@pytest.mark.parametrize("text", ["not json", '{"schema": NaN}', "[]", ""])
def test_text_that_is_not_a_memory_is_refused(tmp_path, text):
    path = tmp_path / "m.json"
    path.write_text(text)
    with pytest.raises(MemoryFileError, match=f"^{path} is not a personal memory"):
        PersonalMemory.load(path)
    with pytest.raises(MemoryFileError, match="memory not found"):
        PersonalMemory.load(tmp_path / "missing.json")


def test_bad_corrections_are_refused_and_nothing_is_added():
    memory = PersonalMemory()
    with pytest.raises(InvalidGridError):
        memory.add([np.full((8, 8), 17.0)], [1])
    with pytest.raises(InvalidParameterError, match=r"digits\[0\] must be a digit 0..9"):
        memory.add([ONE], [10])
    with pytest.raises(InvalidParameterError, match="one digit .* per grid"):
        memory.add([ONE, ONE], [1])
    with pytest.raises(InvalidParameterError, match="probabilities must map every digit"):
        memory.answer(ONE, {1: 1.0})
    assert len(memory) == 0


def test_its_samples_train_as_extra_samples(tmp_path):
    memory = PersonalMemory()
    memory.add(np.stack([ONE, SEVEN]), [1, 7])
    written = memory.export_samples(tmp_path / "samples")
    names = [p.relative_to(tmp_path / "samples").as_posix() for p in written]
    assert [name[:9] for name in names] == ["1/memory-", "7/memory-"] and all(name.endswith(".npy") for name in names)
    samples = load_samples(tmp_path / "samples")
    assert sorted(samples.y.tolist()) == [1, 7]
    assert sorted(map(bytes, samples.X.reshape(2, -1))) == sorted(map(bytes, memory.grids.reshape(2, -1)))
    assert memory.export_samples(tmp_path / "samples") == written  # again: the same files
    other = PersonalMemory()
    other.add([SEVEN * 0.5], [1])
    other.export_samples(tmp_path / "samples")  # another memory's drawing of a 1 joins, replacing nothing
    assert len(load_samples(tmp_path / "samples")) == 3


def test_an_empty_memory_changes_no_answer_on_the_parity_grids(best_result):
    grids, _ = parity_grids()
    alone = predict_with_confidence(best_result.model, grids)
    assert predict_with_confidence(best_result.model, grids, memory=PersonalMemory()) == alone
    assert len(alone) == 11_797


def test_the_memory_answers_beside_the_model_and_says_so(best_result):
    X, _ = digits_svm.datasets.load_digits_grids()
    classes, proba = predict_proba(best_result.model, X[:50])
    alone = predict_with_confidence(best_result.model, X[:50])
    memory = PersonalMemory()
    memory.add(X[:1], [(alone[0].best_guess + 1) % 10])  # the user says the first is another digit
    answers = predict_with_confidence(best_result.model, X[:50], memory=memory)
    assert answers[0].from_memory and answers[0].digit == memory.digits[0] and answers[0].best_guess == alone[0].best_guess
    assert str(answers[0]).startswith(f"{memory.digits[0]} (from memory; the model's best guess {alone[0].best_guess}")
    changed = [i for i, (a, b) in enumerate(zip(answers, alone, strict=True)) if a != b]
    taught = memory.answers(X[:50], classes, proba)
    assert changed == np.flatnonzero(taught >= 0).tolist()
    with pytest.raises(InvalidParameterError, match="memory"):
        predict_with_confidence(best_result.model, X[:2], memory="memory.json")
