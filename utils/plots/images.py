"""Grey images in a grid: digits on one shared scale, or maps each on its own scale.

:func:`image_grid` draws MNIST digits (lessons 00, 05, 06); :func:`map_grid`
draws a few filtered images or feature maps side by side (lessons 01, 04).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from utils._validate import integer, optional_integer
from utils.plots._base import as_image_stack


def image_grid(
    images: object,
    labels: object = None,
    n_cols: int = 10,
    title: str | None = None,
) -> go.Figure:
    """Show grey images in a grid, optionally each with its label as a subplot title.

    Parameters
    ----------
    images : array_like, shape (n, height, width) or (n, height, width, 1)
        The images, for example MNIST digits (uint8 0-255 or floats in [0, 1]).
        They share one grey scale from the smallest to the largest value, dark
        for low values, the way MNIST is usually shown (white digit on black).
    labels : array_like, shape (n,), optional
        One label per image (digits, strings); shown above each image.
    n_cols : int, default 10
        Images per row; the number of rows is ``ceil(n / n_cols)``.
    title : str, optional
        Title of the whole figure.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Heatmap`` trace per image, in row-major order, rows drawn top to
        bottom with image row 0 at the top.
    """
    stack = as_image_stack(images)
    n_images = stack.shape[0]
    n_cols = integer(n_cols, "n_cols", minimum=1)
    if labels is not None:
        labels = list(np.asarray(labels).reshape(-1))
        if len(labels) != n_images:
            raise ValueError(
                f"labels must have one entry per image: got {len(labels)} labels "
                f"for {n_images} images"
            )
    n_cols = min(n_cols, n_images)
    n_rows = math.ceil(n_images / n_cols)
    subplot_titles = [str(label) for label in labels] if labels is not None else None
    fig = make_subplots(
        rows=n_rows,
        cols=n_cols,
        subplot_titles=subplot_titles,
        horizontal_spacing=0.01,
        vertical_spacing=0.12 / n_rows if labels is not None else 0.01,
    )
    low, high = float(stack.min()), float(stack.max())
    for index in range(n_images):
        fig.add_trace(
            go.Heatmap(
                z=stack[index],
                colorscale="gray",
                zmin=low,
                zmax=high,
                showscale=False,
                hovertemplate="row %{y}, col %{x}: %{z}<extra></extra>",
            ),
            row=index // n_cols + 1,
            col=index % n_cols + 1,
        )
    fig.update_xaxes(visible=False, constrain="domain")
    # Image row 0 at the top, and square pixels.
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", constrain="domain")
    for index in range(1, n_images + 1):
        suffix = "" if index == 1 else str(index)
        fig.layout[f"yaxis{suffix}"].scaleanchor = f"x{suffix}"
    cell = 72
    fig.update_layout(
        width=max(cell * n_cols, 300),
        height=cell * n_rows + (60 if title else 20),
        margin=dict(l=10, r=10, t=50 if title else 30, b=10),
        title=title,
    )
    return fig


def map_grid(
    maps: object, titles: object = None, n_cols: int | None = None, title: str | None = None
) -> go.Figure:
    """Show 2-D maps (filtered images, feature maps) side by side, each on its own grey scale.

    Unlike :func:`image_grid`, every map is scaled from its own smallest
    (black) to its own largest value (white), so a map whose values are
    small or negative (an edge filter's output) is as visible as the input.
    For one layer's output as Keras gives it (channels-last), see
    :func:`utils.plots.layers.layer_maps`.

    Parameters
    ----------
    maps : array_like, shape (n, height, width) or (n, height, width, 1)
    titles : sequence of str, optional
        One title per map.
    n_cols : int, optional
        Maps per row; all in one row when omitted.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Heatmap`` trace per map, with its own ``zmin`` and ``zmax``.
    """
    stack = as_image_stack(maps, name="maps")
    count = stack.shape[0]
    cols = optional_integer(n_cols, "n_cols", minimum=1) or count
    if titles is not None:
        titles = [str(t) for t in titles]  # type: ignore[union-attr]
        if len(titles) != count:
            raise ValueError(f"titles must have one entry per map: got {len(titles)} for {count}")
    fig = image_grid(stack, labels=titles, n_cols=cols, title=title)
    for index, trace in enumerate(fig.data):
        values = stack[index].astype(np.float32)
        trace.z = values
        trace.zmin, trace.zmax = float(values.min()), float(values.max())
        trace.hovertemplate = "row %{y}, col %{x}: %{z:.3g}<extra></extra>"
    fig.update_layout(
        width=max(160 * min(cols, count), 300), height=160 * math.ceil(count / cols) + 60
    )
    return fig
