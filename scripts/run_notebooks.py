"""Restart & Run All: execute notebooks in place with the course's kernel, as nbval will.

Usage: ``python scripts/run_notebooks.py [notebooks/NN_name.ipynb ...]``
(all notebooks when none is given). ``make notebooks`` runs it. Each notebook
runs in a fresh kernel from the current environment, with its working
directory set to ``notebooks/``, and is saved with its outputs and widget state.
Before it is saved, each plotly figure gets a static image of itself in the same
output (``scripts/figure_images.py``), for readers without a kernel.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import nbformat
from figure_images import add_images  # scripts/, beside this file
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


# TensorFlow's C++ start-up lines (absl/glog format), which depend on the machine
# (CUDA present or not); conftest.py leaves stderr out of nbval's comparison, and
# they are not stored either. Any other stderr text (a Python warning) is kept.
_TF_LOG_LINE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\)|[IWEF]\d{4} )"
)


def _drop_tensorflow_logs(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                lines = [line for line in output.text.splitlines(keepends=True) if line.strip()]
                remaining = [line for line in lines if not _TF_LOG_LINE.match(line)]
                if not remaining:
                    continue
                output.text = "".join(remaining)
            kept.append(output)
        cell.outputs = kept


def course_client(notebook: nbformat.NotebookNode, path: Path, **options) -> NotebookClient:
    """A client that runs ``notebook`` (read from ``path``) as Restart & Run All does.

    A fresh kernel of this environment, the notebook's folder as the working
    directory; ``options`` go to nbclient (``store_widget_state=True``).
    """
    return NotebookClient(
        notebook,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(Path(path).parent)}},
        **options,
    )


def run(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    client = course_client(notebook, path, store_widget_state=True)
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    _drop_tensorflow_logs(notebook)
    add_images(notebook)
    nbformat.write(notebook, path)
    return elapsed


def main(argv: list[str]) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    paths = [Path(arg).resolve() for arg in argv] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"{path.relative_to(ROOT)}: {run(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
