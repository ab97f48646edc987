"""The house's layers: every import runs down this list, and no module reaches for another's private names."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "digits_svm"

#: The layers, from the ground up: a module imports only from its own layer or those below.
#: A layer is a subpackage (all its modules) or a top-level module of the package.
LAYERS = [
    "errors", "_validation", "_files", "_version", "progress",  # the ground: shared by every job
    "drawing",  # a drawing in, the model's 8x8 grid out (what swift/ ports)
    "datasets",  # scans, samples, copies, synthesized drawings
    "model",  # what a fitted SVC is, probabilities, presets, training
    "coreml",  # the .mlmodel, its runtime, the parity proof
    "memory", "confidence", "plots",  # the user's corrections, answers and pictures
    "io",  # model files, a training run's artifacts, predict's inputs
    "search", "playground", "cli",  # the tools on top
    "__init__", "__main__",
]


def _layer(module: str) -> str:
    """The layer of a dotted module name under the package (``drawing._strokes`` -> ``drawing``)."""
    return module.split(".")[0]


def _modules() -> dict[str, Path]:
    return {p.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__") or "__init__": p
            for p in PACKAGE.rglob("*.py")}


def _imports(module: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module under the package, names taken from it, line) for every import anywhere in the file."""
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    if module == "__init__":
        package = []
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.split(".")[0] == "digits_svm":
                target = node.module.split(".")[1:]
            else:
                continue
            names = [a.name for a in node.names]
            if not node.module or (node.level and target == base):  # from . import x: modules
                found += [(".".join([*target, n]), [], node.lineno) for n in names]
            else:
                found.append((".".join(target) or "__init__", names, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name.removeprefix("digits_svm."), [], node.lineno)
                      for a in node.names if a.name.startswith("digits_svm.")]
    return found


def test_every_module_has_a_layer():
    assert sorted({_layer(m) for m in _modules()} - set(LAYERS)) == []
    assert len(_modules()) > 30  # the walk itself works


def test_imports_run_down_the_layers():
    upward = []
    for module, path in _modules().items():
        for target, _, line in _imports(module, path):
            if LAYERS.index(_layer(target)) > LAYERS.index(_layer(module)):
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {module} imports {target}, a layer above it")
    assert upward == []


def test_no_module_takes_another_modules_private_names():
    taken = []
    for module, path in _modules().items():
        for target, names, line in _imports(module, path):
            folder = PACKAGE / target.replace(".", "/")
            private = [n for n in names if n.startswith("_") and n != "__version__" and not (folder / f"{n}.py").exists()]
            if private:
                taken.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {module} takes {private} from {target}")
    assert taken == []


def test_internals_are_private_modules():
    """Inside a subpackage every module but the face is private: the face says what is public."""
    public = [m for m in _modules() if "." in m and not m.split(".")[-1].startswith("_") and m.split(".")[0] != "__init__"]
    assert public == []
