"""Grade a class: ``make grade SUBMISSIONS=dir`` runs each submitted notebook, judges each exercise.

``dir`` holds one folder per student (the folder's name is the student), each
with any of the student notebooks (``make student``), completed. A
submission is untrusted code, and is treated so:

- **What runs.** The lesson's student copy, cell for cell, in the lesson's
  order, with the student's version of each exercise cell (matched by cell
  id) and the code cells the student added, each after the lesson's cell it
  followed. The student's edits to the lesson's own cells are not used, and
  cells deleted or reordered are reported.
- **Where.** Each notebook in a fresh kernel, inside the jail of
  ``scripts/sandbox.py``: offline, without capabilities, with everything
  read-only except a work folder of its own (made afresh, and kept under
  ``build/grades/work/`` for a look afterwards), the submissions, the grades,
  the homes and ``/run`` shown empty, its own process namespace, a time limit
  (``--timeout``), a memory limit (``--memory``, the resident memory of its
  processes, looked at every 0.2 s, and where the machine allows a cgroup, a
  hard limit 1 GiB above it that also counts files kept in memory, and at
  most 1,024 processes) and a limit on what it writes, over the whole
  notebook; a notebook that passes one is stopped and reported, and the
  next one starts. What it wrote is read back as untrusted: plain files only,
  links not followed, sizes measured first.
- **Who judges.** Not the notebook: after each exercise cell a grader cell
  hands the answer over in a form that carries no code (``scripts/grading.py``),
  and a judge kernel, which runs the lesson's own student copy, calls the
  course's checker on it. A student who redefines or removes a checker call,
  or patches the checker in their kernel, changes nothing but the answer.

It writes ``build/grades/grades.csv`` (student, lesson, exercise, passed,
message) and ``build/grades/index.html`` (students by exercises, offline),
and prints a summary. The grader needs the sandbox: where Linux namespaces
are not allowed it says so and grades nothing.

Notebooks run side by side, ``--jobs`` of them: by default (``auto``) as many
as the cores this process may use and as the memory available holds at
``--memory`` each (:func:`choose_jobs`); it prints how many, and why. Side by
side, each notebook gets its share of the cores as ``OMP_NUM_THREADS``
(:func:`notebook_threads`): two NumPy thread pools each spinning on both of
2 cores made lesson 09 take three times as long.

Usage: ``python scripts/grade.py SUBMISSIONS [--out build/grades]
[--timeout 600] [--memory 4096] [--jobs auto] [--lessons notebooks]``.
"""

from __future__ import annotations

import argparse
import ast
import csv
import html
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import grading  # scripts/, beside this file
import nbformat
import psutil
import sandbox  # scripts/, beside this file
import student_copies

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = Path(__file__).resolve().parent
MAX_NOTEBOOK_BYTES = 50 << 20
"""The largest submitted notebook the grader reads (50 MiB)."""
_POLL = 0.2  # seconds between two looks at a running notebook's time and memory
_GRADER = "_course_grading"  # the grader's module, as the kernels know it
_GRADER_IMPORT = f"import sys\nsys.path.insert(0, {str(SCRIPTS)!r})\nimport grading as {_GRADER}"


def _notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    """A notebook of ``cells`` for the course's kernel."""
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": kernel})


@dataclass
class Lesson:
    """A lesson as the grader needs it: its student copy, exercises and own answers."""

    name: str
    student: nbformat.NotebookNode
    exercises: list[student_copies.Exercise]
    answers: dict[str, str]


@dataclass
class Submission:
    """One student's notebook for one lesson, and what the grader found out about it."""

    student: str
    lesson: str
    key: str  # the folder its work goes to, and its name in the judge's answers
    notebook: nbformat.NotebookNode | None = None
    problem: str = ""  # why it cannot be graded at all
    notes: list[str] = field(default_factory=list)  # said beside every exercise's verdict
    exercise_notes: dict[str, list[str]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)  # exercise cells not in the notebook
    stopped: str = ""  # why the run stopped early, if it did
    reached: int = -1  # the last cell that finished, in the notebook that ran
    capture_cells: dict[str, int] = field(default_factory=dict)
    graded: nbformat.NotebookNode | None = None  # the notebook the grader ran


