"""The plumbing that several families of figures share.

The course renderer and the rules of the stored figures live in
:mod:`utils.figures` (:mod:`utils.plots` re-exports the renderer). The names
below are public to the modules of ``utils`` (the figure modules of this
package and :mod:`utils.widgets`), not to the notebooks, so :mod:`utils.plots`
does not re-export them:

* :func:`as_image_stack`, :func:`class_labels`, :func:`item_labels` and
  :func:`highlight_box` turn arguments into the form the figures draw, with
  the argument checks of :mod:`utils._validate`;
* :func:`format_number` writes a number in a cell as a student would;
* :func:`grid_layout` and :func:`heatmap_grid` build a grid of small heatmaps
  without ``make_subplots``, fast enough for a widget to redraw at once;
* :data:`HIGHLIGHT`, :data:`GREY_SCALE`, :data:`BLUE_SCALE`, :data:`LINE_COLOURS`,
  :data:`MARKER_SYMBOLS`, :data:`RIGHT`, :data:`WRONG`, :data:`DIVERGING_SCALE` and
  :data:`PALE_DIVERGING_SCALE` are the colours shared by several figures.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from utils._validate import integer, real_array

COLUMN_WIDTH = 840
"""Widest a figure may be, in pixels: the notebook column of a 1280-pixel-wide
JupyterLab window with the file browser open leaves 848 for an output
(``tests/browser/test_lab.py`` measures it); a wider figure scrolls sideways."""


# --- Colours shared by several figures ---

# Every colour below is told apart under the common colour-vision deficiencies, and no
# figure tells two things apart by colour alone (tests/test_colours.py checks both).
HIGHLIGHT = "#ff9900"  # the orange outline of a highlighted block, the predicted class
# Black to white in two stops: plotly's named "gray" scale writes out twelve for every trace.
GREY_SCALE = [[0.0, "#000000"], [1.0, "#ffffff"]]
# White at zero to dark blue: counts (confusion matrix) and norms (channel mixing).
BLUE_SCALE = [[0.0, "white"], [1.0, "#08306b"]]
# Lines and bars: Okabe and Ito's palette for colour-blind readers ("Color Universal
# Design", 2008), without its black (class means), its yellow (too light on white) and
# its sky blue (too close to the blue under tritanopia).
LINE_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00")
# With a colour, each line of a figure gets its own marker symbol: colour is never alone.
MARKER_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star")
RIGHT = LINE_COLOURS[0]  # blue: the true class, a right prediction, a window that fits
WRONG = LINE_COLOURS[1]  # vermillion: a wrong prediction, what does not fit
# Signed values (kernel weights, signed saliency): ColorBrewer's five-class PuOr, purple
# below zero and orange above, white at zero. Its two ends differ in lightness (CIE L*
# about 34 and 57), so the sign still shows in greyscale.
DIVERGING_SCALE = [
    [0.0, "#5e3c99"],
    [0.25, "#b2abd2"],
    [0.5, "#f7f7f7"],
    [0.75, "#fdb863"],
    [1.0, "#e66101"],
]
# The same scale, pale, under black numbers printed in the cells (small matrices).
PALE_DIVERGING_SCALE = [[0.0, "#b2abd2"], [0.5, "#ffffff"], [1.0, "#fdb863"]]


# --- Arguments turned into what the figures draw ---


def as_image_stack(images: object, name: str = "images") -> np.ndarray:
    """Return ``images`` as an array (n, height, width); raise a clear error otherwise."""
    array = real_array(images, name, booleans=False)
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]  # channels-last grey images, as a ConvNet takes them
    if array.ndim != 3:
        raise ValueError(
            f"{name} must have shape (n, height, width) or (n, height, width, 1), "
            f"got shape {array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one image, got shape {array.shape}")
    return array


def class_labels(labels: object, name: str) -> np.ndarray:
    """``labels`` as a 1-D int64 array of class numbers (any values; the caller checks them)."""
    if not isinstance(labels, (np.ndarray, list, tuple)):
        raise TypeError(f"{name} must be an array of integer labels, got {type(labels).__name__}")
    array = np.asarray(labels)
    if array.ndim != 1:
        raise ValueError(f"{name} must have shape (n,), got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must hold integers (class numbers), got dtype {array.dtype}")
    return array.astype(np.int64)


def item_labels(labels: object, count: int, name: str) -> list[str]:
    """``labels`` as ``count`` strings, one per drawn item (kernel, patch, class)."""
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
        raise TypeError(f"{name} must be a sequence of one label per item, got {labels!r}")
    texts = [str(label) for label in labels]  # type: ignore[union-attr]
    if len(texts) != count:
        raise ValueError(f"{name} must have one entry per item: got {len(texts)} for {count}")
    return texts


def highlight_box(
    highlight: object, shape: tuple[int, ...], name: str
) -> tuple[int, int, int, int] | None:
    """``highlight`` as ``(row, col, height, width)`` inside a 2-D ``shape``, or None."""
    if highlight is None:
        return None
    expected = f"{name} must be (row, col, height, width) or None, got {highlight!r}"
    if not isinstance(highlight, (tuple, list, np.ndarray)):
        raise TypeError(expected)
    if len(highlight) != 4:
        raise ValueError(expected)
    row, col, height, width = (
        integer(value, f"{name}[{index}]") for index, value in enumerate(highlight)
    )
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


def format_number(value: float) -> str:
    """A cell's number as a student would write it: ``5``, ``-1``, ``0.25``; blank for NaN."""
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3g}"


# --- A grid of small heatmaps, built without make_subplots ---


def grid_layout(
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


def heatmap_grid(
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
    """One heatmap per 2-D array of ``stack`` (n, h, w), in a grid built by :func:`grid_layout`."""
    layout, suffixes = grid_layout(
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
