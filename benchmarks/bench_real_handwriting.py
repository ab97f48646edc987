"""Accuracy of every preset on real handwriting: 1,000 MNIST digits as the app's canvas crops.

The digits (100 of each) are ``benchmarks/data/handwriting-dev/`` (from the MNIST database by
LeCun, Cortes and Burges, CC BY-SA 3.0), written by people who never saw this project.
They measure; nothing is ever fitted on them, and the library never reads them. Each digit
becomes the RGBA crop the app would hand over (``canvas.as_canvas_crop``), goes through
the default ``preprocess`` and is answered as the preset's ``.mlmodel`` answers
(`digits_svm.model._training.predict_digits`). Prints dev accuracy per preset and per digit and
each preset's confusion matrix, and draws the misread digits of the last preset (crop,
grid, answer). Where the dev set is absent it says so in one line and exits 0. Run::

    python benchmarks/bench_real_handwriting.py [--presets example,best,app]
        [--dev benchmarks/data/handwriting-dev] [--out test-artifacts/real-handwriting-misread.png]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEV_DIR = REPO / "benchmarks" / "data" / "handwriting-dev"


def _canvas(dev_dir: Path):
    """The dev set's own ``canvas`` module (load_dev, as_canvas_crop), or None if absent."""
    path = Path(dev_dir) / "canvas.py"
    if not path.is_file() or not (Path(dev_dir) / "mnist-dev.npz").is_file():
        return None
    spec = importlib.util.spec_from_file_location("handwriting_dev_canvas", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dev_crops(dev_dir: Path = DEV_DIR):
    """``(crops, labels)``: the dev digits as canvas crops, or None when the set is absent."""
    canvas = _canvas(dev_dir)
    if canvas is None:
        return None
    images, labels = canvas.load_dev()
    return [canvas.as_canvas_crop(image) for image in images], labels


def dev_grids(dev_dir: Path = DEV_DIR, method: str | None = None):
    """``(grids (n, 64), labels)`` of the dev digits through `digits_svm.preprocess`, or None."""
    import digits_svm

    crops = dev_crops(dev_dir)
    if crops is None:
        return None
    kwargs = {} if method is None else {"method": method}
    return np.array([digits_svm.preprocess(c, **kwargs).ravel() for c in crops[0]]), crops[1]


def _plot_misread(crops, grids, labels, pred, path: Path, title: str) -> Path:
    from digits_svm.plots import _draw_grid, _save, _subplots

    wrong = np.flatnonzero(pred != labels)
    shown = wrong[:60]
    cols = 10
    rows = max(1, -(-len(shown) // (cols // 2)))
    fig, axes = _subplots(rows, cols, figsize=(cols * 1.2, rows * 1.35), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for k, i in enumerate(shown):
        r, c = divmod(k, cols // 2)
        ax = axes[r, 2 * c]
        ax.imshow(255 - np.asarray(crops[i])[:, :, 3], cmap="gray", vmin=0, vmax=255)
        answer = "not a digit" if pred[i] == -1 else pred[i]  # the class -1 of digits_svm.datasets._nondigits
        ax.set_title(f"{labels[i]} → {answer}", fontsize=8)
        _draw_grid(axes[r, 2 * c + 1], grids[i].reshape(8, 8))
        axes[r, 2 * c + 1].axis("off")
    fig.suptitle(f"{title}: {len(wrong)} of {len(labels)} misread (true → answer)"
                 + (f", first {len(shown)} shown" if len(shown) < len(wrong) else ""), fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="example,best,app", help="comma-separated presets (default: all)")
    parser.add_argument("--dev", type=Path, default=DEV_DIR,
                        help="folder of the dev set (default: benchmarks/data/handwriting-dev)")
    parser.add_argument("--out", type=Path, default=REPO / "test-artifacts" / "real-handwriting-misread.png",
                        help="picture of the last preset's misread digits")
    args = parser.parse_args(argv)
    crops = dev_crops(args.dev)
    if crops is None:
        print(f"real handwriting dev set not found in {args.dev}; nothing to measure")
        return 0

    import digits_svm
    from digits_svm.datasets._training_data import NOT_A_DIGIT
    from digits_svm.model._training import predict_digits
    from digits_svm.progress import ProgressBars

    t0 = time.perf_counter()
    crops, labels = crops
    grids = np.array([digits_svm.preprocess(c).ravel() for c in crops])
    results = {}
    for preset in args.presets.split(","):
        t = time.perf_counter()
        result = digits_svm.train(preset=preset, progress=ProgressBars())
        pred = predict_digits(result.model, grids)
        results[preset] = (result, pred)
        print(f"  {preset}: trained in {time.perf_counter() - t:.1f} s", file=sys.stderr)

    print("Real handwritten digits (1,000 from MNIST, as canvas crops, default preprocessing)\n")
    print("| preset | real digits right | " + " | ".join(str(d) for d in range(10)) + " | held-out scans | support vectors |")
    print("|---|---:|" + "---:|" * 10 + "---:|---:|")
    for preset, (result, pred) in results.items():
        per_digit = [float((pred[labels == d] == d).mean()) for d in range(10)]
        print(f"| {preset} | **{(pred == labels).mean():.3f}** ({int((pred == labels).sum())}/{len(labels)}) | "
              + " | ".join(f"{a:.2f}" for a in per_digit)
              + f" | {result.n_correct}/{result.n_test} | {result.n_support_vectors:,} |")
    for preset, (_, pred) in results.items():
        confusion = np.zeros((10, 11), dtype=int)  # the last column: "not a digit" (label -1)
        np.add.at(confusion, (labels, np.where(pred == NOT_A_DIGIT, 10, pred)), 1)
        print(f"\nConfusion matrix, preset {preset} (rows: true digit, columns: answer)\n")
        print("| true \\ answer | " + " | ".join(str(d) for d in range(10)) + " | not a digit |")
        print("|---|" + "---:|" * 11)
        for d in range(10):
            print(f"| **{d}** | " + " | ".join(str(v) if v else "·" for v in confusion[d]) + " |")
    last = list(results)[-1]
    path = _plot_misread(crops, grids, labels, results[last][1], args.out, f"preset {last}")
    print(f"\nmisread digits of preset {last}: {path}")
    print(f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
