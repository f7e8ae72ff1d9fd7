"""Inside a trained ConvNet: its kernels, one layer's maps, what excites a filter (lesson 06).

:func:`kernel_grid` and :func:`channel_mixing` draw a convolution's weights;
:func:`layer_maps` one layer's output for one image (the explorer of lesson
06 redraws with it); :func:`patch_grid` the input patches that excite a filter
most; :func:`probability_bar` the network's answer for one image.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from utils._validate import integer, number, optional_integer, real_array
from utils.plots.base import (
    BLUE_SCALE,
    COLUMN_WIDTH,
    DIVERGING_SCALE,
    GREY_SCALE,
    HIGHLIGHT,
    RIGHT,
    WRONG,
    as_image_stack,
    heatmap_grid,
    highlight_box,
    item_labels,
)

# A strong diverging scale for kernels drawn without numbers: five stops, so that half
# the largest weight is already clearly coloured.
_KERNEL_SCALE = DIVERGING_SCALE


def _positive_scale(zmax: object) -> float:
    """``zmax``, the value drawn at the end of a colour scale, as a positive float."""
    top = number(zmax, "zmax")
    if top <= 0:
        raise ValueError(f"zmax must be a positive number, got {zmax!r}")
    return top


def kernel_grid(
    kernels: object,
    titles: object = None,
    n_cols: int = 8,
    title: str | None = None,
    zmax: float | None = None,
    cell_size: int = 56,
) -> go.Figure:
    """Draw convolution kernels as small heatmaps on one diverging colour scale centred on zero.

    White is a weight of 0, orange positive and purple negative (the purple
    darker, so that the sign shows in greyscale too), with the same
    scale for every kernel, so that strong and weak kernels can be told apart.
    Taught in notebooks/06_kernels_and_feature_maps.ipynb, section 2.

    Parameters
    ----------
    kernels : array_like, shape (F_h, F_w, 1, n) or (n, F_h, F_w)
        A Keras ``Conv2D`` kernel with one input channel, as
        ``layer.get_weights()[0]`` returns it (the first layer of the MNIST
        ConvNet: (3, 3, 1, 32)), or a stack of n 2-D kernels, for example the
        32 slices of one second-layer filter ``j``:
        ``kernel[:, :, :, j].transpose(2, 0, 1)``.
    titles : sequence of str, optional
        One label per kernel; by default the kernels' numbers 0, 1, ..., n - 1.
    n_cols : int, default 8
        Kernels per row.
    title : str, optional
        Title of the figure.
    zmax : float, optional
        The weight drawn in full orange (and ``-zmax`` in full purple). By default
        the largest absolute weight. Give two figures the same ``zmax`` to
        compare them on one scale.
    cell_size : int, default 56
        Side of one kernel, in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Heatmap`` per kernel in row-major order: ``z`` its weights
        (F_h, F_w) as float32, row 0 at the top; every trace has ``zmid=0``,
        ``zmin=-zmax`` and ``zmax``; the first carries the colour bar.
    """
    array = real_array(kernels, "kernels")
    if array.ndim == 4:
        if array.shape[2] != 1:
            raise ValueError(
                f"kernels has {array.shape[2]} input channels (shape {array.shape}); "
                "kernel_grid draws one 2-D kernel per filter. For the slices of filter j "
                "pass kernels[:, :, :, j].transpose(2, 0, 1); for a summary of all filters "
                "use channel_mixing(kernels)"
            )
        stack = array[:, :, 0, :].transpose(2, 0, 1)
    elif array.ndim == 3:
        stack = array
    else:
        raise ValueError(
            f"kernels must have shape (F_h, F_w, 1, n) or (n, F_h, F_w), got shape {array.shape}"
        )
    count = stack.shape[0]
    if count == 0 or 0 in stack.shape:
        raise ValueError(
            f"kernels must hold at least one non-empty kernel, got shape {array.shape}"
        )
    stack = stack.astype(np.float32)
    labels = (
        [str(index) for index in range(count)]
        if titles is None
        else item_labels(titles, count, "titles")
    )
    n_cols = integer(n_cols, "n_cols", minimum=1)
    cell_size = integer(cell_size, "cell_size", minimum=1)
    reach = (float(np.abs(stack).max()) or 1.0) if zmax is None else _positive_scale(zmax)
    return heatmap_grid(
        stack,
        labels,
        n_cols,
        cell_size,
        title,
        colorscale=_KERNEL_SCALE,
        zmin=[-reach] * count,
        zmax=[reach] * count,
        zmid=0.0,
        hovertemplate=[
            f"kernel {label}, row %{{y}}, col %{{x}}: %{{z:.3f}}<extra></extra>" for label in labels
        ],
        names=[f"kernel {label}" for label in labels],
        colorbar=True,
    )


def layer_maps(
    activations: object,
    channels: object = None,
    n_cols: int = 8,
    cell_size: int = 64,
    title: str | None = None,
    shared_scale: bool = True,
) -> go.Figure:
    """Draw one layer's feature maps for one image: one small grey heatmap per channel.

    Where :func:`~utils.plots.images.map_grid` takes a stack of maps, this
    takes a layer's output as Keras gives it, channels-last, and labels each
    map with its channel number. Taught in notebooks/06_kernels_and_feature_maps.ipynb,
    section 3; the explorer of that lesson redraws with it.

    Parameters
    ----------
    activations : array_like, shape (height, width, n_channels) or (1, height, width, n_channels)
        A convolution or pooling layer's output for one image, for example
        the first layer of the MNIST ConvNet: (1, 26, 26, 32).
    channels : sequence of int, optional
        The channels to draw, in this order (``range(16)`` for the first 16);
        all of them by default.
    n_cols : int, default 8
        Maps per row.
    cell_size : int, default 64
        Side of one map, in pixels.
    title : str, optional
        Title of the figure.
    shared_scale : bool, default True
        True: one grey scale for every map, from ``min(0, smallest value)``
        (black) to the largest value (white), so a weakly active channel
        looks dark and a silent one black. False: each map from its own
        smallest to its own largest value, like
        :func:`~utils.plots.images.map_grid`, which shows the pattern of even
        a weak map.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Heatmap`` per channel drawn, named ``"channel c"``, with ``z``
        the map ``activations[..., c]`` (height, width) as float32, row 0 at
        the top, and labelled with ``c``.
    """
    array = real_array(activations, "activations")
    if array.ndim == 4:
        if array.shape[0] != 1:
            raise ValueError(
                f"activations must be the maps of one image, shape (1, height, width, n_channels), "
                f"got shape {array.shape}: pick one image with activations[i]"
            )
        array = array[0]
    if array.ndim != 3 or 0 in array.shape:
        raise ValueError(
            "activations must have shape (height, width, n_channels) or "
            f"(1, height, width, n_channels), got shape {np.asarray(activations).shape}"
        )
    n_channels = array.shape[2]
    if channels is None:
        chosen = list(range(n_channels))
    else:
        if isinstance(channels, (str, bytes)) or not hasattr(channels, "__iter__"):
            raise TypeError(f"channels must be a sequence of ints, got {channels!r}")
        chosen = list(channels)  # type: ignore[call-overload]
        if not chosen:
            raise ValueError("channels must name at least one channel, got an empty sequence")
        chosen = [
            integer(channel, f"channels[{index}]", minimum=0, maximum=n_channels - 1)
            for index, channel in enumerate(chosen)
        ]
    stack = np.ascontiguousarray(array[:, :, chosen].transpose(2, 0, 1), dtype=np.float32)
    count = len(chosen)
    if shared_scale:
        low, high = min(0.0, float(stack.min())), float(stack.max())
        low, high = [low] * count, [high if high > low else low + 1.0] * count
    else:
        low = [float(m.min()) for m in stack]
        high = [float(m.max()) if m.max() > m.min() else float(m.min()) + 1.0 for m in stack]
    return heatmap_grid(
        stack,
        [str(channel) for channel in chosen],
        integer(n_cols, "n_cols", minimum=1),
        integer(cell_size, "cell_size", minimum=1),
        title,
        colorscale=GREY_SCALE,
        zmin=low,
        zmax=high,
        hovertemplate=[
            f"channel {channel}, row %{{y}}, col %{{x}}: %{{z:.3g}}<extra></extra>"
            for channel in chosen
        ],
        names=[f"channel {channel}" for channel in chosen],
    )


def patch_grid(
    patches: object,
    labels: object = None,
    highlight: object = None,
    n_cols: int = 8,
    cell_size: int = 72,
    title: str | None = None,
) -> go.Figure:
    """Show small image patches on one grey scale, each with the same box outlined.

    Lesson 06 cuts out of the test digits the patches that excite a filter
    most, with some context around them, and outlines the filter's receptive
    field in the middle.

    Parameters
    ----------
    patches : array_like, shape (n, height, width) or (n, height, width, 1)
    labels : sequence of str, optional
        One label per patch, shown above it.
    highlight : (row, col, height, width), optional
        A block of pixels to outline in orange in every patch.
    n_cols : int, default 8
        Patches per row.
    cell_size : int, default 72
        Side of one patch, in pixels.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Heatmap`` per patch (``z`` the patch as float32, all on the
        scale from the smallest to the largest value of all patches), and one
        rectangle shape per patch when ``highlight`` is given.
    """
    stack = as_image_stack(patches, name="patches").astype(np.float32)
    count = stack.shape[0]
    texts = None if labels is None else item_labels(labels, count, "labels")
    box = highlight_box(highlight, stack.shape[1:], "highlight")
    low, high = float(stack.min()), float(stack.max())
    high = high if high > low else low + 1.0
    fig = heatmap_grid(
        stack,
        texts,
        integer(n_cols, "n_cols", minimum=1),
        integer(cell_size, "cell_size", minimum=1),
        title,
        colorscale=GREY_SCALE,
        zmin=[low] * count,
        zmax=[high] * count,
        hovertemplate=["row %{y}, col %{x}: %{z:.3g}<extra></extra>"] * count,
    )
    if box is not None:
        row, col, height, width = box
        fig.layout.shapes = [
            {
                "type": "rect",
                "xref": f"x{suffix}",
                "yref": f"y{suffix}",
                "x0": col - 0.5,
                "x1": col + width - 0.5,
                "y0": row - 0.5,
                "y1": row + height - 0.5,
                "line": {"color": HIGHLIGHT, "width": 2},
            }
            for suffix in ["" if index == 0 else str(index + 1) for index in range(count)]
        ]
    return fig


def channel_mixing(
    kernel: object, title: str | None = None, zmax: float | None = None
) -> go.Figure:
    """How strongly each filter of a convolution reads each of its input channels.

    A ``Conv2D`` kernel of shape (F_h, F_w, C_in, C_out) holds C_in x C_out
    small 2-D slices (the MNIST ConvNet's second layer: 32 x 64 = 2,048 slices
    of 3 x 3). This summary draws one cell per slice, its size
    ``sqrt(sum of its squared weights)``: a pale cell is an input channel the
    filter hardly uses. Taught in notebooks/06_kernels_and_feature_maps.ipynb,
    section 5.

    Parameters
    ----------
    kernel : array_like, shape (F_h, F_w, C_in, C_out)
        As ``layer.get_weights()[0]`` returns it.
    title : str, optional
    zmax : float, optional
        The norm drawn darkest; by default the largest. Give two figures the
        same ``zmax`` to compare them on one scale.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Heatmap`` whose ``z[i][j]`` is the norm of ``kernel[:, :, i, j]``:
        rows are the input channels ``i`` (0 at the top), columns the filters ``j``.
    """
    array = real_array(kernel, "kernel")
    if array.ndim != 4 or 0 in array.shape:
        raise ValueError(
            "kernel must be a Conv2D kernel of shape (F_h, F_w, C_in, C_out), "
            f"got shape {array.shape}"
        )
    norms = np.sqrt((array.astype(np.float64) ** 2).sum(axis=(0, 1))).astype(np.float32)
    top = (float(norms.max()) or 1.0) if zmax is None else _positive_scale(zmax)
    n_in, n_out = norms.shape
    fig = go.Figure(
        go.Heatmap(
            z=norms,
            colorscale=BLUE_SCALE,
            zmin=0.0,
            zmax=top,
            colorbar=dict(title=dict(text="norm"), thickness=12),
            hovertemplate="filter %{x} reads input channel %{y}: norm %{z:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=f"filter (output channel, 0-{n_out - 1})", showgrid=False)
    fig.update_yaxes(
        title_text=f"input channel (0-{n_in - 1})", autorange="reversed", showgrid=False
    )
    fig.update_layout(
        width=int(min(max(12 * n_out + 160, 360), COLUMN_WIDTH)),
        height=int(min(max(12 * n_in + 150, 260), 900)),
        title=title,
        margin=dict(l=70, r=20, t=60 if title else 20, b=60),
    )
    return fig


def probability_bar(
    probabilities: object,
    label: int | None = None,
    title: str | None = None,
    class_names: object = None,
) -> go.Figure:
    """The predicted probability of each class as a bar chart, the prediction highlighted.

    Without ``label`` the predicted class's bar is orange. With the true
    ``label``, a right prediction is blue; a wrong one is red-orange and
    hatched, and the true class's bar blue. The title names the predicted
    (and the true) class, so that the colours are never the only cue.

    Parameters
    ----------
    probabilities : array_like, shape (n_classes,) or (1, n_classes)
        A softmax output: non-negative numbers that add up to 1.
    label : int, optional
        The true class, 0 to ``n_classes - 1``.
    title : str, optional
        By default says the prediction, its probability and the true class.
    class_names : sequence of str, optional
        Names of the classes; by default "0", "1", ... (the MNIST digits).

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Bar`` trace: ``x`` the class names, ``y`` the probabilities,
        ``marker.color`` one colour per bar; the y axis runs from 0 to 1.
    """
    array = real_array(probabilities, "probabilities")
    if array.ndim == 2 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 1 or array.size < 2:
        raise ValueError(
            f"probabilities must have shape (n_classes,) or (1, n_classes), got shape "
            f"{np.asarray(probabilities).shape}"
        )
    values = array.astype(np.float64)
    if not np.all(np.isfinite(values)) or values.min() < 0:
        raise ValueError(
            "probabilities must be non-negative numbers, got values from "
            f"{values.min():g} to {values.max():g}: apply keras.ops.softmax to scores first"
        )
    if abs(values.sum() - 1) > 1e-3:
        raise ValueError(
            f"probabilities must add up to 1, got a sum of {values.sum():.4g}: "
            "apply keras.ops.softmax to scores first"
        )
    n_classes = values.size
    names = (
        [str(index) for index in range(n_classes)]
        if class_names is None
        else item_labels(class_names, n_classes, "class_names")
    )
    label = optional_integer(label, "label")
    if label is not None:
        label = integer(label, "label", minimum=0, maximum=n_classes - 1)
    predicted = int(values.argmax())
    colours = ["#9ecae1"] * n_classes
    # Colour is never alone: a wrong prediction's bar is also hatched, and the title
    # names the predicted and the true class.
    patterns = [""] * n_classes
    if label is None:
        colours[predicted] = HIGHLIGHT
    elif label == predicted:
        colours[predicted] = RIGHT
    else:
        colours[predicted] = WRONG
        patterns[predicted] = "/"
        colours[label] = RIGHT
    if title is None:
        title = f"predicted {names[predicted]} (probability {values[predicted]:.2f})"
        if label is not None:
            title += f", true {names[label]}"
    fig = go.Figure(
        go.Bar(
            x=names,
            y=values,
            marker=dict(color=colours, pattern=dict(shape=patterns)),
            text=[f"{value:.2f}" for value in values],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{y:.4f}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", title_text="class")
    fig.update_yaxes(range=[0, 1.05], title_text="probability")
    fig.update_layout(
        width=360, height=280, title=title, margin=dict(l=50, r=10, t=50, b=40), showlegend=False
    )
    return fig
