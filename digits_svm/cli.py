"""The ``digits-svm`` command: argument parsing and messages only.

Every subcommand calls the same public functions a user would. A user mistake
(`DigitsSVMError`) becomes one line on stderr and exit status 2; progress goes to
stderr, results to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._files import check_writable_dir
from .confidence import NOT_A_DIGIT, predict_with_confidence, recorded_min_confidence
from .coreml._convert import convert, describe
from .coreml._parity import verify
from .coreml._runtime import CoreMLRuntime
from .datasets._augment import AUGMENTATIONS
from .datasets._training_data import load_samples
from .drawing._images import IMAGE_SUFFIXES, load_image
from .drawing._preprocessing import DEFAULT_METHOD, METHODS, method_metadata, preprocess
from .drawing._strokes import load_strokes, render_strokes
from .errors import DigitsSVMError, ModelFileError, NoProbabilitiesError
from .io._artifacts import MLMODEL_NAME, PICKLE_NAME, left_behind, set_state, training_lock, write_artifacts
from .io._inputs import grids_from_input_file
from .io._model_files import FORMATS, load_model, recorded_conversion
from .memory import PersonalMemory
from .model._presets import PRESETS, drawing_counts
from .model._training import train
from .playground import serve
from .plots import plot_drawing
from .progress import ProgressBars

__all__ = ["main", "build_parser"]

PROG = "digits-svm"
#: Said wherever the command loads a model file the user names.
_PICKLES_RUN_CODE = "a pickle or joblib file runs code when loaded: load only files you trust; share and receive .skops"


# ---------------------------------------------------------------- train
def _drawn_first(args: argparse.Namespace) -> str:
    """What `train` draws before it fits (most of the app preset's training time), for the progress line."""
    counts = drawing_counts(args.preset, args.synthesized, args.nondigits)
    drawn = [f"{n:,} {what}" for n, what in zip(counts, ("synthesized digits", "non-digits"), strict=True) if n]
    return f", after drawing {' and '.join(drawn)}" if drawn else ""


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[list[int]]:
    """While the block runs, SIGTERM stops it as Ctrl-C does; yields the list the signal number goes to.

    Only the main thread can set a handler; elsewhere SIGTERM keeps its own.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def stop(signum: int, frame: object) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


def _cmd_train(args: argparse.Namespace) -> int:
    out = check_writable_dir(args.out)  # fail before the slow part, not after it
    # held from before training until the new set is in place: a second run into --out is refused at once
    with training_lock(out), _terminate_as_interrupt() as terminated:
        before = set_state(out)
        try:
            return _train_and_write(args)
        except KeyboardInterrupt:
            # the files are moved in as one set (write_artifacts): say which set --out holds now
            print(f"\n{PROG}: interrupted; {left_behind(out, before)}", file=sys.stderr)
            return 128 + (terminated[0] if terminated else signal.SIGINT)


def _train_and_write(args: argparse.Namespace) -> int:
    extra = load_samples(args.extra, method=args.method) if args.extra else None
    progress = ProgressBars(quiet=args.quiet)
    progress(f"training preset {args.preset!r} on load_digits{_drawn_first(args)}")
    result = train(
        preset=args.preset,
        C=args.C,
        gamma=args.gamma,
        kernel=args.kernel,
        probability=args.probability,
        test_fraction=args.test_fraction,
        shuffle=args.shuffle,
        random_state=args.seed,
        refit_on_all=args.refit_on_all,
        augment=args.augment,
        synthesized=args.synthesized,
        nondigits=args.nondigits,
        other_writers=args.other_writers,
        extra=extra,
        method=args.method,
        progress=progress,
    )
    for path, reason in result.extra_skipped:
        print(f"  skipped sample {path}: {reason}", file=sys.stderr)
    preprocessing = method_metadata(args.method) if args.method else None
    paths = write_artifacts(result, args.out, preprocessing=preprocessing, progress=progress, model_format=args.format)
    progress.done()
    print(result.summary())
    if result.n_other_writers:
        print(f"other writers: {result.n_other_writers:,} digits of optdigits' 30 other writers added to training")
    if result.n_synthesized:
        print(f"synthesized handwriting: {result.n_synthesized:,} digits added to training")
    if result.n_nondigits:
        print(f"synthesized non-digits: {result.n_nondigits:,} added to training as 'not a digit' (label -1)")
    if args.extra:
        print(f"extra samples: {result.n_extra} added to training ({result.extra_method} preprocessing), "
              f"{len(result.extra_skipped)} skipped")
    parity = json.loads(paths.metrics.read_text())["coreml_parity"]
    print(f"verified: {parity['summary']}")
    print(f"saved model: {result.saved_model}")
    for label, path in ((args.format, paths.pickle), ("Core ML", paths.mlmodel), ("metrics", paths.metrics)):
        print(f"{label:>8}: {path} ({path.stat().st_size:,} bytes)")
    for path in paths.plots:
        print(f"{'plot':>8}: {path}")
    return 0


# ---------------------------------------------------------------- convert
def _cmd_convert(args: argparse.Namespace) -> int:
    model = load_model(args.pickle, trusted=args.trust)  # user mistakes surface before any progress line
    conversion = recorded_conversion(args.pickle)
    if conversion is None:
        conversion = {"preprocessing": None, "metadata": {}}
        print(f"{PROG}: warning: the sidecar of {args.pickle} records no training metadata, so {args.out} will "
              "lack it: the preprocessing named is the default one, and the training figures and the 'not a digit' "
              "threshold (confidence.min_confidence) are missing; save the model with digits-svm train to keep them",
              file=sys.stderr)
    progress = ProgressBars(quiet=args.quiet)
    progress(f"converting {args.pickle} to {args.out}")
    convert(model, args.out, **conversion)
    progress.done()
    print(f"wrote {args.out} ({Path(args.out).stat().st_size:,} bytes)")
    return 0


# ---------------------------------------------------------------- predict
def _cmd_predict(args: argparse.Namespace) -> int:
    runtime = CoreMLRuntime.from_file(args.model)
    asked = ("--min-confidence" if args.min_confidence is not None else "--probability" if args.probability
             else "--memory" if args.memory is not None else None)
    if asked and not runtime.has_probabilities:
        raise NoProbabilitiesError(
            f"{args.model} has no classProbability output, so it cannot say how sure it is; "
            f"retrain with --preset app (or --probability), or drop {asked}"
        )
    memory = PersonalMemory.load(args.memory) if args.memory is not None else None  # a bad file: one line naming it
    method, source = _model_method(runtime, args.method)
    names, grids, kinds, failed = [], [], set(), 0
    for path in args.inputs:
        try:
            g, kind = grids_from_input_file(path, method=method)
        except DigitsSVMError as exc:
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            failed += 1
            continue
        grids.append(g)
        kinds.add(kind)
        names.extend([str(path)] if len(g) == 1 else [f"{path}[{i}]" for i in range(len(g))])
    if kinds & {"image", "strokes"}:
        print(f"preprocessing: method {method!r} ({source})", file=sys.stderr)
    if grids:
        answers = _answers(runtime, np.concatenate(grids), args.min_confidence, args.probability, memory)
        prefix = len(args.inputs) > 1
        for name, answer in zip(names, answers, strict=True):
            print(f"{name}: {answer}" if prefix else answer)
    if failed:
        if len(args.inputs) > 1:
            print(f"{PROG}: {failed} of {len(args.inputs)} inputs could not be read (named above); "
                  "the others were answered", file=sys.stderr)
        return 2
    return 0


def _answers(runtime: CoreMLRuntime, grids: Any, min_confidence: float | None, probability: bool,
             memory: PersonalMemory | None = None) -> list[str]:
    """One line per grid: the digit or "not a digit" (with the probabilities if asked).

    A model with probabilities answers by `digits_svm.predict_with_confidence`, at
    ``min_confidence`` or else the threshold its metadata records (else the library's
    default), with the user's ``memory`` if given: where the memory answers, the line
    says so (``1 (from memory)``; with ``probability``, the model's best guess too). A
    model without probabilities answers its ``classLabel``.
    """
    if not runtime.has_probabilities:
        return ["not a digit" if label == NOT_A_DIGIT else str(label) for label in runtime.predict(grids)]
    if min_confidence is None:
        min_confidence = recorded_min_confidence(runtime.metadata)
    predictions = predict_with_confidence(runtime, grids, min_confidence=min_confidence, memory=memory)
    if probability:
        return [str(p) for p in predictions]
    return [f"{p.digit} (from memory)" if p.from_memory else "not a digit" if p.digit is None else str(p.digit)
            for p in predictions]


def _model_method(runtime: CoreMLRuntime, requested: str | None) -> tuple[str, str]:
    """The preprocessing method to use: --method, else the model's metadata, else the default."""
    if requested:
        return requested, "from --method"
    named = runtime.preprocessing_method
    if named:
        return named, "named in the model's metadata"
    return DEFAULT_METHOD, "the library default"


# ---------------------------------------------------------------- verify
def _cmd_verify(args: argparse.Namespace) -> int:
    runtime = CoreMLRuntime.from_file(args.model)
    estimator = load_model(args.pickle, trusted=args.trust)
    progress = ProgressBars(quiet=args.quiet)
    progress(f"comparing {args.model} with {args.pickle} on 1,797 digits and {args.n_random:,} random grids")
    report = verify(runtime, estimator, n_random=args.n_random, random_state=args.seed, progress=progress)
    progress.done()
    print(report.summary())
    return 0 if report.ok else 1


# ---------------------------------------------------------------- show
def _cmd_show(args: argparse.Namespace) -> int:
    runtime = CoreMLRuntime.from_file(args.model)
    if args.input.suffix.lower() in IMAGE_SUFFIXES:
        crop = load_image(args.input)
    else:
        crop = render_strokes(load_strokes(args.input))
    methods = [args.method] if args.method else list(METHODS)
    grids = {m: preprocess(crop, method=m) for m in methods}
    # the answer as `predict --probability` gives it: the digit or "not a digit", with its probability
    texts = [f"{method}: {_answers(runtime, grid[None], None, True)[0]}" for method, grid in grids.items()]
    out = args.out or Path(f"{args.input.stem}-show.png")
    plot_drawing(crop, grids, out, prediction="predicted  " + "   ".join(texts))
    for text in texts:
        print(text)
    print(f"wrote {out}")
    return 0


# ---------------------------------------------------------------- playground
def _cmd_playground(args: argparse.Namespace) -> int:
    serve(args.model, host=args.host, port=args.port, samples=args.samples, memory_file=args.memory, open_browser=args.open,
          ready=lambda url: print(f"playground at {url} (Ctrl-C to stop)", flush=True))
    return 0


# ---------------------------------------------------------------- info
def _cmd_info(args: argparse.Namespace) -> int:
    info = describe(args.model)
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"{info['path']}: {info['model_type']}, {info['size_bytes']:,} bytes, sha256 {info['sha256'][:16]}…")
    if "support_vectors" in info:
        print(f"  {info['support_vectors']} support vectors, kernel {info['kernel']}, classes {info['classes']}")
    for kind in ("inputs", "outputs"):
        for f in info[kind]:
            print(f"  {kind[:-1]:<6} {f['name']}: {f['type']}" + (f" - {f['description']}" if f["description"] else ""))
    for key, value in info["metadata"].items():
        if value:
            print(f"  {key}: {value}")
    for key, value in info["user_defined"].items():
        print(f"  {key} = {value}")
    return 0


# ---------------------------------------------------------------- parser
def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _port(text: str) -> int:
    value = _non_negative_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be a port 0..65535 (0 picks a free one), not {value}")
    return value


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a probability in 0..1, not {value:g}")
    return value


def _add_quiet_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress on stderr (bars on a terminal, one line per step elsewhere); errors still show")


def _add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=Path("artifacts") / MLMODEL_NAME,
                        help=f"the .mlmodel (default: artifacts/{MLMODEL_NAME})")


