"""The NumPy Core ML runtime against scikit-learn, an independent implementation.

Every model variant is trained once per module. Parity is checked on all 1,797
``load_digits`` digits plus 10,000 random grids (half integers 0..16, half reals).
"""

from __future__ import annotations

import copy
import dataclasses
import sys

import numpy as np
import pytest
from sklearn.svm import SVC

import digits_svm
from digits_svm import CoreMLRuntime, coreml_predict, verify
from digits_svm.coreml._convert import quiet_coremltools, spec_bytes
from digits_svm.coreml._libsvm import ONE_GRID_BY_CLASS_ABOVE, LibsvmModel
from digits_svm.coreml._parity import DECISION_TOLERANCE, PROBABILITY_TOLERANCE, ParityReport, parity_grids
from digits_svm.coreml._spec import read_svm_spec
from digits_svm.errors import InvalidGridError, ModelFileError, VerificationError
from digits_svm.model._calibration import SMALL_BATCH, PlattSVC

NAMES = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
SEED = {"method": "seed"}  # explicit preprocessing metadata, independent of digits_svm.preprocess

ON_MACOS = pytest.mark.skipif(
    sys.platform != "darwin",
    reason="needs Core ML itself, which runs only on macOS; on Linux the NumPy runtime's parity tests stand in",
)


def _ct():
    with quiet_coremltools():
        import coremltools

    return coremltools


def spec_of(model):
    return digits_svm.convert(model, preprocessing=SEED).get_spec()


def to_sparse(spec):
    """A copy of ``spec`` whose dense support vectors are rewritten as sparse (1-based, zeros left out)."""
    sparse = copy.deepcopy(spec)
    svc = sparse.supportVectorClassifier
    dense = [list(v.values) for v in svc.denseSupportVectors.vectors]
    svc.ClearField("denseSupportVectors")
    for values in dense:
        vector = svc.sparseSupportVectors.vectors.add()
        for index, value in enumerate(values, start=1):
            if value != 0.0:
                vector.nodes.add(index=index, value=value)
    return sparse


@pytest.fixture(scope="module")
def digits():
    return digits_svm.datasets._training_data.load_digits_grids()


@pytest.fixture(scope="module")
def grids():
    return parity_grids(10_000, 0)[0]


