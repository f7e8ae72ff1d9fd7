"""The course's diagrams as SVG, drawn from the course's own functions so that they are true.

Each function returns the text of one SVG image: white, at most
:data:`MAX_WIDTH` (840) pixels wide, with a ``<title>`` and a ``<desc>``
written from the same data (its text alternative), and the same bytes on
every run (integers and fixed-format numbers only, no ids, no dates). SVG
shows on a code host and in an HTML page alike, where a plotly figure needs
a script.

- :func:`kernel_sliding_svg`, ``images/kernel_sliding.svg`` (lesson 01,
  ``notebooks/01_convolution_math.ipynb``, section 4): the 3 x 3
  horizontal-line kernel slides over the zero-padded worked example, one
  second per output position; each step shows the window, the nine products
  and their sum, and the output filled so far. The padded input comes from
  :func:`utils.conv.pad` and the output from :func:`utils.conv.cross_correlate2d`.
  Where a renderer does not animate, the first window and the whole output show.
- :func:`stride_svg`, ``images/stride_1_and_2.svg`` (lesson 02,
  ``notebooks/02_padding_and_stride.ipynb``): a 3 x 3 kernel on a 7 x 7 input
  without padding, at stride 1 and at stride 2: the first window, the next
  one, a dot at the centre of every window position, and the output size from
  :func:`utils.conv.output_size` (5 x 5 and 3 x 3).
- :func:`lenet5_svg`, ``images/lenet5.svg`` (lesson 07,
  ``notebooks/07_architectures.ipynb``): LeNet-5's layers left to right, each with its
  name, kind, output shape and parameter count, read from
  :func:`utils.models.build_lenet5`.

``python scripts/make_diagrams.py`` writes every diagram of :data:`DIAGRAMS`
into ``images/``; ``--check`` says whether the stored files are up to date
(``tests/test_diagrams.py`` runs it). A lesson shows a stored one with
:func:`show`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from html import escape, unescape
from pathlib import Path

import numpy as np

from utils._validate import one_of
from utils.conv import cross_correlate2d, output_size, pad

IMAGES = Path(__file__).resolve().parent.parent / "images"
"""The repository's ``images/`` folder, where the diagrams are stored."""
MAX_WIDTH = 840
"""The widest a diagram may be: the notebook column of a 1280-pixel JupyterLab."""
MAKER = "scripts/make_diagrams.py"

# Lesson 01's worked example, section 3: a digit 4 of +1 on -1, and a kernel
# that responds to a horizontal line.
WORKED_IMAGE = np.array(
    [
        [-1, 1, -1, 1, -1],
        [-1, 1, -1, 1, -1],
        [-1, 1, 1, 1, -1],
        [-1, -1, -1, 1, -1],
        [-1, -1, -1, 1, -1],
    ]
)
"""The 5 x 5 image of lesson 01's worked example (``image`` in the lesson)."""
HORIZONTAL_LINE = np.array([[-1, -1, -1], [1, 1, 1], [-1, -1, -1]])
"""The 3 x 3 kernel of lesson 01's worked example (``horizontal_line`` in the lesson)."""

FONT = "sans-serif"
INK = "#222222"
GRID = "#555555"
PADDING_FILL = "#e3e3e3"
PADDING_INK = "#808080"
POSITIVE_FILL = "#cfe2f3"
ACCENT = "#d9480f"
ACCENT_FILL = "#ffd8a8"


# --- SVG pieces: plain string formatting, integer coordinates -----------------


def _svg(width: int, height: int, title: str, description: str, body: list[str]) -> str:
    """A whole SVG document: the title and description first, a white background, then ``body``.

    The ``<title>`` is the image's accessible name and the ``<desc>`` its longer
    description (``role="img"`` and ``aria-labelledby`` make screen readers use both).
    """
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{FONT}" fill="{INK}" role="img" '
            'aria-labelledby="diagram-title diagram-desc">',
            f'<title id="diagram-title">{escape(title, quote=False)}</title>',
            f'<desc id="diagram-desc">{escape(description, quote=False)}</desc>',
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>',
            *body,
            "</svg>",
            "",
        ]
    )


