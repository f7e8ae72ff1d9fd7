"""A class on the course's JupyterHub (``make hub``), as its people use it, in Chromium.

The hub runs on 127.0.0.1 with three students and an instructor (``conftest.py``).
Each student logs in through the hub's login page, gets a server with JupyterLab,
opens lesson 01 in their ``my-work/`` (the student copy: no worked answers),
and answers its first exercise in the cell: ann rightly, ben wrongly (the
flipped kernel of a true convolution), cal not at all; each saves (Ctrl+S),
and the saved file on disk must have the answer. The instructor logs in,
opens ``grade_the_class.ipynb`` and runs its cell as it is: the hub collects
the three copies and grades them (``scripts/hub.py grade``, in the grader's
sandbox), and ``grades.csv`` must say exactly what each student did, in the
checker's own words.

A student cannot reach another student's server: ben's browser asks for ann's
JupyterLab, her notebook through the contents API and as a file, and is
answered 403 or sent to the hub, which answers 403; ann's notebook is in no
answer. The same request from ann's browser gets her notebook (so the check
looks for the right thing).

The module grades a class (the ``grades`` mark: ``make test-quick`` leaves it
out); it takes about 85 s on two busy cores, more when others load them.
"""

from __future__ import annotations

import csv
import json
import os
import re
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest
import sandbox  # scripts/
import student_copies  # scripts/

from utils.checks import check_cross_correlation

pytestmark = pytest.mark.grades

ROOT = Path(__file__).resolve().parents[2]
LESSON = "01_convolution_math"
NOTEBOOK = f"{LESSON}.ipynb"
SPAWN_TIMEOUT = 120_000  # ms, for a user's server to start and JupyterLab to show
UI_TIMEOUT = 60_000  # ms
SAVE_TIMEOUT = 30  # s, for a save to reach the disk
GRADE_TIMEOUT = 300_000  # ms, for the instructor's notebook to collect and grade

# The students' answers to exercise 1, typed into its cell as a whole.
RIGHT = """\
# ann: a window at each position, multiplied by the kernel and summed
def my_cross_correlate(image, kernel):
    k_h, k_w = kernel.shape
    out = np.zeros((image.shape[0] - k_h + 1, image.shape[1] - k_w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (image[i : i + k_h, j : j + k_w] * kernel).sum()
    return out


check_cross_correlation(my_cross_correlate)"""
WRONG = RIGHT.replace("# ann:", "# ben:").replace("* kernel).sum()", "* kernel[::-1, ::-1]).sum()")
ANSWERS = {"ann": RIGHT, "ben": WRONG, "cal": None}  # None: left as it is, saved
STUDENTS = tuple(ANSWERS)  # the hub's students (conftest.py), each with their answer


def _lesson_exercises() -> tuple[nbformat.NotebookNode, list[student_copies.Exercise]]:
    lesson = nbformat.read(ROOT / "notebooks" / NOTEBOOK, as_version=4)
    return lesson, student_copies.exercises(lesson)


def expected_verdict(answer: str | None) -> str:
    """The checker's message on an answer, run here (the grader must report the same)."""
    if answer is None:
        return check_cross_correlation(...).message
    names = {"np": np, "check_cross_correlation": check_cross_correlation}
    exec(answer, names)  # the test's own answer text
    return check_cross_correlation(names["my_cross_correlate"]).message


def saved_cells(hub, user: str) -> dict[str, str]:
    """{cell id: source} of the user's lesson 01 as saved on disk."""
    path = hub.state / "users" / user / "my-work" / NOTEBOOK
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return {cell["id"]: "".join(cell["source"]) for cell in notebook["cells"]}


# --- In the browser (these run in the browser's thread: Chromium.run) ---


def start_logging_in(page, hub, user: str) -> None:
    """The hub's login page: the name and the password typed, the button clicked."""
    page.goto(f"{hub.url}/hub/login")
    page.get_by_label("Username:").fill(user)
    page.get_by_label("Password:").fill(hub.password)
    page.get_by_role("button", name="Sign in").click()


def wait_for_jupyterlab(page, user: str) -> None:
    page.wait_for_url(f"**/user/{user}/lab**", timeout=SPAWN_TIMEOUT)
    page.locator(".jp-DirListing-item").first.wait_for(timeout=SPAWN_TIMEOUT)


