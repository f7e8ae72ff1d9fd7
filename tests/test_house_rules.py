"""The rules of CONTRIBUTING.md that a machine can read in the code of utils/ (and beyond)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "utils").rglob("*.py"))
MAX_LINES = 600


def test_no_module_imports_another_modules_private_name():
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("utils"):
                found += [
                    f"{path.relative_to(ROOT)}: from {node.module} import {alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_")
                ]
            if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                owner = node.value
                if isinstance(owner, ast.Name) and owner.id in {"utils", "conv", "plots"}:
                    found.append(f"{path.relative_to(ROOT)}: {owner.id}.{node.attr}")
    assert found == []


def test_no_file_in_utils_is_over_the_limit():
    long = {
        str(path.relative_to(ROOT)): n
        for path in SOURCES
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_module_checks_arguments_through_validate():
    # The modules that take arguments from a notebook use the one validation layer.
    users = {
        path.relative_to(ROOT).as_posix()
        for path in SOURCES
        if "from utils._validate import" in path.read_text(encoding="utf-8")
    }
    for module in (
        "cost",
        "data",
        "drawing",
        "environment",
        "evaluation",
        "models",
        "numpy_convnet",
        "pooling",
        "saliency",
    ):
        assert f"utils/{module}.py" in users
    for package in ("checks", "conv", "plots", "widgets"):
        assert any(name.startswith(f"utils/{package}/") for name in users), package


# --- Private modules stay inside their package ---


def _is_private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def private_module_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    """What ``source``, the code of ``module``, imports of another package's private modules.

    A private module ``a.b._c`` (a dotted path with a component that starts with
    ``_``, dunders such as ``__future__`` aside) belongs to package ``a.b``: only
    ``a.b`` and the modules inside it (``a.b.d``, ``a.b.e.f``) may import it, so
    ``utils._validate`` may be imported anywhere under ``utils/`` and
    ``utils.conv._arrays`` only under ``utils/conv/``. A top-level private module
    (``_plotly_utils``) is another distribution's: never. ``import x._y``,
    ``from x._y import z`` and ``from x import _y`` are all caught (the last one
    whether ``_y`` is a module or a private name), relative imports too.
    """
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parent + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]
            targets = targets or [base]
        else:
            continue
        for target in targets:
            parts = target.split(".")
            private = next((i for i, part in enumerate(parts) if _is_private(part)), None)
            if private is None:
                continue
            owner = ".".join(parts[:private])
            if not owner or (module != owner and not module.startswith(owner + ".")):
                found.append(target)
    return found


def _code_cells(path: Path) -> str:
    """A notebook's code cells as one source, without IPython's ``%`` and ``!`` lines."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    return "\n".join(
        line
        for source in sources
        for line in source.splitlines()
        if not line.lstrip().startswith(("%", "!"))
    )


def _course_code() -> list[tuple[str, str, bool]]:
    """(source, module name, is a package) for utils/, scripts/, benchmarks/, conftest.py and
    the notebooks' code cells. tests/ is left out: a test may import a private module to
    unit-test it (tests/test_canvas.py imports utils.widgets._a11y)."""
    code = []
    for path in sorted((ROOT / "utils").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)  # utils.plots, utils.plots.base
        code.append((path.read_text(encoding="utf-8"), name, is_package))
    for folder in ("scripts", "benchmarks"):
        for path in sorted((ROOT / folder).glob("*.py")):
            code.append((path.read_text(encoding="utf-8"), f"{folder}.{path.stem}", False))
    code.append(((ROOT / "conftest.py").read_text(encoding="utf-8"), "conftest", False))
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        code.append((_code_cells(path), f"notebooks.{path.stem}", False))
    return code


# Imports the rule finds that have no public replacement, with the reason; each must
# still be found (a stale entry fails too).
OUTSIDE_THE_RULE = {
    "utils.environment imports tensorflow.python.util._pywrap_util_port": (
        "TensorFlow has no public way to ask whether its oneDNN kernels are on (IsMklEnabled)"
    ),
}