def _text(
    x: int,
    y: int,
    content: str,
    size: int = 14,
    anchor: str = "middle",
    bold: bool = False,
    fill: str | None = None,
    cls: str | None = None,
    child: str = "",
) -> str:
    attributes = f'x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}"'
    if bold:
        attributes += ' font-weight="bold"'
    if fill:
        attributes += f' fill="{fill}"'
    if cls:
        attributes += f' class="{cls}"'
    return f"<text {attributes}>{escape(content, quote=False)}{child}</text>"


def _rect(
    x: int, y: int, width: int, height: int, fill: str = "none", stroke: str = GRID, extra: str = ""
) -> str:
    return (
        f'<rect x="{x}" y="{y}" width="{width}" height="{height}" '
        f'fill="{fill}" stroke="{stroke}"{extra}/>'
    )


def _grid(
    x0: int, y0: int, cell: int, values: np.ndarray | None, shape: tuple[int, int], fills: dict
) -> tuple[list[str], list[str]]:
    """The cells of ``shape`` from ``(x0, y0)``, and their numbers, to draw in two layers.

    ``fills[(i, j)]`` is ``(fill, ink)`` for a cell that is not plain white.
    """
    cells, labels = [], []
    for i in range(shape[0]):
        for j in range(shape[1]):
            fill, ink = fills.get((i, j), ("white", INK))
            x, y = x0 + j * cell, y0 + i * cell
            cells.append(_rect(x, y, cell, cell, fill=fill))
            if values is not None:
                label = str(int(values[i, j]))
                labels.append(_text(x + cell // 2, y + cell // 2 + 5, label, 14, fill=ink))
    return cells, labels


def _visibility(values: str, key_times: str, duration: int) -> str:
    """A discrete, endlessly repeated SMIL animation of an element's visibility."""
    return (
        f'<animate attributeName="visibility" values="{values}" keyTimes="{key_times}" '
        f'dur="{duration}s" calcMode="discrete" repeatCount="indefinite"/>'
    )


def _key(step: int, n_steps: int) -> str:
    """The keyTime at which step ``step`` of ``n_steps`` starts, in fixed format."""
    return f"{step / n_steps:.4f}"


# --- Lesson 01: the kernel slides over the padded worked example --------------


# The sliding kernel's three grids: the corners (x, y) of the padded input, kernel and output.
_Corners = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]


def _sliding_grids(
    padded: np.ndarray, kernel: np.ndarray, totals: np.ndarray, cell: int, corners: _Corners
) -> tuple[list[str], list[str]]:
    """The captions and the grids (the output empty), and the grids' numbers to draw on top."""
    (in_x, in_y), (k_x, k_y), (out_x, out_y) = corners
    size_in, size_k = padded.shape[0], kernel.shape[0]
    n_rows, n_cols = totals.shape
    border = {(i, j) for i in range(size_in) for j in range(size_in)} - {
        (i, j) for i in range(1, size_in - 1) for j in range(1, size_in - 1)
    }
    fills = {ij: (PADDING_FILL, PADDING_INK) for ij in border}
    fills.update({(int(i), int(j)): (POSITIVE_FILL, INK) for i, j in np.argwhere(padded > 0)})
    kernel_fills = {(int(i), int(j)): (POSITIVE_FILL, INK) for i, j in np.argwhere(kernel > 0)}
    middle = in_y + size_in * cell // 2
    heading = f"A {size_k} x {size_k} kernel slides over the zero-padded image, stride 1"
    legend = "grey: the padding (zeros); blue: +1"
    body = [
        _text(420, 30, heading, 18, bold=True),
        _text(in_x + size_in * cell // 2, in_y - 12, f"padded input, {size_in} x {size_in}"),
        _text(k_x + size_k * cell // 2, k_y - 12, "kernel (horizontal line)"),
        _text(out_x + n_cols * cell // 2, out_y - 12, f"output, {n_rows} x {n_cols}"),
        _text((in_x + size_in * cell + k_x) // 2, middle + 10, "⋆", 30),
        _text((k_x + size_k * cell + out_x) // 2, middle + 10, "=", 30),
        _text(in_x, in_y + size_in * cell + 20, legend, 13, anchor="start", fill=PADDING_INK),
    ]
    labels = []  # drawn over the frames' highlights, so that they stay legible
    for (x0, y0), values, fill in zip(
        corners, (padded, kernel, None), (fills, kernel_fills, {}), strict=True
    ):
        cells, numbers = _grid(
            x0, y0, cell, values, (totals if values is None else values).shape, fill
        )
        body += cells
        labels += numbers
    return body, labels


def _output_values(totals: np.ndarray, cell: int, corner: tuple[int, int]) -> list[str]:
    """The output's numbers: cell ``k`` appears at frame ``k`` and stays; without SMIL all show."""
    n_frames, n_cols = totals.size, totals.shape[1]
    labels = []
    for index in range(n_frames):
        i, j = divmod(index, n_cols)
        x, y = corner[0] + j * cell + cell // 2, corner[1] + i * cell + cell // 2 + 5
        appear = _visibility("hidden;visible", f"0;{_key(index, n_frames)}", n_frames)
        label = str(int(totals[i, j]))
        labels.append(
            _text(x, y, label, 14, bold=True, cls="output-value", child=appear if index else "")
        )
    return labels


def _sliding_frames(
    padded: np.ndarray, kernel: np.ndarray, totals: np.ndarray, cell: int, corners: _Corners
) -> list[str]:
    """One frame per output cell, shown for its second: the window, the cell and the sum."""
    (in_x, in_y), _, (out_x, out_y) = corners
    n_frames, n_cols, size_k = totals.size, totals.shape[1], kernel.shape[0]
    sum_y = in_y + padded.shape[0] * cell + 58
    side, pale, thick = size_k * cell, ' fill-opacity="0.35"', ' stroke-width="4"'
    body = []
    for index in range(n_frames):
        i, j = divmod(index, n_cols)
        window = padded[i : i + size_k, j : j + size_k]
        pairs = zip(window.ravel(), kernel.ravel(), strict=True)
        products = [f"({int(a)})({int(b)})" for a, b in pairs]
        split = 2 * kernel.shape[1]  # the sum goes on after the kernel's first two rows
        first = f"output[{i}, {j}] = " + " + ".join(products[:split])
        second = "+ " + " + ".join(products[split:]) + f" = {int(totals[i, j])}"
        if index == 0:
            start, animation = "", _visibility("visible;hidden", f"0;{_key(1, n_frames)}", n_frames)
        else:
            start = ' visibility="hidden"'
            values, times = "hidden;visible", f"0;{_key(index, n_frames)}"
            if index + 1 < n_frames:
                values += ";hidden"
                times += f";{_key(index + 1, n_frames)}"
            animation = _visibility(values, times, n_frames)
        body += [
            f'<g class="frame"{start}>',
            animation,
            _rect(in_x + j * cell, in_y + i * cell, side, side, ACCENT_FILL, ACCENT, pale + thick),
            _rect(out_x + j * cell, out_y + i * cell, cell, cell, ACCENT_FILL, ACCENT, thick),
            _text(in_x, sum_y, first, 15, anchor="start", cls="sum"),
            _text(in_x + 28, sum_y + 24, second, 15, anchor="start", cls="sum"),
            "</g>",
        ]
    return body


def kernel_sliding_svg() -> str:
    """Lesson 01's worked example as an animation: the kernel's 25 positions, one a second.

    The zero-padded 7 x 7 input (grey: the padding), the horizontal-line
    kernel and the 5 x 5 output. Frame ``k`` (row-major, 1 s each, repeated
    for ever) outlines the window of output position ``(i, j)``, writes its
    nine products and their sum, and shows the output filled up to ``(i, j)``.
    Without SMIL, frame 0 and the whole output show.

    Returns
    -------
    str
        The SVG text; the output values are ``<text class="output-value">``,
        row-major, and each frame is a ``<g class="frame">``.
    """
    padded = pad(WORKED_IMAGE, 1)
    output = cross_correlate2d(padded, HORIZONTAL_LINE)
    totals = np.rint(output).astype(int) + 0  # + 0 turns -0 into 0
    kernel, cell = HORIZONTAL_LINE, 36
    size_in, size_k, (n_rows, n_cols) = padded.shape[0], kernel.shape[0], totals.shape
    n_frames = n_rows * n_cols
    in_y = 84
    corners = (
        (40, in_y),
        (356, in_y + (size_in - size_k) * cell // 2),
        (580, in_y + (size_in - n_rows) * cell // 2),
    )
    body, labels = _sliding_grids(padded, kernel, totals, cell, corners)
    body += _sliding_frames(padded, kernel, totals, cell, corners)
    body += labels + _output_values(totals, cell, corners[2])
    title = (
        f"Lesson 01's worked example: a {size_k} x {size_k} horizontal-line kernel slides over "
        f"the zero-padded {size_in} x {size_in} image, stride 1, and fills the "
        f"{n_rows} x {n_cols} output"
    )
    rows = "; ".join(" ".join(str(value) for value in row) for row in totals)
    description = (
        f"The image is a digit 4 of +1 on -1, padded with one ring of zeros. The kernel's "
        f"rows are {'; '.join(' '.join(str(int(v)) for v in row) for row in kernel)}. "
        f"One frame a second, the window moves along the rows, the nine products of each "
        f"position are written out with their sum, and the sum fills the next cell of the "
        f"output. The {n_frames} sums, row by row: {rows}."
    )
    height = in_y + size_in * cell + 102  # room for the two lines of the sum
    return _svg(MAX_WIDTH, height, title, description, body)


# --- Lesson 02: stride 1 and stride 2 -----------------------------------------


def _stride_panel(x0: int, y0: int, n: int, kernel_size: int, stride: int) -> list[str]:
    """One 7 x 7 panel: the first window, the next one dashed, a dot per window position."""
    cell = 40
    size = output_size(n, kernel_size, padding=0, stride=stride)
    parts = [_text(x0 + n * cell // 2, y0 - 14, f"stride {stride}", 17, bold=True)]
    parts += _grid(x0, y0, cell, None, (n, n), {})[0]
    span = kernel_size * cell
    parts.append(
        _rect(
            x0 + stride * cell,
            y0,
            span,
            span,
            "none",
            "#1c7ed6",
            ' stroke-width="3" stroke-dasharray="8 5"',
        )
    )
    parts.append(
        _rect(x0, y0, span, span, ACCENT_FILL, ACCENT, ' fill-opacity="0.35" stroke-width="4"')
    )
    for i in range(size):
        for j in range(size):
            cx = x0 + (j * stride + kernel_size // 2) * cell + cell // 2
            cy = y0 + (i * stride + kernel_size // 2) * cell + cell // 2
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="6" fill="{ACCENT}"/>')
    bottom = y0 + n * cell
    parts.append(
        _text(
            x0 + n * cell // 2,
            bottom + 30,
            f"output: {size} x {size}",
            16,
            bold=True,
            cls="caption",
        )
    )
    formula = f"floor(({n} - {kernel_size}) / {stride}) + 1 = {size} positions a row"
    parts.append(_text(x0 + n * cell // 2, bottom + 52, formula, 14, fill=GRID))
    return parts


def stride_svg() -> str:
    """A 3 x 3 kernel on a 7 x 7 input, no padding, at stride 1 (left) and stride 2 (right).

    In each panel the first window is outlined and filled, the next one (one
    stride to the right) dashed, and a dot marks the centre of every window
    position; the caption gives the output size from
    :func:`utils.conv.output_size`: 5 x 5 at stride 1, 3 x 3 at stride 2.

    Returns
    -------
    str
        The SVG text; the captions are ``<text class="caption">``.
    """
    n, kernel_size = 7, 3
    sizes = [output_size(n, kernel_size, padding=0, stride=stride) for stride in (1, 2)]
    body = [
        _text(
            420,
            30,
            f"A {kernel_size} x {kernel_size} kernel on a {n} x {n} input, no padding",
            18,
            bold=True,
        ),
        *_stride_panel(70, 88, n, kernel_size, 1),
        *_stride_panel(490, 88, n, kernel_size, 2),
        _text(
            420,
            88 + n * 40 + 90,
            "filled: the first window; dashed: the next one, "
            "one stride on; dot: the centre of each window position",
            13,
            fill=GRID,
        ),
    ]
    title = (
        f"A {kernel_size} x {kernel_size} kernel on a {n} x {n} input without padding: "
        f"stride 1 gives a {sizes[0]} x {sizes[0]} output, stride 2 a {sizes[1]} x {sizes[1]} one"
    )
    description = (
        f"Two panels of a {n} x {n} grid. Left, stride 1: the {kernel_size} x {kernel_size} "
        f"window moves one cell at a time, and the dots at its centres make a {sizes[0]} x "
        f"{sizes[0]} grid. Right, stride 2: it moves two cells at a time, and the dots make a "
        f"{sizes[1]} x {sizes[1]} grid. In each panel the first window is filled and the next "
        "one dashed."
    )
    return _svg(MAX_WIDTH, 88 + n * 40 + 112, title, description, body)


# --- Lesson 07: LeNet-5 ------------------------------------------------------


def _shape_text(shape: tuple) -> str:
    """A shape without its batch axis as the lessons write it: ``28 x 28 x 6``."""
    return " x ".join(str(int(size)) for size in shape)


def _layer_kind(layer: object) -> str:
    """A short description of a Keras layer: ``conv 5x5, tanh``, ``avg pool 2x2``."""
    config = layer.get_config()
    kind = type(layer).__name__
    if kind == "Conv2D":
        height, width = config["kernel_size"]
        return f"conv {height}x{width}, {config['activation']}"
    if kind in ("AveragePooling2D", "MaxPooling2D"):
        height, width = config["pool_size"]
        return f"{'avg' if kind.startswith('Average') else 'max'} pool {height}x{width}"
    if kind == "Dense":
        return f"dense, {config['activation']}"
    return kind.lower()


def lenet5_svg() -> str:
    """LeNet-5, the model of lesson 07, as boxes left to right: input, C1 to C5, F6, output.

    Every name, kind, output shape and parameter count is read from
    :func:`utils.models.build_lenet5`. A feature map's square is 2 pixels
    per row and column (the input 64 x 64), with a stack behind it when it has
    several channels; a vector (C5's 1 x 1 x 120, F6, the output) is a bar
    0.8 pixels per value tall. The flatten layer, which only reshapes, is the
    arrow between C5 and F6.

    Returns
    -------
    str
        The SVG text.
    """
    from utils.environment import prepare_tensorflow

    prepare_tensorflow()  # before Keras imports TensorFlow
    from utils.models import build_lenet5  # imports Keras: only here, not for show()

    model = build_lenet5()
    columns = [("input", "grey image", tuple(model.inputs[0].shape[1:]), None)]
    flatten = None
    for layer in model.layers:
        shape = tuple(layer.output.shape[1:])
        if layer.name == "flatten":  # drawn as an arrow: (index of its arrow, in, out)
            flatten = (len(columns) - 1, columns[-1][2], shape)
        else:
            columns.append((layer.name, _layer_kind(layer), shape, layer.count_params()))
    total = model.count_params()
    column, mid, top_text = 100, 150, 232
    heading = "LeNet-5 (lesson 07): output shape and parameters of each layer"
    body = [_text(420, 30, heading, 18, bold=True)]
    edges = []
    for index, (name, kind, shape, params) in enumerate(columns):
        cx = 20 + column * index + column // 2
        spatial = len(shape) == 3 and shape[0] > 1
        if spatial:
            width = height = 2 * int(shape[0])
        else:
            width, height = 14, max(8, 4 * int(np.prod(shape)) // 5)
        x, y = cx - width // 2, mid - height // 2
        stacked = spatial and shape[2] > 1
        if stacked:
            body += [
                _rect(x + 8, y - 8, width, height, "#e7f0f8"),
                _rect(x + 4, y - 4, width, height, "#dbe8f4"),
            ]
        body.append(_rect(x, y, width, height, POSITIVE_FILL))
        edges.append((x, x + width + (8 if stacked else 0)))
        params_text = "-" if params is None else f"{params:,} params"
        body += [
            _text(cx, top_text, name, 15, bold=True),
            _text(cx, top_text + 20, kind, 12),
            _text(cx, top_text + 38, _shape_text(shape), 12),
            _text(cx, top_text + 56, params_text, 12, fill=GRID),
        ]
    for index in range(len(columns) - 1):
        start, end = edges[index][1] + 6, edges[index + 1][0] - 6
        body.append(
            f'<path d="M {start} {mid} H {end} M {end - 6} {mid - 5} L {end} {mid} '
            f'L {end - 6} {mid + 5}" fill="none" stroke="{GRID}" stroke-width="1.5"/>'
        )
    note = f"{total:,} parameters in all"
    if flatten is not None:
        arrow, before, after = flatten
        x = (edges[arrow][1] + edges[arrow + 1][0]) // 2
        body.append(_text(x, mid - 8, "flatten", 11, fill=GRID))
        note += f"; the flatten layer turns {_shape_text(before)} into {_shape_text(after)} values"
    body.append(_text(420, top_text + 96, note, 14))
    title = (
        f"LeNet-5: {', '.join(name for name, *_ in columns)}, with each layer's output shape "
        f"and parameters, {total:,} in all"
    )
    layers = "; ".join(
        f"{name}, {kind}, output {_shape_text(shape)}"
        + ("" if params is None else f", {params:,} parameters")
        for name, kind, shape, params in columns
    )
    description = f"Boxes from left to right, one per layer: {layers}. {note}."
    return _svg(MAX_WIDTH, top_text + 124, title, description, body)


DIAGRAMS: dict[str, Callable[[], str]] = {
    "kernel_sliding.svg": kernel_sliding_svg,
    "stride_1_and_2.svg": stride_svg,
    "lenet5.svg": lenet5_svg,
}
"""Each diagram's file name in ``images/`` and the function that draws it."""


class _StoredDiagram:
    """A stored SVG file that a notebook cell displays as an image.

    Its display holds the image three ways, for every reader: an ``<img>`` with
    the SVG as a data URI (``text/html``, which JupyterLab draws even in a
    notebook it does not trust yet, and in which the animation runs), the SVG
    itself (``image/svg+xml``, for viewers that prefer images), and a caption
    (``text/plain``).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.svg = path.read_text(encoding="utf-8")

    def _alt_text(self) -> str:
        """The SVG's ``<title>`` and ``<desc>``, which say what it shows (still escaped)."""
        parts = [
            match.group(1)
            for tag in ("title", "desc")
            if (match := re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", self.svg, re.S))
        ]
        return ". ".join(parts) if parts else self.path.name

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        encoded = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        alt = escape(unescape(self._alt_text()))
        image = (
            f'<img src="data:image/svg+xml;base64,{encoded}" alt="{alt}" style="max-width:100%">'
        )
        return {"text/html": image, "image/svg+xml": self.svg, "text/plain": repr(self)}

    def __repr__(self) -> str:
        return f"Diagram images/{self.path.name}: {unescape(self._alt_text())}"


def show(name: str) -> _StoredDiagram:
    """The stored diagram ``images/<name>``, for a notebook cell to display.

    Parameters
    ----------
    name : str
        One of the file names of :data:`DIAGRAMS`, e.g. ``"kernel_sliding.svg"``.

    Returns
    -------
    object
        Displayed as the SVG image (see ``_StoredDiagram``); its plain-text form
        names the file and says what it shows.

    Raises
    ------
    FileNotFoundError
        If the file is missing; the message names the script that makes it.
    """
    name = one_of(name, "name", sorted(DIAGRAMS))
    path = IMAGES / name
    if not path.is_file():
        raise FileNotFoundError(
            f"images/{name} is missing: run `python {MAKER}` to make the diagrams"
        )
    return _StoredDiagram(path)
