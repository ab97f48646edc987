"""The preset search, `search_best`: what it chooses, and what it never looks at.

It reproduces the best preset among its neighbours, never looks at the held-out half, and
ranks the candidates near the top by drawn validation digits.
"""

import logging

import numpy as np
import pytest

import digits_svm
from digits_svm.model._presets import PRESETS
from digits_svm.search import search_best

# Every search scores the same drawn versions of the training half's digits (renorm_grids with
# DRAWN_SEED: 4.7 s to draw). They are drawn once per module and handed to each search.
_DRAWN: dict = {}


@pytest.fixture
def search(monkeypatch):
    """`search_best`, whose drawn validation digits are drawn once per module (same seed, same grids)."""
    real = digits_svm.search.renorm_grids

    def renorm_grids_once(X, **kwargs):
        key = (X.tobytes(), repr(sorted(kwargs.items())))
        if key not in _DRAWN:
            _DRAWN[key] = real(X, **kwargs)
        return _DRAWN[key].copy()

    monkeypatch.setattr(digits_svm.search, "renorm_grids", renorm_grids_once)
    return search_best


def test_search_reproduces_the_best_preset_among_its_neighbours(search, caplog):
    """The best preset against its neighbour without shifted copies (a third of the rows to fit).

    The shifted copies win: 862 validation digits right of 898 against 858, more than
    CV_TOLERANCE apart (and the drawn validation digits agree, 714 against 708): the
    preset's choice, reproduced.
    """
    steps = []
    with caplog.at_level(logging.INFO, logger="digits_svm.search"):
        r = search(augmentations=("hshift", "none"), C=(3.0,), gamma=(0.001,), n_jobs=-1,
                   progress=lambda step, done, total: steps.append((step, done, total)))
    assert steps == [("trying candidates", 1, 2), ("trying candidates", 2, 2)]
    messages = [m for m in caplog.messages if m.startswith("[")]
    assert len(messages) == 2 and messages[0].startswith("[1/2] augment=hshift C=3 gamma=0.001: cv accuracy 0.9599, drawn 0.7951")
    assert messages[1].startswith("[2/2] augment=none C=3 gamma=0.001: cv accuracy 0.9555, drawn 0.7884")
    assert r.best.preset() == PRESETS["best"]
    assert [c.near_top for c in r.candidates] == [True, False]  # decided by the cut
    ranks = [c._rank() for c in r.candidates]
    assert ranks == sorted(ranks)
    assert all(c.cv_total == 898 for c in r.candidates)
    assert r.best.mlmodel_bytes <= 1_000_000 and r.best.n_support_vectors == r.best.model.n_support_.sum()


def test_search_never_looks_at_the_held_out_half(search, monkeypatch):
    from digits_svm.datasets._training_data import Split

    real = digits_svm.datasets._training_data.canonical_split()
    poisoned = Split(real.X_train, np.full_like(real.X_test, np.nan), real.y_train, -real.y_test, 0.5, False)
    monkeypatch.setattr(digits_svm.search, "canonical_split", lambda *a, **k: poisoned)
    r = search(augmentations=("none", "hshift"), C=(1.0,), gamma=(0.001,), probability=False,
               max_bytes=500_000, n_jobs=-1)
    # the size budget ranks the over-budget augmented model last, whatever its score
    assert [c.augment for c in r.candidates] == ["none", "hshift"]
    assert [c.within_budget for c in r.candidates] == [True, False]
    assert r.best.n_support_vectors == 519 and r.best.cv_log_loss is None


def test_search_ranks_near_top_candidates_by_drawn_validation_digits(search, monkeypatch):
    """The same two candidates ranked at cv_tolerance 0 and 898.

    Their scores do not depend on the tolerance, so the second search is handed the first
    one's fold scores and fitted models (its tasks, in order) instead of fitting them again;
    the ranking, the part under test, runs anew.
    """
    import joblib

    grid = dict(augmentations=("none", "renorm"), C=(3.0,), gamma=(0.001,), probability=False, n_jobs=-1)
    scored: list = []

    class Recording(joblib.Parallel):
        def __call__(self, tasks):
            for answer in super().__call__(tasks):
                scored.append(answer)
                yield answer

    monkeypatch.setattr(digits_svm.search, "Parallel", Recording)
    strict = search(cv_tolerance=0, **grid)
    assert strict.best.cv_correct == max(c.cv_correct for c in strict.candidates)
    assert [c.near_top for c in strict.candidates] == [True, False]
    # redrawn copies teach the model drawn digits: far more drawn validation digits right
    by_name = {c.augment: c for c in strict.candidates}
    assert by_name["renorm"].cv_drawn_correct - by_name["none"].cv_drawn_correct >= 50

    class Replaying:
        def __init__(self, **kwargs):
            pass

        def __call__(self, tasks):
            assert len(list(tasks)) == len(scored) == 2 * (5 + 1)  # the same tasks: 5 folds and 1 fit each
            return iter(scored)

    monkeypatch.setattr(digits_svm.search, "Parallel", Replaying)
    lenient = search(cv_tolerance=898, **grid)
    assert [c.augment for c in lenient.candidates] == ["renorm", "none"]
    assert [(c.cv_correct, c.cv_drawn_correct) for c in lenient.candidates] == [
        (by_name[a].cv_correct, by_name[a].cv_drawn_correct) for a in ("renorm", "none")]
    assert "most drawn validation digits right" in lenient.rule and lenient.cv_tolerance == 898
