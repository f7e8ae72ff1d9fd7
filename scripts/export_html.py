"""Export the lessons, with their stored outputs, to a static site that opens offline.

Usage: ``python scripts/export_html.py [--output-dir build/html] [notebooks/NN_name.ipynb ...]``
(``make html`` runs it on every lesson). Nothing is executed: the pages show
the outputs stored in the notebooks.

- Each plotly figure is drawn by ``plotly.min.js``, copied from the installed
  plotly package next to the pages, so figures draw without a network (the
  JPEG that the stored figure carries for code hosts is left out of the page).
- Formulas are typeset by MathJax 2.7.9, whose files come from the pinned
  ``jupyter-server-mathjax`` package and are copied into ``mathjax/`` beside
  the pages. That package ships only the combined ``TeX-AMS-MML_HTMLorMML-full``
  configuration, so MathJax writes HTML with the STIX-Web web fonts, which
  Chromium loads from ``file://`` too.
- The page loads no script from the network: require.js, mermaid and the
  widget manager that nbconvert's lab template takes from CDNs are left out
  (``scripts/html_template/course``). Each widget, which needs a running kernel
  to react, is replaced by a note that says to open the notebook in JupyterLab.
- Each page links to the previous and the next lesson and to ``index.html``,
  the lesson map: every lesson's title, time and aims, read from its first cell.
- The pages are made for every reader (WCAG 2.1 AA, checked with axe-core by
  ``tests/browser/test_accessibility.py``): each figure is a ``<figure>`` whose
  caption, read by screen readers and hidden from the eye, is its text
  alternative (``utils.plots.describe_figure``); the syntax colours, prompts
  and coloured outputs are darkened, in the same hue, to 4.5:1 contrast where
  JupyterLab's own fall short (:func:`accessible_css`, :func:`readable_colour`);
  links in text are underlined; a wide figure or code line scrolls in its own
  box, so that at 200% zoom the text never scrolls sideways; the two lesson
  navigations have names of their own, and the index is a ``<main>``.
- Only the pages, ``index.html``, ``plotly.min.js`` and ``mathjax/`` are written
  into the output folder; nothing else there is touched.
"""

from __future__ import annotations

import argparse
import colorsys
import html
import json
import re
import shutil
import sys
from pathlib import Path
from typing import NamedTuple

import jupyter_server_mathjax
import nbformat

# The JPEG each stored figure carries for code hosts (left out of the pages, which draw
# the figure), and plotly.js; figure_images also puts utils/ on the path.
from figure_images import IMAGE_MIME, PLOTLY_JS  # scripts/, beside this file
from nbconvert import HTMLExporter

from utils.figures import FIGURE_MIME
from utils.plots.describe import describe_figure

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TEMPLATES = Path(__file__).resolve().parent / "html_template"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
MATHJAX = Path(jupyter_server_mathjax.__file__).parent / "static"
# MathJax 2's configuration: TeX in $...$ and $$...$$ as JupyterLab reads it, drawn
# as HTML with the STIX-Web fonts that the package ships; no menu, no messages.
MATHJAX_CONFIG = """MathJax.Hub.Config({
  tex2jax: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
            displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
            processEscapes: true, processEnvironments: true},
  "HTML-CSS": {availableFonts: [], webFont: "STIX-Web", imageFont: null},
  messageStyle: "none",
  showMathMenu: false
});"""
MATHJAX_HEAD = (
    f'<script type="text/x-mathjax-config">\n{MATHJAX_CONFIG}\n</script>\n'
    '<script src="mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"></script>'
)
SITE_TITLE = "Convolutional Neural Networks, hands-on"

WIDGET_NOTE = (
    '<div class="course-widget-note" style="border:1px dashed #767676;padding:0.5em;'
    'color:#555">An interactive widget is here. Widgets need a running kernel: open '
    "this notebook in JupyterLab (<code>make lab</code>) and run it to use it.</div>"
)


def _script_json(value: object) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


# WCAG 2.1 AA asks 4.5:1 for text; a colour is darkened to a little more, so that rounding
# to a hex colour cannot leave it under.
MIN_CONTRAST = 4.5
_TARGET_CONTRAST = 4.6
CODE_BACKGROUND = "#f5f5f5"  # JupyterLab's light theme: --jp-cell-editor-background
PAGE_BACKGROUND = "#ffffff"


def _rgb(colour: str) -> tuple[float, float, float]:
    """A ``#rgb`` or ``#rrggbb`` colour as three floats in 0..1."""
    digits = colour.strip().lstrip("#")
    if len(digits) == 3:
        digits = "".join(2 * digit for digit in digits)
    if not re.fullmatch(r"[0-9a-fA-F]{6}", digits):
        raise ValueError(f"expected a colour #rgb or #rrggbb, got {colour!r}")
    return tuple(int(digits[index : index + 2], 16) / 255 for index in (0, 2, 4))


