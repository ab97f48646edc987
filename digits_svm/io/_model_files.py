"""Model files: `save_model` and `load_model`, choosing pickle, joblib or skops by the file's extension.

**A pickle (or joblib) file runs code when it is loaded**, so only load files you made
yourself or got from someone you trust. A skops file is a zip of JSON and NumPy arrays
that skops rebuilds object by object; it is read only if every type it names is in
`TRUSTED_TYPES` (what a fitted SVC needs), checked before anything is built, so it is the
format to share a model in.

Every save writes a JSON *sidecar* next to the model (``digits_svm.pkl`` ->
``digits_svm.pkl.json``) with the file's SHA-256, the library versions, the training
parameters and what `convert` was given. Loading checks the hash and the scikit-learn
version **before** the file is parsed and refuses a mismatch. The sidecar is not a
signature: anyone who can replace the model file can replace the sidecar too.

skops is imported the first time a skops file is saved or loaded (importing it lists every
scikit-learn estimator), so the rest of the library does not pay for it.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import math
import os
import pickle
import sys
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.svm import SVC

from .._files import atomic_write_bytes, atomic_write_json, read_bytes, sha256_bytes
from .._validation import check_bool, check_instance, check_path
from .._version import library_versions
from ..errors import DigitsSVMError, InvalidParameterError, PickleIntegrityError, UntrustedTypesError
from ..model._calibration import PlattSVC
from ..model._fitted import check_fitted_svc

__all__ = [
    "FORMATS", "TRUSTED_TYPES", "MAX_SKOPS_ENTRIES", "MAX_SKOPS_BYTES", "MAX_SKOPS_SCHEMA_BYTES",
    "save_model", "load_model", "format_of", "sidecar_path", "recorded_conversion",
]

SIDECAR_FORMAT = "digits_svm.sidecar/1"
_PICKLE_WARNING = "unpickling runs code: load only files you trust"



def sidecar_path(path: str | os.PathLike) -> Path:
    """The sidecar of a model file: the same name with ``.json`` appended.

    Examples
    --------
    >>> sidecar_path("artifacts/digits_svm.pkl").name
    'digits_svm.pkl.json'
    """
    path = Path(path)
    return path.with_name(path.name + ".json")



def _check_save_arguments(path: Any, params: Any, conversion: Any = None) -> None:
    """`save_model`'s arguments, checked before the model is serialised."""
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
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.pkl"
    >>> conversion = {"preprocessing": None, "metadata": {"training.preset": "example"}}
    >>> _ = save_model(svc, path, conversion=conversion)
    >>> recorded_conversion(path)["metadata"]
    {'training.preset': 'example'}
    """
    try:
        record = json.loads(read_bytes(sidecar_path(path)))
    except (OSError, ValueError, DigitsSVMError):
        return None
    conversion = record.get("conversion") if isinstance(record, dict) else None
    return dict(conversion) if conversion is not None and _is_conversion(conversion) else None


def _save(model: Any, path: Path, data: bytes, fmt: str, params: Mapping[str, Any] | None,
          conversion: Mapping[str, Any] | None) -> Path:
    """Write the sidecar, then the model file's bytes, each atomically."""
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
            "warning": _SKOPS_WARNING if fmt == "skops" else _PICKLE_WARNING,
            **({} if conversion is None else {"conversion": {
                "preprocessing": None if conversion["preprocessing"] is None else dict(conversion["preprocessing"]),
                "metadata": dict(conversion["metadata"])}}),
        },
    )
    return atomic_write_bytes(path, data)


def _pickle_dumps(model: Any, path: Path) -> bytes:
    return pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)


def _joblib_dumps(model: Any, path: Path) -> bytes:
    buf = io.BytesIO()
    joblib.dump(model, buf)
    return buf.getvalue()


def _skops_dumps(model: Any, path: Path) -> bytes:
    import skops.io

    data = skops.io.dumps(model)
    _check_types(data, f"not saved to {path}, as load_model would refuse it")
    return data


