"""Every lesson under strict nbval, once: offline, read-only, each alone, not in course order.

The demo notebooks for instructors (``notebooks/demo_*.ipynb``) run the same
way, after the lessons.

This is where the lessons are executed in ``make test`` (the browser tests
draw their stored outputs and run only their widgets). Each lesson runs in its
own pytest process, with its own kernel, under strict nbval (every output not
marked ``NBVAL_IGNORE_OUTPUT`` compared with the stored one, as
``conftest.py`` says), the slowest first (``conftest.py``'s order for the test
run's workers), then from the last lesson down to 00: a lesson that needed
another to have run first would fail.

Each runs inside a sandbox, a Linux namespace (``unshare``): a network
namespace with only the loopback interface (the kernel talks to Jupyter over
it) and a mount namespace where the repository, ``.venv`` included, is
bind-mounted read-only, as in a read-only lab image. So a lesson that needs
the network or writes into the repository fails. ``conftest.py`` also checks
that ``git status`` at the end of the test run is what it was at the start.

Where namespaces are not allowed (some laptops and containers), the lessons
run without the sandbox, still under strict nbval, and the sandbox test is
skipped and says why; ``.ci/run`` sets ``COURSE_REQUIRE_SANDBOX=1`` to make
that an error instead.

The same run judges the exercises: after each exercise cell, the grader's
judge runs in the lesson's kernel (``conftest.py``), as it does after the
exercise in a student copy (``tests/test_student_copies.py``). The exercise as
the lesson leaves it (``...``) must be "not answered yet", and the lesson's own
answer must pass its checker. A lesson is so executed once for both.

The lessons that train a model (a ``.fit(`` call, or an ``.apply_gradients(``
call in a training loop of their own) are marked ``trains``;
``make test-quick`` leaves them out with ``-m "not trains"``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import grade  # scripts/
import pytest
import sandbox  # scripts/

from utils.checks import CORRECT, TODO

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Notebooks for instructors that are not lessons (the draw-a-digit demo): run the same way.
DEMOS = sorted((ROOT / "notebooks").glob("demo_*.ipynb"))


def sandboxed(command: list[str]) -> list[str]:
    """``command`` run offline, in the repository made read-only (``scripts/sandbox.py``)."""
    return sandbox.offline_readonly(command)


def _sandbox_available() -> str | None:
    """None when the sandbox works here, else why not."""
    return sandbox.unavailable()


@pytest.fixture(scope="session")
def sandbox_reason() -> str | None:
    """None when the sandbox works here, else why not (an error if it is required)."""
    reason = _sandbox_available()
    if reason and os.environ.get("COURSE_REQUIRE_SANDBOX") == "1":
        pytest.fail(f"offline/read-only sandbox required (COURSE_REQUIRE_SANDBOX=1): {reason}")
    return reason


PROBE = """
import socket
from pathlib import Path
try:
    socket.create_connection(("1.1.1.1", 443), timeout=3).close()
    print("network: reachable")
except OSError:
    print("network: cut off")
try:
    Path("notebooks/.write-probe").write_text("x")
    print("checkout: writable")
except OSError:
    print("checkout: read-only")
"""


def test_the_sandbox_is_offline_and_read_only(sandbox_reason):
    if sandbox_reason:
        pytest.skip(f"offline/read-only sandbox SKIPPED, lessons run without it: {sandbox_reason}")
    result = subprocess.run(
        sandboxed([sys.executable, "-c", PROBE]), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["network: cut off", "checkout: read-only"]
    assert not (ROOT / "notebooks" / ".write-probe").exists()


def trains(lesson: Path) -> bool:
    """Whether a lesson trains a model, as ``make test-quick`` counts.

    A lesson trains when it calls ``.fit(`` or, in a training loop of its own,
    an optimizer's ``.apply_gradients(`` (lesson 12's adversarial training).
    """
    source = lesson.read_text(encoding="utf-8")
    return ".fit(" in source or ".apply_gradients(" in source


def assert_the_judge_passes(lesson: grade.Lesson, verdicts: dict) -> None:
    """Every exercise judged: ``...`` is "not answered yet", the lesson's answer passes."""
    assert set(verdicts) == {exercise.answer for exercise in lesson.exercises}
    for name, verdict in verdicts.items():
        assert "(student copy)" in verdict, f"{lesson.name}: no verdict on {name}"
        assert verdict["(student copy)"]["message"].startswith(TODO), (name, verdict)
        assert verdict["(lesson's answer)"]["passed"], (name, verdict["(lesson's answer)"])
        assert verdict["(lesson's answer)"]["message"].startswith(CORRECT)


def test_the_judges_verdicts_are_held_to_the_lessons_answers():
    lesson = grade.read_lesson(ROOT / "notebooks" / "02_padding_and_stride.ipynb")
    todo = {"passed": False, "message": TODO + " replace the ..."}
    right = {"passed": True, "message": CORRECT + " the size"}
    good = {
        exercise.answer: {"(student copy)": todo, "(lesson's answer)": right}
        for exercise in lesson.exercises
    }
    assert_the_judge_passes(lesson, good)
    first = lesson.exercises[0].answer
    wrong = {"passed": False, "message": "Not quite: the size"}
    for broken in (
        {**good, first: {}},
        {**good, first: {**good[first], "(lesson's answer)": wrong}},
    ):
        with pytest.raises(AssertionError):
            assert_the_judge_passes(lesson, broken)
    with pytest.raises(AssertionError):  # an exercise the judge never reached
        assert_the_judge_passes(lesson, {first: good[first]})


def test_lessons_are_found_and_the_training_ones_marked():
    names = [path.name for path in LESSONS]
    assert names[:9] == sorted(names[:9]) and len(names) >= 9
    assert trains(ROOT / "notebooks" / "05_mnist_convnet.ipynb")
    assert not trains(ROOT / "notebooks" / "01_convolution_math.ipynb")
    assert trains(ROOT / "notebooks" / "12_saliency_and_adversarial.ipynb")  # its own loop
    assert [path.name for path in DEMOS] == ["demo_draw_a_digit.ipynb"]


@pytest.mark.parametrize(
    "lesson",
    [
        pytest.param(path, id=path.stem, marks=[pytest.mark.trains] if trains(path) else [])
        for path in [*reversed(LESSONS), *DEMOS]
    ],
)
def test_lesson_reproduces_its_stored_outputs(sandbox_reason, lesson, tmp_path):
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "--no-header",
        "--color=no",
        "-p",
        "no:warnings",
        str(lesson.relative_to(ROOT)),
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", grade.JUDGE_FOLDER: str(tmp_path)}
    command = command if sandbox_reason else sandboxed(command)
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    if result.returncode != 0:
        where = "without the sandbox" if sandbox_reason else "offline, from a read-only checkout"
        pytest.fail(
            f"{lesson.name} under strict nbval, {where}, exit status {result.returncode}:\n"
            + result.stdout[-8000:]
            + result.stderr[-2000:],
            pytrace=False,
        )
    judged = grade.read_lesson(lesson)
    if judged is not None:  # the demo has no exercise
        assert_the_judge_passes(judged, grade.read_verdicts(judged, tmp_path))
