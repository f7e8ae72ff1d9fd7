"""``make student``: the lessons without their answers, each student copy run as a student meets it.

The markers first: every answer in a lesson is in a cell tagged ``solution``
and every exercise cell is tagged ``exercise``, so a new answer cannot slip
into the student copies untagged. Then the copies: no answer's text or code
is left in them, the exercises are there with their outputs cleared, and the
rest is the lesson as stored, and no cell of it reads a name that only an
answer's code made or changed (``student_copies.needs_the_answers``, read
from the code). Last, the judge (``scripts/grade.py``) runs the student
copies from top to bottom in a fresh kernel, in the sandbox's jail (offline,
read-only), before any exercise is answered: no cell may raise, every
checker must say "not answered yet", and the lesson's own answers, taken
through the same checkers there, must all pass.

The copies of the lessons that train a model are not run a second time here:
their lesson's own run under nbval (``tests/test_lessons.py``) runs the same
judge after each exercise, in the lesson's kernel, so that each lesson is
executed once in ``make test``. The copies of the lessons that train nothing
run here, in the jail, as the grader runs a student's.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import grade  # scripts/
import nbformat
import pytest
import sandbox  # scripts/
import student_copies  # scripts/
from student_copies import EXERCISE, SOLUTION, tags
from test_lessons import assert_the_judge_passes, trains  # the lessons' own runs

ROOT = Path(__file__).resolve().parent.parent
LESSONS = student_copies.lessons()


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("lesson", LESSONS, ids=[path.stem for path in LESSONS])
def test_every_answer_and_exercise_is_marked(lesson):
    notebook = _read(lesson)
    for cell in notebook.cells:
        marked = set(tags(cell))
        where = f"{lesson.name}, cell {cell.get('id')}: "
        if cell.cell_type == "markdown":
            summaries = re.findall(r"<summary>(.*?)</summary>", cell.source)
            if any(re.search(r"solution|worked answer", s, re.I) for s in summaries):
                assert SOLUTION in marked, where + "an answer in a cell not tagged 'solution'"
            if SOLUTION in marked:  # what the copy leaves out holds no section and no exercise
                assert not re.search(r"^#{1,2} |\*\*Exercise \d", cell.source, re.M), (
                    where + "a section heading or an exercise in a cell tagged 'solution'"
                )
        elif "worked-answer" in marked:
            assert SOLUTION in marked, where + "a worked answer not tagged 'solution'"
        elif re.search(r"^\w+ = \.\.\.", cell.source, re.M) and "check_" in cell.source:
            assert EXERCISE in marked, where + "an exercise cell not tagged 'exercise'"
    exercises = student_copies.exercises(notebook)
    assert exercises, f"{lesson.name} has no exercise cell"
    answers = student_copies.lesson_answers(notebook)
    assert set(answers) == {exercise.cell_id for exercise in exercises}


@pytest.mark.parametrize("lesson", LESSONS, ids=[path.stem for path in LESSONS])
def test_the_student_copy_has_the_lesson_without_its_answers(lesson):
    notebook = _read(lesson)
    student = student_copies.student_notebook(notebook)
    kept = [cell for cell in notebook.cells if SOLUTION not in tags(cell)]
    assert [cell.id for cell in student.cells] == [cell.id for cell in kept]
    for mine, theirs in zip(student.cells, kept, strict=True):
        assert mine.source == theirs.source
        if EXERCISE in tags(theirs):
            assert mine.outputs == [] and mine.execution_count is None
        elif theirs.cell_type == "code":
            assert mine.outputs == theirs.outputs  # figures and printed results kept
    # No line of an answer is left, unless the lesson itself has it outside its answers.
    elsewhere = {line.strip() for cell in kept for line in cell.source.splitlines()}
    copy_text = {line.strip() for cell in student.cells for line in cell.source.splitlines()}
    for cell in notebook.cells:
        if SOLUTION in tags(cell):
            answer_lines = {
                line.strip() for line in cell.source.splitlines() if len(line.strip()) > 12
            }
            leaked = (answer_lines - elsewhere) & copy_text
            assert not leaked, f"{lesson.name}: answer lines in the student copy: {leaked}"
    assert _read(lesson).cells == notebook.cells  # the lesson is not changed


def test_the_removal_and_its_errors_on_a_small_notebook():
    v4 = nbformat.v4
    exercise = v4.new_code_cell(
        "x = ...\n\ncheck_thing(x)", outputs=[v4.new_output("stream", text="T")]
    )
    exercise.metadata["tags"] = [EXERCISE]
    answer = v4.new_markdown_cell(
        "<details><summary>Show a solution</summary>\n\n```python\nx = 4\n```\n</details>"
    )
    answer.metadata["tags"] = [SOLUTION]
    notebook = v4.new_notebook(cells=[v4.new_markdown_cell("# Title"), exercise, answer])
    student = student_copies.student_notebook(notebook)
    assert [cell.cell_type for cell in student.cells] == ["markdown", "code"]
    assert student.cells[1].outputs == [] and notebook.cells[1].outputs != []
    assert student_copies.lesson_answers(notebook) == {exercise.id: "x = 4"}
    assert student_copies.exercises(notebook)[0].call == "check_thing(x)"
    exercise.source = "y = 2\nx = ...\n\ncheck_thing(x)"
    answered = student_copies.with_answers(
        student_copies.student_notebook(notebook), {exercise.id: "x = y + 2"}
    )
    assert answered.cells[1].source == "y = 2\nx = y + 2"
    with pytest.raises(ValueError, match="no exercise cell with the id 'nowhere'"):
        student_copies.with_answers(student, {"nowhere": "x = 4"})
    exercise.source = "x = ...\n\ncheck_thing(x)"
    answer.metadata["tags"] = []  # an answer nobody marked: the copy would give it away
    assert "x = 4" in json.dumps(student_copies.student_notebook(notebook))
    exercise.metadata["tags"] = [EXERCISE, SOLUTION]
    with pytest.raises(ValueError, match="both solution and exercise"):
        student_copies.student_notebook(notebook)
    exercise.metadata["tags"] = [EXERCISE]
    exercise.source = "x = 3\ncheck_thing(x)"
    with pytest.raises(ValueError, match=r"must assign \.\.\."):
        student_copies.exercises(notebook)


@pytest.mark.parametrize("lesson", LESSONS, ids=[path.stem for path in LESSONS])
def test_the_student_copy_needs_nothing_the_answers_made(lesson):
    assert student_copies.needs_the_answers(_read(lesson)) == []


def test_a_cell_that_reads_what_an_answer_made_is_named():
    v4 = nbformat.v4

    def notebook(*cells):
        made = []
        for source, tagged in cells:
            cell = v4.new_code_cell(source)
            cell.metadata["tags"] = [SOLUTION] if tagged else []
            made.append(cell)
        return v4.new_notebook(cells=made)

    answer = ("net = build()\nnet.fit(x, y)\nscores = [1]\n%time q = 0\nz = 2", True)
    later = ("print(net.evaluate(x, y), scores, z)", False)
    problems = student_copies.needs_the_answers(notebook(("net = build()", False), answer, later))
    assert [problem.split("'")[3] for problem in problems] == ["net", "scores", "z"]
    assert "the student copy does not have it" in problems[0]
    again = ("net = build()\nscores = []\nz = 0", False)  # bound again outside the answers
    assert student_copies.needs_the_answers(notebook(answer, again, later)) == []
    own = ("def f(net):\n    scores = [net]\n    return scores\n\nprint(f(3))", False)
    local = ("def g():\n    net = 1\n    return [i for i in range(net)]", True)
    assert student_copies.needs_the_answers(notebook(local, own)) == []
    assert student_copies.needs_the_answers(notebook(answer, ("scores = [2]\nscores", False))) == []


def test_make_student_writes_one_copy_per_lesson_and_never_over_the_lessons(tmp_path):
    result = subprocess.run(
        [sys.executable, "scripts/student_copies.py", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in tmp_path.glob("*.ipynb")) == [path.name for path in LESSONS]
    assert "Wrote 13 student notebooks" in result.stdout
    with pytest.raises(ValueError, match="cannot be written over the lessons"):
        student_copies.write_student_copies(ROOT / "notebooks")


@pytest.fixture(scope="module")
def jail_reason() -> str | None:
    return sandbox.unavailable()


@pytest.mark.parametrize(
    "lesson", [path for path in LESSONS if not trains(path)], ids=lambda path: path.stem
)
def test_the_student_copy_runs_and_the_lessons_answers_pass(lesson, jail_reason, tmp_path):
    if jail_reason:
        pytest.skip(
            f"the student copies run in the sandbox's jail, which cannot run here: {jail_reason}"
        )
    course = grade.load_course(lesson.parent)
    verdicts = grade.judge_lesson(course[lesson.stem], [], tmp_path, timeout=900, memory_mib=6144)
    executed = json.loads((tmp_path / lesson.stem / "judge" / "executed.ipynb").read_text())
    errors = [
        f"{output['ename']}: {output['evalue']}"
        for cell in executed["cells"]
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors, f"{lesson.name}'s student copy raised: {errors}"
    assert_the_judge_passes(course[lesson.stem], verdicts)
