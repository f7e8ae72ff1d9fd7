"""How long each lesson's Restart & Run All takes on this machine, and its slowest cells.

Usage (from the repository root)::

    TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python benchmarks/lesson_times.py [notebooks/NN_x.ipynb ...]

Each notebook (default: every lesson and the demo) runs as a student's
Restart & Run All does: a fresh kernel of this environment, the working
directory ``notebooks/``, every cell in order. Nothing is saved. The table
gives each notebook's seconds from its first cell to its last (the kernel's
start-up is not in it; TensorFlow's import is, in the Setup cell), whether
that is within the course's budget of 120 s, and its three slowest cells
(their index among all the notebook's cells, as JupyterLab counts, and
seconds, from the kernel's own timestamps).

The machine is named in the table: the CPU's model and vector extensions, the
cores this process may use, and the settings that change what the kernels
use. To measure an AVX2 laptop on a CPU that also has AVX-512, limit oneDNN
and NumPy to AVX2 (``ONEDNN_MAX_CPU_ISA=AVX2`` and
``NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR"``); TensorFlow's
own (Eigen) kernels are built for AVX and use no more either way. The clock
speed, caches and memory stay this machine's, so a real AVX2 laptop may be
slower still: say which was measured.

``--fit-waits`` also counts, for each notebook, its calls of Keras's ``fit``
and the seconds each took after its last training step: a cell put after the
Setup cell wraps ``keras.Model.fit`` with a callback that notes when each step
ends (the cell and its wrapper add no step). With ``--tuned-pipelines`` that
cell also gives Keras back its own ``ArrayDataAdapter.get_tf_dataset``, with
tf.data's autotuning on, as before ``prepare_tensorflow`` turned it off
(``utils.environment.untune_array_pipelines``): the two runs measure the wait
that the change removes. Both add the columns to the table; the cell numbers
of the slowest cells then count the added cell.

``--traced-twice`` puts a cell after the Setup cell that gives Keras's
trainer back its own ``_maybe_symbolic_build``, which leaves the optimizer's
and the metrics' variables to the first trace of a training step, so that
TensorFlow traces each new training step twice, as before
``prepare_tensorflow`` changed it (``utils.environment.build_before_tracing``):
run with and without it to measure what the change saves.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import nbformat  # noqa: E402
from run_notebooks import course_client  # noqa: E402 (scripts/: Restart & Run All)

from benchmarks._results import run_all, write_tables  # noqa: E402
from utils.environment import cpu_description  # noqa: E402

BUDGET = 120.0  # seconds: a lesson's Restart & Run All on a 2-core laptop
RESULTS = ROOT / "benchmarks" / "results"
# Named beside the machine; cpu_description names the kernel limits.
SETTINGS = ("TF_ENABLE_ONEDNN_OPTS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def _seconds(cell: nbformat.NotebookNode) -> float | None:
    stamps = cell.get("metadata", {}).get("execution", {})
    if "iopub.execute_input" not in stamps or "shell.execute_reply" not in stamps:
        return None
    begin = datetime.fromisoformat(stamps["iopub.execute_input"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(stamps["shell.execute_reply"].replace("Z", "+00:00"))
    return (end - begin).total_seconds()


# Put after the Setup cell by --fit-waits: each fit's seconds after its last step.
FIT_WAITS = """import time as _time

import keras as _keras

_fit_waits, _fit = [], _keras.Model.fit


def _timed_fit(self, *args, **kwargs):
    ends = []
    noted = _keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: ends.append(_time.perf_counter())
    )
    kwargs["callbacks"] = [*(kwargs.get("callbacks") or []), noted]
    history = _fit(self, *args, **kwargs)
    _fit_waits.append(_time.perf_counter() - ends[-1])
    return history


_keras.Model.fit = _timed_fit
"""
# With --tuned-pipelines: Keras's own pipelines, autotuned, as before prepare_tensorflow.
TUNED = """
from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter as _adapter

_adapter.get_tf_dataset = _adapter.get_tf_dataset.tuned
"""
REPORT_WAITS = "import json as _json\n\nprint(_json.dumps(_fit_waits))"
# With --traced-twice: Keras's own build, while the first training step is traced.
TRACED_TWICE = """from keras.src.backend.tensorflow.trainer import TensorFlowTrainer as _trainer

