"""The training data: ``load_digits`` and the canonical split.

``load_digits`` ships inside scikit-learn, so nothing is downloaded. The canonical split
is the one of scikit-learn's "Recognizing hand-written digits" example: the first half
of the 1,797 digits (in file order, no shuffle) for training, the second half held out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits

__all__ = ["Split", "load_grids", "canonical_split"]


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


def load_grids() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 ``load_digits`` grids and labels.

    Returns
    -------
    X : numpy.ndarray
        float64, shape (1797, 64): flattened 8x8 grids, row-major, values 0..16.
    y : numpy.ndarray
        int64, shape (1797,): labels 0..9.

    Examples
    --------
    >>> X, y = load_grids()
    >>> X.shape, int(X.max())
    ((1797, 64), 16)
    """
    digits = load_digits()
    X = digits.images.reshape(len(digits.images), -1).astype(np.float64)
    return X, digits.target.astype(np.int64)


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
        Seed used only when ``shuffle`` is True.

    Returns
    -------
    Split

    Examples
    --------
    >>> s = canonical_split()
    >>> len(s.y_train), len(s.y_test)
    (898, 899)
    """
    from sklearn.model_selection import train_test_split

    if not 0.0 < float(test_fraction) < 1.0:
        from .errors import DigitsSVMError

        raise DigitsSVMError(f"test_fraction must be between 0 and 1 (exclusive), got {test_fraction!r}")
    X, y = load_grids()
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y,
        test_size=test_fraction,
        shuffle=shuffle,
        stratify=y if shuffle else None,
        random_state=random_state if shuffle else None,
    )
    return Split(X_train, X_test, y_train, y_test, float(test_fraction), bool(shuffle))
