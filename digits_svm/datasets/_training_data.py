"""The training data: ``load_digits``, the canonical split, optdigits' other writers, and the user's own samples.

``load_digits`` ships inside scikit-learn and the other writers' digits inside this
package (``data_files/``, with their credit and license), so nothing is downloaded. The canonical split
is the one of scikit-learn's "Recognizing hand-written digits" example: the first half
of the 1,797 digits (in file order, no shuffle) for training, the second half held out.

`load_samples` reads labelled drawings from a folder (``samples/<digit>/<name>.png`` or
``.json`` strokes) and preprocesses them into grids, to be added to the training part.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from .._files import read_bytes
from .._validation import MAX_RANDOM_STATE, check_bool, check_count, check_grids, check_number, check_path
from ..drawing._images import load_image
from ..drawing._preprocessing import DEFAULT_METHOD, check_method, preprocess
from ..drawing._strokes import load_strokes, preprocess_strokes
from ..errors import DigitsSVMError, EmptyDrawingError, SamplesError

__all__ = ["NOT_A_DIGIT", "Split", "Samples", "load_digits_grids", "load_other_writers", "canonical_split",
           "load_samples", "SAMPLE_SUFFIXES", "OTHER_WRITERS_FILE"]

#: The class label of "not a digit", in the model and in the ``.mlmodel``'s ``classLabel``.
NOT_A_DIGIT = -1

#: File name endings `load_samples` reads: PNG and JPEG crops (as the playground and the
#: app save them), and stroke JSON; other files in a samples folder are skipped, with why.
SAMPLE_SUFFIXES = (".png", ".jpg", ".jpeg", ".json", ".npy")

#: The 3,823 digits of UCI optdigits' training part (30 writers, none of ``load_digits``'
#: 13), as ``X`` uint8 (3823, 64) and ``y`` uint8 (3823,); ``data_files/README.md`` says
#: where they come from and their license (CC BY 4.0).
OTHER_WRITERS_FILE = Path(__file__).resolve().parent / "data_files" / "optdigits_writers.npz"


@dataclass(frozen=True)
class Split:
    """A train / held-out split of 8x8 digit grids.

    Attributes
    ----------
    X_train, X_test : numpy.ndarray
        float64 arrays of shape (n, 64), row-major flattened 8x8 grids, values 0..16.
    y_train, y_test : numpy.ndarray
        int64 labels 0..9.
    test_fraction : float
        Fraction of the data held out.
    shuffle : bool
        Whether the data were shuffled before splitting.
    """

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    test_fraction: float
    shuffle: bool

    def describe(self) -> str:
        """One line saying how the split was made, for ``metrics.json`` and logs."""
        order = "shuffled" if self.shuffle else "first part in file order (no shuffle)"
        return (
            f"load_digits: {len(self.y_train)} training / {len(self.y_test)} held-out digits, "
            f"test_fraction={self.test_fraction:g}, {order}"
        )


def load_digits_grids() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 ``load_digits`` grids and labels.

    Returns
    -------
    X : numpy.ndarray
        float64, shape (1797, 64): flattened 8x8 grids, row-major, values 0..16.
    y : numpy.ndarray
        int64, shape (1797,): labels 0..9.

    Examples
    --------
    >>> X, y = load_digits_grids()
    >>> X.shape, int(X.max())
    ((1797, 64), 16)
    """
    digits = load_digits()
    X = digits.images.reshape(len(digits.images), -1).astype(np.float64)
    return X, digits.target.astype(np.int64)


def load_other_writers() -> tuple[np.ndarray, np.ndarray]:
    """The 3,823 digits of optdigits' 30 other writers (`OTHER_WRITERS_FILE`), made as ``load_digits`` was.

    ``load_digits`` is the test part of UCI's optdigits; these are its training part:
    32 x 32 binary scans counted in 4 x 4 blocks, so the same 8 x 8 integers 0..16.

    Returns
    -------
    X : numpy.ndarray
        float64, shape (3823, 64): flattened 8x8 grids, row-major, values 0..16.
    y : numpy.ndarray
        int64, shape (3823,): labels 0..9.

    Examples
    --------
    >>> X, y = load_other_writers()
    >>> X.shape, int(X.max()), np.bincount(y).tolist()
    ((3823, 64), 16, [376, 389, 380, 389, 387, 376, 377, 387, 380, 382])
    """
    with np.load(OTHER_WRITERS_FILE, allow_pickle=False) as data:
        return data["X"].astype(np.float64), data["y"].astype(np.int64)


