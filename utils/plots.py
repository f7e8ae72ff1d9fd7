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
