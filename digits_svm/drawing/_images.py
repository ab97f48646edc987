"""Reading a canvas crop: image files and arrays in, the 8-bit ink level of every pixel out.

Ink
    The 8-bit ink value of a pixel is its alpha when the image has an alpha channel that
    is not fully opaque (the app's transparent canvas). One exception: when most pixels are
    opaque (alpha >= 128) and those are light (median luma >= 128), the opaque part is
    paper (a white canvas exported with a transparent border), and ink is the darkness
    seen over white, ``(alpha * (255 - L) + 127) // 255`` (``L``: Pillow's luma,
    ``(19595 R + 38470 G + 7471 B + 32768) >> 16``).

    A fully opaque image (no alpha, or alpha 255 everywhere) is paper and ink in any
    colours: the background ``B`` is the lower median luma of its border (the outermost
    pixels), and ink is how far a pixel is from it toward the other end: ``(B - L) * 255 //
    B`` on light paper (``255 - L`` on white, as ever), ``(L - B) * 255 // (255 - B)`` on a
    dark background (dark mode: light ink), 0 beyond the background. So a flat image has
    no ink (`digits_svm.errors.EmptyDrawingError`), and one whose border is not plain (fewer
    than half its border pixels within `PLAIN_TOLERANCE` of ``B``: noise, a photo) is an
    `digits_svm.errors.ImageError`. ``ink="alpha"`` or ``ink="darkness"`` (``255 - L``)
    forces a source. Images are read upright: an EXIF orientation (phone cameras) is
    applied first; of an animated image, the first frame is read.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from .._files import read_bytes
from .._validation import check_choice
from ..errors import ImageError

__all__ = ["INKS", "MAX_IMAGE_PIXELS", "IMAGE_SUFFIXES", "PLAIN_TOLERANCE", "ORIENTATION", "load_image", "ink_levels"]

INKS = ("auto", "alpha", "darkness")
#: Images larger than this many pixels are refused (decompression bombs).
MAX_IMAGE_PIXELS = 40_000_000
#: The EXIF tag that says how a photo is turned (1: upright).
ORIENTATION = 0x0112
#: File suffixes read as images (anything else `digits-svm predict` reads as strokes or grids).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


def load_image(path: str | os.PathLike) -> Image.Image:
    """Open an image file (a canvas crop) with Pillow, refusing non-images and bombs.

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    PIL.Image.Image
        Fully loaded (the file is closed).

    Raises
    ------
    ImageError
        Missing or unreadable file, not an image, or more than 40 million pixels.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "crop.png"
    >>> Image.new("RGBA", (20, 30)).save(p)
    >>> load_image(p).size
    (20, 30)
    """

    path = Path(path)
    data = read_bytes(path, what="image", error=ImageError)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                _check_size(img.size, path)
                img.load()
                # a phone camera's JPEG says in EXIF how to turn it upright: turn it (first frame of a GIF)
                return ImageOps.exif_transpose(img) if img.getexif().get(ORIENTATION, 1) != 1 else img.copy()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"{path}: image too large ({exc}); crop it to the drawing first") from exc
    except Image.UnidentifiedImageError as exc:
        raise ImageError(f"{path} is not a readable image (not a format Pillow knows); "
                         "give a PNG or JPEG canvas crop") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        reason = re.sub(r"<[^<>]* at 0x[0-9a-fA-F]+>", path.name, str(exc))  # never an object's repr
        raise ImageError(f"{path} is not a readable image ({reason}); give a PNG or JPEG canvas crop") from exc


def _check_size(size: tuple[int, int], what: Any) -> None:
    w, h = size
    if w < 1 or h < 1:
        raise ImageError(f"{what}: image is empty ({w}x{h} pixels)")
    if w * h > MAX_IMAGE_PIXELS:
        raise ImageError(
            f"{what}: image has {w}x{h} pixels, more than {MAX_IMAGE_PIXELS:,}; crop it to the drawing first"
        )


def ink_levels(image: Any, *, ink: str = "auto") -> np.ndarray:
    """The 8-bit ink value of every pixel of a crop.

    Parameters
    ----------
    image : PIL.Image.Image, str, PathLike or numpy.ndarray
        A canvas crop. Arrays: ``uint8`` of shape (H, W) (grey), (H, W, 2) (grey +
        alpha), (H, W, 3) (RGB) or (H, W, 4) (RGBA) are read as images of that mode;
        a ``bool`` (H, W) array is an ink mask; a float (H, W) array in 0..1 is ink
        coverage (rounded to 0..255).
    ink : {"auto", "alpha", "darkness"}
        Where ink comes from: ``"auto"`` reads alpha when the image has an alpha
        channel that is not fully opaque, else how far each pixel is from the
        background (the border's luma), on light paper or dark (see the module's "Ink").

    Returns
    -------
    numpy.ndarray
        ``uint8``, shape (H, W): 0 no ink, 255 full ink.

    Examples
    --------
    >>> from PIL import Image
    >>> ink_levels(Image.new("RGBA", (3, 2), (0, 0, 0, 128))).tolist()
    [[128, 128, 128], [128, 128, 128]]
    >>> ink_levels(Image.new("L", (2, 1), 255)).tolist()   # white paper: no ink
    [[0, 0]]
    >>> dark = Image.new("L", (3, 3), 0); dark.putpixel((1, 1), 200)   # dark mode: light ink
    >>> ink_levels(dark).tolist()
    [[0, 0, 0], [0, 200, 0], [0, 0, 0]]
    """
    check_choice(ink, "ink", INKS)
    if isinstance(image, (str, os.PathLike)):
        image = load_image(image)
    if isinstance(image, np.ndarray):
        direct = _array_ink(image)
        if direct is not None:
            return direct
        image = _array_image(image)
    if not hasattr(image, "mode") or not hasattr(image, "getchannel"):
        raise ImageError(
            f"cannot preprocess a {type(image).__name__}; give a PIL image, an image path or a NumPy array"
        )
    _check_size(image.size, "image")
    if image.getexif().get(ORIENTATION, 1) != 1:
        image = ImageOps.exif_transpose(image)  # read as it is shown: upright
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    if has_alpha and ink != "darkness":
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        # the alpha bytes straight from Pillow's raw encoder (getchannel would build an image first)
        alpha = np.frombuffer(rgba.tobytes("raw", "A"), dtype=np.uint8).reshape(rgba.height, rgba.width)
        if ink == "alpha":
            return alpha
        opaque = alpha >= 128
        if 2 * int(np.count_nonzero(opaque)) <= opaque.size:
            return alpha  # mostly transparent (the app's canvas): not paper, and not fully opaque
        if alpha.min() < 255:
            luma = _opaque_paper_luma(opaque, rgba)
            if luma is not None:
                # light paper with a transparent border: ink is what is darker than the paper
                return ((alpha.astype(np.uint32) * (255 - luma) + 127) // 255).astype(np.uint8)
            return alpha
        image = rgba
    elif ink == "alpha":
        raise ImageError(f"the image ({image.mode}) has no alpha channel; use ink='darkness' or 'auto'")
    luma = np.asarray(image.convert("L"), dtype=np.uint8)
    if ink == "darkness":
        return (255 - luma).astype(np.uint8)
    return _away_from(luma, _background(luma))


#: Border pixels within this many luma levels of the border's median are plain background.
PLAIN_TOLERANCE = 32


def _opaque_paper_luma(opaque: np.ndarray, rgba: Image.Image) -> np.ndarray | None:
    """The luma of the image when its opaque pixels (``opaque``: alpha >= 128, most of them) are light paper.

    On the app's canvas only ink is opaque, and it is dark; a white canvas exported with a
    transparent border has opaque light paper over most of the image instead. Callers
    check that most pixels are opaque first, so the app's crops pay nothing for this.
    """
    luma = np.asarray(rgba.convert("L"), dtype=np.uint8)
    return luma if float(np.median(luma[opaque])) >= 128 else None


def _lower_median(values: np.ndarray) -> int:
    """The lower median of 8-bit values (an integer, as the Swift port computes it)."""
    return int(np.partition(values.ravel(), (values.size - 1) // 2)[(values.size - 1) // 2])


def _background(luma: np.ndarray) -> int:
    """The background luma of an opaque image: the lower median of its border (the outermost pixels).

    Raises `ImageError` when fewer than half of the border pixels lie within
    `PLAIN_TOLERANCE` of it: without a plain background (noise, a photo), ink cannot be
    told from paper.
    """
    h, w = luma.shape
    if h <= 2 or w <= 2:
        border = luma.ravel()
    else:
        border = np.concatenate([luma[0], luma[-1], luma[1:-1, 0], luma[1:-1, -1]])
    background = _lower_median(border)
    plain = np.count_nonzero(np.abs(border.astype(np.int16) - background) <= PLAIN_TOLERANCE)
    if 2 * plain < border.size:
        raise ImageError(
            "the image has no plain background (its border varies, as in a photo or noise), so its ink cannot "
            "be told from the paper; give a drawing on a plain background"
        )
    return background


def _away_from(luma: np.ndarray, background: int) -> np.ndarray:
    """Ink as how far each pixel is from ``background``, toward the far end: 0 there, 255 at the far end.

    A light background (>= 128) takes dark ink, ``(background - luma) * 255 // background``
    (on white, ``255 - luma``); a dark one (dark mode) takes light ink, ``(luma -
    background) * 255 // (255 - background)``; what lies beyond the background is no ink.
    """
    lum = luma.astype(np.int32)
    if background >= 128:
        return (np.maximum(background - lum, 0) * 255 // background).astype(np.uint8)
    return (np.maximum(lum - background, 0) * 255 // (255 - background)).astype(np.uint8)


def _array_ink(array: np.ndarray) -> np.ndarray | None:
    """Ink from a 2-D bool or float array, or None when the array is an image."""
    if array.ndim == 2 and array.dtype == bool:
        return np.where(array, 255, 0).astype(np.uint8)
    if array.ndim == 2 and np.issubdtype(array.dtype, np.floating):
        if not np.all(np.isfinite(array)) or array.size == 0 or array.min() < 0 or array.max() > 1:
            raise ImageError("a float array is read as ink coverage and must be finite, non-empty and within 0..1")
        return np.floor(array * 255 + 0.5).astype(np.uint8)
    return None


def _array_image(array: np.ndarray) -> Image.Image:
    by_channels = {2: "LA", 3: "RGB", 4: "RGBA"}
    mode = "L" if array.ndim == 2 else by_channels.get(array.shape[2]) if array.ndim == 3 else None
    if array.dtype != np.uint8 or mode is None or array.size == 0:
        raise ImageError(
            f"cannot read an array of shape {array.shape} and dtype {array.dtype} as an image; give uint8 "
            "(H, W), (H, W, 2), (H, W, 3) or (H, W, 4), a bool mask, or float ink coverage in 0..1"
        )
    return Image.fromarray(np.ascontiguousarray(array), mode=mode)

