"""Images as people have them: every kind of file a drawing comes in reads as the same digit.

Each test writes a real file of one kind (dark mode, grey on grey, coloured ink, palette
with transparency, grey + alpha, 16-bit, an EXIF-turned JPEG, an animated GIF) from one
drawing of a 7, and reads it back through `digits_svm.drawing._images.load_image` and
`digits_svm.preprocess`. Lossless kinds give exactly the grid of the app's own transparent
canvas crop; JPEG gives nearly it; the example model reads a 7 from every one.
"""

import numpy as np
import pytest
from PIL import Image

import digits_svm
from digits_svm.drawing._images import ORIENTATION, ink_levels, load_image
from digits_svm.errors import EmptyDrawingError, ImageError

SEVEN = {"strokes": [[[12, 10], [70, 10], [70, 14], [35, 110]], [[30, 60], [64, 60]]], "line_width": 12.0}


@pytest.fixture(scope="module")
def canvas() -> Image.Image:
    """The app's crop: black ink in alpha on a transparent canvas."""
    return digits_svm.render_strokes(SEVEN)


@pytest.fixture(scope="module")
def coverage(canvas) -> np.ndarray:
    return np.asarray(canvas.getchannel("A"), dtype=np.int32)


@pytest.fixture(scope="module")
def model():
    return digits_svm.train().model


def _grey(values: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8), "L")


def _read(path, method="normalized"):
    return digits_svm.preprocess(load_image(path), method=method)


def _reads_seven(model, grid) -> bool:
    return int(model.predict(grid.reshape(1, 64))[0]) == 7


@pytest.mark.parametrize("kind", ["white paper", "dark mode", "grey+alpha", "palette with transparency", "opaque RGBA"])
def test_lossless_kinds_give_the_canvas_grid_exactly(kind, canvas, coverage, tmp_path, model):
    a = coverage.astype(np.uint8)
    if kind == "white paper":
        img = _grey(255 - coverage).convert("RGB")
    elif kind == "dark mode":  # white ink on an opaque black background, RGB
        img = Image.merge("RGB", [_grey(coverage)] * 3)
    elif kind == "grey+alpha":
        img = Image.merge("LA", [Image.new("L", canvas.size, 0), Image.fromarray(a)])
    elif kind == "palette with transparency":  # black ink, one transparent palette entry
        img = Image.fromarray(np.where(a >= 128, 1, 0).astype(np.uint8), "P")
        img.putpalette([255, 255, 255, 0, 0, 0])
        img.info["transparency"] = 0
        expected = digits_svm.preprocess(np.where(a >= 128, 255, 0).astype(np.uint8).astype(bool))
    else:  # opaque RGBA, black ink on white
        img = Image.merge("RGBA", [_grey(255 - coverage)] * 3 + [Image.new("L", canvas.size, 255)])
    path = tmp_path / f"{kind.replace(' ', '_')}.png"
    img.save(path)
    if kind != "palette with transparency":
        expected = digits_svm.preprocess(canvas)
    for method in digits_svm.drawing._preprocessing.METHODS:
        want = expected if method == "normalized" else None
        got = _read(path, method)
        if want is not None:
            np.testing.assert_array_equal(got, want)
    assert _reads_seven(model, _read(path))


def test_grey_ink_on_grey_paper_reads_as_on_white(canvas, coverage, tmp_path, model):
    """Light grey on dark grey (dark mode, dimmed) and dark grey on light grey paper."""
    for background, ink, name in ((60, 200, "dark"), (210, 40, "light")):
        luma = background + (ink - background) * coverage / 255
        path = tmp_path / f"grey_on_{name}.png"
        _grey(np.rint(luma)).save(path)
        levels = ink_levels(load_image(path))
        far = 255 - background if background < 128 else background  # the way from the paper to the far end
        assert levels[0, 0] == 0 and levels.max() == abs(ink - background) * 255 // far  # paper is no ink
        got = _read(path)
        assert np.abs(got - digits_svm.preprocess(canvas)).max() <= 2
        assert _reads_seven(model, got)


def test_coloured_ink_and_16_bit_grey(canvas, coverage, tmp_path, model):
    blue = np.full((*coverage.shape, 3), 255, np.int32)
    blue[..., 0] = blue[..., 1] = 255 - coverage  # blue ink on white
    Image.fromarray(blue.astype(np.uint8), "RGB").save(tmp_path / "blue.png")
    sixteen = Image.fromarray(((255 - coverage) * 257).astype(np.uint16))  # 16-bit greyscale, white paper
    assert sixteen.mode.startswith("I;16")
    sixteen.save(tmp_path / "grey16.png")
    for name in ("blue.png", "grey16.png"):
        assert _reads_seven(model, _read(tmp_path / name)), name


@pytest.mark.parametrize("orientation, turn", [(6, Image.Transpose.ROTATE_90), (8, Image.Transpose.ROTATE_270),
                                               (3, Image.Transpose.ROTATE_180)])
def test_an_exif_turned_jpeg_is_read_upright(orientation, turn, coverage, tmp_path, model):
    upright = _grey(255 - coverage).convert("RGB")
    path = tmp_path / f"photo_{orientation}.jpg"
    exif = Image.Exif()
    exif[ORIENTATION] = orientation  # the viewer turns the stored pixels back upright
    upright.transpose(turn).save(path, quality=95, exif=exif)
    loaded = load_image(path)
    assert loaded.size == upright.size and loaded.getexif().get(ORIENTATION, 1) == 1
    assert _reads_seven(model, digits_svm.preprocess(loaded))
    with Image.open(path) as raw:  # the stored pixels are turned; a PIL image handed over is turned upright too
        assert not np.array_equal(np.asarray(raw.convert("L")), np.asarray(loaded.convert("L")))
        np.testing.assert_array_equal(digits_svm.preprocess(raw), digits_svm.preprocess(loaded))


def test_an_animated_gif_is_read_from_its_first_frame(coverage, tmp_path, model):
    seven = _grey(255 - coverage).convert("P")
    one = Image.new("L", seven.size, 255)
    one.paste(0, (seven.size[0] // 2 - 6, 10, seven.size[0] // 2 + 6, seven.size[1] - 10))
    path = tmp_path / "animated.gif"
    seven.save(path, save_all=True, append_images=[one.convert("P")], duration=100, loop=0)
    with Image.open(path) as gif:
        assert gif.n_frames == 2
    assert _reads_seven(model, _read(path))


def test_no_ink_that_can_be_told_from_background_is_a_clear_error(tmp_path, model, capsys):
    rng = np.random.default_rng(3)
    Image.new("RGB", (200, 300), (128, 128, 128)).save(tmp_path / "flat.png")
    Image.fromarray(rng.integers(0, 256, (300, 200, 3), dtype=np.uint8), "RGB").save(tmp_path / "noise.png")
    with pytest.raises(EmptyDrawingError, match="no ink"):
        _read(tmp_path / "flat.png")
    with pytest.raises(ImageError, match="no plain background"):
        _read(tmp_path / "noise.png")
    # the CLI says so in one line with exit status 2, never a digit
    from digits_svm.cli import main

    mlmodel = tmp_path / "DigitsSVM.mlmodel"
    digits_svm.convert(model, mlmodel)
    for name, says in (("flat.png", "no ink"), ("noise.png", "no plain background")):
        assert main(["predict", "--model", str(mlmodel), str(tmp_path / name)]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and name in err and says in err, err
