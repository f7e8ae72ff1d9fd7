"""The static image beside every stored plotly figure (scripts/figure_images.py).

Readers without a kernel (a code host's notebook view, nbviewer, nbconvert)
cannot draw plotly's JSON; each stored figure output therefore also carries a
JPEG drawn from that same JSON (never a PNG, which plotly's JupyterLab renderer
would show in place of the interactive figure), and the stored notebooks stay within their size
budget.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import copy
import html
import json
import os
import re
from pathlib import Path

import figure_images  # scripts/
import nbformat
import pytest
from chromium import chromium_or_skip  # tests/browser/chromium.py
from nbconvert import HTMLExporter

from utils.figures import FIGURE_MIME

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# issue 24: all stored notebooks together at most 10 MB
SIZE_BUDGET = 10_000_000
IMAGE_MIME = figure_images.IMAGE_MIME
PNG_MIME = figure_images.PNG_MIME


def _tiny_jpeg(width: int, height: int) -> bytes:
    """A JPEG's start, an APP0 segment and a frame header of the given size (for jpeg_size)."""
    app0 = b"\xff\xe0" + (16).to_bytes(2) + b"JFIF\x00" + bytes(9)
    frame = b"\xff\xc0" + (11).to_bytes(2) + b"\x08" + height.to_bytes(2) + width.to_bytes(2)
    return b"\xff\xd8" + app0 + frame + b"\x01\x01\x11\x00"


def _figure(title: str, width: int = 300, height: int = 200) -> dict:
    return {
        "data": [{"type": "scatter", "x": [0, 1, 2], "y": [1, 0, 2]}],
        "layout": {"title": {"text": title}, "width": width, "height": height},
    }


def _notebook(*figures: dict) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_markdown_cell("# a title"))
    cell = nbformat.v4.new_code_cell("fig")
    cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text="printed\n"))
    for figure in figures:
        data = {FIGURE_MIME: figure, "text/plain": "a figure"}
        cell.outputs.append(nbformat.v4.new_output("display_data", data=data))
    notebook.cells.append(cell)
    return notebook


class FakeRenderer:
    """Stands in for kaleido: a JPEG header of each figure's layout size, and a call log."""

    def __init__(self):
        self.calls = []

    def __call__(self, figures):
        self.calls.append([figure["layout"]["title"]["text"] for figure in figures])
        return [_tiny_jpeg(*figure_images.figure_size(figure)) for figure in figures]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_stored_figure_has_a_jpeg_drawn_from_its_json(path):
    notebook = nbformat.read(path, as_version=4)
    stale = figure_images.stale_outputs(notebook)
    assert not stale, (
        f"{path.name}: {len(stale)} figures have no JPEG, one drawn from other JSON, or a PNG; "
        f"run: python scripts/figure_images.py notebooks/{path.name}"
    )
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if FIGURE_MIME not in data:
                continue
            image = base64.b64decode(data[IMAGE_MIME])
            size = figure_images.jpeg_size(image)
            meta = output["metadata"][IMAGE_MIME]
            assert size == (meta["width"], meta["height"]), path.name
            assert size == figure_images.figure_size(data[FIGURE_MIME]), path.name
            # the interactive figure is still there for JupyterLab, with its caption, and no PNG
            assert {FIGURE_MIME, IMAGE_MIME, "text/plain"} == set(data), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_stored_figure_image_has_a_text_alternative_that_names_its_title(path):
    notebook = nbformat.read(path, as_version=4)
    assert not figure_images.stale_alts(notebook), (
        f"{path.name}: figures without the text alternative of their JSON; "
        f"run: python scripts/figure_images.py notebooks/{path.name}"
    )
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if FIGURE_MIME not in output.get("data", {}):
                continue
            alt = output["metadata"][IMAGE_MIME]["alt"]
            title = output["data"][FIGURE_MIME].get("layout", {}).get("title", {}).get("text")
            if title:
                # the title as plain text: plotly titles may hold <br> and <b>
                plain = " ".join(re.sub(r"<[^>]+>", " ", html.unescape(title)).split())
                assert alt.startswith(plain), (path.name, title, alt[:100])
            else:  # named by its panels' labels
                assert alt.startswith("A figure of: "), (path.name, alt[:100])
            assert "Plotted: " in alt and len(alt) > len(title or "") + 20, (path.name, alt)


def test_add_images_writes_each_figures_text_alternative_and_keeps_it_up_to_date():
    notebook = _notebook(_figure("first"), _figure("second"))
    figure_images.add_images(notebook, FakeRenderer())
    outputs = [o for o in notebook.cells[1].outputs if FIGURE_MIME in o.get("data", {})]
    alts = [output.metadata[IMAGE_MIME]["alt"] for output in outputs]
    assert alts[0].startswith("first.") and alts[1].startswith("second.")
    assert not figure_images.stale_alts(notebook)
    # a changed figure whose image is not drawn again still gets its new text
    outputs[0].metadata[IMAGE_MIME]["alt"] = "typed by hand"
    renderer = FakeRenderer()
    assert figure_images.add_images(notebook, renderer) == 0 and renderer.calls == []
    assert outputs[0].metadata[IMAGE_MIME]["alt"] == alts[0]


