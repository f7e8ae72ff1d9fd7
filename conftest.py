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

Figures (plotly's JSON) are compared as structures: every string, key, list
length, shape and integer exactly, every float as a number. A float may differ
by float32's last bits, which change from one CPU, BLAS thread count or Python
to another: two floats agree when they differ by at most ``FIGURE_RTOL`` of
the largest magnitude stored under the same name in the figure (``data.z``:
the z of every trace, ``layout.xaxis2.domain``), or by one unit in the last of
the ``FIGURE_DIGITS`` significant digits that ``utils.plots`` stores (a value
rounded the other way). A different value in the third significant digit,
another shape, a missing trace or a changed title fails, and the failure names
the first place that differs. Text is compared exactly.

It also checks that a test session leaves the checkout as it found it (the
``git status`` at the end must equal the one at the start).
"""

from __future__ import annotations

import base64
import copy
import subprocess
from pathlib import Path

import nbval.plugin
import numpy as np
import pytest

from utils.environment import prepare_tensorflow  # imports no TensorFlow

prepare_tensorflow()  # before any test imports TensorFlow

from utils.plots import FIGURE_DIGITS  # noqa: E402 (after the variables: no TensorFlow here)

FIGURE_MIME = "application/vnd.plotly.v1+json"
# Measured by benchmarks/figure_drift.py (floats unrounded) on an AVX-512 CPU
# against outputs stored on an AVX2 one: the largest difference was 4.1e-7 of
# its scale (lesson 06's feature maps), the same with TF_ENABLE_ONEDNN_OPTS=0 or
# OMP_NUM_THREADS=1. 1e-5 leaves a margin of 25 and is a hundred times finer
# than a change in the third significant digit of the largest value.
FIGURE_RTOL = 1e-5

_STATUS_AT_START = pytest.StashKey[str | None]()


def _without_stderr(outputs: list) -> list:
    return [
        output
        for output in outputs
        if not (output.get("output_type") == "stream" and output.get("name") == "stderr")
    ]


def _numbers(node: object) -> np.ndarray | None:
    """``node`` as an array if it is numbers (a number, a list of them, a typed array)."""
    if isinstance(node, dict) and isinstance(node.get("bdata"), str):
        array = np.frombuffer(base64.b64decode(node["bdata"]), dtype="<" + str(node["dtype"]))
        shape = node.get("shape")
        return array.reshape([int(n) for n in str(shape).split(",")]) if shape else array
    if isinstance(node, bool) or not isinstance(node, int | float | list):
        return None
    if isinstance(node, list) and not node:
        return None
    try:
        array = np.asarray(node)
    except ValueError:  # ragged lists
        return None
    return array if array.dtype.kind in "iuf" else None


def _largest(node: object, name: str = "", into: dict | None = None) -> dict[str, float]:
    """The largest magnitude of the numbers under each name (the keys from the root) of a figure.

    ``data.z`` is every trace's ``z``: subplots that share a colour scale are
    compared on that scale, so a dark map's small values are not held to a
    tolerance relative to themselves.
    """
    into = {} if into is None else into
    numbers = _numbers(node)
    if numbers is not None:
        finite = numbers[np.isfinite(numbers)] if numbers.dtype.kind == "f" else numbers
        into[name] = max(into.get(name, 0.0), float(np.max(np.abs(finite), initial=0.0)))
    elif isinstance(node, dict):
        for key, value in node.items():
            _largest(value, f"{name}.{key}".lstrip("."), into)
    elif isinstance(node, list):
        for item in node:
            _largest(item, name, into)
    return into


def _numbers_difference(ref: np.ndarray, test: np.ndarray, scale: float) -> tuple | None:
    """None when two same-shaped arrays agree (see the module doc), else where they first differ."""
    if ref.dtype.kind in "iu" and test.dtype.kind in "iu":
        bad = ref != test
    else:
        ref, test = ref.astype(np.float64), test.astype(np.float64)
        finite = np.isfinite(ref) & np.isfinite(test)
        magnitude = np.maximum(np.abs(ref), np.abs(test))
        with np.errstate(divide="ignore", invalid="ignore"):
            last_digit = np.where(
                finite & (magnitude > 0),
                10.0 ** (np.floor(np.log10(magnitude)) - FIGURE_DIGITS + 1),
                0.0,
            )
        allowed = np.maximum(FIGURE_RTOL * scale, 1.5 * last_digit)
        same_special = ~finite & ((ref == test) | (np.isnan(ref) & np.isnan(test)))
        bad = ~same_special & ~(finite & (np.abs(ref - test) <= allowed))
    return tuple(int(i) for i in np.argwhere(bad)[0]) if bad.any() else None


def figure_difference(ref: object, test: object) -> str | None:
    """None when two plotly figure JSONs agree (see the module doc), else the first difference."""
    return _difference(ref, test, "figure", "", _largest(ref))


def _difference(ref: object, test: object, path: str, name: str, scales: dict) -> str | None:
    ref_numbers, test_numbers = _numbers(ref), _numbers(test)
    if ref_numbers is not None and test_numbers is not None:
        if ref_numbers.shape != test_numbers.shape:
            return f"{path}: shape {ref_numbers.shape} stored, {test_numbers.shape} now"
        where = _numbers_difference(ref_numbers, test_numbers, scales.get(name, 0.0))
        if where is not None:
            index = f"[{', '.join(map(str, where))}]" if where else ""
            return f"{path}{index}: {ref_numbers[where]!r} stored, {test_numbers[where]!r} now"
        return None
    if isinstance(ref, dict) and isinstance(test, dict):
        if ref.keys() != test.keys():
            missing, extra = sorted(ref.keys() - test.keys()), sorted(test.keys() - ref.keys())
            return f"{path}: keys missing now {missing}, new keys {extra}"
        differences = (
            _difference(ref[k], test[k], f"{path}.{k}", f"{name}.{k}".lstrip("."), scales)
            for k in ref
        )
        return next((d for d in differences if d is not None), None)
    if isinstance(ref, list) and isinstance(test, list):
        if len(ref) != len(test):
            return f"{path}: {len(ref)} items stored, {len(test)} now"
        differences = (
            _difference(r, t, f"{path}[{i}]", name, scales)
            for i, (r, t) in enumerate(zip(ref, test, strict=True))
        )
        return next((d for d in differences if d is not None), None)
    if ref == test and type(ref) is type(test):
        return None
    return f"{path}: {ref!r} stored, {test!r} now"


def match_figures(test: list, ref: list) -> tuple[list, list[str]]:
    """``test`` with each figure that agrees with its stored twin replaced by that twin.

    Figures are paired in order, as nbval pairs outputs of one mimetype. Returns
    the outputs for nbval's exact comparison and the differences found.
    """
    stored = iter([out["data"][FIGURE_MIME] for out in ref if FIGURE_MIME in out.get("data", {})])
    matched, differences = [], []
    for output in test:
        data = output.get("data", {})
        twin = next(stored, None) if FIGURE_MIME in data else None
        if twin is not None:
            difference = figure_difference(twin, data[FIGURE_MIME])
            if difference is None:  # shallow copies keep nbformat's NotebookNode type
                output, output["data"] = copy.copy(output), copy.copy(data)
                output["data"][FIGURE_MIME] = twin
            else:
                differences.append(difference)
        matched.append(output)
    return matched, differences


_compare_outputs = nbval.plugin.IPyNbCell.compare_outputs


def _compare_outputs_for_the_course(self, test, ref, skip_compare=None):
    ref = _without_stderr(ref)
    test, differences = match_figures(_without_stderr(test), ref)
    same = _compare_outputs(self, test, ref, skip_compare)
    if not same and differences:
        self.comparison_traceback.append("first difference in the figure: " + differences[0])
    return same


def pytest_configure(config):
    nbval.plugin.IPyNbCell.compare_outputs = _compare_outputs_for_the_course


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
