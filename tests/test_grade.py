"""``make grade``: untrusted submissions graded in the jail, with the course's checkers.

One class folder holds every bad case the grader must survive, beside a
full-marks submission made from the lesson's own answers and an untouched
student copy, all of lesson 02 (which trains nothing: a run takes seconds).
``scripts/grade.py`` grades it once, from the command line, and each test
marked ``grades`` reads its CSV row by row (about 90 s on 2 cores, so
``make test-quick`` leaves them out; ``make test`` runs them). The grading
module's safe hand-over of answers (``scripts/grading.py``) has unit tests of
its own below.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import grade  # scripts/
import grading  # scripts/
import nbformat
import numpy as np
import pytest
import sandbox  # scripts/
import student_copies  # scripts/

ROOT = Path(__file__).resolve().parent.parent
LESSON = "02_padding_and_stride"
OTHER = "00_start_here"
TIMEOUT = 60  # seconds per notebook: lesson 02 takes about 10 s here
MEMORY = 3072  # MiB per notebook
ESCAPED = ROOT / "notebooks" / "escaped.txt"


def _lesson(name: str) -> tuple[nbformat.NotebookNode, dict[str, str]]:
    notebook = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return student_copies.student_notebook(notebook), student_copies.lesson_answers(notebook)


def _answered(student: nbformat.NotebookNode, sources: dict[str, str]) -> nbformat.NotebookNode:
    """The student copy with some exercise cells' sources replaced: {answer name: source}."""
    done = copy.deepcopy(student)
    for cell in done.cells:
        if student_copies.EXERCISE in student_copies.tags(cell):
            name = student_copies.read_exercise(cell).answer
            if name in sources:
                cell.source = sources[name]
    return done


RIGHT_FUNCTION = "def my_output_size(W, F, P, S):\n    return (W - F + 2 * P) // S + 1\n"
CHEATS = """from utils.checks import correct
import utils.checks
import numpy

my_output_size = lambda W, F, P, S: 0  # wrong, and then three ways to make it pass


def check_output_size(function):
    return correct("all good")


utils.checks.check_output_size = lambda *args, **kwargs: correct("patched")
numpy.array_equal = numpy.allclose = lambda *args, **kwargs: True
print("✅ Correct: all good")
check_output_size(my_output_size)
"""


def build_class(folder: Path) -> None:
    """One folder per case, as the grader's test needs them (the names sort in this order)."""
    student, answers = _lesson(LESSON)
    other, _ = _lesson(OTHER)

    def put(name: str, notebook: nbformat.NotebookNode | None = None, text: str | None = None):
        (folder / name).mkdir(parents=True, exist_ok=True)
        path = folder / name / f"{LESSON}.ipynb"
        if notebook is not None:
            nbformat.write(notebook, path)
        else:
            path.write_text(text, encoding="utf-8")

    put("a_full_marks", student_copies.with_answers(student, answers))
    put("b_untouched", student)
    put("c_invalid_json", text='{"cells": [ {"cell_type": "code", "source": "x = 1"')
    put("d_other_lesson", other)
    reordered = _answered(student, {"my_output_size": RIGHT_FUNCTION})
    field_cell = {e.answer: e.cell_id for e in student_copies.exercises(student)}["my_field"]
    reordered.cells = [cell for cell in reordered.cells if cell.get("id") != field_cell]
    reordered.cells[3], reordered.cells[4] = reordered.cells[4], reordered.cells[3]
    put("e_deleted_and_reordered", reordered)
    put(
        "f_checker_replaced",
        _answered(student, {"my_output_size": CHEATS, "my_field": "my_field = 9\nprint('✅')"}),
    )
    put(
        "g_exception",
        _answered(student, {"my_output_size": RIGHT_FUNCTION, "my_field": "my_field = 1 / 0"}),
    )
    put("h_endless_loop", _answered(student, {"my_output_size": "while True:\n    pass"}))
    bomb = (
        "import numpy as np\nhog = [np.ones(2**27) for _ in range(200)]  # 200 GiB\nmy_field = 11"
    )
    put("i_memory_bomb", _answered(student, {"my_output_size": RIGHT_FUNCTION, "my_field": bomb}))
    escape = (
        f"open({str(ESCAPED)!r}, 'w').write('x')\n"
        f"open({str(folder / 'a_full_marks' / f'{LESSON}.ipynb')!r}, 'w').write('{{}}')\n"
        "my_output_size = None"
    )
    network = "import socket\nsocket.create_connection(('1.1.1.1', 443), timeout=5)\nmy_field = 11"
    put("j_escape_and_network", _answered(student, {"my_output_size": escape, "my_field": network}))
    secret = folder.parent / "secret.txt"
    secret.write_text("the instructor's secret")
    dies = f"import os\nos.symlink({str(secret)!r}, 'status.txt')\nos._exit(1)"
    put("k_kernel_dies", _answered(student, {"my_output_size": dies}))
    put("l_not_a_lesson", student)
    classmate = folder / "a_full_marks" / f"{LESSON}.ipynb"
    copying = f"import json\nnotebook = json.load(open({str(classmate)!r}))\nmy_field = 11"
    put("m_reads_a_classmate", _answered(student, {"my_field": copying}))
    (folder / "l_not_a_lesson" / f"{LESSON}.ipynb").rename(
        folder / "l_not_a_lesson" / "notes.ipynb"
    )


