"""Draw a digit with the mouse, a pen or a finger, and watch the ConvNet read it.

:class:`DrawingCanvas` is the drawing surface, a small ``anywidget`` whose
JavaScript is written out below (nothing is loaded from the network): white
ink on black, one stroke per press of the mouse button, pen or finger. Each
finished stroke is sent to Python, where ``strokes`` holds the drawing as
canvas-pixel points. :class:`DigitReader` puts the canvas beside a live
read-out: the 28 x 28 image the network sees (made by
:func:`utils.drawing.to_mnist`), its ten probabilities and the first feature
maps of each convolution layer, computed by the NumPy copy of the course's
ConvNet (:mod:`utils.numpy_convnet`), so that no TensorFlow is imported and
the first reading comes within a second or two of the kernel's start.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence

import anywidget
import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import traitlets
from IPython.display import display

from utils._validate import integer, number, real_array
from utils.drawing import CANVAS_SIZE, rasterize_strokes, to_mnist
from utils.numpy_convnet import load_numpy_convnet
from utils.plots import image_grid, probability_bar
from utils.plots._base import GREY_SCALE, heatmap_grid
from utils.widgets._output import show_figures

LINE_WIDTH = 18.0
"""The ink's width in canvas pixels, the default of :func:`utils.drawing.rasterize_strokes`."""
LAYERS = ("conv_1", "conv_2", "conv_3")
"""The layers whose feature maps the reader shows, one row each."""
N_MAPS = 8
"""How many channels of each layer the reader shows: the first ones."""
EMPTY_NOTE = "draw a digit"

_ESM = r"""
export default {
  render({ model, el }) {
    const wrap = document.createElement("div");
    wrap.className = "course-canvas-wrap";
    const canvas = document.createElement("canvas");
    canvas.className = "course-canvas";
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "drawing canvas: draw a digit");
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
    wrap.append(canvas, buttons);
    el.appendChild(wrap);

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
    resize();
    return () => {
      model.off("change:strokes", redraw);
      model.off("change:line_width", redraw);
      model.off("change:size", resize);
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


def _strokes(strokes: object, name: str, size: int) -> list[list[list[float]]]:
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

    Attributes
    ----------
    strokes : list of list of [float, float]
        The drawing, one list of points per stroke, in the order drawn.
    """

    _esm = _ESM
    _css = _CSS
    strokes = traitlets.List([]).tag(sync=True)
    size = traitlets.Int(CANVAS_SIZE).tag(sync=True)
    line_width = traitlets.Float(LINE_WIDTH).tag(sync=True)

    def __init__(self, size: int = CANVAS_SIZE, line_width: float = LINE_WIDTH) -> None:
        size = integer(size, "size", minimum=28, maximum=1000)
        line_width = number(line_width, "line_width")
        if not 0 < line_width <= size / 2:
            raise ValueError(
                f"line_width must be positive and at most half the size, {size / 2:g}, "
                f"got {line_width:g}"
            )
        # Never shrunk by the row it sits in (Voila's page would lay the read-out over it).
        layout = widgets.Layout(flex="0 0 auto", min_width=f"{size}px")
        super().__init__(size=size, line_width=line_width, layout=layout)

    @traitlets.observe("size")
    def _keep_room(self, change: dict) -> None:
        self.layout.min_width = f"{change['new']}px"

    @traitlets.validate("strokes")
    def _valid_strokes(self, proposal: dict) -> list:
        return _strokes(proposal["value"], "strokes", self.size)

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


def _check_reading(reading: object) -> dict:
    """What ``net.read`` returned, checked: the maps of :data:`LAYERS` and 10 probabilities."""
    keys = (*LAYERS, "probabilities")
    if not isinstance(reading, dict) or any(key not in reading for key in keys):
        raise ValueError(
            f"net.read must return a dict with the keys {', '.join(keys)}, got {reading!r:.80}"
        )
    for layer in LAYERS:
        maps = np.asarray(reading[layer])
        if maps.ndim != 3 or maps.shape[-1] < 1:
            raise ValueError(
                f"net.read(...)[{layer!r}] must have shape (height, width, channels), "
                f"got shape {maps.shape}"
            )
    if np.asarray(reading["probabilities"]).shape != (10,):
        raise ValueError(
            "net.read(...)['probabilities'] must have shape (10,), "
            f"got shape {np.asarray(reading['probabilities']).shape}"
        )
    return reading


