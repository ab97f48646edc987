"""Pairwise Platt calibration: libsvm's sigmoid fit, its folds, and probabilities close to scikit-learn's."""

import dataclasses
import inspect
import pickle
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

import digits_svm
from digits_svm.coreml._convert import convert, svc_spec
from digits_svm.coreml._libsvm import LibsvmModel
from digits_svm.coreml._parity import verify
from digits_svm.coreml._spec import read_svm_spec
from digits_svm.datasets._training_data import load_digits_grids
from digits_svm.io import load_model, save_model
from digits_svm.model._calibration import (
    PlattSVC,
    _binary_decisions,
    _fold_settings,
    libsvm_decisions,
    pairwise_platt,
    sigmoid_train,
)
from digits_svm.model._fitted import has_probabilities, platt_parameters


def _regularised_loss(params, dec, labels):
    prior1, prior0 = np.sum(labels > 0), np.sum(labels <= 0)
    t = np.where(labels > 0, (prior1 + 1) / (prior1 + 2), 1 / (prior0 + 2))
    f = dec * params[0] + params[1]
    return float(np.sum(t * f + np.logaddexp(0, -f)))


def test_sigmoid_train_matches_a_direct_minimisation():
    rng = np.random.default_rng(3)
    labels = np.where(rng.random(60) < 0.4, 1, -1)
    dec = labels * 1.0 + rng.normal(0, 1.0, 60)
    A, B = sigmoid_train(dec, labels)
    best = minimize(_regularised_loss, [0.0, 0.0], args=(dec, labels), method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose([A, B], best.x, atol=1e-5)
    assert A < 0  # positive decisions mean the positive class: P = 1 / (1 + exp(A f + B)) grows with f


def test_sigmoid_train_on_separable_values_and_all_one_class():
    A, B = sigmoid_train([-3.0, -2.0, 2.0, 3.0], [-1, -1, 1, 1])
    assert A < 0 and abs(B) < 1e-9  # symmetric data: B = 0
    A, B = sigmoid_train([1.0, 1.0, 1.0], [1, 1, 1])  # one class: the target is (3+1)/(3+2)
    assert 1 / (1 + np.exp(A + B)) == pytest.approx(0.8, abs=1e-4)


def test_a_training_fold_with_one_class_gives_plus_or_minus_one():
    X = np.arange(4.0)[:, None]
    y = np.array([1, 1, 1, -1])
    dec = _binary_decisions(_fold_settings(SVC()), X, y, (1.0, 1.0), 4, np.random.default_rng(0).permutation(4))
    # the held-out -1's training fold holds only +1s: libsvm gives it +1
    assert dec[3] == 1.0


@pytest.fixture(scope="module")
def halves():
    X, y = load_digits_grids()
    X = X.reshape(len(X), 64)
    order = np.random.default_rng(0).permutation(len(X))
    train, test = order[:400], order[400:900]
    return X[train], y[train], X[test], y[test]


def test_deterministic_for_a_seed(halves):
    X, y, _, _ = halves
    keep = y < 4
    a1, b1 = pairwise_platt(SVC(gamma=0.001, C=3), X[keep], y[keep], random_state=1)
    a2, b2 = pairwise_platt(SVC(gamma=0.001, C=3), X[keep], y[keep], random_state=1)
    a3, _ = pairwise_platt(SVC(gamma=0.001, C=3), X[keep], y[keep], random_state=2)
    a4, b4 = pairwise_platt(SVC(gamma=0.001, C=3), X[keep], y[keep], random_state=1, n_jobs=1)  # threads or not
    assert a4.tobytes() == a1.tobytes() and b4.tobytes() == b1.tobytes()
    assert a1.dtype == np.float64 and a1.shape == (6,)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(b1, b2)
    assert not np.array_equal(a1, a3)


def _log_loss(p, y):
    return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-15, 1))))


