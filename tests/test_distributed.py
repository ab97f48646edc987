"""The preset search and the synthesis run on whatever joblib backend the caller sets up: here a dask cluster."""

import dataclasses

import numpy as np
import pytest
from joblib import parallel_config

from digits_svm.datasets._handwriting import synthesize
from digits_svm.search import search_best

distributed = pytest.importorskip("dask.distributed", reason="dask.distributed is not installed: pip install -e '.[distributed]'")

GRID = {"augmentations": ("none", "hshift"), "C": (1.0, 3.0), "gamma": (0.001,), "probability": False, "n_splits": 2}


def _figures(candidate) -> dict:
    """A candidate's settings and scores (its fitted estimator aside: estimators compare by identity)."""
    return {f.name: getattr(candidate, f.name) for f in dataclasses.fields(candidate)
            if not hasattr(getattr(candidate, f.name), "fit")}


@pytest.mark.slow
def test_a_search_on_a_dask_cluster_chooses_as_a_local_one():
    local = search_best(**GRID, n_jobs=1)
    drawn_here = synthesize(300, seed=5, n_jobs=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with parallel_config(backend="dask"), distributed.get_task_stream(client) as tasks:
            remote = search_best(**GRID)
            drawn_there = synthesize(300, seed=5, n_jobs=-1)
    assert len(tasks.data) >= 4 + 8  # the cluster did the work: the candidates' fits and the drawings
    assert [_figures(c) for c in remote.candidates] == [_figures(c) for c in local.candidates]
    assert remote.best.augment == local.best.augment == "hshift"
    np.testing.assert_array_equal(drawn_there[0], drawn_here[0])
    np.testing.assert_array_equal(drawn_there[1], drawn_here[1])