def _luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1's contrast ratio of two colours, from 1 to 21."""
    lighter, darker = sorted(
        (_luminance(_rgb(foreground)), _luminance(_rgb(background))), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def readable_colour(colour: str, background: str = PAGE_BACKGROUND) -> str:
    """``colour`` as it is if it has 4.5:1 contrast on ``background``, else darkened.

    The hue and saturation are kept and the lightness lowered in steps of 0.5%
    until the contrast is 4.6:1; the result is ``#rrggbb``.
    """
    if contrast_ratio(colour, background) >= MIN_CONTRAST:
        return colour
    hue, lightness, saturation = colorsys.rgb_to_hls(*_rgb(colour))
    while True:
        rgb = colorsys.hls_to_rgb(hue, lightness, saturation)
        darker = "#" + "".join(f"{round(255 * c):02x}" for c in rgb)
        if contrast_ratio(darker, background) >= _TARGET_CONTRAST or lightness <= 0:
            return darker
        lightness = max(0.0, lightness - 0.005)


_HEX_COLOUR = r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b"


def accessible_css(page: str) -> str:
    """A ``<style>`` that brings the page's low-contrast colours and layout up to WCAG 2.1 AA.

    - every syntax colour of JupyterLab's theme (``--jp-mirror-editor-*-color``,
      read from ``page``) under 4.5:1 on the code background is darkened
      (:func:`readable_colour`); the prompts ``In [ ]:`` lose their 50% opacity;
    - links inside text are underlined, not told apart by colour alone;
    - a figure, or a line of code, wider than the window scrolls in its own box
      (JupyterLab's styles do this for tables and outputs, not for a code
      cell's box), so that the text reflows at 200% zoom;
    - ``course-visually-hidden`` hides a figure's caption from the eye only.
    """
    overrides = []
    found = re.findall(r"(--jp-mirror-editor-[a-z-]+-color):\s*([^;]+);", page)
    for name, value in sorted(set(found)):
        value = value.strip()
        if not re.fullmatch(_HEX_COLOUR, value):
            continue  # a named colour or a variable: none of JupyterLab's pale ones
        if contrast_ratio(value, CODE_BACKGROUND) < MIN_CONTRAST:
            overrides.append(f"{name}: {readable_colour(value, CODE_BACKGROUND)};")
    variables = " ".join([*overrides, "--jp-cell-prompt-not-active-opacity: 1;"])
    return (
        "<style>\n"
        f":root {{ {variables} }}\n"
        "main a, .jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited,"
        " .jp-RenderedText pre a:link, .jp-RenderedText pre a:visited"
        " { text-decoration: underline; }\n"
        ".course-figure { margin: 0; max-width: 100%; overflow-x: auto; }\n"
        ".jp-InputArea-editor { overflow-x: auto; }\n"
        ".course-visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0;"
        " margin: -1px; overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap;"
        " border: 0; }\n"
        "</style>\n"
    )


def readable_inline_colours(markup: str) -> str:
    """``markup`` with each inline ``color: #...`` under 4.5:1 on white darkened.

    Keras' ``model.summary()`` writes its table with rich's colours (``#00af00``,
    ``#00d7ff``, ...), too pale on a white page.
    """

    def darker(match: re.Match) -> str:
        return match.group(1) + readable_colour(match.group(2))

    return re.sub(r"((?:text-decoration-)?color:\s*)(" + _HEX_COLOUR + ")", darker, markup)


def figure_html(figure: dict, div_id: str) -> str:
    """A figure element, with its text alternative as caption, and the script that draws it."""
    data = _script_json(figure.get("data", []))
    layout = _script_json(figure.get("layout", {}))
    config = _script_json({**figure.get("config", {}), "displaylogo": False})
    caption = html.escape(describe_figure(figure))
    return (
        f'<figure class="course-figure" aria-labelledby="{div_id}-caption">\n'
        f'<div id="{div_id}" class="course-plotly-figure"></div>\n'
        f'<figcaption id="{div_id}-caption" class="course-visually-hidden">{caption}'
        "</figcaption>\n</figure>\n"
        f'<script>Plotly.newPlot("{div_id}", {data}, {layout}, {config});</script>'
    )


def prepare(notebook: nbformat.NotebookNode) -> tuple[int, int]:
    """Give figures an HTML form and replace widgets by a note; return their counts."""
    n_figures = n_widgets = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if FIGURE_MIME in data:
                n_figures += 1
                data["text/html"] = figure_html(data[FIGURE_MIME], f"plotly-figure-{n_figures}")
                del data[FIGURE_MIME]
                data.pop(IMAGE_MIME, None)
            elif WIDGET_MIME in data:
                n_widgets += 1
                del data[WIDGET_MIME]
                data["text/html"] = WIDGET_NOTE
            elif "text/html" in data:
                text = data["text/html"]
                text = "".join(text) if isinstance(text, list) else text
                data["text/html"] = readable_inline_colours(text)
    notebook.metadata.pop("widgets", None)
    return n_figures, n_widgets


class Lesson(NamedTuple):
    """What the lesson map says of a lesson: from the first markdown cell of its notebook."""

    page: str
    title: str
    time: str
    aims: list[str]


def lesson_summary(notebook: nbformat.NotebookNode, page: str) -> Lesson:
    """The title (``# ...``), ``**Time:**`` and ``**You will**`` list of the first cell."""
    first = next((cell for cell in notebook.cells if cell.cell_type == "markdown"), None)
    lines = first.source.splitlines() if first is not None else []
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), page)
    time = next(
        (line.split("**Time:**", 1)[1].strip() for line in lines if "**Time:**" in line), ""
    ).rstrip(".")
    aims: list[str] = []
    if "**You will**" in lines:
        for line in lines[lines.index("**You will**") + 1 :]:
            if not line.startswith("- "):
                break
            aims.append(line[2:].strip())
    return Lesson(page, title, time, aims)