def read_lesson(path: Path) -> Lesson | None:
    """The lesson ``path`` with its student copy, or None when it has no exercise."""
    notebook = nbformat.read(path, as_version=4)
    exercises = student_copies.exercises(notebook)
    if not exercises:
        return None
    return Lesson(
        name=Path(path).stem,
        student=student_copies.student_notebook(notebook),
        exercises=exercises,
        answers=student_copies.lesson_answers(notebook),
    )


def load_course(folder: Path) -> dict[str, Lesson]:
    """Every lesson in ``folder`` (``NN_*.ipynb``) with its student copy."""
    lessons = (read_lesson(path) for path in sorted(Path(folder).glob("[0-9][0-9]_*.ipynb")))
    return {lesson.name: lesson for lesson in lessons if lesson is not None}


# --- reading a submission ------------------------------------------------------------


def read_untrusted(path: Path, limit: int) -> bytes | None:
    """The bytes of a file a notebook may have written, or None.

    None when it is missing, a link (followed by nobody: a link to a secret
    must not leak it into the grades), not a regular file, or over ``limit``.
    """
    try:
        return grading.read_plain_file(path, limit)
    except (OSError, grading.AnswerError):
        return None


def read_submission(path: Path) -> tuple[nbformat.NotebookNode | None, str]:
    """(the notebook, "") or (None, what is wrong with the file), never an exception."""
    try:
        info = path.lstat()
    except OSError as error:
        return None, f"the file cannot be read: {error.strerror}"
    if not stat.S_ISREG(info.st_mode):
        return None, "not a regular file (a link or a folder): not read"
    if info.st_size > MAX_NOTEBOOK_BYTES:
        return (
            None,
            f"the file is {info.st_size >> 20} MiB, over the {MAX_NOTEBOOK_BYTES >> 20} MiB limit",
        )
    raw = read_untrusted(path, MAX_NOTEBOOK_BYTES)
    if raw is None:
        return None, "the file changed or could not be read while the grader read it"
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "not a notebook: the file is not UTF-8 text"
    except json.JSONDecodeError as error:
        return None, f"not a notebook: invalid JSON ({error.msg}, line {error.lineno})"
    except RecursionError:
        return None, "not a notebook: the JSON is nested too deeply"
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        return None, "not a notebook: there is no list of cells"
    for cell in cells:
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            cell["source"] = "".join(source)
        elif not isinstance(source, str):
            return None, "not a notebook: a cell's source is not text"
        if cell.get("cell_type") not in ("code", "markdown", "raw"):
            return None, "not a notebook: a cell of an unknown type"
        if not isinstance(cell.get("id", ""), str):
            return None, "not a notebook: a cell id is not text"
    return nbformat.from_dict(
        {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    ), ""


def _defined_names(source: str) -> set[str]:
    """Names a cell binds (assignments, defs, imports, attributes); none if it does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
    return names


def _calls(source: str, name: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
        for node in ast.walk(tree)
    )


def _same_text(lesson: Lesson, cells: dict) -> int:
    """How many of ``lesson``'s markdown cells ``cells`` (by id) holds with the same text."""
    return sum(
        1
        for cell in lesson.student.cells
        if cell.cell_type == "markdown"
        and cell.id in cells
        and cells[cell.id].get("source", "") == cell.source
    )


def assemble(
    lesson: Lesson, submission: Submission, course: dict[str, Lesson]
) -> nbformat.NotebookNode | None:
    """The notebook the grader runs for ``submission``, or None (with ``problem`` set)."""
    mine = submission.notebook
    course_ids = [cell.id for cell in lesson.student.cells]
    by_id = {cell.get("id"): cell for cell in mine.cells if cell.get("id")}
    # Lessons share cell ids ("cell-07"), so a lesson is known by its text: how many of
    # its markdown cells are in the notebook, unchanged, under their own ids.
    shared = _same_text(lesson, by_id)
    if shared < _same_text(lesson, {cell.id: cell for cell in lesson.student.cells}) / 2:
        overlaps = {name: _same_text(other, by_id) for name, other in course.items()}
        best = max(overlaps, key=overlaps.get, default="")
        if best and best != lesson.name and overlaps[best] > shared:
            submission.problem = f"this is the notebook of {best}, not of {lesson.name}: not graded"
        else:
            submission.problem = (
                f"this is not {lesson.name}'s notebook: most of its text is not in it: not graded"
            )
        return None
    order = [cell.get("id") for cell in mine.cells if cell.get("id") in set(course_ids)]
    if order != sorted(order, key=course_ids.index):
        submission.notes.append(
            "The notebook's cells were reordered; it was graded in the lesson's order."
        )
    missing = [cid for cid in course_ids if cid not in by_id]
    exercise_ids = {exercise.cell_id: exercise for exercise in lesson.exercises}
    submission.deleted = {cid for cid in missing if cid in exercise_ids}
    checkers = {exercise.checker for exercise in lesson.exercises}
    # The student's own code cells, each after the lesson's cell it followed.
    added: dict[str | None, list[str]] = {}
    previous = None
    for cell in mine.cells:
        cid = cell.get("id")
        if cid in set(course_ids):
            previous = cid
        elif cell.get("cell_type") == "code" and cell.get("source", "").strip():
            added.setdefault(previous, []).append(cell["source"])
    redefined = set()
    cells = [nbformat.v4.new_code_cell(_GRADER_IMPORT)]
    for source in added.get(None, []):
        cells.append(nbformat.v4.new_code_cell(source))
        redefined |= _defined_names(source) & checkers
    for cell in lesson.student.cells:
        exercise = exercise_ids.get(cell.id)
        if exercise is None:
            if cell.cell_type == "code":
                cells.append(nbformat.v4.new_code_cell(cell.source))
        else:
            notes = submission.exercise_notes.setdefault(exercise.answer, [])
            if cell.id in submission.deleted:
                # Its setup lines run (later cells may need them), not its "answer = ...",
                # which would undo an answer the student wrote in a cell of their own.
                notes.append("The exercise's cell was deleted from the notebook.")
                source = exercise.setup
            else:
                source = by_id[cell.id].get("source", "")
                if by_id[cell.id].get("cell_type") != "code":
                    notes.append("The exercise's cell was turned into text.")
                    source = cell.source
                elif not _calls(source, exercise.checker):
                    notes.append(
                        f"The cell no longer calls {exercise.checker}; "
                        "the course's checker graded it."
                    )
            redefined |= _defined_names(source) & checkers
            cells.append(nbformat.v4.new_code_cell(source))
        for source in added.get(cell.id, []):
            cells.append(nbformat.v4.new_code_cell(source))
            redefined |= _defined_names(source) & checkers
        if exercise is not None:
            call = (
                f"{_GRADER}.capture(globals(), {exercise.answer!r}, {exercise.checker!r}, "
                f"{exercise.call!r}, {('answers/' + exercise.answer)!r})"
            )
            submission.capture_cells[exercise.answer] = len(cells)
            cells.append(nbformat.v4.new_code_cell(call))
    for exercise in lesson.exercises:
        if exercise.checker in redefined:
            submission.exercise_notes.setdefault(exercise.answer, []).append(
                f"The notebook defines its own {exercise.checker}; the course's checker graded it."
            )
    return _notebook(cells)


JUDGE_FOLDER = "COURSE_JUDGE_DIR"
"""The variable that asks the lessons' own run under nbval for the judge's verdicts, and where."""


def judge_cell(
    lesson: Lesson, exercise: student_copies.Exercise, captures: dict[str, str], out: str
) -> str:
    """The source of the judge's cell after ``exercise``: its verdicts go to the JSON ``out``.

    The judge's notebook runs one after each exercise cell; the lessons' own run
    under nbval (``conftest.py``) runs one there too, with no captured answers.
    """
    spec = {"answer": exercise.answer, "checker": exercise.checker, "call": exercise.call}
    return (
        f"{_GRADER_IMPORT}\n{_GRADER}.judge(globals(), {spec!r}, "
        f"{lesson.answers[exercise.cell_id]!r}, {captures!r}, {out!r})"
    )


def verdicts_file(exercise: student_copies.Exercise) -> str:
    """The name of the file the judge writes its verdicts on ``exercise`` to."""
    return f"verdicts_{exercise.answer}.json"


def read_verdicts(lesson: Lesson, work: Path) -> dict[str, dict]:
    """``{exercise: {key: verdict}}`` from the judge's files in ``work`` (``{}`` where none)."""
    verdicts = {}
    for exercise in lesson.exercises:
        try:
            text = read_untrusted(work / verdicts_file(exercise), 10 << 20)
            verdicts[exercise.answer] = json.loads(text or b"{}")
        except (OSError, ValueError):
            verdicts[exercise.answer] = {}
    return verdicts


def judge_notebook(lesson: Lesson, keys: list[str]) -> nbformat.NotebookNode:
    """The judge's notebook: the lesson's student copy with a judge cell after each exercise.

    Each judge cell imports the grader itself (:func:`judge_cell`).
    """
    cells = []
    exercise_ids = {exercise.cell_id: exercise for exercise in lesson.exercises}
    for cell in lesson.student.cells:
        if cell.cell_type != "code":
            continue
        cells.append(nbformat.v4.new_code_cell(cell.source))
        exercise = exercise_ids.get(cell.id)
        if exercise is not None:
            captures = {key: f"captures/{key}/answers/{exercise.answer}" for key in keys}
            source = judge_cell(lesson, exercise, captures, verdicts_file(exercise))
            cells.append(nbformat.v4.new_code_cell(source))
    return _notebook(cells)


# --- running a notebook in the jail ---------------------------------------------------


MAX_WORK_BYTES = 2 << 30
"""The most a notebook may write into its work folder (2 GiB), checked every 5 s."""
MAX_WORK_FILES = 20_000
"""The most files and folders a notebook may make in its work folder."""
MAX_ANSWER_BYTES = 512 << 20
"""The most a notebook's handed-over answers may hold (512 MiB), or none are read."""


def _too_much_written(work: Path) -> bool:
    total = count = 0
    for folder, folders, files in os.walk(work):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                pass
        count += len(files) + len(folders)
        if total > MAX_WORK_BYTES or count > MAX_WORK_FILES:
            return True
    return False


def copy_untrusted(source: Path, target: Path) -> bool:
    """Copy a folder a notebook wrote, its regular files and folders only; False if refused.

    Links, FIFOs, sockets and devices are left behind (a link could lead the
    judge to another student's answers or to a file of the machine), and a
    folder of more than :data:`MAX_WORK_FILES` entries or
    :data:`MAX_ANSWER_BYTES` is not copied at all.
    """
    try:
        if not stat.S_ISDIR(os.lstat(source).st_mode):
            return False
    except OSError:
        return False
    plan: list[tuple[Path, Path | None]] = []  # (target, source file or None for a folder)
    total = 0
    stack = [(source, target)]
    while stack:
        here, there = stack.pop()
        plan.append((there, None))
        try:
            entries = list(os.scandir(here))
        except OSError:
            return False
        for entry in entries:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                stack.append((Path(entry.path), there / entry.name))
            elif stat.S_ISREG(info.st_mode):
                plan.append((there / entry.name, Path(entry.path)))
                total += info.st_size
            if len(plan) > MAX_WORK_FILES or total > MAX_ANSWER_BYTES:
                return False
    for path, origin in plan:
        if origin is None:
            path.mkdir(parents=True, exist_ok=True)
            continue
        data = read_untrusted(origin, MAX_ANSWER_BYTES)
        if data is not None:
            path.write_bytes(data)
    return True


def run_in_jail(
    notebook: nbformat.NotebookNode,
    work: Path,
    timeout: float,
    memory_mib: int,
    inputs: dict[str, Path] | None = None,
    hide: list[Path] = (),
    threads: int = 0,
) -> tuple[str, int]:
    """Run ``notebook`` in a fresh kernel in the jail, in ``work``: (why it stopped, last cell run).

    The reason is "" when it ran to the end (cells that raised are allowed and
    recorded in ``work/executed.ipynb``). ``inputs`` are folders a notebook
    wrote, copied into ``work`` as :func:`copy_untrusted` does; ``hide`` are
    folders the jail shows empty; ``threads``, if not 0, the notebook's
    ``OMP_NUM_THREADS``.
    """
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for name, source in (inputs or {}).items():
        copy_untrusted(source, work / name)
    nbformat.write(notebook, work / "graded.ipynb")
    command = sandbox.jail(
        [sys.executable, str(Path(__file__).resolve()), "--run", "graded.ipynb"], work, hide
    )
    # The cgroups' limit is a backstop above the polled one, for what polling misses.
    limits = sandbox.Limits((memory_mib << 20) + (1 << 30))
    try:
        return _watch(limits.wrap(command), work, timeout, memory_mib, limits, threads)
    finally:
        limits.remove()


def _watch(
    command: list[str],
    work: Path,
    timeout: float,
    memory_mib: int,
    limits: sandbox.Limits,
    threads: int = 0,
) -> tuple[str, int]:
    """Run ``command``, stopped at its time, memory or disk limit: (why it stopped, last cell)."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONDONTWRITEBYTECODE": "1"}
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    start = time.monotonic()
    with (work / "stderr.txt").open("wb") as errors:
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=errors, env=env, start_new_session=True
        )
    limit = memory_mib << 20
    reason = ""
    polls = 0
    while process.poll() is None:
        time.sleep(_POLL)
        try:
            used = sandbox.resident_bytes(sandbox.process_tree(psutil.Process(process.pid)))
        except psutil.NoSuchProcess:
            continue
        polls += 1
        if used > limit:
            reason = f"it used more than its {memory_mib} MiB of memory"
        elif polls % 25 == 0 and _too_much_written(work):
            reason = f"it wrote more than {MAX_WORK_BYTES >> 30} GiB or {MAX_WORK_FILES:,} files"
        elif time.monotonic() - start > timeout:
            reason = f"it ran past its {timeout:g} s time limit"
        if reason:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            break
    reached = _last_cell(work)
    if not reason and limits.hit_memory():
        reason = f"it used more than its {memory_mib} MiB of memory"
    if not reason and process.returncode != 0:
        status = _status(work)
        reason = status or f"the notebook's run ended abnormally (exit status {process.returncode})"
    return reason, reached


def _last_cell(work: Path) -> int:
    try:
        return int((read_untrusted(work / "progress.txt", 20) or b"-1").decode())
    except (OSError, ValueError):
        return -1


def _status(work: Path) -> str:
    try:
        return (read_untrusted(work / "status.txt", 500) or b"").decode(errors="replace")
    except OSError:
        return ""


def _write_own(path: str, text: str) -> None:
    """Write ``path`` afresh: whatever a notebook put there (a link) is replaced, not followed."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    with open(path, "x", encoding="utf-8") as file:
        file.write(text)


def _run_here(path: str) -> int:
    """Inside the jail: execute ``path`` in a fresh kernel, cell by cell, errors allowed."""
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    notebook = nbformat.read(path, as_version=4)
    last = [-1]

    def done(cell, cell_index, execute_reply):  # nbclient's hook, after each cell
        last[0] = cell_index
        _write_own("progress.txt", str(cell_index))

    client = NotebookClient(
        notebook,
        timeout=None,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": "."}},
        on_cell_executed=done,
    )
    try:
        client.execute()
    except DeadKernelError:
        _write_own("status.txt", "its kernel died")
        return 3
    finally:
        _write_own("executed.ipynb", nbformat.writes(notebook))
    return 0


# --- the verdicts -----------------------------------------------------------------------


def _cell_error(work: Path, index: int) -> str:
    """The exception a cell of the executed notebook raised, in a line, or ""."""
    try:
        raw = read_untrusted(work / "executed.ipynb", MAX_NOTEBOOK_BYTES)
        cells = json.loads(raw or b"{}")["cells"]
        for output in cells[index].get("outputs", []):
            if output.get("output_type") == "error":
                return f"{str(output.get('ename'))[:100]}: {str(output.get('evalue'))[:300]}"
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        pass
    return ""


def _short(source: str) -> str:
    line = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."


def grade(
    submissions: Path,
    out: Path,
    course: dict[str, Lesson],
    timeout: float = 600,
    memory_mib: int = 4096,
    jobs: int = 1,
) -> list[dict]:
    """Grade every student folder in ``submissions``; the rows of the CSV, in order.

    ``jobs`` notebooks run side by side, each with its own time and memory
    limit and, if more than one, its share of the cores (:func:`notebook_threads`).
    """
    students = sorted(
        entry
        for entry in submissions.iterdir()
        if entry.is_dir() and not entry.is_symlink() and not entry.name.startswith(".")
    )
    rows: list[dict] = []
    work_root = out / "work"
    hide = [submissions.resolve(), out.resolve()]  # no notebook sees the others' work
    if work_root.exists():
        shutil.rmtree(work_root)
    by_lesson: dict[str, list[Submission]] = {}
    order: list[tuple[str, str, Submission | None, str]] = []
    runs: list[tuple[Submission, nbformat.NotebookNode]] = []
    for number, folder in enumerate(students):
        files = sorted(folder.iterdir(), key=lambda path: path.name)
        for path in files:
            if not path.name.endswith(".ipynb"):
                continue
            lesson_name = path.name[: -len(".ipynb")]
            if lesson_name not in course:
                order.append(
                    (
                        folder.name,
                        path.name,
                        None,
                        "not a lesson of this course with exercises: not graded",
                    )
                )
                continue
            key = f"s{number:04d}"
            submission = Submission(student=folder.name, lesson=lesson_name, key=key)
            submission.notebook, submission.problem = read_submission(path)
            if submission.notebook is not None:
                graded = assemble(course[lesson_name], submission, course)
                if graded is not None:
                    submission.graded = graded
                    runs.append((submission, graded))
                    by_lesson.setdefault(lesson_name, []).append(submission)
            order.append((folder.name, lesson_name, submission, ""))

    threads = notebook_threads(_cores(), jobs)

    def run(job: tuple[Submission, nbformat.NotebookNode]) -> None:
        submission, graded = job
        print(f"grade: {submission.student} / {submission.lesson} ...", flush=True)
        work = work_root / submission.lesson / submission.key
        submission.stopped, submission.reached = run_in_jail(
            graded, work, timeout, memory_mib, hide=hide, threads=threads
        )

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(run, runs))
    verdicts = {
        name: judge_lesson(course[name], subs, work_root, timeout, memory_mib, hide=hide)
        for name, subs in by_lesson.items()
    }
    for student, lesson_name, submission, problem in order:
        if submission is None:
            rows.append(
                {
                    "student": student,
                    "lesson": lesson_name,
                    "exercise": "",
                    "passed": False,
                    "message": problem,
                }
            )
            continue
        for exercise in course[lesson_name].exercises:
            passed, message = _row(submission, exercise, verdicts.get(lesson_name, {}), work_root)
            rows.append(
                {
                    "student": student,
                    "lesson": lesson_name,
                    "exercise": exercise.answer,
                    "passed": passed,
                    "message": message,
                }
            )
    return rows


