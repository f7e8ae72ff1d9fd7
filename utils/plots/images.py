"""Grey images in a grid: digits on one shared scale, or maps each on its own scale.

:func:`image_grid` draws MNIST digits (lessons 00, 05, 06); :func:`map_grid`
draws a few filtered images or feature maps side by side (lessons 01, 04);
:func:`saliency_grid` draws digits above their saliency maps, one row per
method, each map on a purple-white-orange scale centred at 0 (lesson 12).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from utils._validate import integer, optional_integer, text
from utils.plots.base import (
    COLUMN_WIDTH,
    GREY_SCALE,
    as_image_stack,
    heatmap_grid,
    item_labels,
)

# Purple for negative, white at 0, orange for positive: a saliency map's sign at a glance.
SIGN_SCALE = [[0.0, "#5e3c99"], [0.5, "#ffffff"], [1.0, "#e66101"]]


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


def _saliency_cell_size(n_cols: int) -> int:
    """The largest cell (at most 90 pixels) that fits ``n_cols`` columns in ``COLUMN_WIDTH``."""
    cell = min(90, (COLUMN_WIDTH - 20) // n_cols)
    # grid_layout's width: the cells, the gaps between them and 20 pixels of margins.
    while cell > 1 and n_cols * cell + (n_cols - 1) * max(2, cell // 12) + 20 > COLUMN_WIDTH:
        cell -= 1
    return cell


def saliency_grid(
    images: object, maps: object, labels: object = None, title: str | None = None
) -> go.Figure:
    """Show digits above their saliency maps: one column per digit, one row per method.

    Lesson 12 draws what a ConvNet looks at this way: row 0 holds the digits
    on one shared grey scale (as :func:`image_grid`), and each following row
    the maps of one method (an occlusion map, a gradient), in the order of
    ``maps``. Every map has its own colour scale, centred at 0: from ``-m``
    (purple) through white to ``+m`` (orange), where ``m`` is the largest absolute
    value of that map (1 for a map of zeros), so a map's sign shows at a
    glance and a weak map is as visible as a strong one. The method's name is
    written above the first map of its row. The figure is at most
    ``COLUMN_WIDTH`` (840) pixels wide: the cells shrink as ``n`` grows.

    Parameters
    ----------
    images : array_like, shape (n, H, W) or (n, H, W, 1)
        The digits, ``1 <= n <= 40``.
    maps : dict of str to array_like
        Method name -> its maps, shape (n, H, W) or (n, H, W, 1): one map per
        digit, each of the same H x W as the digits. The rows follow the
        dict's order.
    labels : sequence of str, optional
        One label per digit (for example ``"7 → 7"``, true and predicted
        class), shown above the digits.
    title : str, optional
        Title of the whole figure.

    Returns
    -------
    plotly.graph_objects.Figure
        ``n * (1 + len(maps))`` ``Heatmap`` traces, row by row: the digits,
        then the maps of each method.

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or value; the message names it.
    """
    stack = as_image_stack(images).astype(np.float32)
    count = stack.shape[0]
    if count > 40:
        raise ValueError(f"images must hold at most 40 images (one column each), got {count}")
    if not isinstance(maps, dict):
        raise TypeError(
            f"maps must be a dict of method name -> maps (n, H, W), got {type(maps).__name__}"
        )
    if not maps:
        raise ValueError("maps must hold at least one method, got an empty dict")
    rows = []
    for name, values in maps.items():
        if not isinstance(name, str):
            raise TypeError(
                f"maps keys must be str (method names), got {type(name).__name__} {name!r}"
            )
        array = as_image_stack(values, name=f"maps[{name!r}]").astype(np.float32)
        if array.shape != stack.shape:
            raise ValueError(
                f"maps[{name!r}] must have the shape of images, (n, H, W) = {stack.shape}, "
                f"got shape {array.shape}"
            )
        if not np.all(np.isfinite(array)):
            raise ValueError(f"maps[{name!r}] must hold finite numbers, got NaN or inf")
        rows.append((name, array))
    tops = [""] * count if labels is None else item_labels(labels, count, "labels")
    if title is not None:
        title = text(title, "title")

    cells = np.concatenate([stack] + [array for _, array in rows])
    cell_labels = list(tops)
    for name, _ in rows:
        cell_labels += [name] + [""] * (count - 1)
    low, high = float(stack.min()), float(stack.max())
    zmin, zmax = [low] * count, [high] * count
    for _, array in rows:
        for values in array:
            largest = float(np.abs(values).max())
            largest = largest if largest > 0 else 1.0
            zmin.append(-largest)
            zmax.append(largest)
    fig = heatmap_grid(
        cells,
        cell_labels,
        count,
        _saliency_cell_size(count),
        title,
        colorscale=GREY_SCALE,
        zmin=zmin,
        zmax=zmax,
        hovertemplate=["row %{y}, col %{x}: %{z:.3g}<extra></extra>"] * cells.shape[0],
    )
    for trace in fig.data[count:]:
        trace.colorscale = SIGN_SCALE
    for index in range(len(rows)):
        # The method's name starts at the left edge of its row and may run over the next cells.
        fig.layout.annotations[count * (index + 1)].update(x=0, xanchor="left")
    return fig
