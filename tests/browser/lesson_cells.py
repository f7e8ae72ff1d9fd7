"""Which code cells of a lesson the browser tests must execute: those its widgets need.

nbval already executes every lesson and compares its outputs, so the browser
tests draw the stored outputs and execute only what needs a live kernel: the
cells that display a widget (a stored output of the widget-view type), and
every earlier cell that defines a name they use, followed back to the Setup
cell. The slicing is static and errs on the side of running more: a cell is
taken when it binds, changes (``x[i] = ...``, ``x.a = ...``, ``x += ...``) or
calls a method of (``x.compile()``) a name that a taken cell reads. A name it
missed would show in the browser as a ``NameError``, which the tests report.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@dataclass(frozen=True)
class Cell:
    index: int  # the cell's index among all cells (markdown included), as JupyterLab counts
    source: str
    widget: bool  # its stored outputs show a widget


def code_cells(path: Path) -> list[Cell]:
    """The code cells of a notebook file, with their index in the notebook."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        widget = any(WIDGET_MIME in output.get("data", {}) for output in cell.get("outputs", []))
        cells.append(Cell(index, source, widget))
    return cells


def _root_name(node: ast.AST) -> str | None:
    """``x`` for ``x``, ``x.a``, ``x[i]``, ``x.a[i].b``."""
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def names(source: str) -> tuple[set[str], set[str]]:
    """The names a cell binds or changes, and the names it reads."""
    # IPython's magics and shell escapes are not Python; the course uses none, but allow them.
    python = "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )
    tree = ast.parse(python)
    written: set[str] = set()
    read: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else written).add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                written.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            written.add(node.name)
        elif isinstance(node, ast.Attribute | ast.Subscript) and not isinstance(node.ctx, ast.Load):
            written.add(_root_name(node) or "")
    for statement in tree.body:  # `model.compile(...)` on its own changes `model`
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            function = statement.value.func
            if isinstance(function, ast.Attribute):
                written.add(_root_name(function) or "")
    written.discard("")
    return written, read


def cells_for_widgets(cells: list[Cell]) -> list[Cell]:
    """The cells to execute, in order, so that every widget cell runs as in the lesson."""
    widget_positions = [position for position, cell in enumerate(cells) if cell.widget]
    if not widget_positions:
        return []
    needed: set[str] = set()
    taken: list[Cell] = []
    for cell in reversed(cells[: widget_positions[-1] + 1]):
        written, read = names(cell.source)
        if cell.widget or written & needed:
            taken.append(cell)
            needed |= read
    return taken[::-1]
