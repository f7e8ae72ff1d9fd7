"""The course's pages (``make html``) for every reader: WCAG 2.1 AA, checked with axe-core.

Every page that ``scripts/export_html.py`` writes (the thirteen lessons and the
index) is opened in Chromium from ``file://``, once its figures and formulas
are drawn, and axe-core runs on the whole page with WCAG 2.1 A and AA rules
and its best practices (landmarks, headings). Each page must have no
violation at all; the counts per page are printed. Then, as a reader who
zooms to 200% sees it (a 1280-pixel window at 200% is 640 CSS pixels wide),
the page must not scroll sideways, and a figure, code or table wider than its
box must scroll in it, not be cut off. And every figure must be a
``<figure>`` whose accessible name is its text alternative, starting with
its title.

The lessons as JupyterLab shows them are checked in ``test_lab.py`` (axe on
the course's outputs and prose only), where each lesson is opened anyway.
"""

from __future__ import annotations

from pathlib import Path

import export_html  # scripts/
import pytest
from axe import checked, counts, describe
from axe import run as run_axe

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
LESSONS = sorted(path.name for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
PAGES = [Path(name).with_suffix(".html").name for name in LESSONS] + ["index.html"]
RENDER_TIMEOUT = 60_000  # ms
ZOOMED_WIDTH = 640  # CSS pixels: a 1280-pixel-wide window at 200% zoom

DRAWN = """() => {
  const figures = [...document.querySelectorAll('.course-plotly-figure')];
  const typeset = !window.MathJax || !MathJax.Hub ||
    (MathJax.Hub.queue.pending === 0 && MathJax.Hub.queue.running === 0);
  return typeset && figures.every((d) => d.querySelector('svg.main-svg'));
}"""

FIGURE_NAMES = """() => [...document.querySelectorAll('figure.course-figure')].map((f) => {
  const caption = document.getElementById(f.getAttribute('aria-labelledby'));
  return {caption: caption ? caption.textContent : null,
          title: (f.querySelector('.gtitle') || {}).textContent || ''};
})"""

SIDEWAYS = """() => ({page: document.documentElement.scrollWidth,
                    window: document.documentElement.clientWidth})"""

# Figures, code and tables wider than their box, in a box that cuts them off instead of
# scrolling: what a reader at 200% zoom could not reach.
CLIPPED = """() => {
  const clipped = [];
  for (const node of document.querySelectorAll('svg.main-svg, pre, table')) {
    const width = node.getBoundingClientRect().width;
    for (let box = node.parentElement; box && box !== document.body; box = box.parentElement) {
      if (box.clientWidth >= width - 1) continue;
      const overflow = getComputedStyle(box).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') break;
      if (overflow === 'hidden' || overflow === 'clip') {
        clipped.push(`${node.tagName} ${Math.round(width)} pixels wide in ${box.className}`);
        break;
      }
    }
  }
  return clipped;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    export_html.export([NOTEBOOKS / name for name in LESSONS], folder)
    return folder


def _open(browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    # Anything that would leave file:// is refused: the pages must not need it.
    page.route(lambda url: not url.startswith(("file:", "about:")), lambda route: route.abort())
    page.goto(path.as_uri())
    page.wait_for_function(DRAWN, timeout=RENDER_TIMEOUT, polling=250)
    return page


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_accessibility_violation_and_reflows_at_200_percent(site, browser, name):
    page = _open(browser, site / name, 1280)
    try:
        results = run_axe(page)
        assert {"color-contrast", "landmark-one-main", "document-title"} <= checked(results)
        found = results["violations"]
        print(f"axe on {name}: {counts(found) or 'no violations'}")
        assert not found, f"{name}: axe-core found\n{describe(found)}"
        figures = page.evaluate(FIGURE_NAMES)
        assert len(figures) == page.locator(".course-plotly-figure").count()
        for number, figure in enumerate(figures, start=1):
            assert figure["caption"], f"{name}: figure {number} has no caption naming it"
            if figure["title"]:
                assert figure["caption"].startswith(figure["title"]), (
                    f"{name}: figure {number}'s text alternative does not start with its title "
                    f"{figure['title']!r}: {figure['caption'][:120]!r}"
                )
        page.set_viewport_size({"width": ZOOMED_WIDTH, "height": 900})
        page.wait_for_timeout(200)  # a layout pass
        width = page.evaluate(SIDEWAYS)
        assert width["page"] <= width["window"], (
            f"{name}: at {ZOOMED_WIDTH} CSS pixels (200% zoom) the page is {width['page']} "
            "pixels wide and scrolls sideways"
        )
        clipped = page.evaluate(CLIPPED)
        assert not clipped, f"{name}: at 200% zoom, cut off instead of scrolling: {clipped}"
    finally:
        page.close()
