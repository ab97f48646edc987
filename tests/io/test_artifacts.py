"""A training run's files are one set: an interrupted or killed run leaves the previous set, two runs never mix.

Each test first writes a previous set (the session's default run, C=1) into a folder that
also holds a user's files, then interrupts, kills or races a second run (C=5) on it, and
checks what the folder holds: every file of one set, ``metrics.json``'s SHA-256 those of the
files beside it, the ``.mlmodel`` agreeing with the model file, and the user's files untouched.
The kills are real: a ``digits-svm train`` subprocess stopped by SIGKILL or SIGTERM.
"""

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import digits_svm
from digits_svm._files import sha256_bytes
from digits_svm.errors import ArtifactWriteError, OutputBusyError, VerificationError
from digits_svm.io._artifacts import (
    LOCK_NAME,
    SET_NAMES,
    STAGING_PREFIX,
    SWAP_RECORD_NAME,
    left_behind,
    settle,
    training_lock,
    write_artifacts,
)
from digits_svm.io._model_files import load_model

ROOT = Path(__file__).resolve().parents[2]

USER_FILES = {".gitkeep": b"", "notes.txt": b"my own notes\n"}
FULL_SET = ("digits_svm.pkl", "digits_svm.pkl.json", "DigitsSVM.mlmodel", "metrics.json", "confusion_matrix.png",
            "misclassified.png")
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


@pytest.fixture(scope="module")
def other_result():
    """A second model (the example preset with C=5), so a mixed set shows."""
    return digits_svm.train(C=5)


@pytest.fixture
def previous(tmp_path, result):
    """A folder with a user's files and the set of the default run; returns (folder, its files' bytes)."""
    out = tmp_path / "artifacts"
    out.mkdir()
    for name, data in USER_FILES.items():
        (out / name).write_bytes(data)
    write_artifacts(result, out)
    return out, files_of(out)


