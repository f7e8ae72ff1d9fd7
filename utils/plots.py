"""Plotly figures used across the course.

Every function returns a :class:`plotly.graph_objects.Figure` and never shows
it: the notebook cell that calls it ends with the figure, and Jupyter draws it.

Call :func:`use_course_renderer` once in a notebook's Setup cell. It makes
every figure display as plotly's own JSON mimetype
(``application/vnd.plotly.v1+json``) plus a one-line ``text/plain`` caption:

* JupyterLab draws the JSON with the plotly extension that ships in the
  ``plotly`` wheel, so nothing is fetched from a CDN and it works offline;
* the whole figure is stored in the notebook as data, so it survives Restart &
  Run All and ``make html`` can turn it into a page that draws it offline;
  a code host that runs no JavaScript (GitHub's notebook view) cannot draw any
  plotly figure, and there the caption says what the figure is;
* the JSON is a pure function of the figure (no random ``div`` ids, no
  inlined 4.6 MB copy of plotly.js as the ``notebook`` renderer writes), so
  strict nbval compares it exactly.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.io.base_renderers import PlotlyRenderer
from plotly.subplots import make_subplots

RENDERER_NAME = "course"


class CourseRenderer(PlotlyRenderer):
    """The plotly mimetype renderer, plus a text caption for static viewers."""

    def to_mimebundle(self, fig_dict: dict) -> dict:
        bundle = super().to_mimebundle(fig_dict)
        title = fig_dict.get("layout", {}).get("title", {})
        text = title.get("text") if isinstance(title, dict) else None
        caption = f": {text}" if text else ""
        bundle["text/plain"] = (
            f"<interactive plotly figure{caption}; run the notebook in JupyterLab to see it>"
        )
        return bundle


def use_course_renderer() -> None:
    """Make plotly display figures with :class:`CourseRenderer` (see the module doc)."""
    pio.renderers[RENDERER_NAME] = CourseRenderer()
    pio.renderers.default = RENDERER_NAME


def _as_image_stack(images: object, name: str = "images") -> np.ndarray:
    """Return ``images`` as an array (n, height, width); raise a clear error otherwise."""
    if not isinstance(images, (np.ndarray, list, tuple)):
        raise TypeError(
            f"{name} must be an array of shape (n, height, width), got {type(images).__name__}"
        )
    array = np.asarray(images)
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]  # channels-last grey images, as a ConvNet takes them
    if array.ndim != 3:
        raise ValueError(
            f"{name} must have shape (n, height, width) or (n, height, width, 1), "
            f"got shape {array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one image, got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return array


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
    stack = _as_image_stack(images)
    n_images = stack.shape[0]
    if isinstance(n_cols, bool) or not isinstance(n_cols, (int, np.integer)):
        raise TypeError(f"n_cols must be an int, got {type(n_cols).__name__} {n_cols!r}")
    if n_cols < 1:
        raise ValueError(f"n_cols must be at least 1, got {n_cols}")
    if labels is not None:
        labels = list(np.asarray(labels).reshape(-1))
        if len(labels) != n_images:
            raise ValueError(
                f"labels must have one entry per image: got {len(labels)} labels "
                f"for {n_images} images"
            )
    n_cols = min(int(n_cols), n_images)
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


# --- Annotated matrices, feature maps and filter positions (lessons 01 and 02) ---

# A diverging scale pale enough for black numbers to stay readable in every cell.
_DIVERGING = [[0.0, "#6f9fd8"], [0.5, "#ffffff"], [1.0, "#e8776b"]]
_HIGHLIGHT = "#ff9900"


def _format_number(value: float) -> str:
    """A cell's number as a student would write it: ``5``, ``-1``, ``0.25``; blank for NaN."""
    if not math.isfinite(value):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3g}"


def _as_matrix(matrix: object, name: str) -> np.ndarray:
    if not isinstance(matrix, (np.ndarray, list, tuple)):
        raise TypeError(f"{name} must be a 2-D array of numbers, got {type(matrix).__name__}")
    array = np.asarray(matrix)
    if (
        array.dtype == object
        or not (np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.bool_))
        or np.issubdtype(array.dtype, np.complexfloating)
    ):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {array.shape}")
    return array.astype(np.float64)