def open_notebook(page, name: str):
    """Double-click ``name`` in the file browser; the notebook's panel once it shows its cells."""
    page.locator(".jp-DirListing-item", has_text=name).dblclick()
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    panel.locator(".jp-Cell").first.wait_for(timeout=UI_TIMEOUT)
    return panel


def click_into(cell) -> None:
    # The editor's top left: a notification toast may cover its right part.
    editor = cell.locator(".cm-content")
    editor.scroll_into_view_if_needed()
    editor.click(position={"x": 4, "y": 4})
    cell.locator(".cm-editor.cm-focused").wait_for(timeout=UI_TIMEOUT)  # typing goes there


def answer_and_save(page, first_line: str, answer: str | None) -> int:
    """Put ``answer`` in the exercise cell (None: leave it), press Ctrl+S; the cells shown."""
    panel = open_notebook(page, NOTEBOOK)
    cell = panel.locator(".jp-CodeCell").filter(has_text=first_line)
    click_into(cell)
    if answer is not None:
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(answer)
    page.keyboard.press("Control+S")
    return panel.locator(".jp-Cell").count()


def fetch(page, url: str, redirects: int = 20):
    """``url`` with the page's cookies: (status, the Location header, the final URL, body)."""
    answer = page.context.request.get(url, max_redirects=redirects)
    return answer.status, answer.headers.get("location", ""), answer.url, answer.text()


def grade_from_the_instructors_notebook(page) -> str:
    """Run the cell of grade_the_class.ipynb as it is; the text of its output."""
    panel = open_notebook(page, "grade_the_class.ipynb")
    page.get_by_text(re.compile(r"\| Idle$")).first.wait_for(timeout=UI_TIMEOUT)
    cell = panel.locator(".jp-CodeCell").first
    click_into(cell)
    page.keyboard.press("Shift+Enter")
    output = cell.locator(".jp-OutputArea")
    output.filter(has_text="returncode=").wait_for(timeout=GRADE_TIMEOUT)
    return output.inner_text()


# --- The fixtures: logged in, answered ---


@pytest.fixture(scope="module")
def pages(hub, chromium) -> dict:
    """Each user's browser (a context of their own) on the hub's login page, "Sign in" clicked.

    Every server starts at once, as in a class; :func:`ready` waits for one.
    """
    assert hub.students == STUDENTS
    found = {}
    for user in [*STUDENTS, hub.instructor]:
        found[user] = chromium.new_page()
        chromium.run(start_logging_in, found[user], hub, user)
    return found


def ready(hub, chromium, pages: dict, user: str):
    """``user``'s page, once JupyterLab shows their files."""
    try:
        chromium.run(wait_for_jupyterlab, pages[user], user)
    except Exception as error:
        pytest.fail(f"{user} got no JupyterLab: {error}\nThe hub's log:\n{hub.log_tail()}")
    return pages[user]


@pytest.fixture(scope="module")
def answered(hub, chromium, pages: dict) -> dict[str, tuple[dict[str, str], int]]:
    """Each student answers exercise 1 (or not) and saves, once their JupyterLab shows.

    For each: their copy as the hub made it ({cell id: source}, read before they
    typed) and the number of cells JupyterLab showed in it.
    """
    _, exercises = _lesson_exercises()
    first = exercises[0]
    found, path, modified = {}, {}, {}
    for user in STUDENTS:
        page = ready(hub, chromium, pages, user)
        path[user] = hub.state / "users" / user / "my-work" / NOTEBOOK
        modified[user] = path[user].stat().st_mtime_ns
        copy = saved_cells(hub, user)
        first_line = copy[first.cell_id].splitlines()[0]
        shown = chromium.run(answer_and_save, page, first_line, ANSWERS[user])
        found[user] = (copy, shown)
    deadline = time.monotonic() + SAVE_TIMEOUT
    for user in STUDENTS:
        expected = found[user][0][first.cell_id] if ANSWERS[user] is None else ANSWERS[user]
        while time.monotonic() < deadline:
            if path[user].stat().st_mtime_ns != modified[user]:
                try:  # the server writes the file in place: it may be half written
                    if saved_cells(hub, user).get(first.cell_id) == expected:
                        break
                except ValueError:
                    pass
            time.sleep(0.2)
        else:
            pytest.fail(f"{user}'s save did not reach {path[user]} within {SAVE_TIMEOUT} s")
    return found


# --- The tests ---