def canonical_split(test_fraction: float = 0.5, *, shuffle: bool = False, random_state: int = 0) -> Split:
    """Split ``load_digits`` into training and held-out parts.

    Parameters
    ----------
    test_fraction : float, default 0.5
        Fraction held out, in (0, 1). The default with ``shuffle=False`` is the
        scikit-learn example's split: 898 digits for training, 899 held out.
    shuffle : bool, default False
        Shuffle (stratified) before splitting; False keeps file order.
    random_state : int, default 0
        Seed used only when ``shuffle`` is True (0 to ``2**32 - 1``; checked either way).

    Returns
    -------
    Split

    Raises
    ------
    InvalidParameterError
        ``test_fraction`` outside (0, 1), ``shuffle`` not a bool, or a bad seed.

    Examples
    --------
    >>> s = canonical_split()
    >>> len(s.y_train), len(s.y_test)
    (898, 899)
    """
    check_number(test_fraction, "test_fraction", low=0, high=1, low_open=True, high_open=True)
    check_bool(shuffle, "shuffle")
    check_count(random_state, "random_state", high=MAX_RANDOM_STATE)
    X, y = load_digits_grids()
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y,
        test_size=test_fraction,
        shuffle=shuffle,
        stratify=y if shuffle else None,
        random_state=random_state if shuffle else None,
    )
    return Split(X_train, X_test, y_train, y_test, float(test_fraction), bool(shuffle))


@dataclass(frozen=True)
class Samples:
    """Labelled grids read from a folder by `load_samples`.

    Attributes
    ----------
    X : numpy.ndarray
        float64, shape (n, 64): the preprocessed grids, row-major, values 0..16.
    y : numpy.ndarray
        int64, shape (n,): labels from the folder names.
    paths : list of pathlib.Path
        The file each grid came from, in the same order.
    skipped : list of (pathlib.Path, str)
        Files that were not used, with the reason.
    method : str
        The preprocessing method that made the grids.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "1").mkdir()
    >>> _ = (folder / "1" / "a.json").write_text(json.dumps({"strokes": [[[10, 0], [10, 80]]]}))
    >>> samples = load_samples(folder)
    >>> len(samples), samples.y.tolist(), samples.X.shape, samples.skipped
    (1, [1], (1, 64), [])
    """

    X: np.ndarray
    y: np.ndarray
    paths: list[Path]
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    method: str = ""

    def __len__(self) -> int:
        return len(self.y)

    def skipped_report(self) -> list[dict[str, str]]:
        """The skipped files as JSON-ready records ``{"path": ..., "reason": ...}``."""
        return skipped_records(self.skipped)


def skipped_records(skipped: list[tuple[Path, str]]) -> list[dict[str, str]]:
    """``(path, reason)`` pairs of skipped sample files as JSON-ready records."""
    return [{"path": str(path), "reason": reason} for path, reason in skipped]


def _read_sample(path: Path, method: str) -> tuple[np.ndarray, int | None]:
    """Preprocess one sample file into (grid, label written in the file or None).

    Raises DigitsSVMError (unreadable, malformed or empty drawing) or OSError.
    """
    if path.suffix.lower() == ".json":
        drawing = load_strokes(path)
        return preprocess_strokes(drawing, method=method), drawing.label
    if path.suffix.lower() == ".npy":
        return _grid_sample(path), None
    return preprocess(load_image(path), method=method), None


def _grid_sample(path: Path) -> np.ndarray:
    """An 8x8 grid saved with ``numpy.save`` (a personal memory's export), taken as it is."""
    try:
        grid = np.load(io.BytesIO(read_bytes(path, what="sample", error=SamplesError)), allow_pickle=False)
    except ValueError as exc:
        raise SamplesError(f"{path} is not a NumPy grid file ({exc})") from None
    if grid.shape not in ((8, 8), (64,)):
        raise SamplesError(f"{path} holds an array of shape {grid.shape}; a grid sample is 8x8")
    return check_grids(grid)[0]


