"""1-D signals: a few examples of each class with the class mean (lesson 08, ECG5000)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from utils._validate import integer, real_array
from utils.plots.base import COLUMN_WIDTH, LINE_COLOURS, class_labels


def _add_class_panel(
    fig: go.Figure,
    array: np.ndarray,
    members: np.ndarray,
    per_class: int,
    colour: str,
    place: tuple[int, int],
) -> None:
    """Panel ``place`` (0-based): the first ``per_class`` members thin, then the class mean."""
    samples = np.arange(array.shape[1])
    row, col = place[0] + 1, place[1] + 1
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


def _frame_panels(
    fig: go.Figure, array: np.ndarray, n_panels: int, grid: tuple[int, int], title: str | None
) -> None:
    """One y range for every panel, the x title on the lowest panel of each column, the size."""
    n_rows, n_cols = grid
    low, high = float(array.min()), float(array.max())
    pad = 0.05 * (high - low or 1.0)
    fig.update_yaxes(range=[low - pad, high + pad])
    for index in range(n_panels):
        if index + n_cols >= n_panels:  # the lowest panel of its column gets the axis title
            fig.update_xaxes(title_text="sample", row=index // n_cols + 1, col=index % n_cols + 1)
    fig.update_annotations(font_size=11)
    fig.update_layout(
        width=min(320 * n_cols, COLUMN_WIDTH),
        height=240 * n_rows + (70 if title else 40),
        title=title,
        showlegend=False,
        margin=dict(l=40, r=10, t=80 if title else 50, b=40),
    )


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
    array = real_array(signals, "signals").astype(np.float64)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"signals must have shape (n, length) with n, length >= 1, got {array.shape}"
        )
    classes = class_labels(labels, "labels")
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
    per_class = integer(per_class, "per_class", minimum=1)
    n_cols = min(integer(n_cols, "n_cols", minimum=1), len(names))
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
        vertical_spacing=0.3 / n_rows,
    )
    for index in range(len(names)):
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]  # each class has its own titled panel
        members = np.flatnonzero(classes == index)
        _add_class_panel(fig, array, members, per_class, colour, divmod(index, n_cols))
    _frame_panels(fig, array, len(names), (n_rows, n_cols), title)
    return fig