def test_each_student_works_in_a_student_copy(hub, answered):
    lesson, exercises = _lesson_exercises()
    solutions = {
        cell.id for cell in lesson.cells if student_copies.SOLUTION in student_copies.tags(cell)
    }
    assert solutions, "lesson 01 has no worked answers to leave out"
    for user, (cells, shown) in answered.items():
        assert not solutions & set(cells), f"{user}'s copy has the worked answers"
        assert {exercise.cell_id for exercise in exercises} <= set(cells), user
        assert len(cells) == len(lesson.cells) - len(solutions), user
        assert shown == len(cells), f"JupyterLab showed {user} {shown} cells of {len(cells)}"


def test_the_instructor_grades_what_the_students_saved(hub, chromium, pages, answered):
    page = ready(hub, chromium, pages, hub.instructor)
    # The instructor's copies are the lessons as they are, with the notebook that grades.
    mine = hub.state / "users" / hub.instructor / "my-work"
    assert (mine / NOTEBOOK).read_bytes() == (ROOT / "notebooks" / NOTEBOOK).read_bytes()
    assert (mine / "grade_the_class.ipynb").is_file()
    reason = sandbox.unavailable()
    if reason and os.environ.get("COURSE_REQUIRE_SANDBOX") == "1":
        pytest.fail(f"the grader's sandbox is required (COURSE_REQUIRE_SANDBOX=1): {reason}")
    if reason:
        pytest.skip(f"the grader runs submissions only in the sandbox: {reason}")
    shown = chromium.run(grade_from_the_instructors_notebook, page)
    found = re.findall(r"^grades: (\S+/grades\.csv) and ", shown, re.M)
    assert len(found) == 1, f"no 'grades: ...' line in the notebook's output:\n{shown}"
    assert "returncode=0)" in shown, shown
    collected = shown.find(f"collected {len(STUDENTS)} of {len(STUDENTS)} students into ")
    assert 0 <= collected < shown.find("grade: "), shown  # each copy collected, then graded
    grades = Path(found[0])
    assert grades.parent.parent == hub.state / "grades" / LESSON, grades
    with grades.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))

    _, exercises = _lesson_exercises()
    first = exercises[0].answer
    assert sorted((row["student"], row["exercise"]) for row in rows) == sorted(
        (student, exercise.answer) for student in STUDENTS for exercise in exercises
    )
    assert {row["lesson"] for row in rows} == {LESSON}
    verdict = {(row["student"], row["exercise"]): row for row in rows}
    for student, answer in ANSWERS.items():
        row = verdict[student, first]
        assert row["message"] == expected_verdict(answer), (student, row)
        assert row["passed"] == ("yes" if student == "ann" else "no"), (student, row)
    assert verdict["ann", first]["message"].startswith("✅ Correct"), verdict["ann", first]
    assert "the kernel is flipped" in verdict["ben", first]["message"], verdict["ben", first]
    assert "Not answered yet" in verdict["cal", first]["message"], verdict["cal", first]
    for exercise in exercises[1:]:  # the exercises nobody touched
        for student in STUDENTS:
            row = verdict[student, exercise.answer]
            assert row["passed"] == "no" and "Not answered yet" in row["message"], row


@pytest.mark.parametrize(
    "path",
    [
        "lab",
        f"lab/tree/{NOTEBOOK}",
        f"api/contents/{NOTEBOOK}",
        f"files/{NOTEBOOK}",
    ],
)
def test_a_student_cannot_open_another_students_server(hub, chromium, pages, answered, path):
    url = f"{hub.url}/user/ann/{path}"
    ann_wrote = RIGHT.splitlines()[0]  # in her saved notebook, and nowhere else
    # Ann gets the page, and her notebook where the path names the file: the checks below
    # look for what is there.
    status, _, _, body = chromium.run(fetch, pages["ann"], url)
    assert status == 200
    if path.startswith(("api/", "files/")):
        assert ann_wrote in body

    status, location, _, first_body = chromium.run(fetch, pages["ben"], url, 0)
    assert status == 403 or (status == 302 and location.startswith("/hub/")), (status, location)
    status, _, final_url, body = chromium.run(fetch, pages["ben"], url)
    assert status == 403, (status, final_url)
    assert final_url.startswith((f"{hub.url}/hub/", url)), final_url
    for text in (first_body, body):
        assert ann_wrote not in text and "my_cross_correlate" not in text
