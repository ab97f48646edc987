"""The public API: a narrow front door, submodules that no name hides, and docs that match the code."""

import importlib
import inspect
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import digits_svm

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(m.name for m in pkgutil.iter_modules(digits_svm.__path__) if not m.name.startswith("_"))
FRONT_DOOR = [  # the functions and classes of the front door, not the errors
    name for name, obj in ((n, getattr(digits_svm, n)) for n in digits_svm.__all__)
    if inspect.isfunction(obj) or (inspect.isclass(obj) and not issubclass(obj, Exception))
]


def _exports(module: str) -> list[str]:
    return list(importlib.import_module(f"digits_svm.{module}").__all__)


def test_every_submodule_is_listed_and_is_the_attribute_of_its_name():
    assert sorted(digits_svm.SUBMODULES) == MODULES
    for name in MODULES:
        assert getattr(digits_svm, name) is sys.modules[f"digits_svm.{name}"], name
        assert inspect.ismodule(getattr(digits_svm, name)), name


def test_no_exported_name_shares_a_module_name():
    """digits_svm.train is the function, digits_svm.model._training its module (scikit-learn's way)."""
    clashes = [(m, n) for m in ["", *MODULES] for n in (_exports(m) if m else digits_svm.__all__) if n in MODULES]
    assert clashes == []
    assert callable(digits_svm.train) and digits_svm.model._training.train is digits_svm.train
    assert digits_svm.drawing._preprocessing.preprocess is digits_svm.preprocess


def test_the_front_door_is_narrow_and_every_module_says_what_it_exports():
    assert len(digits_svm.__all__) <= 20
    for name in digits_svm.__all__:
        assert hasattr(digits_svm, name), name
    for module in MODULES:
        names = _exports(module)
        mod = importlib.import_module(f"digits_svm.{module}")
        assert len(names) == len(set(names)), module
        assert all(hasattr(mod, n) for n in names), module


def test_unknown_attributes_are_attribute_errors():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        digits_svm.nope  # noqa: B018


def _reference_pages() -> dict[str, str]:
    """The module each page of docs/reference/ documents (its automodule), with the page's text."""
    pages: dict[str, str] = {}
    for page in sorted((ROOT / "docs" / "reference").glob("*.rst")):
        text = page.read_text(encoding="utf-8")
        for module in re.findall(r"^\.\. automodule:: (\S+)$", text, re.M):
            assert module not in pages, f"{module} has two reference pages"
            pages[module] = text
    return pages


def test_every_public_face_has_a_reference_page_that_documents_its_all():
    """A page per face whose automodule documents its __all__ (docs/conf.py checks the build did)."""
    pages = _reference_pages()
    assert sorted(pages) == sorted(["digits_svm", *(f"digits_svm.{m}" for m in MODULES)])
    toctree = (ROOT / "docs" / "reference" / "index.rst").read_text(encoding="utf-8")
    for module, text in pages.items():
        page = "digits_svm" if module == "digits_svm" else module.removeprefix("digits_svm.")
        assert re.search(rf"^   {page}$", toctree, re.M), f"docs/reference/index.rst does not list {page}"
        if module == "digits_svm":  # a table of its __all__, each name linked to its face's entry
            assert re.search(r"^\.\. exports:: digits_svm$", text, re.M), module
        else:  # :members: with no names after it documents exactly __all__
            assert re.search(rf"^\.\. automodule:: {re.escape(module)}\n   :members:\n", text, re.M), module
        assert not re.search(r":(exclude-members|no-index|ignore-module-all|imported-members):", text), module


@pytest.mark.slow
def test_the_docs_build_without_a_warning(tmp_path):
    """What CI runs (.ci/run): the reference and the guides, warnings as errors."""
    for name in ("sphinx", "numpydoc", "myst_parser", "sphinxarg"):
        pytest.importorskip(name, reason="the docs extra is not installed (pip install -e '.[docs]')")
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "-d", str(tmp_path / "doctrees"),
         str(ROOT / "docs"), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "html" / "reference" / "coreml.html").is_file()