def test_probabilities_close_to_scikit_learns_through_the_same_coupling(halves, sklearn_calibrated):
    X, y, Xt, yt = halves
    model = sklearn_calibrated(X, y, gamma=0.001, C=3)
    spec = read_svm_spec(svc_spec(model))
    ours_a, ours_b = pairwise_platt(SVC(gamma=0.001, C=3), X, y)
    theirs = LibsvmModel(spec)
    ours = LibsvmModel(dataclasses.replace(spec, prob_a=ours_a, prob_b=ours_b))
    raw = theirs.decision(Xt)
    p_theirs, p_ours = theirs.probabilities(raw), ours.probabilities(raw)
    np.testing.assert_allclose(p_theirs, model.predict_proba(Xt), atol=1e-6)  # the coupling is scikit-learn's
    diff = np.abs(p_ours - p_theirs)
    print(f"figures: max |p ours - p sklearn| = {diff.max():.4f}, mean = {diff.mean():.5f}")
    assert np.mean(p_ours.argmax(1) == p_theirs.argmax(1)) >= 0.98
    assert _log_loss(p_ours, yt) <= _log_loss(p_theirs, yt) * 1.05
    assert diff.mean() < 0.02
    # the sign convention: scikit-learn's probA_ (libsvm's), applied to libsvm-sign decisions; A < 0 throughout
    theirs_a, theirs_b = platt_parameters(model)  # probA_/probB_, read without 1.9's warning
    assert (ours_a < 0).all() and (np.sign(ours_a) == np.sign(theirs_a)).all()
    print(f"figures: max |A ours - probA_| = {np.abs(ours_a - theirs_a).max():.3f}, "
          f"max |B ours - probB_| = {np.abs(ours_b - theirs_b).max():.3f}")


