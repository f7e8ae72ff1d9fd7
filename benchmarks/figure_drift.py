"""How far a fresh run's figures drift from the stored ones: the measurement behind FIGURE_RTOL.

Runs each notebook in a fresh kernel (in memory: nothing is saved), pairs
every figure with its stored twin, and prints per notebook how many float
values the figures hold, how many differ at all, and the largest difference
relative to the largest magnitude stored under the same name in the figure
(the "scale", which ``utils.figures`` bounds by ``FIGURE_RTOL``),
beside the verdict of that comparison, the one nbval uses.

Change the arithmetic the way another CPU would, then compare, for example:

    TF_ENABLE_ONEDNN_OPTS=0 .venv/bin/python benchmarks/figure_drift.py
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/figure_drift.py

Usage: ``python benchmarks/figure_drift.py [notebooks/NN_name.ipynb ...]``
(default: every lesson but 05 and 07, which train for minutes).
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from run_notebooks import course_client  # noqa: E402 (scripts/: Restart & Run All)

from utils.figures import (  # noqa: E402 (the comparison nbval uses)
    FIGURE_DIGITS,
    FIGURE_MIME,
    FIGURE_RTOL,
    figure_difference,
    largest,
    numbers,
)

TRAINING = {"05_mnist_convnet.ipynb", "07_architectures.ipynb"}


def _figures(notebook: nbformat.NotebookNode) -> list[tuple[int, dict]]:
    return [
        (index, output["data"][FIGURE_MIME])
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if FIGURE_MIME in output.get("data", {})
    ]


def _float_arrays(ref: object, test: object, name: str = ""):
    """Yield (name, stored, fresh) for the float arrays at the same place of two figures."""
    ref_numbers, test_numbers = numbers(ref), numbers(test)
    if ref_numbers is not None and test_numbers is not None:
        if ref_numbers.shape == test_numbers.shape and "f" in ref_numbers.dtype.kind:
            yield name, ref_numbers.astype(np.float64), test_numbers.astype(np.float64)
    elif isinstance(ref, dict) and isinstance(test, dict):
        for key in ref.keys() & test.keys():
            yield from _float_arrays(ref[key], test[key], f"{name}.{key}".lstrip("."))
    elif isinstance(ref, list) and isinstance(test, list) and len(ref) == len(test):
        for r, t in zip(ref, test, strict=True):
            yield from _float_arrays(r, t, name)


def drift(path: Path) -> dict:
    stored = nbformat.read(path, as_version=4)
    fresh = nbformat.read(path, as_version=4)
    course_client(fresh, path).execute()
    values = differing = 0
    worst = 0.0
    failures = []
    for (cell, ref), (_, test) in zip(_figures(stored), _figures(fresh), strict=True):
        verdict = figure_difference(ref, test)
        if verdict is not None:
            failures.append(f"cell {cell}: {verdict}")
        scales = largest(ref)
        for name, a, b in _float_arrays(ref, test):
            finite = np.isfinite(a) & np.isfinite(b)
            scale = scales[name]
            values += a.size
            differing += int(np.count_nonzero(a[finite] != b[finite]))
            if scale > 0:
                worst = max(worst, float(np.max(np.abs(a - b)[finite] / scale, initial=0.0)))
    return {"values": values, "differing": differing, "largest": worst, "failures": failures}


def main(argv: list[str]) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    paths = [Path(arg).resolve() for arg in argv] or [
        path
        for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        if path.name not in TRAINING
    ]
    settings = {
        name: os.environ.get(name, "unset")
        for name in ("TF_ENABLE_ONEDNN_OPTS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    }
    print(f"Python {platform.python_version()}, {platform.machine()}, {settings}")
    print(f"FIGURE_RTOL {FIGURE_RTOL:g}, FIGURE_DIGITS {FIGURE_DIGITS}\n")
    print("| notebook | float values | differing | largest difference / scale | agrees |")
    print("|---|---:|---:|---:|---|")
    for path in paths:
        result = drift(path)
        agrees = "yes" if not result["failures"] else "NO: " + "; ".join(result["failures"])
        print(
            f"| {path.name} | {result['values']} | {result['differing']} "
            f"| {result['largest']:.2g} | {agrees} |",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
