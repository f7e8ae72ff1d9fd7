"""The course as a person meets it: each lesson opened in JupyterLab in Chromium.

nbval has already executed every lesson and compared its outputs with the
stored ones, so here JupyterLab draws the stored outputs, as a student sees a
lesson on opening it: no error output, every plotly figure drawn as an SVG
with content. Only what needs a live kernel is executed in the browser: the
widgets. For a lesson with widgets, the cells they need (``lesson_cells.py``:
the widget cells and the earlier cells that define what they use) are run in
the page's kernel, every widget must render, and in the lessons with a
slider-driven widget the slider is moved and the drawing must change. The
summary at the end of the run says how many code cells of each lesson the
browser executed.

Once everything is drawn, axe-core checks the lesson for accessibility (WCAG
2.1 A and AA, and best practices) on what the course puts on the page: the
rendered markdown and the output areas (figures, printed text, widgets). Left
out is JupyterLab's own interface (menus, toolbars, side panels, the cell
editors and prompts), which the course does not make and cannot fix. What axe
finds is printed at the end of the run, and there must be nothing. axe counts
the notebook's content as off screen (it sits in JupyterLab's scrolling panel),
so its colour-contrast rule does not run here: the contrast of the same prose
and outputs is checked on the course's pages (``test_accessibility.py``).

A screenshot of each notebook goes to ``tests/browser/screenshots/``
(git-ignored).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import export_html  # scripts/
import nbformat
import pytest
from axe import checked, counts, describe
from axe import run as run_axe
from lesson_cells import WIDGET_MIME, cells_for_widgets, code_cells
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from utils.figures import FIGURE_MIME

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

LESSONS = sorted(path.name for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
# Lessons whose first slider drives figures: the stepper (01) and the explorer (06).
SLIDER_LESSONS = {"01_convolution_math.ipynb", "06_kernels_and_feature_maps.ipynb"}
# Lessons that show OutputSizeCalculator(variants=True): its dilation slider and its
# "transposed" button are driven too (dilated and transposed convolutions, lesson 10).
CALCULATOR_LESSONS = {"10_convolution_variants.ipynb"}
RUN_TIMEOUT = 600  # s, for the cells the widgets need
# The course's part of a lesson's page: rendered markdown and output areas.
AXE_CONTEXT = {"include": [[".jp-MarkdownOutput"], [".jp-OutputArea-output"]]}
RENDER_TIMEOUT = 60_000  # ms

NOTEBOOK_STATE = """() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext || !panel.context.isReady) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return kernel ? kernel.status : null;
}"""

# Run the cells at these indices, one after another, as Shift+Enter on each would.
START_RUN_CELLS = """(indices) => {
  window.courseRun = null;
  const app = window.jupyterapp;
  const notebook = app.shell.currentWidget.content;
  (async () => {
    for (const index of indices) {
      notebook.activeCellIndex = index;
      notebook.deselectAll();
      await app.commands.execute('notebook:run-cell');
    }
  })().then(() => { window.courseRun = {ok: true}; },
            (error) => { window.courseRun = {error: String(error)}; });
}"""

MODEL_OUTPUTS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const found = [];
  panel.content.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    found.push({cell: index, count: cell.model.executionCount, outputs:
      cell.model.outputs.toJSON().map((o) => ({type: o.output_type,
        ename: o.ename || null, evalue: o.evalue || null}))});
  });
  return found;
}"""

RENDERED = """() => {
  const plots = [...document.querySelectorAll('.jp-OutputArea-output.jp-RenderedPlotly')];
  const widgets = [...document.querySelectorAll('.jp-OutputArea-output')]
    .filter((node) => node.firstElementChild &&
                      node.firstElementChild.classList.contains('jupyter-widgets'));
  const drawn = (node) => {
    const svg = node.querySelector('svg.main-svg');
    return !!svg && svg.childElementCount > 0 && svg.getBoundingClientRect().width > 0;
  };
  const shown = (node) => node.getBoundingClientRect().height > 0 &&
    !/Error displaying widget|Loading widget/.test(node.textContent);
  return {plots: plots.length, plotsDrawn: plots.filter(drawn).length,
          widgets: widgets.length, widgetsShown: widgets.filter(shown).length};
}"""


# Figures wider than the cell's output area make the page scroll sideways; the
# check runs with the file browser open, as JupyterLab first opens.
TOO_WIDE = """() => {
  const browser = document.querySelector('#filebrowser');
  const open = !!browser && browser.getBoundingClientRect().width > 0;
  const wide = [...document.querySelectorAll('.jp-OutputArea-output.jp-RenderedPlotly')]
    .map((node) => ({room: node.clientWidth,
      width: Math.round(node.querySelector('svg.main-svg').getBoundingClientRect().width)}))
    .filter((figure) => figure.width > figure.room);
  return {fileBrowserOpen: open, wide: wide};
}"""


