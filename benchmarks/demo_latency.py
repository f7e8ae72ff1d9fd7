"""How quickly lesson 06 and the draw-a-digit demo show feature maps, and how quickly they redraw.

Usage (from the repository root)::

    TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python benchmarks/demo_latency.py [--repeats 20]

Fresh Jupyter kernels are started with ``nbclient`` (the library that
``make notebooks`` and nbval use), each timed from the moment it is asked for:

* **lesson**: the cells of ``notebooks/06_kernels_and_feature_maps.ipynb``
  run in order, as after Restart & Run All in front of a class, up to the cell
  that builds the explorer. Reported: the kernel ready, the Setup cell done
  (its imports start TensorFlow), the first figure, the **first feature-map
  figure** (the first cell that calls ``layer_maps``) and the explorer.
* **demo**: only the Setup cell and one cell that loads the pretrained model
  and the test digits and builds the explorer, as when an instructor opens
  the notebook to demonstrate the explorer.

* **draw a digit**: the code cells of ``notebooks/demo_draw_a_digit.ipynb``
  (what ``make demo`` shows), then one cell that draws a "1" on its canvas
  from code, as a stroke of the mouse would. Reported: the kernel ready, the
  reader shown, and the **first prediction** (goal, issue 23: within 3 s of
  the kernel's start). This path never imports TensorFlow: the reader runs
  the pretrained weights through ``utils.numpy_convnet``.

Then, inside the demo kernel, each control of the explorer is changed
``--repeats`` times, and each change is timed from setting the control until
its observer returns: the model call, the figures refilled or rebuilt, and
their JSON put into the widget's outputs. What the browser then takes to draw
them is not included. The goals (issue 7): first feature maps within 5 s of
the kernel's start, and updates under 0.2 s.

In the draw-a-digit kernel, ``--repeats`` new drawings (closed loops of
slightly different sizes) are timed from the new strokes to the figures
handed to the widget (``DigitReader.draw``: rasterising, the MNIST-style
preprocessing, the NumPy forward pass, the figures; goal under 0.1 s), and
then 100 cycles of clearing and drawing again, for what they do to the
redraw time (the first ten against the last ten), and 200 more under
``tracemalloc`` for the memory Python holds (after 100 of them against
after 200: a leak would grow with every cycle).

* **a student's network**: the reader on a Keras model, as a lesson hands
  it its own network (``DigitReader(model)``, read through
  :class:`utils.widgets.network.ModelReader`), for three networks the size of
  the course's: lesson 05's pretrained ConvNet (``load_pretrained_convnet()``),
  lesson 07's LeNet-5 (``build_lenet5()``, 32 x 32 input: the reader pads the
  digit) and lesson 10's separable ConvNet (``build_separable_convnet()``, its
  definition taken from the lesson's code cell and run alone). One fresh
  kernel each: a cell of the lessons' imports (TensorFlow, Keras, the widgets)
  that loads or builds the model, then one that makes ``DigitReader(model)``,
  shows it and draws the same "1". Reported: the kernel ready, the model
  built, the **first prediction**, and apart, the seconds from
  ``DigitReader(model)`` to that first reading (what the reader adds: its
  extractor model, and Keras compiling its predict function). Then the same
  ``--repeats`` new drawings as for the demo, each timed by the reader itself
  (``last_update_seconds``; goal under 0.1 s, as for the NumPy path). LeNet-5
  and the separable net are untrained: what they read is arbitrary, but
  reading takes an untrained network as long as a trained one.

The table is printed and written to ``benchmarks/results/demo_latency.md``.
Timings depend on the machine and on what else runs on it: the load average
before and after is recorded with them.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from utils.environment import cpu_description  # imports no TensorFlow
from utils.figures import FIGURE_MIME

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "06_kernels_and_feature_maps.ipynb"
RESULTS = ROOT / "benchmarks" / "results"
FEATURE_MAPS_MARKER = "layer_maps("
EXPLORER_MARKER = "FeatureMapExplorer("
GOAL_FIRST_MAPS, GOAL_UPDATE = 5.0, 0.2
DRAW_NOTEBOOK = ROOT / "notebooks" / "demo_draw_a_digit.ipynb"
GOAL_FIRST_PREDICTION, GOAL_STROKE = 3.0, 0.1
SEPARABLE_NOTEBOOK = ROOT / "notebooks" / "10_convolution_variants.ipynb"
SEPARABLE_MARKER = "def build_separable_convnet"

# Runs in the draw-a-digit kernel right after the demo's cells: a "1", one vertical stroke.
FIRST_DRAWING_CELL = """
reader.draw([[[140, 40], [140, 240]]])
print(reader.prediction)
"""

# Runs next: new drawings timed one by one, by the clock around `draw` and by the reader's own.
NEW_DRAWINGS_CELL = """
import json as _json
import math as _math
import time as _time


