"""Preprocessing: golden vectors, pixel conventions, edge cases, properties."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import digits_svm
from digits_svm import preprocess, preprocess_strokes
from digits_svm.drawing._images import MAX_IMAGE_PIXELS, ink_levels
from digits_svm.drawing._preprocessing import seed_grid
from digits_svm.errors import EmptyDrawingError, ImageError, InvalidParameterError

GOLDEN = Path(__file__).parents[1] / "golden"
EXPECTED = json.loads((GOLDEN / "expected.json").read_text())


def rgba(alpha: np.ndarray) -> Image.Image:
    alpha = np.asarray(alpha, dtype=np.uint8)
    return Image.fromarray(np.dstack([np.zeros(alpha.shape + (3,), np.uint8), alpha]), "RGBA")


# ------------------------------------------------------------------ golden vectors
@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("method", digits_svm.drawing._preprocessing.METHODS)
def test_golden_crops_reproduce_bit_for_bit(name, method):
    img = Image.open(GOLDEN / f"{name}.png")
    assert list(img.size) == EXPECTED[name]["size"]
    grid = preprocess(img, method=method)
    assert grid.dtype == np.float64
    assert grid.astype(int).tolist() == EXPECTED[name][method]
    assert np.array_equal(grid, np.round(grid))


# ------------------------------------------------------------------ seed: the app's arithmetic
def test_seed_is_floor_of_mean_alpha_times_16_on_exact_tiles():
    rng = np.random.default_rng(0)
    alpha = rng.integers(0, 256, (64, 80))  # 8 divides both: tiles are exact 8 x 10 blocks
    grid = preprocess(rgba(alpha), method="seed")
    means = alpha.reshape(8, 8, 8, 10).mean(axis=(1, 3)) / 255
    assert np.array_equal(grid, np.floor(means * 16))


def test_seed_tiles_round_outward_and_share_edge_pixels():
    # 12 pixels wide: tile c covers columns floor(1.5 c) .. ceil(1.5 (c + 1)) - 1
    levels = np.zeros((8, 12), np.uint8)
    levels[:, 4] = 255  # column 4 belongs to tiles 2 (columns 3..4) and 3 (4..5)
    levels[:, 9] = 255  # column 9 only to tile 6 (9..10)
    grid = seed_grid(levels)
    assert grid[0].tolist() == [0, 0, 8, 8, 0, 0, 8, 0]  # each tile: 16 * 1/2


def test_seed_truncates_toward_zero():
    almost = rgba(np.full((8, 8), 254))  # 16 * 254/255 = 15.94 -> 15
    assert preprocess(almost, method="seed").max() == 15
    assert preprocess(np.ones((8, 8), bool), method="seed").min() == 16  # full ink (an ink mask)


# ------------------------------------------------------------------ normalized: the training geometry
def test_normalized_fills_full_height_and_centres():
    a = np.zeros((200, 300), np.uint8)
    a[50:150, 20:60] = 255  # a block in the top-left corner of a wide crop
    grid = preprocess(rgba(a))
    assert (grid.sum(axis=1) > 0).all()  # every row
    cols = np.flatnonzero(grid.sum(axis=0))
    assert cols.min() + cols.max() == 7  # centred


def test_normalized_removes_slant():
    upright = [[[40, 10], [40, 110]], [[25, 110], [55, 110]]]  # a "1" with a base: no slant of its own
    slanted = [[[x + 0.3 * (110 - y), y] for x, y in s] for s in upright]
    a = preprocess_strokes(upright)
    b = preprocess_strokes(slanted)
    assert np.abs(a - b).sum() < 0.25 * a.sum()
    assert np.abs(a - preprocess_strokes(slanted, method="normalized")).sum() < np.abs(
        preprocess_strokes(upright, method="seed") - preprocess_strokes(slanted, method="seed")
    ).sum()


def test_normalized_output_does_not_depend_on_drawing_size():
    drawing = json.loads((GOLDEN / "seven.json").read_text())
    big = {"strokes": [[[3 * x, 3 * y] for x, y in s] for s in drawing["strokes"]], "line_width": 15.0}
    a, b = preprocess_strokes(drawing), preprocess_strokes(big)
    assert np.abs(a - b).sum() <= 0.15 * a.sum()  # pixel rounding differs, not the shape


# ------------------------------------------------------------------ inputs and ink
def test_alpha_rgb_gray_and_arrays_agree():
    alpha = np.zeros((40, 30), np.uint8)
    alpha[5:35, 12:18] = 255
    ref = preprocess(rgba(alpha))
    white = np.full((40, 30, 3), 255, np.uint8)
    white[alpha > 0] = 0
    assert np.array_equal(preprocess(Image.fromarray(white, "RGB")), ref)
    assert np.array_equal(preprocess(Image.fromarray(255 - alpha, "L")), ref)
    assert np.array_equal(preprocess(Image.fromarray(np.dstack([255 - alpha, alpha]), "LA")), ref)
    assert np.array_equal(preprocess(alpha > 0), ref)
    assert np.array_equal(preprocess(alpha / 255.0), ref)
    assert np.array_equal(preprocess(np.asarray(rgba(alpha))), ref)


def test_opaque_rgba_reads_darkness_and_ink_can_be_forced(tmp_path):
    img = np.full((20, 20, 4), 255, np.uint8)
    img[5:15, 8:12, :3] = 0  # black ink on an opaque white RGBA background
    assert preprocess(Image.fromarray(img, "RGBA")).sum() > 0
    with pytest.raises(EmptyDrawingError):  # forced alpha: a fully transparent image has no ink
        preprocess(Image.fromarray(np.zeros((20, 20, 4), np.uint8), "RGBA"), ink="alpha")
    with pytest.raises(ImageError, match="no alpha"):
        preprocess(Image.new("L", (5, 5)), ink="alpha")
    path = tmp_path / "crop.png"
    Image.fromarray(img, "RGBA").save(path)
    assert np.array_equal(preprocess(path), preprocess(str(path)))


def test_partial_transparency_is_ink_level():
    half = rgba(np.full((16, 16), 128))
    assert preprocess(half, method="seed").tolist() == [[8.0] * 8] * 8
    assert ink_levels(half).max() == 128


@pytest.mark.parametrize(
    "bad, fragment",
    [
        ("not an image", "cannot preprocess a str|not a readable|no such|not found"),
        (np.zeros((4, 4, 5), np.uint8), "cannot read an array"),
        (np.zeros((4, 4), np.int32), "cannot read an array"),
        (np.full((4, 4), 2.0), "within 0..1"),
        (np.full((4, 4), np.nan), "finite"),
        (12, "cannot preprocess a int"),
    ],
)
def test_bad_images_are_refused(bad, fragment):
    with pytest.raises(ImageError, match=fragment):
        preprocess(bad)


def test_unknown_method_and_ink_are_bad_arguments():
    with pytest.raises(InvalidParameterError, match="^method='fancy' is not allowed; use one of 'normalized', 'seed'$"):
        preprocess(np.ones((4, 4), bool), method="fancy")
    with pytest.raises(InvalidParameterError, match="^ink='blue' is not allowed; use one of 'auto', 'alpha', 'darkness'$"):
        preprocess(np.ones((4, 4), bool), ink="blue")


def test_non_image_file_and_decompression_bomb(tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("hello")
    with pytest.raises(ImageError, match="not a readable image"):
        digits_svm.load_image(text)
    bomb = tmp_path / "bomb.png"
    Image.new("1", (8000, 8000)).save(bomb)  # 64 million pixels in a few kB
    assert bomb.stat().st_size < 100_000 and 8000 * 8000 > MAX_IMAGE_PIXELS
    with pytest.raises(ImageError, match="more than"):
        preprocess(bomb)
    with pytest.raises(ImageError, match="not found|No such|cannot read"):
        preprocess(tmp_path / "missing.png")


# ------------------------------------------------------------------ edges
@pytest.mark.parametrize("method", digits_svm.drawing._preprocessing.METHODS)
def test_empty_drawings_raise(method):
    for empty in (rgba(np.zeros((30, 30))), Image.new("RGB", (30, 30), "white"), np.zeros((5, 5), bool)):
        with pytest.raises(EmptyDrawingError):
            preprocess(empty, method=method)
    with pytest.raises(EmptyDrawingError):
        preprocess_strokes({"strokes": []}, method=method)
    with pytest.raises(EmptyDrawingError):
        preprocess_strokes([[], []], method=method)
    if method == "normalized":  # normalized_grid on its own (past grid_from_ink's check) has no ink to scale
        with pytest.raises(EmptyDrawingError, match="no ink"):
            digits_svm.drawing._preprocessing.normalized_grid(np.zeros((5, 5), np.uint8))


def test_large_crop_works():
    a = np.zeros((4000, 4000), np.uint8)
    a[500:3500, 1800:2200] = 255
    grid = preprocess(rgba(a))
    assert grid[:, 3:5].sum() == grid.sum() > 0


# ------------------------------------------------------------------ properties
@settings(max_examples=80, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 60), st.integers(1, 60)),
    mode=st.sampled_from(["RGBA", "LA", "L", "RGB"]),
    seed=st.integers(0, 2**32 - 1),
    density=st.floats(0, 1),
    method=st.sampled_from(digits_svm.drawing._preprocessing.METHODS),
)
def test_any_image_gives_a_valid_grid_or_empty_drawing(shape, mode, seed, density, method):
    rng = np.random.default_rng(seed)
    channels = {"RGBA": 4, "LA": 2, "L": 1, "RGB": 3}[mode]
    arr = rng.integers(0, 256, shape + (channels,), dtype=np.uint8)
    arr[rng.random(shape) > density] = (255, 0, 0, 0)[:channels] if mode in ("RGBA", "LA") else 255
    img = Image.fromarray(arr[..., 0] if channels == 1 else arr, mode)
    try:
        grid = preprocess(img, method=method)
    except EmptyDrawingError:
        assert ink_levels(img).max() == 0
        return
    except ImageError as exc:  # an opaque image of noise: no background to tell ink from
        assert mode in ("L", "RGB") and "no plain background" in str(exc)
        return
    assert grid.shape == (8, 8) and np.isfinite(grid).all()
    assert 0 <= grid.min() and grid.max() <= 16


def test_a_white_canvas_with_a_transparent_border_reads_like_the_white_canvas():
    from digits_svm import render_strokes

    alpha = np.asarray(render_strokes({"strokes": [[[20, 10], [70, 10], [35, 110]]], "line_width": 14}))[..., 3]
    white = 255 - np.repeat(alpha[..., None], 3, axis=2)  # black ink on opaque white paper
    bordered = np.zeros((alpha.shape[0] + 60, alpha.shape[1] + 60, 4), dtype=np.uint8)
    bordered[30:-30, 30:-30, :3] = white
    bordered[30:-30, 30:-30, 3] = 255
    for method in ("normalized", "seed"):
        expected = preprocess(Image.fromarray(np.ascontiguousarray(white), "RGB"), method=method)
        got = preprocess(Image.fromarray(bordered, "RGBA"), method=method)
        if method == "normalized":  # the border is blank, so the drawing (and its grid) is the same
            np.testing.assert_array_equal(got, expected)
        assert (got == 16).mean() < 0.25, method  # not the solid block of ink the paper used to be read as
    assert ink_levels(Image.fromarray(bordered, "RGBA"))[:30].max() == 0