@pytest.fixture(scope="module")
def models(result, digits):
    """name -> (fitted SVC, its Core ML spec)."""
    X, y = digits
    first = slice(0, 898)
    out = {"default": result.model}
    out["probability"] = digits_svm.train(probability=True).model
    out["linear"] = digits_svm.train(kernel="linear").model
    out["poly"] = digits_svm.train(kernel="poly", degree=3, coef0=1.0).model
    out["sigmoid"] = digits_svm.train(kernel="sigmoid", gamma=1e-4, coef0=-0.5).model
    pair = (y == 3) | (y == 8)
    Xb, yb = X[pair], y[pair]
    out["binary"] = SVC(gamma=0.001).fit(Xb[: len(yb) // 2], yb[: len(yb) // 2])
    out["binary_probability"] = PlattSVC(gamma=0.001, random_state=0).fit(Xb[: len(yb) // 2], yb[: len(yb) // 2])
    out["strings"] = SVC(gamma=0.001).fit(X[first], NAMES[y[first]])
    specs = {name: spec_of(model) for name, model in out.items() if name != "strings"}
    # The converter's own spec (input 'input' of shape [64], any label type), built by svc_spec so
    # this runs under any scikit-learn; tests/coreml/test_convert.py checks svc_spec against the converter.
    specs["strings"] = digits_svm.coreml._convert.svc_spec(out["strings"])
    specs["sparse"] = to_sparse(specs["default"])
    out["sparse"] = result.model
    return {name: (out[name], specs[name]) for name in out}


@pytest.fixture(scope="module")
def default_path(tmp_path_factory, models):
    path = tmp_path_factory.mktemp("runtime") / "DigitsSVM.mlmodel"
    digits_svm.convert(models["default"][0], path, preprocessing=SEED)
    return path


@pytest.fixture(scope="module")
def probability_path(tmp_path_factory, models):
    path = tmp_path_factory.mktemp("runtime") / "DigitsSVMProb.mlmodel"
    digits_svm.convert(models["probability"][0], path, preprocessing=SEED)
    return path


def ovo_decision(model, X):
    ovo = copy.copy(model)
    ovo.decision_function_shape = "ovo"
    return ovo.decision_function(X).reshape(len(X), -1)


# -- parity with scikit-learn ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["default", "probability", "linear", "poly", "sigmoid", "binary", "binary_probability", "strings", "sparse"]
)
def test_verify_agrees_on_every_digit_and_10000_random_grids(models, name):
    model, spec = models[name]
    report = verify(spec, model, n_random=10_000, random_state=0)
    assert (report.n, report.n_digits, report.n_random) == (11_797, 1_797, 10_000)
    assert report.n_agree == report.n and report.disagreements == ()
    assert report.max_decision_diff <= DECISION_TOLERANCE
    if digits_svm.model._fitted.has_probabilities(model):
        assert report.max_proba_diff <= PROBABILITY_TOLERANCE
        assert report.label_rule == "probabilities"
    else:
        assert report.max_proba_diff is None and report.label_rule == "votes"
    assert report.ok
    assert report.check() is report


def test_decision_values_match_sklearn_ovo_for_every_kernel(models, grids):
    for name in ("default", "linear", "poly", "sigmoid", "strings", "sparse"):
        model, spec = models[name]
        runtime = CoreMLRuntime.from_spec(spec)
        dec = runtime.decision_function(grids)
        assert dec.shape == (len(grids), 45)
        np.testing.assert_allclose(dec, ovo_decision(model, grids), rtol=0, atol=DECISION_TOLERANCE, err_msg=name)
        np.testing.assert_array_equal(runtime.predict(grids), model.predict(grids), err_msg=name)


def test_kernel_parameters_are_read_from_the_spec(models):
    assert CoreMLRuntime.from_spec(models["poly"][1]).kernel == "poly"
    svc = models["poly"][1].supportVectorClassifier
    assert (svc.kernel.polyKernel.gamma, svc.kernel.polyKernel.c, svc.kernel.polyKernel.degree) == (0.001, 1.0, 3)
    assert models["sigmoid"][1].supportVectorClassifier.kernel.sigmoidKernel.c == -0.5
    kernels = {name: CoreMLRuntime.from_spec(models[name][1]).kernel for name in ("default", "linear", "sigmoid")}
    assert kernels == {"default": "rbf", "linear": "linear", "sigmoid": "sigmoid"}


def test_probabilities_match_sklearn_and_labels_are_their_argmax(models, grids):
    model, spec = models["probability"]
    runtime = CoreMLRuntime.from_spec(spec)
    proba = runtime.predict_proba(grids)
    expected = model.predict_proba(grids)
    np.testing.assert_allclose(proba, expected, rtol=0, atol=PROBABILITY_TOLERANCE)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(runtime.predict(grids), model.classes_[expected.argmax(axis=1)])


def test_label_from_probabilities_differs_from_sklearn_predict_and_report_counts_it(models, grids):
    """Core ML's label is the most probable class; sklearn's predict() counts votes."""
    model, spec = models["probability"]
    runtime = CoreMLRuntime.from_spec(spec)
    differs = runtime.predict(grids) != model.predict(grids)
    report = verify(spec, model)
    assert report.n_predict_differs == int(differs.sum()) > 0
    assert report.n_predict_differs_digits == int(differs[:1797].sum())
    assert report.n_predict_differs_digits < 20  # rare on real digits, common on noise
    assert "argmax of predict_proba" in report.summary()


def test_binary_sign_and_probability_follow_core_ml(models, digits):
    X, _ = digits
    model, spec = models["binary_probability"]
    runtime = CoreMLRuntime.from_spec(spec)
    dec = runtime.decision_function(X)
    assert dec.shape == (len(X), 1)
    # scikit-learn flips libsvm's sign for two classes: positive favours classes_[1].
    np.testing.assert_allclose(dec[:, 0], model.decision_function(X), rtol=0, atol=DECISION_TOLERANCE)
    sure = np.abs(dec[:, 0]) > 1
    assert sure.sum() > 100
    np.testing.assert_array_equal(runtime.predict(X[sure]), np.where(dec[sure, 0] > 0, 8, 3))
    # Core ML does not couple two classes (coremltools warns about this), and neither does a
    # PlattSVC: the same probabilities.
    assert np.abs(runtime.predict_proba(X) - model.predict_proba(X)).max() <= PROBABILITY_TOLERANCE
    assert verify(spec, model, n_random=100).binary_platt


def test_binary_probabilities_of_scikit_learns_calibration_are_compared_uncoupled(digits, sklearn_calibrated):
    """scikit-learn's SVC(probability=True) couples even two classes, a little off Core ML's rule."""
    X, y = digits
    pair = (y == 3) | (y == 8)
    model = sklearn_calibrated(X[pair][:150], y[pair][:150], gamma=0.001)
    spec = digits_svm.convert(model, preprocessing={"method": "seed"}).get_spec()
    gap = np.abs(CoreMLRuntime.from_spec(spec).predict_proba(X) - model.predict_proba(X)).max()
    assert PROBABILITY_TOLERANCE < gap < 5e-3  # far less than coremltools' "usually less than 0.5%"
    report = verify(spec, model, n_random=100)
    assert report.ok and report.binary_platt



def test_an_older_pickles_ten_class_calibration_is_verified_against_its_own_predict_proba(digits, sklearn_calibrated):
    """An SVC(probability=True) of ten classes (an older pickle's model): its own libsvm coupling is the reference."""
    X, y = digits
    model = sklearn_calibrated(X[:300], y[:300], gamma=0.001)
    spec = digits_svm.convert(model, preprocessing={"method": "seed"}).get_spec()
    report = verify(spec, model, n_random=100)
    assert report.ok and not report.binary_platt and report.label_rule == "probabilities"
    assert report.max_proba_diff <= PROBABILITY_TOLERANCE  # scikit-learn's coupling and ours, the same to 1e-9

def test_string_labels(models, digits):
    X, y = digits
    model, spec = models["strings"]
    runtime = CoreMLRuntime.from_spec(spec)
    assert runtime.classes_.tolist() == sorted(NAMES.tolist())
    assert runtime.input_shape == (64,)
    labels = runtime.predict(X[898:])
    assert labels.dtype.kind == "U"
    assert (labels == NAMES[y[898:]]).mean() > 0.95


def test_sparse_support_vectors_give_the_dense_results(models, grids):
    dense = CoreMLRuntime.from_spec(models["default"][1])
    sparse_spec = models["sparse"][1]
    assert sparse_spec.supportVectorClassifier.WhichOneof("supportVectors") == "sparseSupportVectors"
    sparse = CoreMLRuntime.from_spec(sparse_spec)
    np.testing.assert_array_equal(sparse.decision_function(grids), dense.decision_function(grids))


# -- libsvm semantics on hand-made specs ----------------------------------------------------


def grid_input_spec():
    """An empty spec with the app's input: 'input', MultiArray Double [8, 8]."""
    ct = _ct()
    spec = ct.proto.Model_pb2.Model()
    spec.specificationVersion = 1
    inp = spec.description.input.add()
    inp.name = "input"
    inp.type.multiArrayType.shape.extend([8, 8])
    inp.type.multiArrayType.dataType = ct.proto.FeatureTypes_pb2.ArrayFeatureType.DOUBLE
    return spec


def tiny_spec(labels, rho, *, probA=(), probB=()):
    """A linear SVM whose coefficients are all zero, so its decision values are exactly -rho."""
    spec = grid_input_spec()
    svc = spec.supportVectorClassifier
    svc.kernel.linearKernel.SetInParent()
    k = len(labels)
    svc.numberOfSupportVectorsPerClass.extend([1] * k)
    for _ in range(k):
        svc.denseSupportVectors.vectors.add().values.extend([1.0] * 64)
    for _ in range(k - 1):
        svc.coefficients.add().alpha.extend([0.0] * k)
    svc.rho.extend(rho)
    svc.probA.extend(probA)
    svc.probB.extend(probB)
    if isinstance(labels[0], str):
        svc.stringClassLabels.vector.extend(labels)
    else:
        svc.int64ClassLabels.vector.extend(labels)
    return spec


def test_votes_use_the_specs_class_order_and_libsvm_tie_rule():
    grid = np.zeros((8, 8))
    # pairs (7,3) (7,5) (3,5); dec = -rho = (1, -1, 1): each class gets one vote -> first class wins
    runtime = CoreMLRuntime.from_spec(tiny_spec([7, 3, 5], [-1.0, 1.0, -1.0]))
    np.testing.assert_array_equal(runtime.decision_function(grid), [[1.0, -1.0, 1.0]])
    assert runtime.predict(grid).tolist() == [7]
    # a decision value of exactly 0 votes for the pair's second class: votes (0, 1, 2) -> 5
    assert CoreMLRuntime.from_spec(tiny_spec([7, 3, 5], [0.0, 0.0, 0.0])).predict(grid).tolist() == [5]
    assert CoreMLRuntime.from_spec(tiny_spec(["b", "a"], [0.0])).predict(grid).tolist() == ["a"]


def test_votes_of_a_batch_follow_the_tie_rule_of_one_grid():
    # a batch's votes are one product, one grid's a count: the same tie rule either way
    grids = np.zeros((3, 8, 8))
    assert CoreMLRuntime.from_spec(tiny_spec([7, 3, 5], [-1.0, 1.0, -1.0])).predict(grids).tolist() == [7, 7, 7]
    assert CoreMLRuntime.from_spec(tiny_spec([7, 3, 5], [0.0, 0.0, 0.0])).predict(grids).tolist() == [5, 5, 5]
    assert CoreMLRuntime.from_spec(tiny_spec(["b", "a"], [0.0])).predict(grids).tolist() == ["a", "a", "a"]


def test_a_zero_distance_that_rounds_below_zero_gives_a_kernel_of_exactly_one(digits):
    # |x|^2 + |s|^2 - 2 x.s of a support vector with itself is 0, but with real-valued grids
    # rounding can make it slightly negative; a distance is never below 0, so the kernel
    # must be exactly exp(0) = 1 there, not a little more
    X, y = digits
    real = X[:200].reshape(-1, 64) * 0.73
    model = SVC(gamma=0.001).fit(real, y[:200])
    svm = LibsvmModel(read_svm_spec(digits_svm.convert(model, preprocessing=SEED).get_spec()))
    sv = model.support_vectors_
    norms = np.einsum("ij,ij->i", sv, sv)
    sq = sv @ (-2.0 * sv).T + norms[:, None] + norms
    below = sq < 0
    assert np.diag(below).sum() > 5  # what this test is about does happen
    K = svm.kernel_matrix(sv)
    assert np.all(K[below] == 1.0) and K.max() == 1.0
    assert np.array_equal(K[~below], np.exp(-0.001 * sq[~below]))


def test_probability_clamp_and_binary_platt():
    grid = np.zeros(64)
    # dec = 0, so the pairwise probability is sigmoid(B): B = -100 would give 1 - 3.7e-44
    runtime = CoreMLRuntime.from_spec(tiny_spec([0, 1], [0.0], probA=[1.0], probB=[-100.0]))
    np.testing.assert_array_equal(runtime.predict_proba(grid), [[1 - 1e-7, 1 - (1 - 1e-7)]])
    runtime = CoreMLRuntime.from_spec(tiny_spec([0, 1], [0.0], probA=[1.0], probB=[np.log(3.0)]))
    np.testing.assert_allclose(runtime.predict_proba(grid), [[0.25, 0.75]], rtol=1e-15)
    assert runtime.predict(grid).tolist() == [1]


def test_coupling_of_consistent_pairwise_probabilities_recovers_them():
    # r_ij = p_i / (p_i + p_j) for p = (0.5, 0.3, 0.2): coupling must return ~p.
    p = np.array([0.5, 0.3, 0.2])
    pairs = [(0, 1), (0, 2), (1, 2)]
    r = np.array([p[i] / (p[i] + p[j]) for i, j in pairs])
    # sigmoid_predict(dec=0, A, B) = 1 / (1 + exp(B))  =>  B = log(1/r - 1)
    runtime = CoreMLRuntime.from_spec(tiny_spec([0, 1, 2], [0.0] * 3, probA=[1.0] * 3, probB=np.log(1 / r - 1)))
    np.testing.assert_allclose(runtime.predict_proba(np.zeros((2, 64))), [p, p], atol=0.005)


@pytest.mark.parametrize("name", ["probability", "default", "binary_probability"])
def test_small_batches_and_one_grid_give_the_batchs_bits(models, grids, name):
    # Batches of more than libsvm.SMALL_BATCH grids couple vectorised, smaller ones grid by
    # grid on Python floats, and the votes of one grid take their own path: from the same
    # decision values, all must give the same bits.
    svm = LibsvmModel(read_svm_spec(models[name][1]))
    raw = svm.decision(grids[:: len(grids) // 40][:40])
    winners = svm.vote_winners(raw)
    np.testing.assert_array_equal(np.concatenate([svm.vote_winners(raw[m : m + 1]) for m in range(len(raw))]), winners)
    if svm.has_probabilities:
        proba = svm.probabilities(raw)
        assert np.concatenate([svm.probabilities(raw[m : m + 1]) for m in range(len(raw))]).tobytes() == proba.tobytes()
        assert svm.probabilities(raw[:SMALL_BATCH]).tobytes() == proba[:SMALL_BATCH].tobytes()


def test_one_grid_against_a_large_model_is_weighed_class_by_class_and_agrees_with_the_batch(models, grids):
    # Each support vector of the probability model six times with a sixth of its weight: the
    # same decision function, with weights over ONE_GRID_BY_CLASS_ABOVE, so that one grid
    # takes the class-by-class path (as the app preset's does) and a batch the product.
    spec = read_svm_spec(models["probability"][1])
    start = np.concatenate([[0], np.cumsum(spec.n_support)[:-1]])
    rows = np.concatenate([np.repeat(np.arange(a, a + n), 6) for a, n in zip(start, spec.n_support, strict=True)])
    tiled = dataclasses.replace(
        spec, support_vectors=spec.support_vectors[rows], n_support=spec.n_support * 6,
        coefficients=tuple(c[rows] / 6 for c in spec.coefficients),
    )
    assert len(rows) * len(spec.rho) * 8 > ONE_GRID_BY_CLASS_ABOVE
    big, small = LibsvmModel(tiled), LibsvmModel(spec)
    sample = grids[:: len(grids) // 300].reshape(-1, 64)
    one = np.concatenate([big.decision(g[None]) for g in sample])
    batch = big.decision(sample)
    assert np.abs(one - batch).max() < 1e-12 and np.abs(one - small.decision(sample)).max() < 1e-12
    np.testing.assert_array_equal(big.vote_winners(one), big.vote_winners(batch))
    assert np.abs(big.probabilities(one) - big.probabilities(batch)).max() < 1e-12


# -- interface and input validation ---------------------------------------------------------


def test_properties_and_file_round_trip(default_path, models, digits):
    X, _ = digits
    runtime = CoreMLRuntime.from_file(default_path)
    assert runtime.input_name == "input" and runtime.input_shape == (8, 8)
    assert runtime.classes_.tolist() == list(range(10)) and runtime.classes_.dtype == np.int64
    assert runtime.metadata["preprocessing.method"] == "seed"
    assert runtime.metadata["com.github.apple.coremltools.version"]
    assert not runtime.has_probabilities
    assert runtime.n_support_vectors == int(models["default"][0].n_support_.sum())
    assert str(default_path) in repr(runtime)
    np.testing.assert_array_equal(runtime.predict(X), models["default"][0].predict(X))


def test_every_grid_layout_gives_the_same_answer(default_path, digits):
    X, _ = digits
    runtime = CoreMLRuntime.from_file(default_path)
    batch = runtime.decision_function(X[:5])
    same = {"rtol": 0, "atol": 1e-13}  # BLAS may sum in another order for another batch size
    np.testing.assert_allclose(runtime.decision_function(X[:5].reshape(5, 8, 8)), batch, **same)
    np.testing.assert_allclose(runtime.decision_function(X[0]), batch[:1], **same)
    np.testing.assert_allclose(runtime.decision_function(X[0].reshape(8, 8)), batch[:1], **same)
    np.testing.assert_allclose(runtime.decision_function({"input": X[0].reshape(8, 8)}), batch[:1], **same)
    np.testing.assert_allclose(runtime.decision_function(X[:5].astype(np.int32).tolist()), batch, **same)


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((8, 9)), "shape"),
        (np.zeros((3, 63)), "shape"),
        (np.zeros((0, 64)), "empty"),
        (np.full((8, 8), np.nan), "NaN"),
        (np.full((8, 8), 17.0), "0..16"),
        (np.full((8, 8), -1.0), "0..16"),
        ([["a"] * 8] * 8, "numbers"),
        ({"image": np.zeros((8, 8))}, "'input'"),
    ],
)
def test_bad_grids_are_rejected_with_the_reason(default_path, bad, message):
    with pytest.raises(InvalidGridError, match=message):
        coreml_predict(default_path, bad)


def test_float32_input_rounds_grids_as_core_ml_would(models):
    model, spec = models["default"]
    spec = copy.deepcopy(spec)
    spec.description.input[0].type.multiArrayType.dataType = _ct().proto.FeatureTypes_pb2.ArrayFeatureType.FLOAT32
    grid = np.full((1, 64), 0.1)
    dec = CoreMLRuntime.from_spec(spec).decision_function(grid)
    rounded = grid.astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(dec, ovo_decision(model, rounded), rtol=0, atol=DECISION_TOLERANCE)
    assert np.abs(dec - ovo_decision(model, grid)).max() > 0


def test_coreml_predict_forms(default_path, probability_path, models, digits):
    X, _ = digits
    spec = models["default"][1]
    labels = coreml_predict(default_path, X[:20])
    assert labels.tolist() == models["default"][0].predict(X[:20]).tolist()
    for source in (spec, _ct().models.MLModel(spec), CoreMLRuntime.from_spec(spec), str(default_path)):
        np.testing.assert_array_equal(coreml_predict(source, X[:20]), labels)
    labels2, dec = coreml_predict(default_path, X[:20], return_decision=True)
    assert dec.shape == (20, 45) and labels2.tolist() == labels.tolist()
    labels3, dec3, proba = coreml_predict(probability_path, X[:20], return_decision=True, return_proba=True)
    assert dec3.shape == (20, 45) and proba.shape == (20, 10)
    assert labels3.tolist() == proba.argmax(axis=1).tolist()
    assert digits_svm.coreml_predict is coreml_predict


def test_probabilities_of_a_model_without_them_is_a_clear_error(default_path, digits):
    X, _ = digits
    with pytest.raises(ModelFileError, match="no probabilities.*probability=True"):
        CoreMLRuntime.from_file(default_path).predict_proba(X[:1])
    with pytest.raises(ModelFileError, match="no probabilities"):
        coreml_predict(default_path, X[:1], return_proba=True)


# -- damaged and foreign model files --------------------------------------------------------


def test_empty_file(tmp_path):
    path = tmp_path / "empty.mlmodel"
    path.write_bytes(b"")
    with pytest.raises(ModelFileError, match="empty"):
        CoreMLRuntime.from_file(path)


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        coreml_predict(tmp_path / "nope.mlmodel", np.zeros((8, 8)))


@pytest.mark.parametrize("fraction", [0.001, 0.25, 0.5, 0.9, 0.9999])
def test_truncated_file(tmp_path, default_path, fraction):
    data = default_path.read_bytes()
    path = tmp_path / "truncated.mlmodel"
    path.write_bytes(data[: max(1, int(len(data) * fraction))])
    with pytest.raises(ModelFileError, match="truncated.mlmodel"):
        CoreMLRuntime.from_file(path)


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes(tmp_path, seed):
    path = tmp_path / "random.mlmodel"
    path.write_bytes(np.random.default_rng(seed).bytes(4096))
    with pytest.raises(ModelFileError, match="random.mlmodel"):
        CoreMLRuntime.from_file(path)


def test_glm_classifier_is_refused_by_name(tmp_path):
    spec = grid_input_spec()
    glm = spec.glmClassifier  # a valid linear classifier: Core ML would run it
    glm.weights.add().value.extend([0.01] * 64)
    glm.offset.append(-0.5)
    glm.int64ClassLabels.vector.extend([0, 1])
    path = tmp_path / "glm.mlmodel"
    path.write_bytes(spec_bytes(spec))
    with pytest.raises(ModelFileError, match="glmClassifier model, not a support-vector classifier"):
        CoreMLRuntime.from_file(path)


def test_neural_network_is_refused_by_name():
    ct = _ct()
    from coremltools.models import datatypes
    from coremltools.models.neural_network import NeuralNetworkBuilder

    builder = NeuralNetworkBuilder([("input", datatypes.Array(64))], [("out", datatypes.Array(10))])
    builder.add_inner_product("fc", np.zeros((10, 64)), None, 64, 10, False, "input", "out")
    assert isinstance(builder.spec, ct.proto.Model_pb2.Model)
    with pytest.raises(ModelFileError, match="neuralNetwork model"):
        CoreMLRuntime.from_spec(builder.spec)


def test_not_a_spec_at_all():
    with pytest.raises(ModelFileError, match="expected a Core ML spec"):
        coreml_predict(42, np.zeros((8, 8)))


def _damaged(spec, damage):
    spec = copy.deepcopy(spec)
    damage(spec)
    return spec


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda s: s.description.input[0].type.multiArrayType.shape.__setitem__(slice(None), [28, 28]), r"shape \[28, 28\]"),
        (lambda s: s.description.input.add(name="extra"), "2 inputs"),
        (lambda s: s.description.input[0].type.int64Type.SetInParent(), "not a MultiArray"),
        (lambda s: setattr(s.description.input[0].type.multiArrayType, "dataType", 131104), "INT32"),
        (lambda s: s.supportVectorClassifier.numberOfSupportVectorsPerClass.append(1), "counts per class"),
        (lambda s: s.supportVectorClassifier.rho.pop(), "rho values"),
        (lambda s: s.supportVectorClassifier.coefficients[0].alpha.pop(), "coefficient arrays"),
        (lambda s: s.supportVectorClassifier.probA.append(0.5), "probA and probB"),
        (lambda s: s.supportVectorClassifier.kernel.Clear(), "no kernel"),
        (lambda s: s.supportVectorClassifier.denseSupportVectors.vectors[3].values.append(1.0), "65 values"),
        (lambda s: s.supportVectorClassifier.ClearField("int64ClassLabels"), "no class labels"),
        (lambda s: s.supportVectorClassifier.rho.__setitem__(0, float("nan")), "NaN"),
    ],
)
def test_inconsistent_specs_are_refused(models, damage, message):
    with pytest.raises(ModelFileError, match=message):
        CoreMLRuntime.from_spec(_damaged(models["default"][1], damage))


