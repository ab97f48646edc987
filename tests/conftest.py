"""Shared fixtures: each preset's model trained once per test run, its artifacts written once,
and the ``digits-svm`` command run in process.

The suite runs on pytest-xdist workers (``-n auto`` in pyproject.toml), and a session fixture
runs once per worker, so the expensive ones go through `_once`: the first worker to need one
computes it under a file lock in the directory all workers share, and the others read what it
wrote. The tests that need the app preset's model (30 s to train) run first
(`pytest_collection_modifyitems`), so one worker trains it at once while the other runs the rest.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import pickle
import shutil
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# digits_svm (and with it scikit-learn) is imported where a fixture needs it, not here: under
# xdist the controller process loads this file too, before it starts the workers.

ROOT = Path(__file__).resolve().parents[1]

#: Fixtures that train the app preset (directly or through another fixture).
APP_FIXTURES = {"app_result", "app_artifacts_dir"}


if not os.environ.get("PYTEST_XDIST_WORKER"):
    # glibc hands a large block (a canvas, a kernel matrix) back to the system when it is
    # freed and zero-fills new pages for the next one: the renderer's canvases spent a quarter
    # of their time in the kernel that way. Keeping blocks up to 256 MB in the heap changes no
    # result. Read at process start, so it reaches the xdist workers (started after this file
    # is loaded), their joblib workers and subprocesses; elsewhere than glibc it is ignored.
    os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(256 << 20))
    os.environ.setdefault("MALLOC_TRIM_THRESHOLD_", str(512 << 20))

if os.environ.get("PYTEST_XDIST_WORKER"):
    # One worker per core: a worker's NumPy runs its BLAS (and OpenMP) on one thread, not one
    # per core (two workers with two BLAS threads each spend a quarter of their CPU time
    # waiting on each other), and so do the processes it starts (the notebook's kernel, the
    # command's subprocesses). joblib's own workers set their limits themselves.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):  # read as the libraries load, here and in children
        os.environ.setdefault(variable, "1")
    import numpy  # noqa: F401  (if a plugin loaded it before the variables were set, limit it now)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


# ---------------------------------------------------------------- the "figures" summary
@pytest.fixture
def summary_line(request):
    """Add a line to the run's "figures" summary (counts a test proved), shown with or without -s.

    The line travels in the test's report (``user_properties``), so it reaches the summary
    from an xdist worker too.
    """
    return lambda line: request.node.user_properties.append(("figure", line))


def pytest_terminal_summary(terminalreporter, config):
    lines = [value for reports in terminalreporter.stats.values() for report in reports
             if getattr(report, "when", None) == "call"
             for key, value in getattr(report, "user_properties", ()) if key == "figure"]
    if lines:
        terminalreporter.section("figures")
        for line in sorted(lines):
            terminalreporter.write_line(line)


# ---------------------------------------------------------------- scheduling
def _needs_app(item) -> bool:
    return bool(APP_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items):
    """Run the tests that need the app preset's model first, then the notebook's, then the rest.

    Under xdist (``--dist load``) the first worker's first batch of tests holds them all: it
    trains the app preset (30 s) at once, while the other worker runs tests that need no app
    model (none of them waits on the lock in `_once`), and the notebook, executed once per
    worker that runs one of its tests, runs on one worker only. The order within each part
    is the collection order.
    """
    def part(item) -> int:
        if _needs_app(item):
            return 0
        return 1 if item.path.name == "test_notebook.py" else 2

    items.sort(key=part)  # stable


# ---------------------------------------------------------------- computed once per run
@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` across processes (no lock where fcntl is missing)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: each worker computes its own
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A directory filled by ``make(directory)`` once per test run, however many xdist workers ask."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        out = tmp_path_factory.mktemp(name)
        make(out)
        return out
    shared = tmp_path_factory.getbasetemp().parent  # the same for every worker of this run
    out = shared / name
    with _locked(shared / f"{name}.lock"):
        if not (out / ".complete").exists():
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            make(out)
            (out / ".complete").touch()
    return out


def _trained_once(tmp_path_factory: pytest.TempPathFactory, name: str, **train_args):
    """``digits_svm.train(**train_args)``, trained once per run (other workers unpickle it)."""
    import digits_svm

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return digits_svm.train(**train_args)

    def make(out: Path) -> None:
        (out / "result.pkl").write_bytes(pickle.dumps(digits_svm.train(**train_args), pickle.HIGHEST_PROTOCOL))

    return pickle.loads((_once(tmp_path_factory, name, make) / "result.pkl").read_bytes())


def _artifacts_once(tmp_path_factory: pytest.TempPathFactory, name: str, result, **write_args) -> Path:
    from digits_svm.io._artifacts import write_artifacts

    return _once(tmp_path_factory, name, lambda out: write_artifacts(result, out, **write_args))


@pytest.fixture(scope="session")
def sklearn_calibrated():
    """Fit scikit-learn's own ``SVC(probability=True)``: ``sklearn_calibrated(X, y, sample_weight=None, **params)``.

    The reference for our calibration, and the kind of model older pickles hold. It is
    deprecated from scikit-learn 1.9 on, so its FutureWarning is silenced here and only
    here; from 1.11 on it is gone and the tests that need it skip.
    """
    from sklearn.svm import SVC

    if "probability" not in SVC().get_params():
        pytest.skip("this scikit-learn has no SVC(probability=True) to compare with")

    def fit(X, y, sample_weight=None, **params):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "The `probability` parameter", FutureWarning)
            return SVC(probability=True, random_state=0, **params).fit(X, y, sample_weight=sample_weight)

    return fit


@pytest.fixture(scope="session")
def result(tmp_path_factory):
    """The default training run (the scikit-learn example)."""
    return _trained_once(tmp_path_factory, "example-result")


@pytest.fixture(scope="session")
def best_result(tmp_path_factory):
    """The "best" preset's training run (shifted copies, probabilities), trained once."""
    return _trained_once(tmp_path_factory, "best-result", preset="best")


