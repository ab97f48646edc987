"""Shared fixtures: one trained model and its artifacts per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import digits_svm

_SUMMARY = pytest.StashKey[list]()


@pytest.fixture
def summary_line(request):
    """Add a line to the run's "figures" summary (counts a test proved), shown with or without -s."""
    return request.config.stash.setdefault(_SUMMARY, []).append


def pytest_terminal_summary(terminalreporter, config):
    lines = config.stash.get(_SUMMARY, [])
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def result():
    """The default training run (the scikit-learn example)."""
    return digits_svm.train()


@pytest.fixture(scope="session")
def app_result():
    """The "app" preset's training run (synthesized handwriting too), trained once."""
    return digits_svm.train(preset="app")


@pytest.fixture(scope="session")
def app_artifacts_dir(tmp_path_factory, app_result):
    """The artifacts of the "app" preset, written (and verified) once."""
    from digits_svm.artifacts import write_artifacts

    out = tmp_path_factory.mktemp("app-artifacts")
    write_artifacts(app_result, out)
    return out


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory, result):
    """A directory holding the artifacts of the default run, written once."""
    from digits_svm.artifacts import write_artifacts

    out = tmp_path_factory.mktemp("artifacts")
    write_artifacts(result, out)
    return out


@pytest.fixture(scope="session")
def mlmodel_path(artifacts_dir):
    return artifacts_dir / "DigitsSVM.mlmodel"


@pytest.fixture(scope="session")
def pickle_path(artifacts_dir):
    return artifacts_dir / "digits_svm.pkl"


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -m digits_svm ARGS`` as a subprocess, capturing text output."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "digits_svm", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli
