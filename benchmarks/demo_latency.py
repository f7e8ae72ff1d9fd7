"""How quickly lesson 06 shows feature maps in a fresh kernel, and how quickly its explorer redraws.

Usage (from the repository root)::

    TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python benchmarks/demo_latency.py [--repeats 20]

Two fresh Jupyter kernels are started with ``nbclient`` (the library that
``make notebooks`` and nbval use), each timed from the moment it is asked for:

* **lesson**: the cells of ``notebooks/06_kernels_and_feature_maps.ipynb``
  run in order, as after Restart & Run All in front of a class, up to the cell
  that builds the explorer. Reported: the kernel ready, the Setup cell done
  (its imports start TensorFlow), the first figure, the **first feature-map
  figure** (the first cell that calls ``layer_maps``) and the explorer.
* **demo**: only the Setup cell and one cell that loads the pretrained model
  and the test digits and builds the explorer, as when an instructor opens
  the notebook to demonstrate the explorer.

Then, inside the demo kernel, each control of the explorer is changed
``--repeats`` times, and each change is timed from setting the control until
its observer returns: the model call, the figures refilled or rebuilt, and
their JSON put into the widget's outputs. What the browser then takes to draw
them is not included. The goals (issue 7): first feature maps within 5 s of
the kernel's start, and updates under 0.2 s.

The table is printed and written to ``benchmarks/results/demo_latency.md``.
Timings depend on the machine and on what else runs on it: the load average
before and after is recorded with them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "06_kernels_and_feature_maps.ipynb"
RESULTS = ROOT / "benchmarks" / "results"
FEATURE_MAPS_MARKER = "layer_maps("
EXPLORER_MARKER = "FeatureMapExplorer("
GOAL_FIRST_MAPS, GOAL_UPDATE = 5.0, 0.2

DEMO_CELL = """
pretrained = load_pretrained_convnet()
(_, _), (x_test_raw, y_test) = load_mnist()
x_test = (x_test_raw.astype("float32") / 255)[..., None]
explorer = FeatureMapExplorer(pretrained, x_test, y_test)
explorer
"""

# Runs inside the kernel: change each control `repeats` times, always to a new value.
TIMING_CELL = """
import json as _json
import time as _time


def _timed(change, repeats):
    seconds = []
    for step in range(repeats):
        start = _time.perf_counter()
        change(step)
        seconds.append(_time.perf_counter() - start)
    return seconds


