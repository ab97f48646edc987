"""Saving and loading the fitted model: pickle or joblib, with a provenance sidecar.

**Unpickling runs code.** A pickle (or joblib) file can execute arbitrary Python when it
is loaded, so only load files you made yourself or got from someone you trust. To make
accidental corruption or substitution visible, every save writes a JSON *sidecar* next
to the model (``digits_svm.pkl`` -> ``digits_svm.pkl.json``) with the file's SHA-256,
the library versions and the training parameters. Loading checks the hash and the
scikit-learn version **before** unpickling and refuses a mismatch. The sidecar is not a
signature: anyone who can replace the pickle can replace the sidecar too. To share a model
with someone who should not have to trust you, save it as skops (`digits_svm.sharing`),
which loads only the types it is told to trust.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import platform
from collections.abc import Callable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.svm import SVC

from . import __version__
from .calibration import PlattSVC
from .errors import DigitsSVMError, InvalidParameterError, NotAnSVCError, PickleIntegrityError
from .fileio import atomic_write_bytes, atomic_write_json, read_bytes
from .validation import check_bool, check_instance, check_path

__all__ = [
    "library_versions",
    "sidecar_path",
    "save_pickle",
    "load_pickle",
    "save_joblib",
    "load_joblib",
    "check_fitted_svc",
    "has_probabilities",
    "platt_parameters",
    "sha256_bytes",
    "load_estimator",
    "recorded_conversion",
]

SIDECAR_FORMAT = "digits_svm.sidecar/1"
_PICKLE_WARNING = "unpickling runs code: load only files you trust"


def library_versions() -> dict[str, str]:
    """Versions of the libraries that shape the model and its file formats.

    Examples
    --------
    >>> sorted(library_versions())
    ['coremltools', 'digits_svm', 'joblib', 'numpy', 'python', 'scikit-learn']
    """
    try:
        coremltools_version = version("coremltools")
    except PackageNotFoundError:  # pragma: no cover - coremltools is a dependency
        coremltools_version = "not installed"
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "joblib": joblib.__version__,
        "coremltools": coremltools_version,
        "digits_svm": __version__,
    }


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sidecar_path(path: str | os.PathLike) -> Path:
    """The sidecar of a model file: the same name with ``.json`` appended.

    Examples
    --------
    >>> sidecar_path("artifacts/digits_svm.pkl").name
    'digits_svm.pkl.json'
    """
    path = Path(path)
    return path.with_name(path.name + ".json")


def check_fitted_svc(model: Any, *, source: str = "model") -> None:
    """Raise `NotAnSVCError` unless ``model`` is a fitted scikit-learn ``SVC`` on 64 features.

    Parameters
    ----------
    model : object
        The object to check.
    source : str
        Where it came from, for the message (a file name, say).
    """
    check_instance(source, "source", str, "a string (where the model came from, for messages)")
    if not isinstance(model, SVC):
        raise NotAnSVCError(
            f"{source} holds a {type(model).__module__}.{type(model).__name__}, not a scikit-learn SVC; "
            "train one with digits_svm.train()"
        )
    if not hasattr(model, "support_vectors_"):
        raise NotAnSVCError(f"{source} holds an SVC that was never fitted; call .fit() or use digits_svm.train()")
    n_features = getattr(model, "n_features_in_", model.support_vectors_.shape[1])
    if n_features != 64:
        raise NotAnSVCError(
            f"{source} holds an SVC fitted on {n_features} features; an 8x8 digit model needs 64"
        )


def has_probabilities(model: Any) -> bool:
    """Whether a fitted SVC holds libsvm's pairwise Platt parameters, so it gives probabilities.

    A fitted `digits_svm.calibration.PlattSVC` (what the presets with probabilities build)
    does, and so does an ``SVC(probability=True)`` of an older scikit-learn. The latter is
    read from the fitted parameters, not from ``model.probability`` alone: from
    scikit-learn 1.9 on, that setting's default is the string ``"deprecated"``, which is true.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from digits_svm.data import load_digits_grids
    >>> X, y = load_digits_grids()
    >>> has_probabilities(SVC(gamma=0.001).fit(X[:100].reshape(100, 64), y[:100]))
    False
    """
    if isinstance(model, PlattSVC):
        return hasattr(model, "platt_a_")
    return getattr(model, "probability", False) is True and len(getattr(model, "_probA", ())) != 0


def platt_parameters(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """libsvm's ``probA`` and ``probB`` of a fitted SVC, one per class pair (empty without probabilities).

    A `digits_svm.calibration.PlattSVC`'s ``platt_a_``/``platt_b_``, or an
    ``SVC(probability=True)``'s ``probA_``/``probB_``, read under their stored names
    because scikit-learn 1.9 deprecates the public ones (a FutureWarning).
    """
    if not has_probabilities(model):
        return np.empty(0), np.empty(0)
    if isinstance(model, PlattSVC):
        return np.asarray(model.platt_a_, dtype=np.float64), np.asarray(model.platt_b_, dtype=np.float64)
    return np.asarray(model._probA, dtype=np.float64), np.asarray(model._probB, dtype=np.float64)


def _check_save_arguments(path: Any, params: Any, conversion: Any = None) -> None:
    """`save_pickle`'s and `save_joblib`'s arguments, checked before the model is serialised."""
    check_path(path, "path")
    check_instance(params, "params", (Mapping, type(None)), "a mapping (dict) of training parameters, or None")
    if conversion is not None and not _is_conversion(conversion):
        raise InvalidParameterError(
            f"conversion={type(conversion).__name__} is not allowed; use None or a dict with the keys "
            "'preprocessing' (a dict of str to str, or None) and 'metadata' (a dict of str to str)")


def _is_str_mapping(value: Any) -> bool:
    return isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _is_conversion(value: Any) -> bool:
    """Whether ``value`` is what `digits_svm.convert` needs besides the model: its two metadata mappings."""
    return (isinstance(value, Mapping) and set(value) == {"preprocessing", "metadata"}
            and (value["preprocessing"] is None or _is_str_mapping(value["preprocessing"]))
            and _is_str_mapping(value["metadata"]))


def recorded_conversion(path: str | os.PathLike) -> dict[str, Any] | None:
    """What `digits_svm.convert` was given when ``digits-svm train`` wrote the model file at ``path``.

    Read from the model file's sidecar (``"conversion"``): ``{"preprocessing": ...,
    "metadata": ...}``, the two mappings that make the ``.mlmodel`` train wrote; None when the
    sidecar is missing, unreadable or records none (a model saved without it).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.svm import SVC
    >>> from digits_svm.data import load_digits_grids
    >>> X, y = load_digits_grids()
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.pkl"
    >>> conversion = {"preprocessing": None, "metadata": {"training.preset": "example"}}
    >>> _ = save_pickle(SVC(gamma=0.001).fit(X[:100], y[:100]), path, conversion=conversion)
    >>> recorded_conversion(path)["metadata"]
    {'training.preset': 'example'}
    """
    check_path(path, "path")
    try:
        record = json.loads(read_bytes(sidecar_path(path)))
    except (OSError, ValueError, DigitsSVMError):
        return None
    conversion = record.get("conversion") if isinstance(record, dict) else None
    return dict(conversion) if conversion is not None and _is_conversion(conversion) else None


def _save(model: Any, path: str | os.PathLike, data: bytes, fmt: str, params: Mapping[str, Any] | None,
          conversion: Mapping[str, Any] | None = None, *, warning: str = _PICKLE_WARNING) -> Path:
    check_fitted_svc(model)
    path = Path(path)
    # Sidecar first: if the run stops in between, the stale model fails its hash check
    # instead of silently loading as the new one.
    atomic_write_json(
        sidecar_path(path),
        {
            "format": SIDECAR_FORMAT,
            "file": path.name,
            "serializer": fmt,
            "sha256": sha256_bytes(data),
            "size_bytes": len(data),
            "versions": library_versions(),
            "params": dict(params) if params is not None else model.get_params(),
            "classes": [c.item() if hasattr(c, "item") else c for c in model.classes_],
            "warning": warning,
            **({} if conversion is None else {"conversion": {
                "preprocessing": None if conversion["preprocessing"] is None else dict(conversion["preprocessing"]),
                "metadata": dict(conversion["metadata"])}}),
        },
    )
    return atomic_write_bytes(path, data)


def save_pickle(model: Any, path: str | os.PathLike, *, params: Mapping[str, Any] | None = None,
                conversion: Mapping[str, Any] | None = None) -> Path:
    """Pickle a fitted SVC with ``pickle.HIGHEST_PROTOCOL`` and write its sidecar.

    Both files are written atomically (temporary file, then rename).

    Parameters
    ----------
    model : sklearn.svm.SVC
        A fitted SVC on 64 features.
    path : str or PathLike
        Destination, conventionally ``artifacts/digits_svm.pkl``.
    params : mapping, optional
        Training parameters to record; defaults to ``model.get_params()``.
    conversion : mapping, optional
        What `digits_svm.convert` is given besides the model, recorded so that converting
        the file later writes the same ``.mlmodel`` (`recorded_conversion`):
        ``{"preprocessing": <dict of str or None>, "metadata": <dict of str>}``.

    Returns
    -------
    pathlib.Path
        The pickle's path. The sidecar is `sidecar_path` of it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.svm import SVC
    >>> from digits_svm.data import load_digits_grids
    >>> X, y = load_digits_grids()
    >>> X, y = X[:100], y[:100]
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.pkl"
    >>> save_pickle(SVC(gamma=0.001).fit(X, y), path).name
    'm.pkl'
    >>> load_pickle(path).predict(X[:3]).tolist()
    [0, 1, 2]
    """
    _check_save_arguments(path, params, conversion)
    data = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    return _save(model, path, data, "pickle", params, conversion)


def save_joblib(model: Any, path: str | os.PathLike, *, params: Mapping[str, Any] | None = None,
                conversion: Mapping[str, Any] | None = None) -> Path:
    """Save a fitted SVC with joblib (uncompressed) and write its sidecar; see `save_pickle`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.svm import SVC
    >>> from digits_svm.data import load_digits_grids
    >>> X, y = load_digits_grids()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> save_joblib(SVC(gamma=0.001).fit(X[:100], y[:100]), folder / "m.joblib").name
    'm.joblib'
    >>> sidecar_path(folder / "m.joblib").exists()
    True
    """
    _check_save_arguments(path, params, conversion)
    buf = io.BytesIO()
    joblib.dump(model, buf)
    return _save(model, path, buf.getvalue(), "joblib", params, conversion)


def _verified_bytes(path: Path, *, trusted: bool) -> bytes:
    data = read_bytes(path, what="model file", error=PickleIntegrityError)
    side = sidecar_path(path)
    if trusted and not side.exists():
        return data
    if not side.exists():
        raise PickleIntegrityError(
            f"{path} has no sidecar {side.name}, so its origin cannot be checked; "
            "re-save it with digits_svm.sharing.save_model, or pass trusted=True (CLI: --trust) if you trust it"
        )
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
        expected, versions = meta["sha256"], meta["versions"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PickleIntegrityError(f"sidecar {side} is unreadable or incomplete ({exc}); re-save the model") from exc
    actual = sha256_bytes(data)
    if actual != expected:
        raise PickleIntegrityError(
            f"{path} does not match its sidecar (sha256 {actual[:12]}… != {expected[:12]}…): "
            "the file changed after it was saved; retrain or restore it"
        )
    saved_with = versions.get("scikit-learn")
    if saved_with != sklearn.__version__:
        raise PickleIntegrityError(
            f"{path} was saved with scikit-learn {saved_with} but {sklearn.__version__} is installed; "
            f"install scikit-learn=={saved_with} or retrain with digits-svm train"
        )
    return data


def _load_verified(path: str | os.PathLike, trusted: bool, loads: Callable[[bytes], Any], what: str) -> Any:
    """Check the sidecar, deserialise with ``loads(bytes)``, and check the result is a fitted SVC."""
    path = Path(check_path(path, "path"))
    check_bool(trusted, "trusted")
    data = _verified_bytes(path, trusted=trusted)
    try:
        model = loads(data)
    except DigitsSVMError:  # ``loads`` refused the file itself (digits_svm.sharing: an untrusted type)
        raise
    except Exception as exc:  # any unpickling failure is a bad file, not a bug here
        raise PickleIntegrityError(f"{path} is not a readable {what} ({type(exc).__name__}); retrain or restore it") from exc
    check_fitted_svc(model, source=str(path))
    return model


def load_pickle(path: str | os.PathLike, *, trusted: bool = False) -> Any:
    """Load a pickled SVC after checking it against its sidecar.

    **Warning: unpickling runs code.** Load only files you trust. The sidecar check
    catches corruption and accidental substitution, not a deliberate attack.

    Parameters
    ----------
    path : str or PathLike
        A file written by `save_pickle`.
    trusted : bool, default False
        Load a pickle that has no sidecar (for example one from the scikit-learn
        tutorial). The hash and version checks still run when a sidecar exists.

    Returns
    -------
    sklearn.svm.SVC
        A model with probabilities is a `digits_svm.calibration.PlattSVC` (an SVC);
        an ``SVC(probability=True)`` pickled by an older digits_svm loads as it was.

    Raises
    ------
    InvalidParameterError
        ``path`` is not a path or ``trusted`` not a bool (checked before the file is read).
    PickleIntegrityError
        Missing file or sidecar, hash mismatch, different scikit-learn version, or bytes
        that do not unpickle.
    NotAnSVCError
        The file holds something other than a fitted SVC on 64 features.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.svm import SVC
    >>> from digits_svm.data import load_digits_grids
    >>> X, y = load_digits_grids()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = save_pickle(SVC(gamma=0.001).fit(X[:100], y[:100]), folder / "m.pkl")
    >>> load_pickle(path).predict(X[:3]).tolist()
    [0, 1, 2]
    >>> _ = path.write_bytes(path.read_bytes() + b"x")     # the file changed: refused
    >>> load_pickle(path)
    Traceback (most recent call last):
    ...
    digits_svm.errors.PickleIntegrityError: ...
    """
    return _load_verified(path, trusted, pickle.loads, "pickle")


def load_joblib(path: str | os.PathLike, *, trusted: bool = False) -> Any:
    """Load a joblib-saved SVC after checking its sidecar; see `load_pickle` (same warning).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.svm import SVC
    >>> from digits_svm.data import load_digits_grids
    >>> X, y = load_digits_grids()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = save_joblib(SVC(gamma=0.001).fit(X[:100], y[:100]), folder / "m.joblib")
    >>> load_joblib(path).predict(X[:3]).tolist()
    [0, 1, 2]
    """
    return _load_verified(path, trusted, lambda data: joblib.load(io.BytesIO(data)), "joblib file")


def load_estimator(path: str | os.PathLike, *, trusted: bool = False) -> Any:
    """Load a model saved by `save_pickle` or `save_joblib`, whichever its sidecar names.

    A skops file (a ``.skops`` name, or a sidecar that says skops) is refused, never
    unpickled: `digits_svm.sharing.load_model` reads all three formats.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.svm import SVC
    >>> from digits_svm.data import load_digits_grids
    >>> X, y = load_digits_grids()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = save_joblib(SVC(gamma=0.001).fit(X[:100], y[:100]), folder / "model.bin")
    >>> type(load_estimator(path)).__name__
    'SVC'
    """
    path = Path(check_path(path, "path"))
    check_bool(trusted, "trusted")
    side = sidecar_path(path)
    serializer = "pickle"
    if side.exists():
        try:
            serializer = json.loads(side.read_text(encoding="utf-8")).get("serializer", "pickle")
        except (OSError, ValueError, AttributeError):
            serializer = "pickle"  # _verified_bytes reports the broken sidecar
    elif path.suffix == ".joblib":
        serializer = "joblib"
    if serializer == "skops" or path.suffix.lower() == ".skops":  # as sharing.format_of reads names
        raise PickleIntegrityError(f"{path} is a skops file (its name or sidecar says so), not a pickle; "
                                   "load it under a .skops name with digits_svm.sharing.load_model")
    return (load_joblib if serializer == "joblib" else load_pickle)(path, trusted=trusted)