def _check_highlight(highlight: object, shape: tuple[int, int], name: str) -> tuple | None:
    if highlight is None:
        return None
    try:
        row, col, height, width = (int(v) for v in highlight)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be (row, col, height, width) or None, got {highlight!r}"
        ) from None
    if (
        height < 1
        or width < 1
        or row < 0
        or col < 0
        or row + height > shape[0]
        or (col + width > shape[1])
    ):
        raise ValueError(
            f"{name} {highlight!r} does not fit in a matrix of shape {shape}: "
            "expected (row, col, height, width) inside it"
        )
    return row, col, height, width


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
        raise TypeError("matrices must be a list of 2-D arrays; use matrix_heatmap for one matrix")
    if not isinstance(matrices, (list, tuple)) or len(matrices) == 0:
        raise TypeError(
            f"matrices must be a non-empty list of 2-D arrays, got {type(matrices).__name__}"
        )
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
        _check_highlight(h, a.shape, f"highlights[{i}]")
        for i, (h, a) in enumerate(zip(highlights, arrays, strict=True))
    ]
    for name, value in (("cell_size", cell_size), ("font_size", font_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
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
                text=[[_format_number(v) for v in row] for row in array.tolist()],
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
                line=dict(color=_HIGHLIGHT, width=5),
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
    fig.update_layout(
        width=int(cell_size * (sum(widths) + gap * (count - 1))) + 40,
        height=int(cell_size * rows) + (110 if title else 70),
        margin=dict(l=20, r=20, t=90 if title else 50, b=20),
        title=title,
        plot_bgcolor="white",
    )
    return fig


def matrix_heatmap(
    matrix: object,
    title: str | None = None,
    highlight: object = None,
    cell_size: int = 44,
    font_size: int = 16,
) -> go.Figure:
    """Draw one matrix with its numbers in the cells; see :func:`matrix_heatmaps`.

    Parameters
    ----------
    matrix : array_like, shape (rows, cols)
    title : str, optional
    highlight : (row, col, height, width), optional
        A block of cells to outline.
    cell_size, font_size : int
        As in :func:`matrix_heatmaps`.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Heatmap`` trace.
    """
    array = _as_matrix(matrix, "matrix")
    try:
        return matrix_heatmaps(
            [array], highlights=[highlight], title=title, cell_size=cell_size, font_size=font_size
        )
    except (TypeError, ValueError) as error:
        raise type(error)(str(error).replace("highlights[0]", "highlight")) from None


def feature_maps(
    maps: object, titles: object = None, n_cols: int | None = None, title: str | None = None
) -> go.Figure:
    """Show 2-D maps (filtered images, feature maps) side by side, each on its own grey scale.

    Unlike :func:`image_grid`, every map is scaled from its own smallest
    (black) to its own largest value (white), so a map whose values are
    small or negative (an edge filter's output) is as visible as the input.

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
    stack = _as_image_stack(maps, name="maps")
    count = stack.shape[0]
    if titles is not None:
        titles = [str(t) for t in titles]  # type: ignore[union-attr]
        if len(titles) != count:
            raise ValueError(f"titles must have one entry per map: got {len(titles)} for {count}")
    fig = image_grid(stack, labels=titles, n_cols=n_cols or count, title=title)
    for index, trace in enumerate(fig.data):
        values = stack[index].astype(np.float32)
        trace.z = values
        trace.zmin, trace.zmax = float(values.min()), float(values.max())
        trace.hovertemplate = "row %{y}, col %{x}: %{z:.3g}<extra></extra>"
    cols = n_cols or count
    fig.update_layout(
        width=max(160 * min(cols, count), 300), height=160 * math.ceil(count / cols) + 60
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
    from utils import conv  # utils.conv needs nothing from here; imported late to keep it light

    n = conv._check_positive_int("n", n)
    kernel_size = conv._check_positive_int("kernel_size", kernel_size)
    stride = conv._check_positive_int("stride", stride)
    name = conv._check_padding(padding)
    before, after = conv._axis_padding(n, kernel_size, name, stride)
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
        window(starts[-1], starts[-1], _HIGHLIGHT)
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


def _history_dict(history: object) -> dict[str, list[float]]:
    """Return the ``{metric: [value per epoch]}`` of a Keras ``History`` or of such a dict."""
    record = getattr(history, "history", history)
    if not isinstance(record, dict):
        raise TypeError(
            "history must be a keras History (what model.fit returns) or a dict of lists, "
            f"got {type(history).__name__}"
        )
    if "loss" not in record:
        raise ValueError(f"history must have a 'loss' entry, got the keys {sorted(record)}")
    return {str(key): [float(value) for value in values] for key, values in record.items()}


def training_curves(history: object, title: str | None = None) -> go.Figure:
    """Loss and accuracy per epoch, training and validation, side by side.

    Parameters
    ----------
    history : keras.callbacks.History or dict
        What ``model.fit`` returns, or its ``.history`` dict: ``{"loss": [...],
        "val_loss": [...], "accuracy": [...], "val_accuracy": [...]}``, one
        value per epoch. Only ``loss`` is required; missing curves are left out.
    title : str, optional
        Title of the whole figure.

    Returns
    -------
    plotly.graph_objects.Figure
        Two panels (loss on the left, accuracy on the right); one ``Scatter``
        line per curve, named "training" or "validation", with epochs 1, 2, ...
        on the x axis.
    """
    record = _history_dict(history)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("loss", "accuracy"))
    colours = {"training": "#1f77b4", "validation": "#ff7f0e"}
    in_legend = set()
    for col, metric in enumerate(("loss", "accuracy"), start=1):
        for name, key in (("training", metric), ("validation", f"val_{metric}")):
            if key not in record:
                continue
            values = record[key]
            fig.add_trace(
                go.Scatter(
                    x=list(range(1, len(values) + 1)),
                    y=values,
                    mode="lines+markers",
                    name=name,
                    legendgroup=name,
                    showlegend=name not in in_legend,
                    line=dict(color=colours[name]),
                    hovertemplate=f"epoch %{{x}}: {metric} %{{y:.4f}}<extra>{name}</extra>",
                ),
                row=1,
                col=col,
            )
            in_legend.add(name)
    fig.update_xaxes(title_text="epoch", dtick=1 if len(record["loss"]) <= 20 else None)
    fig.update_layout(width=900, height=380, title=title, margin=dict(t=80 if title else 40))
    return fig


def _as_labels(labels: object, name: str) -> np.ndarray:
    if not isinstance(labels, (np.ndarray, list, tuple)):
        raise TypeError(f"{name} must be an array of integer labels, got {type(labels).__name__}")
    array = np.asarray(labels)
    if array.ndim != 1:
        raise ValueError(f"{name} must have shape (n,), got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must hold integers (class numbers), got dtype {array.dtype}")
    return array.astype(np.int64)


def confusion_matrix(
    y_true: object,
    y_pred: object,
    n_classes: int = 10,
    title: str | None = "Confusion matrix",
) -> go.Figure:
    """Count how often each true class is predicted as each class, as a heatmap with numbers.

    Parameters
    ----------
    y_true : array_like of int, shape (n,)
        The true classes, 0 to ``n_classes - 1``.
    y_pred : array_like of int, shape (n,)
        The predicted classes, for example ``probabilities.argmax(axis=1)``.
    n_classes : int, default 10
        Number of classes: the matrix is ``n_classes x n_classes``.
    title : str or None, default "Confusion matrix"
        Title of the figure.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Heatmap`` whose ``z[i][j]`` is the number of images of true class
        ``i`` predicted as class ``j`` (rows: true, columns: predicted; the
        diagonal holds the correct predictions). The colour scale is the
        square root of the count so that the few errors stay visible next to
        the large diagonal; the numbers are printed in the cells.
    """
    true = _as_labels(y_true, "y_true")
    pred = _as_labels(y_pred, "y_pred")
    if true.shape != pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same length, got {true.shape[0]} and {pred.shape[0]}"
        )
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)):
        raise TypeError(f"n_classes must be an int, got {type(n_classes).__name__} {n_classes!r}")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    for name, array in (("y_true", true), ("y_pred", pred)):
        if array.size and (array.min() < 0 or array.max() >= n_classes):
            raise ValueError(
                f"{name} must hold classes 0 to {n_classes - 1}, got values from "
                f"{array.min()} to {array.max()}"
            )
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (true, pred), 1)
    classes = [str(index) for index in range(n_classes)]
    # Square-root colours: the few errors stay visible beside a diagonal of about 1,000.
    fig = go.Figure(
        go.Heatmap(
            z=np.sqrt(counts),
            x=classes,
            y=classes,
            text=counts,
            texttemplate="%{text}",
            colorscale=[[0.0, "white"], [1.0, "#08306b"]],
            zmin=0,
            showscale=False,
            hovertemplate="true %{y}, predicted %{x}: %{text} images<extra></extra>",
        )
    )
    side = 40 * n_classes + 140
    fig.update_xaxes(title_text="predicted class", side="bottom", type="category")
    fig.update_yaxes(title_text="true class", autorange="reversed", type="category")
    fig.update_layout(width=side, height=side, title=title, margin=dict(t=60, l=60, r=20, b=60))
    return fig


def misclassified_grid(
    images: object,
    y_true: object,
    y_pred: object,
    max_images: int = 30,
    n_cols: int = 10,
    title: str | None = None,
) -> go.Figure:
    """Show the images whose prediction is wrong, each labelled "true → predicted".

    Parameters
    ----------
    images : array_like, shape (n, height, width) or (n, height, width, 1)
        The images that were classified, for example the test digits.
    y_true, y_pred : array_like of int, shape (n,)
        The true and the predicted class of each image.
    max_images : int, default 30
        Show at most this many, the first ones in the order of ``images``.
    n_cols : int, default 10
        Images per row (see :func:`image_grid`).
    title : str, optional
        Title; the default says how many are wrong and how many are shown.

    Returns
    -------
    plotly.graph_objects.Figure
        An :func:`image_grid` of the misclassified images with labels such as
        ``"7 → 2"`` (a 7 predicted as a 2).

    Raises
    ------
    ValueError
        If the lengths differ or no image is misclassified.
    """
    stack = _as_image_stack(images)
    true = _as_labels(y_true, "y_true")
    pred = _as_labels(y_pred, "y_pred")
    if not (stack.shape[0] == true.shape[0] == pred.shape[0]):
        raise ValueError(
            f"images, y_true and y_pred must have the same length, got {stack.shape[0]}, "
            f"{true.shape[0]} and {pred.shape[0]}"
        )
    if isinstance(max_images, bool) or not isinstance(max_images, (int, np.integer)):
        raise TypeError(
            f"max_images must be an int, got {type(max_images).__name__} {max_images!r}"
        )
    if max_images < 1:
        raise ValueError(f"max_images must be at least 1, got {max_images}")
    wrong = np.flatnonzero(true != pred)
    if wrong.size == 0:
        raise ValueError("no image is misclassified: y_pred equals y_true everywhere")
    shown = wrong[:max_images]
    labels = [f"{true[index]} → {pred[index]}" for index in shown]
    if title is None:
        title = (
            f"{wrong.size} misclassified of {true.size}; the first {shown.size} (true → predicted)"
        )
    return image_grid(stack[shown], labels=labels, n_cols=n_cols, title=title)


def line_chart(
    x: object,
    series: object,
    title: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
) -> go.Figure:
    """Draw one or more named curves over the same x values, with markers.

    Lesson 04 draws how much feature maps change as a digit shifts.

    Parameters
    ----------
    x : array_like, shape (n,)
        The x values shared by every curve.
    series : dict of str to array_like, each shape (n,)
        One curve per entry, named in the legend.
    title, x_title, y_title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Scatter`` trace (lines and markers) per entry of ``series``.
    """
    xs = np.asarray(x, dtype=float)
    if xs.ndim != 1 or xs.size == 0:
        raise ValueError(f"x must be a non-empty 1-D array, got shape {xs.shape}")
    if not isinstance(series, dict) or not series:
        raise TypeError(
            f"series must be a non-empty dict of name -> values, got {type(series).__name__}"
        )
    fig = go.Figure()
    for name, values in series.items():
        ys = np.asarray(values, dtype=float)
        if ys.shape != xs.shape:
            raise ValueError(
                f"series {name!r} must have shape {xs.shape} like x, got shape {ys.shape}"
            )
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name=str(name)))
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, width=640, height=400)
    return fig
