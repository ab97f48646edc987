"""Augmentation of training grids by whole-cell shifts.

``load_digits`` grids are ink counts of 4x4-pixel blocks of a 32x32 bitmap in which each
digit was centred. Where exactly a stroke falls relative to the block boundaries is
chance, and a drawing from the phone lands a little left or right of that centre. Copies
of each training grid moved by one column (or one row) teach the SVM that such a
displacement does not change the digit. Shifts are exact (integer cells, zero fill), so
the copies are still valid grids of integer ink counts.

Augmentation only ever applies to training data: held-out digits are never shifted.
Each copy carries the index of the grid it came from (its *group*), so a
cross-validation can keep every copy of a digit on the same side of a split.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .errors import DigitsSVMError

__all__ = ["AUGMENTATIONS", "Augmented", "shift_grids", "augment", "check_augmentation"]

#: Named augmentations: the (row, column) shifts whose copies are added to each grid.
#: ``"hshift"`` adds one copy moved a column left and one moved a column right;
#: ``"shift4"`` also moves a row up and down.
AUGMENTATIONS: dict[str, tuple[tuple[int, int], ...]] = {
    "none": (),
    "hshift": ((0, -1), (0, 1)),
    "shift4": ((0, -1), (0, 1), (-1, 0), (1, 0)),
}


class Augmented(NamedTuple):
    """Training data with shifted copies: ``X`` (n, 64), ``y`` (n,), and ``groups`` (n,),
    the row of the original grid each row came from (originals first, in order)."""

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray


def shift_grids(X: np.ndarray, rows: int = 0, cols: int = 0) -> np.ndarray:
    """Move flattened 8x8 grids by whole cells, filling with blank cells.

    Parameters
    ----------
    X : numpy.ndarray
        Grids of shape (n, 64) (row-major 8x8).
    rows, cols : int
        Cells to move down (positive) or up, right (positive) or left.

    Returns
    -------
    numpy.ndarray
        Shifted grids, shape (n, 64), same dtype; ink moved past the border is lost.

    Examples
    --------
    >>> g = np.zeros((1, 64)); g[0, 8 * 2 + 3] = 16    # row 2, column 3
    >>> int(np.flatnonzero(shift_grids(g, rows=1, cols=-1)[0])[0])  # row 3, column 2
    26
    """
    X = np.asarray(X)
    grids = X.reshape(-1, 8, 8)
    out = np.zeros_like(grids)
    src_r = slice(max(-rows, 0), 8 - max(rows, 0))
    dst_r = slice(max(rows, 0), 8 - max(-rows, 0))
    src_c = slice(max(-cols, 0), 8 - max(cols, 0))
    dst_c = slice(max(cols, 0), 8 - max(-cols, 0))
    out[:, dst_r, dst_c] = grids[:, src_r, src_c]
    return out.reshape(len(grids), 64)


def augment(X: np.ndarray, y: np.ndarray, name: str = "hshift") -> Augmented:
    """Add shifted copies of training grids.

    Parameters
    ----------
    X : numpy.ndarray
        Training grids, shape (n, 64).
    y : numpy.ndarray
        Their labels, shape (n,).
    name : str, default "hshift"
        A key of `AUGMENTATIONS`; ``"none"`` returns the data unchanged.

    Returns
    -------
    Augmented
        ``X`` and ``y`` with the originals first, then one block of copies per shift, and
        ``groups`` giving the original row of each.

    Examples
    --------
    >>> from digits_svm.data import canonical_split
    >>> s = canonical_split()
    >>> a = augment(s.X_train, s.y_train, "hshift")
    >>> a.X.shape, int(a.groups[898]), bool((a.y[898:1796] == s.y_train).all())
    ((2694, 64), 0, True)
    """
    check_augmentation(name)
    X = np.asarray(X)
    y = np.asarray(y)
    shifts = AUGMENTATIONS[name]
    index = np.arange(len(y))
    return Augmented(
        np.concatenate([X] + [shift_grids(X, r, c) for r, c in shifts]),
        np.concatenate([y] * (1 + len(shifts))),
        np.concatenate([index] * (1 + len(shifts))),
    )


def check_augmentation(name: str) -> str:
    """Return ``name`` if it is a known augmentation, else raise a one-line error."""
    if name not in AUGMENTATIONS:
        raise DigitsSVMError(f"unknown augmentation {name!r}; choose one of {', '.join(AUGMENTATIONS)}")
    return name