def _row(
    submission: Submission, exercise: student_copies.Exercise, verdicts: dict, work_root: Path
) -> tuple[bool, str]:
    if submission.problem:
        return False, submission.problem
    notes = [*submission.exercise_notes.get(exercise.answer, []), *submission.notes]
    work = work_root / submission.lesson / submission.key
    capture_cell = submission.capture_cells.get(exercise.answer, -1)
    if submission.stopped and submission.reached < capture_cell:
        cells, index = submission.graded.cells, max(submission.reached + 1, 0)
        running = cells[index].source if index < len(cells) else ""
        where = f" in the cell `{_short(running)}`" if running else ""
        return False, " ".join(
            [f"Not graded: the notebook was stopped{where}, because {submission.stopped}.", *notes]
        )
    verdict = verdicts.get(exercise.answer, {}).get(submission.key)
    if verdict is None:
        return False, " ".join(["Not graded: the judge gave no verdict.", *notes])
    error = _cell_error(work, capture_cell - 1) if capture_cell > 0 else ""
    if error and not verdict["passed"]:
        notes.insert(0, f"The exercise's cell raised {error}.")
    return bool(verdict["passed"]), " ".join([verdict["message"], *notes])


def judge_lesson(
    lesson: Lesson,
    submissions: list[Submission],
    work_root: Path,
    timeout: float,
    memory_mib: int,
    folder: str = "judge",
    hide: list[Path] = (),
) -> dict:
    """Judge every student's captured answers to one lesson: ``{exercise: {key: verdict}}``.

    The judge's kernel runs in the jail too, with copies of the answers in its
    work folder. If it leaves a student without a verdict (an answer it could
    not read stopped it), each student left is judged again by a judge of their
    own, so that one submission cannot cost another its grade.
    """
    print(f"grade: judging {lesson.name} ...", flush=True)
    work = work_root / lesson.name / folder
    inputs = {
        f"captures/{submission.key}/answers": work_root / lesson.name / submission.key / "answers"
        for submission in submissions
    }
    notebook = judge_notebook(lesson, [submission.key for submission in submissions])
    reason, _ = run_in_jail(notebook, work, timeout * 2, memory_mib * 2, inputs, hide)
    if reason:
        print(f"grade: the judge of {lesson.name} stopped: {reason}", file=sys.stderr)
    verdicts = read_verdicts(lesson, work)
    left = [
        submission
        for submission in submissions
        if any(submission.key not in verdicts[exercise.answer] for exercise in lesson.exercises)
    ]
    if left and len(submissions) > 1:
        for submission in left:
            alone = judge_lesson(
                lesson,
                [submission],
                work_root,
                timeout,
                memory_mib,
                f"judge-{submission.key}",
                hide,
            )
            for exercise in lesson.exercises:
                if submission.key in alone[exercise.answer]:
                    verdicts[exercise.answer][submission.key] = alone[exercise.answer][
                        submission.key
                    ]
    return verdicts


