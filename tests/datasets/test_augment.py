import numpy as np
import pytest

import digits_svm
from digits_svm.datasets._augment import AUGMENTATIONS, augment_grids, shift_grids


def test_shifts_move_whole_cells_and_fill_with_blank():
    g = np.arange(64, dtype=float).reshape(1, 64) % 17
    right = shift_grids(g, cols=1).reshape(8, 8)
    np.testing.assert_array_equal(right[:, 1:], g.reshape(8, 8)[:, :-1])
    assert not right[:, 0].any()
    up = shift_grids(g, rows=-1).reshape(8, 8)
    np.testing.assert_array_equal(up[:-1], g.reshape(8, 8)[1:])
    assert not up[-1].any()
    np.testing.assert_array_equal(shift_grids(shift_grids(g, cols=1), cols=-1).reshape(8, 8)[:, :7], g.reshape(8, 8)[:, :7])


@pytest.mark.parametrize("name", list(AUGMENTATIONS))
def test_augment_keeps_originals_first_with_labels_and_groups(name):
    X, y = digits_svm.datasets._training_data.load_digits_grids()
    X, y = X[:50], y[:50]
    a = augment_grids(X, y, name)
    copies = 1 + len(AUGMENTATIONS[name])
    assert a.X.shape == (50 * copies, 64) and a.X.dtype == X.dtype
    np.testing.assert_array_equal(a.X[:50], X)
    np.testing.assert_array_equal(a.y, np.tile(y, copies))
    np.testing.assert_array_equal(a.groups, np.tile(np.arange(50), copies))
    assert a.X.min() >= 0 and a.X.max() <= 16 and np.all(a.X == np.round(a.X))


def test_unknown_augmentation_is_refused():
    with pytest.raises(digits_svm.DigitsSVMError, match="augment='flip' is not allowed; use one of 'none', "):
        augment_grids(np.zeros((1, 64)), np.zeros(1), "flip")


def test_renorm_copies_are_the_app_preprocessing_of_seeded_redraws():
    from digits_svm.datasets._augment import RENORM_SEED, renorm_grids
    from digits_svm.datasets._templates import redraw_grid
    from digits_svm.drawing._preprocessing import normalized_grid

    X, y = digits_svm.datasets._training_data.load_digits_grids()
    X, y = X[:40], y[:40]
    a = augment_grids(X, y, "hshift+renorm")
    R = renorm_grids(X)
    np.testing.assert_array_equal(a.X[120:], R)  # originals, two shifts, then the redraws
    np.testing.assert_array_equal(a.groups[120:], np.arange(40))
    # deterministic, row i depends on i and the seed only (a prefix gives the same copies)
    np.testing.assert_array_equal(renorm_grids(X[:10]), R[:10])
    assert not np.array_equal(renorm_grids(X, seed=RENORM_SEED + 1), R)
    # each copy is a grid of the normalized method: full height (top and bottom rows inked)
    grids = R.reshape(-1, 8, 8)
    assert grids[:, 0].any(axis=1).all() and grids[:, 7].any(axis=1).all()
    # with no distortion the copy is exactly normalized_grid of the redraw
    plain = {"height": (160, 161), "aspect": (1.0, 1.0), "slant": (0.0, 0.0), "thickness": (0, 1)}
    np.testing.assert_array_equal(
        renorm_grids(X[:1], ranges=plain)[0], normalized_grid(redraw_grid(X[0])[..., 3]).ravel()
    )
    assert not np.array_equal(R, X)


def test_half_shift_splits_each_cell_by_its_neighbours_and_repools():
    from digits_svm.datasets._augment import split_cells

    g = np.zeros((1, 64))
    g[0, 8 * 2 + 3] = 16  # a lone full cell: 8 pixels in each half
    np.testing.assert_array_equal(shift_grids(g, cols=0.5).reshape(8, 8)[2], [0, 0, 0, 8, 8, 0, 0, 0])
    np.testing.assert_array_equal(shift_grids(g, cols=-0.5).reshape(8, 8)[2], [0, 0, 8, 8, 0, 0, 0, 0])
    # a cell of 8 next to a full cell: share (3*8 + 16) / (6*8 + 16) = 5/8 of its ink on that side
    left, right = split_cells(np.array([[[16, 8, 0, 0, 0, 0, 0, 0]] * 8], dtype=float))
    np.testing.assert_array_equal(left[0, 0, :2], [8, 5])
    np.testing.assert_array_equal(right[0, 0, :2], [8, 3])
    both = left.reshape(1, 64) + right.reshape(1, 64)
    np.testing.assert_array_equal(shift_grids(both, cols=0.5).reshape(8, 8)[0, :3], [8, 13, 3])