@pytest.fixture(scope="session")
def app_result(tmp_path_factory):
    """The "app" preset's training run (synthesized handwriting too), trained once."""
    return _trained_once(tmp_path_factory, "app-result", preset="app")


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory, result):
    """A directory holding the artifacts of the default run (plots included), written once."""
    return _artifacts_once(tmp_path_factory, "artifacts", result)


@pytest.fixture(scope="session")
def best_artifacts_dir(tmp_path_factory, best_result):
    """The artifacts of the "best" preset (no plots), written (and verified) once."""
    return _artifacts_once(tmp_path_factory, "best-artifacts", best_result, plots=False)


@pytest.fixture(scope="session")
def app_artifacts_dir(tmp_path_factory, app_result):
    """The artifacts of the "app" preset (no plots: test_plots draws its confusion matrix), written (and verified) once."""
    return _artifacts_once(tmp_path_factory, "app-artifacts", app_result, plots=False)


@pytest.fixture(scope="session")
def mlmodel_path(artifacts_dir):
    return artifacts_dir / "DigitsSVM.mlmodel"


@pytest.fixture(scope="session")
def pickle_path(artifacts_dir):
    return artifacts_dir / "digits_svm.pkl"


# ---------------------------------------------------------------- the digits-svm command
@dataclass
class Ran:
    """What one run of ``digits-svm`` did: exit status and the text it printed."""

    returncode: int
    stdout: str
    stderr: str


def _show_warning(message, category, filename, lineno, file=None, line=None):
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def run_main(capsys, *args, cwd: Path | None = None) -> Ran:
    """Run ``digits_svm.cli.main(ARGS)`` in this process as ``python -m digits_svm ARGS`` would.

    What the subprocess did and a bare call would not, this does: argparse's exits become the
    exit status, Python's warnings are filtered as in a fresh interpreter and printed to
    stderr, and the root logger starts without handlers, so ``main``'s ``logging.basicConfig``
    takes effect (its lines reach stderr). Afterwards the logging configuration, the warning
    filters and the working directory are restored: nothing leaks into the next call.
    """
    from digits_svm.cli import main

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    here = os.getcwd()
    capsys.readouterr()  # what was printed before is not the command's
    root.handlers.clear()
    try:
        with warnings.catch_warnings():
            # the filters of `python -m digits_svm` without -W options (the default filters)
            warnings.resetwarnings()
            warnings.filterwarnings("default", category=DeprecationWarning, module="__main__", append=True)
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                warnings.filterwarnings("ignore", category=category, append=True)
            warnings.showwarning = _show_warning
            if cwd is not None:
                os.chdir(cwd)
            try:
                status = main([str(a) for a in args])
            except SystemExit as exc:  # argparse: --help (0) and usage errors (2)
                status = 0 if exc.code is None else exc.code
    finally:
        os.chdir(here)
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)
    out, err = capsys.readouterr()
    return Ran(status, out, err)


@pytest.fixture
def cli(capsys) -> Callable[..., Ran]:
    """``cli(ARG, ..., cwd=None)`` runs ``digits-svm ARG ...`` in process and returns a `Ran`."""
    return functools.partial(run_main, capsys)


@pytest.fixture
def ctrl_c():
    """Ctrl-C raises KeyboardInterrupt in this process, as in a terminal, for the test's length.

    A runner started in the background (``cmd &`` without job control) inherits SIGINT
    ignored; Python then installs no handler, and `_thread.interrupt_main` does nothing.
    Returns what a child process needs to get Ctrl-C back too (``preexec_fn``).
    """
    import signal

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)
    finally:
        signal.signal(signal.SIGINT, previous)
