"""The package's version, and the versions of the libraries that shape its files."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

import joblib
import numpy as np
import sklearn

__all__ = ["__version__", "library_versions"]

__version__ = "0.1.0"


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