_layers = explorer.layer.options
_results = {{
    "new digit (slider)": _timed(lambda s: setattr(explorer.index, "value", 100 + s), {repeats}),
    "shift the digit": _timed(
        lambda s: setattr(explorer.shift_right, "value", 1 + s % 2), {repeats}
    ),
    "erase half": _timed(
        lambda s: setattr(explorer.erase, "value", "nothing" if s % 2 else "top half"), {repeats}
    ),
    "other channels": _timed(
        lambda s: setattr(explorer.channels, "value", (0, 31 if s % 2 else 15)), {repeats}
    ),
    "other layer": _timed(
        lambda s: setattr(explorer.layer, "value", _layers[(s + 1) % len(_layers)]), {repeats}
    ),
}}
explorer.misclassified()  # the first click predicts all 10,000 digits once; timed apart
_results["next misclassified"] = _timed(lambda s: explorer.next_misclassified(), {repeats})
print(_json.dumps(_results))
"""


def run_cells(sources: list[str], path: Path) -> tuple[float, list[float], list]:
    """Start a kernel, run ``sources`` in it; return (kernel ready, each cell's end, the cells).

    Times are seconds since the kernel was asked for.
    """
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in sources]
    )
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path)}}
    )
    start = time.perf_counter()
    ends = []
    with client.setup_kernel():
        ready = time.perf_counter() - start
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
            ends.append(time.perf_counter() - start)
    return ready, ends, notebook.cells


def has_figure(cell) -> bool:
    return any(
        "application/vnd.plotly.v1+json" in output.get("data", {}) for output in cell.outputs
    )


def stdout_of(cell) -> str:
    return "".join(
        output.get("text", "") for output in cell.outputs if output.get("name") == "stdout"
    )


def lesson_milestones() -> list[tuple[str, float]]:
    """Run the lesson's cells up to the explorer; return (milestone, seconds) pairs."""
    lesson = nbformat.read(NOTEBOOK, as_version=4)
    sources = [cell.source for cell in lesson.cells if cell.cell_type == "code"]
    last = next(i for i, source in enumerate(sources) if EXPLORER_MARKER in source)
    ready, ends, cells = run_cells(sources[: last + 1], NOTEBOOK.parent)
    first_figure = next(i for i, cell in enumerate(cells) if has_figure(cell))
    first_maps = next(i for i, source in enumerate(sources) if FEATURE_MAPS_MARKER in source)
    return [
        ("kernel ready", ready),
        ("Setup cell done (imports, TensorFlow)", ends[0]),
        (f"first figure (code cell {first_figure + 1})", ends[first_figure]),
        (f"**first feature-map figure** (code cell {first_maps + 1})", ends[first_maps]),
        (f"explorer shown (code cell {last + 1}, after sections 4-5)", ends[last]),
    ]


def demo_run(repeats: int) -> tuple[list[tuple[str, float]], dict[str, list[float]]]:
    """Setup cell, then the explorer alone; then time its controls inside that kernel."""
    lesson = nbformat.read(NOTEBOOK, as_version=4)
    setup = next(cell.source for cell in lesson.cells if cell.cell_type == "code")
    timing = TIMING_CELL.format(repeats=repeats)
    ready, ends, cells = run_cells([setup, DEMO_CELL, timing], NOTEBOOK.parent)
    milestones = [
        ("kernel ready", ready),
        ("Setup cell done (imports, TensorFlow)", ends[0]),
        ("**explorer shown** (model, digits, first feature maps)", ends[1]),
    ]
    return milestones, json.loads(stdout_of(cells[2]).strip().splitlines()[-1])


def import_seconds(module: str = "keras") -> float:
    """Seconds for ``import module`` in a fresh Python process (the bulk of the Setup cell)."""
    code = f"import time; start = time.perf_counter(); import {module}; "
    code += "print(time.perf_counter() - start)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(result.stdout.strip().splitlines()[-1])


def machine_description() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = ", ".join(
        f"{name} {version(name)}" for name in ("tensorflow", "keras", "plotly", "ipywidgets")
    )
    return f"{cores} CPU cores ({platform.processor() or platform.machine()}), {versions}"


def report(
    lesson: list[tuple[str, float]],
    demo: list[tuple[str, float]],
    keras_import: float,
    controls: dict[str, list[float]],
    machine: str,
    loads: tuple[float, float],
) -> str:
    cores = os.cpu_count() or 1
    busy = (
        " Other programs competed for the CPU (a load above the number of cores): "
        "these times are upper bounds."
        if max(loads) > cores
        else ""
    )
    lines = [
        f"On {machine}; 1-minute load average {loads[0]:.2f} before, {loads[1]:.2f} after.{busy}",
        "",
        "Seconds since the kernel was asked for (goal: first feature maps within "
        f"{GOAL_FIRST_MAPS:g} s):",
        "",
        "| run | milestone | seconds |",
        "|---|---|---:|",
    ]
    lines += [f"| lesson, top to bottom | {name} | {seconds:.1f} |" for name, seconds in lesson]
    lines += [f"| demo: explorer only | {name} | {seconds:.1f} |" for name, seconds in demo]
    lines.append(f"| reference | `import keras` alone, in a fresh Python | {keras_import:.1f} |")
    repeats = len(next(iter(controls.values())))
    lines += [
        "",
        f"Explorer, one control change, {repeats} times each, in the demo kernel (Python side: "
        f"model call, figures, widget outputs; goal under {GOAL_UPDATE:g} s):",
        "",
        "| control | median ms | 90th percentile ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for name, seconds in controls.items():
        ordered = sorted(seconds)
        p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
        lines.append(
            f"| {name} | {1000 * statistics.median(seconds):.0f} | {1000 * p90:.0f} | "
            f"{1000 * max(seconds):.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="changes per control")
    parser.add_argument("--output", type=Path, default=RESULTS / "demo_latency.md")
    args = parser.parse_args(argv)
    if args.repeats < 2:
        parser.error("--repeats must be at least 2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # the kernels inherit it

    machine = machine_description()
    before = os.getloadavg()[0]
    print(machine, f"- load average {before:.2f}", flush=True)
    print("running the lesson's cells in a fresh kernel ...", flush=True)
    lesson = lesson_milestones()
    print("running the explorer alone in a fresh kernel, then timing its controls ...", flush=True)
    demo, controls = demo_run(args.repeats)
    keras_import = import_seconds("keras")
    after = os.getloadavg()[0]
    table = report(lesson, demo, keras_import, controls, machine, (before, after))
    print()
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    command = " ".join(["python", "benchmarks/demo_latency.py", *sys.argv[1:]])
    args.output.write_text(
        f"# Lesson 06: demo latency\n\nCommand: `{command}`\n\n" + table, encoding="utf-8"
    )
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
