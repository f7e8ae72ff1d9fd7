"""The course's widgets with the keyboard alone, in JupyterLab in Chromium.

For the stepper (lesson 01), the output-size calculator (lesson 02), the
feature-map explorer and the draw-a-digit reader (lesson 06) and the
draw-a-digit demo, the cells the widgets need are run (as in
``test_lab.py``), then, from the start of each widget, Tab must reach each of
its controls in order, each found by its role and the name a screen reader
announces; arrow keys move the sliders and the menus, Enter and Space press
the buttons, and the widget must change what it shows. The canvas cannot be
drawn with keys: its description must say so and name the keyboard's way in,
the "read a test digit" menu, which must make the reader read a digit. axe-core
must find no control without a name in any of these widgets.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from axe import describe
from axe import run as run_axe
from lesson_cells import cells_for_widgets, code_cells
from test_lab import _executed_cells, _open, _run_cells

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
WAIT = 15  # s, for the kernel to answer a key
MAX_TABS = 12  # Tab presses allowed from one control to the next

# axe-core's rules for controls without a name and for what keys cannot reach.
AXE_RULES = [
    "label",
    "aria-input-field-name",
    "aria-toggle-field-name",
    "button-name",
    "select-name",
    "nested-interactive",
    "scrollable-region-focusable",
    "role-img-alt",
]

IS_FOCUSED = "(node) => node === document.activeElement"
FOCUSED = """() => { const e = document.activeElement;
  return e ? `${e.tagName.toLowerCase()}.${e.className} "${e.getAttribute('aria-label') || ''}"`
           : 'nothing'; }"""


def _open_lesson(page, lab, name: str) -> None:
    url, token, _ = lab
    to_run = [cell.index for cell in cells_for_widgets(code_cells(NOTEBOOKS / name))]
    assert to_run, f"{name}: no widget cells"
    _open(page, url, token, name)
    _run_cells(page, name, to_run)
    errors, not_run = _executed_cells(page, to_run)
    assert not errors, f"{name}: error outputs:\n" + "\n".join(errors)
    assert not not_run, f"{name}: cells {not_run} did not run"


def _widget(page, has: str):
    """The output area of the widget that holds ``has`` (a CSS selector), once it is drawn."""
    area = page.locator(".jp-OutputArea-output:has(> .jupyter-widgets)").filter(
        has=page.locator(has)
    )
    area.first.wait_for(state="visible", timeout=60_000)
    assert area.count() == 1, f"expected one widget with {has}, found {area.count()}"
    area.scroll_into_view_if_needed()
    return area


def _start_of(area) -> None:
    """Put the focus just before the widget's first control, as Tab from above would."""
    area.evaluate("(node) => { node.tabIndex = -1; node.focus(); }")


def _tab_to(page, control, what: str) -> None:
    """Press Tab until ``control`` has the focus: it must, within MAX_TABS presses."""
    control.wait_for(state="attached", timeout=WAIT * 1000)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if control.evaluate(IS_FOCUSED):
            return
    pytest.fail(
        f"Tab did not reach {what} in {MAX_TABS} presses; the focus is on {page.evaluate(FOCUSED)}"
    )


def _wait_for_change(read, before, what: str):
    """Wait until ``read()`` differs from ``before``; return the new value."""
    deadline = time.monotonic() + WAIT
    now = read()
    while now == before and time.monotonic() < deadline:
        time.sleep(0.1)
        now = read()
    assert now != before, f"{what}: nothing changed ({before[:200]!r})"
    return now


def _text(locator):
    return lambda: locator.inner_text()


def _drawing(area):
    return lambda: area.evaluate(
        "(node) => [...node.querySelectorAll('svg.main-svg')].map((s) => s.innerHTML).join('')"
    )


def _press_and_see(page, key: str, read, what: str):
    before = read()
    page.keyboard.press(key)
    return _wait_for_change(read, before, f"{what} after {key}")


def _no_axe_violations(page, area, what: str) -> None:
    selector = area.evaluate(
        "(node) => { node.id = node.id || 'course-kbd-' + Math.random().toString(36).slice(2);"
        " return '#' + node.id; }"
    )
    found = run_axe(page, selector, rules=AXE_RULES)["violations"]
    assert not found, f"{what}: axe-core finds\n{describe(found)}"


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        yield page
    finally:
        page.close()


def test_the_stepper_of_lesson_01_with_the_keyboard(lab, page):
    name = "01_convolution_math.ipynb"
    _open_lesson(page, lab, name)
    area = _widget(page, ".widget-play")
    _no_axe_violations(page, area, name)
    play = area.get_by_role("button", name="play", exact=True)
    stop = area.get_by_role("button", name="stop", exact=True)
    repeat = area.get_by_role("button", name="repeat", exact=True)
    step = area.get_by_role("slider", name="step: the output cell computed, row by row")
    caption = area.locator(".widget-html").first

    _start_of(area)
    _tab_to(page, play, "the play button")
    now = lambda: step.get_attribute("aria-valuenow")  # noqa: E731
    start = now()
    page.keyboard.press("Enter")  # plays: the step moves on by itself
    _wait_for_change(now, start, f"{name}: the step after Enter on play")
    area.get_by_role("button", name="pause", exact=True).wait_for(timeout=WAIT * 1000)
    _tab_to(page, stop, "the stop button")
    page.keyboard.press("Enter")  # stops, back to the first step
    play.wait_for(timeout=WAIT * 1000)
    _tab_to(page, repeat, "the repeat button")
    assert repeat.get_attribute("aria-pressed") == "false"
    page.keyboard.press("Space")
    page.wait_for_function(
        "(node) => node.getAttribute('aria-pressed') === 'true'",
        arg=repeat.element_handle(),
        timeout=WAIT * 1000,
    )
    _tab_to(page, step, "the step slider")
    page.wait_for_function(  # the caption of the first step, which stop went back to
        "(node) => node.innerText.includes('output[0, 0]')",
        arg=caption.element_handle(),
        timeout=WAIT * 1000,
    )
    shown = _press_and_see(page, "ArrowRight", _text(caption), f"{name}: the caption")
    assert "output[0, 1]" in shown, shown


