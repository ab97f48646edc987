"""The ``digits-svm`` command, run as a subprocess as a user would."""

import json
import pickle
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "artifacts"
    proc = run_cli("train", "--out", out)
    assert proc.returncode == 0, proc.stderr
    return out, proc


def assert_user_error(proc, *fragments):
    """Exit 2, exactly one stderr line naming the problem, no traceback."""
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("digits-svm: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in proc.stderr


def test_train_writes_all_artifacts_and_a_summary(trained):
    out, proc = trained
    assert "held-out accuracy 0.96885 (871/899)" in proc.stdout
    for name in ("digits_svm.pkl", "digits_svm.pkl.json", "DigitsSVM.mlmodel", "metrics.json"):
        assert (out / name).stat().st_size > 0, name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n_correct"] == 871 and metrics["n_test"] == 899
    assert metrics["artifacts"]["mlmodel"]["size_bytes"] == (out / "DigitsSVM.mlmodel").stat().st_size
    assert "training preset" in proc.stderr  # progress lines go to stderr
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_two_train_runs_write_identical_mlmodels(trained, tmp_path):
    out, _ = trained
    again = run_cli("train", "--out", tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "DigitsSVM.mlmodel").read_bytes() == (out / "DigitsSVM.mlmodel").read_bytes()


def test_info_shows_the_interface(trained):
    out, _ = trained
    proc = run_cli("info", out / "DigitsSVM.mlmodel")
    assert proc.returncode == 0, proc.stderr
    assert "input  input: MultiArray Double [8, 8]" in proc.stdout
    assert "output classLabel: Int64" in proc.stdout
    assert "preprocessing.method = " in proc.stdout
    info = json.loads(run_cli("info", out / "DigitsSVM.mlmodel", "--json").stdout)
    assert info["support_vectors"] == 519


def test_convert_from_pickle(trained, tmp_path):
    out, _ = trained
    proc = run_cli("convert", out / "digits_svm.pkl", "--out", tmp_path / "M.mlmodel")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(run_cli("info", tmp_path / "M.mlmodel", "--json").stdout)
    assert info["inputs"][0]["name"] == "input" and info["support_vectors"] == 519


@pytest.mark.parametrize("command", ["train", "convert", "info", "predict", "verify", "playground", "show"])
def test_help_everywhere(command):
    proc = run_cli(command, "--help")
    assert proc.returncode == 0 and "usage: digits-svm " + command in proc.stdout


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("digits-svm")
    assert script.exists() or shutil.which("digits-svm"), "pip install the package to get the digits-svm command"


# ------------------------------------------------------------------ bad input
def test_missing_files(tmp_path):
    assert_user_error(run_cli("info", tmp_path / "nope.mlmodel"), "not found")
    assert_user_error(run_cli("convert", tmp_path / "nope.pkl", "--out", tmp_path / "x.mlmodel"), "not found")
    assert not (tmp_path / "x.mlmodel").exists()


def test_pickle_that_is_not_an_svc(tmp_path):
    (tmp_path / "dict.pkl").write_bytes(pickle.dumps({"not": "a model"}))
    assert_user_error(run_cli("convert", tmp_path / "dict.pkl", "--trust", "--out", tmp_path / "x.mlmodel"),
                      "not a scikit-learn SVC")
    assert_user_error(run_cli("convert", tmp_path / "dict.pkl", "--out", tmp_path / "x.mlmodel"), "no sidecar")
    assert not (tmp_path / "x.mlmodel").exists()


def test_unwritable_output_directory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_user_error(run_cli("train", "--out", blocker), "not a directory")
    assert_user_error(run_cli("train", "--out", blocker / "sub"), "cannot write")


def test_corrupt_mlmodel(tmp_path):
    (tmp_path / "bad.mlmodel").write_bytes(b"\x00\x01garbage")
    assert_user_error(run_cli("info", tmp_path / "bad.mlmodel"))


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
def test_bad_grids_for_predict(trained, tmp_path, grid, fragment):
    out, _ = trained
    np.save(tmp_path / "g.npy", grid)
    assert_user_error(run_cli("predict", tmp_path / "g.npy", "--model", out / "DigitsSVM.mlmodel"), fragment)
    (tmp_path / "g.json").write_text(json.dumps(np.nan_to_num(grid, nan=-1.0, posinf=99.0).tolist()))
    assert run_cli("predict", tmp_path / "g.json", "--model", out / "DigitsSVM.mlmodel").returncode == 2


# ---------------------------------------------------------------- verify and predict
def test_train_verifies_the_mlmodel_before_success(trained):
    out, proc = trained
    assert "verified: 11,797 of 11,797" in proc.stdout
    parity = json.loads((out / "metrics.json").read_text())["coreml_parity"]
    assert parity["n"] == parity["n_agree"] == 11_797
    assert parity["max_decision_diff"] < 1e-9
    assert parity["mlmodel_correct"] == 871


def test_verify_agrees_and_fails_on_a_different_pickle(trained, tmp_path):
    out, _ = trained
    proc = run_cli("verify", "--model", out / "DigitsSVM.mlmodel", "--pickle", out / "digits_svm.pkl",
                   "--n-random", "500")
    assert proc.returncode == 0, proc.stderr
    assert "2,297 of 2,297" in proc.stdout
    other = run_cli("train", "--out", tmp_path, "--C", "0.5")
    assert other.returncode == 0, other.stderr
    proc = run_cli("verify", "--model", out / "DigitsSVM.mlmodel", "--pickle", tmp_path / "digits_svm.pkl",
                   "--n-random", "200")
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "agree" in proc.stdout


def test_predict_images_strokes_and_grids(trained, tmp_path):
    import digits_svm

    out, _ = trained
    seven = Path(__file__).parent / "golden" / "seven.json"
    zero = tmp_path / "zero.png"
    digits_svm.render_strokes(json.loads((Path(__file__).parent / "golden" / "zero.json").read_text())).save(zero)
    X, y = digits_svm.data.load_digits_grids()
    np.save(tmp_path / "g.npy", X[:3].reshape(3, 8, 8))
    proc = run_cli("predict", seven, zero, tmp_path / "g.npy", "--model", out / "DigitsSVM.mlmodel")
    assert proc.returncode == 0, proc.stderr
    names = [str(seven), str(zero), *(f"{tmp_path / 'g.npy'}[{i}]" for i in range(3))]
    assert proc.stdout.splitlines() == [f"{n}: {label}" for n, label in zip(names, ["7", "0", *map(str, y[:3])], strict=True)]
    alone = run_cli("predict", seven, "--model", out / "DigitsSVM.mlmodel")
    assert alone.stdout.splitlines() == ["7"]  # one input: the answer alone
    assert "method 'normalized' (named in the model's metadata)" in proc.stderr
    seed = run_cli("predict", zero, "--method", "seed", "--model", out / "DigitsSVM.mlmodel")
    assert "method 'seed' (from --method)" in seed.stderr


def test_predict_refuses_bad_inputs(trained, tmp_path):
    out, _ = trained
    model = out / "DigitsSVM.mlmodel"
    (tmp_path / "notes.txt").write_text("hi")
    assert_user_error(run_cli("predict", tmp_path / "notes.txt", "--model", model), "unsupported input type")
    (tmp_path / "fake.png").write_text("hi")
    assert_user_error(run_cli("predict", tmp_path / "fake.png", "--model", model), "not a readable image")
    (tmp_path / "empty.json").write_text('{"strokes": []}')
    assert_user_error(run_cli("predict", tmp_path / "empty.json", "--model", model), "no points")
    (tmp_path / "bad.json").write_text('{"strokes": [[["a", 1]]]}')
    assert_user_error(run_cli("predict", tmp_path / "bad.json", "--model", model), "bad.json", "must be a number")
    (tmp_path / "broken.mlmodel").write_bytes(b"\x00garbage")
    assert_user_error(run_cli("predict", tmp_path / "bad.json", "--model", tmp_path / "broken.mlmodel"))


def test_playground_serves_the_model_and_refuses_a_missing_one(trained, tmp_path):
    import os
    import subprocess
    import urllib.request

    out, _ = trained
    assert_user_error(run_cli("playground", "--model", tmp_path / "nope.mlmodel", "--port", "0"), "nope.mlmodel")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "digits_svm", "playground", "--model", str(out / "DigitsSVM.mlmodel"), "--port", "0",
         "--samples", str(tmp_path / "samples")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("playground at http://127.0.0.1:"), (line, proc.stderr.read() if proc.poll() else "")
        url = line.split()[2]
        info = json.loads(urllib.request.urlopen(url + "api/info", timeout=10).read())
        assert "normalized" in info["methods"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_show_writes_a_picture_of_what_the_model_sees(trained, tmp_path):
    from PIL import Image

    out, _ = trained
    seven = Path(__file__).parent / "golden" / "seven.json"
    proc = run_cli("show", seven, "--model", out / "DigitsSVM.mlmodel", "--out", tmp_path / "seven.png")
    assert proc.returncode == 0, proc.stderr
    assert "normalized: 7" in proc.stdout and "seed: " in proc.stdout
    img = np.asarray(Image.open(tmp_path / "seven.png").convert("L"), dtype=float)
    assert img.shape[1] > 600 and img.shape[0] > 200
    assert img.std() > 20  # not blank
    crop = Path(__file__).parent / "golden" / "one_13x21.png"
    proc = run_cli("show", crop, "--method", "seed", "--model", out / "DigitsSVM.mlmodel", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "one_13x21-show.png").stat().st_size > 5_000
    assert "normalized" not in proc.stdout
    assert_user_error(run_cli("show", tmp_path / "none.json", "--model", out / "DigitsSVM.mlmodel"), "none.json")


# ---------------------------------------------------------------- best preset, extra samples, confidence
def _write_samples(folder: Path) -> int:
    """Three good stroke samples, one good PNG, and three bad files; returns the good count."""
    import digits_svm
    from digits_svm.synthetic import digit_strokes

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


def test_train_best_with_extra_samples_and_confidence(tmp_path):
    samples = tmp_path / "samples"
    n_good = _write_samples(samples)
    out = tmp_path / "best"
    proc = run_cli("train", "--preset", "best", "--extra", samples, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert f"extra samples: {n_good} added to training (normalized preprocessing), 3 skipped" in proc.stdout
    assert proc.stderr.count("skipped sample") == 3
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n_extra_samples"] == n_good and len(metrics["extra_samples_skipped"]) == 3
    assert metrics["coreml_parity"]["n_agree"] == metrics["coreml_parity"]["n"]
    info = json.loads(run_cli("info", out / "DigitsSVM.mlmodel", "--json").stdout)
    assert "classProbability" in [o["name"] for o in info["outputs"]]
    assert info["user_defined"]["training.n_extra_samples"] == str(n_good)
    assert info["user_defined"]["training.preset"] == "best"

    scribble = tmp_path / "scribble.json"
    scribble.write_text(json.dumps({"strokes": [[[0, 0], [100, 100], [0, 100], [100, 0], [50, 120], [50, -20]]]}))
    seven = Path(__file__).parent / "golden" / "seven.json"
    proc = run_cli("predict", seven, scribble, "--model", out / "DigitsSVM.mlmodel", "--min-confidence", "0.9")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[1] == f"{scribble}: not a digit"
    proc = run_cli("predict", scribble, "--model", out / "DigitsSVM.mlmodel", "--min-confidence", "0.9", "--probability")
    assert proc.returncode == 0 and proc.stdout.startswith("not a digit (best guess "), proc.stderr
    bad = run_cli("predict", seven, "--model", out / "DigitsSVM.mlmodel", "--min-confidence", "2")
    assert bad.returncode == 2 and "must be a probability in 0..1" in bad.stderr


def test_confidence_needs_probabilities_and_samples_must_exist(trained, tmp_path):
    out, _ = trained
    seven = Path(__file__).parent / "golden" / "seven.json"
    proc = run_cli("predict", seven, "--model", out / "DigitsSVM.mlmodel", "--min-confidence", "0.5")
    assert_user_error(proc, "no classProbability output")
    assert_user_error(run_cli("train", "--extra", tmp_path / "nowhere", "--out", tmp_path / "o"), "nowhere")
    (tmp_path / "bad" / "x").mkdir(parents=True)
    assert_user_error(run_cli("train", "--extra", tmp_path / "bad", "--out", tmp_path / "o"))


# ---------------------------------------------------------------- a newcomer's first hour (in process)
def _main(capsys, *argv):
    from digits_svm.cli import main

    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


def test_several_inputs_answer_every_good_one_and_name_every_bad_one(mlmodel_path, tmp_path, capsys):
    seven = Path(__file__).parent / "golden" / "seven.json"
    (tmp_path / "bad.png").write_text("not an image")
    status, out, err = _main(capsys, "predict", seven, tmp_path / "bad.png", seven, "--model", mlmodel_path)
    assert status == 2
    assert out.splitlines() == [f"{seven}: 7", f"{seven}: 7"]
    assert f"{tmp_path / 'bad.png'} is not a readable image" in err and "1 of 3 inputs" in err
    assert "BytesIO" not in err and " at 0x" not in err  # the file's name, never an object's repr


def test_a_folder_is_named_as_a_folder(mlmodel_path, tmp_path, capsys):
    status, _, err = _main(capsys, "predict", tmp_path, "--model", mlmodel_path)
    assert status == 2 and f"{tmp_path} is a folder" in err and "(none)" not in err


def test_a_blank_grid_is_refused_like_a_blank_image(mlmodel_path, tmp_path, capsys):
    from PIL import Image

    np.save(tmp_path / "blank.npy", np.zeros((8, 8)))
    (tmp_path / "blank.json").write_text(json.dumps([[0] * 8] * 8))
    Image.new("RGBA", (40, 60)).save(tmp_path / "blank.png")
    for name in ("blank.npy", "blank.json", "blank.png"):
        status, out, err = _main(capsys, "predict", tmp_path / name, "--model", mlmodel_path)
        assert status == 2 and out == "" and "no ink" in err and "draw a digit first" in err, (name, err)


def test_bare_stroke_lists_are_read_by_every_door(mlmodel_path, tmp_path, capsys):
    import digits_svm

    bare = [[[20, 10], [20, 90]]]
    (tmp_path / "bare.json").write_text(json.dumps(bare))
    status, out, _ = _main(capsys, "predict", tmp_path / "bare.json", "--model", mlmodel_path)
    expected = digits_svm.coreml_predict(mlmodel_path, [digits_svm.preprocess_strokes({"strokes": bare})])[0]
    assert status == 0 and out.strip() == str(expected)
    assert digits_svm.strokes.parse_strokes(bare).n_points == 2
    status, _, _ = _main(capsys, "show", tmp_path / "bare.json", "--model", mlmodel_path, "--out", tmp_path / "s.png")
    assert status == 0 and (tmp_path / "s.png").stat().st_size > 0


def test_playground_arguments_name_what_is_wrong(mlmodel_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        _main(capsys, "playground", "--port", "70000", "--model", mlmodel_path)
    assert exit_.value.code == 2
    assert "must be a port 0..65535" in capsys.readouterr().err
    status, _, err = _main(capsys, "playground", "--host", "999.1.1.1", "--port", "0", "--model", mlmodel_path)
    assert status == 2 and "host 999.1.1.1" in err and "--port" not in err


def test_first_run_without_a_model_says_how_to_make_one(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    status, _, err = _main(capsys, "playground")
    assert status == 2 and "digits-svm train --preset app" in err


def test_every_command_in_process(mlmodel_path, pickle_path, tmp_path, capsys):
    """The commands' own code paths, measured by coverage (the subprocess tests above are not)."""
    status, out, err = _main(capsys, "info", mlmodel_path)
    assert status == 0 and "input  input: MultiArray Double [8, 8]" in out
    status, out, _ = _main(capsys, "info", mlmodel_path, "--json")
    assert status == 0 and json.loads(out)["support_vectors"] == 519
    status, out, _ = _main(capsys, "convert", pickle_path, "--out", tmp_path / "M.mlmodel")
    assert status == 0 and "wrote" in out
    from digits_svm import coreml_predict
    from digits_svm.data import load_digits_grids

    X, _ = load_digits_grids()
    np.testing.assert_array_equal(coreml_predict(tmp_path / "M.mlmodel", X), coreml_predict(mlmodel_path, X))
    status, out, err = _main(capsys, "verify", "--model", mlmodel_path, "--pickle", pickle_path, "--n-random", "50")
    assert status == 0 and "1,847 of 1,847 predictions agree" in out
    seven = Path(__file__).parent / "golden" / "seven.json"
    status, out, _ = _main(capsys, "show", seven, "--model", mlmodel_path, "--out", tmp_path / "seven.png")
    assert status == 0 and (tmp_path / "seven.png").stat().st_size > 0
    status, out, err = _main(capsys, "train", "--out", tmp_path / "art")
    assert status == 0 and "held-out accuracy 0.96885 (871/899)" in out and "verified: 11,797 of 11,797" in out
    assert (tmp_path / "art" / "DigitsSVM.mlmodel").read_bytes() == mlmodel_path.read_bytes()
