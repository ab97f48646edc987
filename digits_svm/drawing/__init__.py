"""A drawing in, the model's 8x8 grid out: what the phone does, and what ``swift/`` ports.

A drawing is either a canvas crop (an image: `load_image`, `ink_levels`) or the strokes
the app recorded (`Drawing`: `parse_strokes`, `load_strokes`, `render_strokes`). Either
becomes an 8x8 grid of ink levels 0..16 by one of the `METHODS` (`preprocess`,
`preprocess_strokes`).
"""

from ._images import IMAGE_SUFFIXES, ink_levels, load_image
from ._preprocessing import DEFAULT_METHOD, METHODS, preprocess
from ._strokes import Drawing, load_strokes, parse_strokes, preprocess_strokes, render_strokes

__all__ = [
    "Drawing", "parse_strokes", "load_strokes", "render_strokes", "preprocess_strokes",
    "load_image", "ink_levels", "IMAGE_SUFFIXES", "preprocess", "METHODS", "DEFAULT_METHOD",
]
