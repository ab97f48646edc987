"""A model file safe to share: skops, which loads only trusted types, and the save/load pair that picks a format.

A pickle (or joblib) file runs code when it is loaded (`digits_svm.persist`). A skops file
is a zip of JSON and NumPy arrays that skops rebuilds object by object; `load_skops` reads
the names of every type the file holds **before** anything is built, and refuses the file
if one is outside `TRUSTED_TYPES` (what a fitted SVC needs). It has the same sidecar as a
pickle: the SHA-256, checked before the file is parsed, the library versions (a different
scikit-learn is refused), the training parameters. `save_model` and `load_model` choose the
format by the file's extension: ``.skops``, ``.joblib``, anything else a pickle.

skops is imported the first time a skops file is saved or loaded (importing it takes about a
second: it lists every scikit-learn estimator), so the rest of the library does not pay for it.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.svm import SVC

from .calibration import PlattSVC
from .errors import PickleIntegrityError, UntrustedTypesError
from .persist import (
    _check_save_arguments,
    _load_verified,
    _save,
    check_fitted_svc,
    load_estimator,
    save_joblib,
    save_pickle,
)
from .validation import check_bool, check_path

__all__ = ["TRUSTED_TYPES", "FORMATS", "MAX_SKOPS_ENTRIES", "MAX_SKOPS_BYTES", "MAX_SKOPS_SCHEMA_BYTES", "format_of",
           "save_skops", "load_skops", "save_model", "load_model"]

#: The types a skops file may name, by dotted name: what skops writes for an SVC fitted by
#: scikit-learn 1.5.1 and 1.9.1 with skops 0.16.0 (with and without probabilities, class
#: weights, a RandomState, string labels), and digits_svm's own SVC subclass. A file that
#: names any other type (a Pipeline, a function, a class of someone else's) is refused.
TRUSTED_TYPES = (
    "sklearn.svm._classes.SVC",
    "digits_svm.calibration.PlattSVC",
    "numpy.ndarray",
    "numpy.float64",
    "numpy.random.mtrand.RandomState",
    "builtins.dict",
    "builtins.list",
    "builtins.tuple",
    "builtins.str",
    "builtins.int",
)

#: The file formats of a fitted model and the extension each is saved under.
FORMATS = {"pickle": ".pkl", "joblib": ".joblib", "skops": ".skops"}

_SKOPS_WARNING = "skops: loads only the types in digits_svm.sharing.TRUSTED_TYPES"

#: The most a skops file may hold before anything in it is read: entries, bytes unpacked,
#: and bytes of its ``schema.json``. A fitted SVC's file is about 15 entries and a 15 KB
#: schema, and 590 bytes unpacked per support vector (the app preset's: 5.4 MB); a model
#: of 300,000 support vectors stays under these.
MAX_SKOPS_ENTRIES = 1_000
MAX_SKOPS_BYTES = 200_000_000
MAX_SKOPS_SCHEMA_BYTES = 10_000_000


def format_of(path: str | os.PathLike) -> str:
    """The format a model file is saved and loaded in, by its extension: a key of `FORMATS`.

    Examples
    --------
    >>> format_of("m.skops"), format_of("m.joblib"), format_of("m.pkl"), format_of("model.bin")
    ('skops', 'joblib', 'pickle', 'pickle')
    """
    suffix = Path(check_path(path, "path")).suffix.lower()
    return {extension: name for name, extension in FORMATS.items()}.get(suffix, "pickle")


def save_skops(model: Any, path: str | os.PathLike, *, params: Mapping[str, Any] | None = None,
               conversion: Mapping[str, Any] | None = None) -> Path:
    """Save a fitted SVC as skops and write its sidecar; see `digits_svm.save_pickle`.

    Both files are written atomically. A model that `load_skops` would refuse (one holding a
    type outside `TRUSTED_TYPES`) is refused here, before anything is written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.svm import SVC
    >>> from digits_svm.data import load_digits_grids
    >>> X, y = load_digits_grids()
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.skops"
    >>> save_skops(SVC(gamma=0.001).fit(X[:100], y[:100]), path).name
    'm.skops'
    >>> load_skops(path).predict(X[:3]).tolist()
    [0, 1, 2]
    """
    _check_save_arguments(path, params, conversion)
    check_fitted_svc(model)
    import skops.io

    data = skops.io.dumps(model)
    _check_types(data, f"not saved to {path}, as load_skops would refuse it")
    return _save(model, path, data, "skops", params, conversion, warning=_SKOPS_WARNING)


def _check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse a zip whose entries would take more memory than a fitted SVC's file (a zip bomb), before reading any.

    Counts and sizes come from the zip's directory; each entry's own header is checked
    against them when it is read (`zipfile` stops at the declared size).
    """
    entries = archive.infolist()
    unpacked = sum(info.file_size for info in entries)
    schema = next((info.file_size for info in entries if info.filename == "schema.json"), 0)
    if len(entries) > MAX_SKOPS_ENTRIES or unpacked > MAX_SKOPS_BYTES or schema > MAX_SKOPS_SCHEMA_BYTES:
        raise PickleIntegrityError(
            f"the skops file holds {len(entries):,} entries, {unpacked:,} bytes unpacked and a {schema:,}-byte schema, more "
            f"than a model's file ({MAX_SKOPS_ENTRIES:,} entries, {MAX_SKOPS_BYTES:,} bytes, a {MAX_SKOPS_SCHEMA_BYTES:,}-byte "
            "schema); nothing in it was read: ask its sender for the model saved by digits_svm.sharing.save_skops")


