"""digits_svm: a handwritten-digit SVM from training to an iPhone, offline.

The public API is re-exported here; see the README for a tour.
"""

from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all
from .data import canonical_split, load_grids
from .grids import check_grids

__version__ = "0.1.0"

__all__ = [*_errors_all, "canonical_split", "load_grids", "check_grids", "__version__"]