# What each row must say: (passed, words its message contains).
EXPECTED = {
    ("a_full_marks", "my_output_size"): (True, "Correct"),
    ("a_full_marks", "my_field"): (True, "Correct"),
    ("b_untouched", "my_output_size"): (False, "Not answered yet"),
    ("b_untouched", "my_field"): (False, "Not answered yet"),
    ("c_invalid_json", "my_output_size"): (False, "invalid JSON"),
    ("c_invalid_json", "my_field"): (False, "invalid JSON"),
    ("d_other_lesson", "my_output_size"): (False, f"notebook of {OTHER}"),
    ("d_other_lesson", "my_field"): (False, f"notebook of {OTHER}"),
    ("e_deleted_and_reordered", "my_output_size"): (True, "reordered"),
    ("e_deleted_and_reordered", "my_field"): (False, "cell was deleted"),
    ("f_checker_replaced", "my_output_size"): (False, "defines its own check_output_size"),
    ("f_checker_replaced", "my_field"): (False, "no longer calls check_receptive_field"),
    ("g_exception", "my_output_size"): (True, "Correct"),
    ("g_exception", "my_field"): (False, "ZeroDivisionError"),
    ("h_endless_loop", "my_output_size"): (False, f"{TIMEOUT} s time limit"),
    ("h_endless_loop", "my_field"): (False, f"{TIMEOUT} s time limit"),
    ("i_memory_bomb", "my_output_size"): (True, "Correct"),
    ("i_memory_bomb", "my_field"): (False, f"{MEMORY} MiB of memory"),
    ("j_escape_and_network", "my_output_size"): (False, "Read-only file system"),
    ("j_escape_and_network", "my_field"): (False, "Network is unreachable"),
    ("k_kernel_dies", "my_output_size"): (False, "because its kernel died"),
    ("k_kernel_dies", "my_field"): (False, "because its kernel died"),
    ("l_not_a_lesson", ""): (False, "not a lesson"),
    ("m_reads_a_classmate", "my_output_size"): (False, "Not answered yet"),
    ("m_reads_a_classmate", "my_field"): (False, "No such file or directory"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[list[dict], Path, subprocess.CompletedProcess]:
    reason = sandbox.unavailable()
    if reason:
        pytest.skip(f"the grader runs submissions only in the sandbox: {reason}")
    folder = tmp_path_factory.mktemp("class")
    build_class(folder)
    full = (folder / "a_full_marks" / f"{LESSON}.ipynb").read_bytes()
    out = tmp_path_factory.mktemp("grades")
    command = [sys.executable, str(ROOT / "scripts" / "grade.py"), str(folder), "--out", str(out)]
    command += ["--timeout", str(TIMEOUT), "--memory", str(MEMORY), "--jobs", "2"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert (folder / "a_full_marks" / f"{LESSON}.ipynb").read_bytes() == full
    return rows, out, result


@pytest.mark.grades
def test_the_csv_has_one_row_per_student_and_exercise(graded):
    rows, _, _ = graded
    assert list(rows[0]) == ["student", "lesson", "exercise", "passed", "message"]
    assert [(row["student"], row["exercise"]) for row in rows] == list(EXPECTED)


@pytest.mark.grades
@pytest.mark.parametrize("key", list(EXPECTED), ids=["/".join(key) for key in EXPECTED])
def test_each_case_is_graded_as_it_should_be(graded, key):
    rows, _, _ = graded
    [row] = [row for row in rows if (row["student"], row["exercise"]) == key]
    passed, words = EXPECTED[key]
    assert row["passed"] == ("yes" if passed else "no"), row["message"]
    assert words in row["message"], row["message"]
    assert row["lesson"] == ("notes.ipynb" if key[0] == "l_not_a_lesson" else LESSON)
    assert "secret" not in row["message"]


@pytest.mark.grades
def test_nothing_escaped_the_jail(graded):
    assert not ESCAPED.exists()


@pytest.mark.grades
def test_the_page_and_the_summary(graded):
    rows, out, result = graded
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count('<tr><th scope="row">') == len({row["student"] for row in rows})
    assert "<script" not in page and "http" not in page
    assert "5 of 25 exercises passed, 13 students." in result.stdout
    assert "a_full_marks: 2 of 2 passed" in result.stdout
    cores = len(os.sched_getaffinity(0))
    line = f"grade: 2 notebooks side by side, with OMP_NUM_THREADS={max(1, cores // 2)} each"
    assert f"{line} (--jobs 2)\n" in result.stdout


# --- how many notebooks side by side -----------------------------------------------------

GIB = 1 << 30


@pytest.mark.parametrize(
    ("cores", "available", "memory_mib", "jobs"),
    [
        (2, 20 * GIB, 4096, 2),  # the cores bound it
        (16, 20 * GIB, 4096, 5),  # the memory: 20 GiB hold five notebooks of 4 GiB
        (16, 20 * GIB - 1, 4096, 4),  # a byte less: four
        (3, 6 * GIB, 2048, 3),
        (8, 3 * GIB, 4096, 1),  # not one fits: one all the same
        (1, 64 * GIB, 512, 1),
    ],
)
def test_jobs_auto_is_bounded_by_cores_and_memory(cores, available, memory_mib, jobs):
    assert grade.choose_jobs(cores, available, memory_mib)[0] == jobs


def test_jobs_auto_says_how_many_and_why():
    jobs, why = grade.choose_jobs(16, 20 * GIB, 4096)
    assert why == (
        "--jobs auto: 16 cores to use, and 20.0 GiB of memory available holds 5 of 4096 MiB"
    )
    assert jobs == 5
    assert grade.jobs_line(jobs, grade.notebook_threads(16, jobs), why) == (
        f"grade: 5 notebooks side by side, with OMP_NUM_THREADS=3 each ({why})"
    )
    jobs, why = grade.choose_jobs(8, 3 * GIB, 4096)
    assert grade.jobs_line(jobs, grade.notebook_threads(8, jobs), why) == (
        "grade: 1 notebook at a time (--jobs auto: 8 cores to use, "
        "and 3.0 GiB of memory available holds 0 of 4096 MiB)"
    )


@pytest.mark.parametrize(
    ("cores", "jobs", "threads"),
    [(2, 1, 0), (16, 1, 0), (2, 2, 1), (16, 5, 3), (16, 4, 4), (2, 3, 1)],
)
def test_notebooks_side_by_side_share_the_cores(cores, jobs, threads):
    assert grade.notebook_threads(cores, jobs) == threads


@pytest.mark.parametrize("jobs", ["0", "-1", "two", "1.5", ""])
def test_jobs_must_be_auto_or_a_positive_number(tmp_path, capsys, jobs):
    with pytest.raises(SystemExit) as stop:
        grade.main([str(tmp_path), "--out", str(tmp_path / "out"), "--jobs", jobs])
    assert stop.value.code == 2
    message = f"--jobs must be auto or a positive number of notebooks, not {jobs!r}"
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_jobs_auto_is_the_default_and_is_said(tmp_path, capsys):
    if sandbox.unavailable():
        pytest.skip("no sandbox here: the grader stops before it chooses")
    (tmp_path / "class").mkdir()
    assert grade.main([str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 0
    cores = len(os.sched_getaffinity(0))
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("grade: ") and f"(--jobs auto: {cores} cores to use, and " in first
    assert first.endswith(" of 4096 MiB)")
    assert ("side by side, with OMP_NUM_THREADS=" in first) == (
        " 1 notebook at a time " not in first
    )


def test_a_notebook_side_by_side_gets_its_share_of_the_cores(tmp_path):
    if sandbox.unavailable():
        pytest.skip("no sandbox here")
    probe = "import os\nopen('threads.txt', 'w').write(os.environ.get('OMP_NUM_THREADS', '-'))"
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(probe)], metadata={"kernelspec": kernel}
    )
    for threads, seen in [(1, "1"), (3, "3"), (0, os.environ.get("OMP_NUM_THREADS", "-"))]:
        work = tmp_path / str(threads)
        assert grade.run_in_jail(notebook, work, 120, MEMORY, threads=threads) == ("", 0)
        assert (work / "threads.txt").read_text() == seen


def test_a_student_name_is_text_in_the_page(tmp_path):
    rows = [
        {"student": "<b>x</b>", "lesson": LESSON, "exercise": "e", "passed": True, "message": "<i>"}
    ]
    grade.write_html(rows, tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page and "<i>" not in page


# --- the hand-over of answers ----------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        Ellipsis,
        None,
        True,
        7,
        2**70,
        0.1,
        float("nan"),
        "text",
        [[3, 5], [7, 8]],
        (1, (2.5, "x")),
        {"a": np.arange(3)},
        np.float32(0.25),
        np.arange(12, dtype=np.int16).reshape(3, 4),
    ],
)
def test_an_answer_survives_the_hand_over(value):
    tree, arrays = grading.encode(value)
    json.dumps(tree)  # only JSON and arrays cross
    back = grading.decode(json.loads(json.dumps(tree)), arrays)
    assert type(back) is type(value)
    if isinstance(value, float) and value != value:
        assert back != back
    elif isinstance(value, dict):
        assert np.array_equal(back["a"], value["a"])
    elif isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and np.array_equal(back, value)
    else:
        assert back == value


def test_an_object_the_grader_does_not_carry_is_named_not_run():
    class Sneaky:
        def __reduce__(self):
            raise AssertionError("pickled")

    tree, arrays = grading.encode(Sneaky())
    back = grading.decode(tree, arrays)
    assert isinstance(back, grading.Unreadable) and type(back).__name__ == "Sneaky"
    with pytest.raises(grading.AnswerError, match="objects"):
        grading.encode(np.array([Sneaky()], dtype=object))
    with pytest.raises(grading.AnswerError, match="malformed"):
        grading.decode({"pickle": "x"}, [])


def test_a_function_is_judged_by_replay(tmp_path):
    from utils.checks import check_output_size

    def right(W, F, P, S):
        return (W - F + 2 * P) // S + 1

    for function, passes in [(right, True), (lambda W, F, P, S: (W - F) // S + 1, False)]:
        folder = tmp_path / str(passes)
        grading.capture(
            {"mine": function}, "mine", "check_output_size", "check_output_size(mine)", str(folder)
        )
        replay = grading.read_answer(folder)
        assert isinstance(replay, grading.Replay)
        assert bool(check_output_size(replay)) is passes
    # A replay gives back only what was recorded: other inputs are refused.
    replay = grading.read_answer(tmp_path / "True")
    with pytest.raises(grading.ReplayMismatch):
        replay(1, 2, 3, 4)


def test_a_residual_block_is_judged_from_its_keras_file(tmp_path):
    from utils.checks import check_residual_block
    from utils.models import residual_block

    grading.capture(
        {"block": residual_block},
        "block",
        "check_residual_block",
        "check_residual_block(block)",
        str(tmp_path),
    )
    assert list(tmp_path.glob("*.keras"))
    assert check_residual_block(grading.read_answer(tmp_path))


def test_the_judge_refuses_a_missing_or_malformed_answer(tmp_path):
    grading.capture({}, "mine", "check_output_size", "check_output_size(mine)", str(tmp_path))
    with pytest.raises(grading.AnswerError, match="never defined"):
        grading.read_answer(tmp_path)
    (tmp_path / "answer.json").write_text("[1, 2")
    with pytest.raises(grading.AnswerError, match="no answer"):
        grading.read_answer(tmp_path)


def test_a_file_a_notebook_wrote_is_read_without_following_links(tmp_path):
    (tmp_path / "secret").write_text("secret")
    (tmp_path / "status.txt").symlink_to(tmp_path / "secret")
    assert grade.read_untrusted(tmp_path / "status.txt", 100) is None
    (tmp_path / "big").write_text("x" * 101)
    assert grade.read_untrusted(tmp_path / "big", 100) is None
    assert grade.read_untrusted(tmp_path / "secret", 100) == b"secret"


def test_a_bad_submission_file_is_named(tmp_path):
    (tmp_path / "a.ipynb").write_bytes(b"\xff\xfe")
    assert "not UTF-8" in grade.read_submission(tmp_path / "a.ipynb")[1]
    (tmp_path / "b.ipynb").write_text('{"cells": 3}')
    assert "no list of cells" in grade.read_submission(tmp_path / "b.ipynb")[1]
    (tmp_path / "c.ipynb").symlink_to("/etc/passwd")
    assert "not a regular file" in grade.read_submission(tmp_path / "c.ipynb")[1]


def test_make_grade_needs_a_folder(tmp_path):
    result = subprocess.run(
        ["make", "--no-print-directory", "grade", f"SUBMISSIONS={tmp_path / 'missing'}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert "is not a folder" in result.stderr


def test_the_judge_measures_an_answer_before_reading_it(tmp_path):
    grading.capture({"mine": 11}, "mine", "check_x", "check_x(mine)", str(tmp_path))
    assert grading.read_answer(tmp_path) == 11
    # A kernel may rewrite its files after the capture: 2 GiB of zeros, a few MiB zipped.
    np.savez_compressed(tmp_path / "arrays.npz", np.zeros(2**28))
    with pytest.raises(grading.AnswerError, match="MiB of arrays"):
        grading.read_answer(tmp_path)
    (tmp_path / "arrays.npz").unlink()
    (tmp_path / "arrays.npz").symlink_to(tmp_path / "answer.json")
    with pytest.raises(grading.AnswerError, match="link"):
        grading.read_answer(tmp_path)


def test_the_jail_cannot_be_undone_from_inside(tmp_path):
    import tempfile

    reason = sandbox.unavailable()
    if reason:
        pytest.skip(f"no sandbox here: {reason}")
    # Outside /tmp, which the jail covers whole: the folder must be seen, and empty.
    hidden = Path(tempfile.mkdtemp(dir="/var/tmp")) / "submissions"
    hidden.mkdir()
    (hidden / "classmate.ipynb").write_text("{}")
    work = tmp_path / "work"
    work.mkdir()
    probe = f"""
import os, subprocess
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print("capabilities", status["CapEff"].strip())
for command in (["mount", "-o", "remount,bind,rw", "/"], ["umount", "-l", "/proc"]):
    print(command[0], subprocess.run(command, capture_output=True).returncode != 0)
print("submissions", os.listdir({str(hidden)!r}))
print("home", os.path.expanduser("~"))
print("environment", sorted(set(os.environ) - {{"PATH", "LANG", "LC_ALL", "LC_CTYPE"}}))
try:
    open({str(ROOT / "escaped.txt")!r}, "w")
except OSError as error:
    print("checkout", error.strerror)
open("written.txt", "w").write("ok")
"""
    command = sandbox.jail([sys.executable, "-c", probe], work, hide=[hidden])
    env = {"PATH": "/usr/bin:/bin", "SECRET_TOKEN": "x"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "capabilities 0000000000000000",
        "mount True",
        "umount True",
        "submissions []",
        "home /tmp/work",
        "environment ['HOME', 'JUPYTER_RUNTIME_DIR', 'TMPDIR']",
        "checkout Read-only file system",
    ]
    assert (work / "written.txt").read_text() == "ok"
    assert not (ROOT / "escaped.txt").exists()
    (hidden / "classmate.ipynb").unlink()
    hidden.rmdir()
    hidden.parent.rmdir()


def test_only_plain_files_are_taken_from_a_notebook_s_folder(tmp_path):
    import os

    source = tmp_path / "answers"
    (source / "my_field").mkdir(parents=True)
    (source / "my_field" / "answer.json").write_text("{}")
    (source / "my_field" / "link").symlink_to("/etc")
    os.mkfifo(source / "my_field" / "fifo")
    assert grade.copy_untrusted(source, tmp_path / "copy")
    assert sorted(path.name for path in (tmp_path / "copy" / "my_field").iterdir()) == [
        "answer.json"
    ]
    (tmp_path / "linked").symlink_to(source)
    assert not grade.copy_untrusted(tmp_path / "linked", tmp_path / "copy2")
    for number in range(grade.MAX_WORK_FILES + 1):
        (source / f"f{number}").touch()
    assert not grade.copy_untrusted(source, tmp_path / "copy3")
    assert not (tmp_path / "copy3").exists()


def test_one_malformed_answer_costs_no_other_student_a_verdict(tmp_path):
    from utils.checks import check_receptive_field  # noqa: F401 - the judge's namespace

    folders = {}
    for key, value in [("good", 11), ("bad", 0), ("wrong", 9)]:
        folders[key] = tmp_path / key
        grading.capture({"f": value}, "f", "check_x", "check_x(f)", str(folders[key]))
    (folders["bad"] / "answer.json").write_text(
        json.dumps({"kind": "value", "tree": {"int": "9" * 4400}})
    )
    namespace = {"layers": [(5, 1), (3, 2), (3, 1)]}
    spec = {
        "answer": "f",
        "checker": "check_receptive_field",
        "call": "check_receptive_field(f, layers)",
    }
    grading.judge(
        namespace, spec, "f = 11", {k: str(v) for k, v in folders.items()}, str(tmp_path / "v.json")
    )
    verdicts = json.loads((tmp_path / "v.json").read_text())
    assert verdicts["good"]["passed"] and not verdicts["wrong"]["passed"]
    assert verdicts["bad"] == {
        "passed": False,
        "message": "Not graded: the handed-over answer is malformed.",
    }
    assert verdicts["(lesson's answer)"]["passed"] and not verdicts["(student copy)"]["passed"]


def test_cgroups_stop_a_fork_bomb_and_memory_that_polling_cannot_see(tmp_path):
    if sandbox.unavailable():
        pytest.skip("no sandbox here")
    fork_bomb = """
import os, time
made = 0
try:
    for _ in range(300):
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        made += 1
except OSError:
    print("stopped after", made < 300)
"""
    in_memory = """
import os
chunk = b"x" * (16 << 20)
handle = os.memfd_create("hidden")  # a file in memory: no process's resident memory
for _ in range(64):  # 1 GiB
    os.write(handle, chunk)
print("not stopped")
"""
    for probe, limits in [
        (fork_bomb, sandbox.Limits(1 << 30, pids=64)),
        (in_memory, sandbox.Limits(256 << 20)),
    ]:
        if not limits.active:
            pytest.skip("no cgroup can be made here: only the polled limits apply")
        work = tmp_path / str(len(probe))
        work.mkdir()
        try:
            command = limits.wrap(sandbox.jail([sys.executable, "-c", probe], work))
            result = subprocess.run(command, capture_output=True, text=True, timeout=120)
            if probe is fork_bomb:
                assert "stopped after True" in result.stdout, result.stderr
            else:
                assert "not stopped" not in result.stdout and limits.hit_memory()
        finally:
            limits.remove()
        assert not any(folder.exists() for folder in limits.active)


def test_a_process_trees_memory_is_what_proc_says_of_each_process():
    """sandbox.process_tree and resident_bytes, against VmRSS in /proc/PID/status.

    (psutil reads /proc/PID/statm; status is the kernel's other account of it.)
    """
    import psutil

    if not Path("/proc/self/status").exists():
        pytest.skip("no /proc here")

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        me = psutil.Process()
        tree = sandbox.process_tree(me)
        assert tree[0] == me and child.pid in {process.pid for process in tree}
        assert me not in sandbox.process_tree(me, itself=False)
        page = os.sysconf("SC_PAGE_SIZE")
        alone = sandbox.resident_bytes([psutil.Process(child.pid)])
        status = Path(f"/proc/{child.pid}/status").read_text()
        vm_rss = int(
            next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]
        )
        assert abs(alone - vm_rss * 1024) <= 64 * page  # a sleeping process: the same
        gone = psutil.Process(child.pid)
    finally:
        child.kill()
        child.wait()
    assert sandbox.process_tree(gone) == [] and sandbox.resident_bytes([gone]) == 0
