"""Give every stored plotly figure a static image of itself, for readers without a kernel.

Usage: ``python scripts/figure_images.py [notebooks/NN_name.ipynb ...]`` (every
notebook when none is given). ``make notebooks`` does the same after it runs a
notebook (``scripts/run_notebooks.py``), so a student's own run of a cell stays
as fast as before: only stored notebooks carry the images.

Each output that holds a figure as plotly's JSON (``application/vnd.plotly.v1+json``)
gets an ``image/jpeg`` of that same figure in the same output, drawn by kaleido in
the system's Chromium from the stored JSON, with plotly.js from the installed
plotly package and MathJax switched off (nothing is fetched). JupyterLab keeps
drawing the interactive figure (its plotly renderer ranks above images); a code
host's notebook view, nbviewer and ``jupyter nbconvert`` show the image.

Why JPEG and not PNG: plotly's JupyterLab renderer treats an ``image/png`` in
the same output as a placeholder. It shows the PNG instead of the figure, draws
the interactive figure only when the mouse enters it (never on a touch screen),
and then writes a new PNG into the notebook, which marks it modified. It does
not look at ``image/jpeg``, which code hosts show as well. SVG is no better
there: code hosts inline it and break some, and nbval would compare it.

The image's output metadata records its size and the SHA-256 of the figure JSON
it was drawn from (``course_figure_sha256``), and its text alternative (``alt``),
written from the same JSON by ``utils.plots.describe_figure``: nbconvert's
templates leave an image's ``alt`` out, so ``make html``'s template
(``scripts/html_template/course``) puts it back. A figure whose image is already
up to date is not drawn again, and ``tests/test_figure_images.py`` checks that
every stored figure has an image drawn from exactly its JSON, and the text
alternative of exactly its JSON. nbval does not
compare JPEG (or PNG) images, so what it compares is unchanged.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import hashlib
import json
import struct
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import nbformat
import plotly

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # utils/, when run as a script
from utils.figures import FIGURE_MIME  # noqa: E402
from utils.plots.describe import describe_figure  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
IMAGE_MIME = "image/jpeg"
PNG_MIME = "image/png"  # never beside a figure: see above
HASH_KEY = "course_figure_sha256"
ALT_KEY = "alt"  # the image's text alternative, utils.plots.describe_figure of the figure
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
# plotly's own default size, for a figure whose layout names none.
DEFAULT_WIDTH, DEFAULT_HEIGHT = 700, 450

Renderer = Callable[[Sequence[dict]], list[bytes]]


def figure_hash(figure: dict) -> str:
    """SHA-256 of a figure's JSON with sorted keys: what its image was drawn from."""
    text = json.dumps(figure, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def figure_size(figure: dict) -> tuple[int, int]:
    """The width and height the figure asks for in its layout (plotly's defaults otherwise)."""
    layout = figure.get("layout", {})
    return int(layout.get("width") or DEFAULT_WIDTH), int(layout.get("height") or DEFAULT_HEIGHT)


# JPEG's start-of-frame markers (baseline, progressive, ...), which hold the size.
_START_OF_FRAME = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from a JPEG's frame header; ValueError for anything that is not a JPEG."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG image (no start-of-image marker)")
    position = 2
    while position + 9 <= len(data):
        if data[position] != 0xFF:
            raise ValueError(f"not a JPEG image (no marker at byte {position})")
        marker = data[position + 1]
        if marker in _START_OF_FRAME:
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length
    raise ValueError("not a JPEG image (no frame header with its size)")


def render_with_kaleido(figures: Sequence[dict]) -> list[bytes]:
    """JPEGs of ``figures`` at their layout size, from one Chromium started by kaleido."""
    import kaleido
    from kaleido.errors import ChromeNotFoundError

    async def draw() -> list[bytes]:
        images = []
        async with kaleido.Kaleido(n=1, plotlyjs=str(PLOTLY_JS), mathjax=False) as drawer:
            for figure in figures:
                width, height = figure_size(figure)
                options = {"format": "jpg", "width": width, "height": height, "scale": 1}
                images.append(await drawer.calc_fig(figure, opts=options))
        return images

    # In a thread of its own, with its own event loop: the caller may be running one
    # (a Jupyter kernel, or Playwright's sync API in the browser tests).
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, draw()).result()
    except ChromeNotFoundError as error:
        raise RuntimeError(
            "Drawing the figures' images needs Chromium, and kaleido found none: install it "
            "(Debian/Ubuntu: sudo apt-get install chromium), then run this again."
        ) from error


