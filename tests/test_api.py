"""The public API: what `digits_svm` exports is documented, with examples that CI runs."""

import inspect

import pytest

import digits_svm

PUBLIC = [
    name
    for name in digits_svm.__all__
    if (inspect.isfunction(getattr(digits_svm, name)) or inspect.isclass(getattr(digits_svm, name)))
    and not (inspect.isclass(getattr(digits_svm, name)) and issubclass(getattr(digits_svm, name), Exception))
]


def test_design_api_names_exist():
    for name in ("train", "save_pickle", "load_pickle", "convert", "preprocess", "render_strokes", "coreml_predict"):
        assert callable(getattr(digits_svm, name)), name


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_has_a_numpydoc_docstring_with_an_example(name):
    doc = inspect.getdoc(getattr(digits_svm, name)) or ""
    assert len(doc.splitlines()[0]) > 10, f"{name}: no summary line"
    assert "Examples\n--------" in doc and ">>>" in doc, f"{name}: no Examples section"


def test_errors_are_one_family():
    for name in digits_svm.__all__:
        obj = getattr(digits_svm, name)
        if inspect.isclass(obj) and issubclass(obj, Exception):
            assert issubclass(obj, digits_svm.DigitsSVMError), name