def _types_named(data: bytes) -> set[str]:
    """Every type a skops file names, read from its ``schema.json`` without building anything."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        _check_archive(archive)
        schema = json.loads(archive.read("schema.json"))
    found, todo = set(), [schema]
    while todo:  # a loop, not recursion: a crafted file may nest deeply
        node = todo.pop()
        if isinstance(node, dict):
            if "__module__" in node or "__class__" in node:
                found.add(f"{node.get('__module__')}.{node.get('__class__')}")
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return found


def _check_types(data: bytes, refused: str) -> list[str]:
    """Raise `UntrustedTypesError` (``refused`` begins its message) unless every type is in `TRUSTED_TYPES`.

    Two readings, both before anything is built: every type ``schema.json`` names (so a
    scikit-learn type skops trusts by default, a Pipeline say, is refused too), then skops'
    own audit (which also names methods and functions). Returns skops' list, for its loader.
    """
    import skops.io

    untrusted = sorted(_types_named(data) - set(TRUSTED_TYPES))
    audited: list[str] = []
    if not untrusted:
        audited = sorted(skops.io.get_untrusted_types(data=data))
        untrusted = [name for name in audited if name not in TRUSTED_TYPES]
    if untrusted:
        shown = ", ".join(repr(name[:80]) for name in untrusted[:5])
        more = f" and {len(untrusted) - 5} more" if len(untrusted) > 5 else ""
        raise UntrustedTypesError(
            f"{refused}: it holds types digits_svm does not trust ({shown}{more}); a model to share is a fitted SVC "
            "saved with digits_svm.sharing.save_skops (the types it may hold: digits_svm.sharing.TRUSTED_TYPES)"
        )
    return audited


def _is_array(value: Any, dtype: type, shape: tuple[int, ...]) -> bool:
    return isinstance(value, np.ndarray) and value.dtype == dtype and value.shape == shape and value.flags.c_contiguous


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_svc_state(model: Any, source: str) -> None:
    """Raise `PickleIntegrityError` if a loaded SVC's fitted state is not one a fit leaves.

    The types being trusted does not make the values so: a forged file can hold a support
    vector count that does not match the support vectors, which libsvm's C code would read
    past. So the arrays libsvm and `digits_svm.convert` read are checked (type, dtype,
    shape, counts), and the settings they use, before the model is handed out.
    """
    if not (isinstance(model, SVC) and hasattr(model, "support_vectors_")):
        return  # check_fitted_svc says what it is instead
    classes, sv = getattr(model, "classes_", None), model.support_vectors_
    n_class = len(classes) if isinstance(classes, np.ndarray) and classes.ndim == 1 and len(classes) >= 2 else -1
    n_sv = sv.shape[0] if isinstance(sv, np.ndarray) and sv.ndim == 2 else -1
    n_pairs = n_class * (n_class - 1) // 2
    arrays = {"support_vectors_": (np.float64, (n_sv, 64)), "support_": (np.int32, (n_sv,)),
              "_n_support": (np.int32, (n_class,)), "_dual_coef_": (np.float64, (n_class - 1, n_sv)),
              "dual_coef_": (np.float64, (n_class - 1, n_sv)), "_intercept_": (np.float64, (n_pairs,)),
              "intercept_": (np.float64, (n_pairs,))}
    problems = ["classes_"] if n_class < 0 else []
    problems += [name for name, (dtype, shape) in arrays.items() if not _is_array(getattr(model, name, None), dtype, shape)]
    problems += [name for name in ("_probA", "_probB") if not any(
        _is_array(getattr(model, name, None), np.float64, (n,)) for n in (0, n_pairs))]
    if isinstance(model, PlattSVC):  # its own Platt parameters, one pair per class pair
        problems += [name for name in ("platt_a_", "platt_b_")
                     if not _is_array(getattr(model, name, None), np.float64, (n_pairs,))]
    if not problems and ((model._n_support < 0).any() or int(model._n_support.sum()) != n_sv):
        problems.append("_n_support (the support vectors per class)")
    settings = vars(model)
    checks = {"kernel": settings.get("kernel") in ("linear", "poly", "rbf", "sigmoid"),
              "_gamma": _is_number(settings.get("_gamma")), "coef0": _is_number(settings.get("coef0")),
              "degree": _is_number(settings.get("degree")) and settings["degree"] >= 0,
              "_sparse": settings.get("_sparse") is False, "_impl": "_impl" not in settings,
              "decision_function_shape": settings.get("decision_function_shape") in ("ovr", "ovo"),
              "break_ties": settings.get("break_ties") in (True, False),
              "probability": settings.get("probability") in (True, False, "deprecated"),
              "cache_size": _is_number(settings.get("cache_size")) and settings["cache_size"] > 0,
              "n_features_in_": type(settings.get("n_features_in_", 64)) is int}
    problems += [name for name, ok in checks.items() if not ok]
    if problems:
        raise PickleIntegrityError(
            f"{source} holds an SVC whose fitted state no fit leaves ({', '.join(problems)}), "
            "so it was not used: the file was forged or broken; retrain or restore it"
        )


def load_skops(path: str | os.PathLike, *, trusted: bool = False) -> Any:
    """Load a skops-saved SVC: sidecar hash, then the types it names, then the model.

    Order: the file's SHA-256 against its sidecar (and the scikit-learn version), before the
    file is parsed; then the names of every type it holds, each of which must be in
    `TRUSTED_TYPES`, before any object is built; then the model, which must be a fitted SVC
    on 64 features whose arrays have the dtypes, shapes and counts a fit leaves (a forged
    file could otherwise make libsvm read past them).

    Parameters
    ----------
    path : str or PathLike
        A file written by `save_skops`.
    trusted : bool, default False
        Load a file that has no sidecar (as `digits_svm.load_pickle` does). The types are
        checked all the same: ``trusted`` never lets an untrusted type through.

    Returns
    -------
    sklearn.svm.SVC

    Raises
    ------
    InvalidParameterError
        ``path`` is not a path or ``trusted`` not a bool (checked before the file is read).
    PickleIntegrityError
        Missing file or sidecar, hash mismatch, different scikit-learn version, bytes
        that are not a skops file (not a zip, truncated, no schema), or an SVC whose fitted
        arrays or settings no fit leaves.
    UntrustedTypesError
        The file names a type outside `TRUSTED_TYPES` (nothing was built).
    NotAnSVCError
        The file holds something other than a fitted SVC on 64 features.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.svm import SVC
    >>> from digits_svm.data import load_digits_grids
    >>> X, y = load_digits_grids()
    >>> path = save_skops(SVC(gamma=0.001).fit(X[:100], y[:100]), pathlib.Path(tempfile.mkdtemp()) / "m.skops")
    >>> _ = path.write_bytes(path.read_bytes() + b"x")     # the file changed: refused
    >>> load_skops(path)
    Traceback (most recent call last):
    ...
    digits_svm.errors.PickleIntegrityError: ...
    """
    path = Path(check_path(path, "path"))
    check_bool(trusted, "trusted")

    def loads(data: bytes) -> Any:
        import skops.io

        model = skops.io.loads(data, trusted=_check_types(data, f"{path} was refused before anything in it was built"))
        _check_svc_state(model, str(path))
        return model

    return _load_verified(path, trusted, loads, "skops file")


def save_model(model: Any, path: str | os.PathLike, *, params: Mapping[str, Any] | None = None,
               conversion: Mapping[str, Any] | None = None) -> Path:
    """Save a fitted SVC in the format its file name says (`format_of`), with its sidecar.

    ``.skops``: `save_skops`, the file to share; ``.joblib``: `digits_svm.persist.save_joblib`;
    anything else: `digits_svm.save_pickle` (which says what ``params`` and ``conversion`` record).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.svm import SVC
    >>> from digits_svm.data import load_digits_grids
    >>> X, y = load_digits_grids()
    >>> path = save_model(SVC(gamma=0.001).fit(X[:100], y[:100]), pathlib.Path(tempfile.mkdtemp()) / "m.skops")
    >>> type(load_model(path)).__name__
    'SVC'
    """
    save = {"skops": save_skops, "joblib": save_joblib, "pickle": save_pickle}[format_of(path)]
    return save(model, path, params=params, conversion=conversion)


def load_model(path: str | os.PathLike, *, trusted: bool = False) -> Any:
    """Load a model saved by `save_model`: a ``.skops`` file by `load_skops`, any other by its sidecar.

    The extension alone decides that a file is skops, so a ``.skops`` file is never
    unpickled, whatever its sidecar says. Any other file is read by
    `digits_svm.persist.load_estimator` (pickle or joblib, as its sidecar names).
    **Unpickling runs whatever code the file holds**, and a sidecar that matches proves
    nothing against someone who wrote both: load pickles only of your own making, and take
    a model you received as a ``.skops`` file. ``trusted``: load a file that has no sidecar.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.svm import SVC
    >>> from digits_svm.data import load_digits_grids
    >>> X, y = load_digits_grids()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> model = SVC(gamma=0.001).fit(X[:100], y[:100])
    >>> [type(load_model(save_model(model, folder / name))).__name__ for name in ("m.skops", "m.pkl")]
    ['SVC', 'SVC']
    """
    check_bool(trusted, "trusted")
    load = load_skops if format_of(path) == "skops" else load_estimator
    return load(path, trusted=trusted)
