"""The course as a person meets it: each lesson run in JupyterLab in Chromium.

For every notebook: open it, Run All, and check what is on the page, not only
what the kernel returned: no error output, every plotly figure drawn (an SVG
with content), every widget rendered. For the lessons with a slider-driven
widget, move the slider and check that the drawing changes. A screenshot of
each notebook goes to ``tests/browser/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
LESSONS = sorted(path.name for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
# Lessons whose first slider drives figures: the stepper (01) and the explorer (06).
SLIDER_LESSONS = {"01_convolution_math.ipynb", "06_kernels_and_feature_maps.ipynb"}
RUN_ALL_TIMEOUT = 1200  # s; lesson 05 trains for several minutes on 2 cores
RENDER_TIMEOUT = 60_000  # ms

NOTEBOOK_STATE = """() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext || !panel.context.isReady) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return kernel ? kernel.status : null;
}"""

START_RUN_ALL = """() => {
  window.courseRunAll = null;
  window.jupyterapp.commands.execute('notebook:run-all-cells').then(
    (ok) => { window.courseRunAll = {ok: ok}; },
    (error) => { window.courseRunAll = {error: String(error)}; });
}"""

MODEL_OUTPUTS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const found = [];
  panel.content.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    found.push({cell: index, count: cell.model.executionCount, outputs:
      cell.model.outputs.toJSON().map((o) => ({type: o.output_type,
        mimes: Object.keys(o.data || {}), ename: o.ename || null, evalue: o.evalue || null}))});
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


def _open(page, url: str, token: str, name: str) -> None:
    page.goto(f"{url}/lab/tree/{name}?reset&token={token}")
    page.wait_for_function(f"() => ({NOTEBOOK_STATE})() === 'idle'", timeout=RENDER_TIMEOUT)


def _run_all(page, name: str) -> None:
    page.evaluate(START_RUN_ALL)
    deadline = time.monotonic() + RUN_ALL_TIMEOUT
    while time.monotonic() < deadline:
        result = page.evaluate("() => window.courseRunAll")
        if result is not None:
            assert "error" not in result, f"{name}: Run All failed: {result['error']}"
            return
        time.sleep(1)
    pytest.fail(f"{name}: Run All did not finish within {RUN_ALL_TIMEOUT} s")


def _model_counts(cells: list[dict]) -> tuple[list[str], int, int, int]:
    errors, n_plots, n_widgets, not_run = [], 0, 0, 0
    for cell in cells:
        not_run += cell["count"] is None
        for output in cell["outputs"]:
            if output["type"] == "error":
                errors.append(f"cell {cell['cell']}: {output['ename']}: {output['evalue']}")
            n_plots += PLOTLY_MIME in output["mimes"]
            n_widgets += WIDGET_MIME in output["mimes"]
    return errors, n_plots, n_widgets, not_run


def _drawing(page, area) -> str:
    return area.evaluate(
        "(node) => [...node.querySelectorAll('svg.main-svg')].map((s) => s.innerHTML).join('')"
    )


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
    before = _drawing(page, area)
    handles.first.focus()
    page.keyboard.press("ArrowRight")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _drawing(page, area) == before:
        time.sleep(0.2)
    assert _drawing(page, area) != before, f"{name}: moving the slider changed nothing drawn"


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_runs_and_draws_in_jupyterlab(lab, browser, screenshots, name):
    url, token, _ = lab
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        _open(page, url, token, name)
        _run_all(page, name)
        errors, n_plots, n_widgets, not_run = _model_counts(page.evaluate(MODEL_OUTPUTS))
        assert not errors, f"{name}: error outputs:\n" + "\n".join(errors)
        assert not_run == 0, f"{name}: {not_run} code cells did not run"
        # Figures inside widgets are on the page too, hence "at least".
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
                f"{n_plots} figures and {n_widgets} widgets in the notebook; on the page "
                f"{rendered['plots']} figure outputs ({rendered['plotsDrawn']} drawn) and "
                f"{rendered['widgets']} widget outputs ({rendered['widgetsShown']} shown)"
            )
        if name in SLIDER_LESSONS:
            _move_first_slider(page, name)
        first = page.locator(".jp-OutputArea-output.jp-RenderedPlotly").first
        if n_plots:
            first.scroll_into_view_if_needed()
        page.screenshot(path=screenshots / f"{Path(name).stem}.png")
    finally:
        page.close()


def test_slider_lessons_exist():
    """The slider check above is not silently skipped by a renamed lesson."""
    assert SLIDER_LESSONS <= set(LESSONS)


def _load_export_script():
    spec = importlib.util.spec_from_file_location("export_html", ROOT / "scripts/export_html.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["export_html"] = module
    spec.loader.exec_module(module)
    return module


def test_exported_page_opens_offline_with_its_figures(browser, tmp_path):
    export_html = _load_export_script()
    pages = export_html.export([NOTEBOOKS / "01_convolution_math.ipynb"], tmp_path)
    (page_name, _, n_figures, n_widgets) = pages[0]
    assert n_figures >= 1 and n_widgets >= 1
    page = browser.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto((tmp_path / page_name).as_uri())
        page.wait_for_function(
            f"""() => [...document.querySelectorAll('.course-plotly-figure')]
                .filter((d) => d.querySelector('svg.main-svg')).length === {n_figures}""",
            timeout=RENDER_TIMEOUT,
        )
        assert page.locator(".course-widget-note").count() == n_widgets
    finally:
        page.close()
    assert [url for url in requests if not url.startswith("file:")] == []
