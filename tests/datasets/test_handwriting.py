"""The handwriting synthesizer: styles, determinism, the path a drawn digit takes."""

import numpy as np
import pytest

import digits_svm
from digits_svm.datasets._handwriting import STYLES, TRAINING_SEED, VARIATION, style_names, synthesize, synthesize_drawing
from digits_svm.datasets._templates import TEMPLATES
from digits_svm.errors import DigitsSVMError


def test_every_digit_has_many_styles():
    assert sorted(STYLES) == list(range(10))
    assert all(len(styles) >= 5 for styles in STYLES.values())
    # the styles the issue names: open and closed 4, 7 with and without a bar, 1 with a flag and a base
    assert {"open", "closed"} <= set(style_names(4))
    assert {"plain", "barred"} <= set(style_names(7))
    assert {"stroke", "flag", "flag and base"} <= set(style_names(1))
    assert {"straight stem", "curved stem", "hooked"} <= set(style_names(9))


@pytest.mark.parametrize("digit", range(10))
def test_every_style_parses_renders_and_preprocesses(digit):
    for name in style_names(digit):
        drawing = synthesize_drawing(digit, np.random.default_rng([1, digit]), style=name)
        assert digits_svm.drawing._strokes.parse_strokes(drawing).label == digit
        grid = digits_svm.preprocess_strokes(drawing)
        assert grid.shape == (8, 8) and grid.max() > 0 and grid.min() >= 0


def test_drawings_vary_within_the_documented_ranges():
    rng = np.random.default_rng(3)
    drawings = [synthesize_drawing(7, rng, style="plain") for _ in range(50)]
    widths = [d["line_width"] for d in drawings]
    assert len(set(widths)) == 50
    heights = [np.ptp(np.concatenate([np.asarray(s) for s in d["strokes"]])[:, 1]) for d in drawings]
    lo, hi = VARIATION["height"]
    assert min(heights) > 0.5 * lo and max(heights) < 1.6 * hi


def test_same_seed_same_grids_and_prefixes_agree():
    a, ya = synthesize(30, seed=11)
    b, yb = synthesize(30, seed=11)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    c, _ = synthesize(12, seed=11)
    np.testing.assert_array_equal(a[:12], c)
    d, _ = synthesize(30, seed=12)
    assert not np.array_equal(a, d)


def test_parallel_synthesis_changes_nothing_but_time():
    serial, _ = synthesize(240, seed=4, n_jobs=1)
    parallel, _ = synthesize(240, seed=4, n_jobs=2)
    np.testing.assert_array_equal(serial, parallel)


def test_grids_are_what_the_app_path_makes():
    X, y = synthesize(3, seed=9, method="seed")
    drawing = synthesize_drawing(int(y[1]), np.random.default_rng([9, 1]))
    np.testing.assert_array_equal(X[1], digits_svm.preprocess_strokes(drawing, method="seed").ravel())
    assert set(np.unique(X)) <= set(range(17))


def test_digits_cycle_and_repeat():
    _, y = synthesize(8, digits=(4, 4, 9))
    assert y.tolist() == [4, 4, 9, 4, 4, 9, 4, 4]


@pytest.mark.parametrize("kwargs", [{"digits": ()}, {"digits": (3, 12)}, {"method": "nope"}])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(DigitsSVMError):
        synthesize(3, **kwargs)


def test_unknown_style_is_refused_with_the_choices():
    with pytest.raises(DigitsSVMError, match="plain"):
        synthesize_drawing(7, np.random.default_rng(0), style="nope")


def test_training_seed_and_templates_are_apart_from_the_benchmarks():
    # bench_handwriting evaluates digits_svm.datasets._templates's templates with seed 2026
    assert TRAINING_SEED != 2026
    assert STYLES is not TEMPLATES
    ours = {tuple(map(tuple, s)) for styles in STYLES.values() for strokes in styles.values() for s in strokes}
    theirs = {tuple(map(tuple, s)) for styles in TEMPLATES.values() for strokes in styles for s in strokes}
    assert not ours & theirs


def test_the_synthesizer_is_reachable_from_the_package():
    assert digits_svm.datasets._handwriting.synthesize is synthesize


def test_real_handwriting_benchmark_says_so_when_the_dev_set_is_absent(tmp_path, capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_real_handwriting.py"
    spec = importlib.util.spec_from_file_location("bench_real_handwriting", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--dev", str(tmp_path / "nowhere")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "not found" in out[0] and "nowhere" in out[0]