def _loop(k, n=40):
    radius = 70 + k % 10  # a closed loop, a little different each time
    angles = [2 * _math.pi * i / n for i in range(n + 1)]
    return [[140 + radius * _math.cos(a), 140 + radius * _math.sin(a)] for a in angles]


def _timed_draw(k):
    start = _time.perf_counter()
    reader.draw([_loop(k)])
    return _time.perf_counter() - start


_strokes, _updates = [], []
for _k in range({repeats}):
    _strokes.append(_timed_draw(_k))
    _updates.append(reader.last_update_seconds)
"""

# In the draw-a-digit kernel, the new drawings then 100 clear-and-draw cycles, and the memory.
DRAWING_TIMING_CELL = (
    NEW_DRAWINGS_CELL
    + """
import tracemalloc as _tracemalloc

_cycles = []
for _k in range(100):
    reader.clear()
    _cycles.append(_timed_draw(_k))
# Memory (tracemalloc slows Python down, so apart): 100 more cycles, then 100 again.
_tracemalloc.start()
for _k in range(200):
    reader.clear()
    reader.draw([_loop(_k)])
    if _k == 99:
        _held_after_100 = _tracemalloc.get_traced_memory()[0]
_held_after_200 = _tracemalloc.get_traced_memory()[0]
_tracemalloc.stop()
print(
    _json.dumps(
        {{
            "strokes": _strokes,
            "updates": _updates,
            "cycles": _cycles,
            "growth": _held_after_200 - _held_after_100,
        }}
    )
)
"""
)

# A student's own network, in a fresh kernel: the lessons' imports, then the model.
NETWORK_SETUP = """
from utils.environment import prepare_tensorflow

prepare_tensorflow()  # as every lesson's Setup cell does, before Keras imports TensorFlow

import keras

from utils.models import build_lenet5, load_pretrained_convnet
from utils.widgets import DigitReader
"""

# Then the reader on it, shown, and a first drawing: the same "1" as the demo's.
NETWORK_READER_CELL = """
import json as _json
import time as _time

from IPython.display import display as _display

_start = _time.perf_counter()
reader = DigitReader(model)
_display(reader)
reader.draw([[[140, 40], [140, 240]]])
print(_json.dumps({"seconds": _time.perf_counter() - _start, "prediction": reader.prediction}))
"""

# Then the demo's new drawings, timed by the reader (cycles and memory: on the demo only).
NETWORK_TIMING_CELL = (
    NEW_DRAWINGS_CELL
    + """
print(_json.dumps({{"updates": _updates}}))
"""
)

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
    return any(FIGURE_MIME in output.get("data", {}) for output in cell.outputs)


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


def drawing_run(repeats: int) -> tuple[list[tuple[str, float]], dict]:
    """The demo notebook's code cells, a first drawing, then the drawing timings."""
    demo = nbformat.read(DRAW_NOTEBOOK, as_version=4)
    sources = [cell.source for cell in demo.cells if cell.cell_type == "code"]
    timing = DRAWING_TIMING_CELL.format(repeats=repeats)
    ready, ends, cells = run_cells([*sources, FIRST_DRAWING_CELL, timing], DRAW_NOTEBOOK.parent)
    first = len(sources)
    read_as = stdout_of(cells[first]).strip()
    milestones = [
        ("kernel ready", ready),
        ("reader shown (its code cells done)", ends[first - 1]),
        (f"**first prediction** (a drawn 1, read as {read_as})", ends[first]),
    ]
    times = json.loads(stdout_of(cells[first + 1]).strip().splitlines()[-1])
    return milestones, {**times, "read as": read_as}


