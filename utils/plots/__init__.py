"""Plotly figures used across the course.

Every function returns a :class:`plotly.graph_objects.Figure` and never shows
it: the notebook cell that calls it ends with the figure, and Jupyter draws it.
Import them from here (``from utils.plots import image_grid``); each lives in
the submodule of its family:

* :mod:`utils.plots.images`: :func:`image_grid` (digits on one grey scale),
  :func:`map_grid` (a few maps side by side, each on its own grey scale),
  :func:`saliency_grid` (digits above their saliency maps, one row per
  method; lesson 12);
* :mod:`utils.plots.matrices`: :func:`matrix_heatmaps` (small matrices with
  their numbers), :func:`output_size_figure` (lessons 01-02),
  :func:`connection_figure` (which input cells feed which output cell, with a
  dilation or transposed; lesson 10);
* :mod:`utils.plots.training`: :func:`training_curves`,
  :func:`compare_training_curves`, :func:`confusion_matrix`,
  :func:`misclassified_grid`, :func:`line_chart` (lessons 04, 05, 07);
* :mod:`utils.plots.layers`: :func:`kernel_grid`, :func:`layer_maps` (one
  layer's channels-last output), :func:`patch_grid`, :func:`channel_mixing`,
  :func:`probability_bar` (lesson 06);
* :mod:`utils.plots.signals`: :func:`signal_examples` (lesson 08);
* :mod:`utils.plots.describe`: :func:`describe_figure`, a figure's text
  alternative written from its data (stored beside each figure's image, and
  the figure's accessible name on the course's pages);
* :mod:`utils.plots.base`: the plumbing the families share (argument
  conversion, colours, the heatmap grid), which :mod:`utils.widgets` imports
  from there too.

Call :func:`use_course_renderer` once in a notebook's Setup cell. It and the
other rules of the stored figures (how a figure is stored, how nbval compares
it) live in :mod:`utils.figures`, whose docstring states them; this package
re-exports :func:`use_course_renderer`, :class:`CourseRenderer`,
:data:`RENDERER_NAME` and :data:`FIGURE_DIGITS`.
"""

from utils.figures import (
    FIGURE_DIGITS,
    RENDERER_NAME,
    CourseRenderer,
    use_course_renderer,
)
from utils.plots.describe import describe_figure
from utils.plots.images import image_grid, map_grid, saliency_grid
from utils.plots.layers import (
    channel_mixing,
    kernel_grid,
    layer_maps,
    patch_grid,
    probability_bar,
)
from utils.plots.matrices import connection_figure, matrix_heatmaps, output_size_figure
from utils.plots.signals import signal_examples
from utils.plots.training import (
    compare_training_curves,
    confusion_matrix,
    line_chart,
    misclassified_grid,
    training_curves,
)

__all__ = [
    "RENDERER_NAME",
    "FIGURE_DIGITS",
    "CourseRenderer",
    "use_course_renderer",
    "describe_figure",
    "image_grid",
    "map_grid",
    "saliency_grid",
    "matrix_heatmaps",
    "output_size_figure",
    "connection_figure",
    "training_curves",
    "confusion_matrix",
    "misclassified_grid",
    "line_chart",
    "compare_training_curves",
    "kernel_grid",
    "layer_maps",
    "patch_grid",
    "channel_mixing",
    "probability_bar",
    "signal_examples",
]
