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

It also checks that a test session leaves the checkout as it found it (the
``git status`` at the end must equal the one at the start).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import nbval.plugin
import pytest

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # before any test imports TensorFlow

_STATUS_AT_START = pytest.StashKey[str | None]()


def _without_stderr(outputs: list) -> list:
    return [
        output
        for output in outputs
        if not (output.get("output_type") == "stream" and output.get("name") == "stderr")
    ]


_compare_outputs = nbval.plugin.IPyNbCell.compare_outputs


def _compare_outputs_without_stderr(self, test, ref, skip_compare=None):
    return _compare_outputs(self, _without_stderr(test), _without_stderr(ref), skip_compare)


def pytest_configure(config):
    nbval.plugin.IPyNbCell.compare_outputs = _compare_outputs_without_stderr


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
    session.config.stash[_STATUS_AT_START] = _git_status()


def pytest_sessionfinish(session, exitstatus):
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
