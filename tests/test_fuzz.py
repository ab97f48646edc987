"""Every door a user's bytes come through, fuzzed: only an answer or a DigitsSVMError (HTTP: a 4xx) comes out.

The doors and their inputs live in ``benchmarks/fuzz.py`` (``python benchmarks/fuzz.py
--examples 100000`` is the long run); CI feeds each of the eight doors 200 inputs, 1,600 in all:
deep, wide and costly JSON, .npy headers and .mlmodel files declaring more than they hold, and
skops zip bombs among them.
"""

import importlib.util
from pathlib import Path

import pytest

EXAMPLES_PER_DOOR = 200
_spec = importlib.util.spec_from_file_location("fuzz", Path(__file__).resolve().parents[1] / "benchmarks" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)


@pytest.fixture(scope="module")
def doors(tmp_path_factory):
    return fuzz.Doors(tmp_path_factory.mktemp("fuzz"))


@pytest.mark.parametrize("name", ["strokes JSON", "images", "grids", ".mlmodel", "pickles and sidecars", "skops files",
                                  "HTTP bodies", "costly JSON"])
def test_a_door_answers_or_says_what_is_wrong(doors, name):
    door, strategy = doors.strategies()[name]
    assert fuzz.run_door(door, strategy, EXAMPLES_PER_DOOR, random_seed=0) is None
    assert doors.tried[name] >= EXAMPLES_PER_DOOR

