"""Student copies of the lessons, without the answers: ``make student`` writes ``build/student/``.

What a student copy leaves out is marked in the lessons themselves, with two
cell tags (JupyterLab shows them in the right sidebar, under *Cell tags*):

- ``solution``: a cell that gives an answer away: a collapsed "Show a
  solution" block, a checker shown on right answers, text that discusses the
  answer, the *Worked answers* and the cells that run them. A student copy
  leaves the cell out; it is nbconvert's own ``TagRemovePreprocessor`` that
  removes it, so ``jupyter nbconvert --TagRemovePreprocessor.remove_cell_tags
  solution`` and Jupyter Book's tag handling understand the same marker.
- ``exercise``: a cell with ``...`` to replace and a checker call at its end.
  A student copy keeps it as the student meets it in the lesson, with its
  output cleared. The grader (``scripts/grade.py``) grades these cells.

Everything else is kept with its stored outputs, figures and images.
:func:`exercises` reads an exercise cell: the name the student assigns (the
answer) and the checker call that judges it. :func:`lesson_answers` reads a
lesson's own answer to each exercise, from its "Show a solution" block.

Usage: ``python scripts/student_copies.py [--out build/student] [lesson ...]``
(all lessons when none is given).
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert.preprocessors import TagRemovePreprocessor

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTION = "solution"
EXERCISE = "exercise"


def lessons() -> list[Path]:
    """The lessons, in order: ``notebooks/NN_*.ipynb``."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def tags(cell: nbformat.NotebookNode) -> list[str]:
    """A cell's tags."""
    return list(cell.get("metadata", {}).get("tags", []))


@dataclass(frozen=True)
class Exercise:
    """One exercise cell: where it is, what the student assigns, and the checker call.

    ``answer`` is the name the cell assigns ``...`` to (``my_max_pool``);
    ``call`` is the source of the checker call that ends the cell
    (``check_pooling(my_max_pool, y, mode="max")``), ``checker`` its function's
    name; ``setup`` is the cell's source without the answer's line and the call.
    """

    cell_id: str
    answer: str
    checker: str
    call: str
    setup: str


def read_exercise(cell: nbformat.NotebookNode) -> Exercise:
    """The :class:`Exercise` of an ``exercise`` cell; ``ValueError`` (naming the cell) if not one.

    The cell must assign ``...`` to one name and end with a call of a
    ``check_*`` function whose first argument is that name.
    """
    where = f"exercise cell {cell.get('id')!r}"
    try:
        tree = ast.parse(cell.source)
    except SyntaxError as error:
        raise ValueError(f"{where} is not valid Python: {error}") from None
    placeholders = [
        node
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and node.value.value is Ellipsis
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    ]
    if len(placeholders) != 1:
        raise ValueError(f"{where} must assign ... to exactly one name, found {len(placeholders)}")
    answer = placeholders[0].targets[0].id
    last = tree.body[-1]
    call = last.value if isinstance(last, ast.Expr) else None
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id.startswith("check_")
        and call.args
        and isinstance(call.args[0], ast.Name)
        and call.args[0].id == answer
    ):
        raise ValueError(f"{where} must end with a check_...({answer}, ...) call")
    lines = cell.source.splitlines()
    drop = set(range(placeholders[0].lineno - 1, placeholders[0].end_lineno))
    drop |= set(range(last.lineno - 1, last.end_lineno))
    setup = "\n".join(line for number, line in enumerate(lines) if number not in drop)
    return Exercise(
        cell_id=cell.id,
        answer=answer,
        checker=call.func.id,
        call=ast.get_source_segment(cell.source, call),
        setup=setup.strip("\n"),
    )


def exercises(notebook: nbformat.NotebookNode) -> list[Exercise]:
    """The exercises of a lesson, in order."""
    return [read_exercise(cell) for cell in notebook.cells if EXERCISE in tags(cell)]


_PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def lesson_answers(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """Each exercise's answer as the lesson gives it: ``{cell id: code}``.

    The code is the first Python block, in the ``solution`` cells after the
    exercise and before the next one, that assigns the exercise's answer name.
    ``ValueError`` names an exercise whose answer the lesson does not give.
    """
    answers = {}
    cells = notebook.cells
    for index, cell in enumerate(cells):
        if EXERCISE not in tags(cell):
            continue
        exercise = read_exercise(cell)
        for later in cells[index + 1 :]:
            if EXERCISE in tags(later):
                break
            if SOLUTION not in tags(later) or later.cell_type != "markdown":
                continue
            for block in _PYTHON_BLOCK.findall(later.source):
                if re.search(rf"^(def {exercise.answer}\b|{exercise.answer}\s*=)", block, re.M):
                    answers.setdefault(exercise.cell_id, block.strip("\n"))
        if exercise.cell_id not in answers:
            raise ValueError(f"the lesson gives no Python answer to exercise {exercise.answer!r}")
    return answers


def student_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student copy of a lesson: ``solution`` cells removed, ``exercise`` outputs cleared.

    The lesson itself is not changed. ``ValueError`` if a cell is tagged both.
    """
    for cell in notebook.cells:
        if {SOLUTION, EXERCISE} <= set(tags(cell)):
            raise ValueError(f"cell {cell.get('id')!r} is tagged both solution and exercise")
    student = copy.deepcopy(notebook)
    remover = TagRemovePreprocessor(remove_cell_tags={SOLUTION})
    student, _ = remover.preprocess(student, {})
    for cell in student.cells:
        if EXERCISE in tags(cell):
            cell.outputs = []
            cell.execution_count = None
    return student


def with_answers(student: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The student copy with each exercise of ``answers`` ({cell id: code}) answered.

    An exercise cell's source becomes its setup lines, if it has any, then
    the answer, without the checker's call (the grader makes that call
    itself): a full-marks submission when ``answers`` is the lesson's own
    (:func:`lesson_answers`). ``student`` is not changed. ``ValueError``
    names a cell id of ``answers`` that is no exercise of ``student``.
    """
    done = copy.deepcopy(student)
    found = set()
    for cell in done.cells:
        if cell.get("id") in answers and EXERCISE in tags(cell):
            setup = read_exercise(cell).setup
            cell.source = f"{setup}\n{answers[cell.id]}" if setup else answers[cell.id]
            found.add(cell.id)
    if missing := sorted(set(answers) - found):
        raise ValueError(f"no exercise cell with the id {missing[0]!r} in the student copy")
    return done


# Methods that change the object they are called on, as a worked answer might change
# a model or a list that a later cell of the lesson reads.
_CHANGING = {"fit", "compile", "train_on_batch", "set_weights", "load_weights", "assign"}
_CHANGING |= {"apply_gradients", "append", "extend", "update", "pop", "clear", "sort"}


def _top_level(tree: ast.AST):
    """The nodes of a cell outside its functions, classes and comprehensions (own scopes)."""
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
    comprehensions = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, scopes + comprehensions):
            stack.extend(ast.iter_child_nodes(node))


def _names(source: str) -> tuple[set[str], set[str], set[str]]:
    """The names a cell binds and changes in place (``x.fit(...)``, ``x[0] = 1``), and reads.

    Bound and changed count the cell's own level only (a function's locals are
    its own); read counts every name the cell loads anywhere.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    tree = ast.parse(TransformerManager().transform_cell(source))
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    bound, changed = set(), set()
    for node in _top_level(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.Attribute | ast.Subscript) and isinstance(node.value, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                changed.add(node.value.id)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _CHANGING
            and isinstance(node.func.value, ast.Name)
        ):
            changed.add(node.func.value.id)
    return bound, changed, read


def needs_the_answers(notebook: nbformat.NotebookNode) -> list[str]:
    """What the student copy would miss: each name a kept code cell reads that an answer made.

    A student copy runs without the ``solution`` cells. Any later cell that
    reads a name only an answer's code cell bound, or an object an answer's
    code changed in place (trained, appended to), would fail or print other
    numbers there. Returns one line per such name, ``[]`` when there is none.
    """
    from_answers: dict[str, str] = {}  # name -> the answer cell that made or changed it
    problems = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        bound, changed, read = _names(cell.source)
        if SOLUTION in tags(cell):
            for name in bound | changed:
                from_answers[name] = cell.get("id")
            continue
        # A name the cell binds itself is taken as its own (bound before it is read).
        for name in sorted((read - bound) & from_answers.keys()):
            problems.append(
                f"cell {cell.get('id')!r} reads {name!r}, which the answer in cell "
                f"{from_answers[name]!r} made or changed: the student copy does not have it"
            )
        for name in bound:  # bound again outside the answers: the copy has its own
            from_answers.pop(name, None)
    return problems


def write_student_copies(out: Path, paths: list[Path] | None = None) -> list[Path]:
    """Write the student copy of each lesson to ``out`` (same file names); return the paths.

    ``out`` may not be ``notebooks/`` itself: the lessons are never overwritten.
    """
    out = Path(out).resolve()
    if out == NOTEBOOKS.resolve():
        raise ValueError("the student copies cannot be written over the lessons in notebooks/")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths if paths is not None else lessons():
        notebook = nbformat.read(path, as_version=4)
        exercises(notebook)  # a malformed exercise cell is an error here, not in class
        target = out / Path(path).name
        nbformat.write(student_notebook(notebook), target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "student")
    parser.add_argument("lessons", nargs="*", type=Path, help="lessons (default: all)")
    args = parser.parse_args(argv)
    paths = args.lessons or lessons()
    missing = [str(path) for path in paths if not Path(path).is_file()]
    if missing:
        parser.error(f"no such lesson: {', '.join(missing)}")
    try:
        written = write_student_copies(args.out, paths)
    except ValueError as error:
        print(f"make student: {error}", file=sys.stderr)
        return 1
    removed = kept = 0
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        removed += sum(SOLUTION in tags(cell) for cell in notebook.cells)
        kept += sum(EXERCISE in tags(cell) for cell in notebook.cells)
    shown = args.out.resolve()
    shown = shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown
    print(
        f"Wrote {len(written)} student notebooks to {shown}/: {kept} exercise cells kept "
        f"(outputs cleared), {removed} answer cells left out."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
