"""notebooks/walkthrough.ipynb: committed clean, and it runs top to bottom with real results.

The notebook is executed once per session in a python3 kernel (ipykernel's own spec; jupyter_client
starts it with this interpreter) whose working directory is an empty temporary directory, with
this checkout first on PYTHONPATH so the kernel imports the code under test.
"""

from __future__ import annotations

import ast
import base64
import io
import os
import re
import shutil
import tempfile
from pathlib import Path

import nbformat
import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "walkthrough.ipynb"


def _code_cell(nb, snippet: str):
    """The one code cell whose source contains ``snippet``."""
    cells = [c for c in nb.cells if c.cell_type == "code" and snippet in c.source]
    assert len(cells) == 1, f"expected one code cell containing {snippet!r}, found {len(cells)}"
    return cells[0]


def _stdout(cell) -> str:
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def _pngs(cell) -> list[Image.Image]:
    return [
        Image.open(io.BytesIO(base64.b64decode(o.data["image/png"])))
        for o in cell.outputs
        if o.output_type in ("display_data", "execute_result") and "image/png" in o.data
    ]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """(executed notebook, its working directory, the directory it wrote into)."""
    from jupyter_client.kernelspec import find_kernel_specs
    from nbclient import NotebookClient

    if "python3" not in find_kernel_specs():
        pytest.fail("no python3 kernel spec: install the test extras (pip install -e '.[test]'), which bring ipykernel")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cwd = tmp_path_factory.mktemp("notebook_cwd")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("MPLBACKEND", None)  # the notebook asks for inline figures itself
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
    client.execute(env=env)

    match = re.search(r"writing into (\S+)", _stdout(nb.cells[1]))
    assert match, "the first code cell should print the directory it writes into"
    work = Path(match.group(1))
    yield nb, cwd, work
    shutil.rmtree(work, ignore_errors=True)


def test_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    stale = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert stale == [], f"clear the outputs of cells {stale} before committing"


def test_uses_only_the_public_api():
    import digits_svm

    nb = nbformat.read(NOTEBOOK, as_version=4)
    # IPython magics (%matplotlib inline) are not Python; drop them before parsing.
    source = "\n".join(
        line for c in nb.cells if c.cell_type == "code" for line in c.source.splitlines() if not line.startswith("%")
    )
    tree = ast.parse(source)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"tempfile", "pathlib", "matplotlib.pyplot", "numpy", "digits_svm"}, imported
    used = {
        node.attr for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "digits_svm"
    }
    assert "train" in used and "convert" in used
    documented = {*digits_svm.__all__, *digits_svm.SUBMODULES, "__version__"}  # docs/reference/
    assert used <= documented, f"not documented: {sorted(used - documented)}"


@pytest.mark.slow
def test_runs_without_errors(executed):
    nb, cwd, work = executed
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
def test_reproduces_the_example_accuracy(executed):
    nb, _, _ = executed
    out = _stdout(_code_cell(nb, "digits_svm.train()"))
    accuracy_line = next(line for line in out.splitlines() if "accuracy" in line)
    assert "871/899" in accuracy_line
    report = _stdout(_code_cell(nb, "result.report_text"))
    assert re.search(r"^\s+accuracy\s+0\.969\s+899$", report, flags=re.M), report


@pytest.mark.slow
def test_shows_the_mlmodel_interface(executed):
    nb, _, _ = executed
    out = _stdout(_code_cell(nb, "digits_svm.convert("))
    assert "input 'input'" in out and "dataType: DOUBLE" in out and out.count("shape: 8") == 2
    assert "output 'classLabel'" in out and "int64Type" in out
    assert "preprocessing.method = normalized" in out


@pytest.mark.slow
def test_mlmodel_agrees_with_the_pickle(executed):
    nb, _, _ = executed
    out = _stdout(_code_cell(nb, "digits_svm.verify("))
    agree = re.search(r"([\d,]+) of ([\d,]+) predictions agree", out)
    assert agree and agree.group(1) == agree.group(2) == "11,797", out
    assert "MISMATCH" not in out and "all agree: True" in out
    held_out = _stdout(_code_cell(nb, "digits_svm.coreml_predict(mlmodel_path, grids)"))
    assert "identical: True" in held_out
    rows = {line.split(":")[0].strip(): line.split(":")[1].split() for line in held_out.splitlines()[:3]}
    assert rows["pickle says"] == rows[".mlmodel says"] and len(rows["pickle says"]) == 15


@pytest.mark.slow
def test_figures(executed):
    nb, _, _ = executed
    (confusion,) = _pngs(_code_cell(nb, "Held-out confusion matrix"))
    assert confusion.width > 300 and confusion.height > 300
    # The confusion matrix is drawn in blues: the picture is not blank.
    assert np.asarray(confusion.convert("L")).std() > 10
    (drawing,) = _pngs(_code_cell(nb, "show_drawing(seven"))
    assert drawing.width > 3 * drawing.height  # crop, one grid per method, training digits in a row
    assert len(_pngs(_code_cell(nb, "load_digits_grids()"))) == 1


@pytest.mark.slow
def test_drawing_reaches_a_prediction_per_method(executed):
    import digits_svm

    nb, _, _ = executed
    for snippet in ("show_drawing(seven", "show_drawing(crossed_seven"):
        out = _stdout(_code_cell(nb, snippet))
        reads = dict(re.findall(r"^(\w+): the model reads (\d)", out, flags=re.M))
        assert sorted(reads) == sorted(digits_svm.drawing._preprocessing.METHODS), out
    # The crossed seven looks like the training sevens: every method reads it.
    assert set(reads.values()) == {"7"}, out


@pytest.mark.slow
def test_writes_only_into_its_temporary_directory(executed):
    _, cwd, work = executed
    assert list(cwd.iterdir()) == []
    assert work.is_relative_to(tempfile.gettempdir())
    assert ROOT not in work.parents
    written = sorted(p.name for p in (work / "artifacts").iterdir())
    assert written == sorted([
        "DigitsSVM.mlmodel", "confusion_matrix.png", "digits_svm.pkl", "digits_svm.pkl.json",
        "metrics.json", "misclassified.png",
    ])
    assert {p.name for p in work.iterdir()} == {"DigitsSVM.mlmodel", "digits_svm.pkl", "digits_svm.pkl.json", "artifacts"}