def _link(lesson: Lesson | None, rel: str, label: str) -> dict | None:
    if lesson is None:
        return None
    return {"href": lesson.page, "rel": rel, "text": f"{label} {lesson.title}"}


def _inline_markdown(text: str) -> str:
    """HTML of a one-line aim: escaped text, with `code` spans kept as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def index_html(lessons: list[Lesson]) -> str:
    """The lesson map: each lesson's title (a link to its page), time and aims."""
    rows = []
    for lesson in lessons:
        aims = "".join(f"<li>{_inline_markdown(aim)}</li>" for aim in lesson.aims)
        rows.append(
            f'<tr><td><a href="{html.escape(lesson.page)}">{html.escape(lesson.title)}</a></td>'
            f"<td>{html.escape(lesson.time)}</td><td><ul>{aims}</ul></td></tr>"
        )
    table = "\n".join(rows)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{SITE_TITLE}</title>\n{MATHJAX_HEAD}\n"
        "<style>body{font-family:sans-serif;max-width:64em;margin:2em auto;padding:0 1em;"
        "line-height:1.4}table{border-collapse:collapse;width:100%}td,th{border-top:1px solid"
        " #ccc;padding:0.4em 0.6em;vertical-align:top;text-align:left}td ul{margin:0;"
        "padding-left:1.2em}th:nth-child(1){width:14em}th:nth-child(2){width:9em}"
        "</style>\n"
        f"</head>\n<body>\n<main>\n<h1>{SITE_TITLE}</h1>\n"
        "<p>The lessons with their stored outputs: figures, formulas and printed results "
        "as they were when the notebooks were last run. To run them and use the widgets, "
        "open the course in JupyterLab (<code>make lab</code>).</p>\n"
        '<table class="course-lesson-map">\n<thead><tr><th>lesson</th><th>time</th>'
        f"<th>you will</th></tr></thead>\n<tbody>\n{table}\n</tbody></table>\n"
        "</main>\n</body></html>\n"
    )


def export(paths: list[Path], output_dir: Path) -> list[tuple[str, str, int, int]]:
    """Write one page per notebook, the index, plotly.min.js and mathjax/ into ``output_dir``."""
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            raise ValueError(f"notebooks must be existing .ipynb files, got {str(path)!r}")
    if output_dir.exists() and not output_dir.is_dir():
        raise ValueError(f"output_dir must be a folder, got the file {str(output_dir)!r}")
    output_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PLOTLY_JS, output_dir / "plotly.min.js")
    shutil.copytree(MATHJAX, output_dir / "mathjax", dirs_exist_ok=True)
    exporter = HTMLExporter(template_name="course", extra_template_basedirs=[str(TEMPLATES)])
    notebooks = [nbformat.read(path, as_version=4) for path in paths]
    lessons = [
        lesson_summary(notebook, path.with_suffix(".html").name)
        for notebook, path in zip(notebooks, paths, strict=True)
    ]
    pages = []
    for number, (notebook, path, lesson) in enumerate(zip(notebooks, paths, lessons, strict=True)):
        n_figures, n_widgets = prepare(notebook)
        previous = lessons[number - 1] if number > 0 else None
        following = lessons[number + 1] if number + 1 < len(lessons) else None
        navigation = {
            "previous": _link(previous, "prev", "\u2190"),
            "index": {"href": "index.html", "text": "All lessons"},
            "next": _link(following, "next", "\u2192"),
        }
        resources = {
            "metadata": {"name": path.stem},
            "course_navigation": navigation,
            "course_mathjax": MATHJAX_HEAD,
        }
        body, _ = exporter.from_notebook_node(notebook, resources=resources)
        body = body.replace("</head>", accessible_css(body) + "</head>", 1)
        (output_dir / lesson.page).write_text(body, encoding="utf-8")
        pages.append((lesson.page, lesson.title, n_figures, n_widgets))
    (output_dir / "index.html").write_text(index_html(lessons), encoding="utf-8")
    return pages


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lesson")
    parser.add_argument("--output-dir", type=Path, default=ROOT / "build" / "html")
    args = parser.parse_args(argv)
    paths = [path.resolve() for path in args.notebooks] or sorted(
        NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")
    )
    for page, _, n_figures, n_widgets in export(paths, args.output_dir):
        print(f"{args.output_dir / page}: {n_figures} figures, {n_widgets} widgets")
    print(f"open {args.output_dir / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
