"""Augmentation of training grids: shifts (whole or half cells), rotations, redraws.

``load_digits`` grids are ink counts of 4x4-pixel blocks of a 32x32 bitmap in which each
digit was centred. Where exactly a stroke falls relative to the block boundaries is
chance, and a drawing from the phone lands a little left or right of that centre. Copies
of each training grid moved by one column (or one row) teach the SVM that such a
displacement does not change the digit. Shifts are exact (integer cells, zero fill), so
the copies are still valid grids of integer ink counts.

A whole-cell shift moves the scan by 4 pixels. ``"halfshift"`` moves it by 2 pixels
(half a cell) instead, staying at the scans' own geometry: each cell's ink count is
split between its left and right 4x2 halves in proportion to a linear interpolation of
the ink density towards each neighbour (a cell next to inkier cells has more of its ink
on that side), rounded to whole pixels with at most 8 per half, and the halves are
re-pooled one half-cell over (`shift_grids` with ``cols=±0.5``). Ink is conserved
exactly except what leaves the border, and the copies are integer counts 0..16.
``"rotate"`` turns the scan a few degrees instead (`rotate_grids`): the 32x32 ink
density is rebuilt by bilinear upsampling, rescaled so each block keeps its count,
rotated about the scan's centre and pooled back into 4x4 blocks.

The app's model never sees a ``load_digits`` scan: it sees what
``preprocess(method="normalized")`` makes of a drawing (upright, scaled to full height,
pen width evened out). ``"renorm"`` adds, for each grid, one copy drawn back onto a
canvas at a random size, aspect, slant and stroke thickness
(`digits_svm.datasets._templates.redraw_grid`) and passed through the ``normalized`` method
(`digits_svm.drawing._preprocessing.normalized_grid`), so the model also learns digits as the app
will hand them over. The random draws come from a fixed seed (`RENORM_SEED`), one set
per row in order, so training stays byte-identical run to run.

Augmentation only ever applies to training data: held-out digits are never shifted.
Each copy carries the index of the grid it came from (its *group*), so a
cross-validation can keep every copy of a digit on the same side of a split.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from PIL import Image

from .._validation import check_choice, check_count, check_number, check_ranges
from ..drawing._preprocessing import normalized_grid
from ..errors import EmptyDrawingError
from ._templates import redraw_grid

__all__ = [
    "AUGMENTATIONS", "RENORM", "ALTERNATE_SHIFT", "HALF_CELL_PIXELS", "Rotation", "RENORM_SEED", "Augmented",
    "shift_grids", "split_cells", "rotate_grids", "renorm_grids", "augment_grids", "check_augmentation",
]

#: The copy made by `renorm_grids` (an entry of `AUGMENTATIONS` values).
RENORM = "renorm"
#: One copy of each grid moved one column, left for even rows and right for odd rows
#: (an entry of `AUGMENTATIONS` values): half the rows of ``"hshift"``, for presets whose
#: size budget is tight.
ALTERNATE_SHIFT = "alternate column shift"


class Rotation(NamedTuple):
    """A copy made by `rotate_grids` (an entry of `AUGMENTATIONS` values): ``degrees``
    counter-clockwise."""

    degrees: float


#: Named augmentations: the copies added to each grid, one per entry: a (row, column)
#: shift in cells (columns may move by half a cell), or `RENORM`. ``"hshift"`` adds one
#: copy moved a column left and one moved a column right; ``"shift4"`` also moves a row
#: up and down; ``"halfshift"`` moves half a column (2 scan pixels) left and right;
#: ``"hshift+halfshift"`` both; ``"rotate"`` turns the scan 8 degrees each way
#: (`Rotation`), ``"hshift+rotate"`` adds the whole-column shifts; ``"renorm"`` adds one
#: redrawn, re-preprocessed copy; ``"hshift+renorm"`` the whole-column shifts and the redraw;
#: ``"hshift1"`` one copy of each grid, moved a column left or right in turn (`ALTERNATE_SHIFT`).
AUGMENTATIONS: dict[str, tuple[tuple[int, float] | Rotation | str, ...]] = {
    "none": (),
    "hshift": ((0, -1), (0, 1)),
    "shift4": ((0, -1), (0, 1), (-1, 0), (1, 0)),
    "halfshift": ((0, -0.5), (0, 0.5)),
    "hshift+halfshift": ((0, -1), (0, 1), (0, -0.5), (0, 0.5)),
    "rotate": (Rotation(-8.0), Rotation(8.0)),
    "hshift+rotate": ((0, -1), (0, 1), Rotation(-8.0), Rotation(8.0)),
    "renorm": (RENORM,),
    "hshift+renorm": ((0, -1), (0, 1), RENORM),
    "hshift1": (ALTERNATE_SHIFT,),
}

#: Pixels of the 32x32 scan in half a cell's width: the most ink a 4x2 half-cell holds.
HALF_CELL_PIXELS = 8

#: Seed of the random redraws of `renorm_grids`.
RENORM_SEED = 0

#: Ranges of the redraws (`digits_svm.datasets._templates.redraw_grid` arguments): height in
#: pixels [low, high), aspect and slant uniform, thickness integer [low, high).
RENORM_RANGES = {"height": (60, 200), "aspect": (0.7, 1.3), "slant": (-0.25, 0.3), "thickness": (-1, 3)}


class Augmented(NamedTuple):
    """Training data with its copies: ``X`` (n, 64), ``y`` (n,), and ``groups`` (n,),
    the row of the original grid each row came from (originals first, in order)."""

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray


def shift_grids(X: np.ndarray, rows: int = 0, cols: float = 0) -> np.ndarray:
    """Move flattened 8x8 grids by whole cells (columns also by half cells), filling with blank.

    A half-cell column shift moves the 32x32 scan behind the grid by 2 pixels: each
    cell's ink is split between its left and right halves (`split_cells`) and every
    half is pooled into the cell it lands in.

    Parameters
    ----------
    X : numpy.ndarray
        Grids of shape (n, 64) (row-major 8x8).
    rows : int
        Cells to move down (positive) or up, -8..8.
    cols : float
        Cells to move right (positive) or left, -8.5..8.5: a whole number, or a whole
        number and a half.

    Returns
    -------
    numpy.ndarray
        Shifted grids, shape (n, 64), same dtype; ink moved past the border is lost.
        Integer ink counts 0..16 stay integer counts 0..16.

    Raises
    ------
    InvalidParameterError
        ``rows`` or ``cols`` off the grid, or ``cols`` not a whole or half number of cells.

    Examples
    --------
    >>> g = np.zeros((1, 64)); g[0, 8 * 2 + 3] = 16    # row 2, column 3
    >>> int(np.flatnonzero(shift_grids(g, rows=1, cols=-1)[0])[0])  # row 3, column 2
    26
    >>> shift_grids(g, cols=0.5).reshape(8, 8)[2, 2:6]  # half a column: 8 pixels move on
    array([0., 8., 8., 0.])
    """
    check_count(rows, "rows", low=-8, high=8)
    check_number(cols, "cols", low=-8.5, high=8.5, multiple_of=0.5)  # a whole number of cells or a half
    X = np.asarray(X)
    whole = int(np.floor(cols))
    grids = X.reshape(-1, 8, 8)
    if cols != whole:
        # the grid half a cell to the right, 9 columns wide: column k pools the right
        # half of cell k - 1 and the left half of cell k
        left, right = split_cells(grids)
        grids = np.zeros(left.shape[:2] + (9,))
        grids[:, :, :8] = left
        grids[:, :, 1:] += right
    width = grids.shape[2]
    out = np.zeros((len(grids), 8, 8), dtype=grids.dtype)
    src_r = slice(max(-rows, 0), 8 - max(rows, 0))
    dst_r = slice(max(rows, 0), 8 - max(-rows, 0))
    # output column j takes source column j - whole
    dst_c = slice(max(whole, 0), min(8, width + whole))
    src_c = slice(dst_c.start - whole, dst_c.stop - whole)
    out[:, dst_r, dst_c] = grids[:, src_r, src_c]
    return out.reshape(len(grids), 64).astype(X.dtype, copy=False)


def split_cells(grids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split each cell's ink count between its left and right halves (4x2 pixels each).

    The ink density is taken to vary linearly from a cell's centre towards each
    neighbour's centre (blank beyond the border), so the left half of cell ``v`` with
    left neighbour ``l`` and right neighbour ``r`` gets the share ``(3v + l) / (6v + l + r)``
    of ``v``, rounded to a whole pixel count and kept within 0..8 per half.

    Parameters
    ----------
    grids : numpy.ndarray
        Shape (n, 8, 8), ink counts 0..16.

    Returns
    -------
    left, right : numpy.ndarray
        Shape (n, 8, 8) float64 each; ``left + right == grids``.

    Examples
    --------
    >>> g = np.zeros((1, 8, 8)); g[0, 0, :3] = [16, 8, 0]
    >>> left, right = split_cells(g)
    >>> left[0, 0, :3], right[0, 0, :3]
    (array([8., 5., 0.]), array([8., 3., 0.]))
    """
    v = np.asarray(grids, dtype=np.float64)
    padded = np.pad(v, ((0, 0), (0, 0), (1, 1)))
    toward_left = 3 * v + padded[:, :, :-2]
    total = toward_left + 3 * v + padded[:, :, 2:]
    share = np.divide(v * toward_left, total, out=np.zeros_like(v), where=total > 0)
    half = HALF_CELL_PIXELS
    left = np.clip(np.floor(share + 0.5), np.maximum(v - half, 0), np.minimum(v, half))
    return left, v - left


