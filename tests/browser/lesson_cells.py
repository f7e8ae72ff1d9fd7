"""Which code cells of a lesson the browser tests must execute: those its widgets need.

nbval already executes every lesson and compares its outputs, so the browser
tests draw the stored outputs and execute only what needs a live kernel: the
cells that display a widget (a stored output of the widget-view type), and
every earlier cell that defines a name they use, followed back to the Setup
cell. The slicing is static and errs on the side of running more: a cell is
taken when it binds, changes (``x[i] = ...``, ``x.a = ...``, ``x += ...``) or
calls a method of (``x.compile()``) a name that a taken cell reads. A name
that a taken cell binds itself, in an assignment or a ``for`` loop at its top
level before anything reads it (``start = time.perf_counter()``), is its own:
no earlier cell is taken for it. A call of a module's function (``keras.utils.set_random_seed``)
changes no name. A name it missed would show in the browser as a
``NameError``, which the tests report.
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


def _parse(source: str) -> ast.Module:
    # IPython's magics and shell escapes are not Python; the course uses none, but allow them.
    return ast.parse(
        "\n".join(
            "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
        )
    )


def names(
    source: str, modules: frozenset[str] = frozenset(), functions: frozenset[str] = frozenset()
) -> tuple[set[str], set[str]]:
    """The names a cell binds or changes, and the names it reads.

    A call of a function of one of ``modules`` (``keras.utils.set_random_seed``) changes
    nothing; a call of one of the notebook's own ``functions`` may change what it is given
    (``train_one_epoch(lenet, ...)``).
    """
    tree = _parse(source)
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
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in functions:
                given = [*node.args, *(keyword.value for keyword in node.keywords)]
                written.update(_root_name(argument) or "" for argument in given)
    for statement in tree.body:  # `model.compile(...)` on its own changes `model`
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            function = statement.value.func
            if isinstance(function, ast.Attribute) and _root_name(function) not in modules:
                written.add(_root_name(function) or "")
    written.discard("")
    return written, read


def own_names(source: str) -> set[str]:
    """The names a cell binds at its top level before anything reads them.

    A plain assignment binds its targets after its value is read; a ``for`` loop
    binds its targets after its iterable is read, before its body.
    """
    seen: set[str] = set()
    own: set[str] = set()

    def see(*nodes: ast.AST) -> None:
        for node in nodes:
            seen.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name))

    def bind(target: ast.AST) -> None:
        for node in ast.walk(target):
            if (
                isinstance(node, ast.Name)
                and isinstance(node.ctx, ast.Store)
                and node.id not in seen
            ):
                own.add(node.id)
        see(target)

    for statement in _parse(source).body:
        if isinstance(statement, ast.Assign):
            see(statement.value)
            for target in statement.targets:
                bind(target)
        elif isinstance(statement, ast.For):
            see(statement.iter)
            bind(statement.target)
            see(*statement.body, *statement.orelse)
        else:
            see(statement)
    return own


def _modules_and_functions(cells: list[Cell]) -> tuple[frozenset[str], frozenset[str]]:
    """The names the cells bind only by importing them (``keras``, ``np``), and their functions."""
    imported, assigned, functions = set(), set(), set()
    for cell in cells:
        for node in ast.walk(_parse(cell.source)):
            if isinstance(node, ast.Import | ast.ImportFrom):
                imported |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                assigned.add(node.id)
            elif isinstance(node, ast.FunctionDef):
                functions.add(node.name)
    return frozenset(imported - assigned), frozenset(functions)


def cells_for_widgets(cells: list[Cell]) -> list[Cell]:
    """The cells to execute, in order, so that every widget cell runs as in the lesson."""
    widget_positions = [position for position, cell in enumerate(cells) if cell.widget]
    if not widget_positions:
        return []
    modules, functions = _modules_and_functions(cells)
    needed: set[str] = set()
    taken: list[Cell] = []
    for cell in reversed(cells[: widget_positions[-1] + 1]):
        written, read = names(cell.source, modules, functions)
        if cell.widget or written & needed:
            own = own_names(cell.source)
            taken.append(cell)
            needed = (needed - own) | (read - own)
    return taken[::-1]