def test_no_course_code_imports_another_packages_private_module():
    code = _course_code()
    assert len(code) > 60 and any(name.startswith("notebooks.") for _, name, _ in code)
    found = {
        f"{name} imports {target}"
        for source, name, is_package in code
        for target in private_module_imports(source, name, is_package)
    }
    assert found - set(OUTSIDE_THE_RULE) == set()
    assert set(OUTSIDE_THE_RULE) - found == set(), "an entry of OUTSIDE_THE_RULE is gone"


@pytest.mark.parametrize(
    "source, module, is_package, found",
    [
        ("import utils.plots._base", "utils.widgets.reader", False, ["utils.plots._base"]),
        ("import utils.plots._base as b", "utils.plots.images", False, []),
        (
            "from utils.conv._arrays import pad",
            "utils.plots.base",
            False,
            ["utils.conv._arrays.pad"],
        ),
        ("from utils.conv._arrays import pad", "utils.conv.sizes", False, []),
        ("from utils.conv._arrays import pad", "utils.conv", True, []),
        ("from utils.conv import _arrays", "scripts.grade", False, ["utils.conv._arrays"]),
        ("from utils.conv import sizes, _arrays", "utils.conv.sizes", False, []),
        ("from utils._validate import integer", "utils.plots.base", False, []),
        (
            "from utils._validate import integer",
            "benchmarks.conv_speed",
            False,
            ["utils._validate.integer"],
        ),
        (
            "from utils.plots.base import _helper",
            "utils.plots.images",
            False,
            ["utils.plots.base._helper"],
        ),
        ("from ._arrays import pad", "utils.conv.sizes", False, []),
        ("from .._arrays import pad", "utils.conv.fast.kernels", False, []),
        ("from .conv import _arrays", "utils.plots", True, ["utils.plots.conv._arrays"]),
        (
            "from plotly.io._renderers import renderers",
            "conftest",
            False,
            ["plotly.io._renderers.renderers"],
        ),
        (
            "import _plotly_utils.utils",
            "notebooks.01_convolution_math",
            False,
            ["_plotly_utils.utils"],
        ),
        ("from __future__ import annotations\nimport os.path", "conftest", False, []),
    ],
)
def test_the_private_module_rule_catches_each_form(source, module, is_package, found):
    assert private_module_imports(source, module, is_package) == found


LOADERS_BY_PATH = ("spec_from_file_location", "SourceFileLoader", "run_path")


def loads_a_file_by_path(source: str) -> list[str]:
    """The names in ``source`` of importlib's and runpy's ways to run a file by its path."""
    return sorted(
        {
            node.attr if isinstance(node, ast.Attribute) else node.id
            for node in ast.walk(ast.parse(source))
            if (isinstance(node, ast.Attribute) and node.attr in LOADERS_BY_PATH)
            or (isinstance(node, ast.Name) and node.id in LOADERS_BY_PATH)
        }
    )


def test_no_python_file_is_loaded_by_its_path():
    # Modules are imported by name (scripts/ and tests/browser/ are on pytest's pythonpath).
    files = [ROOT / "conftest.py"]
    for folder in ("utils", "scripts", "benchmarks", "tests"):
        files += sorted((ROOT / folder).rglob("*.py"))
    found = {
        str(path.relative_to(ROOT)): names
        for path in files
        if path != Path(__file__).resolve()
        and (names := loads_a_file_by_path(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_path_loading_rule_catches_each_form():
    assert loads_a_file_by_path(
        "import importlib.util\nimportlib.util.spec_from_file_location('m', 'm.py')"
    ) == ["spec_from_file_location"]
    assert loads_a_file_by_path("from runpy import run_path\nrun_path('x.py')") == ["run_path"]
    assert loads_a_file_by_path("import json\njson.loads('{}')") == []