def rotate_grids(X: np.ndarray, degrees: float) -> np.ndarray:
    """Turn the 32x32 scans behind grids about their centre, and pool them back to 8x8.

    The scan's ink density (0..1 per pixel) is rebuilt by bilinear upsampling of the
    grid, each 4x4 block rescaled so its ink adds up to the cell's count, rotated
    (bilinear, blank fill) and summed over 4x4 blocks again.

    Parameters
    ----------
    X : numpy.ndarray
        Grids of shape (n, 64), values 0..16.
    degrees : float
        Counter-clockwise angle.

    Returns
    -------
    numpy.ndarray
        Shape (n, 64), same dtype, integer ink counts 0..16 (``degrees=0`` gives ``X``).

    Examples
    --------
    >>> g = np.zeros((1, 64)); g[0, 3::8] = 16; g[0, 4::8] = 16   # a vertical bar
    >>> r = rotate_grids(g, 45).reshape(8, 8)
    >>> bool(r[0, :4].sum() > r[0, 4:].sum()), bool(r[7, :4].sum() < r[7, 4:].sum())  # top left, bottom right
    (True, True)
    """
    check_number(degrees, "degrees")
    X = np.asarray(X)
    out = np.empty(X.shape, dtype=np.float64)
    for i, grid in enumerate(X.reshape(-1, 8, 8).astype(np.float64) / 16):
        upsampled = Image.fromarray(grid.astype(np.float32)).resize((32, 32), Image.Resampling.BILINEAR)
        density = np.asarray(upsampled, dtype=np.float64)
        block = density.reshape(8, 4, 8, 4).mean(axis=(1, 3))
        density *= np.kron(np.divide(grid, block, out=np.zeros_like(grid), where=block > 0), np.ones((4, 4)))
        turned = Image.fromarray(density.astype(np.float32)).rotate(degrees, resample=Image.Resampling.BILINEAR)
        out[i] = np.asarray(turned, dtype=np.float64).reshape(8, 4, 8, 4).sum(axis=(1, 3)).ravel()
    return np.clip(np.round(out), 0, 16).astype(X.dtype, copy=False)


