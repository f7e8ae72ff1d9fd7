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
  strict nbval compares it; ``conftest.py`` compares its numbers within
  float32's last bits, which differ from one CPU (or Python) to another;
* every non-integer float in it is stored to :data:`FIGURE_DIGITS`
  significant digits, the precision a reader can see: the finest label the
  course draws is ``.4f`` on values under 10 (losses), which needs 5. Float
  arrays are stored as float32, which holds 5 digits; whole numbers (counts,
  pixel sizes, indices) are kept exact.
"""

from __future__ import annotations

import base64
import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.io.base_renderers import PlotlyRenderer
from plotly.subplots import make_subplots

from utils.conv import _as_real_array as _conv_real_array

RENDERER_NAME = "course"
FIGURE_DIGITS = 5
_FLOAT32_RANGE = (1e-37, 3e38)  # magnitudes float32 holds as normal numbers


def _round_significant(values: np.ndarray, digits: int) -> np.ndarray:
    """``values`` (float64) rounded to ``digits`` significant digits; whole numbers kept."""
    out = values.copy()
    rounded = np.isfinite(values) & (values != np.round(values))
    scale = 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(values[rounded]))))
    out[rounded] = np.round(values[rounded] * scale) / scale
    return out


def _round_figure_floats(node: object, digits: int = FIGURE_DIGITS) -> object:
    """Plotly figure JSON with every non-integer float rounded (see the module doc).

    Floats stand alone, in lists, or in plotly's typed arrays (``{"dtype",
    "bdata", "shape"}``, base64 of little-endian numbers); float64 arrays come
    back as float32 arrays when float32 holds their values. Integers, strings
    and integer arrays are returned as they are.
    """
    if isinstance(node, float):
        whole = not math.isfinite(node) or node == round(node)
        return node if whole else float(f"{node:.{digits - 1}e}")
    if isinstance(node, list):
        return [_round_figure_floats(item, digits) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("bdata"), str) and str(node.get("dtype")) in ("f4", "f8"):
        values = np.frombuffer(base64.b64decode(node["bdata"]), dtype="<" + node["dtype"])
        values = _round_significant(values.astype(np.float64), digits)
        magnitudes = np.abs(values[np.isfinite(values) & (values != 0)])
        fits = magnitudes.size == 0 or (
            magnitudes.min() >= _FLOAT32_RANGE[0] and magnitudes.max() <= _FLOAT32_RANGE[1]
        )
        dtype = "f4" if fits else "f8"
        data = values.astype("<" + dtype).tobytes()
        return {**node, "dtype": dtype, "bdata": base64.b64encode(data).decode("ascii")}
    return {key: _round_figure_floats(value, digits) for key, value in node.items()}


class CourseRenderer(PlotlyRenderer):
    """The plotly mimetype renderer with rounded floats, plus a text caption."""

    def to_mimebundle(self, fig_dict: dict) -> dict:
        bundle = super().to_mimebundle(fig_dict)
        key = "application/vnd.plotly.v1+json"
        bundle[key] = _round_figure_floats(bundle[key])
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


# --- Lesson 06: kernels, one layer's activations, receptive-field patches, probabilities ---

# A strong diverging scale for kernels drawn without numbers: blue below zero, red above
# (ColorBrewer's five-class RdBu, so that half the largest weight is already clearly coloured).
_KERNEL_SCALE = [
    [0.0, "#2166ac"],
    [0.25, "#67a9cf"],
    [0.5, "#f7f7f7"],
    [0.75, "#ef8a62"],
    [1.0, "#b2182b"],
]
# Black to white in two stops: plotly's named "gray" scale writes out twelve for every trace.
_GREY_SCALE = [[0.0, "#000000"], [1.0, "#ffffff"]]


def _check_count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def _as_real_array(values: object, name: str, expected: str) -> np.ndarray:
    """``values`` as an array of real numbers; the type error names the shape wanted."""
    if not isinstance(values, (np.ndarray, list, tuple)) and not hasattr(values, "__array__"):
        raise TypeError(f"{name} must be an array of shape {expected}, got {type(values).__name__}")
    return _conv_real_array(values, name)  # the dtype checks, shared with utils.conv


def _grid_layout(
    count: int, n_cols: int, cell_size: int, labelled: bool, title: str | None, right: int = 10
) -> tuple[dict, list[str]]:
    """A layout of ``count`` square cells, ``n_cols`` per row, written as a plain dict.

    ``make_subplots`` validates every axis as it goes and takes about half a
    second for 32 cells; this dict is checked once by ``go.Figure``, more than
    ten times faster, which is what lets lesson 06's explorer redraw at once.
    """
    n_cols = min(n_cols, count)
    n_rows = math.ceil(count / n_cols)
    gap = max(2, cell_size // 12)
    label_height = 14 if labelled else 0
    plot_width = n_cols * cell_size + (n_cols - 1) * gap
    row_height = label_height + cell_size
    plot_height = n_rows * row_height + (n_rows - 1) * gap
    top = 40 if title else 10
    layout: dict = {
        "width": plot_width + 10 + right,
        "height": plot_height + top + 10,
        "margin": {"l": 10, "r": right, "t": top, "b": 10},
        "annotations": [],
        "shapes": [],
    }
    if title:
        layout["title"] = {"text": title}
    suffixes = []
    for index in range(count):
        row, col = divmod(index, n_cols)
        suffix = "" if index == 0 else str(index + 1)
        left = col * (cell_size + gap)
        upper = row * (row_height + gap) + label_height
        layout[f"xaxis{suffix}"] = {
            "domain": [left / plot_width, (left + cell_size) / plot_width],
            "anchor": f"y{suffix}",
            "visible": False,
            "constrain": "domain",
        }
        layout[f"yaxis{suffix}"] = {
            "domain": [1 - (upper + cell_size) / plot_height, 1 - upper / plot_height],
            "anchor": f"x{suffix}",
            "visible": False,
            "autorange": "reversed",  # row 0 at the top, as in an image
            "scaleanchor": f"x{suffix}",  # square pixels
            "constrain": "domain",
        }
        suffixes.append(suffix)
    return layout, suffixes


def _heatmap_grid(
    stack: np.ndarray,
    labels: list[str] | None,
    n_cols: int,
    cell_size: int,
    title: str | None,
    *,
    colorscale: object,
    zmin: list[float],
    zmax: list[float],
    hovertemplate: list[str],
    names: list[str] | None = None,
    zmid: float | None = None,
    colorbar: bool = False,
) -> go.Figure:
    """One heatmap per 2-D array of ``stack`` (n, h, w), in a grid built by :func:`_grid_layout`."""
    layout, suffixes = _grid_layout(
        stack.shape[0], n_cols, cell_size, labels is not None, title, right=70 if colorbar else 10
    )
    data = []
    for index, suffix in enumerate(suffixes):
        trace = {
            "type": "heatmap",
            "z": stack[index],
            "xaxis": f"x{suffix}",
            "yaxis": f"y{suffix}",
            "colorscale": colorscale,
            "zmin": zmin[index],
            "zmax": zmax[index],
            "showscale": colorbar and index == 0,
            "hovertemplate": hovertemplate[index],
        }
        if colorbar and index == 0:
            trace["colorbar"] = {"thickness": 12, "x": 1.0, "xpad": 10}
        if zmid is not None:
            trace["zmid"] = zmid
        if names is not None:
            trace["name"] = names[index]
        data.append(trace)
        if labels is not None:
            layout["annotations"].append(
                {
                    "text": labels[index],
                    "xref": f"x{suffix} domain",
                    "yref": f"y{suffix} domain",
                    "x": 0.5,
                    "y": 1,
                    "xanchor": "center",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": 11},
                }
            )
    return go.Figure({"data": data, "layout": layout})


def _check_labels(labels: object, count: int, name: str) -> list[str]:
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
        raise TypeError(f"{name} must be a sequence of one label per item, got {labels!r}")
    texts = [str(label) for label in labels]  # type: ignore[union-attr]
    if len(texts) != count:
        raise ValueError(f"{name} must have one entry per item: got {len(texts)} for {count}")
    return texts


def kernel_grid(
    kernels: object,
    titles: object = None,
    n_cols: int = 8,
    title: str | None = None,
    zmax: float | None = None,
    cell_size: int = 56,
) -> go.Figure:
    """Draw convolution kernels as small heatmaps on one diverging colour scale centred on zero.

    White is a weight of 0, red positive and blue negative, with the same
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
        The weight drawn in full red (and ``-zmax`` in full blue). By default
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
    array = _as_real_array(kernels, "kernels", "(F_h, F_w, 1, n) or (n, F_h, F_w)")
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
        else _check_labels(titles, count, "titles")
    )
    n_cols = _check_count(n_cols, "n_cols")
    cell_size = _check_count(cell_size, "cell_size")
    if zmax is None:
        reach = float(np.abs(stack).max()) or 1.0
    else:
        if isinstance(zmax, bool) or not isinstance(zmax, (int, float, np.number)):
            raise TypeError(f"zmax must be a positive number, got {type(zmax).__name__} {zmax!r}")
        reach = float(zmax)
        if not (math.isfinite(reach) and reach > 0):
            raise ValueError(f"zmax must be a positive number, got {zmax!r}")
    return _heatmap_grid(
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


def activation_maps(
    activations: object,
    channels: object = None,
    n_cols: int = 8,
    cell_size: int = 64,
    title: str | None = None,
    shared_scale: bool = True,
) -> go.Figure:
    """Draw one layer's feature maps for one image: one small grey heatmap per channel.

    Where :func:`feature_maps` takes a stack of maps, this takes a layer's
    output as Keras gives it, channels-last, and labels each map with its
    channel number. Taught in notebooks/06_kernels_and_feature_maps.ipynb,
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
        smallest to its own largest value, like :func:`feature_maps`, which
        shows the pattern of even a weak map.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Heatmap`` per channel drawn, named ``"channel c"``, with ``z``
        the map ``activations[..., c]`` (height, width) as float32, row 0 at
        the top, and labelled with ``c``.
    """
    array = _as_real_array(
        activations, "activations", "(height, width, n_channels) or (1, height, width, n_channels)"
    )
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
        for channel in chosen:
            if isinstance(channel, (bool, np.bool_)) or not isinstance(channel, (int, np.integer)):
                raise TypeError(f"channels must hold ints, got {channel!r}")
            if not 0 <= channel < n_channels:
                raise ValueError(
                    f"channels must be between 0 and {n_channels - 1} for maps of shape "
                    f"{array.shape}, got {channel}"
                )
        chosen = [int(channel) for channel in chosen]
    stack = np.ascontiguousarray(array[:, :, chosen].transpose(2, 0, 1), dtype=np.float32)
    count = len(chosen)
    if shared_scale:
        low, high = min(0.0, float(stack.min())), float(stack.max())
        low, high = [low] * count, [high if high > low else low + 1.0] * count
    else:
        low = [float(m.min()) for m in stack]
        high = [float(m.max()) if m.max() > m.min() else float(m.min()) + 1.0 for m in stack]
    return _heatmap_grid(
        stack,
        [str(channel) for channel in chosen],
        _check_count(n_cols, "n_cols"),
        _check_count(cell_size, "cell_size"),
        title,
        colorscale=_GREY_SCALE,
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
    stack = _as_image_stack(patches, name="patches").astype(np.float32)
    count = stack.shape[0]
    texts = None if labels is None else _check_labels(labels, count, "labels")
    box = _check_highlight(highlight, stack.shape[1:], "highlight")
    low, high = float(stack.min()), float(stack.max())
    high = high if high > low else low + 1.0
    fig = _heatmap_grid(
        stack,
        texts,
        _check_count(n_cols, "n_cols"),
        _check_count(cell_size, "cell_size"),
        title,
        colorscale=_GREY_SCALE,
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
                "line": {"color": _HIGHLIGHT, "width": 2},
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
    array = _as_real_array(kernel, "kernel", "(F_h, F_w, C_in, C_out)")
    if array.ndim != 4 or 0 in array.shape:
        raise ValueError(
            "kernel must be a Conv2D kernel of shape (F_h, F_w, C_in, C_out), "
            f"got shape {array.shape}"
        )
    norms = np.sqrt((array.astype(np.float64) ** 2).sum(axis=(0, 1))).astype(np.float32)
    if zmax is None:
        top = float(norms.max()) or 1.0
    else:
        if isinstance(zmax, bool) or not isinstance(zmax, (int, float, np.number)):
            raise TypeError(f"zmax must be a positive number, got {type(zmax).__name__} {zmax!r}")
        top = float(zmax)
        if not (math.isfinite(top) and top > 0):
            raise ValueError(f"zmax must be a positive number, got {zmax!r}")
    n_in, n_out = norms.shape
    fig = go.Figure(
        go.Heatmap(
            z=norms,
            colorscale=[[0.0, "white"], [1.0, "#08306b"]],
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
        width=int(min(max(12 * n_out + 160, 360), 1100)),
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
    ``label``, a right prediction is green; a wrong one is red, and the true
    class's bar green.

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
    array = _as_real_array(probabilities, "probabilities", "(n_classes,)")
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
        else _check_labels(class_names, n_classes, "class_names")
    )
    if label is not None:
        if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)):
            raise TypeError(f"label must be an int or None, got {type(label).__name__} {label!r}")
        if not 0 <= label < n_classes:
            raise ValueError(f"label must be between 0 and {n_classes - 1}, got {label}")
        label = int(label)
    predicted = int(values.argmax())
    colours = ["#9ecae1"] * n_classes
    if label is None:
        colours[predicted] = _HIGHLIGHT
    elif label == predicted:
        colours[predicted] = "#2ca02c"
    else:
        colours[predicted] = "#d62728"
        colours[label] = "#2ca02c"
    if title is None:
        title = f"predicted {names[predicted]} (probability {values[predicted]:.2f})"
        if label is not None:
            title += f", true {names[label]}"
    fig = go.Figure(
        go.Bar(
            x=names,
            y=values,
            marker=dict(color=colours),
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


# --- Lesson 08: 1-D signals (ECG5000 heartbeats) ---

_CLASS_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]


def signal_examples(
    signals: object,
    labels: object,
    class_names: object = None,
    per_class: int = 5,
    n_cols: int = 3,
    title: str | None = None,
) -> go.Figure:
    """A few example signals of each class, one panel per class, with the class mean.

    Lesson 08 looks at the ECG5000 heartbeats this way before modelling them.

    Parameters
    ----------
    signals : array_like of float, shape (n, length)
        One signal per row, for example one heartbeat of 140 samples.
    labels : array_like of int, shape (n,)
        The class of each signal, 0 to ``n_classes - 1``.
    class_names : sequence of str, optional
        The name of each class; its length sets ``n_classes``. By default
        ``n_classes`` is ``max(labels) + 1`` and the panels are titled by number.
    per_class : int, default 5
        How many signals of each class to draw: the first ones in the order of
        ``signals`` (all of them if the class has fewer).
    n_cols : int, default 3
        Panels per row.
    title : str, optional
        Title of the whole figure.

    Returns
    -------
    plotly.graph_objects.Figure
        One panel per class, in class order, titled ``"class i: name (n = count)"``
        with the number of signals of that class. Each panel holds one thin
        ``Scatter`` line per example, then one thick black line, the mean of
        *all* signals of the class (none for a class without signals). Every
        panel has the same y range, so the classes can be compared by eye.
    """
    array = _as_real_array(signals, "signals", "(n, length)").astype(np.float64)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"signals must have shape (n, length) with n, length >= 1, got {array.shape}"
        )
    classes = _as_labels(labels, "labels")
    if classes.size != array.shape[0]:
        raise ValueError(
            f"labels must have one entry per signal: got {classes.size} labels "
            f"for {array.shape[0]} signals"
        )
    if classes.min() < 0:
        raise ValueError(f"labels must be class numbers 0, 1, 2, ..., got {classes.min()}")
    if class_names is None:
        names = [""] * (int(classes.max()) + 1)
    else:
        if isinstance(class_names, str) or not isinstance(class_names, (list, tuple)):
            raise TypeError(
                f"class_names must be a list or tuple of str, got {type(class_names).__name__}"
            )
        names = [str(name) for name in class_names]
        if len(names) <= classes.max():
            raise ValueError(
                f"class_names must name every class 0 to {classes.max()}: got {len(names)} names"
            )
    per_class = _check_count(per_class, "per_class")
    n_cols = min(_check_count(n_cols, "n_cols"), len(names))
    n_rows = math.ceil(len(names) / n_cols)
    counts = np.bincount(classes, minlength=len(names))
    titles = [
        f"class {index}" + (f": {name}" if name else "") + f" (n = {counts[index]})"
        for index, name in enumerate(names)
    ]
    fig = make_subplots(
        rows=n_rows,
        cols=n_cols,
        subplot_titles=titles,
        horizontal_spacing=0.04,
        vertical_spacing=0.18 / n_rows,
    )
    samples = np.arange(array.shape[1])
    for index in range(len(names)):
        row, col = index // n_cols + 1, index % n_cols + 1
        members = np.flatnonzero(classes == index)
        colour = _CLASS_COLOURS[index % len(_CLASS_COLOURS)]
        for member in members[:per_class]:
            fig.add_trace(
                go.Scatter(
                    x=samples,
                    y=array[member],
                    mode="lines",
                    line=dict(color=colour, width=1),
                    opacity=0.6,
                    name=f"example {member}",
                    hovertemplate="sample %{x}: %{y:.2f}<extra>example " + f"{member}</extra>",
                ),
                row=row,
                col=col,
            )
        if members.size:
            fig.add_trace(
                go.Scatter(
                    x=samples,
                    y=array[members].mean(axis=0),
                    mode="lines",
                    line=dict(color="black", width=2.5),
                    name="class mean",
                    hovertemplate="sample %{x}: %{y:.2f}<extra>class mean</extra>",
                ),
                row=row,
                col=col,
            )
    low, high = float(array.min()), float(array.max())
    pad = 0.05 * (high - low or 1.0)
    fig.update_yaxes(range=[low - pad, high + pad])
    fig.update_xaxes(title_text="sample")
    fig.update_annotations(font_size=11)
    fig.update_layout(
        width=320 * n_cols,
        height=240 * n_rows + (70 if title else 40),
        title=title,
        showlegend=False,
        margin=dict(l=40, r=10, t=80 if title else 50, b=40),
    )
    return fig


_RUN_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def compare_training_curves(
    histories: object,
    metrics: object = ("loss",),
    title: str | None = None,
) -> go.Figure:
    """Several training runs on the same axes, one panel per metric, to compare them.

    Lesson 07 compares a network with and without dropout, batch
    normalisation or skip connections this way. Each run has its own colour;
    its training curve is solid and, where the history has one, its
    validation curve (``val_<metric>``) dashed.

    Parameters
    ----------
    histories : dict of str to keras.callbacks.History or dict
        The runs, named for the legend: what ``model.fit`` returns, or its
        ``.history`` dict of ``{metric: [value per epoch]}``.
    metrics : sequence of str, default ("loss",)
        The curves to draw, one panel each, for example ``("loss", "accuracy")``.
        Every history must have each of them.
    title : str, optional
        Title of the whole figure.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Scatter`` line per run, metric and (training, validation), in
        that order; epochs 1, 2, ... on the x axes. A line is named after its
        run, with " (training)" or " (validation)" added when the run has a
        validation curve.
    """
    if not isinstance(histories, dict) or not histories:
        raise TypeError(
            "histories must be a non-empty dict of name -> keras History (or its .history dict), "
            f"got {type(histories).__name__}"
        )
    if isinstance(metrics, str):
        metrics = (metrics,)
    if not isinstance(metrics, (list, tuple)) or not metrics:
        raise TypeError(f"metrics must be a non-empty tuple of str, got {metrics!r}")
    metrics = tuple(str(metric) for metric in metrics)
    records = {str(name): _history_dict(history) for name, history in histories.items()}
    for name, record in records.items():
        for metric in metrics:
            if metric not in record:
                raise ValueError(
                    f"history {name!r} has no {metric!r} curve; it has {sorted(record)}"
                )
    fig = make_subplots(rows=1, cols=len(metrics), subplot_titles=metrics)
    for index, (name, record) in enumerate(records.items()):
        colour = _RUN_COLOURS[index % len(_RUN_COLOURS)]
        for col, metric in enumerate(metrics, start=1):
            has_validation = f"val_{metric}" in record
            curves = [(metric, " (training)" if has_validation else "", "solid")]
            if has_validation:
                curves.append((f"val_{metric}", " (validation)", "dash"))
            for key, suffix, dash in curves:
                values = record[key]
                fig.add_trace(
                    go.Scatter(
                        x=list(range(1, len(values) + 1)),
                        y=values,
                        mode="lines+markers",
                        name=f"{name}{suffix}",
                        legendgroup=f"{name}{suffix}",
                        showlegend=col == 1,
                        line=dict(color=colour, dash=dash),
                        hovertemplate=f"epoch %{{x}}: {metric} %{{y:.4f}}<extra>{name}{suffix}"
                        "</extra>",
                    ),
                    row=1,
                    col=col,
                )
    fig.update_xaxes(title_text="epoch")
    fig.update_layout(
        width=max(640, 420 * len(metrics) + 220),
        height=400,
        title=title,
        margin=dict(t=80 if title else 40),
    )
    return fig
