"""How every widget of :mod:`utils.widgets` puts its figures on screen.

Plumbing shared by the widgets, not a lesson's API: :func:`show_figures` is
not re-exported from :mod:`utils.widgets`.
"""

from __future__ import annotations

import ipywidgets as widgets
import plotly.graph_objects as go

from utils.figures import CourseRenderer

_RENDERER = CourseRenderer()
"""Turns a figure into the MIME bundle the notebook stores, as the course's plotly renderer does."""


def show_figures(output: widgets.Output, *figures: go.Figure) -> None:
    """Replace what ``output`` shows with ``figures``.

    The figures go into the widget's ``outputs`` state directly rather than
    through ``with output: display(...)``: a redraw is then one state update
    (no flicker from clearing first), and nbval, which would take the displayed
    figure for an output of whatever cell moved the slider, sees nothing.
    """
    if not isinstance(output, widgets.Output):
        raise TypeError(
            f"output must be an ipywidgets Output, got {type(output).__name__} {output!r}"
        )
    for index, figure in enumerate(figures):
        if not isinstance(figure, go.Figure):
            raise TypeError(
                f"figures[{index}] must be a plotly Figure, got {type(figure).__name__}"
            )
    output.outputs = tuple(
        {
            "output_type": "display_data",
            "data": _RENDERER.to_mimebundle(figure.to_dict()),
            "metadata": {},
        }
        for figure in figures
    )
