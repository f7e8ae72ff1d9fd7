"""scripts/my_work.py: a student's copies in my-work/ survive ``git pull`` and course updates.

The scenario runs on real git clones of a tiny course made here: an "origin"
repository, the course author's clone that pushes to it, and the student's
clone that pulls from it. No TensorFlow; every test takes well under a second
or two.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import my_work  # scripts/, on pytest's pythonpath (pyproject.toml)
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

# git without the user's or the system's configuration, with a name to commit under.
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Course Author",
    "GIT_AUTHOR_EMAIL": "author@example.org",
    "GIT_COMMITTER_NAME": "Course Author",
    "GIT_COMMITTER_EMAIL": "author@example.org",
}
DATED = r"\.\d{8}-\d{6}\.ipynb"
MOMENT = datetime.datetime(2025, 3, 14, 9, 26, 53, tzinfo=datetime.UTC)


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Run git in ``cwd``; fails the test with git's output if it fails."""
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"git {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def write_lesson(path: Path, title: str, answer: str = "answer = 2 + 2") -> None:
    """A small lesson: a title, an exercise cell, and a worked answer tagged as the course does."""
    notebook = new_notebook(
        cells=[
            new_markdown_cell(f"# {title}"),
            new_code_cell("answer = ...  # your answer"),
            new_code_cell(
                f"# Exercise 1: a worked answer\n{answer}",
                metadata={
                    "tags": ["worked-answer", "solution"],
                    "jupyter": {"source_hidden": True},
                },
            ),
        ]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


def edit_answer(path: Path, source: str) -> bytes:
    """The student writes ``source`` into the exercise cell of a copy; the copy's new bytes."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[1].source = source
    nbformat.write(notebook, path)
    return path.read_bytes()


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A tiny course: three lessons, a file that is no lesson, the script and .gitignore."""
    root = tmp_path / "course"
    write_lesson(root / "notebooks/00_intro.ipynb", "Start here")
    write_lesson(root / "notebooks/01_sum.ipynb", "Sums")
    write_lesson(root / "notebooks/demo_draw.ipynb", "A demo")
    write_lesson(root / "notebooks/scratch.ipynb", "Not a lesson")
    (root / "scripts").mkdir()
    shutil.copy(ROOT / "scripts/my_work.py", root / "scripts/my_work.py")
    shutil.copy(ROOT / ".gitignore", root / ".gitignore")
    return root


def run_script(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """``python scripts/my_work.py args`` in ``cwd``, as ``make lab`` runs it."""
    return subprocess.run(
        [sys.executable, "scripts/my_work.py", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def manifest_of(root: Path) -> dict:
    """The manifest that sync wrote, as JSON."""
    return json.loads((root / "my-work/.course-manifest.json").read_text())


@needs_git
def test_a_pull_keeps_the_students_work_and_sync_brings_the_new_lessons(course, tmp_path):
    author, origin, student = course, tmp_path / "origin.git", tmp_path / "student"
    git(author, "init", "-q", "-b", "main")
    git(author, "add", ".")
    git(author, "commit", "-q", "-m", "The course")
    git(tmp_path, "clone", "-q", "--bare", str(author), str(origin))
    git(author, "remote", "add", "origin", str(origin))
    git(tmp_path, "clone", "-q", str(origin), str(student))

    first = run_script(student, "sync")
    assert first.returncode == 0, first.stderr
    assert "3 lessons in my-work/: 3 copied" in first.stdout
    work = student / "my-work"
    for name in ["00_intro.ipynb", "01_sum.ipynb", "demo_draw.ipynb"]:
        assert (work / name).read_bytes() == (student / "notebooks" / name).read_bytes()
    assert not (work / "scratch.ipynb").exists()
    mine = edit_answer(work / "01_sum.ipynb", "answer = 4  # my own answer")
    (work / "notes.txt").write_text("my notes")
    assert git(student, "status", "--porcelain", "--untracked-files=all").stdout == ""

    # The author changes lesson 01 and adds lesson 02.
    write_lesson(author / "notebooks/01_sum.ipynb", "Sums, second edition", "answer = 4")
    write_lesson(author / "notebooks/02_new.ipynb", "A new lesson")
    git(author, "add", ".")
    git(author, "commit", "-q", "-m", "Lesson 01 rewritten, lesson 02")
    git(author, "push", "-q", "origin", "main")

    pull = git(student, "pull")
    assert "CONFLICT" not in pull.stdout + pull.stderr
    assert (student / "notebooks/02_new.ipynb").exists()
    assert (work / "01_sum.ipynb").read_bytes() == mine

    second = run_script(student, "sync")
    assert second.returncode == 0, second.stderr
    assert "copied 02_new.ipynb" in second.stdout
    assert second.stdout.count("01_sum.ipynb changed in the course") == 1
    assert "make update-lesson LESSON=01_sum\n" in second.stdout
    summary = "4 lessons in my-work/: 1 copied, 1 changed in the course (yours kept), 2 up to date."
    assert summary in second.stdout
    assert (work / "01_sum.ipynb").read_bytes() == mine
    assert (work / "02_new.ipynb").read_bytes() == (student / "notebooks/02_new.ipynb").read_bytes()
    assert (work / "notes.txt").read_text() == "my notes"

    updated = run_script(student, "update", "01_sum")
    assert updated.returncode == 0, updated.stderr
    kept = [path for path in work.iterdir() if re.fullmatch(r"01_sum" + DATED, path.name)]
    assert len(kept) == 1, sorted(path.name for path in work.iterdir())
    assert kept[0].read_bytes() == mine
    assert f"your copy is kept as my-work/{kept[0].name}" in updated.stdout
    lesson = student / "notebooks/01_sum.ipynb"
    assert (work / "01_sum.ipynb").read_bytes() == lesson.read_bytes()
    assert manifest_of(student)["lessons"]["01_sum.ipynb"]["sha256"] == my_work.sha256_of(lesson)

    third = run_script(student, "sync")
    assert "01_sum.ipynb changed" not in third.stdout
    assert "0 copied, 0 changed in the course, 4 up to date." in third.stdout
    assert git(student, "status", "--porcelain", "--untracked-files=all").stdout == ""


def test_the_manifest_records_each_copy(course):
    assert my_work.sync(course, now=lambda: MOMENT) == 0
    manifest = manifest_of(course)
    assert manifest["format"] == 1 and manifest["copies"] == "lessons"
    assert sorted(manifest["lessons"]) == ["00_intro.ipynb", "01_sum.ipynb", "demo_draw.ipynb"]
    entry = manifest["lessons"]["00_intro.ipynb"]
    assert entry == {
        "sha256": my_work.sha256_of(course / "notebooks/00_intro.ipynb"),
        "copies": "lessons",
        "time": "2025-03-14T09:26:53+00:00",
    }


def _without_answers(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A stand-in for student_copies.student_notebook: the cells tagged solution removed."""
    notebook.cells = [
        cell for cell in notebook.cells if "solution" not in cell.metadata.get("tags", [])
    ]
    return notebook


def _tags(path: Path) -> list[list[str]]:
    return [cell.metadata.get("tags", []) for cell in nbformat.read(path, as_version=4).cells]


def test_student_copies_leave_the_answers_out_and_are_remembered(course, monkeypatch, capsys):
    fake = types.ModuleType("student_copies")
    fake.student_notebook = _without_answers
    monkeypatch.setitem(sys.modules, "student_copies", fake)

    assert my_work.sync(course, copies="student") == 0
    copy = course / "my-work/01_sum.ipynb"
    assert _tags(copy) == [[], []]
    assert nbformat.read(copy, as_version=4).cells[0].source == "# Sums"
    assert manifest_of(course)["copies"] == "student"
    assert manifest_of(course)["lessons"]["01_sum.ipynb"]["copies"] == "student"

    write_lesson(course / "notebooks/02_new.ipynb", "New")
    assert my_work.sync(course) == 0  # no --copies: the remembered way
    assert _tags(course / "my-work/02_new.ipynb") == [[], []]

    student_copy = copy.read_bytes()
    write_lesson(course / "notebooks/03_newer.ipynb", "Newer")
    capsys.readouterr()
    assert my_work.sync(course, copies="lessons") == 0
    assert "the copies you have are kept as they are" in capsys.readouterr().out
    newer = course / "my-work/03_newer.ipynb"
    assert newer.read_bytes() == (course / "notebooks/03_newer.ipynb").read_bytes()
    assert copy.read_bytes() == student_copy
    assert manifest_of(course)["copies"] == "lessons"


def test_student_copies_with_the_real_student_notebook(course):
    pytest.importorskip("student_copies", reason="scripts/student_copies.py is not written yet")
    assert my_work.sync(course, copies="student") == 0
    copy = nbformat.read(course / "my-work/01_sum.ipynb", as_version=4)
    nbformat.validate(copy)
    assert all("solution" not in tags for tags in _tags(course / "my-work/01_sum.ipynb"))
    assert copy.cells[0].source == "# Sums"


def test_student_copies_without_their_module_is_a_clear_error(course, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "student_copies", None)  # import fails
    assert my_work.main(["--root", str(course), "sync", "--copies=student"]) == 1
    error = capsys.readouterr().err
    assert "student copies need scripts/student_copies.py" in error
    assert "make lab COPIES=lessons" in error


@pytest.mark.parametrize("value", ["answers", "Student", ""])
def test_an_unknown_way_of_making_copies_is_an_error_naming_it(course, capsys, value):
    assert my_work.main(["--root", str(course), "sync", f"--copies={value}"]) == 1
    error = capsys.readouterr().err
    assert f"{value!r} is not a way of making copies" in error
    assert "COPIES=lessons" in error and "COPIES=student" in error
    assert not (course / "my-work").exists()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "it is not valid JSON"),
        ("[]", "it must be a JSON object, got list"),
        ('{"format": 1, "copies": "lessons"}', '"lessons" must be an object, got null'),
        (
            '{"format": 1, "copies": "all", "lessons": {}}',
            "\"copies\" must be one of ['lessons', 'student'], got \"all\"",
        ),
        (
            '{"format": 1, "copies": "lessons", "lessons": {"01_sum.ipynb": '
            '{"sha256": "abc", "copies": "lessons", "time": "now"}}}',
            '"lessons" → "01_sum.ipynb" → "sha256" must be 64 hexadecimal digits, got "abc"',
        ),
        (
            '{"format": 1, "copies": "lessons", "lessons": {"01_sum.ipynb": {}}}',
            '"lessons" → "01_sum.ipynb" must have exactly the keys "sha256", "copies" and '
            '"time", got []',
        ),
    ],
)
def test_a_damaged_manifest_is_an_error_that_changes_nothing(course, capsys, text, problem):
    assert my_work.sync(course) == 0
    work = course / "my-work"
    mine = edit_answer(work / "01_sum.ipynb", "answer = 4")
    (work / "00_intro.ipynb").unlink()
    manifest = work / ".course-manifest.json"
    manifest.write_text(text)
    capsys.readouterr()

    assert my_work.main(["--root", str(course), "sync"]) == 1
    error = capsys.readouterr().err
    assert f"{manifest} is damaged: {problem}" in error
    assert f"rm {manifest}" in error
    assert manifest.read_text() == text
    assert (work / "01_sum.ipynb").read_bytes() == mine
    assert not (work / "00_intro.ipynb").exists()
    assert my_work.main(["--root", str(course), "update", "01_sum"]) == 1
    assert (work / "01_sum.ipynb").read_bytes() == mine


def test_without_a_manifest_copies_are_kept_and_those_that_differ_are_said_once(course, capsys):
    assert my_work.sync(course) == 0
    work = course / "my-work"
    mine = edit_answer(work / "01_sum.ipynb", "answer = 4")
    (work / ".course-manifest.json").unlink()
    capsys.readouterr()

    assert my_work.sync(course) == 0
    out = capsys.readouterr().out
    assert "01_sum.ipynb has no record of the lesson version" in out
    assert "make update-lesson LESSON=01_sum" in out
    assert "00_intro.ipynb" not in out  # the same as the lesson: nothing to say
    assert "3 lessons in my-work/: 0 copied, 0 changed in the course, 1 differ" in out
    assert (work / "01_sum.ipynb").read_bytes() == mine
    lesson_sha = my_work.sha256_of(course / "notebooks/01_sum.ipynb")
    assert manifest_of(course)["lessons"]["01_sum.ipynb"]["sha256"] == lesson_sha

    assert my_work.sync(course) == 0
    assert "01_sum.ipynb" not in capsys.readouterr().out


def test_a_deleted_copy_is_copied_again(course, capsys):
    assert my_work.sync(course) == 0
    copy = course / "my-work/00_intro.ipynb"
    copy.unlink()
    capsys.readouterr()
    assert my_work.sync(course) == 0
    assert "copied 00_intro.ipynb again: it was no longer in my-work/" in capsys.readouterr().out
    assert copy.read_bytes() == (course / "notebooks/00_intro.ipynb").read_bytes()


def test_a_lesson_removed_from_the_course_leaves_its_copy_and_is_said_once(course, capsys):
    assert my_work.sync(course) == 0
    (course / "notebooks/demo_draw.ipynb").unlink()
    copy = course / "my-work/demo_draw.ipynb"
    before = copy.read_bytes()
    capsys.readouterr()
    assert my_work.sync(course) == 0
    said = "demo_draw.ipynb is no longer a lesson of the course; my-work/demo_draw.ipynb is left"
    assert said in capsys.readouterr().out
    assert copy.read_bytes() == before
    assert my_work.sync(course) == 0
    assert "demo_draw" not in capsys.readouterr().out
    assert copy.read_bytes() == before


def test_a_changed_lesson_is_never_overwritten_by_sync(course, capsys):
    assert my_work.sync(course) == 0
    mine = edit_answer(course / "my-work/01_sum.ipynb", "answer = 4")
    write_lesson(course / "notebooks/01_sum.ipynb", "Sums, second edition")
    for _ in range(2):  # said on every sync until it is updated
        assert my_work.sync(course) == 0
        out = capsys.readouterr().out
        assert out.count("01_sum.ipynb changed in the course since your copy was made") == 1
        assert (course / "my-work/01_sum.ipynb").read_bytes() == mine


def test_update_never_overwrites_an_existing_dated_file(course, capsys):
    assert my_work.sync(course) == 0
    work = course / "my-work"
    mine = edit_answer(work / "01_sum.ipynb", "answer = 4")
    write_lesson(course / "notebooks/01_sum.ipynb", "Sums, second edition")
    taken = my_work.dated_name(work / "01_sum.ipynb", MOMENT)
    assert re.fullmatch(r"01_sum" + DATED, taken.name)
    taken.write_bytes(b"an older copy of mine")

    assert my_work.update("01_sum", course, now=lambda: MOMENT) == 0
    assert taken.read_bytes() == b"an older copy of mine"
    second = taken.with_stem(taken.stem + "-2")
    assert second.read_bytes() == mine
    lesson = (course / "notebooks/01_sum.ipynb").read_bytes()
    assert (work / "01_sum.ipynb").read_bytes() == lesson

    assert my_work.update("01_sum.ipynb", course, now=lambda: MOMENT) == 0  # the same second
    assert taken.read_bytes() == b"an older copy of mine"
    assert second.read_bytes() == mine
    assert taken.with_stem(taken.stem + "-3").read_bytes() == lesson


def test_update_all_takes_every_changed_lesson_and_only_those(course, capsys):
    assert my_work.sync(course) == 0
    work = course / "my-work"
    intro = edit_answer(work / "00_intro.ipynb", "answer = 1")
    mine = edit_answer(work / "01_sum.ipynb", "answer = 4")
    write_lesson(course / "notebooks/01_sum.ipynb", "Sums, second edition")
    assert my_work.update("all", course) == 0
    assert (work / "00_intro.ipynb").read_bytes() == intro
    assert [p.read_bytes() for p in work.glob("01_sum.*-*.ipynb")] == [mine]
    capsys.readouterr()
    assert my_work.update("all", course) == 0
    assert "no lesson changed in the course" in capsys.readouterr().out


def test_update_of_an_unknown_lesson_names_the_lessons(course, capsys):
    assert my_work.sync(course) == 0
    assert my_work.main(["--root", str(course), "update", "07_nothing"]) == 1
    error = capsys.readouterr().err
    assert "'07_nothing' is not a lesson of the course" in error
    assert "00_intro, 01_sum, demo_draw" in error
    assert my_work.main(["--root", str(course), "update"]) == 1
    assert "make update-lesson LESSON=" in capsys.readouterr().err


def _make_dry_run(*args: str) -> list[str]:
    """The commands that ``make -n args`` would run in the course's checkout."""
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def _index(lines: list[str], text: str) -> int:
    found = [i for i, line in enumerate(lines) if text in line]
    assert len(found) == 1, f"{text!r} in {lines}"
    return found[0]


@needs_make
def test_make_lab_syncs_my_work_then_opens_it():
    lines = _make_dry_run("lab")
    check = _index(lines, "scripts/check_lab_args.py")
    sync = _index(lines, "scripts/my_work.py sync")
    lab = _index(lines, "jupyter lab")
    assert check < sync < lab
    assert lines[sync].split()[1:] == ["scripts/my_work.py", "sync"]
    assert "--ServerApp.root_dir=my-work" in lines[lab]
    student = _make_dry_run("lab", "COPIES=student")
    assert student[_index(student, "my_work.py sync")].endswith("sync --copies=student")


@needs_make
def test_make_lab_authors_opens_the_stored_lessons_without_sync():
    lines = _make_dry_run("lab-authors")
    assert _index(lines, "scripts/check_lab_args.py") < _index(lines, "jupyter lab")
    assert "--ServerApp.root_dir=notebooks" in lines[_index(lines, "jupyter lab")]
    assert not any("my_work.py" in line for line in lines)


@needs_make
def test_make_update_lesson_runs_update():
    lines = _make_dry_run("update-lesson", "LESSON=04_relu_pooling_invariance")
    assert lines[-1].endswith("scripts/my_work.py update 04_relu_pooling_invariance")
