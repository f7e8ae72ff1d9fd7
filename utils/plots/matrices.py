"""Small matrices with their numbers, and where a filter goes on its input (lessons 01-02, 10).

:func:`matrix_heatmaps` draws an image, a kernel and their output side by
side with the numbers in the cells (the convolution stepper redraws with it);
:func:`output_size_figure` shows where a filter goes for a padding and a stride;
:func:`connection_figure` joins each output cell of one row to the input cells
it reads, with a dilation, or for a transposed convolution (lesson 10).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from utils._validate import flag, integer, real_array
from utils.conv import axis_padding, effective_kernel_size, output_size, transposed_output_size
from utils.plots.base import (
    COLUMN_WIDTH,
    HIGHLIGHT,
    PALE_DIVERGING_SCALE,
    RIGHT,
    WRONG,
    format_number,
    highlight_box,
)

# A diverging scale pale enough for black numbers to stay readable in every cell.
_DIVERGING = PALE_DIVERGING_SCALE


def _as_matrix(matrix: object, name: str) -> np.ndarray:
    array = real_array(matrix, name)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {array.shape}")
    return array.astype(np.float64)


def matrix_heatmaps(
    matrices: object,
    titles: object = None,
    highlights: object = None,
    title: str | None = None,
    cell_size: int = 44,
    font_size: int = 16,
) -> go.Figure:
    """Draw small matrices side by side with their numbers written in the cells.

    Each matrix has its own colour scale, white at zero, pale purple below
    and pale orange above; the numbers in the cells give the sign too. A NaN
    cell is left blank (the convolution stepper uses that for output cells it
    has not computed yet).

    Parameters
    ----------
    matrices : sequence of array_like, each shape (rows, cols)
        The matrices, drawn left to right, row 0 at the top.
    titles : sequence of str, optional
        One title per matrix.
    highlights : sequence of (row, col, height, width) or None, optional
        One entry per matrix: a block of cells to outline in orange, or None.
    title : str, optional
        Title of the whole figure.
    cell_size : int, default 44
        Size of one cell in pixels; larger for a projector.
    font_size : int, default 16
        Size of the numbers in the cells.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Heatmap`` trace per matrix (``z`` the values, ``text`` the
        numbers shown), and one rectangle shape per highlight.
    """
    if isinstance(matrices, np.ndarray) and matrices.ndim == 2:
        raise TypeError("matrices must be a list of 2-D arrays; for one matrix pass [matrix]")
    if not isinstance(matrices, (list, tuple)):
        raise TypeError(
            f"matrices must be a non-empty list of 2-D arrays, got {type(matrices).__name__}"
        )
    if len(matrices) == 0:
        raise ValueError("matrices must be a non-empty list of 2-D arrays, got an empty list")
    arrays = [_as_matrix(m, f"matrices[{i}]") for i, m in enumerate(matrices)]
    count = len(arrays)
    if titles is not None and len(titles) != count:  # type: ignore[arg-type]
        raise ValueError(f"titles must have one entry per matrix: got {len(titles)} for {count}")
    if highlights is None:
        highlights = [None] * count
    if len(highlights) != count:  # type: ignore[arg-type]
        raise ValueError(
            f"highlights must have one entry per matrix: got {len(highlights)} for {count}"
        )
    boxes = [
        highlight_box(h, a.shape, f"highlights[{i}]")
        for i, (h, a) in enumerate(zip(highlights, arrays, strict=True))
    ]
    cell_size = integer(cell_size, "cell_size", minimum=1)
    font_size = integer(font_size, "font_size", minimum=1)
    widths = [a.shape[1] for a in arrays]
    gap = 1.5  # columns of empty space between two matrices
    fig = make_subplots(
        rows=1,
        cols=count,
        column_widths=widths,
        horizontal_spacing=min(gap / (sum(widths) + gap * count), 0.2 / max(count - 1, 1)),
        subplot_titles=[str(t) for t in titles] if titles is not None else None,
    )
    for index, array in enumerate(arrays):
        finite = array[np.isfinite(array)]
        reach = float(np.abs(finite).max()) if finite.size else 1.0
        reach = reach or 1.0
        fig.add_trace(
            go.Heatmap(
                z=[[None if not math.isfinite(v) else v for v in row] for row in array.tolist()],
                text=[[format_number(v) for v in row] for row in array.tolist()],
                texttemplate="%{text}",
                textfont=dict(size=font_size, color="black"),
                colorscale=_DIVERGING,
                zmin=-reach,
                zmax=reach,
                showscale=False,
                xgap=2,
                ygap=2,
                hovertemplate="row %{y}, col %{x}: %{text}<extra></extra>",
            ),
            row=1,
            col=index + 1,
        )
        box = boxes[index]
        if box is not None:
            row, col, height, width = box
            fig.add_shape(
                type="rect",
                x0=col - 0.5,
                x1=col + width - 0.5,
                y0=row - 0.5,
                y1=row + height - 0.5,
                line=dict(color=HIGHLIGHT, width=5),
                row=1,
                col=index + 1,
            )
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", constrain="domain")
    for index in range(1, count + 1):
        suffix = "" if index == 1 else str(index)
        fig.layout[f"yaxis{suffix}"].scaleanchor = f"x{suffix}"
    fig.update_annotations(font_size=max(font_size - 2, 10))
    rows = max(a.shape[0] for a in arrays)
    # Smaller cells where the matrices side by side would be wider than the column.
    cell_size = min(cell_size, (COLUMN_WIDTH - 40) / (sum(widths) + gap * (count - 1)))
    fig.update_layout(
        width=int(cell_size * (sum(widths) + gap * (count - 1))) + 40,
        height=int(cell_size * rows) + (110 if title else 70),
        margin=dict(l=20, r=20, t=90 if title else 50, b=20),
        title=title,
        plot_bgcolor="white",
    )
    return fig


def output_size_figure(n: int, kernel_size: int, padding: object = 0, stride: int = 1) -> go.Figure:
    """Draw a padded ``n x n`` input and every position of a ``kernel_size`` filter on it.

    Image cells are blue, padding cells grey with a 0. A dot marks the centre
    of each filter position; the first position is outlined in blue (solid)
    and the last in orange (dotted). Rows and columns that no position reaches
    (when ``(W - F + 2P) / S`` is not a whole number) are shaded red-orange
    inside a thin dashed outline. A filter that does not fit is drawn red-orange
    and dashed, overhanging the input, with no positions.

    Taught in notebooks/02_padding_and_stride.ipynb, section 1.

    Parameters
    ----------
    n : int
        Input width and height ``W``.
    kernel_size : int
        Filter size ``F``.
    padding : int or {'valid', 'same', 'full'}, default 0
    stride : int, default 1

    Returns
    -------
    plotly.graph_objects.Figure
        Trace 0 is the padded grid (``z`` 1 for image, 0 for padding); trace 1,
        when the filter fits, is the positions' centres, one marker per output cell.
    """
    before, after = axis_padding(n, kernel_size, padding, stride)
    padded = n + before + after
    grid = np.zeros((padded, padded))
    grid[before : before + n, before : before + n] = 1
    fig = go.Figure(
        go.Heatmap(
            z=grid.tolist(),
            text=[["0" if v == 0 else "" for v in row] for row in grid.tolist()],
            texttemplate="%{text}",
            textfont=dict(color="#777777"),
            colorscale=[[0, "#eeeeee"], [1, "#9ecae1"]],
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=1,
            ygap=1,
            hoverinfo="skip",
        )
    )

    def window(start_row: int, start_col: int, colour: str, dash: str = "solid") -> None:
        fig.add_shape(
            type="rect",
            x0=start_col - 0.5,
            x1=start_col + kernel_size - 0.5,
            y0=start_row - 0.5,
            y1=start_row + kernel_size - 0.5,
            line=dict(color=colour, width=4, dash=dash),
        )

    if kernel_size > padded:
        window(0, 0, WRONG, "dash")
        verdict = f"invalid: a {kernel_size}x{kernel_size} filter does not fit"
    else:
        starts = list(range(0, padded - kernel_size + 1, stride))
        centre = (kernel_size - 1) / 2
        xs = [s + centre for _ in starts for s in starts]
        ys = [s + centre for s in starts for _ in starts]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers",
                marker=dict(size=9, color="black"),
                hovertemplate="filter centre at (%{y}, %{x})<extra></extra>",
                showlegend=False,
            )
        )
        window(starts[0], starts[0], RIGHT)
        window(starts[-1], starts[-1], HIGHLIGHT, "dot")
        covered = starts[-1] + kernel_size
        if covered < padded:
            for shape in (
                dict(x0=covered - 0.5, x1=padded - 0.5, y0=-0.5, y1=padded - 0.5),
                dict(x0=-0.5, x1=padded - 0.5, y0=covered - 0.5, y1=padded - 0.5),
            ):
                fig.add_shape(type="rect", fillcolor=WRONG, opacity=0.25, line_width=0, **shape)
                # the tint is not alone: a thin dashed outline marks the cells too
                fig.add_shape(type="rect", line=dict(color=WRONG, width=2, dash="dash"), **shape)
        verdict = f"output {len(starts)}x{len(starts)}"
    extent = max(padded, kernel_size)
    fig.update_xaxes(visible=False, range=[-0.6, extent - 0.4], constrain="domain")
    fig.update_yaxes(visible=False, range=[extent - 0.4, -0.6], scaleanchor="x", constrain="domain")
    side = int(min(max(26 * extent, 220), 460))
    fig.update_layout(
        title=f"W={n}, F={kernel_size}, padding={padding!r}, S={stride}: {verdict}",
        width=max(side + 40, 440),  # wide enough for the title
        height=side + 80,
        margin=dict(l=20, r=20, t=60, b=20),
        plot_bgcolor="white",
    )
    return fig


# Cells of the connection figure: input (padding, image) and output (cropped, kept).
_INPUT_COLOURS = [[0.0, "#eeeeee"], [1.0, "#9ecae1"]]
_OUTPUT_COLOURS = [[0.0, "#f6f6f6"], [1.0, "#a1d99b"]]


def _cell_row(
    values: list, texts: list[str], x0: float, y: int, colours: list, font_size: int
) -> go.Heatmap:
    """One row of cells, one unit apart from ``x0``; a ``None`` value leaves a gap."""
    return go.Heatmap(
        z=[values],
        text=[texts],
        x0=x0,
        dx=1,
        y0=y,
        dy=1,
        texttemplate="%{text}",
        textfont=dict(size=font_size, color="#555555"),
        colorscale=colours,
        zmin=0,
        zmax=1,
        showscale=False,
        xgap=1,
        ygap=1,
        hoverinfo="skip",
    )


def _segments(pairs: list[tuple[float, float]], top: float, name: str, line: dict) -> go.Scatter:
    """Straight lines from ``(x_top, top)`` down to ``(x_bottom, 0.5)``, one per pair."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for x_top, x_bottom in pairs:
        xs += [x_top, x_bottom, None]
        ys += [top, 0.5, None]
    return go.Scatter(
        x=xs, y=ys, mode="lines", line=line, name=name, hoverinfo="skip", showlegend=False
    )