def save_model(model: Any, path: str | os.PathLike, *, params: Mapping[str, Any] | None = None,
               conversion: Mapping[str, Any] | None = None) -> Path:
    """Save a fitted SVC in the format its file name says (`format_of`), with its sidecar.

    ``.skops``: skops, the file to share (a model holding a type outside `TRUSTED_TYPES` is
    refused before anything is written); ``.joblib``: joblib, uncompressed; anything else:
    pickle, ``pickle.HIGHEST_PROTOCOL``. Both files are written atomically (temporary
    file, then rename).

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
        The model file's path. The sidecar is `sidecar_path` of it.

    Raises
    ------
    InvalidParameterError
        ``path``, ``params`` or ``conversion`` is not what is described above.
    NotAnSVCError
        ``model`` is not a fitted SVC on 64 features.
    UntrustedTypesError
        A ``.skops`` file would hold a type outside `TRUSTED_TYPES`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> [save_model(svc, folder / name).name for name in ("m.pkl", "m.joblib", "m.skops")]
    ['m.pkl', 'm.joblib', 'm.skops']
    >>> sidecar_path(folder / "m.skops").exists()
    True
    """
    _check_save_arguments(path, params, conversion)
    check_fitted_svc(model)
    fmt = format_of(path)
    path = Path(path)
    dumps = {"pickle": _pickle_dumps, "joblib": _joblib_dumps, "skops": _skops_dumps}[fmt]
    return _save(model, path, dumps(model, path), fmt, params, conversion)


def _verified_bytes(path: Path, *, trusted: bool) -> bytes:
    data = read_bytes(path, what="model file", error=PickleIntegrityError)
    side = sidecar_path(path)
    if trusted and not side.exists():
        return data
    if not side.exists():
        raise PickleIntegrityError(
            f"{path} has no sidecar {side.name}, so its origin cannot be checked; "
            "re-save it with digits_svm.io.save_model, or pass trusted=True (CLI: --trust) if you trust it"
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


#: The types a skops file may name, by dotted name: what skops writes for an SVC fitted by
#: scikit-learn 1.5.1 and 1.9.1 with skops 0.16.0 (with and without probabilities, class
#: weights, a RandomState, string labels), and digits_svm's own SVC subclass. A file that
#: names any other type (a Pipeline, a function, a class of someone else's) is refused.
TRUSTED_TYPES = (
    "sklearn.svm._classes.SVC",
    "digits_svm.model.PlattSVC",
    "digits_svm.calibration.PlattSVC",  # as digits_svm 0.1.0 named it
    "numpy.ndarray",
    "numpy.float64",
    "numpy.random.mtrand.RandomState",
    "builtins.dict",
    "builtins.list",
    "builtins.tuple",
    "builtins.str",
    "builtins.int",
)

#: Modules that digits_svm 0.1.0 wrote into model files, and where their classes are now.
_EARLIER_MODULES = {"digits_svm.calibration": "digits_svm.model"}

#: The file formats of a fitted model and the extension each is saved under.
FORMATS = {"pickle": ".pkl", "joblib": ".joblib", "skops": ".skops"}

_SKOPS_WARNING = "skops: loads only the types in digits_svm.io.TRUSTED_TYPES"

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
    suffix = Path(path).suffix.lower()
    return {extension: name for name, extension in FORMATS.items()}.get(suffix, "pickle")


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
            "schema); nothing in it was read: ask its sender for the model saved by digits_svm.save_model under a .skops name")


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
            "saved with digits_svm.save_model under a .skops name (the types it may hold: digits_svm.io.TRUSTED_TYPES)"
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


def _skops_loads(data: bytes, path: Path) -> Any:
    """A skops file's model: built only from trusted types, then its fitted state checked."""
    import skops.io

    model = skops.io.loads(data, trusted=_check_types(data, f"{path} was refused before anything in it was built"))
    _check_svc_state(model, str(path))
    return model


