import numpy as np
import pytest

import digits_svm
from digits_svm.datasets._nondigits import KINDS, TEMPLATES, nondigit_drawing, synthesize_nondigits
from digits_svm.datasets._training_data import NOT_A_DIGIT


def test_synthesized_nondigits_are_seeded_prefix_stable_and_labelled():
    X, y = synthesize_nondigits(24, seed=3)
    assert X.shape == (24, 64) and set(y.tolist()) == {NOT_A_DIGIT} == {-1}
    assert 0 <= X.min() and X.max() <= 16 and (X.sum(axis=1) > 0).all()
    np.testing.assert_array_equal(synthesize_nondigits(10, seed=3)[0], X[:10])
    assert not np.array_equal(synthesize_nondigits(10, seed=4)[0], X[:10])


def test_parallel_synthesis_changes_nothing_but_the_time():
    np.testing.assert_array_equal(synthesize_nondigits(240, n_jobs=2)[0], synthesize_nondigits(240, n_jobs=1)[0])


@pytest.mark.parametrize("kind", sorted(set(KINDS)))
def test_every_kind_is_a_valid_drawing_that_is_not_a_straight_line(kind):
    rng = np.random.default_rng(11)
    for _ in range(25):
        drawing = nondigit_drawing(rng, kind)
        assert "label" not in drawing  # the stroke format labels digits only
        digits_svm.drawing._strokes.parse_strokes(drawing)
        points = np.concatenate([np.asarray(s, dtype=float).reshape(-1, 2) for s in drawing["strokes"]])
        if len(points) >= 3:
            spread = np.linalg.svd(points - points.mean(axis=0), compute_uv=False)
            assert spread[1] >= 0.15 * spread[0]


def test_letters_people_write_as_digits_are_left_out():
    assert not {"O", "I", "l", "S", "Z", "B", "D", "G", "b", "g", "q"} & set(TEMPLATES["letters"])


def test_unknown_kind_is_refused():
    with pytest.raises(digits_svm.InvalidParameterError, match="^kind='doodle' is not allowed; use one of 'letters', "):
        nondigit_drawing(np.random.default_rng(0), "doodle")


def test_negative_nondigits_are_refused():
    with pytest.raises(digits_svm.InvalidParameterError, match="^nondigits=-1 is not allowed; use a whole number >= 0$"):
        digits_svm.train(nondigits=-1)


def test_a_model_with_the_class_answers_not_a_digit_everywhere(tmp_path, capsys):
    """Without probabilities too: the .mlmodel's classLabel -1 is "not a digit" in the CLI."""
    from digits_svm.cli import main

    result = digits_svm.train(nondigits=300)
    assert result.n_nondigits == 300 and NOT_A_DIGIT in result.model.classes_
    assert result.n_fitted == 898 + 300
    out = tmp_path / "m.mlmodel"
    digits_svm.convert(result.model, out)
    runtime = digits_svm.CoreMLRuntime.from_file(out)
    X_nd, _ = synthesize_nondigits(40, seed=99)
    grids = np.concatenate([result.X_test[:40], X_nd]).reshape(-1, 8, 8)
    np.testing.assert_array_equal(runtime.predict(grids), result.model.predict(grids.reshape(-1, 64)))
    assert (runtime.predict(X_nd.reshape(-1, 8, 8)) == NOT_A_DIGIT).mean() > 0.5
    np.save(tmp_path / "nd.npy", X_nd[:1].reshape(8, 8))
    assert runtime.predict(X_nd[:1].reshape(1, 8, 8))[0] == NOT_A_DIGIT
    assert main(["predict", str(tmp_path / "nd.npy"), "--model", str(out)]) == 0
    assert capsys.readouterr().out == "not a digit\n"