# --------------------------------------------------------------------------- PlattSVC
def test_platt_svc_is_an_svc_calibrated_by_pairwise_platt(halves):
    X, y, Xt, yt = halves
    model = PlattSVC(gamma=0.001, C=3, random_state=0).fit(X, y)
    assert model.get_params() == SVC(gamma=0.001, C=3, random_state=0).get_params()  # the SVC's own parameters
    a, b = pairwise_platt(SVC(gamma=0.001, C=3), X, y, random_state=0)
    np.testing.assert_array_equal(model.platt_a_, a)
    np.testing.assert_array_equal(model.platt_b_, b)
    assert has_probabilities(model) and not has_probabilities(SVC(gamma=0.001).fit(X, y))
    np.testing.assert_array_equal(platt_parameters(model)[0], a)
    proba = model.predict_proba(Xt)
    assert proba.shape == (len(Xt), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(model.predict_log_proba(Xt[:5]), np.log(proba[:5]))
    assert np.mean(model.classes_[proba.argmax(1)] == yt) > 0.95
    again = PlattSVC(gamma=0.001, C=3, random_state=0).fit(X, y)
    assert again.predict_proba(Xt).tobytes() == proba.tobytes()  # deterministic for a seed
    unseeded = PlattSVC(gamma=0.001, C=3, random_state=None).fit(X, y)  # None means seed 0
    np.testing.assert_array_equal(unseeded.platt_a_, a)


def test_platt_svc_agrees_with_its_mlmodel_to_1e_9(halves):
    X, y, _, _ = halves
    model = PlattSVC(gamma=0.001, random_state=0).fit(X, y)
    report = verify(convert(model), model, n_random=2000)
    assert report.ok and report.n_agree == report.n == 3797
    assert report.max_proba_diff <= 1e-9 and report.max_decision_diff <= 1e-9


def test_platt_svc_with_two_classes_gives_platts_sigmoid_as_core_ml_does(halves):
    X, y, Xt, _ = halves
    keep = (y == 3) | (y == 8)
    model = PlattSVC(gamma=0.001, random_state=0).fit(X[keep], y[keep])
    raw = libsvm_decisions(model, Xt)
    first = 1 / (1 + np.exp(raw[:, 0] * model.platt_a_[0] + model.platt_b_[0]))
    np.testing.assert_allclose(model.predict_proba(Xt)[:, 0], np.clip(first, 1e-7, 1 - 1e-7), atol=1e-12)
    report = verify(convert(model), model, n_random=500)
    assert report.ok and report.binary_platt  # compared as Core ML computes them: Platt's sigmoid, uncoupled


def test_platt_svc_refuses_what_it_cannot_calibrate_and_pickles_as_itself(halves, tmp_path):
    X, y, _, _ = halves
    with pytest.raises(digits_svm.errors.InvalidParameterError, match="kernel='precomputed' is not allowed"):
        PlattSVC(kernel="precomputed").fit(X @ X.T, y)
    with pytest.raises(digits_svm.errors.InvalidParameterError, match=r"sample_weight=<no positive weight in class 3>"):
        PlattSVC().fit(X, y, sample_weight=np.where(y == 3, 0.0, 1.0))
    for method in ("predict_proba", "predict_log_proba"):
        with pytest.raises(NotFittedError, match="not fitted"):
            getattr(PlattSVC(), method)(X)
    model = PlattSVC(gamma=0.001, random_state=0).fit(X[:200], y[:200])
    loaded = load_model(save_model(model, tmp_path / "m.pkl"))
    assert type(loaded) is PlattSVC
    assert loaded.predict_proba(X[200:210]).tobytes() == model.predict_proba(X[200:210]).tobytes()
    assert b"digits_svm.model\x94\x8c\x08PlattSVC" in pickle.dumps(model)  # its public home: digits_svm installed
    earlier = tmp_path / "earlier.pkl"  # as digits_svm 0.1.0 named the class
    named = pickle.dumps(model, protocol=2)
    earlier.write_bytes(named.replace(b"digits_svm.model\nPlattSVC", b"digits_svm.calibration\nPlattSVC"))
    assert b"digits_svm.calibration\nPlattSVC" in earlier.read_bytes()
    loaded = load_model(earlier, trusted=True)
    assert type(loaded) is PlattSVC and "digits_svm.calibration" not in sys.modules
    assert loaded.predict_proba(X[200:210]).tobytes() == model.predict_proba(X[200:210]).tobytes()


@pytest.mark.parametrize("gamma", ["scale", "auto"])
def test_the_folds_keep_the_fitted_gamma(halves, gamma):
    X, y, _, _ = halves
    keep = y < 4
    X, y = X[keep] / 16.0, y[keep]  # not the pixels' scale, so that "scale" and "auto" differ from 0.001
    model = PlattSVC(gamma=gamma, random_state=0).fit(X, y)
    assert isinstance(model._gamma, float)
    # every fold fitted with the number the SVC fitted, not a gamma resolved again on the fold's rows
    a, b = pairwise_platt(SVC(gamma=model._gamma), X, y)
    assert a.tobytes() == model.platt_a_.tobytes() and b.tobytes() == model.platt_b_.tobytes()
    # pairwise_platt resolves a string gamma on all of X, as SVC.fit does
    a2, b2 = pairwise_platt(SVC(gamma=gamma), X, y)
    assert a2.tobytes() == a.tobytes() and b2.tobytes() == b.tobytes()


def test_a_callable_kernel_is_calibrated_as_its_builtin_twin(halves):
    X, y, _, _ = halves
    keep = y < 3
    X, y = X[keep] / 16.0, y[keep]
    builtin = PlattSVC(kernel="linear", C=0.1, random_state=0).fit(X, y)
    callable_ = PlattSVC(kernel=lambda a, b: a @ b.T, C=0.1, random_state=0).fit(X, y)
    np.testing.assert_allclose(callable_.platt_a_, builtin.platt_a_, rtol=1e-6)
    np.testing.assert_allclose(callable_.platt_b_, builtin.platt_b_, rtol=1e-6, atol=1e-9)


def test_sparse_x_fits_as_libsvm_fits_it(halves):
    X, y, Xt, _ = halves
    dense = PlattSVC(gamma=0.001, random_state=0).fit(X[:300], y[:300])
    for container in (sp.csr_matrix, sp.csc_matrix, sp.csr_array):
        sparse = PlattSVC(gamma=0.001, random_state=0).fit(container(X[:300]), y[:300])
        # libsvm's sparse kernel sums in another order than its dense one: the same fit to rounding
        np.testing.assert_allclose(sparse.platt_a_, dense.platt_a_, rtol=1e-6)
        np.testing.assert_allclose(sparse.platt_b_, dense.platt_b_, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(sparse.predict_proba(container(Xt)), dense.predict_proba(Xt), atol=1e-6)
    a, b = pairwise_platt(SVC(gamma=0.001), sp.csr_matrix(X[:300]), y[:300], random_state=0)
    np.testing.assert_array_equal(a, sparse.platt_a_)
    # a "scale" gamma resolved on sparse rows as SVC.fit resolves it
    scaled = PlattSVC(random_state=0).fit(sp.csr_matrix(X[:300]), y[:300])
    a, b = pairwise_platt(SVC(), sp.csr_matrix(X[:300]), y[:300], random_state=0)
    assert a.tobytes() == scaled.platt_a_.tobytes() and b.tobytes() == scaled.platt_b_.tobytes()


def test_a_column_vector_y_is_taken_as_1d_with_scikit_learns_warning(halves):
    X, y, _, _ = halves
    flat = PlattSVC(gamma=0.001, random_state=0).fit(X[:200], y[:200])
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        column = PlattSVC(gamma=0.001, random_state=0).fit(X[:200], y[:200, None])
    assert column.platt_a_.tobytes() == flat.platt_a_.tobytes()


def test_a_refused_fit_leaves_the_fitted_estimator_as_it_was(halves):
    X, y, _, _ = halves
    model = PlattSVC(gamma=0.001, random_state=0).fit(X[:200], y[:200])
    state = pickle.dumps(model)
    nan = X[:200].copy()
    nan[0, 0] = np.nan
    refused = [
        ((X[:200], y[:199]), {}),  # X and y do not match
        ((nan, y[:200]), {}),  # not finite
        ((X[:200], np.full(200, 4)), {}),  # one class
        ((X[:200], y[:200] + 0.5), {}),  # labels that are not classes
        ((X[:200], y[:200]), {"sample_weight": np.ones(199)}),  # one weight short
        ((X[:200], y[:200]), {"sample_weight": ["heavy"] * 200}),  # not numbers
        ((X[:200], y[:200]), {"sample_weight": np.full(200, np.inf)}),  # not finite
        ((X[:200], y[:200]), {"sample_weight": np.zeros(200)}),  # every row left out
        ((X[:200], y[:200]), {"sample_weight": (y[:200] == 1) * 1.0}),  # one class left
    ]
    for args, kwargs in refused:
        with pytest.raises(ValueError):
            model.fit(*args, **kwargs)
        assert pickle.dumps(model) == state  # nothing refitted, nothing half-set
    not_a_seed = PlattSVC(random_state=np.random.RandomState(0))
    with pytest.raises(digits_svm.errors.InvalidParameterError, match="random_state=a RandomState is not allowed; .*, or None"):
        not_a_seed.fit(X[:200], y[:200])
    assert not hasattr(not_a_seed, "classes_")


# --------------------------------------------------------------------------- sample weights
def test_each_fold_is_fitted_with_the_weights_of_its_training_rows():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    y = np.where(X[:, 0] + rng.normal(0, 0.5, 40) > 0, 1, -1)
    w = rng.uniform(0.1, 4.0, 40)
    perm = rng.permutation(40)
    settings = _fold_settings(SVC(gamma=0.5))
    dec = _binary_decisions(settings, X, y, (1.0, 1.0), 4, perm, w)
    for k in range(4):
        held, train = perm[k * 10 : (k + 1) * 10], np.concatenate([perm[: k * 10], perm[(k + 1) * 10 :]])
        fold = SVC(**settings, class_weight={1: 1.0, -1: 1.0}).fit(X[train], y[train], sample_weight=w[train])
        np.testing.assert_array_equal(dec[held], fold.decision_function(X[held]))
    assert not np.array_equal(dec, _binary_decisions(settings, X, y, (1.0, 1.0), 4, perm))


@pytest.fixture(scope="module")
def weights(halves):
    """Seeded weights for the 400 training rows of ``halves``: uniform in [0.2, 3], every 9th row 0."""
    w = np.random.default_rng(5).uniform(0.2, 3.0, len(halves[1]))
    w[::9] = 0.0
    return w


def test_platt_svc_weighs_its_svc_and_its_calibration_as_libsvm_does(halves, weights):
    X, y, Xt, _ = halves
    model = PlattSVC(gamma=0.001, C=3, random_state=0).fit(X, y, sample_weight=weights)
    svc = SVC(gamma=0.001, C=3, random_state=0).fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(model.dual_coef_, svc.dual_coef_)
    np.testing.assert_array_equal(model.support_, svc.support_)
    a, b = pairwise_platt(SVC(gamma=0.001, C=3), X, y, sample_weight=weights)
    assert a.tobytes() == model.platt_a_.tobytes() and b.tobytes() == model.platt_b_.tobytes()
    # a row of weight 0 is left out, by libsvm and by the calibration alike
    kept = weights > 0
    without = PlattSVC(gamma=0.001, C=3, random_state=0).fit(X[kept], y[kept], sample_weight=weights[kept])
    assert without.platt_a_.tobytes() == a.tobytes() and without.platt_b_.tobytes() == b.tobytes()
    np.testing.assert_array_equal(without.predict_proba(Xt), model.predict_proba(Xt))
    unweighted = PlattSVC(gamma=0.001, C=3, random_state=0).fit(X, y)
    assert not np.array_equal(unweighted.platt_a_, a)


def test_weighted_probabilities_close_to_scikit_learns_with_the_same_weights(halves, weights, sklearn_calibrated):
    X, y, Xt, yt = halves
    model = sklearn_calibrated(X, y, sample_weight=weights, gamma=0.001, C=3)
    theirs = LibsvmModel(read_svm_spec(svc_spec(model)))
    p_theirs = theirs.probabilities(theirs.decision(Xt))
    ours = PlattSVC(gamma=0.001, C=3, random_state=0).fit(X, y, sample_weight=weights)
    p_ours = ours.predict_proba(Xt)
    diff = np.abs(p_ours - p_theirs)
    print(f"figures: weighted, max |p ours - p sklearn| = {diff.max():.4f}, mean = {diff.mean():.5f}")
    assert np.mean(p_ours.argmax(1) == p_theirs.argmax(1)) >= 0.98
    assert _log_loss(p_ours, yt) <= _log_loss(p_theirs, yt) * 1.05
    assert diff.mean() < 0.02


# --------------------------------------------------------------------------- scikit-learn's API
#: The checks that scikit-learn expects plain SVC to fail too, with its reason
#: (sklearn/utils/_test_common/instance_generator.py); a PlattSVC fails them for the same reason.
EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": "sample_weight is not equivalent to removing/repeating samples.",
    "check_sample_weight_equivalence_on_sparse_data": "sample_weight is not equivalent to removing/repeating samples.",
}

if "expected_failed_checks" in inspect.signature(parametrize_with_checks).parameters:
    _estimator_checks = parametrize_with_checks([PlattSVC(random_state=0)],
                                                expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS)
else:  # scikit-learn < 1.6: the expected failures are SVC's tags, which PlattSVC inherits
    _mark = parametrize_with_checks([PlattSVC(random_state=0)])  # its checks in a generator, which pytest deprecates
    _estimator_checks = pytest.mark.parametrize(_mark.args[0], list(_mark.args[1]), **_mark.kwargs)


@_estimator_checks
def test_scikit_learns_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def few(halves):
    """300 training grids of ``halves`` and its 500 held-out ones."""
    X, y, Xt, yt = halves
    return X[:300], y[:300], Xt, yt


def _probabilities_ok(model, Xt, yt, accuracy=0.9):
    proba = model.predict_proba(Xt)
    assert proba.shape == (len(Xt), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert np.mean(model.classes_[proba.argmax(1)] == yt) > accuracy


def test_in_a_pipeline_and_a_grid_search(few):
    X, y, Xt, yt = few
    pipeline = make_pipeline(MinMaxScaler(), PlattSVC(gamma=0.02, random_state=0)).fit(X, y)
    _probabilities_ok(pipeline, Xt, yt)
    search = GridSearchCV(PlattSVC(gamma=0.001, random_state=0), {"C": [1.0, 3.0]}, cv=3, scoring="neg_log_loss")
    search.fit(X, y)
    assert search.best_params_["C"] in (1.0, 3.0) and isinstance(search.best_estimator_, PlattSVC)
    _probabilities_ok(search, Xt, yt)


def test_in_bagging_and_boosting_with_sample_weights(few):
    X, y, Xt, yt = few
    bagging = BaggingClassifier(PlattSVC(gamma=0.001), n_estimators=3, random_state=0).fit(X, y)
    assert all(hasattr(member, "platt_a_") for member in bagging.estimators_)
    _probabilities_ok(bagging, Xt, yt)
    # AdaBoost fits each member with weights (summing to 1, so a small C: the SVC underfits); its members
    # weigh their SVC as a plain SVC does. SAMME.R (the default before scikit-learn 1.6) is deprecated.
    samme = {"algorithm": "SAMME"} if AdaBoostClassifier().get_params().get("algorithm") == "SAMME.R" else {}
    boosting = AdaBoostClassifier(PlattSVC(gamma=0.001), n_estimators=2, random_state=0, **samme).fit(X, y)
    plain = AdaBoostClassifier(SVC(gamma=0.001), n_estimators=2, random_state=0, **samme).fit(X, y)
    assert all(hasattr(member, "platt_a_") for member in boosting.estimators_)
    np.testing.assert_array_equal(boosting.predict(Xt), plain.predict(Xt))
    np.testing.assert_array_equal(boosting.estimator_weights_, plain.estimator_weights_)


def test_in_calibrated_classifier_cv(few):
    X, y, Xt, yt = few
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning from the wrapping itself
        # isotonic: scikit-learn's sigmoid fit takes seconds for ten classes
        calibrated = CalibratedClassifierCV(PlattSVC(gamma=0.001, random_state=0), cv=3, method="isotonic").fit(X, y)
    _probabilities_ok(calibrated, Xt, yt)
