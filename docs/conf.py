"""Sphinx configuration: the API reference from the docstrings (numpydoc), the guides in Markdown (MyST).

Build: ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (warnings are errors).
Each page of ``reference/`` is one public face: ``automodule`` with ``:members:`` documents
exactly the module's ``__all__``, in that order, and the build checks that it did.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path
from typing import Any

from docutils.statemachine import StringList
from sphinx.ext.autosummary import Autosummary
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import digits_svm  # noqa: E402

project = "digits_svm"
author = "digits_svm contributors"
release = version = digits_svm.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
    "sphinxarg.ext",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
# `name` in a docstring links to the object when Sphinx knows it, else shows as code.
default_role = "py:obj"

# autodoc: a module's members are exactly its __all__, in that order.
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # numpydoc's Parameters and Returns sections give the types
autosummary_generate = False

# numpydoc: a class's members are documented by autodoc, not listed again in a table.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# MyST: links to the guides' headings (model.md#choosing-the-threshold).
myst_heading_anchors = 3

html_theme = "alabaster"
html_title = f"digits_svm {release}"

#: The modules with a reference page of their own, each documenting its ``__all__``.
FACES = [f"digits_svm.{name}" for name in digits_svm.SUBMODULES]

LOG = logging.getLogger(__name__)


def _is_constant(value: Any) -> bool:
    return not (inspect.isclass(value) or inspect.isroutine(value) or inspect.ismodule(value))


def _constant_comments() -> dict[tuple[str, int], list[str]]:
    """The ``#:`` comment of each module-level constant of the package, by name and value."""
    comments: dict[tuple[str, int], list[str]] = {}
    for info in pkgutil.walk_packages(digits_svm.__path__, "digits_svm."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for (namespace, name), lines in ModuleAnalyzer.for_module(info.name).find_attr_docs().items():
            if namespace == "" and hasattr(module, name):
                comments.setdefault((name, id(getattr(module, name))), list(lines))
    return comments


def _document_reexported_constants() -> None:
    """Let autodoc document the constants a face re-exports, with the comment written where each is defined.

    autodoc documents a module's data only when the module's own source comments it (``#:``);
    a face imports its constants from private modules, so their comments are handed over here.
    """
    comments = _constant_comments()
    for face in ["digits_svm", *FACES]:
        module = importlib.import_module(face)
        analyzer = ModuleAnalyzer.for_module(face)
        analyzer.analyze()
        for name in module.__all__:
            value = getattr(module, name)
            if _is_constant(value) and ("", name) not in analyzer.attr_docs:
                analyzer.attr_docs["", name] = comments.get((name, id(value)), [])


def _home(name: str) -> str:
    """Where the reference documents ``digits_svm.<name>``: the first face that exports it."""
    value = getattr(digits_svm, name)
    for face in FACES:
        module = importlib.import_module(face)
        if name in module.__all__ and getattr(module, name) is value:
            return f"{face}.{name}"
    return f"digits_svm.{name}"


class Exports(Autosummary):
    """``.. exports:: digits_svm``: a table of the package's ``__all__``, each name linked to its face's page."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[Any]:
        module = importlib.import_module(self.arguments[0])
        # Relative to the page's module (the automodule above it), as autosummary asks.
        names = [f"~{_home(name).removeprefix(module.__name__ + '.')}" for name in module.__all__]
        self.content = StringList(names, source=self.arguments[0])
        return super().run()


def _constant_without_comment(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """A public constant says what it is in a ``#:`` comment; its type's docstring (str's, int's) is no substitute."""
    if what != "data":
        return
    doc = type(obj).__doc__
    type_doc = inspect.cleandoc(doc if isinstance(doc, str) else "").splitlines()[:1]
    if ([line for line in lines if line.strip()][:1] or type_doc) == type_doc:
        LOG.warning("%s has no #: comment where it is defined, saying what it is", name)
        lines[:] = []


def _skip_foreign_members(app: Any, what: str, name: str, obj: Any, skip: bool, options: Any) -> bool | None:
    """A class's members that scikit-learn defines (``set_fit_request``) are scikit-learn's to document."""
    if what in {"class", "exception"} and callable(obj):
        module = getattr(obj, "__module__", None) or ""
        if module and not module.startswith("digits_svm"):
            return True
    return None


def _check_every_export_is_documented(app: Any, env: Any) -> None:
    """Each face's page documents every name of its ``__all__`` (a warning, so an error under -W)."""
    objects = env.get_domain("py").objects
    for face in FACES:
        for name in importlib.import_module(face).__all__:
            if f"{face}.{name}" not in objects:
                LOG.warning("the API reference does not document %s.%s (in its __all__)", face, name)
    for name in digits_svm.__all__:
        if _home(name) not in objects:
            LOG.warning("the API reference does not document digits_svm.%s (in its __all__)", name)


def setup(app: Any) -> None:
    _document_reexported_constants()
    app.add_directive("exports", Exports)
    app.connect("autodoc-process-docstring", _constant_without_comment, priority=400)  # before numpydoc's
    app.connect("autodoc-skip-member", _skip_foreign_members)
    app.connect("env-check-consistency", _check_every_export_is_documented)
