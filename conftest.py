"""What every docstring example starts from, so that examples show only their point."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _doctest_setup(doctest_namespace: dict) -> None:
    """``np``; ``X``, ``y``: the 1,797 ``load_digits`` grids (8x8) and labels; ``svc``: an ``SVC(gamma=0.001)`` fitted on the first 100."""
    import numpy as np
    from sklearn.svm import SVC

    from digits_svm.datasets import load_digits_grids

    X, y = load_digits_grids()
    doctest_namespace.update(np=np, X=X, y=y, svc=SVC(gamma=0.001).fit(X[:100], y[:100]))