def _skip_reason(path: Path, root: Path) -> str | None:
    """Why a file under the samples folder cannot be a sample (None if it may be)."""
    parts = path.relative_to(root).parts
    if len(parts) != 2:
        return "not directly inside a digit folder; put it in <folder>/<digit>/"
    label = parts[0]
    if label not in [str(d) for d in range(10)]:
        return f"unknown label folder {label!r}; digit folders are named 0 to 9"
    if path.suffix.lower() not in SAMPLE_SUFFIXES:
        return f"unsupported file type {path.suffix or '(none)'!r}; use .png, .jpg, .json strokes or .npy grids"
    return None


def load_samples(folder: str | os.PathLike, *, method: str | None = None) -> Samples:
    """Read the user's own labelled drawings and preprocess them into grids.

    The layout is one folder per digit: ``<folder>/<digit>/<name>.png`` (or ``.jpg``,
    an image of the drawing as the app crops it) or ``<folder>/<digit>/<name>.json``
    (strokes in the shared stroke-JSON format). Files that cannot be used (a folder
    not named 0..9, another file type, an unreadable or empty drawing, a JSON
    ``"label"`` that disagrees with its folder) are skipped and listed with the
    reason; hidden files (``.DS_Store``) are ignored.

    Parameters
    ----------
    folder : str or PathLike
        The samples folder.
    method : str, optional
        Preprocessing method (``digits_svm.drawing.METHODS``); default
        ``digits_svm.drawing.DEFAULT_METHOD``. Use the one the app runs.

    Returns
    -------
    Samples

    Raises
    ------
    InvalidParameterError
        ``method`` is not one of the methods, or ``folder`` is not a path.
    SamplesError
        The folder is missing, or holds no usable sample.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "1").mkdir()
    >>> _ = (root / "1" / "a.json").write_text(json.dumps({"strokes": [[[10, 5], [10, 60]]]}))
    >>> _ = (root / "1" / "notes.txt").write_text("hi")
    >>> s = load_samples(root)
    >>> len(s), s.y.tolist(), s.skipped[0][1]
    (1, [1], "unsupported file type '.txt'; use .png, .jpg, .json strokes or .npy grids")
    """
    method = check_method(DEFAULT_METHOD if method is None else method)  # before any file is read
    root = Path(check_path(folder, "folder"))
    if root.exists() and not root.is_dir():
        raise SamplesError(f"{root} is a file, not a samples folder; give a folder with one subfolder per digit, "
                           f"e.g. {root.parent / 'samples'}/7/a.png")
    if not root.is_dir():
        raise SamplesError(f"samples folder {root} does not exist; make it with one subfolder per digit, e.g. {root}/7/a.png")
    grids, labels, paths, skipped = [], [], [], []
    for path in sorted(root.rglob("*")):
        if path.is_dir() or any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        reason = _skip_reason(path, root)
        if reason is None:
            label = int(path.relative_to(root).parts[0])
            try:
                grid, file_label = _read_sample(path, method)
            except EmptyDrawingError as exc:
                reason = f"empty drawing: {exc}"
            except (DigitsSVMError, OSError) as exc:
                reason = f"unreadable: {exc or type(exc).__name__}"
            else:
                if file_label is not None and int(file_label) != label:
                    reason = f"its label {file_label} disagrees with its folder {label}; move it or fix the label"
        if reason is not None:
            skipped.append((path, reason))
            continue
        grids.append(np.asarray(grid, dtype=np.float64).reshape(64))
        labels.append(label)
        paths.append(path)
    if not grids:
        first = f"; first: {skipped[0][0].name}: {skipped[0][1]}" if skipped else ""
        raise SamplesError(
            f"no usable sample in {root} ({len(skipped)} skipped{first}); "
            f"put drawings in {root}/<digit>/<name>.png or .json"
        )
    return Samples(np.stack(grids), np.asarray(labels, dtype=np.int64), paths, skipped, method)