def test_the_calculator_of_lesson_02_with_the_keyboard(lab, page):
    name = "02_padding_and_stride.ipynb"
    _open_lesson(page, lab, name)
    area = _widget(page, ".widget-slider .widget-label:text-is('kernel_size')")
    _no_axe_violations(page, area, name)
    message = area.locator(".widget-html").first
    _start_of(area)
    for spoken in ("width W of the input", "kernel size F", "padding P", "stride S"):
        slider = area.get_by_role("slider", name=spoken, exact=True)
        _tab_to(page, slider, f"the slider {spoken!r}")
        at_the_end = slider.get_attribute("aria-valuenow") == slider.get_attribute("aria-valuemax")
        key = "ArrowLeft" if at_the_end else "ArrowRight"
        value = slider.get_attribute("aria-valuenow")
        _press_and_see(page, key, _text(message), f"{name}: the formula, {spoken}")
        assert slider.get_attribute("aria-valuenow") != value
        # The value box beside it is named too, and Tab passes through it.
        readout = area.get_by_role("textbox", name=f"{spoken}: value", exact=True)
        _tab_to(page, readout, f"the value box of {spoken!r}")


def test_the_explorer_and_the_reader_of_lesson_06_with_the_keyboard(lab, page):
    name = "06_kernels_and_feature_maps.ipynb"
    _open_lesson(page, lab, name)

    explorer = _widget(page, "select >> text=conv_1")
    _no_axe_violations(page, explorer, f"{name}, the explorer")
    caption = explorer.locator(".widget-html").first
    figures = _drawing(explorer)
    _start_of(explorer)

    digit = explorer.get_by_role("slider", name="test digit, by its index", exact=True)
    assert caption.get_attribute("aria-live") == "polite"  # read out when it changes
    _tab_to(page, digit, "the digit slider")
    assert "test digit 1" in _press_and_see(page, "ArrowRight", _text(caption), "the caption")

    wrong = explorer.get_by_role("button", name="next misclassified")
    _tab_to(page, wrong, "the button 'next misclassified'")
    assert "misclassified" in _press_and_see(page, "Enter", _text(caption), "the caption")

    layer = explorer.get_by_role("combobox", name="layer", exact=True)
    _tab_to(page, layer, "the layer menu")
    _press_and_see(page, "ArrowDown", figures, "the feature maps")
    assert layer.input_value() == "pool_1"

    for end, key in (("lower end", "ArrowRight"), ("upper end", "ArrowLeft")):
        handle = explorer.get_by_role("slider", name=f"channels shown, {end}", exact=True)
        _tab_to(page, handle, f"the channels' {end}")
        _press_and_see(page, key, figures, f"the feature maps, channels' {end}")

    for spoken, says in (("shift right", "shifted 1 right"), ("shift down", "1 down")):
        shift = explorer.get_by_role("slider", name=f"{spoken}, in pixels", exact=True)
        _tab_to(page, shift, f"the slider {spoken!r}")
        assert says in _press_and_see(page, "ArrowRight", _text(caption), "the caption")

    erase = explorer.get_by_role("combobox", name="erase", exact=True)
    _tab_to(page, erase, "the erase menu")
    assert "top half erased" in _press_and_see(page, "ArrowDown", _text(caption), "the caption")

    _read_a_test_digit_with_the_keyboard(page, f"{name}, the reader")


def _read_a_test_digit_with_the_keyboard(page, what: str) -> None:
    reader = _widget(page, ".course-reader")
    _no_axe_violations(page, reader, what)
    canvas = reader.locator("canvas.course-canvas")
    described = canvas.evaluate(
        "(node) => document.getElementById(node.getAttribute('aria-describedby')).textContent"
    )
    assert "cannot be drawn on with keys" in described and "read a test digit" in described
    assert reader.locator(".course-canvas-note").is_visible()  # said on the page too
    summary = reader.locator(".course-reader-summary")
    _wait_for_change(summary.inner_text, "", f"{what}: the first reading")
    # the reading in words is a live region: a screen reader reads each new reading out
    assert (summary.get_attribute("role"), summary.get_attribute("aria-live")) == (
        "status",
        "polite",
    )
    menu = reader.get_by_role("combobox", name="read a test digit", exact=True)
    _start_of(reader)
    _tab_to(page, menu, "the menu 'read a test digit'")  # past the empty canvas's buttons
    shown = _press_and_see(page, "ArrowDown", _text(summary), f"{what}: the reading")
    assert "read as 0" in shown and "MNIST test digit 3 (a 0)" in shown, shown
    assert reader.locator(".course-reader-maps .js-plotly-plot").count() == 1
    shown = _press_and_see(page, "ArrowDown", _text(summary), f"{what}: the reading")
    assert "read as 1" in shown, shown


def test_the_draw_a_digit_demo_with_the_keyboard(lab, page):
    name = "demo_draw_a_digit.ipynb"
    if not (NOTEBOOKS / name).exists():
        pytest.skip(f"{name} is not in notebooks/")
    _open_lesson(page, lab, name)
    _read_a_test_digit_with_the_keyboard(page, name)
