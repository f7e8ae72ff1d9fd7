"""The draw-a-digit demo in JupyterLab in Chromium: draw with the mouse and a finger.

The notebook ``demo_draw_a_digit.ipynb`` (a tiny stand-in written into the
server's folder if the demo is missing) is opened and run; then a vertical
stroke is drawn on the canvas with the mouse and must be read as 1, the
canvas is cleared with its button, a closed loop is drawn with a finger
(touch events) and must be read as 0, and the feature maps drawn must have
changed between the two. A screenshot goes to ``tests/browser/screenshots/``.

The same is done on the page that ``make demo`` serves (Voila, no code cells),
started here on a free port with its login token.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = "demo_draw_a_digit.ipynb"
STAND_IN = "canvas_stand_in.ipynb"
READER_CELL = "from utils.widgets import DigitReader\n\nreader = DigitReader()\nreader"
RUN_TIMEOUT = 120  # s
WAIT = 30_000  # ms
SIZE = 280  # the canvas's side in canvas pixels, utils.drawing.CANVAS_SIZE

KERNEL_IDLE = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext || !panel.context.isReady) return false;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""

# Run the code cells up to the one that shows the reader, as Shift+Enter on each would.
RUN_UNTIL_READER = """() => {
  window.courseRun = null;
  const app = window.jupyterapp;
  const notebook = app.shell.currentWidget.content;
  const indices = [];
  for (const [index, cell] of notebook.widgets.entries()) {
    if (cell.model.type !== 'code') continue;
    indices.push(index);
    if (cell.model.sharedModel.getSource().includes('DigitReader(')) break;
  }
  (async () => {
    for (const index of indices) {
      notebook.activeCellIndex = index;
      notebook.deselectAll();
      await app.commands.execute('notebook:run-cell');
    }
  })().then(() => { window.courseRun = {ok: true, cells: indices}; },
            (error) => { window.courseRun = {error: String(error)}; });
}"""

ERRORS = """() => {
  const found = [];
  window.jupyterapp.shell.currentWidget.content.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    for (const output of cell.model.outputs.toJSON()) {
      if (output.output_type !== 'error') continue;
      found.push(`cell ${index}: ${output.ename}: ${output.evalue}`);
    }
  });
  return found;
}"""

# The plotly data of the feature-map figure, as the page holds it.
MAPS_DATA = """(node) => {
  const plot = node.querySelector('.js-plotly-plot');
  return plot && plot.data ? JSON.stringify(plot.data.map((trace) => trace.z)) : null;
}"""

# Figures and widget wider than the cell's output area would scroll sideways.
TOO_WIDE = """(area) => {
  const room = area.clientWidth;
  const wide = [...area.querySelectorAll('svg.main-svg')]
    .map((svg) => Math.round(svg.getBoundingClientRect().width))
    .filter((width) => width > room);
  const reader = area.querySelector('.course-reader');
  return {room: room, wide: wide, reader: reader ? reader.scrollWidth : null};
}"""


def write_notebook(path: Path, sources: list[str]) -> None:
    """A notebook of unrun code cells, one per source, written to ``path``."""
    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "source": source,
            "outputs": [],
            "execution_count": None,
        }
        for source in sources
    ]
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook), encoding="utf-8")


def _notebook(root) -> str:
    if (root / DEMO).exists():
        return DEMO
    write_notebook(root / STAND_IN, [READER_CELL])
    return STAND_IN


def _run_reader_cells(page, name: str) -> None:
    page.evaluate(RUN_UNTIL_READER)
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        result = page.evaluate("() => window.courseRun")
        if result is not None:
            assert "error" not in result, f"{name}: running the reader's cells failed: {result}"
            errors = page.evaluate(ERRORS)
            assert not errors, f"{name}: error outputs:\n" + "\n".join(errors)
            return
        time.sleep(0.3)
    pytest.fail(f"{name}: the reader's cells did not finish within {RUN_TIMEOUT} s")


def _wait_for_summary(page, text: str) -> None:
    summary = page.locator(".course-reader-summary")
    try:
        page.wait_for_function(
            "(text) => { const node = document.querySelector('.course-reader-summary');"
            " return !!node && node.textContent.includes(text); }",
            arg=text,
            timeout=WAIT,
        )
    except Exception:  # say what it shows instead
        shown = summary.first.text_content() if summary.count() else "no summary on the page"
        pytest.fail(f"the reader should say {text!r}, it says {shown!r}")


def _on_page(box: dict, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Canvas pixels to page coordinates, whatever size the canvas is shown at."""
    sx, sy = box["width"] / SIZE, box["height"] / SIZE
    return [(box["x"] + x * sx, box["y"] + y * sy) for x, y in points]


