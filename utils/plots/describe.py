"""A figure's text alternative, written from the figure's own data.

:func:`describe_figure` turns a plotly figure (a ``go.Figure`` or its JSON, as
stored in a notebook) into a few sentences for a reader who cannot see it: its
title, its panels and axes, and the key values of what it plots: where each
line starts and ends, the range of each heatmap, the highest bar. Nothing is
typed by hand, so the text stays true when the figure changes.

Where it is used:

* ``scripts/figure_images.py`` stores it beside each stored figure's image, as
  ``output.metadata["image/jpeg"]["alt"]``, the image's ``alt`` text wherever
  the image is shown (``make html``'s template, nbconvert's HTML);
* ``scripts/export_html.py`` makes it the accessible name of each interactive
  figure on the course's pages (a ``<figure>`` with a ``<figcaption>`` that
  screen readers read and the eye does not see);
* in JupyterLab, plotly's renderer gives a figure no accessible name (a screen
  reader reads only the texts plotly draws: title, axis titles, tick labels);
  ``print(describe_figure(fig))`` prints the description there.

Numbers are written to three significant digits.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np

from utils.figures import decode_typed_array

MAX_ITEMS = 6
"""At most this many lines, bar groups or heatmap groups are described one by one."""


def _plain(text: object) -> str:
    """A plotly text (which may hold ``<br>``, ``<b>`` and entities) as one plain line."""
    if text is None:
        return ""
    text = re.sub(r"<br\s*/?>", " ", str(text), flags=re.I)
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(html.unescape(text).split())


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "none"
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.3g}"


def _values(data: object) -> np.ndarray:
    """The numbers of a plotly data array: a list (``None`` as NaN) or a typed array."""
    typed = decode_typed_array(data, "typed array")
    if typed is not None:
        return typed.astype(np.float64)
    if data is None:
        return np.zeros(0)
    try:
        return np.array(data, dtype=np.float64)  # None becomes NaN
    except (TypeError, ValueError):
        return np.zeros(0)  # categories, not numbers


def _labels(data: object) -> list[str]:
    if data is None:
        return []
    if isinstance(data, dict):
        return [_number(value) for value in _values(data).ravel()]
    return [_plain(item) if isinstance(item, str) else _number(float(item)) for item in data]


def _title(layout: dict) -> str:
    title = layout.get("title")
    return _plain(title.get("text") if isinstance(title, dict) else title)


def _axis_title(layout: dict, axis: str) -> str:
    """The title of ``axis`` (``'x'``, ``'y2'``) from a layout (``xaxis``, ``yaxis2``)."""
    key = axis[0] + "axis" + axis[1:]
    settings = layout.get(key) or {}
    return _title(settings)


def _series(x: np.ndarray, y: np.ndarray, x_title: str) -> str:
    keep = np.isfinite(y)
    y = y[keep]
    x = x[keep] if x.shape == keep.shape else np.arange(1, keep.sum() + 1, dtype=np.float64)
    if y.size == 0:
        return "no values"
    unit = f"{x_title} " if x_title else "x = "
    first, last = y[0], y[-1]
    if y.size == 1:
        return f"one value, {_number(first)} at {unit}{_number(x[0])}"
    verb = "rises" if last > first else "falls" if last < first else "stays"
    text = (
        f"{verb} from {_number(first)} at {unit}{_number(x[0])} "
        f"to {_number(last)} at {unit}{_number(x[-1])}"
    )
    # The lowest and the highest value, where they are not already said as an end.
    ends = {_number(first), _number(last)}
    extremes = [
        f"{word} {_number(value)}"
        for word, value in (("lowest", y.min()), ("highest", y.max()))
        if _number(value) not in ends
    ]
    if extremes:
        text += f" ({', '.join(extremes)})"
    return text


def _panel(trace: dict, layout: dict) -> str:
    """The subplot title above a trace's axes (``make_subplots`` writes it as an annotation)."""
    x_axis = layout.get("xaxis" + str(trace.get("xaxis", "x"))[1:]) or {}
    y_axis = layout.get("yaxis" + str(trace.get("yaxis", "y"))[1:]) or {}
    x_domain, y_domain = x_axis.get("domain"), y_axis.get("domain")
    if not x_domain or not y_domain:
        return ""
    centre, top = (x_domain[0] + x_domain[1]) / 2, y_domain[1]
    for note in layout.get("annotations", []) or []:
        if not isinstance(note, dict) or note.get("xref") != "paper":
            continue
        x, y = note.get("x"), note.get("y")
        if isinstance(x, (int, float)) and isinstance(y, (int, float)):
            if abs(x - centre) < 0.01 and abs(y - top) < 0.05:
                return _plain(note.get("text"))
    return ""


def _scatter(trace: dict, layout: dict) -> str:
    name = _plain(trace.get("name")) or "a series"
    y = _values(trace.get("y")).ravel()
    x = _values(trace.get("x")).ravel()
    if y.size == 0:
        return f"{name}: no points"
    x_title = _axis_title(layout, trace.get("xaxis", "x"))
    y_title = _axis_title(layout, trace.get("yaxis", "y")) or _panel(trace, layout)
    what = f"{y_title} of {name}" if y_title else name
    mode = str(trace.get("mode", "lines"))
    if "lines" in mode:
        return f"{what} {_series(x, y, x_title)}"
    finite = y[np.isfinite(y)]
    if finite.size == 0:
        return f"points {what}: no values"
    return f"{finite.size} points {what} from {_number(finite.min())} to {_number(finite.max())}"


