"""The rules of CONTRIBUTING.md that a machine can read in the code of utils/."""

from __future__ import annotations

import ast
from pathlib import Path

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
