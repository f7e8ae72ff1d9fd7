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
- Only the pages, ``index.html``, ``plotly.min.js`` and ``mathjax/`` are written
  into the output folder; nothing else there is touched.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import sys
from pathlib import Path
from typing import NamedTuple

import jupyter_server_mathjax
import nbformat
from nbconvert import HTMLExporter

sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/, also when loaded by a test
# The plotly figure's MIME type, the JPEG each stored figure carries for code hosts
# (left out of the pages, which draw the figure), and plotly.js.
from figure_images import FIGURE_MIME, IMAGE_MIME, PLOTLY_JS  # noqa: E402

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
    '<div class="course-widget-note" style="border:1px dashed #999;padding:0.5em;'
    'color:#555">An interactive widget is here. Widgets need a running kernel: open '
    "this notebook in JupyterLab (<code>make lab</code>) and run it to use it.</div>"
)


def _script_json(value: object) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


def figure_html(figure: dict, div_id: str) -> str:
    """A div and the script that draws a stored plotly figure into it."""
    data = _script_json(figure.get("data", []))
    layout = _script_json(figure.get("layout", {}))
    config = _script_json({**figure.get("config", {}), "displaylogo": False})
    return (
        f'<div id="{div_id}" class="course-plotly-figure"></div>\n'
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
            if WIDGET_MIME in data:
                n_widgets += 1
                del data[WIDGET_MIME]
                data["text/html"] = WIDGET_NOTE
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
        f"</head>\n<body>\n<h1>{SITE_TITLE}</h1>\n"
        "<p>The lessons with their stored outputs: figures, formulas and printed results "
        "as they were when the notebooks were last run. To run them and use the widgets, "
        "open the course in JupyterLab (<code>make lab</code>).</p>\n"
        '<table class="course-lesson-map">\n<thead><tr><th>lesson</th><th>time</th>'
        f"<th>you will</th></tr></thead>\n<tbody>\n{table}\n</tbody></table>\n"
        "</body></html>\n"
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
