import json

import numpy as np
import pytest

from digits_svm.errors import InvalidGridError
from digits_svm.inputs import read_grid_file
from digits_svm.validation import check_grids


@pytest.mark.parametrize("shape, n", [((8, 8), 1), ((64,), 1), ((5, 8, 8), 5), ((5, 64), 5)])
def test_accepted_shapes(shape, n):
    out = check_grids(np.ones(shape))
    assert out.shape == (n, 8, 8) and out.dtype == np.float64


def test_row_major_order_is_kept():
    flat = np.arange(64) / 4
    assert check_grids(flat)[0, 1, 0] == flat[8]


@pytest.mark.parametrize(
    "value, message",
    [
        (np.zeros(63), "shape"),
        (np.zeros((8, 9)), "shape"),
        (np.zeros((0, 64)), "empty"),
        (np.full((8, 8), np.nan), "NaN"),
        (np.full((8, 8), np.inf), "NaN or infinity"),
        (np.full((8, 8), -0.5), "0..16"),
        (np.full((8, 8), 16.5), "0..16"),
        ([["a"] * 8] * 8, "numbers"),
    ],
)
def test_bad_grids_are_refused_with_the_fix(value, message):
    with pytest.raises(InvalidGridError, match=message):
        check_grids(value)


def test_grid_files(tmp_path):
    grid = np.arange(64, dtype=float).reshape(8, 8) / 4
    np.save(tmp_path / "g.npy", grid)
    (tmp_path / "g.json").write_text(json.dumps(grid.tolist()))
    np.testing.assert_array_equal(read_grid_file(tmp_path / "g.npy")[0], grid)
    np.testing.assert_array_equal(read_grid_file(tmp_path / "g.json")[0], grid)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InvalidGridError, match="not valid JSON"):
        read_grid_file(tmp_path / "bad.json")
    with pytest.raises(InvalidGridError, match="not found"):
        read_grid_file(tmp_path / "missing.npy")
    with pytest.raises(InvalidGridError, match="unsupported"):
        read_grid_file(tmp_path / "g.txt")
