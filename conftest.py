"""pytest configuration shared by the unit tests and the notebook run (nbval).

oneDNN's CPU kernels are switched on (``TF_ENABLE_ONEDNN_OPTS=1``) for the
tests that import TensorFlow in this process, as every lesson's Setup cell does
for its kernel: TensorFlow leaves them off by itself on many CPUs, and they
train faster (``benchmarks/results/train_mnist*.md``).

TensorFlow writes C++ log lines to the process's stderr when it starts (the
oneDNN notice among them). The kernel forwards them into the notebook as a
``stderr`` stream whose text varies with the machine, so stderr streams are
left out of nbval's comparison on both sides, stored and fresh; everything
else is compared.

Figures (plotly's JSON) are compared as structures, within the float
tolerance that ``utils.figures`` explains (``benchmarks/figure_drift.py`` measures it).

When ``COURSE_JUDGE_DIR`` names a folder (``tests/test_lessons.py`` sets it),
the grader's judge (``scripts/grade.py``) also runs in the lesson's kernel after
each exercise cell, as it runs in the student copy's: its verdicts on the
exercise as the lesson leaves it (``...``) and on the lesson's own answer go to
that folder, outside the compared outputs. The lesson is then executed once
for both.

It also checks that a test session leaves the checkout as it found it (the
``git status`` at the end must equal the one at the start).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import grade  # scripts/ (pyproject's pythonpath)
import nbval.plugin
import pytest
import session_reports  # scripts/

from utils.environment import prepare_tensorflow  # imports no TensorFlow
from utils.figures import match_figures  # imports no TensorFlow

prepare_tensorflow()  # before any test imports TensorFlow

_STATUS_AT_START = pytest.StashKey[str | None]()


def _without_stderr(outputs: list) -> list:
    return [
        output
        for output in outputs
        if not (output.get("output_type") == "stream" and output.get("name") == "stderr")
    ]


_compare_outputs = nbval.plugin.IPyNbCell.compare_outputs


def _compare_outputs_for_the_course(self, test, ref, skip_compare=None):
    ref = _without_stderr(ref)
    test, differences = match_figures(_without_stderr(test), ref)
    same = _compare_outputs(self, test, ref, skip_compare)
    if not same and differences:
        self.comparison_traceback.append("first difference in the figure: " + differences[0])
    return same


_runtest = nbval.plugin.IPyNbCell.runtest


def _run_and_judge(self):
    """nbval's run of a cell; after an exercise cell, the grader's judge in the same kernel."""
    _runtest(self)
    folder = os.environ.get(grade.JUDGE_FOLDER)
    if not folder or "exercise" not in self.cell.get("metadata", {}).get("tags", []):
        return
    if not hasattr(self.parent, "course_lesson"):
        self.parent.course_lesson = grade.read_lesson(Path(str(self.parent.fspath)))
    lesson = self.parent.course_lesson
    exercise = next(e for e in lesson.exercises if e.cell_id == self.cell.get("id"))
    out = str(Path(folder) / grade.verdicts_file(exercise))
    kernel, timeout = self.parent.kernel, self.config.option.nbval_cell_timeout
    msg_id = kernel.execute_cell_input(grade.judge_cell(lesson, exercise, {}, out), False)
    kernel.await_reply(msg_id, timeout=timeout)
    kernel.await_idle(msg_id, timeout)


# make test runs pytest-xdist's workers, one per core. They take the slowest tests first
# (the lessons that train, then the browser tests and the grading of a class), so that
# no long test starts last; pytest's own order follows, for the rest.
SLOWEST_FIRST = [
    *(
        f"tests/test_lessons.py::test_lesson_reproduces_its_stored_outputs[{lesson}]"
        for lesson in ["05_mnist_convnet", "11_little_data", "12_saliency_and_adversarial"]
        + ["09_how_a_convnet_learns", "07_architectures", "10_convolution_variants"]
        + ["08_conv1d_ecg", "06_kernels_and_feature_maps"]
    ),
    "tests/browser/test_lab.py",
    "tests/test_grade.py",
    "tests/hub/test_hub.py",
    "tests/browser/test_accessibility.py",
    "tests/browser/test_keyboard.py",
    "tests/browser/test_draw_a_digit.py",
]
# A worker takes a test module of these as one unit: its module fixtures (a graded class,
# a JupyterLab server) are made once.
WHOLE_MODULES = ("tests/browser/", "tests/test_grade.py", "tests/hub/")


def _rank(nodeid: str) -> int:
    starts = [i for i, prefix in enumerate(SLOWEST_FIRST) if nodeid.startswith(prefix)]
    return starts[0] if starts else len(SLOWEST_FIRST)


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: _rank(item.nodeid))  # a stable sort: the rest keep their order


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Scope by scope: a module of ``WHOLE_MODULES`` as one unit, any other test alone."""
    from xdist.scheduler import LoadScopeScheduling

    class CourseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::")[0]
            return module if module.startswith(WHOLE_MODULES) else nodeid

    config.option.loadscopereorder = False  # keep the order above
    return CourseScheduling(config, log)


def _first_process(config) -> bool:
    """Not a pytest-xdist worker: the process that prints the summary and checks the checkout."""
    return not hasattr(config, "workerinput")


def pytest_configure(config):
    nbval.plugin.IPyNbCell.compare_outputs = _compare_outputs_for_the_course
    nbval.plugin.IPyNbCell.runtest = _run_and_judge
    if _first_process(config):
        session_reports.start()


def pytest_terminal_summary(terminalreporter, config):
    if _first_process(config):
        for title, lines in session_reports.sections().items():
            terminalreporter.section(title)
            for line in lines:
                terminalreporter.write_line(line)


# The course must leave the checkout as it found it: no notebook, test or data
# file may be written into tracked files or left behind as a new file. git's
# view of the tree is taken when the session starts and compared at its end.
_ROOT = Path(__file__).resolve().parent


def _git_status() -> str | None:
    try:
        result = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def pytest_sessionstart(session):
    if _first_process(session.config):
        session.config.stash[_STATUS_AT_START] = _git_status()


def pytest_sessionfinish(session, exitstatus):
    if not _first_process(session.config):
        return  # the first process checks, once every worker has finished
    before = session.config.stash.get(_STATUS_AT_START, None)
    after = _git_status()
    if before is None or after is None or before == after:
        return
    changed = sorted(set(after.splitlines()) ^ set(before.splitlines()))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = "the test session changed the checkout (git status):\n  " + "\n  ".join(changed)
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write_line(message, red=True, bold=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