def _serializer(path: Path) -> str:
    """The format to read ``path`` in: skops by its extension alone, else what its sidecar names."""
    if format_of(path) == "skops":
        return "skops"
    side = sidecar_path(path)
    serializer = "joblib" if path.suffix == ".joblib" else "pickle"
    if side.exists():
        try:
            serializer = json.loads(side.read_text(encoding="utf-8")).get("serializer", "pickle")
        except (OSError, ValueError, AttributeError):
            serializer = "pickle"  # _verified_bytes reports the broken sidecar
    if serializer == "skops":
        raise PickleIntegrityError(f"{path} is a skops file (its sidecar says so), not a pickle; "
                                   "load it under a .skops name with digits_svm.io.load_model")
    return "joblib" if serializer == "joblib" else "pickle"


@contextlib.contextmanager
def _earlier_module_names() -> Iterator[None]:
    """Let files saved by digits_svm 0.1.0 find the classes they name under their old modules."""
    added = [name for name in _EARLIER_MODULES if name not in sys.modules]
    for name in added:
        sys.modules[name] = importlib.import_module(_EARLIER_MODULES[name])
    try:
        yield
    finally:
        for name in added:
            del sys.modules[name]


def load_model(path: str | os.PathLike, *, trusted: bool = False) -> Any:
    """Load a model saved by `save_model`, after checking it against its sidecar.

    Order: the file's SHA-256 against its sidecar, and the scikit-learn version, before the
    file is parsed; then the file, read as its extension says: a ``.skops`` file is never
    unpickled, whatever its sidecar says, and is built only if every type it names is in
    `TRUSTED_TYPES` and the fitted arrays have the dtypes, shapes and counts a fit leaves;
    any other file is a pickle or a joblib file, as its sidecar names. Last, the model must
    be a fitted SVC on 64 features.

    **Unpickling runs whatever code the file holds**, and a sidecar that matches proves
    nothing against someone who wrote both: load pickles only of your own making, and take
    a model you received as a ``.skops`` file.

    Parameters
    ----------
    path : str or PathLike
        A file written by `save_model`.
    trusted : bool, default False
        Load a file that has no sidecar (for example a pickle from the scikit-learn
        tutorial). The hash and version checks still run when a sidecar exists, and a
        skops file's types are checked all the same.

    Returns
    -------
    sklearn.svm.SVC
        A model with probabilities is a `digits_svm.model.PlattSVC` (an SVC); an
        ``SVC(probability=True)`` pickled by an older digits_svm loads as it was.

    Raises
    ------
    InvalidParameterError
        ``path`` is not a path or ``trusted`` not a bool (checked before the file is read).
    PickleIntegrityError
        Missing file or sidecar, hash mismatch, different scikit-learn version, bytes that
        do not load, or a skops SVC whose fitted arrays or settings no fit leaves.
    UntrustedTypesError
        A skops file names a type outside `TRUSTED_TYPES` (nothing was built).
    NotAnSVCError
        The file holds something other than a fitted SVC on 64 features.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> [load_model(save_model(svc, folder / name)).predict(X[:3]).tolist() for name in ("m.skops", "m.pkl")]
    [[0, 1, 2], [0, 1, 2]]
    >>> path = folder / "m.pkl"
    >>> _ = path.write_bytes(path.read_bytes() + b"x")     # the file changed: refused
    >>> load_model(path)
    Traceback (most recent call last):
    ...
    digits_svm.errors.PickleIntegrityError: ...
    """
    path = Path(check_path(path, "path"))
    check_bool(trusted, "trusted")
    fmt = _serializer(path)
    data = _verified_bytes(path, trusted=trusted)
    what = {"pickle": "pickle", "joblib": "joblib file", "skops": "skops file"}[fmt]
    try:
        with _earlier_module_names():
            if fmt == "skops":
                model = _skops_loads(data, path)
            elif fmt == "joblib":
                model = joblib.load(io.BytesIO(data))
            else:
                model = pickle.loads(data)
    except DigitsSVMError:  # the file was refused on what it names (an untrusted type)
        raise
    except Exception as exc:  # any failure to deserialise is a bad file, not a bug here
        raise PickleIntegrityError(f"{path} is not a readable {what} ({type(exc).__name__}); retrain or restore it") from exc
    check_fitted_svc(model, source=str(path))
    return model
