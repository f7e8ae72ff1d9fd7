"""Small matrices with their numbers, and a filter's positions on a padded input (lessons 01-02).

:func:`matrix_heatmaps` draws an image, a kernel and their output side by
side with the numbers in the cells (the convolution stepper redraws with it);
:func:`output_size_figure` shows where a filter goes for a padding and a stride.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from utils._validate import integer, real_array
from utils.conv import axis_padding
from utils.plots._base import COLUMN_WIDTH, HIGHLIGHT, format_number, highlight_box

# A diverging scale pale enough for black numbers to stay readable in every cell.
_DIVERGING = [[0.0, "#6f9fd8"], [0.5, "#ffffff"], [1.0, "#e8776b"]]


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

    Each matrix has its own colour scale, white at zero, blue below and red
    above. A NaN cell is left blank (the convolution stepper uses that for
    output cells it has not computed yet).

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
    of each filter position; the first position is outlined in green and the
    last in orange. Rows and columns that no position reaches (when
    ``(W - F + 2P) / S`` is not a whole number) are shaded red. A filter that
    does not fit is drawn in red overhanging the input, with no positions.

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
        window(0, 0, "#d62728", "dash")
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
        window(starts[0], starts[0], "#2ca02c")
        window(starts[-1], starts[-1], HIGHLIGHT)
        covered = starts[-1] + kernel_size
        if covered < padded:
            for shape in (
                dict(x0=covered - 0.5, x1=padded - 0.5, y0=-0.5, y1=padded - 0.5),
                dict(x0=-0.5, x1=padded - 0.5, y0=covered - 0.5, y1=padded - 0.5),
            ):
                fig.add_shape(type="rect", fillcolor="#d62728", opacity=0.25, line_width=0, **shape)
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