class DigitReader:
    """Draw a digit and watch the ConvNet read it: its input, its probabilities, its feature maps.

    Left, a :class:`DrawingCanvas`; right, updated when a stroke ends: a
    line that says the reading ("read as 7 (0.98)") and how the drawing was
    made into an MNIST digit, the 28 x 28 image the network sees beside its
    ten probabilities, and the first :data:`N_MAPS` feature maps of conv_1,
    conv_2 and conv_3, one row per layer, each row on its own grey scale from
    ``min(0, smallest value)`` (black) to its largest value (white). An empty
    canvas says "draw a digit" and shows no figure.

    Parameters
    ----------
    net : object, optional
        The network: any object with a ``read(image28)`` method that returns a
        dict with the maps "conv_1", "conv_2", "conv_3" (height, width,
        channels) and the 10 "probabilities". By default
        :func:`utils.numpy_convnet.load_numpy_convnet`, the course's
        pretrained ConvNet in NumPy.

    Attributes
    ----------
    canvas : DrawingCanvas
        The drawing surface.
    caption : ipywidgets.HTML
        The reading in words (CSS class ``course-reader-summary``).
    input_output, probability_output, maps_output : ipywidgets.Output
        Where the figures are shown (CSS classes ``course-reader-input``,
        ``course-reader-probabilities`` and ``course-reader-maps``).
    strokes : list
        The strokes read last.
    image : numpy.ndarray, shape (280, 280)
        The drawing rasterised, floats in [0, 1].
    digit : numpy.ndarray, shape (28, 28), or None
        The network's input, or None for an empty canvas.
    note : str
        How the drawing became ``digit`` ("draw a digit" when empty).
    reading : dict or None
        What ``net.read(digit)`` returned.
    probabilities : numpy.ndarray, shape (10,), or None
        The network's output.
    prediction : int or None
        The digit read.
    summary : str
        The caption as plain text.
    input_figure, probability_figure, maps_figure : plotly.graph_objects.Figure
        The figures shown; ``probability_figure`` is None when the canvas is empty.
    last_update_seconds : float
        Python's time from the change of the strokes to the figures handed to the page.
    widget : ipywidgets.HBox
        The whole layout; the object displays as this widget.
    """

    def __init__(self, net: object = None) -> None:
        if net is None:
            net = load_numpy_convnet()
        elif not callable(getattr(net, "read", None)):
            raise TypeError(
                "net must have a read(image28) method, such as load_numpy_convnet()'s, "
                f"got {type(net).__name__}"
            )
        self.net = net
        self.canvas = DrawingCanvas()
        self.caption = widgets.HTML().add_class("course-reader-summary")
        self.input_output = widgets.Output().add_class("course-reader-input")
        self.probability_output = widgets.Output().add_class("course-reader-probabilities")
        self.maps_output = widgets.Output().add_class("course-reader-maps")
        right = widgets.VBox(
            [
                self.caption,
                widgets.HBox([self.input_output, self.probability_output]),
                self.maps_output,
            ],
            layout=widgets.Layout(min_width="0", flex="1 1 auto", margin="0 0 0 12px"),
        )
        self.widget = widgets.HBox(
            [self.canvas, right], layout=widgets.Layout(align_items="flex-start")
        ).add_class("course-reader")
        self.input_figure = _input_figure()
        self.maps_figure: go.Figure | None = None
        self.probability_figure: go.Figure | None = None
        self.reading: dict | None = None
        self.last_update_seconds = 0.0
        self.canvas.observe(self._on_strokes, names="strokes")
        self.update()

    def _on_strokes(self, change: dict) -> None:
        self.update()

    def update(self) -> None:
        """Read the canvas's drawing and redraw the read-out; a finished stroke calls this."""
        start = time.perf_counter()
        self.strokes = list(self.canvas.strokes)
        self.image = rasterize_strokes(
            self.strokes, size=self.canvas.size, line_width=self.canvas.line_width
        )
        self.digit, self.note = to_mnist(self.image)
        if self.digit is None:
            self.reading = self.probabilities = self.prediction = None
            self.probability_figure = None
            self.summary = self.note
            for output in (self.input_output, self.probability_output, self.maps_output):
                show_figures(output)
            self.caption.value = html.escape(self.note)
            self.last_update_seconds = time.perf_counter() - start
            return
        self.reading = _check_reading(self.net.read(self.digit))
        self.probabilities = np.asarray(self.reading["probabilities"], dtype=np.float64)
        self.prediction = int(np.argmax(self.probabilities))
        confidence = self.probabilities[self.prediction]
        self.summary = f"read as {self.prediction} ({confidence:.2f}) · {self.note}"
        self.input_figure.data[0].z = self.digit
        self.probability_figure = probability_bar(
            self.probabilities, title=f"read as {self.prediction} ({confidence:.2f})"
        )
        self.probability_figure.update_layout(
            width=320, height=230, margin=dict(l=50, r=10, t=40, b=40), title_font_size=14
        )
        maps = [np.asarray(self.reading[layer], dtype=np.float32) for layer in LAYERS]
        if self.maps_figure is None:
            self.maps_figure = _maps_figure(maps)
        else:
            _refill_maps(self.maps_figure, maps)
        show_figures(self.input_output, self.input_figure)
        show_figures(self.probability_output, self.probability_figure)
        show_figures(self.maps_output, self.maps_figure)
        # The caption last: when the page shows the new reading, its figures have come.
        self.caption.value = (
            f"read as <b>{self.prediction}</b> ({confidence:.2f}) · {html.escape(self.note)}"
        )
        self.last_update_seconds = time.perf_counter() - start

    def draw(self, strokes: object) -> None:
        """Replace the drawing with ``strokes`` (a list of lists of [x, y]), as if drawn by hand."""
        strokes = _strokes(strokes, "strokes", self.canvas.size)
        if strokes == self.canvas.strokes:
            self.update()  # no change for the canvas to report
        else:
            self.canvas.strokes = strokes

    def clear(self) -> None:
        """Empty the canvas, as its "clear" button does."""
        self.canvas.clear()

    @property
    def figures(self) -> tuple[go.Figure, ...]:
        """The figures on screen: input, probabilities and feature maps; none when empty."""
        if self.digit is None or self.maps_figure is None or self.probability_figure is None:
            return ()
        return self.input_figure, self.probability_figure, self.maps_figure

    def _ipython_display_(self) -> None:
        display(self.widget)