def _check_model_exists(args: argparse.Namespace) -> None:
    """A missing .mlmodel at the default path is a first run: say how to make one."""
    model = getattr(args, "model", None)
    if model is not None and model == Path("artifacts") / MLMODEL_NAME and not model.exists():
        raise ModelFileError(f"no model at {model} yet; train one first with: digits-svm train --preset app "
                             "(the model for apps), or give --model FILE")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``digits-svm`` (exposed for the docs and tests)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train a digit SVM, convert it to Core ML, and check it, offline.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("train", help="train, evaluate, and write pickle + .mlmodel + metrics.json",
                       description="Train on load_digits, evaluate on the held-out half, and write "
                                   f"{PICKLE_NAME} (or, with --format, digits_svm.joblib or digits_svm.skops), "
                                   f"{MLMODEL_NAME} and metrics.json to --out.")
    p.add_argument("--out", type=Path, default=Path("artifacts"), help="output directory (default: artifacts)")
    p.add_argument("--preset", default="example", choices=sorted(PRESETS),
                   help="estimator settings (default: example, the scikit-learn example); app: the model "
                        "to ship in an app, trained on synthesized handwriting too, reads real people's "
                        "digits best; best: the best on scans")
    p.add_argument("--C", type=float, help="SVC C (overrides the preset)")
    p.add_argument("--gamma", type=float, help="SVC gamma (overrides the preset)")
    p.add_argument("--kernel", choices=["rbf", "linear", "poly", "sigmoid"], help="SVC kernel (overrides the preset)")
    p.add_argument("--probability", action="store_true", default=None,
                   help="add class probabilities (classProbability output; preset best has them)")
    p.add_argument("--augment", choices=sorted(AUGMENTATIONS),
                   help="add shifted, turned (rotate) or redrawn (renorm) copies of the training grids (default: the preset's)")
    app_digits, app_nondigits = drawing_counts("app")  # the help follows the preset
    p.add_argument("--synthesized", type=_non_negative_int, metavar="N",
                   help=f"synthesized handwritten digits added to training (default: the preset's, {app_digits} for app, else 0)")
    p.add_argument("--nondigits", type=_non_negative_int, metavar="N",
                   help="synthesized non-digits added to training as the class 'not a digit' (label -1) "
                        f"(default: the preset's, {app_nondigits} for app, else 0)")
    p.add_argument("--other-writers", action=argparse.BooleanOptionalAction, default=None,
                   help="add the 3,823 digits of optdigits' 30 other writers to training "
                        "(default: the preset's, yes for app, else no)")
    p.add_argument("--extra", type=Path, metavar="DIR",
                   help="also train on your own labelled drawings: DIR/<digit>/<name>.png or .json (strokes)")
    p.add_argument("--method", choices=METHODS,
                   help="preprocessing for --extra samples and synthesized digits, named in the .mlmodel "
                        f"(default: {DEFAULT_METHOD})")
    p.add_argument("--test-fraction", type=float, default=0.5, help="fraction held out (default: 0.5)")
    p.add_argument("--shuffle", action="store_true", help="shuffle before splitting (default: file order)")
    p.add_argument("--seed", type=_non_negative_int, default=0, help="random seed (default: 0)")
    p.add_argument("--refit-on-all", action="store_true",
                   help="after evaluation, ship a model refit on all 1,797 digits")
    p.add_argument("--format", choices=list(FORMATS), default="pickle",
                   help=f"the fitted model's file (default: pickle, {PICKLE_NAME}); skops: digits_svm.skops, "
                        "the file safe to share (loading it builds only the types digits_svm trusts)")
    _add_quiet_option(p)
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("convert", help="convert a saved pickle (or skops file) to a .mlmodel",
                       description="Load a pickle, joblib or .skops file written by digits-svm train (checked "
                                   "against its sidecar) and convert it to Core ML.")
    p.add_argument("pickle", type=Path, metavar="MODEL", help=f"pickle, joblib or .skops file ({_PICKLES_RUN_CODE})")
    p.add_argument("--out", type=Path, default=Path("artifacts") / MLMODEL_NAME,
                   help=f"output .mlmodel (default: artifacts/{MLMODEL_NAME})")
    p.add_argument("--trust", action="store_true",
                   help="load a model file that has no sidecar (unpickling runs code: only files you trust; "
                        "a .skops file's types are checked all the same)")
    _add_quiet_option(p)
    p.set_defaults(func=_cmd_convert)

    p = sub.add_parser("predict", help="predict digits from images, strokes or 8x8 grids",
                       description="Predict with the .mlmodel (run by digits_svm's NumPy runtime). "
                                   "Inputs: image crops (.png, .jpg, ...), stroke files (.json with "
                                   "\"strokes\", or a bare list of strokes), or 8x8 grids (.npy, .json). "
                                   "Prints one digit (or 'not a digit') per line; with several inputs each line "
                                   "starts with "
                                   "the input's name. An input that cannot be read (or is blank) is named on "
                                   "stderr and the others are still answered; the exit status is then 2.")
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="image, strokes or grid file")
    _add_model_option(p)
    p.add_argument("--method", choices=METHODS,
                   help="preprocessing for images and strokes (default: the one named in the model's metadata)")
    p.add_argument("--min-confidence", type=_probability, metavar="P",
                   help="answer 'not a digit' when the most probable digit's probability is below P "
                        "(needs a model with probabilities, e.g. --preset app; default: the threshold "
                        "recorded in the model, else digits_svm.confidence.DEFAULT_MIN_CONFIDENCE)")
    p.add_argument("--probability", action="store_true",
                   help="also print the probability of the answer, and the best guess behind 'not a digit'")
    p.add_argument("--memory", type=Path, metavar="FILE",
                   help="also ask your personal memory (the playground's or the app's JSON file): where it answers, "
                        "the line says '(from memory)' (with --probability, the model's own best guess too); "
                        "needs a model with probabilities")
    p.set_defaults(func=_cmd_predict)

    p = sub.add_parser("verify", help="prove the .mlmodel predicts what the pickle predicts",
                       description="Run the .mlmodel with digits_svm's NumPy runtime and the pickle (or skops "
                                   "file) with "
                                   "scikit-learn on every load_digits digit and random grids; exit 1 on any "
                                   "disagreement.")
    _add_model_option(p)
    p.add_argument("--pickle", type=Path, default=Path("artifacts") / PICKLE_NAME,
                   help=f"the pickle, joblib or .skops file (default: artifacts/{PICKLE_NAME}; {_PICKLES_RUN_CODE})")
    p.add_argument("--n-random", type=_non_negative_int, default=10_000, help="random grids on top of the 1,797 digits")
    p.add_argument("--seed", type=_non_negative_int, default=0, help="seed of the random grids (default 0)")
    p.add_argument("--trust", action="store_true", help="accept a pickle without sidecar")
    _add_quiet_option(p)
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("show", help="picture what the model sees: crop, 8x8 grid, prediction",
                       description="Write a PNG with the crop (an image, or strokes rendered as the app does), "
                                   "its 8x8 grid with numbers for each preprocessing method, and the prediction "
                                   "(with its probability when the model has them).")
    p.add_argument("input", type=Path, help="image crop (.png, .jpg, ...) or strokes .json")
    p.add_argument("--method", choices=METHODS, help="only this preprocessing method (default: all)")
    _add_model_option(p)
    p.add_argument("--out", type=Path, help="PNG to write (default: INPUT-show.png in the current directory)")
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser("playground", help="draw digits in a browser and see what the .mlmodel predicts",
                       description="Serve a drawing page on this machine that runs the .mlmodel (NumPy runtime) "
                                   "on what you draw and saves labelled samples for digits-svm train --extra.")
    _add_model_option(p)
    p.add_argument("--port", type=_port, default=8765, help="port 0..65535 (default 8765; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind, IPv4 or IPv6 (default 127.0.0.1: this machine only; 0.0.0.0 or :: lets other "
                        "machines reach the page, with a warning listing its URLs)")
    p.add_argument("--samples", type=Path, default=Path("samples"),
                   help="folder where saved samples go (default: samples; at most 10,000 files and 50 MB); "
                        "the memory's export writes there too")
    p.add_argument("--memory", type=Path, metavar="FILE",
                   help="keep the personal memory (the drawings you taught it) in this JSON file: read at start if "
                        "it exists, rewritten after each change (default: none, the memory lasts until you stop the "
                        "playground; the page can download it)")
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    p.set_defaults(func=_cmd_playground)

    p = sub.add_parser("info", help="show an .mlmodel's inputs, outputs, metadata and size",
                       description="Show the interface, metadata and size of a .mlmodel.")
    p.add_argument("model", type=Path, nargs="?", default=Path("artifacts") / MLMODEL_NAME,
                   help=f"the .mlmodel (default: artifacts/{MLMODEL_NAME})")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_info)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``digits-svm``; returns the exit status."""
    logging.basicConfig(level=logging.WARNING, format=f"{PROG}: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        _check_model_exists(args)
        return args.func(args)
    except DigitsSVMError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; no partial files were left", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