_trainer._maybe_symbolic_build = _trainer._maybe_symbolic_build.deferred
"""


def after_setup(notebook: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    """``notebook`` with a code cell of ``source`` put after its Setup cell."""
    setup = next(i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code")
    notebook.cells.insert(setup + 1, nbformat.v4.new_code_cell(source))
    return notebook


def with_fit_waits(notebook: nbformat.NotebookNode, tuned: bool) -> nbformat.NotebookNode:
    """``notebook`` with the :data:`FIT_WAITS` cell after its Setup cell, and a last cell
    that prints the waits as JSON."""
    after_setup(notebook, FIT_WAITS + (TUNED if tuned else ""))
    notebook.cells.append(nbformat.v4.new_code_cell(REPORT_WAITS))
    return notebook


def time_notebook(
    path: Path, fit_waits: bool = False, tuned: bool = False, traced_twice: bool = False
) -> dict:
    """Run ``path`` in a fresh kernel; its seconds and its three slowest cells.

    With ``fit_waits``, also its fits and their seconds after the last step
    (:func:`with_fit_waits`; ``tuned``: with Keras's autotuned pipelines).
    With ``traced_twice``, Keras builds as it does itself (:data:`TRACED_TWICE`).
    """
    notebook = nbformat.read(path, as_version=4)
    if traced_twice:
        notebook = after_setup(notebook, TRACED_TWICE)
    if fit_waits:
        notebook = with_fit_waits(notebook, tuned)
    client = course_client(notebook, path)
    with client.setup_kernel():
        start = time.perf_counter()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
    cells = [(_seconds(cell), index) for index, cell in enumerate(notebook.cells)]
    slowest = sorted(((s, i) for s, i in cells if s is not None), reverse=True)[:3]
    row = {
        "notebook": path.stem,
        "seconds": round(seconds, 1),
        "within_budget": seconds <= BUDGET,
        "slowest_cells": "; ".join(f"[{index}] {s:.1f} s" for s, index in slowest),
    }
    if fit_waits:
        waits = json.loads("".join(out.get("text", "") for out in notebook.cells[-1].outputs))
        row |= {
            "fits": len(waits),
            "waited_s": round(sum(waits), 2),
            "longest_wait_s": round(max(waits, default=0.0), 2),
        }
    return row


def machine() -> str:
    settings = ", ".join(f"{name}={os.environ[name]}" for name in SETTINGS if name in os.environ)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} cores of {cpu_description()}; Python {platform.python_version()}; "
        f"settings: {settings or 'none'}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: lessons and demo")
    parser.add_argument("--output", type=Path, default=RESULTS / "lesson_times")
    parser.add_argument("--fit-waits", action="store_true", help="count fit's wait at its end")
    parser.add_argument(
        "--tuned-pipelines", action="store_true", help="with --fit-waits: Keras's own pipelines"
    )
    parser.add_argument(
        "--traced-twice", action="store_true", help="Keras's own build: steps traced twice"
    )
    args = parser.parse_args(argv)
    if args.tuned_pipelines and not args.fit_waits:
        parser.error("--tuned-pipelines needs --fit-waits")
    paths = [path.resolve() for path in args.notebooks] or [
        *sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")),
        *sorted((ROOT / "notebooks").glob("demo_*.ipynb")),
    ]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    where = machine()

    def write(rows: list[dict]) -> str:
        waits = "| fits | waited after the last step | longest wait " if args.fit_waits else ""
        pipelines = "Keras's own (autotuned)" if args.tuned_pipelines else "as the course sets them"
        tracing = (
            "traced twice, Keras's own build (--traced-twice)"
            if args.traced_twice
            else "traced once, as the course sets them"
        )
        lines = [
            f"Restart & Run All, each notebook in a fresh kernel, on {where}.",
            *([f"Keras's array pipelines: {pipelines}."] if args.fit_waits else []),
            f"Training steps: {tracing}.",
            "",
            f"| notebook | seconds | within {BUDGET:.0f} s | slowest cells {waits}|",
            "|---|---:|---|---|" + ("---:|---:|---:|" if args.fit_waits else ""),
        ]
        for row in rows:
            line = (
                f"| {row['notebook']} | {row['seconds']:.1f} | "
                f"{'yes' if row['within_budget'] else 'NO'} | {row['slowest_cells']} |"
            )
            if args.fit_waits:
                line += (
                    f" {row['fits']} | {row['waited_s']:.2f} s | {row['longest_wait_s']:.2f} s |"
                )
            lines.append(line)
        total = sum(row["seconds"] for row in rows)
        lines += ["", f"Total: {total:.0f} s for {len(rows)} notebooks."]
        report = "\n".join(lines) + "\n"
        write_tables(rows, args.output, "Lesson times", report)
        return report

    jobs = [
        (
            f"{path.name} ...",
            lambda path=path: time_notebook(
                path, args.fit_waits, args.tuned_pipelines, args.traced_twice
            ),
        )
        for path in paths
    ]
    run_all(jobs, write, args.output)


if __name__ == "__main__":
    main()
