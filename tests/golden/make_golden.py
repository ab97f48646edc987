"""Regenerate the golden vectors (run deliberately, then review the diff).

    python tests/golden/make_golden.py

Writes small canvas crops (PNG), stroke drawings (JSON) and ``expected.json``: for every
crop and drawing, the exact 8x8 grid of each preprocessing method. An app that ports the
preprocessing checks its port against these files (see docs/preprocessing.md).
"""

import json
from pathlib import Path

import numpy as np
from PIL import Image

import digits_svm

HERE = Path(__file__).resolve().parent

STROKES = {
    "seven": {"strokes": [[[12, 10], [70, 10], [70, 12], [35, 110]], [[30, 60], [64, 60]]]},
    "one_pressure": {"strokes": [[[40, 10, 3.0], [42, 40, 5.0], [44, 80, 7.5], [45, 120, 9.0]]], "scale": 3.0},
    "zero": {"strokes": [[[50 + 30 * np.cos(t), 60 + 50 * np.sin(t)] for t in np.linspace(0, 2 * np.pi, 25)]]},
    "dot": {"strokes": [[[100, 100]]]},
}


def crops() -> dict[str, Image.Image]:
    """Crops covering the pixel conventions: odd sizes, partial alpha, no alpha, tiny."""
    out = {}
    rng = np.random.default_rng(7)
    a = np.zeros((21, 13), np.uint8)
    a[2:19, 5:8] = 255
    a[2:5, 3:6] = 180  # a "1" with a flag, 13 x 21 (8 divides neither side)
    out["one_13x21"] = Image.fromarray(np.dstack([np.zeros((21, 13, 3), np.uint8), a]), "RGBA")
    out["partial_alpha_30x30"] = Image.fromarray(
        np.dstack([np.zeros((30, 30, 3), np.uint8), rng.integers(0, 256, (30, 30), dtype=np.uint8)]), "RGBA"
    )
    tiny = np.zeros((3, 3, 4), np.uint8)
    tiny[1, 1, 3] = 255
    out["tiny_3x3"] = Image.fromarray(tiny, "RGBA")
    rgb = np.full((40, 28, 3), 255, np.uint8)
    rgb[4:36, 6:10] = 20
    rgb[4:8, 6:24] = 20  # a dark "7"-ish shape on white paper, no alpha
    out["rgb_no_alpha_28x40"] = Image.fromarray(rgb, "RGB")
    out["dark_mode_28x40"] = Image.fromarray(255 - rgb, "RGB")  # the same "7", light ink on black (dark mode)
    grey = np.full((30, 30), 60, np.uint8)  # light-grey ink on dark-grey paper: ink is how far from the border's grey
    grey[5:25, 12:17] = 200
    grey[5:9, 8:22] = 170
    out["grey_on_dark_30x30"] = Image.fromarray(grey, "L")
    line = np.zeros((50, 50, 4), np.uint8)
    line[20:44, 24, 3] = 255  # a 1-pixel vertical line
    out["line_1px_50x50"] = Image.fromarray(line, "RGBA")
    for name, drawing in STROKES.items():
        out[f"strokes_{name}"] = digits_svm.render_strokes(_json(drawing))
    return out


def _json(drawing: dict) -> dict:
    return json.loads(json.dumps(drawing, default=float))


def main() -> None:
    expected = {}
    for name, drawing in STROKES.items():
        (HERE / f"{name}.json").write_text(json.dumps(_json(drawing), indent=1) + "\n")
    for name, img in crops().items():
        img.save(HERE / f"{name}.png")
        img = Image.open(HERE / f"{name}.png")
        expected[name] = {
            "size": list(img.size),
            **{m: digits_svm.preprocess(img, method=m).astype(int).tolist() for m in digits_svm.drawing._preprocessing.METHODS},
        }
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(f"wrote {len(expected)} golden crops to {HERE}")


if __name__ == "__main__":
    main()
