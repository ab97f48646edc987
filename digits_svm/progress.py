"""Progress of slow work: the callback the library reports through, and the bars or lines the command shows.

The library never prints. A slow function takes ``progress``, a callable it calls as
``progress(step, done, total)``: ``step`` says what is being done ("drawing synthesized
digits"), ``done`` of ``total`` units are finished (``total`` 0: a step without a count).
`ProgressBars` is the callback the ``digits-svm`` command and the benchmarks pass: a
`tqdm` bar per step on a terminal, one plain line per step elsewhere, nothing when quiet.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO

from ._validation import check_bool, check_instance

__all__ = ["Progress", "ProgressBars", "no_progress", "check_progress", "map_chunks"]


class Progress(Protocol):
    """What a library function calls to report progress: ``progress(step, done, total)``."""

    def __call__(self, step: str, done: int = 0, total: int = 0) -> None: ...


def no_progress(step: str, done: int = 0, total: int = 0) -> None:
    """A `Progress` that reports nothing (the default of every function that takes one)."""


def check_progress(progress: Any) -> Progress:
    """``progress`` if it is callable, `no_progress` for None; else `digits_svm.errors.InvalidParameterError`.

    Examples
    --------
    >>> check_progress(None) is no_progress
    True
    """
    check_instance(progress, "progress", (Callable, type(None)), "a callable progress(step, done, total), or None")
    return progress or no_progress


class ProgressBars:
    """A `Progress` for people: a `tqdm` bar per counted step on a terminal, else one line per step.

    Parameters
    ----------
    stream : file, optional
        Where to write (default: standard error).
    quiet : bool, default False
        Write nothing at all.
    bars : bool, optional
        Draw bars; default: when ``stream`` is a terminal. Otherwise each step prints one
        line when it starts, and a counted step a second one with its count when it ends.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> progress = ProgressBars(out, bars=False)
    >>> for i in range(3):
    ...     progress("drawing digits", i + 1, 3)
    >>> progress("saving the model")
    >>> progress.close()
    >>> print(out.getvalue(), end="")
      drawing digits ...
      drawing digits: 3 of 3
      saving the model ...
    """

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False, bars: bool | None = None) -> None:
        check_bool(quiet, "quiet")
        if bars is not None:
            check_bool(bars, "bars")
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.bars = (self.stream.isatty() if hasattr(self.stream, "isatty") else False) if bars is None else bars
        self.started = time.perf_counter()
        self._step: str | None = None
        self._bar: Any = None

    def __call__(self, step: str, done: int = 0, total: int = 0) -> None:
        if self.quiet:
            return
        if step != self._step:
            self._finish()
            self._step = step
            if self.bars and total:
                from tqdm import tqdm

                self._bar = tqdm(total=total, desc=f"  {step}", file=self.stream, leave=True, dynamic_ncols=True)
            else:
                print(f"  {step} ...", file=self.stream, flush=True)
        if self._bar is not None:
            self._bar.update(done - self._bar.n)
        elif total and done >= total:
            print(f"  {step}: {done:,} of {total:,}", file=self.stream, flush=True)
            self._step = None

    def _finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self._step = None

    def close(self) -> None:
        """End the current bar, if any."""
        self._finish()

    def done(self) -> None:
        """End the current bar and say how long the whole run took."""
        self._finish()
        if not self.quiet:
            print(f"  done in {time.perf_counter() - self.started:.1f} s", file=self.stream, flush=True)


def map_chunks(work: Any, n: int, *, n_jobs: int | None, progress: Progress, step: str) -> list[Any]:
    """``work(indices)`` over ``range(n)`` in chunks, in joblib jobs, reporting each chunk done.

    ``work`` takes a list of indices and returns one part; the parts come back in order,
    whatever the backend (the caller's ``joblib.parallel_config`` decides it). With
    ``n_jobs=1`` or fewer than 200 items the chunks run here, one after the other.

    Examples
    --------
    >>> map_chunks(lambda rows: sum(rows), 10, n_jobs=1, progress=no_progress, step="adding")
    [45]
    """
    import numpy as np
    from joblib import Parallel, delayed, effective_n_jobs

    if n_jobs == 1 or n < 200:
        chunks = np.array_split(np.arange(n), 1 if progress is no_progress else max(min(n, 10), 1))
        parts: Any = (work(c.tolist()) for c in chunks)
    else:
        chunks = np.array_split(np.arange(n), 4 * effective_n_jobs(n_jobs))
        parts = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(work)(c.tolist()) for c in chunks)
    results, done = [], 0
    for chunk, part in zip(chunks, parts, strict=True):
        results.append(part)
        done += len(chunk)
        progress(step, done, n)
    return results