def _canvas_box(canvas) -> dict:
    """Where the canvas is on the page now: a click on a button may have scrolled it."""
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and round(box["width"]) == SIZE == round(box["height"]), box
    return box


def _draw_with_the_mouse(page, box: dict, points: list[tuple[float, float]]) -> None:
    path = _on_page(box, points)
    page.mouse.move(*path[0])
    page.mouse.down()
    for x, y in path[1:]:
        page.mouse.move(x, y, steps=2)
    page.mouse.up()


def _draw_with_a_finger(page, box: dict, points: list[tuple[float, float]]) -> None:
    """Touch events through the DevTools protocol, as a finger on a touch screen gives them."""
    session = page.context.new_cdp_session(page)
    session.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})
    path = _on_page(box, points)
    touch = lambda kind, at: session.send(  # noqa: E731
        "Input.dispatchTouchEvent",
        {"type": kind, "touchPoints": [{"x": at[0], "y": at[1]}] if at else []},
    )
    touch("touchStart", path[0])
    for point in path[1:]:
        touch("touchMove", point)
    touch("touchEnd", None)
    session.detach()


def _maps(page) -> str:
    maps = page.locator(".course-reader-maps")
    page.wait_for_function(
        f"() => {{ const node = document.querySelector('.course-reader-maps');"
        f" return !!node && ({MAPS_DATA})(node) !== null; }}",
        timeout=WAIT,
    )
    return maps.evaluate(MAPS_DATA)


@contextlib.contextmanager
def reader_page(lab, browser, notebook):
    """A page of JupyterLab on the notebook that ``notebook(root)`` writes (and names), its
    cells run up to the reader's: yields (page, name); the page is closed at the end."""
    url, token, root = lab
    name = notebook(root)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(f"{url}/lab/tree/{name}?reset&token={token}")
        page.wait_for_function(KERNEL_IDLE, timeout=60_000)
        _run_reader_cells(page, name)
        yield page, name
    finally:
        page.close()


def _the_canvas(page, name: str):
    """The reader's one canvas, once the reader says "draw a digit"."""
    canvas = page.locator(".course-canvas")
    canvas.wait_for(state="visible", timeout=WAIT)
    assert canvas.count() == 1, f"{name}: expected one drawing canvas, found {canvas.count()}"
    _wait_for_summary(page, "draw a digit")
    return canvas


def test_draw_a_one_and_a_zero(lab, browser, screenshots):
    with reader_page(lab, browser, _notebook) as (page, name):
        canvas = _the_canvas(page, name)
        assert page.locator(".course-reader-probabilities .js-plotly-plot").count() == 0
        box = _canvas_box(canvas)

        # A vertical stroke with the mouse: a 1.
        _draw_with_the_mouse(page, box, [(140, 40 + 10 * step) for step in range(21)])
        _wait_for_summary(page, "read as 1")
        one = _maps(page)
        area = page.locator(".jp-OutputArea-output:has(.course-reader)")
        fit = area.evaluate(TOO_WIDE)
        assert not fit["wide"] and fit["reader"] <= fit["room"], f"{name}: too wide: {fit}"

        # "undo" and "clear" empty the canvas again.
        page.locator(".course-canvas-undo").click()  # may scroll the page: where is the canvas now?
        _wait_for_summary(page, "draw a digit")
        box = _canvas_box(canvas)
        _draw_with_the_mouse(page, box, [(140, 60), (140, 220)])
        _wait_for_summary(page, "read as")
        page.locator(".course-canvas-clear").click()
        _wait_for_summary(page, "draw a digit")
        assert page.locator(".course-reader-probabilities .js-plotly-plot").count() == 0

        # A closed loop with a finger: a 0, and other feature maps.
        loop = [
            (140 + 80 * math.cos(2 * math.pi * k / 39), 140 + 80 * math.sin(2 * math.pi * k / 39))
            for k in range(40)
        ]
        _draw_with_a_finger(page, _canvas_box(canvas), loop)
        _wait_for_summary(page, "read as 0")
        zero = _maps(page)
        assert zero != one, f"{name}: the feature maps did not change from the 1 to the 0"
        page.locator(".course-reader").scroll_into_view_if_needed()
        page.screenshot(path=screenshots / "demo_draw_a_digit-zero.png")