def separable_convnet_source() -> str:
    """The definition of ``build_separable_convnet``, taken from lesson 10's code cell.

    Only the ``def`` (up to the first line after a blank one that is not
    indented): the cell goes on to build and compare models, which is not
    run here. Exits with a message if no code cell defines it.
    """
    lesson = nbformat.read(SEPARABLE_NOTEBOOK, as_version=4)
    where = SEPARABLE_NOTEBOOK.relative_to(ROOT)
    cell = next(
        (c.source for c in lesson.cells if c.cell_type == "code" and SEPARABLE_MARKER in c.source),
        None,
    )
    if cell is None:
        raise SystemExit(
            f"no code cell of {where} contains {SEPARABLE_MARKER!r}: lesson 10's separable "
            "ConvNet cannot be measured (was the function renamed or moved?)"
        )
    lines = cell.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(SEPARABLE_MARKER))
    end = next(
        (
            i
            for i in range(first + 1, len(lines))
            if lines[i] and not lines[i][0].isspace() and not lines[i - 1].strip()
        ),
        len(lines),
    )
    source = "\n".join(lines[first:end]).rstrip() + "\n"
    try:
        (definition,) = ast.parse(source).body
    except (SyntaxError, ValueError):
        definition = None
    if not isinstance(definition, ast.FunctionDef):
        raise SystemExit(
            f"the code cell of {where} that contains {SEPARABLE_MARKER!r} does not start "
            "the definition at the start of a line, or it does not end at a blank line"
        )
    return source


def networks() -> list[tuple[str, str]]:
    """The students' networks measured: (what, the cell that loads or builds ``model``)."""
    return [
        (
            "lesson 05's ConvNet, `load_pretrained_convnet()` (trained)",
            "model = load_pretrained_convnet()\n",
        ),
        (
            "lesson 07's LeNet-5, `build_lenet5()` (untrained; 32 x 32, the reader pads)",
            "model = build_lenet5()\n",
        ),
        (
            "lesson 10's separable ConvNet, `build_separable_convnet()` (untrained)",
            separable_convnet_source() + "\n\nmodel = build_separable_convnet()\n",
        ),
    ]


def network_run(build: str, repeats: int) -> dict:
    """One network in a fresh kernel: its model, the reader's first reading, then new drawings."""
    timing = NETWORK_TIMING_CELL.format(repeats=repeats)
    ready, ends, cells = run_cells(
        [NETWORK_SETUP + "\n" + build, NETWORK_READER_CELL, timing], DRAW_NOTEBOOK.parent
    )
    first = json.loads(stdout_of(cells[1]).strip().splitlines()[-1])
    return {
        "ready": ready,
        "model": ends[0],
        "first prediction": ends[1],
        "reader": first["seconds"],
        "read as": first["prediction"],
        "updates": json.loads(stdout_of(cells[2]).strip().splitlines()[-1])["updates"],
    }


def percentile90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


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
    return f"{cores} CPU cores ({cpu_description()}), {versions}"


