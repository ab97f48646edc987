"""The ``digits-svm`` command.

Each command runs in process (`conftest.run_main`: ``digits_svm.cli.main(argv)`` with the
output captured, argparse's exits as the exit status, warnings and logging as in a fresh
interpreter), on the session's artifacts of the default run. The entry points themselves
run as a user runs them, in subprocesses: the installed ``digits-svm`` script training the
example, and ``python -m digits_svm playground`` stopped by Ctrl-C.
"""

import io
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import digits_svm
from tests.limits import COSTLY, DEEP, ONE

ROOT = Path(__file__).resolve().parents[1]

GOLDEN = Path(__file__).parent / "golden"
SEVEN = GOLDEN / "seven.json"
COMMANDS = ["train", "convert", "info", "predict", "verify", "playground", "show"]


def assert_user_error(proc, *fragments):
    """Exit 2, exactly one stderr line naming the problem, no traceback."""
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("digits-svm: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in proc.stderr


def assert_train_output(proc, out: Path, *, summary: str, verified: str = "verified: 11,797 of 11,797") -> dict:
    """What every successful ``digits-svm train`` prints and writes; returns metrics.json."""
    assert proc.returncode == 0, proc.stderr
    assert summary in proc.stdout
    assert verified in proc.stdout
    for name in ("digits_svm.pkl", "digits_svm.pkl.json", "DigitsSVM.mlmodel", "metrics.json"):
        assert (out / name).stat().st_size > 0, name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["artifacts"]["mlmodel"]["size_bytes"] == (out / "DigitsSVM.mlmodel").stat().st_size
    assert "training preset" in proc.stderr  # progress lines go to stderr
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    return metrics


# ---------------------------------------------------------------- the entry points, as a user runs them
def test_console_script_is_installed():
    script = Path(sys.executable).with_name("digits-svm")
    assert script.exists() or shutil.which("digits-svm"), "pip install the package to get the digits-svm command"


def test_console_script_trains_the_example_byte_for_byte(mlmodel_path, tmp_path):
    """One real run of the installed script: train, in a fresh interpreter.

    The .mlmodel it writes is byte for byte the session's (`digits_svm.train` in this
    process): training is deterministic across processes, not only within one.
    """
    script = Path(sys.executable).with_name("digits-svm")
    script = str(script) if script.exists() else shutil.which("digits-svm")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = tmp_path / "artifacts"
    proc = subprocess.run([script, "train", "--out", str(out)], capture_output=True, text=True, env=env, timeout=300)
    metrics = assert_train_output(proc, out, summary="held-out accuracy 0.96885 (871/899)")
    assert metrics["n_correct"] == 871 and metrics["n_test"] == 899
    parity = metrics["coreml_parity"]
    assert parity["n"] == parity["n_agree"] == 11_797
    assert parity["max_decision_diff"] < 1e-9
    assert parity["mlmodel_correct"] == 871
    assert (out / "DigitsSVM.mlmodel").read_bytes() == mlmodel_path.read_bytes()



def test_ctrl_c_stops_the_playground_cleanly(mlmodel_path, tmp_path, ctrl_c):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "digits_svm", "playground", "--model", str(mlmodel_path), "--port", "0",
         "--samples", str(tmp_path / "samples")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, preexec_fn=ctrl_c,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("playground at http://127.0.0.1:"), (line, proc.stderr.read() if proc.poll() else "")
        assert line.rstrip().endswith("(Ctrl-C to stop)")
        url = line.split()[2]
        info = json.loads(urllib.request.urlopen(url + "api/info", timeout=10).read())
        assert "normalized" in info["methods"]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in proc.stderr.read()


def test_playground_prints_its_url_and_ctrl_c_exits_0_in_process(cli, mlmodel_path, tmp_path, monkeypatch, ctrl_c):
    """The command's own lines, in process: once the page answers, Ctrl-C (as the terminal sends it)."""
    import _thread
    import threading

    real_serve = digits_svm.cli.serve
    answers = []

    def serve_then_ctrl_c(*args, ready, **kwargs):
        def ready_then_interrupt(url):
            ready(url)

            def ask_then_interrupt():
                try:
                    answers.append(json.loads(urllib.request.urlopen(url + "api/info", timeout=10).read()))
                finally:
                    _thread.interrupt_main(signal.SIGINT)

            threading.Thread(target=ask_then_interrupt, daemon=True).start()

        return real_serve(*args, ready=ready_then_interrupt, **kwargs)

    monkeypatch.setattr(digits_svm.cli, "serve", serve_then_ctrl_c)
    proc = cli("playground", "--model", mlmodel_path, "--port", "0", "--samples", tmp_path / "samples")
    assert proc.returncode == 0 and proc.stderr == ""
    (line,) = proc.stdout.splitlines()
    assert line.startswith("playground at http://127.0.0.1:") and line.endswith("/ (Ctrl-C to stop)")
    assert [a["methods"] for a in answers] == [list(digits_svm.drawing._preprocessing.METHODS)]


# ---------------------------------------------------------------- train, info, convert
def test_info_shows_the_interface(cli, mlmodel_path):
    proc = cli("info", mlmodel_path)
    assert proc.returncode == 0, proc.stderr
    assert "input  input: MultiArray Double [8, 8]" in proc.stdout
    assert "output classLabel: Int64" in proc.stdout
    assert "preprocessing.method = " in proc.stdout
    proc = cli("info", mlmodel_path, "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["support_vectors"] == 519


def test_convert_from_pickle(cli, pickle_path, mlmodel_path, tmp_path):
    proc = cli("convert", pickle_path, "--out", tmp_path / "M.mlmodel")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"wrote {tmp_path / 'M.mlmodel'} ({(tmp_path / 'M.mlmodel').stat().st_size:,} bytes)\n"
    # the sidecar records what train gave convert, so the .mlmodel is the one train wrote, byte for byte
    assert (tmp_path / "M.mlmodel").read_bytes() == mlmodel_path.read_bytes()
    assert "warning" not in proc.stderr
    info = json.loads(cli("info", tmp_path / "M.mlmodel", "--json").stdout)
    assert info["inputs"][0]["name"] == "input" and info["support_vectors"] == 519
    from digits_svm import coreml_predict
    from digits_svm.datasets._training_data import load_digits_grids

    X, _ = load_digits_grids()
    np.testing.assert_array_equal(coreml_predict(tmp_path / "M.mlmodel", X), coreml_predict(mlmodel_path, X))


def test_convert_says_what_a_model_file_without_training_metadata_lacks(cli, tmp_path):
    from digits_svm.coreml._convert import load_spec

    model = digits_svm.load_model(digits_svm.save_model(digits_svm.train().model, tmp_path / "bare.pkl"))
    proc = cli("convert", tmp_path / "bare.pkl", "--out", tmp_path / "bare.mlmodel")
    assert proc.returncode == 0, proc.stderr
    assert (f"warning: the sidecar of {tmp_path / 'bare.pkl'} records no training metadata, so "
            f"{tmp_path / 'bare.mlmodel'} will lack it") in proc.stderr
    assert "confidence.min_confidence" in proc.stderr
    meta = load_spec(tmp_path / "bare.mlmodel").description.metadata.userDefined
    assert "training.preset" not in meta and meta["preprocessing.method"] == "normalized"
    assert digits_svm.io._model_files.recorded_conversion(tmp_path / "bare.pkl") is None
    assert model.support_vectors_.shape == (519, 64)


def test_train_format_skops_then_convert_and_verify_it(cli, mlmodel_path, tmp_path):
    out = tmp_path / "shared"
    proc = cli("train", "--format", "skops", "--out", out)
    assert proc.returncode == 0, proc.stderr
    model = out / "digits_svm.skops"
    assert f"   skops: {model} ({model.stat().st_size:,} bytes)" in proc.stdout
    assert "verified: 11,797 of 11,797" in proc.stdout
    assert model.read_bytes()[:2] == b"PK" and (out / "digits_svm.skops.json").exists()
    assert not (out / "digits_svm.pkl").exists()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["artifacts"]["skops"]["size_bytes"] == model.stat().st_size
    proc = cli("convert", model, "--out", tmp_path / "M.mlmodel")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "M.mlmodel").read_bytes() == (out / "DigitsSVM.mlmodel").read_bytes()
    from digits_svm import coreml_predict
    from digits_svm.datasets._training_data import load_digits_grids

    X, y = load_digits_grids()
    np.testing.assert_array_equal(coreml_predict(tmp_path / "M.mlmodel", X), coreml_predict(mlmodel_path, X))
    proc = cli("verify", "--model", tmp_path / "M.mlmodel", "--pickle", model, "--n-random", "200")
    assert proc.returncode == 0 and "1,997 of 1,997" in proc.stdout, proc.stdout + proc.stderr
    # a file that changed, or one that holds a type digits_svm does not trust: one line, exit 2
    good = model.read_bytes()
    model.write_bytes(good + b"x")
    assert_user_error(cli("convert", model, "--out", tmp_path / "N.mlmodel"), "does not match its sidecar")
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import SVC
    from skops.io import dumps

    from digits_svm._files import sha256_bytes
    from digits_svm.io._model_files import sidecar_path

    data = dumps(make_pipeline(SVC(gamma=0.001)).fit(X[:200].reshape(200, 64), y[:200]))
    model.write_bytes(data)
    side = json.loads(sidecar_path(model).read_text())
    sidecar_path(model).write_text(json.dumps({**side, "sha256": sha256_bytes(data)}))
    assert_user_error(cli("verify", "--model", tmp_path / "M.mlmodel", "--pickle", model, "--trust"),
                      "does not trust ('sklearn.pipeline.Pipeline')")
    assert not (tmp_path / "N.mlmodel").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_help_everywhere(cli, command):
    proc = cli(command, "--help")
    assert proc.returncode == 0 and "usage: digits-svm " + command in proc.stdout


def test_usage_errors_exit_2_with_argparse_message(cli):
    proc = cli()
    assert proc.returncode == 2 and "the following arguments are required: COMMAND" in proc.stderr
    proc = cli("predict", SEVEN, "--min-confidence", "2")
    assert proc.returncode == 2 and "must be a probability in 0..1" in proc.stderr


def test_ctrl_c_in_a_command_exits_130_and_says_so(cli, mlmodel_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(digits_svm.cli, "describe", interrupted)
    proc = cli("info", mlmodel_path)
    assert proc.returncode == 130 and proc.stdout == ""
    assert proc.stderr == "\ndigits-svm: interrupted; no partial files were left\n"


def test_log_lines_reach_stderr_as_in_a_process_and_no_handler_stays_behind(cli, mlmodel_path, monkeypatch):
    """main's logging.basicConfig takes effect for the call (its format on stderr) and is undone after it."""
    import logging

    real_describe = digits_svm.cli.describe

    def describe_with_a_warning(path):
        logging.getLogger("digits_svm.coreml._convert").warning("a warning from the library")
        return real_describe(path)

    monkeypatch.setattr(digits_svm.cli, "describe", describe_with_a_warning)
    before = logging.getLogger().handlers[:], logging.getLogger().level
    for _ in range(2):
        proc = cli("info", mlmodel_path)
        assert proc.returncode == 0 and proc.stderr == "digits-svm: a warning from the library\n"
    assert (logging.getLogger().handlers[:], logging.getLogger().level) == before


# ------------------------------------------------------------------ bad input
def test_missing_files(cli, tmp_path):
    assert_user_error(cli("info", tmp_path / "nope.mlmodel"), "not found")
    assert_user_error(cli("convert", tmp_path / "nope.pkl", "--out", tmp_path / "x.mlmodel"), "not found")
    assert not (tmp_path / "x.mlmodel").exists()


def test_pickle_that_is_not_an_svc(cli, tmp_path):
    (tmp_path / "dict.pkl").write_bytes(pickle.dumps({"not": "a model"}))
    assert_user_error(cli("convert", tmp_path / "dict.pkl", "--trust", "--out", tmp_path / "x.mlmodel"),
                      "not a scikit-learn SVC")
    assert_user_error(cli("convert", tmp_path / "dict.pkl", "--out", tmp_path / "x.mlmodel"), "no sidecar")
    assert not (tmp_path / "x.mlmodel").exists()


def test_unwritable_output_directory(cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_user_error(cli("train", "--out", blocker), "not a directory")
    assert_user_error(cli("train", "--out", blocker / "sub"), "cannot write")


def test_corrupt_mlmodel(cli, tmp_path):
    (tmp_path / "bad.mlmodel").write_bytes(b"\x00\x01garbage")
    assert_user_error(cli("info", tmp_path / "bad.mlmodel"))


@pytest.mark.parametrize(
    "grid, fragment",
    [
        (np.zeros(63), "shape (63,)"),
        (np.zeros((8, 9)), "shape (8, 9)"),
        (np.full((8, 8), np.nan), "NaN"),
        (np.full((8, 8), np.inf), "NaN or infinity"),
        (np.full((8, 8), 17.0), "0..16"),
        (np.full((8, 8), -1.0), "0..16"),
    ],
)
def test_bad_grids_for_predict(cli, mlmodel_path, tmp_path, grid, fragment):
    np.save(tmp_path / "g.npy", grid)
    assert_user_error(cli("predict", tmp_path / "g.npy", "--model", mlmodel_path), fragment)
    (tmp_path / "g.json").write_text(json.dumps(np.nan_to_num(grid, nan=-1.0, posinf=99.0).tolist()))
    assert cli("predict", tmp_path / "g.json", "--model", mlmodel_path).returncode == 2


# ---------------------------------------------------------------- verify and predict
def test_verify_agrees_and_fails_on_a_different_pickle(cli, mlmodel_path, pickle_path, tmp_path):
    proc = cli("verify", "--model", mlmodel_path, "--pickle", pickle_path, "--n-random", "500")
    assert proc.returncode == 0, proc.stderr
    assert "2,297 of 2,297" in proc.stdout
    proc = cli("verify", "--model", mlmodel_path, "--pickle", pickle_path, "--n-random", "50")
    assert proc.returncode == 0 and "1,847 of 1,847 predictions agree" in proc.stdout
    other = tmp_path / "other.pkl"  # another model (C=0.5), saved with its sidecar as train saves it
    model = digits_svm.train(C=0.5).model
    digits_svm.save_model(model, other, params=model.get_params())
    proc = cli("verify", "--model", mlmodel_path, "--pickle", other, "--n-random", "200")
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "agree" in proc.stdout


def test_predict_images_strokes_and_grids(cli, mlmodel_path, tmp_path):
    zero = tmp_path / "zero.png"
    digits_svm.render_strokes(json.loads((GOLDEN / "zero.json").read_text())).save(zero)
    X, y = digits_svm.datasets._training_data.load_digits_grids()
    np.save(tmp_path / "g.npy", X[:3].reshape(3, 8, 8))
    proc = cli("predict", SEVEN, zero, tmp_path / "g.npy", "--model", mlmodel_path)
    assert proc.returncode == 0, proc.stderr
    names = [str(SEVEN), str(zero), *(f"{tmp_path / 'g.npy'}[{i}]" for i in range(3))]
    assert proc.stdout.splitlines() == [f"{n}: {label}" for n, label in zip(names, ["7", "0", *map(str, y[:3])], strict=True)]
    assert proc.stderr == "preprocessing: method 'normalized' (named in the model's metadata)\n"
    alone = cli("predict", SEVEN, "--model", mlmodel_path)
    assert alone.stdout.splitlines() == ["7"]  # one input: the answer alone
    seed = cli("predict", zero, "--method", "seed", "--model", mlmodel_path)
    assert "method 'seed' (from --method)" in seed.stderr


def test_predict_refuses_bad_inputs(cli, mlmodel_path, tmp_path):
    model = mlmodel_path
    (tmp_path / "notes.txt").write_text("hi")
    assert_user_error(cli("predict", tmp_path / "notes.txt", "--model", model), "unsupported input type")
    (tmp_path / "fake.png").write_text("hi")
    assert_user_error(cli("predict", tmp_path / "fake.png", "--model", model), "not a readable image")
    (tmp_path / "empty.json").write_text('{"strokes": []}')
    assert_user_error(cli("predict", tmp_path / "empty.json", "--model", model), "no points")
    (tmp_path / "bad.json").write_text('{"strokes": [[["a", 1]]]}')
    assert_user_error(cli("predict", tmp_path / "bad.json", "--model", model), "bad.json", "must be a number")
    (tmp_path / "broken.mlmodel").write_bytes(b"\x00garbage")
    assert_user_error(cli("predict", tmp_path / "bad.json", "--model", tmp_path / "broken.mlmodel"))


def test_playground_refuses_a_missing_model(cli, tmp_path):
    assert_user_error(cli("playground", "--model", tmp_path / "nope.mlmodel", "--port", "0"), "nope.mlmodel")


def test_show_writes_a_picture_of_what_the_model_sees(cli, mlmodel_path, tmp_path):
    from PIL import Image

    proc = cli("show", SEVEN, "--model", mlmodel_path, "--out", tmp_path / "seven.png")
    assert proc.returncode == 0, proc.stderr
    assert "normalized: 7" in proc.stdout and "seed: " in proc.stdout
    assert proc.stdout.splitlines()[-1] == f"wrote {tmp_path / 'seven.png'}"
    img = np.asarray(Image.open(tmp_path / "seven.png").convert("L"), dtype=float)
    assert img.shape[1] > 600 and img.shape[0] > 200
    assert img.std() > 20  # not blank
    crop = GOLDEN / "one_13x21.png"
    proc = cli("show", crop, "--method", "seed", "--model", mlmodel_path, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "one_13x21-show.png").stat().st_size > 5_000
    assert "normalized" not in proc.stdout
    assert_user_error(cli("show", tmp_path / "none.json", "--model", mlmodel_path), "none.json")


# ---------------------------------------------------------------- best preset, extra samples, confidence
def _write_samples(folder: Path) -> int:
    """Three good stroke samples, one good PNG, and three bad files; returns the good count."""
    from digits_svm.datasets._templates import digit_strokes

    rng = np.random.default_rng(5)
    for i, digit in enumerate((1, 4, 7)):
        (folder / str(digit)).mkdir(parents=True, exist_ok=True)
        (folder / str(digit) / f"s{i}.json").write_text(json.dumps(digit_strokes(digit, rng)))
    (folder / "0").mkdir()
    digits_svm.render_strokes(digit_strokes(0, rng)).save(folder / "0" / "zero.png")
    (folder / "x").mkdir()
    (folder / "x" / "what.json").write_text(json.dumps(digit_strokes(3, rng)))  # unknown label folder
    (folder / "3").mkdir()
    (folder / "3" / "broken.png").write_text("not a png")
    (folder / "3" / "empty.json").write_text('{"strokes": []}')
    return 4


def test_train_best_with_options_extra_samples_and_confidence(cli, tmp_path, best_result):
    """In process: the best preset, its options overridden, with extra samples.

    --augment none (a third of the rows to fit) and --C 0.5 reach the estimator; the
    probabilities output, the metadata and the artifacts are checked as for any run.
    """
    samples = tmp_path / "samples"
    n_good = _write_samples(samples)
    out = tmp_path / "best"
    proc = cli("train", "--preset", "best", "--augment", "none", "--C", "0.5", "--extra", samples, "--out", out)
    metrics = assert_train_output(proc, out, summary="preset best", verified="verified: 11,797 of 11,797")
    assert f"extra samples: {n_good} added to training (normalized preprocessing), 3 skipped" in proc.stdout
    assert proc.stderr.count("skipped sample") == 3
    assert metrics["n_extra_samples"] == n_good and len(metrics["extra_samples_skipped"]) == 3
    assert metrics["coreml_parity"]["n_agree"] == metrics["coreml_parity"]["n"] == 11_797
    assert metrics["augment"] == "none" and metrics["n_fitted_saved_model"] == 898 + n_good
    assert metrics["params"]["C"] == 0.5 and metrics["params"]["gamma"] == best_result.params["gamma"]
    assert metrics["params"]["probability"] is True
    assert proc.stdout.splitlines()[0].startswith(f"held-out accuracy {metrics['accuracy']:.5f} ({metrics['n_correct']}/899)")
    assert f"{'pickle':>8}: {out / 'digits_svm.pkl'} (" in proc.stdout
    assert f"{'plot':>8}: {out / 'confusion_matrix.png'}" in proc.stdout
    assert proc.stderr.rstrip().splitlines()[-1].startswith("  done in ")
    info = json.loads(cli("info", out / "DigitsSVM.mlmodel", "--json").stdout)
    assert "classProbability" in [o["name"] for o in info["outputs"]]
    assert info["user_defined"]["training.n_extra_samples"] == str(n_good)
    assert info["user_defined"]["training.preset"] == "best"

    scribble = tmp_path / "scribble.json"
    scribble.write_text(json.dumps({"strokes": [[[0, 0], [100, 100], [0, 100], [100, 0], [50, 120], [50, -20]]]}))
    proc = cli("predict", SEVEN, scribble, "--model", out / "DigitsSVM.mlmodel", "--min-confidence", "0.9")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[1] == f"{scribble}: not a digit"
    proc = cli("predict", scribble, "--model", out / "DigitsSVM.mlmodel", "--min-confidence", "0.9", "--probability")
    assert proc.returncode == 0 and proc.stdout.startswith("not a digit (best guess "), proc.stderr
    bad = cli("predict", SEVEN, "--model", out / "DigitsSVM.mlmodel", "--min-confidence", "2")
    assert bad.returncode == 2 and "must be a probability in 0..1" in bad.stderr


def test_confidence_needs_probabilities_and_samples_must_exist(cli, mlmodel_path, tmp_path):
    proc = cli("predict", SEVEN, "--model", mlmodel_path, "--min-confidence", "0.5")
    assert_user_error(proc, "no classProbability output")
    assert_user_error(cli("train", "--extra", tmp_path / "nowhere", "--out", tmp_path / "o"), "nowhere")
    (tmp_path / "bad" / "x").mkdir(parents=True)
    assert_user_error(cli("train", "--extra", tmp_path / "bad", "--out", tmp_path / "o"))


# ---------------------------------------------------------------- a newcomer's first hour
def test_several_inputs_answer_every_good_one_and_name_every_bad_one(cli, mlmodel_path, tmp_path):
    (tmp_path / "bad.png").write_text("not an image")
    proc = cli("predict", SEVEN, tmp_path / "bad.png", SEVEN, "--model", mlmodel_path)
    assert proc.returncode == 2
    assert proc.stdout.splitlines() == [f"{SEVEN}: 7", f"{SEVEN}: 7"]
    assert f"{tmp_path / 'bad.png'} is not a readable image" in proc.stderr and "1 of 3 inputs" in proc.stderr
    assert "BytesIO" not in proc.stderr and " at 0x" not in proc.stderr  # the file's name, never an object's repr
    assert "Traceback" not in proc.stderr


def test_a_folder_is_named_as_a_folder(cli, mlmodel_path, tmp_path):
    proc = cli("predict", tmp_path, "--model", mlmodel_path)
    assert proc.returncode == 2 and f"{tmp_path} is a folder" in proc.stderr and "(none)" not in proc.stderr


def test_a_blank_grid_is_refused_like_a_blank_image(cli, mlmodel_path, tmp_path):
    from PIL import Image

    np.save(tmp_path / "blank.npy", np.zeros((8, 8)))
    (tmp_path / "blank.json").write_text(json.dumps([[0] * 8] * 8))
    Image.new("RGBA", (40, 60)).save(tmp_path / "blank.png")
    for name in ("blank.npy", "blank.json", "blank.png"):
        proc = cli("predict", tmp_path / name, "--model", mlmodel_path)
        assert proc.returncode == 2 and proc.stdout == "", (name, proc.stderr)
        assert "no ink" in proc.stderr and "draw a digit first" in proc.stderr, (name, proc.stderr)


def test_bare_stroke_lists_are_read_by_every_door(cli, mlmodel_path, tmp_path):
    bare = [[[20, 10], [20, 90]]]
    (tmp_path / "bare.json").write_text(json.dumps(bare))
    proc = cli("predict", tmp_path / "bare.json", "--model", mlmodel_path)
    expected = digits_svm.coreml_predict(mlmodel_path, [digits_svm.preprocess_strokes({"strokes": bare})])[0]
    assert proc.returncode == 0 and proc.stdout.strip() == str(expected)
    assert digits_svm.drawing._strokes.parse_strokes(bare).n_points == 2
    proc = cli("show", tmp_path / "bare.json", "--model", mlmodel_path, "--out", tmp_path / "s.png")
    assert proc.returncode == 0 and (tmp_path / "s.png").stat().st_size > 0


def test_playground_arguments_name_what_is_wrong(cli, mlmodel_path):
    proc = cli("playground", "--port", "70000", "--model", mlmodel_path)
    assert proc.returncode == 2
    assert "must be a port 0..65535" in proc.stderr
    proc = cli("playground", "--host", "999.1.1.1", "--port", "0", "--model", mlmodel_path)
    assert proc.returncode == 2 and "host 999.1.1.1" in proc.stderr and "--port" not in proc.stderr


def test_first_run_without_a_model_says_how_to_make_one(cli, tmp_path):
    proc = cli("playground", cwd=tmp_path)
    assert proc.returncode == 2 and "digits-svm train --preset app" in proc.stderr


@pytest.mark.parametrize(("args", "line"), [
    (("--preset", "app"), "training preset 'app' on load_digits, after drawing 10,800 synthesized digits and 2,700 non-digits"),
    (("--preset", "app", "--synthesized", "0"), "training preset 'app' on load_digits, after drawing 2,700 non-digits"),
    (("--synthesized", "40"), "training preset 'example' on load_digits, after drawing 40 synthesized digits ..."),
    ((), "training preset 'example' on load_digits ..."),
])
def test_the_first_progress_line_says_what_is_drawn_before_the_fit(cli, tmp_path, monkeypatch, args, line):
    """The app preset's training time goes mostly to drawing: its first line says so, before anything is drawn."""
    def stop(**kwargs):
        raise KeyboardInterrupt  # the line is printed; nothing is trained

    monkeypatch.setattr(digits_svm.cli, "train", stop)
    proc = cli("train", "--out", tmp_path, *args)
    assert proc.returncode == 130 and line in proc.stderr


def test_train_shows_each_slow_step_and_quiet_shows_none(cli, tmp_path):
    proc = cli("train", "--synthesized", "300", "--nondigits", "200", "--out", tmp_path / "a")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()  # not a terminal: one line as each step starts, a count as a counted one ends
    for step, count in (("drawing synthesized digits", "300 of 300"), ("drawing synthesized non-digits", "200 of 200")):
        assert lines.index(f"  {step}: {count}") == lines.index(f"  {step} ...") + 1
    assert "  fitting the SVM ..." in lines and lines[-1].startswith("  done in ")
    assert "  verifying the .mlmodel against the estimator: 11,797 of 11,797" in lines
    quiet = cli("train", "--quiet", "--out", tmp_path / "b")
    assert quiet.returncode == 0 and quiet.stderr == "" and "871/899" in quiet.stdout


def test_loading_a_pickle_says_it_runs_code_and_points_to_skops(cli):
    """Where the user names a model file to load, the command says a pickle runs code and points to .skops."""
    for command in (("convert", "--help"), ("verify", "--help")):
        help_text = " ".join(cli(*command).stdout.split())
        assert "a pickle or joblib file runs code when loaded: load only files you trust; share and receive .skops" \
            in help_text, command


def test_an_npy_header_declaring_more_than_the_file_holds_is_refused_before_allocating(cli, mlmodel_path, tmp_path):
    """193 bytes that declare 10**10 float64 (74.5 GiB): refused from the header, and the other inputs answered."""
    from numpy.lib import format as npy_format

    header = io.BytesIO()
    npy_format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**10,)})
    (tmp_path / "bomb.npy").write_bytes(header.getvalue() + bytes(65))
    proc = cli("predict", "--model", mlmodel_path, tmp_path / "bomb.npy", SEVEN)
    assert proc.returncode == 2
    assert (f"{tmp_path / 'bomb.npy'} is not a readable .npy array (its header declares shape (10000000000,) of float64 "
            "(80,000,000,000 bytes) but it holds 65)") in proc.stderr
    assert proc.stdout == f"{SEVEN}: 7\n"