@pytest.mark.parametrize("index, message", [(0, "index 0"), (65, "index 65")])
def test_sparse_index_out_of_range_is_refused(models, index, message):
    def damage(spec):
        spec.supportVectorClassifier.sparseSupportVectors.vectors[0].nodes.add(index=index, value=1.0)

    with pytest.raises(ModelFileError, match=message):
        CoreMLRuntime.from_spec(_damaged(models["sparse"][1], damage))


def test_saved_damaged_spec_error_names_the_file(tmp_path, models):
    path = tmp_path / "bad_input.mlmodel"
    spec = _damaged(models["default"][1], lambda s: s.description.input[0].type.multiArrayType.shape.append(3))
    path.write_bytes(spec_bytes(spec))
    with pytest.raises(ModelFileError, match=r"bad_input.mlmodel: input 'input' has shape \[8, 8, 3\]"):
        CoreMLRuntime.from_file(path)


# -- verify's verdicts ----------------------------------------------------------------------


def test_verify_catches_a_different_model(models):
    model, spec = models["default"]
    tampered = _damaged(spec, lambda s: s.supportVectorClassifier.rho.__setitem__(0, s.supportVectorClassifier.rho[0] + 1e-6))
    report = verify(tampered, model, n_random=500)
    assert not report.ok
    assert report.max_decision_diff == pytest.approx(1e-6, rel=1e-3)
    assert report.summary().startswith("MISMATCH: ")
    with pytest.raises(VerificationError, match="decision values differ by more than 1e-09"):
        report.check()
    other = verify(models["linear"][1], model, n_random=500)
    assert not other.ok and other.n_agree < other.n and len(other.disagreements) == 20
    assert "labels differ on" in other.summary()


