"""Reproduce the choice of the "best" preset and print the full trade-off table.

Run:  python benchmarks/bench_presets.py [--n-jobs -1] [--json table.json] [--quick]
                                        [--augmentations NAME ...]

Runs `digits_svm.search.search_best` (cross-validation on the training half only; about
10 minutes on 2 cores for the default grid), then, for information only, scores every
candidate on the held-out half and on 300 stroke drawings (`synthetic.digit_strokes`,
random mix, seed 1, not benchmarks/bench_handwriting.py's 2026) and prints:
augmentation, C, gamma, cross-validated accuracy (scans and drawn versions) and log
loss, support vectors, .mlmodel bytes (measured by converting), held-out accuracy and
stroke accuracy. The held-out and stroke columns played no part in the choice. Finally
checks that the choice equals PRESETS["best"] (``--augmentations`` searches other
augmentations with the default C and gamma grid, to try one out).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np

from digits_svm.datasets._augment import AUGMENTATIONS
from digits_svm.datasets._templates import digit_strokes
from digits_svm.datasets._training_data import canonical_split
from digits_svm.drawing._strokes import preprocess_strokes
from digits_svm.model._presets import PRESETS
from digits_svm.model._training import predict_digits
from digits_svm.progress import ProgressBars
from digits_svm.search import search_best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-jobs", type=int, default=-1)
    parser.add_argument("--json", type=Path, help="also write the table as JSON here")
    parser.add_argument("--quick", action="store_true", help="a 4-candidate grid (about 20 s), to try the script")
    parser.add_argument("--augmentations", nargs="+", choices=list(AUGMENTATIONS),
                        help="augmentations to search (default: train.SEARCH_AUGMENTATIONS)")
    args = parser.parse_args()
    grid = {}
    if args.augmentations:
        grid["augmentations"] = tuple(args.augmentations)
    if args.quick:
        grid = {"augmentations": ("none", "hshift"), "C": (3.0,), "gamma": (0.001, 0.0014)}
    started = time.perf_counter()
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # each candidate's figures, as it finishes
    progress = ProgressBars()
    result = search_best(n_jobs=args.n_jobs, progress=progress, **grid)
    progress.close()
    seconds = time.perf_counter() - started
    split = canonical_split()
    rng = np.random.default_rng(1)
    mix = {"height": (40.0, 300.0), "aspect": (0.45, 1.0), "slant": (-0.2, 0.35), "line_width": (2.0, 12.0)}
    drawings = [digit_strokes(d, rng, **mix) for d in range(10) for _ in range(30)]
    stroke_y = np.array([d["label"] for d in drawings])
    stroke_X = np.array([preprocess_strokes(d, method="normalized").ravel() for d in drawings])
    rows = []
    for c in result.candidates:
        held_out = int((predict_digits(c.model, split.X_test) == split.y_test).sum())
        votes = int((c.model.predict(split.X_test) == split.y_test).sum())
        strokes = int((predict_digits(c.model, stroke_X) == stroke_y).sum())
        rows.append({
            "augment": c.augment, "C": c.C, "gamma": c.gamma,
            "cv_correct": c.cv_correct, "cv_total": c.cv_total, "cv_accuracy": round(c.cv_accuracy, 4),
            "cv_drawn_correct": c.cv_drawn_correct, "near_top": c.near_top,
            "cv_log_loss": None if c.cv_log_loss is None else round(c.cv_log_loss, 4),
            "n_support_vectors": c.n_support_vectors, "mlmodel_bytes": c.mlmodel_bytes,
            "within_budget": c.within_budget,
            "held_out_correct": held_out, "held_out_vote_correct": votes, "held_out_total": len(split.y_test),
            "strokes_correct": strokes, "strokes_total": len(stroke_y),
        })
    print(f"search_best: {len(rows)} candidates in {seconds:.0f} s; ranked by: {result.rule}")
    print("rank | augment | C  | gamma  | CV acc (n/898) | CV drawn (n/898) | CV log loss | SVs   | .mlmodel bytes "
          "| held-out (proba) | held-out (votes) | strokes seed 1 (n/300)")
    print("---: | ------- | -: | -----: | -------------: | ---------------: | ----------: | ----: | -------------: "
          "| ---------------: | ---------------: | ---------------------:")
    for rank, r in enumerate(rows, 1):
        loss = "-" if r["cv_log_loss"] is None else f"{r['cv_log_loss']:.4f}"
        over = "" if r["within_budget"] else " (over 1 MB)"
        near = "" if r["near_top"] else " (not near top)"
        print(
            f"{rank} | {r['augment']} | {r['C']:g} | {r['gamma']:g} | {r['cv_accuracy']:.4f} ({r['cv_correct']}){near} | "
            f"{r['cv_drawn_correct'] / r['cv_total']:.4f} ({r['cv_drawn_correct']}) | {loss} | "
            f"{r['n_support_vectors']:,} | {r['mlmodel_bytes']:,}{over} | "
            f"{r['held_out_correct'] / r['held_out_total']:.5f} ({r['held_out_correct']}) | "
            f"{r['held_out_vote_correct'] / r['held_out_total']:.5f} ({r['held_out_vote_correct']}) | "
            f"{r['strokes_correct'] / r['strokes_total']:.3f} ({r['strokes_correct']})"
        )
    best = result.best.preset(probability=result.probability)
    print(f"chosen: {best}")
    print(f"PRESETS['best'] == chosen: {PRESETS['best'] == best}")
    if args.json:
        args.json.write_text(json.dumps({"rule": result.rule, "seconds": seconds, "chosen": best, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