# ---------------------------------------------------------------- drawings past the limits (tests/limits.py)
def test_predict_answers_every_input_it_can_read(cli, mlmodel_path, tmp_path):
    (tmp_path / "good.json").write_text(json.dumps(ONE))
    (tmp_path / "deep.json").write_text(DEEP)
    (tmp_path / "costly.json").write_text(json.dumps(COSTLY))
    (tmp_path / "many.json").write_text(json.dumps({"strokes": [[[i % 30, i // 30] for i in range(10_001)]]}))
    started = time.perf_counter()
    ran = cli("predict", *(tmp_path / f"{n}.json" for n in ("good", "deep", "costly", "many")), "--model", mlmodel_path)
    assert time.perf_counter() - started < 30
    assert ran.returncode == 2, ran.stderr
    assert "good.json: " in ran.stdout and len(ran.stdout.splitlines()) == 1
    assert "deep.json is JSON nested 200000 deep, more than 32" in ran.stderr
    assert "costly.json: the drawing's 7 segments reach 112,000,000 pixels" in ran.stderr
    assert "many.json: the drawing has 10,001 points, more than 10,000" in ran.stderr
    assert "3 of 4 inputs could not be read" in ran.stderr and "Traceback" not in ran.stderr


@pytest.mark.parametrize("name", ["deep", "costly"])
def test_show_refuses_what_it_cannot_render(cli, mlmodel_path, tmp_path, name):
    path = tmp_path / f"{name}.json"
    path.write_text(DEEP if name == "deep" else json.dumps(COSTLY))
    ran = cli("show", path, "--model", mlmodel_path, "--out", tmp_path / "out.png")
    assert ran.returncode == 2 and "Traceback" not in ran.stderr, ran.stderr
    assert ("more than 32" if name == "deep" else "more than 16,000,000") in ran.stderr
    assert not (tmp_path / "out.png").exists()


# ---------------------------------------------------------------- the personal memory
def test_predict_with_a_memory_says_where_the_memory_answered(cli, app_artifacts_dir, mlmodel_path, tmp_path):
    from digits_svm.coreml._runtime import CoreMLRuntime
    from digits_svm.drawing._strokes import preprocess_strokes
    from digits_svm.memory import PersonalMemory
    from tests.playground.drawings import body, european_one, jittered

    model = app_artifacts_dir / "DigitsSVM.mlmodel"
    method = CoreMLRuntime.from_file(model).preprocessing_method
    taught, drawn = (tmp_path / f"one-{seed}.json" for seed in (1, 2))
    for path, seed in ((taught, 1), (drawn, 2)):
        path.write_text(json.dumps(body(jittered(european_one(), seed))))
    memory = PersonalMemory()  # what "That was a 1" in the playground keeps
    memory.add(preprocess_strokes(json.loads(taught.read_text()), method=method)[None], [1], model_said=[7])
    memory.save(tmp_path / "memory.json")

    plain = cli("predict", drawn, SEVEN, "--model", model)
    assert plain.returncode == 0 and plain.stdout.splitlines() == [f"{drawn}: 7", f"{SEVEN}: 7"], plain.stderr
    taught_lines = cli("predict", drawn, SEVEN, "--model", model, "--memory", tmp_path / "memory.json")
    assert taught_lines.returncode == 0, taught_lines.stderr
    assert taught_lines.stdout.splitlines() == [f"{drawn}: 1 (from memory)", f"{SEVEN}: 7"]  # a real 7 stays a 7
    single = cli("predict", drawn, "--model", model, "--memory", tmp_path / "memory.json", "--probability")
    assert single.returncode == 0 and single.stdout.startswith("1 (from memory; the model's best guess 7, probability 0.9")
    unchanged = cli("predict", SEVEN, "--model", model, "--probability")
    assert cli("predict", SEVEN, "--model", model, "--probability", "--memory", tmp_path / "memory.json").stdout \
        == unchanged.stdout
    empty = tmp_path / "empty.json"
    PersonalMemory().save(empty)
    assert cli("predict", drawn, SEVEN, "--model", model, "--memory", empty).stdout == plain.stdout


@pytest.mark.parametrize("content, fragment", [
    (None, "personal memory not found"),
    ("[1, 2", "it is not JSON"),
    ('{"schema": "digits_svm.personal_memory", "version": 2, "samples": []}', "this digits_svm reads version 1"),
    ('{"schema": "digits_svm.personal_memory", "version": 1, "samples": [{"grid": [0], "digit": 1, "model_said": 7}]}',
     "samples[0].grid must be a list of 64 numbers"),
])
def test_predict_with_a_malformed_memory_is_one_line_naming_the_file(cli, app_artifacts_dir, tmp_path, content, fragment):
    memory = tmp_path / "memory.json"
    if content is not None:
        memory.write_text(content)
    proc = cli("predict", SEVEN, "--model", app_artifacts_dir / "DigitsSVM.mlmodel", "--memory", memory)
    assert_user_error(proc, str(memory), fragment)
    assert proc.stdout == ""


def test_predict_with_a_memory_needs_probabilities(cli, mlmodel_path, tmp_path):
    from digits_svm.memory import PersonalMemory

    PersonalMemory().save(tmp_path / "memory.json")
    assert_user_error(cli("predict", SEVEN, "--model", mlmodel_path, "--memory", tmp_path / "memory.json"),
                      "no classProbability output", "drop --memory")