def renorm_grids(X: np.ndarray, *, seed: int = RENORM_SEED, ranges: dict | None = None) -> np.ndarray:
    """Redraw grids at random size, aspect, slant and thickness, and preprocess them as the app does.

    Each grid is drawn back onto a canvas crop (`digits_svm.datasets._templates.redraw_grid`) and
    turned into an 8x8 grid by the ``normalized`` preprocessing
    (`digits_svm.drawing._preprocessing.normalized_grid`). Row ``i`` uses the ``i``-th draw of a
    generator seeded with ``seed``, so the result depends only on ``X`` and ``seed``.

    Parameters
    ----------
    X : numpy.ndarray
        Grids of shape (n, 64), values 0..16.
    seed : int, default `RENORM_SEED`
        Seed of the random distortions (a whole number >= 0).
    ranges : dict, optional
        ``height``, ``aspect``, ``slant``, ``thickness`` (low, high) pairs; default
        `RENORM_RANGES` (``height`` and ``thickness`` integers, high excluded; heights
        from 1 pixel).

    Returns
    -------
    numpy.ndarray
        Shape (n, 64), float64 integer ink counts 0..16. A grid whose redraw loses all
        its ink (a very faint grid thinned) is kept as it is.

    Examples
    --------
    >>> R = renorm_grids(X[:3])
    >>> R.shape, bool((R == renorm_grids(X[:3])).all()), bool((R == np.round(R)).all())
    ((3, 64), True, True)
    """
    check_count(seed, "seed")
    if ranges is not None:
        check_ranges(ranges, "ranges", tuple(RENORM_RANGES), whole=("height", "thickness"))
    r = {**RENORM_RANGES, **(ranges or {})}
    check_count(r["height"][0], "ranges['height'][0]", low=1)  # a digit at least a pixel tall
    X = np.asarray(X, dtype=np.float64).reshape(-1, 64)
    rng = np.random.default_rng(seed)
    out = np.empty_like(X)
    for i, x in enumerate(X):
        kw: dict[str, Any] = {
            "height": int(rng.integers(*r["height"])),
            "aspect": float(rng.uniform(*r["aspect"])),
            "slant": float(rng.uniform(*r["slant"])),
            "thickness": int(rng.integers(*r["thickness"])),
        }
        try:
            out[i] = normalized_grid(redraw_grid(x, **kw)[..., 3]).ravel()
        except EmptyDrawingError:
            out[i] = x
    return out