# --- the report ------------------------------------------------------------------------

COLUMNS = ["student", "lesson", "exercise", "passed", "message"]


def write_csv(rows: list[dict], path: Path) -> None:
    """The grades as CSV, one row per student, lesson and exercise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "passed": "yes" if row["passed"] else "no"})


def write_html(rows: list[dict], path: Path) -> None:
    """The grades as one page, students by exercises, readable offline (no script, no link)."""
    students = list(dict.fromkeys(row["student"] for row in rows))
    columns = list(
        dict.fromkeys((row["lesson"], row["exercise"]) for row in rows if row["exercise"])
    )
    cell = {(row["student"], row["lesson"], row["exercise"]): row for row in rows}
    esc = html.escape
    head = "".join(
        f'<th scope="col">{esc(lesson[:2])}<br><code>{esc(exercise)}</code></th>'
        for lesson, exercise in columns
    )
    body = []
    for student in students:
        passed = sum(1 for row in rows if row["student"] == student and row["passed"])
        marks = []
        for lesson, exercise in columns:
            row = cell.get((student, lesson, exercise))
            if row is None:
                marks.append('<td class="none">–<span class="sr"> not submitted</span></td>')
            else:
                mark, word = ("✓", "passed") if row["passed"] else ("✗", "not passed")
                css = "yes" if row["passed"] else "no"
                title = esc(row["message"])
                marks.append(
                    f'<td class="{css}" title="{title}">{mark}<span class="sr"> {word}</span></td>'
                )
        body.append(
            f'<tr><th scope="row">{esc(student)}</th><td>{passed}</td>{"".join(marks)}</tr>'
        )
    details = []
    for student in students:
        items = "".join(
            f"<li><b>{esc(row['lesson'])}</b> {esc(row['exercise'])}: "
            f"{'passed' if row['passed'] else 'not passed'}. {esc(row['message'])}</li>"
            for row in rows
            if row["student"] == student
        )
        details.append(f"<h3>{esc(student)}</h3><ul>{items}</ul>")
    total = sum(row["passed"] for row in rows)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Grades</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; color: #1a1a1a; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #888; padding: 0.3rem 0.5rem; text-align: center; }}
th[scope=row] {{ text-align: left; }} .yes {{ background: #d7f0dc; }} .no {{ background: #f8d9d6; }}
.sr {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }}
</style></head><body><main>
<h1>Grades</h1>
<p>{len(students)} students, {total} of {len(rows)} exercises passed.
A mark's message shows when the pointer rests on it; every message is listed below the table.</p>
<table><caption>Each exercise's verdict (✓ passed, ✗ not passed, – not submitted)</caption>
<thead><tr><th scope="col">student</th><th scope="col">passed</th>{head}</tr></thead>
<tbody>{"".join(body)}</tbody></table>
<h2>Messages</h2>{"".join(details)}
</main></body></html>
"""
    path.write_text(page, encoding="utf-8")


