"""How a training run went, and what the network gets wrong (lessons 04, 05, 07).

:func:`training_curves` and :func:`compare_training_curves` draw Keras
histories; :func:`confusion_matrix` and :func:`misclassified_grid` show the
errors on the test set; :func:`line_chart` draws any few named curves.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from utils._validate import integer, real_array, text
from utils.plots.base import (
    BLUE_SCALE,
    COLUMN_WIDTH,
    LINE_COLOURS,
    MARKER_SYMBOLS,
    as_image_stack,
    class_labels,
)
from utils.plots.images import image_grid

_DASHES = ("solid", "dash", "dot", "dashdot", "longdash")


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
    # Validation differs from training in colour, dash and marker: never colour alone.
    styles = {
        "training": dict(color=LINE_COLOURS[0], dash="solid", symbol=MARKER_SYMBOLS[0]),
        "validation": dict(color=LINE_COLOURS[1], dash="dash", symbol=MARKER_SYMBOLS[1]),
    }
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
                    line=dict(color=styles[name]["color"], dash=styles[name]["dash"]),
                    marker=dict(symbol=styles[name]["symbol"]),
                    hovertemplate=f"epoch %{{x}}: {metric} %{{y:.4f}}<extra>{name}</extra>",
                ),
                row=1,
                col=col,
            )
            in_legend.add(name)
    fig.update_xaxes(title_text="epoch", dtick=1 if len(record["loss"]) <= 20 else None)
    fig.update_layout(
        width=COLUMN_WIDTH, height=380, title=title, margin=dict(t=80 if title else 40)
    )
    return fig


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
    true = class_labels(y_true, "y_true")
    pred = class_labels(y_pred, "y_pred")
    if true.shape != pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same length, got {true.shape[0]} and {pred.shape[0]}"
        )
    n_classes = integer(n_classes, "n_classes", minimum=2)
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
            colorscale=BLUE_SCALE,
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
    stack = as_image_stack(images)
    true = class_labels(y_true, "y_true")
    pred = class_labels(y_pred, "y_pred")
    if not (stack.shape[0] == true.shape[0] == pred.shape[0]):
        raise ValueError(
            f"images, y_true and y_pred must have the same length, got {stack.shape[0]}, "
            f"{true.shape[0]} and {pred.shape[0]}"
        )
    max_images = integer(max_images, "max_images", minimum=1)
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
    xs = real_array(x, "x").astype(float)
    if xs.ndim != 1 or xs.size == 0:
        raise ValueError(f"x must be a non-empty 1-D array, got shape {xs.shape}")
    if not isinstance(series, dict):
        raise TypeError(
            f"series must be a non-empty dict of name -> values, got {type(series).__name__}"
        )
    if not series:
        raise ValueError("series must be a non-empty dict of name -> values, got an empty dict")
    fig = go.Figure()
    for index, (name, values) in enumerate(series.items()):
        ys = real_array(values, f"series {name!r}").astype(float)
        if ys.shape != xs.shape:
            raise ValueError(
                f"series {name!r} must have shape {xs.shape} like x, got shape {ys.shape}"
            )
        # Each series differs in colour, marker and dash: never in colour alone.
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                name=str(name),
                line=dict(
                    color=LINE_COLOURS[index % len(LINE_COLOURS)],
                    dash=_DASHES[index % len(_DASHES)],
                ),
                marker=dict(symbol=MARKER_SYMBOLS[index % len(MARKER_SYMBOLS)]),
            )
        )
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, width=640, height=400)
    return fig


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
    expected = "histories must be a non-empty dict of name -> keras History (or its .history dict)"
    if not isinstance(histories, dict):
        raise TypeError(f"{expected}, got {type(histories).__name__}")
    if not histories:
        raise ValueError(f"{expected}, got an empty dict")
    if isinstance(metrics, str):
        metrics = (metrics,)
    if not isinstance(metrics, (list, tuple)):
        raise TypeError(f"metrics must be a non-empty tuple of str, got {metrics!r}")
    if not metrics:
        raise ValueError(f"metrics must be a non-empty tuple of str, got {metrics!r}")
    metrics = tuple(text(metric, f"metrics[{index}]") for index, metric in enumerate(metrics))
    records = {str(name): _history_dict(history) for name, history in histories.items()}
    for name, record in records.items():
        for metric in metrics:
            if metric not in record:
                raise ValueError(
                    f"history {name!r} has no {metric!r} curve; it has {sorted(record)}"
                )
    fig = make_subplots(rows=1, cols=len(metrics), subplot_titles=metrics)
    for index, (name, record) in enumerate(records.items()):
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        symbol = MARKER_SYMBOLS[index % len(MARKER_SYMBOLS)]
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
                        marker=dict(symbol=symbol),
                        hovertemplate=f"epoch %{{x}}: {metric} %{{y:.4f}}<extra>{name}{suffix}"
                        "</extra>",
                    ),
                    row=1,
                    col=col,
                )
    fig.update_xaxes(title_text="epoch")
    fig.update_layout(
        width=min(max(640, 420 * len(metrics)), COLUMN_WIDTH),
        height=460,
        title=title,
        margin=dict(t=80 if title else 40, b=110),
        legend=dict(orientation="h", x=0, y=-0.2, yanchor="top"),
    )
    return fig