def _copy(X: np.ndarray, how: tuple[int, float] | Rotation | str) -> np.ndarray:
    if how == RENORM:
        return renorm_grids(X).astype(X.dtype, copy=False)
    if how == ALTERNATE_SHIFT:
        left = (np.arange(len(X)) % 2 == 0)[:, None]
        return np.where(left, shift_grids(X, 0, -1), shift_grids(X, 0, 1))
    if isinstance(how, Rotation):
        return rotate_grids(X, how.degrees)
    return shift_grids(X, *how)


def augment_grids(X: np.ndarray, y: np.ndarray, name: str = "hshift") -> Augmented:
    """Add shifted, turned or redrawn copies of training grids.

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
        ``X`` and ``y`` with the originals first, then one block of copies per entry of
        ``AUGMENTATIONS[name]``, in its order (shifts first), and
        ``groups`` giving the original row of each.

    Examples
    --------
    >>> from digits_svm.datasets import canonical_split
    >>> s = canonical_split()
    >>> a = augment_grids(s.X_train, s.y_train, "hshift")
    >>> a.X.shape, int(a.groups[898]), bool((a.y[898:1796] == s.y_train).all())
    ((2694, 64), 0, True)
    """
    check_augmentation(name)
    X = np.asarray(X)
    y = np.asarray(y)
    copies = AUGMENTATIONS[name]
    index = np.arange(len(y))
    return Augmented(
        np.concatenate([X] + [_copy(X, how) for how in copies]),
        np.concatenate([y] * (1 + len(copies))),
        np.concatenate([index] * (1 + len(copies))),
    )


def check_augmentation(name: str) -> str:
    """Return ``name`` if it is a key of `AUGMENTATIONS`, else raise `digits_svm.errors.InvalidParameterError`."""
    return check_choice(name, "augment", tuple(AUGMENTATIONS))