def test_verify_refuses_incomparable_pairs(models):
    with pytest.raises(VerificationError, match="classes"):
        verify(models["binary"][1], models["default"][0], n_random=0)
    with pytest.raises(VerificationError, match="only the estimator has probabilities"):
        verify(models["default"][1], models["probability"][0], n_random=0)
    with pytest.raises(digits_svm.errors.NotAnSVCError):
        verify(models["default"][1], object(), n_random=0)
    with pytest.raises(digits_svm.InvalidParameterError, match="^n_random=-1 is not allowed"):
        verify(models["default"][1], models["default"][0], n_random=-1)


def test_parity_grids_are_reproducible_and_in_range():
    a, n_digits = parity_grids(1000, random_state=3)
    b, _ = parity_grids(1000, random_state=3)
    np.testing.assert_array_equal(a, b)
    random_part = a[n_digits:]
    assert random_part.min() >= 0 and random_part.max() <= 16
    assert (random_part[:500] == np.round(random_part[:500])).all()
    assert (random_part[500:] != np.round(random_part[500:])).any()


def test_summary_text():
    report = ParityReport(
        n=12797, n_agree=12797, max_decision_diff=3.1e-15, max_proba_diff=2.2e-16, disagreements=(), ok=True,
        n_digits=1797, n_random=11000, label_rule="probabilities", n_predict_differs=12, n_predict_differs_digits=3,
    )
    lines = report.summary().splitlines()
    assert lines[0] == (
        "12,797 of 12,797 predictions agree (1,797 load_digits digits + 11,000 random grids); "
        "largest decision-value difference 3.1e-15, largest probability difference 2.2e-16"
    )
    assert "As expected, and not a mismatch: the estimator's predict() (votes) differs from it on 12 grids" in lines[1]
    assert "(3 of them digits)" in lines[1]


