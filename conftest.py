"""What every docstring example starts from, so that examples show only their point."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _doctest_setup(doctest_namespace: dict) -> None:
    """The names every docstring example may use without setting them up.

    ``np``; ``X``, ``y``: the 1,797 ``load_digits`` grids (rows of 64 values, 0..16) and
    their labels; ``svc``: an ``SVC(gamma=0.001)`` fitted on the first 100; ``mlmodel``:
    ``svc`` converted to Core ML with the ``seed`` preprocessing recorded
    (``convert(svc, preprocessing={"method": "seed"})``).
    """
    import numpy as np
    from sklearn.svm import SVC

    from digits_svm.coreml import convert
    from digits_svm.datasets import load_digits_grids

    X, y = load_digits_grids()
    svc = SVC(gamma=0.001).fit(X[:100], y[:100])
    mlmodel = convert(svc, preprocessing={"method": "seed"})
    doctest_namespace.update(np=np, X=X, y=y, svc=svc, mlmodel=mlmodel)
