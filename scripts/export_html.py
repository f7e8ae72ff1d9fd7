"""Export the lessons, with their stored outputs, to a static site that opens offline.

Usage: ``python scripts/export_html.py [--output-dir build/html] [notebooks/NN_name.ipynb ...]``
(``make html`` runs it on every lesson). Nothing is executed: the pages show
the outputs stored in the notebooks.

- Each plotly figure is drawn by ``plotly.min.js``, copied from the installed
  plotly package next to the pages, so figures draw without a network.
- The page loads no script from the network: require.js, MathJax, mermaid and
  the widget manager that nbconvert's lab template takes from CDNs are left out
  (``scripts/html_template/course``). Formulas therefore show as their LaTeX
  source, and each widget, which needs a running kernel to react anyway, is
  replaced by a note that says to open the notebook in JupyterLab.
- Only the pages, ``index.html`` and ``plotly.min.js`` are written into the
  output folder; nothing else there is touched.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import sys
from pathlib import Path

import nbformat
import plotly
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TEMPLATES = Path(__file__).resolve().parent / "html_template"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

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
            if PLOTLY_MIME in data:
                n_figures += 1
                data["text/html"] = figure_html(data[PLOTLY_MIME], f"plotly-figure-{n_figures}")
                del data[PLOTLY_MIME]
            if WIDGET_MIME in data:
                n_widgets += 1
                del data[WIDGET_MIME]
                data["text/html"] = WIDGET_NOTE
    notebook.metadata.pop("widgets", None)
    return n_figures, n_widgets


def _title(notebook: nbformat.NotebookNode, fallback: str) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def export(paths: list[Path], output_dir: Path) -> list[tuple[str, str, int, int]]:
    """Write one page per notebook, an index and plotly.min.js into ``output_dir``."""
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            raise ValueError(f"notebooks must be existing .ipynb files, got {str(path)!r}")
    if output_dir.exists() and not output_dir.is_dir():
        raise ValueError(f"output_dir must be a folder, got the file {str(output_dir)!r}")
    output_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PLOTLY_JS, output_dir / "plotly.min.js")
    exporter = HTMLExporter(template_name="course", extra_template_basedirs=[str(TEMPLATES)])
    pages = []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        n_figures, n_widgets = prepare(notebook)
        body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": path.stem}})
        page = path.with_suffix(".html").name
        (output_dir / page).write_text(body, encoding="utf-8")
        pages.append((page, _title(notebook, path.stem), n_figures, n_widgets))
    items = "\n".join(
        f'<li><a href="{page}">{html.escape(title)}</a></li>' for page, title, _, _ in pages
    )
    (output_dir / "index.html").write_text(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Convolutional Neural Networks, hands-on</title></head>\n<body>\n"
        "<h1>Convolutional Neural Networks, hands-on</h1>\n"
        "<p>The lessons with their stored outputs. To run them, open the course in "
        "JupyterLab (<code>make lab</code>).</p>\n"
        f'<ol start="0">\n{items}\n</ol>\n</body></html>\n',
        encoding="utf-8",
    )
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
