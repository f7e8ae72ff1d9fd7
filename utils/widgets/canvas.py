"""The drawing canvas: draw a digit with the mouse, a pen or a finger.

:class:`DrawingCanvas` is the drawing surface, a small ``anywidget`` whose
JavaScript and CSS are the files ``canvas.js`` and ``canvas.css`` beside this
module (nothing is loaded from the network): white ink on black, one stroke
per press of the mouse button, pen or finger. Each finished stroke is sent to
Python, where ``strokes`` holds the drawing as canvas-pixel points.
:class:`utils.widgets.reader.DigitReader` puts it beside a live read-out of
the ConvNet.

The canvas cannot be drawn with keys: it says so, under its buttons and in its
description for screen readers (``keyboard_note``), where a widget that uses
it names its keyboard way in.
"""

from __future__ import annotations

import pathlib

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets

from utils._validate import integer, number, real_array
from utils.drawing import CANVAS_SIZE

LINE_WIDTH = 18.0
"""The ink's width in canvas pixels, the default of :func:`utils.drawing.rasterize_strokes`."""
KEYBOARD_NOTE = "The canvas cannot be drawn on with keys."
"""What the canvas says, under its buttons and to a screen reader, about the keyboard."""


def _stroke(points: object, name: str, size: int) -> list[list[float]]:
    """``points`` as a stroke: a non-empty list of [x, y] on the canvas, rounded to 0.1 px."""
    if isinstance(points, np.ndarray):
        array = real_array(points, name, booleans=False)
    elif isinstance(points, (list, tuple)):
        array = real_array(points, name, booleans=False) if len(points) else np.zeros((0, 2))
    else:
        raise TypeError(
            f"{name} must be a list of [x, y] points, got {type(points).__name__} {points!r}"
        )
    if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] == 0:
        raise ValueError(
            f"{name} must be a non-empty list of [x, y] points, shape (n, 2), "
            f"got shape {array.shape}"
        )
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite numbers, got {array[~np.isfinite(array)][0]!r}")
    if array.min() < 0 or array.max() > size:
        raise ValueError(
            f"{name} must lie on the canvas, coordinates between 0 and {size}, got values "
            f"from {array.min():g} to {array.max():g}"
        )
    return np.round(array, 1).tolist()


def as_strokes(strokes: object, name: str, size: int) -> list[list[list[float]]]:
    """``strokes`` as a list of strokes, each checked by :func:`_stroke`."""
    if not isinstance(strokes, (list, tuple)):
        raise TypeError(
            f"{name} must be a list of strokes (lists of [x, y] points), "
            f"got {type(strokes).__name__} {strokes!r}"
        )
    return [_stroke(points, f"{name}[{index}]", size) for index, points in enumerate(strokes)]


class DrawingCanvas(anywidget.AnyWidget):
    """A square canvas to draw on, white ink on black, with "undo" and "clear" buttons.

    Mouse, pen and finger all draw (pointer events). A stroke is drawn on the
    page as it goes; when it ends, its points are appended to ``strokes``, in
    canvas pixels (x to the right, y downwards, 0 to ``size``) rounded to
    0.1, which is what :func:`utils.drawing.rasterize_strokes` takes. Setting
    ``strokes`` from Python redraws the page. The JavaScript and CSS are
    ``canvas.js`` and ``canvas.css`` beside this module; nothing is loaded from
    the network.

    Parameters
    ----------
    size : int, default 280
        Side of the canvas in pixels (:data:`utils.drawing.CANVAS_SIZE`), from 28 to 1000.
    line_width : float, default 18.0
        Width of the ink in pixels, the default of ``rasterize_strokes``, so
        that the page shows what Python rasterises.
    keyboard_note : str, default :data:`KEYBOARD_NOTE`
        A line under the buttons, also the canvas's description for a screen
        reader (``aria-describedby``): the canvas cannot be drawn with keys,
        so say what to do instead.

    Attributes
    ----------
    strokes : list of list of [float, float]
        The drawing, one list of points per stroke, in the order drawn.
    keyboard_note : str
        The line under the buttons (CSS class ``course-canvas-note``).
    """

    # anywidget reads a path as the file's text (utils/widgets/canvas.js, canvas.css).
    _esm = pathlib.Path(__file__).with_name("canvas.js")
    _css = pathlib.Path(__file__).with_name("canvas.css")
    strokes = traitlets.List([]).tag(sync=True)
    size = traitlets.Int(CANVAS_SIZE).tag(sync=True)
    line_width = traitlets.Float(LINE_WIDTH).tag(sync=True)
    keyboard_note = traitlets.Unicode(KEYBOARD_NOTE).tag(sync=True)

    def __init__(
        self,
        size: int = CANVAS_SIZE,
        line_width: float = LINE_WIDTH,
        keyboard_note: str = KEYBOARD_NOTE,
    ) -> None:
        size = integer(size, "size", minimum=28, maximum=1000)
        line_width = number(line_width, "line_width")
        if not 0 < line_width <= size / 2:
            raise ValueError(
                f"line_width must be positive and at most half the size, {size / 2:g}, "
                f"got {line_width:g}"
            )
        if not isinstance(keyboard_note, str):
            raise TypeError(
                f"keyboard_note must be a str, got {type(keyboard_note).__name__} {keyboard_note!r}"
            )
        # Never shrunk by the row it sits in (Voila's page would lay the read-out over it).
        layout = widgets.Layout(flex="0 0 auto", min_width=f"{size}px")
        super().__init__(
            size=size, line_width=line_width, keyboard_note=keyboard_note, layout=layout
        )

    @traitlets.observe("size")
    def _match_min_width_to_size(self, change: dict) -> None:
        """A new ``size`` is also the layout's ``min_width``, as in ``__init__``."""
        self.layout.min_width = f"{change['new']}px"

    @traitlets.validate("strokes")
    def _valid_strokes(self, proposal: dict) -> list:
        return as_strokes(proposal["value"], "strokes", self.size)

    def add_stroke(self, points: object) -> None:
        """Append one stroke, as if drawn: ``points`` a list of [x, y] canvas pixels, shape (n, 2).

        A single point is a dot. Coordinates must lie between 0 and ``size``.
        """
        self.strokes = [*self.strokes, _stroke(points, "points", self.size)]

    def undo(self) -> None:
        """Remove the last stroke (nothing happens on an empty canvas)."""
        if self.strokes:
            self.strokes = self.strokes[:-1]

    def clear(self) -> None:
        """Remove every stroke."""
        if self.strokes:
            self.strokes = []