def _docs_text() -> list[tuple[str, str]]:
    texts = [("README.md", (ROOT / "README.md").read_text(encoding="utf-8"))]
    texts += [(f"docs/{p.name}", p.read_text(encoding="utf-8")) for p in sorted((ROOT / "docs").glob("*.md"))]
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        texts.append((f"notebooks/{nb.name}", "\n".join("".join(c["source"]) for c in cells)))
    return texts


def _dotted_names() -> list[tuple[str, str]]:
    names = []
    for where, text in _docs_text():
        text = re.sub(r"digits_svm\.(?:pkl|joblib|skops)(\.json)?", "", text)  # a model file's name, not a Python name
        names += [(where, m) for m in sorted(set(re.findall(r"\bdigits_svm(?:\.[A-Za-z_]\w*)+", text)))]
    return names


def test_the_docs_mention_many_dotted_names():
    assert len(_dotted_names()) > 30  # the collection itself works


@pytest.mark.parametrize("where, name", _dotted_names())
def test_every_dotted_name_in_the_docs_resolves(where, name):
    obj = digits_svm
    for part in name.split(".")[1:]:
        assert hasattr(obj, part), f"{where}: {name} does not resolve (no {part!r})"
        obj = getattr(obj, part)


def _names_used(text: str) -> set[str]:
    return set(re.findall(r"\bdigits_svm\.(\w+)", text)) | {
        n.strip() for group in re.findall(r"from digits_svm import ([\w, ]+)", text) for n in group.split(",")}


def test_readme_and_notebook_use_only_documented_names():
    documented = {*digits_svm.__all__, *MODULES, "__version__"}
    for where, text in _docs_text():
        if where == "README.md" or where.startswith("notebooks/"):
            assert _names_used(re.sub(r"digits_svm\.(?:pkl|joblib|skops)(\.json)?", "", text)) <= documented, where


@pytest.mark.parametrize("name", FRONT_DOOR)
def test_every_front_door_name_has_a_numpydoc_docstring_with_an_example(name):
    doc = inspect.getdoc(getattr(digits_svm, name)) or ""
    assert len(doc.splitlines()[0]) > 10, f"{name}: no summary line"
    assert "Examples\n--------" in doc and ">>>" in doc, f"{name}: no Examples section"


def test_every_module_opens_with_one_line_saying_its_job():
    for module in ["", *MODULES]:
        mod = importlib.import_module("digits_svm" + (f".{module}" if module else ""))
        first = (mod.__doc__ or "").split("\n")[0]
        assert 20 < len(first) <= 130 and first.endswith("."), (module, first)


def test_errors_are_one_family_and_a_bad_argument_is_a_value_error():
    for name in digits_svm.errors.__all__:
        assert issubclass(getattr(digits_svm.errors, name), digits_svm.DigitsSVMError), name
    assert issubclass(digits_svm.InvalidParameterError, ValueError)
    with pytest.raises(ValueError, match=r"^C=-1 is not allowed; use a number > 0$"):
        digits_svm.train(C=-1)


HISTORY = re.compile(
    r"\b[Ii]ssue \d+|\b20\d\d-\d\d-\d\d\b|\b(?:calm|quiet|slower|faster) day\b|\bthis session\b"
    r"|\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b"
)


def _prose_and_code() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md")),
            *sorted((ROOT / "digits_svm").rglob("*.py"))]


def test_history_lives_in_git_and_the_changelog_not_in_the_docs_or_the_code():
    """No issue numbers, dates, commit hashes or "calm day" in the README, the docs, docstrings or comments."""
    found = [f"{path.relative_to(ROOT)}:{n}: {match.group(0)}"
             for path in _prose_and_code()
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             for match in HISTORY.finditer(line)]
    assert len(_prose_and_code()) > 40  # the walk itself works
    assert found == []


def test_the_readme_is_short():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 150