def _make_demo(tmp_path: Path, *make_args: str):
    """`make demo` on a free port: yields its URL with the token and its log; stopped at the end.

    Its output goes to a file, not a pipe: a pipe nobody reads would fill up
    with Voila's log lines and stop the server.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path / "make_demo.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "demo",
                f"DEMO_ARGS=--no-browser --port={port} --Voila.ip=127.0.0.1",
                *make_args,
            ],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path)},
        )
    try:
        token = re.compile(r"make demo: the login token is ([0-9a-f]+)")
        deadline = time.monotonic() + 300  # make may first bring .venv up to date
        found = None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"make demo exited with {process.returncode}:\n{log.read_text()}")
            text = log.read_text()
            found = token.search(text)
            if found and "running at" in text:
                break
            time.sleep(0.3)
        assert found, f"make demo printed no token:\n{log.read_text()}"
        yield f"http://127.0.0.1:{port}/?token={found.group(1)}", log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def demo_page(chromium_path, tmp_path):
    """`make demo`: the page's URL with its token."""
    for url, _ in _make_demo(tmp_path):
        yield url


@pytest.fixture
def saved_model_demo_page(chromium_path, tmp_path):
    """`make demo MODEL=...` on the pretrained ConvNet saved with model.save: URL, file, log."""
    from utils.models import load_pretrained_convnet

    path = tmp_path / "my_convnet.keras"
    load_pretrained_convnet().save(path)
    for url, log in _make_demo(tmp_path, f"MODEL={path}"):
        yield url, path, log


def test_the_make_demo_page_reads_a_one_and_a_zero(demo_page, browser, screenshots):
    """The page of `make demo` (Voila): no code cells, and the canvas reads what is drawn."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(demo_page)
        canvas = page.locator(".course-canvas")
        canvas.wait_for(state="visible", timeout=120_000)  # Voila runs the notebook first
        assert "DigitReader(" not in page.inner_text("body"), "the page shows the code"
        _wait_for_summary(page, "draw a digit")
        _draw_with_the_mouse(
            page, _canvas_box(canvas), [(140, 40 + 10 * step) for step in range(21)]
        )
        _wait_for_summary(page, "read as 1")
        one = _maps(page)
        page.locator(".course-canvas-clear").click()
        _wait_for_summary(page, "draw a digit")
        loop = [
            (140 + 80 * math.cos(2 * math.pi * k / 39), 140 + 80 * math.sin(2 * math.pi * k / 39))
            for k in range(40)
        ]
        _draw_with_the_mouse(page, _canvas_box(canvas), loop)
        _wait_for_summary(page, "read as 0")
        assert _maps(page) != one, "the feature maps did not change from the 1 to the 0"
        page.screenshot(path=screenshots / "make_demo-zero.png", full_page=True)
    finally:
        page.close()


def test_make_demo_shows_a_saved_model(saved_model_demo_page, browser, screenshots):
    """`make demo MODEL=file.keras`: the page says which file, and reads with it, row by row."""
    url, path, log = saved_model_demo_page
    assert f"make demo: reading {path}" in log.read_text(), log.read_text()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(url)
        canvas = page.locator(".course-canvas")
        canvas.wait_for(state="visible", timeout=120_000)  # Voila runs the notebook first
        body = page.inner_text("body")
        assert f"the network: {path}" in body, "the page does not say which model it shows"
        _wait_for_summary(page, "draw a digit")
        stroke = [(140, 40 + 10 * step) for step in range(21)]
        _draw_with_the_mouse(page, _canvas_box(canvas), stroke)
        _wait_for_summary(page, "read as 1")
        rows = page.locator(".course-reader-maps").evaluate(
            "(node) => { const plot = node.querySelector('.js-plotly-plot');"
            " return plot ? plot.layout.annotations.map((a) => a.text).filter((t) => t) : []; }"
        )
        assert rows == ["conv_1 · 26 x 26 x 32", "conv_2 · 11 x 11 x 64", "conv_3 · 3 x 3 x 64"]
        page.screenshot(path=screenshots / "make_demo-saved-model.png", full_page=True)
    finally:
        page.close()


@pytest.mark.parametrize(
    ("make_model", "said"),
    [
        ("missing.keras", "no model file at"),
        ("weights.h5", "is not a .keras file (a weights file"),
    ],
)
def test_make_demo_refuses_a_bad_model_file_before_the_page_starts(tmp_path, make_model, said):
    (tmp_path / "weights.h5").write_bytes(b"not a model")
    result = subprocess.run(
        ["make", "--no-print-directory", "demo", f"MODEL={tmp_path / make_model}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0, result.stdout + result.stderr
    assert f"make demo: MODEL={tmp_path / make_model}: " in result.stdout, result.stdout
    assert said in result.stdout and "Traceback" not in result.stdout + result.stderr
    assert "voila" not in result.stdout + result.stderr, "the page started anyway"