def files_of(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def assert_one_consistent_set(out: Path, cli=None, *, C: float | None = None) -> None:
    """The folder holds one set: metrics.json describes the files beside it, which agree with each other."""
    metrics = json.loads((out / "metrics.json").read_text())
    for entry in metrics["artifacts"].values():
        data = (out / entry["file"]).read_bytes()
        assert (sha256_bytes(data), len(data)) == (entry["sha256"], entry["size_bytes"]), entry["file"]
    model = load_model(out / "digits_svm.pkl")  # checked against its sidecar
    assert model.get_params()["C"] == metrics["params"]["C"]
    if C is not None:
        assert metrics["params"]["C"] == C
    if cli is not None:
        proc = cli("verify", "--model", out / "DigitsSVM.mlmodel", "--pickle", out / "digits_svm.pkl", "--quiet")
        assert proc.returncode == 0 and "predictions agree" in proc.stdout, proc.stdout + proc.stderr
    assert not [p.name for p in out.iterdir() if p.name.startswith(".digits-svm") or p.name.endswith(".tmp")]
    for name, data in USER_FILES.items():
        assert (out / name).read_bytes() == data, name


# ---------------------------------------------------------------- interrupted in process
@pytest.mark.parametrize("step", ["convert", "_verify_saved", "plot_misclassified", "atomic_write_json"])
def test_an_interrupted_write_leaves_the_previous_set(previous, other_result, monkeypatch, cli, step):
    out, before = previous

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(digits_svm.io._artifacts, step, interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_artifacts(other_result, out)
    assert files_of(out) == before
    assert_one_consistent_set(out, cli, C=1.0)


def test_a_failed_verification_leaves_the_previous_set(previous, other_result, monkeypatch):
    out, before = previous

    def disagrees(*args, **kwargs):
        raise VerificationError("1 of 11,797 predictions disagree")

    monkeypatch.setattr(digits_svm.io._artifacts, "_verify_saved", disagrees)
    with pytest.raises(VerificationError):
        write_artifacts(other_result, out)
    assert files_of(out) == before


def test_the_train_command_says_which_set_an_interrupted_run_left(previous, monkeypatch, cli, tmp_path):
    out, before = previous

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(digits_svm.io._artifacts, "convert", interrupted)
    proc = cli("train", "--out", out, "--C", "5", "--quiet")
    assert proc.returncode == 130 and proc.stdout == ""
    assert proc.stderr == f"\ndigits-svm: interrupted; {out} still holds the previous set ({', '.join(FULL_SET)})\n"
    assert files_of(out) == before

    fresh = tmp_path / "fresh"
    proc = cli("train", "--out", fresh, "--quiet")
    assert proc.returncode == 130
    assert proc.stderr == f"\ndigits-svm: interrupted; nothing was written to {fresh}\n"
    assert list(fresh.iterdir()) == []


def test_a_new_set_replaces_every_artifact_and_nothing_else(previous, other_result):
    out, _ = previous
    paths = write_artifacts(other_result, out, plots=False, model_format="skops")
    assert (paths.pickle, paths.mlmodel, paths.metrics, paths.plots) == (
        out / "digits_svm.skops", out / "DigitsSVM.mlmodel", out / "metrics.json", [])
    # the previous run's pickle and plots described another model: the swap removes them
    assert sorted(files_of(out)) == sorted(["digits_svm.skops", "digits_svm.skops.json", "DigitsSVM.mlmodel",
                                            "metrics.json", *USER_FILES])
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["params"]["C"] == 5.0
    assert metrics["artifacts"]["skops"]["sha256"] == sha256_bytes((out / "digits_svm.skops").read_bytes())


# ---------------------------------------------------------------- killed: SIGKILL and SIGTERM, real processes
def _train_until(out: Path, line: str, sig: int) -> subprocess.CompletedProcess:
    """Run ``digits-svm train --C 5`` into ``out``; send ``sig`` once stderr shows ``line``."""
    proc = subprocess.Popen([sys.executable, "-m", "digits_svm", "train", "--out", str(out), "--C", "5"],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=ENV)
    watchdog = threading.Timer(240, proc.kill)  # bounded: a hang fails the test, it does not stall the suite
    watchdog.start()
    try:
        seen = []
        for text in proc.stderr:
            seen.append(text)
            if line in text:
                proc.send_signal(sig)
                break
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert any(line in text for text in seen), seen
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, "".join(seen) + stderr)


@pytest.mark.slow
def test_a_run_killed_by_sigkill_leaves_the_previous_set_and_the_next_run_cleans_up(previous, cli):
    out, before = previous
    killed = _train_until(out, "converting to Core ML", signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    assert {n: d for n, d in files_of(out).items() if n != LOCK_NAME} == before  # its lock file may remain
    assert not (out / SWAP_RECORD_NAME).exists()
    assert [p.name.startswith(STAGING_PREFIX) for p in out.iterdir() if p.is_dir()] == [True]  # its staging folder
    assert_verified = cli("verify", "--model", out / "DigitsSVM.mlmodel", "--pickle", out / "digits_svm.pkl", "--quiet")
    assert assert_verified.returncode == 0, assert_verified.stdout

    proc = cli("train", "--out", out, "--C", "5", "--quiet")  # removes the staging folder, never takes it for the set
    assert proc.returncode == 0, proc.stderr
    assert_one_consistent_set(out, cli, C=5.0)


@pytest.mark.slow
def test_a_run_stopped_by_sigterm_says_the_previous_set_is_left(previous, cli):
    out, before = previous
    stopped = _train_until(out, "converting to Core ML", signal.SIGTERM)
    assert stopped.returncode == 128 + signal.SIGTERM, stopped.stderr
    assert f"digits-svm: interrupted; {out} still holds the previous set ({', '.join(FULL_SET)})" in stopped.stderr
    assert "no partial files" not in stopped.stderr and "Traceback" not in stopped.stderr
    assert files_of(out) == before
    assert_one_consistent_set(out, cli, C=1.0)


KILL_MID_SWAP = """
import os, signal, sys
from pathlib import Path
import digits_svm
from digits_svm.io._artifacts import STAGING_PREFIX, write_artifacts

real_replace, moved = os.replace, []

def replace(src, dst):
    src, dst = Path(src), Path(dst)
    if src.parent.name.startswith(STAGING_PREFIX) and dst.parent == src.parent.parent:  # a file moved into the set
        moved.append(dst.name)
        if len(moved) == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst)

os.replace = replace
write_artifacts(digits_svm.train(C=5), sys.argv[1])
"""


@pytest.mark.slow
@pytest.mark.parametrize("killed_at", [1, 3, 6])
def test_a_swap_killed_between_two_moves_is_completed_by_the_next_run(previous, cli, killed_at):
    out, before = previous
    proc = subprocess.run([sys.executable, "-c", KILL_MID_SWAP, str(out), str(killed_at)],
                          capture_output=True, text=True, env=ENV, timeout=240)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert (out / SWAP_RECORD_NAME).exists()  # the record says a swap is under way
    assert files_of(out) != before
    with training_lock(out):  # the killed run's lock file is taken over, and removed when let go
        settle(out)  # what the next write_artifacts (and digits-svm train) does first
    assert_one_consistent_set(out, cli, C=5.0)  # the killed run's set, complete
    assert sorted(files_of(out)) == sorted([*FULL_SET, *USER_FILES])


def test_a_stale_staging_folder_is_removed_and_a_bad_swap_record_refused(previous, other_result):
    out, _ = previous
    stale = out / f"{STAGING_PREFIX}left"
    stale.mkdir()
    (stale / "metrics.json").write_text("{}")
    write_artifacts(other_result, out, plots=False)
    assert not stale.exists()
    assert json.loads((out / "metrics.json").read_text())["params"]["C"] == 5.0

    (out / SWAP_RECORD_NAME).write_text(json.dumps({"format": "digits_svm.swap/1", "staging": "../elsewhere",
                                                    "files": ["notes.txt"], "remove": []}))
    with pytest.raises(ArtifactWriteError, match=f"{SWAP_RECORD_NAME} is not a swap record of digits_svm; remove it"):
        write_artifacts(other_result, out, plots=False)
    assert (out / "notes.txt").read_bytes() == USER_FILES["notes.txt"]


# ---------------------------------------------------------------- two runs into one folder
def test_a_second_writer_is_refused_while_the_first_holds_the_folder(previous, result, other_result, monkeypatch):
    out, _ = previous
    inside, refused, failures = threading.Event(), threading.Event(), []
    real_convert = digits_svm.io._artifacts.convert

    def convert_after_the_other_tried(*args, **kwargs):
        if threading.current_thread().name == "first":
            inside.set()
            refused.wait(60)
        return real_convert(*args, **kwargs)

    def first():
        try:
            write_artifacts(other_result, out)
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    monkeypatch.setattr(digits_svm.io._artifacts, "convert", convert_after_the_other_tried)
    thread = threading.Thread(target=first, name="first")
    thread.start()
    try:
        assert inside.wait(60)
        with pytest.raises(OutputBusyError, match=f"^{out} is being written by another training run; wait for it"):
            write_artifacts(result, out)
    finally:
        refused.set()
        thread.join(120)
    assert failures == []
    assert_one_consistent_set(out, C=5.0)


@pytest.mark.slow
def test_a_second_train_command_into_the_same_out_is_refused_at_once(previous, cli):
    out, _ = previous
    first = subprocess.Popen([sys.executable, "-m", "digits_svm", "train", "--out", str(out), "--C", "5"],
                             stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=ENV)
    try:
        line = first.stderr.readline()  # printed once it holds the folder, before it trains
        assert "training preset" in line, line
        second = cli("train", "--out", out, "--quiet")
        assert second.returncode == 2 and second.stdout == ""
        assert second.stderr == (f"digits-svm: error: {out} is being written by another training run; "
                                 "wait for it to end or choose another output folder (--out)\n")
        stdout, stderr = first.communicate(timeout=240)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, stderr
    assert_one_consistent_set(out, cli, C=5.0)
    assert set(SET_NAMES) >= set(FULL_SET)


def test_an_interrupt_after_the_swap_says_the_new_set_is_in_place(previous, monkeypatch, cli):
    out, before = previous
    real_write = digits_svm.cli.write_artifacts

    def write_then_interrupt(*args, **kwargs):
        real_write(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(digits_svm.cli, "write_artifacts", write_then_interrupt)
    proc = cli("train", "--out", out, "--C", "5", "--quiet")
    assert proc.returncode == 130
    assert proc.stderr == f"\ndigits-svm: interrupted; {out} holds the new set of this run ({', '.join(FULL_SET)})\n"
    assert files_of(out) != before
    assert_one_consistent_set(out, C=5.0)

    (out / SWAP_RECORD_NAME).write_text("{}")  # as a run killed while moving its set in leaves it
    assert left_behind(out, None) == (f"{out} holds a new set only partly moved in; "
                                      "the next training run into it completes it first")