def _figure_outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if FIGURE_MIME in output.get("data", {})
    ]


def stale_outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    """Figure outputs whose image is missing, drawn from other JSON, or beside a PNG."""
    stale = []
    for output in _figure_outputs(notebook):
        recorded = output.get("metadata", {}).get(IMAGE_MIME, {}).get(HASH_KEY)
        if (
            PNG_MIME in output["data"]
            or IMAGE_MIME not in output["data"]
            or recorded != figure_hash(output["data"][FIGURE_MIME])
        ):
            stale.append(output)
    return stale


def stale_alts(notebook: nbformat.NotebookNode) -> list[dict]:
    """Figure outputs whose image has no text alternative, or one not written from the figure."""
    return [
        output
        for output in _figure_outputs(notebook)
        if output.get("metadata", {}).get(IMAGE_MIME, {}).get(ALT_KEY)
        != describe_figure(output["data"][FIGURE_MIME])
    ]


def add_alts(notebook: nbformat.NotebookNode) -> int:
    """Give every figure's image its text alternative, written from the figure; return how many.

    The text (``utils.plots.describe_figure``) goes into the output's metadata as
    ``metadata["image/jpeg"]["alt"]``, where ``make html``'s template reads it.
    """
    stale = stale_alts(notebook)
    for output in stale:
        metadata = output.setdefault("metadata", {}).setdefault(IMAGE_MIME, {})
        metadata[ALT_KEY] = describe_figure(output["data"][FIGURE_MIME])
    return len(stale)


def add_images(notebook: nbformat.NotebookNode, render: Renderer = render_with_kaleido) -> int:
    """Draw an image for every figure output of ``notebook`` that lacks an up-to-date one.

    The notebook is changed in place; the number of images drawn is returned.
    Every figure's image also gets its text alternative (:func:`add_alts`).
    A PNG in a figure's output is removed (plotly's JupyterLab renderer would
    show it in place of the figure). Outputs without a figure, and figures whose
    image is up to date, are left as they are.
    """
    stale = stale_outputs(notebook)
    if not stale:
        add_alts(notebook)
        return 0
    figures = [output["data"][FIGURE_MIME] for output in stale]
    images = render(figures)
    if len(images) != len(figures):
        raise RuntimeError(f"the renderer returned {len(images)} images for {len(figures)} figures")
    for output, figure, image in zip(stale, figures, images, strict=True):
        width, height = jpeg_size(image)
        output["data"].pop(PNG_MIME, None)
        output.get("metadata", {}).pop(PNG_MIME, None)
        output["data"][IMAGE_MIME] = base64.b64encode(image).decode("ascii")
        metadata = output.setdefault("metadata", {})
        metadata[IMAGE_MIME] = {"width": width, "height": height, HASH_KEY: figure_hash(figure)}
    add_alts(notebook)
    return len(stale)


def update(path: Path, render: Renderer = render_with_kaleido) -> int:
    """Add the missing images and texts to the notebook at ``path``; rewrite it only if needed."""
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"expected an existing .ipynb file, got {str(path)!r}")
    notebook = nbformat.read(path, as_version=4)
    described = len(stale_alts(notebook))
    drawn = add_images(notebook, render)
    if drawn or described:
        nbformat.write(notebook, path)
    return drawn


def main(argv: list[str]) -> int:
    paths = [Path(arg).resolve() for arg in argv] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        drawn = update(path)
        size = path.stat().st_size
        print(f"{path.name}: {drawn} images drawn, {size / 1e6:.2f} MB", flush=True)
    total = sum(path.stat().st_size for path in NOTEBOOKS.glob("*.ipynb"))
    print(f"all stored notebooks: {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