_LINE_STYLES = {
    "connections": dict(color="#b0b0b0", width=1),
    "cropped": dict(color="#d9d9d9", width=1, dash="dot"),
    "highlighted": dict(color=HIGHLIGHT, width=3),
}


@dataclass(frozen=True)
class _Row:
    """One connection figure's settings and cell geometry, shared by its three variants."""

    n: int
    kernel_size: int
    padding: int
    stride: int
    dilation: int
    span: int  # cells the dilated kernel spans
    full: int  # the padded input (convolution), the output before cropping (transposed)
    size: int  # the output length, 0 when there is no output
    extent: int  # cells across the figure
    cell: int  # pixels per cell
    gap: int  # cells of room between the rows, for the lines
    show_text: bool

    @property
    def top(self) -> int:
        """y of the input row; the output row is at y = 0."""
        return self.gap + 1

    @property
    def font_size(self) -> int:
        return min(14, self.cell // 2)

    @property
    def centre(self) -> float:
        """From the first cell of a window to its centre."""
        return (self.span - 1) / 2

    @property
    def taps(self) -> list[int]:
        return [j * self.dilation for j in range(self.kernel_size)]


def _connection_row(
    n: int, kernel_size: int, padding: int, stride: int, dilation: int, transposed: bool
) -> _Row:
    """The output length and the geometry of a connection figure, for validated settings."""
    span = effective_kernel_size(kernel_size, dilation)
    if transposed:
        full = (n - 1) * stride + span  # before cropping
        # A dilated kernel writes like a dense one as long as its span.
        fits = full > 2 * padding
        size = transposed_output_size(n, span, padding, stride, 0) if fits else 0
        extent = full
    else:
        full = n + 2 * padding  # the padded input
        size = output_size(n, kernel_size, padding, stride, dilation) if span <= full else 0
        extent = max(full, span)
    cell = min(36, (COLUMN_WIDTH - 100) // extent)
    gap = max(2, math.ceil(96 / cell))
    return _Row(
        n, kernel_size, padding, stride, dilation, span, full, size, extent, cell, gap, cell >= 16
    )


def _add_lines(fig: go.Figure, row: _Row, named: dict[str, list[tuple[float, float]]]) -> None:
    """One ``Scatter`` of lines per name, styled by :data:`_LINE_STYLES`."""
    for name, pairs in named.items():
        fig.add_trace(_segments(pairs, row.top - 0.5, name, _LINE_STYLES[name]))


def _add_padded_input(fig: go.Figure, row: _Row) -> None:
    """The input row of a convolution: the padding cells grey with a 0."""
    in_row = [0] * row.padding + [1] * row.n + [0] * row.padding
    zeros = ["0" if v == 0 and row.show_text else "" for v in in_row]
    fig.add_trace(_cell_row(in_row, zeros, 0, row.top, _INPUT_COLOURS, row.font_size))


# Each _draw_* adds one variant's rows and lines, and returns the cells to outline and the verdict.
_Drawn = tuple[list[tuple[float, int]], str]


def _draw_transposed(fig: go.Figure, row: _Row, highlight: int | None) -> _Drawn:
    """Input ``i`` writes output cells ``i*S + j*d`` (uncropped); it sits over their centre."""
    stride, padding, top = row.stride, row.padding, row.top
    in_row: list = [None] * ((row.n - 1) * stride + 1)
    for i in range(row.n):
        in_row[i * stride] = 1
    fig.add_trace(
        _cell_row(in_row, [""] * len(in_row), row.centre, top, _INPUT_COLOURS, row.font_size)
    )
    kept = [0 if w < padding or w >= row.full - padding else 1 for w in range(row.full)]
    labels = [str(w - padding) if k and row.show_text else "" for w, k in enumerate(kept)]
    fig.add_trace(_cell_row(kept, labels, 0, 0, _OUTPUT_COLOURS, row.font_size))
    lines, cropped, bold, outlined = [], [], [], []
    for i in range(row.n):
        for tap in row.taps:
            pair = (row.centre + i * stride, tap + i * stride)
            (lines if kept[pair[1]] else cropped).append(pair)
            if highlight is not None and pair[1] == highlight + padding:
                bold.append(pair)
                outlined.append((pair[0], top))
    if highlight is not None:
        outlined.append((highlight + padding, 0))
    _add_lines(fig, row, {"connections": lines, "cropped": cropped, "highlighted": bold})
    if not row.size:
        return outlined, "invalid: no output cell left after cropping"
    return outlined, f"output length {row.size}"


def _draw_convolution(fig: go.Figure, row: _Row, highlight: int | None) -> _Drawn:
    """Output ``o`` reads padded input cells ``o*S + j*d``; it sits under their centre."""
    stride, centre = row.stride, row.centre
    _add_padded_input(fig, row)
    out_row: list = [None] * ((row.size - 1) * stride + 1)
    labels = [""] * len(out_row)
    for o in range(row.size):
        out_row[o * stride] = 1
        labels[o * stride] = str(o) if row.show_text else ""
    fig.add_trace(_cell_row(out_row, labels, centre, 0, _OUTPUT_COLOURS, row.font_size))
    lines = [(o * stride + tap, centre + o * stride) for o in range(row.size) for tap in row.taps]
    bold: list[tuple[float, float]] = []
    outlined: list[tuple[float, int]] = []
    if highlight is not None:
        bold = [(highlight * stride + tap, centre + highlight * stride) for tap in row.taps]
        outlined = [(x_top, row.top) for x_top, _ in bold] + [(centre + highlight * stride, 0)]
    _add_lines(fig, row, {"connections": lines, "highlighted": bold})
    return outlined, f"output length {row.size}"


def _draw_misfit(fig: go.Figure, row: _Row) -> _Drawn:
    """A kernel longer than the padded input: its span outlined, its taps crossed, no output."""
    _add_padded_input(fig, row)
    fig.add_shape(
        type="rect",
        x0=-0.5,
        x1=row.span - 0.5,
        y0=row.top - 0.5,
        y1=row.top + 0.5,
        line=dict(color=WRONG, width=3, dash="dash"),
    )
    fig.add_trace(
        go.Scatter(
            x=row.taps,
            y=[row.top] * row.kernel_size,
            mode="markers",
            marker=dict(symbol="x", size=max(row.cell // 3, 5), color=WRONG),
            name="taps",
            hoverinfo="skip",
            showlegend=False,
        )
    )
    return [], f"invalid: the kernel spans {row.span} cells, the padded input {row.full}"


def _frame_connections(fig: go.Figure, row: _Row, transposed: bool, verdict: str) -> None:
    """Axes, title (the settings and the verdict) and size of a connection figure."""
    kind = "transposed convolution" if transposed else "convolution"
    cropped_note = " cropped" if transposed else ""
    fig.update_xaxes(visible=False, range=[-0.6, row.extent - 0.4], constrain="domain")
    fig.update_yaxes(
        range=[-0.6, row.top + 0.6],
        scaleanchor="x",
        constrain="domain",
        tickvals=[row.top, 0],
        ticktext=["input", "output"],
        showgrid=False,
        zeroline=False,
    )
    fig.update_layout(
        title=dict(
            text=(
                f"{kind}: W={row.n}, k={row.kernel_size}, d={row.dilation}, "
                f"P={row.padding}{cropped_note}, S={row.stride}<br>{verdict}"
            ),
            font_size=15,
        ),
        width=max(90 + row.cell * row.extent, 520),
        height=100 + row.cell * (row.gap + 2),
        margin=dict(l=70, r=20, t=80, b=20),
        plot_bgcolor="white",
    )


def connection_figure(
    n: int,
    kernel_size: int,
    padding: int = 0,
    stride: int = 1,
    dilation: int = 1,
    transposed: bool = False,
    highlight: int | None = None,
) -> go.Figure:
    """Draw one row of a convolution: which input cells feed which output cell.

    The input cells are on top, the output cells below, and a line joins
    every pair that the kernel connects. For a convolution, each output cell
    sits under the centre of its window on the padded input (padding cells
    grey with a 0) and has a line to each of the ``kernel_size`` input cells
    it reads, ``dilation`` apart. For a transposed convolution, each input
    cell sits over the centre of the window it writes, ``stride`` apart on the
    output, with a line to each of the ``kernel_size`` output cells it adds a
    copy of the kernel to; the ``padding`` cells cropped from each end of the
    output are drawn faded, with dotted lines. The lines of the output cell
    ``highlight`` are drawn bold in orange, and the cells they join outlined.

    Taught in notebooks/10_convolution_variants.ipynb (the output-size
    calculator with dilation and a transposed mode).

    Parameters
    ----------
    n : int
        Input length ``W``, at least 1.
    kernel_size : int
        Number of taps ``k`` of the kernel, at least 1.
    padding : int, default 0
        Zeros on each side of the input (convolution), or cells cropped from
        each side of the output (transposed convolution).
    stride : int, default 1
    dilation : int, default 1
        Step ``d`` between two taps: the kernel spans ``k + (k - 1)(d - 1)`` cells.
    transposed : bool, default False
        Draw the transposed convolution instead of the convolution.
    highlight : int or None, default None
        An output cell (0-based, after cropping) whose connections to draw bold.

    Returns
    -------
    plotly.graph_objects.Figure
        Trace 0 is the input row (``z`` 1 for an input cell, 0 for padding),
        trace 1 the output row (``z`` 1 for an output cell, 0 for a cropped
        one, None between output cells at a stride above 1); both have ``x0``
        and ``dx = 1``, so cell ``j`` of a row is at ``x0 + j``. The lines
        follow, each a ``Scatter`` whose ``x`` lists ``x_top, x_bottom, None``
        per line: ``'connections'``, ``'cropped'`` (transposed only) and
        ``'highlighted'``. The title gives the output length. A convolution
        whose kernel does not fit has trace 0, a red-orange dashed outline of the
        kernel's span and its taps as red-orange crosses (trace ``'taps'``), and no
        output row.

    Raises
    ------
    ValueError
        If ``highlight`` is not an output cell, or is given when there is no output.
    """
    n = integer(n, "n", minimum=1)
    kernel_size = integer(kernel_size, "kernel_size", minimum=1)
    padding = integer(padding, "padding", minimum=0)
    stride = integer(stride, "stride", minimum=1)
    dilation = integer(dilation, "dilation", minimum=1)
    transposed = flag(transposed, "transposed")
    row = _connection_row(n, kernel_size, padding, stride, dilation, transposed)
    if highlight is not None:
        if row.size == 0:
            raise ValueError(f"highlight must be None when there is no output, got {highlight!r}")
        highlight = integer(highlight, "highlight", minimum=0, maximum=row.size - 1)

    fig = go.Figure()
    if transposed:
        outlined, verdict = _draw_transposed(fig, row, highlight)
    elif row.size:
        outlined, verdict = _draw_convolution(fig, row, highlight)
    else:
        outlined, verdict = _draw_misfit(fig, row)
    for x, y in outlined:
        fig.add_shape(
            type="rect",
            x0=x - 0.5,
            x1=x + 0.5,
            y0=y - 0.5,
            y1=y + 0.5,
            line=dict(color=HIGHLIGHT, width=3 if y == 0 else 2),
        )
    _frame_connections(fig, row, transposed, verdict)
    return fig