def _input_figure() -> go.Figure:
    """The 28 x 28 input on a fixed 0-1 grey scale, small, to be refilled."""
    figure = image_grid(np.zeros((1, 28, 28), dtype=np.float32), n_cols=1)
    figure.update_traces(zmin=0.0, zmax=1.0)
    figure.update_layout(
        width=190,
        height=230,
        margin=dict(l=10, r=10, t=40, b=30),
        title=dict(text="the network's input", font_size=14),
    )
    return figure


def _shown_count(maps: Sequence[np.ndarray]) -> int:
    """How many channels of each layer are drawn: :data:`N_MAPS`, or fewer if a layer has fewer."""
    return min(N_MAPS, *(layer_maps.shape[-1] for layer_maps in maps))


def _row_scales(maps: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[float], list[float]]:
    """The maps drawn, (height, width) each, layer by layer, and the grey scale of each."""
    count = _shown_count(maps)
    stack, low, high = [], [], []
    for layer_maps in maps:
        shown = layer_maps[:, :, :count]
        bottom, top = min(0.0, float(shown.min())), float(shown.max())
        top = top if top > bottom else bottom + 1.0
        for channel in range(count):
            stack.append(np.ascontiguousarray(shown[:, :, channel]))
            low.append(bottom)
            high.append(top)
    return stack, low, high


def _maps_figure(maps: Sequence[np.ndarray]) -> go.Figure:
    """The first channels of each layer, one row per layer, 52-pixel cells (464 px wide)."""
    stack, low, high = _row_scales(maps)
    count = _shown_count(maps)
    labels, names = [], []
    for layer in LAYERS:
        labels += [f"{layer}: 0", *(str(channel) for channel in range(1, count))]
        names += [f"{layer} channel {channel}" for channel in range(count)]
    sizes = ", ".join(
        f"{layer} {m.shape[0]} x {m.shape[1]}" for layer, m in zip(LAYERS, maps, strict=True)
    )
    # heatmap_grid takes one (n, height, width) stack, and the layers' maps differ in
    # size: lay the grid out with 1 x 1 placeholders, then put each map in.
    figure = heatmap_grid(
        np.zeros((len(stack), 1, 1), dtype=np.float32),
        labels,
        count,
        52,
        f"feature maps, channels 0-{count - 1}: {sizes}",
        colorscale=GREY_SCALE,
        zmin=low,
        zmax=high,
        hovertemplate=[
            f"{name}, row %{{y}}, col %{{x}}: %{{z:.3g}}<extra></extra>" for name in names
        ],
        names=names,
    )
    figure.update_layout(title_font_size=13)
    for trace, z in zip(figure.data, stack, strict=True):
        trace.z = z
    return figure


def _refill_maps(figure: go.Figure, maps: Sequence[np.ndarray]) -> None:
    """Put new maps into ``figure``, as :func:`_maps_figure` would draw them."""
    stack, low, high = _row_scales(maps)
    with figure.batch_update():
        for trace, z, bottom, top in zip(figure.data, stack, low, high, strict=True):
            trace.z = z
            trace.zmin, trace.zmax = bottom, top
