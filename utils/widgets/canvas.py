"""The drawing canvas: draw a digit with the mouse, a pen or a finger.

:class:`DrawingCanvas` is the drawing surface, a small ``anywidget`` whose
JavaScript is written out below (nothing is loaded from the network): white
ink on black, one stroke per press of the mouse button, pen or finger. Each
finished stroke is sent to Python, where ``strokes`` holds the drawing as
canvas-pixel points. :class:`utils.widgets.reader.DigitReader` puts it beside
a live read-out of the ConvNet.

The canvas cannot be drawn with keys: it says so, under its buttons and in its
description for screen readers (``keyboard_note``), where a widget that uses
it names its keyboard way in.
"""

from __future__ import annotations

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


_ESM = r"""
export default {
  render({ model, el }) {
    const wrap = document.createElement("div");
    wrap.className = "course-canvas-wrap";
    const canvas = document.createElement("canvas");
    canvas.className = "course-canvas";
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label",
                        "drawing canvas: draw a digit with the mouse, a pen or a finger");
    // What to do without a pointer: shown under the buttons, and the canvas's description.
    const note = document.createElement("p");
    note.className = "course-canvas-note";
    note.id = `course-canvas-note-${Math.random().toString(36).slice(2)}`;
    canvas.setAttribute("aria-describedby", note.id);
    const ctx = canvas.getContext("2d");
    const buttons = document.createElement("div");
    buttons.className = "course-canvas-buttons";
    const button = (label, name, title) => {
      const node = document.createElement("button");
      node.type = "button";
      node.textContent = label;
      node.title = title;
      node.className = `jupyter-button widget-button ${name}`;
      buttons.appendChild(node);
      return node;
    };
    const undo = button("undo", "course-canvas-undo", "remove the last stroke");
    const clear = button("clear", "course-canvas-clear", "remove every stroke");
    wrap.append(canvas, buttons, note);
    el.appendChild(wrap);
    function describe() {
      note.textContent = model.get("keyboard_note");
      note.style.maxWidth = `${size()}px`;
    }

    let current = null;  // the stroke being drawn, [[x, y], ...] in canvas pixels
    let pointer = null;  // the id of the pointer drawing it
    const size = () => model.get("size");

    function ink() {
      const width = model.get("line_width");
      ctx.strokeStyle = "#ffffff";
      ctx.fillStyle = "#ffffff";
      ctx.lineWidth = width;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      return width;
    }
    function dot([x, y]) {
      const width = ink();
      ctx.beginPath();
      ctx.arc(x, y, width / 2, 0, 2 * Math.PI);
      ctx.fill();
    }
    function paint(stroke) {
      if (!stroke.length) return;
      if (stroke.length === 1) return dot(stroke[0]);
      ink();
      ctx.beginPath();
      ctx.moveTo(stroke[0][0], stroke[0][1]);
      for (const [x, y] of stroke.slice(1)) ctx.lineTo(x, y);
      ctx.stroke();
    }
    function redraw() {
      ctx.fillStyle = "#000000";
      ctx.fillRect(0, 0, size(), size());
      const strokes = model.get("strokes");
      for (const stroke of strokes) paint(stroke);
      if (current) paint(current);
      undo.disabled = clear.disabled = strokes.length === 0;
    }
    function resize() {
      const side = size();
      const ratio = window.devicePixelRatio || 1;  // a sharp line on a high-density screen
      canvas.width = Math.round(side * ratio);
      canvas.height = Math.round(side * ratio);
      canvas.style.width = `${side}px`;
      canvas.style.height = `${side}px`;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      redraw();
    }
    // Canvas pixels, whatever size the page shows the canvas at, rounded to 0.1.
    function point(event) {
      const rect = canvas.getBoundingClientRect();
      const side = size();
      const scale = (offset, extent) =>
        Math.round(10 * Math.min(side, Math.max(0, (offset * side) / extent))) / 10;
      return [scale(event.clientX - rect.left, rect.width),
              scale(event.clientY - rect.top, rect.height)];
    }

    function start(event) {
      if (pointer !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
      event.preventDefault();
      pointer = event.pointerId;
      try {
        canvas.setPointerCapture(event.pointerId);  // keep the stroke when it leaves the canvas
      } catch (error) {}  // a pointer the browser no longer tracks: draw without capture
      current = [point(event)];
      dot(current[0]);
    }
    function move(event) {
      if (event.pointerId !== pointer || !current) return;
      event.preventDefault();
      const coalesced = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      ink();
      for (const each of coalesced.length ? coalesced : [event]) {
        const next = point(each);
        const last = current[current.length - 1];
        if (Math.hypot(next[0] - last[0], next[1] - last[1]) < 0.5) continue;
        ctx.beginPath();
        ctx.moveTo(last[0], last[1]);
        ctx.lineTo(next[0], next[1]);
        ctx.stroke();
        current.push(next);
      }
    }
    function finish(event) {
      if (event.pointerId !== pointer || !current) return;
      const stroke = current;
      current = null;
      pointer = null;
      if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
      model.set("strokes", [...model.get("strokes"), stroke]);
      model.save_changes();
    }
    function setStrokes(strokes) {
      model.set("strokes", strokes);
      model.save_changes();
    }

    canvas.addEventListener("pointerdown", start);
    canvas.addEventListener("pointermove", move);
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    canvas.addEventListener("lostpointercapture", finish);
    undo.addEventListener("click", () => setStrokes(model.get("strokes").slice(0, -1)));
    clear.addEventListener("click", () => setStrokes([]));
    model.on("change:strokes", redraw);
    model.on("change:line_width", redraw);
    model.on("change:size", resize);
    model.on("change:size", describe);
    model.on("change:keyboard_note", describe);
    resize();
    describe();
    return () => {
      model.off("change:strokes", redraw);
      model.off("change:line_width", redraw);
      model.off("change:size", resize);
      model.off("change:size", describe);
      model.off("change:keyboard_note", describe);
    };
  },
};
"""

_CSS = """
.course-canvas-wrap { display: inline-flex; flex-direction: column; gap: 6px; }
.course-canvas {
  display: block; background: #000000; border-radius: 4px; box-shadow: 0 0 0 1px #888888;
  touch-action: none; cursor: crosshair; user-select: none; -webkit-user-select: none;
}
.course-canvas-buttons { display: flex; gap: 6px; }
.course-canvas-buttons button { width: auto; min-width: 64px; }
.course-canvas-note { margin: 0; font-size: 12px; line-height: 1.4; color: inherit; }
"""


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
    ``strokes`` from Python redraws the page. The JavaScript is part of this
    module; nothing is loaded from the network.

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

    _esm = _ESM
    _css = _CSS
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
    def _keep_room(self, change: dict) -> None:
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