def test_half_shifts_keep_integer_counts_conserve_ink_and_are_deterministic():
    from digits_svm.datasets._augment import split_cells

    X, _ = digits_svm.datasets._training_data.load_digits_grids()
    X = X[:200]
    grids = X.reshape(-1, 8, 8)
    left, right = split_cells(grids)
    np.testing.assert_array_equal(left + right, grids)
    assert left.min() >= 0 and right.min() >= 0 and left.max() <= 8 and right.max() <= 8
    for cols, lost in ((0.5, right[:, :, 7]), (-0.5, left[:, :, 0]), (1.5, right[:, :, 6:].sum(axis=2) + left[:, :, 7]),
                       (-1.5, left[:, :, :2].sum(axis=2) + right[:, :, 0])):
        S = shift_grids(X, cols=cols)
        assert S.shape == X.shape and S.min() >= 0 and S.max() <= 16 and np.all(S == np.round(S))
        # every pixel of ink lands somewhere, except what crosses the border
        np.testing.assert_array_equal(S.reshape(-1, 8, 8).sum(axis=2), grids.sum(axis=2) - lost)
        np.testing.assert_array_equal(S, shift_grids(X, cols=cols))
        assert (S != X).any(axis=1).all()
    # 1.5 cells is half a cell, then a whole one
    np.testing.assert_array_equal(shift_grids(X, cols=1.5), shift_grids(shift_grids(X, cols=0.5), cols=1))
    # two half shifts come close to a whole one (pixels misplaced per grid, of ~300)
    two, one = shift_grids(shift_grids(X, cols=0.5), cols=0.5), shift_grids(X, cols=1)
    assert np.abs(two - one).sum(axis=1).mean() < np.abs(X - one).sum(axis=1).mean() / 3
    with pytest.raises(digits_svm.InvalidParameterError, match=r"^cols=0.25 is not allowed; .*a multiple of 0.5$"):
        shift_grids(X, cols=0.25)


def test_halfshift_copies_are_the_half_column_shifts():
    X, y = digits_svm.datasets._training_data.load_digits_grids()
    X, y = X[:30], y[:30]
    a = augment_grids(X, y, "hshift+halfshift")
    np.testing.assert_array_equal(a.X[30:60], shift_grids(X, cols=-1))
    np.testing.assert_array_equal(a.X[90:120], shift_grids(X, cols=-0.5))
    np.testing.assert_array_equal(a.X[120:], shift_grids(X, cols=0.5))
    np.testing.assert_array_equal(augment_grids(X, y, "halfshift").X[30:], a.X[90:])


def test_rotations_turn_the_scan_and_keep_integer_counts():
    from digits_svm.datasets._augment import Rotation, rotate_grids

    X, y = digits_svm.datasets._training_data.load_digits_grids()
    X, y = X[:100], y[:100]
    np.testing.assert_array_equal(rotate_grids(X, 0), X)  # the rebuilt scan pools back exactly
    R = rotate_grids(X, 8)
    assert R.shape == X.shape and R.dtype == X.dtype
    assert R.min() >= 0 and R.max() <= 16 and np.all(R == np.round(R))
    np.testing.assert_array_equal(R, rotate_grids(X, 8))
    assert (R != X).any(axis=1).all() and not np.array_equal(R, rotate_grids(X, -8))
    # ink is kept, up to rounding and what turns out of the corners
    assert np.abs(R.sum(axis=1) - X.sum(axis=1)).mean() < 8
    # a turn of 90 degrees counter-clockwise moves a full left column to the bottom row
    g = np.zeros((1, 64))
    g[0, 0::8] = 16
    np.testing.assert_array_equal(rotate_grids(g, 90).reshape(8, 8)[7], np.full(8, 16.0))
    a = augment_grids(X, y, "hshift+rotate")
    assert AUGMENTATIONS["rotate"] == (Rotation(-8.0), Rotation(8.0))
    np.testing.assert_array_equal(a.X[300:400], rotate_grids(X, -8))
    np.testing.assert_array_equal(a.X[400:], R)
    np.testing.assert_array_equal(augment_grids(X, y, "rotate").X[100:], a.X[300:])


def test_hshift1_moves_each_grid_one_column_in_turn():
    from digits_svm.datasets._augment import augment_grids, shift_grids

    X = np.arange(3 * 64, dtype=float).reshape(3, 64) % 17
    y = np.array([1, 2, 3])
    a = augment_grids(X, y, "hshift1")
    assert a.X.shape == (6, 64) and a.y.tolist() == [1, 2, 3, 1, 2, 3] and a.groups.tolist() == [0, 1, 2, 0, 1, 2]
    np.testing.assert_array_equal(a.X[3], shift_grids(X[:1], 0, -1)[0])
    np.testing.assert_array_equal(a.X[4], shift_grids(X[1:2], 0, 1)[0])
    np.testing.assert_array_equal(a.X[5], shift_grids(X[2:], 0, -1)[0])