# -- Core ML itself (macOS only) ------------------------------------------------------------


def _core_ml_outputs(path, X):
    """Core ML's own outputs, one prediction per grid, fed exactly as the app feeds them."""
    mlmodel = _ct().models.MLModel(str(path))
    return [mlmodel.predict({"input": grid.reshape(8, 8)}) for grid in X]


@pytest.mark.macos
@ON_MACOS
def test_core_ml_labels_equal_the_pickle_and_the_runtime(default_path, models, grids):
    model = models["default"][0]
    X = grids[:3000]  # the 1,797 digits and 1,203 random grids
    labels = np.array([o["classLabel"] for o in _core_ml_outputs(default_path, X)])
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_array_equal(labels, coreml_predict(default_path, X))


@pytest.mark.macos
@ON_MACOS
def test_core_ml_probabilities_equal_the_runtime(probability_path, models, grids):
    model = models["probability"][0]
    X = grids[:3000]
    outputs = _core_ml_outputs(probability_path, X)
    labels = np.array([o["classLabel"] for o in outputs])
    proba = np.array([[o["classProbability"][c] for c in model.classes_] for o in outputs])
    runtime_labels, runtime_proba = coreml_predict(probability_path, X, return_proba=True)
    np.testing.assert_array_equal(labels, runtime_labels)
    np.testing.assert_array_equal(labels, model.classes_[model.predict_proba(X).argmax(axis=1)])
    np.testing.assert_allclose(proba, runtime_proba, rtol=0, atol=PROBABILITY_TOLERANCE)