def summary(rows: list[dict]) -> str:
    """A few lines: how many passed, per student."""
    students = list(dict.fromkeys(row["student"] for row in rows))
    lines = [
        f"{sum(row['passed'] for row in rows)} of {len(rows)} exercises passed, "
        f"{len(students)} students."
    ]
    for student in students:
        mine = [row for row in rows if row["student"] == student]
        lines.append(f"  {student}: {sum(row['passed'] for row in mine)} of {len(mine)} passed")
    return "\n".join(lines)


def choose_jobs(cores: int, available: int, memory_mib: int) -> tuple[int, str]:
    """``--jobs auto``: how many notebooks run side by side, and why.

    As many as the ``cores`` this process may use and as the ``available``
    bytes of memory hold at ``memory_mib`` MiB each, the smaller; at least one.
    """
    fit = available // (memory_mib << 20)
    why = (
        f"--jobs auto: {cores} cores to use, and {available / 2**30:.1f} GiB of memory "
        f"available holds {fit} of {memory_mib} MiB"
    )
    return max(1, min(cores, fit)), why


def notebook_threads(cores: int, jobs: int) -> int:
    """Each notebook's ``OMP_NUM_THREADS`` when ``jobs`` run side by side: the cores shared out.

    0 (left as it is) when one runs at a time; at least 1.
    """
    return 0 if jobs == 1 else max(1, cores // jobs)


def jobs_line(jobs: int, threads: int, why: str) -> str:
    """The line the grader prints about how many notebooks run side by side, and why."""
    if jobs == 1:
        return f"grade: 1 notebook at a time ({why})"
    return f"grade: {jobs} notebooks side by side, with OMP_NUM_THREADS={threads} each ({why})"


def _cores() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("submissions", type=Path, help="a folder with one folder per student")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "grades")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per notebook (600)")
    parser.add_argument("--memory", type=int, default=4096, help="MiB per notebook (4096)")
    parser.add_argument(
        "--jobs", default="auto", help="notebooks run side by side (auto: by cores and memory)"
    )
    parser.add_argument(
        "--lessons", type=Path, default=ROOT / "notebooks", help="the lessons (notebooks/)"
    )
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(
            "SUBMISSIONS must be a folder with one folder per student; "
            f"{args.submissions} is not a folder"
        )
    if args.timeout <= 0 or args.memory <= 0:
        parser.error("--timeout and --memory must be positive")
    if args.jobs != "auto" and (not args.jobs.isdecimal() or int(args.jobs) <= 0):
        parser.error(f"--jobs must be auto or a positive number of notebooks, not {args.jobs!r}")
    out = args.out.resolve()
    if out.is_relative_to(args.submissions.resolve()) or args.submissions.resolve().is_relative_to(
        out
    ):
        parser.error("--out and SUBMISSIONS must be separate folders")
    reason = sandbox.unavailable()
    if reason:
        print(
            f"make grade: submissions run only in the sandbox, and it cannot run here: {reason}",
            file=sys.stderr,
        )
        return 2
    if args.jobs == "auto":
        jobs, why = choose_jobs(_cores(), psutil.virtual_memory().available, args.memory)
    else:
        jobs = int(args.jobs)
        why = f"--jobs {jobs}"
    print(jobs_line(jobs, notebook_threads(_cores(), jobs), why), flush=True)
    course = load_course(args.lessons)
    start = time.monotonic()
    rows = grade(args.submissions, out, course, args.timeout, args.memory, jobs)
    write_csv(rows, out / "grades.csv")
    write_html(rows, out / "index.html")
    print(summary(rows))
    print(
        f"Graded in {time.monotonic() - start:.0f} s: {out / 'grades.csv'} and {out / 'index.html'}"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--run":
        sys.exit(_run_here(sys.argv[2]))
    sys.exit(main())