def test_the_stored_notebooks_fit_the_size_budget():
    total = sum(path.stat().st_size for path in NOTEBOOKS)
    assert total <= SIZE_BUDGET, f"stored notebooks: {total:,} bytes > {SIZE_BUDGET:,}"


def test_a_notebook_converted_without_plotly_shows_each_figure_as_an_image():
    """What a code host does: no plotly renderer, so the JPEG is the figure."""
    path = ROOT / "notebooks" / "01_convolution_math.ipynb"
    notebook = nbformat.read(path, as_version=4)
    n_figures = sum(
        FIGURE_MIME in output.get("data", {})
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )
    body, _ = HTMLExporter(template_name="classic").from_notebook_node(notebook)
    assert n_figures >= 1
    assert len(re.findall(r'<img [^>]*src="data:image/jpeg;base64,', body)) >= n_figures


def test_add_images_draws_only_the_figures_without_an_up_to_date_image():
    notebook = _notebook(_figure("first"), _figure("second", 400, 250))
    before = copy.deepcopy(notebook)
    render = FakeRenderer()
    assert figure_images.add_images(notebook, render) == 2
    assert render.calls == [["first", "second"]]
    outputs = notebook.cells[1].outputs
    assert outputs[0] == before.cells[1].outputs[0]  # the stream is untouched
    assert outputs[2].metadata[IMAGE_MIME]["width"] == 400
    assert outputs[2].data[FIGURE_MIME] == before.cells[1].outputs[2].data[FIGURE_MIME]

    assert figure_images.add_images(notebook, render) == 0  # all up to date: nothing drawn
    assert len(render.calls) == 1

    outputs[1].data[FIGURE_MIME]["layout"]["title"]["text"] = "first, changed"
    assert figure_images.add_images(notebook, render) == 1
    assert render.calls[-1] == ["first, changed"]


def test_an_image_without_its_hash_is_drawn_again():
    notebook = _notebook(_figure("first"))
    output = notebook.cells[1].outputs[1]
    output.data[IMAGE_MIME] = base64.b64encode(_tiny_jpeg(300, 200)).decode()
    assert figure_images.stale_outputs(notebook) == [output]


def test_a_png_beside_a_figure_is_replaced_by_a_jpeg():
    """plotly's JupyterLab renderer would show a PNG in place of the interactive figure."""
    notebook = _notebook(_figure("first"))
    figure_images.add_images(notebook, FakeRenderer())
    output = notebook.cells[1].outputs[1]
    output.data[PNG_MIME] = "iVBORw0KGgo="
    output.metadata[PNG_MIME] = {"width": 300, "height": 200}
    assert figure_images.stale_outputs(notebook) == [output]
    assert figure_images.add_images(notebook, FakeRenderer()) == 1
    assert PNG_MIME not in output.data and PNG_MIME not in output.metadata
    assert IMAGE_MIME in output.data


def test_a_renderer_that_returns_too_few_images_is_an_error():
    notebook = _notebook(_figure("first"), _figure("second"))
    with pytest.raises(RuntimeError, match="1 images for 2 figures"):
        figure_images.add_images(notebook, lambda figures: [_tiny_jpeg(300, 200)])


def test_jpeg_size_refuses_what_is_not_a_jpeg():
    with pytest.raises(ValueError, match="not a JPEG"):
        figure_images.jpeg_size(b"GIF89a" + bytes(30))
    with pytest.raises(ValueError, match="no frame header"):
        figure_images.jpeg_size(b"\xff\xd8" + b"\xff\xe0" + (16).to_bytes(2) + bytes(14))


def test_the_hash_does_not_depend_on_key_order():
    figure = _figure("t")
    reordered = json.loads(json.dumps({"layout": figure["layout"], "data": figure["data"]}))
    assert figure_images.figure_hash(figure) == figure_images.figure_hash(reordered)
    assert figure_images.figure_hash(figure) != figure_images.figure_hash(_figure("u"))


def test_update_refuses_a_path_that_is_not_a_notebook(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("mine")
    with pytest.raises(ValueError, match="existing .ipynb"):
        figure_images.update(text, FakeRenderer())
    assert text.read_text() == "mine"


def test_update_rewrites_a_notebook_only_when_it_drew_something(tmp_path):
    path = tmp_path / "n.ipynb"
    nbformat.write(_notebook(), path)
    before = path.stat().st_mtime_ns
    assert figure_images.update(path, FakeRenderer()) == 0
    assert path.stat().st_mtime_ns == before


def test_kaleido_draws_a_figure_at_its_layout_size_with_the_system_chromium():
    chromium = chromium_or_skip("kaleido's drawing is")
    os.environ.setdefault("BROWSER_PATH", str(chromium))
    (image,) = figure_images.render_with_kaleido([_figure("drawn", 320, 180)])
    assert figure_images.jpeg_size(image) == (320, 180)
    assert len(image) > 1000  # a real drawing, not an empty header

    # Called where an event loop is running, as in a Jupyter kernel or beside Playwright's
    # sync API in the browser tests: here a loop of its own in a thread of its own.
    async def call_from_a_running_loop():
        return figure_images.render_with_kaleido([_figure("drawn", 200, 100)])

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        (image,) = pool.submit(asyncio.run, call_from_a_running_loop()).result()
    assert figure_images.jpeg_size(image) == (200, 100)