@pytest.mark.macos
@ON_MACOS
def test_core_ml_binary_probabilities_are_uncoupled_platt(tmp_path, models, digits):
    """Settles the one inferred rule: Core ML gives two classes Platt's sigmoid, uncoupled."""
    X, _ = digits
    model, spec = models["binary_probability"]
    path = tmp_path / "binary.mlmodel"
    path.write_bytes(spec_bytes(spec))
    outputs = _core_ml_outputs(path, X[:300])
    proba = np.array([[o["classProbability"][c] for c in model.classes_] for o in outputs])
    np.testing.assert_allclose(proba, coreml_predict(path, X[:300], return_proba=True)[1], rtol=0, atol=PROBABILITY_TOLERANCE)


@pytest.mark.parametrize("n, message", [
    (1_000_001, "declares 1,000,001 support vectors, more than 1,000,000"),
    (200_000, "200,000 sparse support vectors would unpack to 102,400,000 bytes from"),
])
def test_declared_sizes_are_checked_before_any_array_is_built(n, message):
    """A few MB of empty sparse vectors would unpack to gigabytes (and take half a minute in a Python loop)."""
    from digits_svm import train
    from digits_svm.coreml._convert import build_spec
    from digits_svm.errors import ModelFileError

    spec = build_spec(train().model, preprocessing=None, metadata=None)
    svc = spec.supportVectorClassifier
    svc.ClearField("denseSupportVectors")
    for _ in range(n):
        svc.sparseSupportVectors.vectors.add()
    del svc.numberOfSupportVectorsPerClass[:]
    svc.numberOfSupportVectorsPerClass.extend([n // 10] * 9 + [n - 9 * (n // 10)])
    with pytest.raises(ModelFileError, match=message):
        CoreMLRuntime(spec)
