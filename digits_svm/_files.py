"""Atomic file writes and friendly file reads shared by every stage.

A write goes to a temporary file in the target directory, is flushed to disk, and is
then renamed over the target, so an interrupted run never leaves a half-written file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ._validation import check_bool, check_instance, check_subclass
from .errors import ArtifactWriteError, DigitsSVMError

__all__ = ["atomic_write_bytes", "atomic_write_text", "atomic_write_json", "read_bytes", "check_writable_dir", "sha256_bytes"]

# The process umask, read once at import (os.umask can only be read by setting it, which
# is not thread-safe later, when the playground's threads write samples).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, exclusive: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename).

    Parameters
    ----------
    path : str or PathLike
        Destination file (its caller checks it). Its parent directory is created if missing.
    data : bytes
        The complete file content.
    exclusive : bool, default False
        If True, refuse to replace an existing file (``FileExistsError``); used where two
        writers must never overwrite each other.

    Returns
    -------
    pathlib.Path
        The destination path.

    Raises
    ------
    ArtifactWriteError
        If the directory cannot be created or written.
    InvalidParameterError
        ``data`` is not bytes, or ``exclusive`` not a bool.
    """
    path = Path(path)
    check_instance(data, "data", (bytes, bytearray, memoryview), "bytes")
    check_bool(exclusive, "exclusive")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ArtifactWriteError(
            f"cannot write {path}: {exc.strerror or exc}; choose a writable directory"
        ) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            # mkstemp creates 0600; give the file the permissions open() would (0666 & ~umask)
            os.fchmod(fh.fileno(), 0o666 & ~_UMASK)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            # link() fails if the target exists, so two writers cannot both win.
            os.link(tmp, path)
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except FileExistsError:
        os.unlink(tmp)
        raise
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise ArtifactWriteError(
            f"cannot write {path}: {exc.strerror or exc}; free disk space or choose another directory"
        ) from exc
    return path


def atomic_write_text(path: str | os.PathLike, text: str, *, exclusive: bool = False) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically; see `atomic_write_bytes`."""
    return atomic_write_bytes(path, text.encode("utf-8"), exclusive=exclusive)


def atomic_write_json(path: str | os.PathLike, obj: Any, *, exclusive: bool = False) -> Path:
    """Write ``obj`` as indented, key-sorted JSON to ``path`` atomically; see `atomic_write_bytes`."""
    return atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n", exclusive=exclusive)


def read_bytes(path: str | os.PathLike, *, what: str = "file", error: type[DigitsSVMError] = DigitsSVMError) -> bytes:
    """Read a whole file, turning a missing or unreadable file into ``error``.

    Parameters
    ----------
    path : str or PathLike
        File to read (its caller checks it).
    what : str
        What the file is, for the message ("model", "pickle", "image").
    error : type of DigitsSVMError
        The exception class to raise.
    """
    path = Path(path)
    check_instance(what, "what", str, "a string")
    check_subclass(error, "error", DigitsSVMError)
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise error(f"{what} not found: {path}; check the path") from exc
    except IsADirectoryError as exc:
        raise error(f"{what} path is a directory: {path}; give a file") from exc
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}; check its permissions") from exc


def check_writable_dir(path: str | os.PathLike) -> Path:
    """Create ``path`` if needed and prove it is writable, before any slow work starts.

    Raises
    ------
    ArtifactWriteError
        If the directory cannot be created or a file cannot be written in it.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ArtifactWriteError(f"{path} exists and is not a directory; choose an output directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise ArtifactWriteError(
            f"cannot write to {path}: {exc.strerror or exc}; choose a writable directory with --out"
        ) from exc
    return path


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()