def _bar(trace: dict, layout: dict) -> str:
    values = _values(trace.get("y")).ravel()
    names = _labels(trace.get("x")) or [str(index) for index in range(values.size)]
    x_title = _axis_title(layout, trace.get("xaxis", "x")) or "bar"
    y_title = _axis_title(layout, trace.get("yaxis", "y")) or "value"
    if values.size == 0 or not np.isfinite(values).any():
        return "bars without values"
    top = int(np.nanargmax(values))
    text = (
        f"{values.size} bars of {y_title} by {x_title}, highest {names[top]} "
        f"at {_number(values[top])}"
    )
    if values.size <= 10:
        pairs = ", ".join(
            f"{name}: {_number(value)}" for name, value in zip(names, values, strict=False)
        )
        text += f" ({pairs})"
    return text


def _heatmaps(traces: list[dict]) -> list[str]:
    """Heatmaps grouped by size: how many, their size, their values' range.

    An empty cell of a grid (a heatmap of nothing but NaN) is not counted.
    """
    groups: dict[tuple[int, ...], list[np.ndarray]] = {}
    for trace in traces:
        z = _values(trace.get("z"))
        if z.size and not np.isfinite(z).any():
            continue
        groups.setdefault(z.shape, []).append(z)
    texts = []
    for shape, arrays in groups.items():
        size = " x ".join(str(side) for side in shape) if shape else "empty"
        values = np.concatenate([array.ravel() for array in arrays])
        finite = values[np.isfinite(values)]
        count = f"{len(arrays)} heatmaps" if len(arrays) > 1 else "a heatmap"
        span = (
            f", values from {_number(finite.min())} to {_number(finite.max())}"
            if finite.size
            else ""
        )
        texts.append(f"{count} of {size} cells{span}")
    return texts


def describe_figure(figure: object) -> str:
    """A text alternative for ``figure``: its title, panels, axes and key values.

    Parameters
    ----------
    figure : plotly.graph_objects.Figure or dict
        The figure, or its JSON (``{"data": [...], "layout": {...}}``) as a
        notebook stores it, typed arrays (``bdata``) included.

    Returns
    -------
    str
        Sentences that start with the figure's title (without one, with its
        panels' labels, "A figure of: the digit; Grad-CAM, resized", or else
        "An untitled figure"),
        e.g. "ConvNet, lecture recipe. Labels: loss, accuracy. Plotted: loss of
        training falls from 0.43 at epoch 1 to 0.0237 at epoch 6; ...".

    Raises
    ------
    TypeError
        If ``figure`` is neither a plotly figure nor a dict with ``data``.
    ValueError
        If a typed array of ``figure`` has a ``dtype`` plotly does not write.
    """
    if hasattr(figure, "to_plotly_json"):
        figure = figure.to_plotly_json()
    if not isinstance(figure, dict) or not isinstance(figure.get("data", []), (list, tuple)):
        raise TypeError(
            "figure must be a plotly Figure or its JSON dict with a 'data' list, "
            f"got {type(figure).__name__}"
        )
    layout = figure.get("layout") or {}
    traces = [trace for trace in figure.get("data", []) if isinstance(trace, dict)]
    title = _title(layout)
    panels = [
        _plain(note.get("text"))
        for note in layout.get("annotations", []) or []
        if isinstance(note, dict) and _plain(note.get("text"))
    ]
    more = f" and {len(panels) - 12} more" if len(panels) > 12 else ""
    if title:
        sentences = [f"{title}."]
        if panels:
            sentences.append(f"Labels: {', '.join(panels[:12])}{more}.")
    elif panels:  # no title: its panels' labels say what it is
        sentences = [f"A figure of: {'; '.join(panels[:12])}{more}."]
    else:
        sentences = ["An untitled figure."]
    parts: list[str] = []
    lines = [trace for trace in traces if trace.get("type", "scatter") in ("scatter", "scattergl")]
    bars = [trace for trace in traces if trace.get("type") == "bar"]
    heatmaps = [trace for trace in traces if trace.get("type") == "heatmap"]
    parts += [_scatter(trace, layout) for trace in lines[:MAX_ITEMS]]
    if len(lines) > MAX_ITEMS:
        parts.append(f"{len(lines) - MAX_ITEMS} more lines or point sets")
    parts += [_bar(trace, layout) for trace in bars[:MAX_ITEMS]]
    parts += _heatmaps(heatmaps)[:MAX_ITEMS]
    other = len(traces) - len(lines) - len(bars) - len(heatmaps)
    if other:
        parts.append(f"{other} other traces")
    if parts:
        sentences.append("Plotted: " + "; ".join(parts) + ".")
    else:
        sentences.append("Nothing is plotted.")
    return " ".join(sentences)