def report(
    lesson: list[tuple[str, float]],
    demo: list[tuple[str, float]],
    keras_import: float,
    controls: dict[str, list[float]],
    machine: str,
    loads: tuple[float, float],
    drawing: list[tuple[str, float]],
    drawing_times: dict,
    widgets_import: float,
    readings: dict[str, dict],
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
    lines += [
        f"| draw a digit (`make demo`) | {name} | {seconds:.1f} |" for name, seconds in drawing
    ]
    lines.append(f"| reference | `import keras` alone, in a fresh Python | {keras_import:.1f} |")
    lines.append(
        f"| reference | `import utils.widgets` alone (the demo's import) | {widgets_import:.1f} |"
    )
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
        lines.append(
            f"| {name} | {1000 * statistics.median(seconds):.0f} | "
            f"{1000 * percentile90(seconds):.0f} | {1000 * max(seconds):.0f} |"
        )
    strokes, cycles = drawing_times["strokes"], drawing_times["cycles"]
    lines += [
        "",
        f"Draw a digit: {len(strokes)} new drawings, each timed from the new strokes to the "
        "figures handed to the widget (Python side: rasterising, preprocessing, the NumPy "
        f"forward pass, the figures; goal under {GOAL_STROKE:g} s):",
        "",
        "| median ms | 90th percentile ms | max ms |",
        "|---:|---:|---:|",
        f"| {1000 * statistics.median(strokes):.1f} | {1000 * percentile90(strokes):.1f} | "
        f"{1000 * max(strokes):.1f} |",
        "",
        f"Then {len(cycles)} cycles of clearing and drawing again: median redraw "
        f"{1000 * statistics.median(cycles[:10]):.1f} ms over the first ten, "
        f"{1000 * statistics.median(cycles[-10:]):.1f} ms over the last ten. Memory held by "
        "Python (tracemalloc, on 200 further cycles): it changed by "
        f"{drawing_times['growth'] / 1e3:+.1f} kB from the 100th to the 200th.",
        "",
        "Draw a digit on a student's own Keras network, `DigitReader(model)`, one fresh kernel "
        "each: seconds since the kernel was asked for (the model's cell imports TensorFlow), "
        "the seconds from `DigitReader(model)` to its first reading (its extractor model, and "
        f"Keras compiling predict), and {repeats} new drawings as above, timed by the reader "
        f"(`last_update_seconds`; goal under {GOAL_STROKE:g} s). Last row, for comparison: the "
        "default NumPy ConvNet, from the draw-a-digit run above (no TensorFlow; its reader is "
        "made in the notebook's cell).",
        "",
        "| network | kernel ready s | model built s | **first prediction** s | of which the "
        "reader s | redraw median ms | redraw 90th percentile ms | read the 1 as |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, run in readings.items():
        updates = run["updates"]
        lines.append(
            f"| {name} | {run['ready']:.1f} | {run['model']:.1f} | "
            f"**{run['first prediction']:.1f}** | {run['reader']:.2f} | "
            f"{1000 * statistics.median(updates):.1f} | {1000 * percentile90(updates):.1f} | "
            f"{run['read as']} |"
        )
    updates = drawing_times["updates"]
    ready, _, first = (seconds for _, seconds in drawing)
    lines += [
        f"| default: the NumPy ConvNet, `DigitReader()` (trained) | {ready:.1f} | — | "
        f"**{first:.1f}** | — | "
        f"{1000 * statistics.median(updates):.1f} | {1000 * percentile90(updates):.1f} | "
        f"{drawing_times['read as']} |",
        "",
        "LeNet-5 and the separable ConvNet are untrained (built, never fitted): what they read "
        "the 1 as is arbitrary, but an untrained network reads as quickly as a trained one of "
        "the same shape. Only lesson 05's network (and its NumPy copy) is the pretrained one.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="changes per control")
    parser.add_argument("--output", type=Path, default=RESULTS / "demo_latency.md")
    args = parser.parse_args(argv)
    if args.repeats < 2:
        parser.error("--repeats must be at least 2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # the kernels inherit it

    students = networks()  # before any kernel: lesson 10's cell must be found
    machine = machine_description()
    before = os.getloadavg()[0]
    print(machine, f"- load average {before:.2f}", flush=True)
    print("running the lesson's cells in a fresh kernel ...", flush=True)
    lesson = lesson_milestones()
    print("running the explorer alone in a fresh kernel, then timing its controls ...", flush=True)
    demo, controls = demo_run(args.repeats)
    print("running the draw-a-digit demo in a fresh kernel, then timing drawings ...", flush=True)
    drawing, drawing_times = drawing_run(args.repeats)
    readings = {}
    for name, build in students:
        print(f"reading with {name} in a fresh kernel, then timing drawings ...", flush=True)
        readings[name] = network_run(build, args.repeats)
    keras_import = import_seconds("keras")
    widgets_import = import_seconds("utils.widgets")
    after = os.getloadavg()[0]
    table = report(
        lesson,
        demo,
        keras_import,
        controls,
        machine,
        (before, after),
        drawing,
        drawing_times,
        widgets_import,
        readings,
    )
    print()
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    command = " ".join(["python", "benchmarks/demo_latency.py", *sys.argv[1:]])
    args.output.write_text(
        f"# Lesson 06 and the draw-a-digit demo: latency\n\nCommand: `{command}`\n\n" + table,
        encoding="utf-8",
    )
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
