"""One exception family for every mistake a user can make.

Each error carries a one-line message that states the cause and the remedy. The CLI
prints that line on stderr and exits with status 2; anything that is not a
``DigitsSVMError`` is a bug and stays a traceback.
"""

from __future__ import annotations

__all__ = [
    "DigitsSVMError",
    "InvalidParameterError",
    "InvalidGridError",
    "ImageError",
    "EmptyDrawingError",
    "StrokesError",
    "ModelFileError",
    "PickleIntegrityError",
    "UntrustedTypesError",
    "NotAnSVCError",
    "ArtifactWriteError",
    "OutputBusyError",
    "ConversionError",
    "VerificationError",
    "SamplesError",
    "NoProbabilitiesError",
    "MemoryFileError",
]


class DigitsSVMError(Exception):
    """Base class: a user mistake with a one-line cause and remedy."""


class InvalidParameterError(DigitsSVMError, ValueError):
    """An argument of a public function is out of range or not one of the allowed choices.

    The message names the argument, what was given and what is allowed
    (`digits_svm._validation` raises it).
    """


class InvalidGridError(DigitsSVMError, ValueError):
    """An 8x8 grid has the wrong shape, a non-finite value, or a value outside 0..16."""


class ImageError(DigitsSVMError, ValueError):
    """An image cannot be read, is not an image, or is too large to decode safely."""


class EmptyDrawingError(DigitsSVMError, ValueError):
    """A drawing or crop has no ink at all, so there is nothing to recognise."""


class StrokesError(DigitsSVMError, ValueError):
    """Strokes are malformed: not a list of point lists, non-finite, or too many points."""


class ModelFileError(DigitsSVMError, ValueError):
    """A ``.mlmodel`` file is missing, empty, corrupt, or not a supported SVM classifier."""


class PickleIntegrityError(DigitsSVMError):
    """A saved model (pickle, joblib or skops) is unreadable or does not match its sidecar."""


class UntrustedTypesError(PickleIntegrityError):
    """A skops file names a type outside `digits_svm.io.TRUSTED_TYPES`, so it is not loaded."""


class NotAnSVCError(DigitsSVMError, TypeError):
    """An object is not a fitted scikit-learn ``SVC``."""


class ArtifactWriteError(DigitsSVMError, OSError):
    """An artifact cannot be written (directory missing, read-only, or disk full)."""


class OutputBusyError(ArtifactWriteError):
    """Another training run is writing the same output folder, so this one is refused."""


class ConversionError(DigitsSVMError):
    """Conversion to Core ML is impossible in this environment or for this model."""


class VerificationError(DigitsSVMError):
    """The ``.mlmodel`` and the pickle disagree on at least one prediction."""


class SamplesError(DigitsSVMError, ValueError):
    """A folder of labelled samples has no usable sample."""


class NoProbabilitiesError(DigitsSVMError, ValueError):
    """A model gives no class probabilities, so it cannot say how sure it is."""


class MemoryFileError(DigitsSVMError, ValueError):
    """A personal memory's file is missing, not JSON, or not a memory digits_svm reads."""