def stored_counts(path: Path) -> tuple[int, int, list[str]]:
    """Plotly figures, widget views and error outputs stored in a notebook file."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    n_plots = n_widgets = 0
    errors = []
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
            n_plots += FIGURE_MIME in output.get("data", {})
            n_widgets += WIDGET_MIME in output.get("data", {})
    return n_plots, n_widgets, errors


def _open(page, url: str, token: str, name: str) -> None:
    page.goto(f"{url}/lab/tree/{name}?reset&token={token}")
    page.wait_for_function(f"() => ({NOTEBOOK_STATE})() === 'idle'", timeout=RENDER_TIMEOUT)


def _run_cells(page, name: str, indices: list[int]) -> None:
    page.evaluate(START_RUN_CELLS, indices)
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        result = page.evaluate("() => window.courseRun")
        if result is not None:
            assert "error" not in result, f"{name}: running cells {indices} failed: {result}"
            return
        time.sleep(0.5)
    pytest.fail(f"{name}: cells {indices} did not finish within {RUN_TIMEOUT} s")


def _executed_cells(page, indices: list[int]) -> tuple[list[str], list[int]]:
    """Error outputs on the page, and which of ``indices`` have not run."""
    cells = page.evaluate(MODEL_OUTPUTS)
    errors = [
        f"cell {cell['cell']}: {output['ename']}: {output['evalue']}"
        for cell in cells
        for output in cell["outputs"]
        if output["type"] == "error"
    ]
    not_run = [cell["cell"] for cell in cells if cell["cell"] in indices and not cell["count"]]
    return errors, not_run


def _wait_until_drawn(page, screenshots: Path, name: str, n_plots: int, n_widgets: int) -> None:
    try:
        page.wait_for_function(
            f"""() => {{ const r = ({RENDERED})();
                return r.plots >= {n_plots} && r.plotsDrawn === r.plots
                    && r.widgets >= {n_widgets} && r.widgetsShown === r.widgets; }}""",
            timeout=RENDER_TIMEOUT,
            polling=500,
        )
    except PlaywrightTimeoutError:
        rendered = page.evaluate(RENDERED)
        page.screenshot(path=screenshots / f"{Path(name).stem}-FAILED.png")
        pytest.fail(
            f"{name}: not everything was drawn within {RENDER_TIMEOUT / 1000:.0f} s: "
            f"{n_plots} figures and {n_widgets} widgets expected; on the page "
            f"{rendered['plots']} figure outputs ({rendered['plotsDrawn']} drawn) and "
            f"{rendered['widgets']} widget outputs ({rendered['widgetsShown']} shown)"
        )


def _drawing(area) -> str:
    return area.evaluate(
        "(node) => [...node.querySelectorAll('svg.main-svg')].map((s) => s.innerHTML).join('')"
    )


def _wait_for_a_new_drawing(area, before: str, failure: str) -> None:
    """Wait up to 10 s for the figures in ``area`` to differ from ``before``."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _drawing(area) == before:
        time.sleep(0.2)
    assert _drawing(area) != before, failure


def _move_first_slider(page, name: str) -> None:
    areas = page.locator(".jp-OutputArea-output:has(> .jupyter-widgets)")
    for index in range(areas.count()):
        area = areas.nth(index)
        handles = area.locator(".widget-slider .noUi-handle")
        if handles.count() and area.locator("svg.main-svg").count():
            break
    else:
        pytest.fail(f"{name}: no widget with a slider and a plotly figure on the page")
    area.scroll_into_view_if_needed()
    before = _drawing(area)
    handles.first.focus()
    page.keyboard.press("ArrowRight")
    _wait_for_a_new_drawing(area, before, f"{name}: moving the slider changed nothing drawn")


def _drive_variant_calculator(page, name: str) -> None:
    """Move the calculator's dilation slider one step, then switch it to the transposed mode.

    Both must redraw its figure. The calculator is the widget with a "transposed" button.
    """
    transposed = page.get_by_role("button", name="transposed", exact=True)
    widget = page.locator(".jp-OutputArea-output:has(> .jupyter-widgets)").filter(has=transposed)
    if widget.count() != 1:
        pytest.fail(f"{name}: expected one OutputSizeCalculator(variants=True) on the page")
    widget.scroll_into_view_if_needed()

    dilation = widget.locator('.widget-slider:has(.widget-label:text-is("dilation")) .noUi-handle')
    at_the_end = dilation.get_attribute("aria-valuenow") == dilation.get_attribute("aria-valuemax")
    before = _drawing(widget)
    dilation.focus()
    page.keyboard.press("ArrowLeft" if at_the_end else "ArrowRight")
    _wait_for_a_new_drawing(widget, before, f"{name}: moving the dilation changed nothing drawn")

    before = _drawing(widget)
    widget.get_by_role("button", name="transposed", exact=True).click()
    _wait_for_a_new_drawing(
        widget, before, f"{name}: the transposed mode changed nothing drawn (was it on already?)"
    )


