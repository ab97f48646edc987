"""The data a model learns from and is measured on, all shipped or synthesized: nothing is downloaded.

Scans: ``load_digits`` and its canonical split (`load_digits_grids`, `canonical_split`),
optdigits' 30 other writers (`load_other_writers`) and the user's own labelled drawings
(`load_samples`). Copies: `augment_grids`. Synthesized drawings: handwritten digits in
many styles (`synthesize`, `synthesize_drawing`) and drawings that are not digits
(`synthesize_nondigits`, labelled `NOT_A_DIGIT`).
"""

from ._augment import AUGMENTATIONS, augment_grids
from ._handwriting import STYLES, synthesize, synthesize_drawing
from ._nondigits import synthesize_nondigits
from ._training_data import (
    NOT_A_DIGIT,
    Samples,
    Split,
    canonical_split,
    load_digits_grids,
    load_other_writers,
    load_samples,
)

__all__ = [
    "load_digits_grids", "canonical_split", "Split", "load_other_writers", "load_samples", "Samples",
    "augment_grids", "AUGMENTATIONS", "synthesize", "synthesize_drawing", "STYLES",
    "synthesize_nondigits", "NOT_A_DIGIT",
]