def _check_accessibility(page, name: str, axe_counts: dict) -> None:
    """axe-core on the lesson's prose and outputs: no violation (what it finds is printed)."""
    results = run_axe(page, AXE_CONTEXT)
    # Not an empty check: the lesson's headings were there to be checked.
    assert {"empty-heading", "heading-order"} <= checked(results), f"{name}: axe checked nothing"
    found = results["violations"]
    axe_counts[name] = counts(found)
    assert not found, f"{name}: axe-core found in the prose and outputs\n{describe(found)}"


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_draws_in_jupyterlab(lab, browser, screenshots, executed_cells, axe_counts, name):
    url, token, _ = lab
    path = NOTEBOOKS / name
    n_plots, n_widgets, stored_errors = stored_counts(path)
    assert not stored_errors, f"{name}: stored error outputs:\n" + "\n".join(stored_errors)
    cells = code_cells(path)
    to_run = [cell.index for cell in cells_for_widgets(cells)]
    executed_cells[name] = (len(to_run), len(cells))
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        _open(page, url, token, name)
        # The stored outputs first: every figure drawn before any cell runs.
        _wait_until_drawn(page, screenshots, name, n_plots, 0)
        fit = page.evaluate(TOO_WIDE)
        assert fit["fileBrowserOpen"], f"{name}: the file browser is not open"
        assert not fit["wide"], f"{name}: figures wider than the notebook column: {fit['wide']}"
        if to_run:
            _run_cells(page, name, to_run)
            errors, not_run = _executed_cells(page, to_run)
            assert not errors, f"{name}: error outputs:\n" + "\n".join(errors)
            assert not not_run, f"{name}: cells {not_run} did not run"
            _wait_until_drawn(page, screenshots, name, n_plots, n_widgets)
        _check_accessibility(page, name, axe_counts)
        if name in SLIDER_LESSONS:
            _move_first_slider(page, name)
        if name in CALCULATOR_LESSONS:
            _drive_variant_calculator(page, name)
        # The screenshot shows the first widget, else the first figure.
        shown = page.locator(".jp-OutputArea-output:has(> .jupyter-widgets)")
        if not n_widgets:
            shown = page.locator(".jp-OutputArea-output.jp-RenderedPlotly")
        if n_widgets or n_plots:
            shown.first.scroll_into_view_if_needed()
        page.screenshot(path=screenshots / f"{Path(name).stem}.png")
    finally:
        page.close()


def test_slider_lessons_exist():
    """The slider check above is not silently skipped by a renamed lesson."""
    assert SLIDER_LESSONS <= set(LESSONS)


def test_calculator_lessons_exist():
    """The calculator check above is not silently skipped by a renamed (or missing) lesson."""
    assert CALCULATOR_LESSONS <= set(LESSONS)


# A page from file:// may ask only for files beside it, and for about:blank: the
# empty font MathJax declares to tell when its web fonts have loaded (no network).
def _left_file_urls(requests: list[str]) -> list[str]:
    return [url for url in requests if not url.startswith("file:") and url != "about:blank"]


def test_exported_page_opens_offline_with_its_figures_and_formulas(browser, tmp_path):
    lessons = [NOTEBOOKS / "01_convolution_math.ipynb", NOTEBOOKS / "02_padding_and_stride.ipynb"]
    pages = export_html.export(lessons, tmp_path)
    (page_name, _, n_figures, n_widgets) = pages[1]
    assert n_figures >= 1 and n_widgets >= 1
    stored = "".join(
        cell.source
        for cell in nbformat.read(lessons[1], as_version=4).cells
        if cell.cell_type == "markdown"
    )
    n_display = stored.count("$$") // 2
    assert n_display >= 1  # lesson 02 states its output-size formula as displayed maths
    page = browser.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    # Anything that would leave file:// is refused, so a slip cannot wait on a network.
    page.route(lambda url: not url.startswith(("file:", "about:")), lambda route: route.abort())
    try:
        page.goto((tmp_path / page_name).as_uri())
        page.wait_for_function(
            f"""() => [...document.querySelectorAll('.course-plotly-figure')]
                .filter((d) => d.querySelector('svg.main-svg')).length === {n_figures}""",
            timeout=RENDER_TIMEOUT,
        )
        page.wait_for_function(
            f"() => document.querySelectorAll('.MathJax_Display').length >= {n_display}",
            timeout=RENDER_TIMEOUT,
        )
        text = page.evaluate("() => document.querySelector('main').innerText")
        assert "$$" not in text and "\\frac" not in text
        assert page.locator(".course-widget-note").count() == n_widgets
        navigation = page.locator("nav.course-navigation").first
        assert navigation.locator("a[rel=prev]").get_attribute("href") == pages[0][0]
        assert navigation.locator("a[rel=next]").count() == 0  # the last page exported
        assert navigation.locator("a", has_text="All lessons").get_attribute("href") == "index.html"
        page.goto((tmp_path / "index.html").as_uri())
        links = page.locator(".course-lesson-map a")
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
            name for name, _, _, _ in pages
        ]
        assert "about 35 minutes" in page.locator(".course-lesson-map").inner_text()
    finally:
        page.close()
    assert _left_file_urls(requests) == []


def test_the_lesson_map_reads_each_lessons_first_cell():
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        lesson = export_html.lesson_summary(nbformat.read(path, as_version=4), "page.html")
        assert lesson.title.startswith(path.name[:2] + " "), path.name
        assert lesson.time.startswith("about ") and " minutes" in lesson.time, path.name
        assert len(lesson.aims) >= 3, path.name
