"""Draw a digit and watch a ConvNet read it: :class:`DigitReader`.

The reader puts the drawing canvas (:class:`utils.widgets.canvas.DrawingCanvas`)
beside a live read-out: the 28 x 28 image the network sees (made by
:func:`utils.drawing.to_mnist`), its ten probabilities and the first feature
maps of each convolution layer. By default the network is the NumPy copy of
the course's ConvNet (:mod:`utils.numpy_convnet`), so that no TensorFlow is
imported and the first reading comes within a second or two of the kernel's
start; given a Keras model, such as the one a lesson has just trained, it reads
that one (:mod:`utils.widgets.network`).

The canvas cannot be drawn with keys; the reader's keyboard way in is its
"read a test digit" menu (:meth:`DigitReader.read_test_digit`), which reads
one of MNIST's test digits as a drawing is read. The canvas says so, under
its buttons and in its description for screen readers.
"""

from __future__ import annotations

import functools
import html
import time
from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from IPython.display import display

from utils._validate import integer
from utils.data import MNIST_FILE, MNIST_SHA256, MNIST_SIZE, verify_file
from utils.drawing import rasterize_strokes, to_mnist
from utils.numpy_convnet import load_numpy_convnet
from utils.plots import image_grid, probability_bar
from utils.plots.base import GREY_SCALE, heatmap_grid
from utils.widgets._a11y import AccessibleNames
from utils.widgets._output import show_figures
from utils.widgets.canvas import DrawingCanvas, as_strokes
from utils.widgets.network import ModelReader

LAYERS = ("conv_1", "conv_2", "conv_3")
"""The layers read from a ``net`` that has no ``layer_names``: the NumPy ConvNet's."""
N_MAPS = 8
"""How many channels of each layer the reader shows: the first ones."""
EMPTY_NOTE = "draw a digit"
READER_KEYBOARD_NOTE = (
    "The canvas cannot be drawn on with keys: with the keyboard, choose a digit "
    'in "read a test digit" below, and the network reads it as if you had drawn it.'
)
"""The same, in :class:`DigitReader`, which offers MNIST's test digits to read instead."""
CANVAS_CHOICE = "canvas"
"""The value of :attr:`DigitReader.test_digit` that reads the canvas, not a test digit."""


def _check_reading(reading: object, layer_names: Sequence[str]) -> dict:
    """What ``net.read`` returned, checked: the maps of each layer and 10 probabilities."""
    keys = (*layer_names, "probabilities")
    if not isinstance(reading, dict) or any(key not in reading for key in keys):
        raise ValueError(
            f"net.read must return a dict with the keys {', '.join(keys)}, got {reading!r:.80}"
        )
    for layer in layer_names:
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


@functools.cache
def first_test_digits() -> tuple[np.ndarray, np.ndarray]:
    """The first image of each digit 0-9 in MNIST's test set, and where each is in it.

    Read from the course's ``data/mnist.npz`` (checked as
    :func:`utils.data.load_mnist` checks it; only the test arrays are read),
    once per session.

    Returns
    -------
    images : numpy.ndarray, shape (10, 28, 28)
        ``images[d]`` is the first test image of the digit ``d``, floats in [0, 1].
    indices : numpy.ndarray of int, shape (10,)
        Its index in the test set, ``x_test`` of ``load_mnist()``.
    """
    path = verify_file(None, default_name=MNIST_FILE, sha256=MNIST_SHA256, size=MNIST_SIZE)
    with np.load(path, allow_pickle=False) as archive:
        images, labels = archive["x_test"], archive["y_test"]
    indices = np.array([np.flatnonzero(labels == digit)[0] for digit in range(10)])
    return (images[indices] / 255).astype(np.float32), indices


def _on_canvas(image28: np.ndarray, size: int) -> np.ndarray:
    """A 28 x 28 image enlarged to the canvas, ``size`` x ``size``, as if drawn on it."""
    rows = np.arange(size) * image28.shape[0] // size
    return image28[np.ix_(rows, rows)].astype(np.float64)


class DigitReader:
    """Draw a digit and watch the ConvNet read it: its input, its probabilities, its feature maps.

    Left, a :class:`DrawingCanvas`; right, updated when a stroke ends: a
    line that says the reading ("read as 7 (0.98)") and how the drawing was
    made into an MNIST digit, the 28 x 28 image the network sees beside its
    ten probabilities, and the first :data:`N_MAPS` feature maps of each
    convolutional layer, one row per layer named with its shape, each row on
    its own grey scale from ``min(0, smallest value)`` (black) to its largest
    value (white). An empty canvas says "draw a digit" and shows no figure.

    The canvas cannot be drawn with keys; the keyboard's way in is the menu
    under it, "read a test digit" (:attr:`test_digit`), which offers the
    first MNIST test image of each digit 0-9. Choosing one empties the canvas
    and reads that image exactly as a drawing is read: enlarged to the canvas
    (:attr:`image`), made into the network's input by
    :func:`utils.drawing.to_mnist`, and read. Drawing a stroke, or choosing
    "none: read the canvas", goes back to reading the canvas.

    Taught in notebooks/06_kernels_and_feature_maps.ipynb, section 6; lesson
    05 (section 9) shows the network it trained with it, and
    notebooks/demo_draw_a_digit.ipynb (``make demo``) is the reader alone.

    Parameters
    ----------
    model : keras.Model or object, optional
        The network. By default :func:`utils.numpy_convnet.load_numpy_convnet`,
        the course's pretrained ConvNet in NumPy (no TensorFlow). A Keras model
        as a lesson trains it (a grey 28 x 28 input and 10 outputs; see
        :class:`utils.widgets.network.ModelReader`) is read with Keras, with a
        row of maps for each of its convolutional layers. Any other object
        with a ``read(image28)`` method returning a dict of maps (height,
        width, channels) by layer name, the names in its ``layer_names``
        (else :data:`LAYERS`), and the 10 "probabilities" is read as it is.

    Raises
    ------
    utils.widgets.network.NotADigitReader
        For a model the reader cannot read (another input shape, not 10
        outputs, not built, not a model), saying why.

    Attributes
    ----------
    image : numpy.ndarray, shape (280, 280)
        The drawing rasterised (or the test digit enlarged to the canvas), floats in [0, 1].
    digit : numpy.ndarray, shape (28, 28), or None
        The network's input, ``to_mnist(image)``; None for an empty canvas.
    probabilities : numpy.ndarray, shape (10,), or None
        The network's output; ``prediction`` is its argmax (an int, or None).
    layer_names : list of str
        The layers whose maps are shown, one row each.
    model_note : str
        What the reader says about the network (logits read through a softmax,
        no convolutional layer, a border added).
    """

    def __init__(self, model: object = None) -> None:
        if model is None:
            model = load_numpy_convnet()
        elif not callable(getattr(model, "read", None)):
            model = ModelReader(model, who="DigitReader")  # a Keras model, or a clear refusal
        self.net = model
        self.layer_names = [str(name) for name in getattr(model, "layer_names", LAYERS)]
        self.model_note = str(getattr(model, "note", ""))
        self.canvas = DrawingCanvas(keyboard_note=READER_KEYBOARD_NOTE)
        self.test_digit = widgets.Dropdown(
            options=[("none: read the canvas", CANVAS_CHOICE)]
            + [(f"a {digit}", digit) for digit in range(10)],
            value=CANVAS_CHOICE,
            description="read a test digit",
            style={"description_width": "initial"},
            layout=widgets.Layout(width=f"{self.canvas.size}px"),
        ).add_class("course-reader-test-digit")
        self.test_index: int | None = None
        self._test_image: np.ndarray | None = None  # the test digit read, 28 x 28
        self._test_source = ""  # what the caption says it is
        self._quiet = False  # set while the reader moves the canvas or the menu itself
        self.caption = widgets.HTML().add_class("course-reader-summary").add_class("course-live")
        self.about = widgets.HTML(html.escape(self.model_note)).add_class("course-reader-note")
        self.about.layout.display = None if self.model_note else "none"
        self.input_output = widgets.Output().add_class("course-reader-input")
        self.probability_output = widgets.Output().add_class("course-reader-probabilities")
        self.maps_output = widgets.Output().add_class("course-reader-maps")
        right = widgets.VBox(
            [
                self.caption,
                self.about,
                widgets.HBox([self.input_output, self.probability_output]),
                self.maps_output,
            ],
            layout=widgets.Layout(min_width="0", flex="1 1 auto", margin="0 0 0 12px"),
        )
        left = widgets.VBox([self.canvas, self.test_digit], layout=widgets.Layout(flex="0 0 auto"))
        self.widget = widgets.HBox(
            [left, right, AccessibleNames()], layout=widgets.Layout(align_items="flex-start")
        ).add_class("course-reader")
        self.input_figure = _input_figure()
        self.maps_figure: go.Figure | None = None
        self.probability_figure: go.Figure | None = None
        self.reading: dict | None = None
        self.last_update_seconds = 0.0
        self.canvas.observe(self._on_strokes, names="strokes")
        self.test_digit.observe(self._on_test_digit, names="value")
        self.update()

    def _on_strokes(self, change: dict) -> None:
        if self._quiet:
            return
        self._forget_test_digit()  # a stroke drawn: the canvas is read again
        self.update()

    def _on_test_digit(self, change: dict) -> None:
        if self._quiet:
            return
        try:
            self._choose(change["new"])
        except (OSError, ValueError) as error:  # data/mnist.npz missing or damaged: say so
            self._forget_test_digit()
            self.summary = f"no test digit to read: {error}"
            self.caption.value = html.escape(self.summary)
            return
        self.update()

    def _forget_test_digit(self) -> None:
        """Read the canvas again: the menu back on "none", without a reading of its own."""
        self.test_index = self._test_image = None
        self._quiet = True
        try:
            self.test_digit.value = CANVAS_CHOICE
        finally:
            self._quiet = False

    def _choose(self, digit: object) -> None:
        """Take the test image of ``digit`` (or the canvas) as what to read, emptying the canvas."""
        if digit == CANVAS_CHOICE or digit is None:
            self.test_index = self._test_image = None
            return
        images, indices = first_test_digits()
        self._quiet = True
        try:
            self.canvas.clear()  # the canvas shows nothing that is not read
        finally:
            self._quiet = False
        self._test_image = images[digit]
        self.test_index = int(indices[digit])
        self._test_source = f"MNIST test digit {self.test_index} (a {digit}) · "

    def read_test_digit(self, digit: int | None) -> None:
        """Read the first MNIST test image of ``digit`` (0-9), as choosing it in the menu does.

        The canvas is emptied and the image read as a drawing is read (see the
        class's description). ``None`` reads the canvas again.

        Raises
        ------
        TypeError, ValueError
            If ``digit`` is not None or an int from 0 to 9.
        FileNotFoundError, ValueError
            If ``data/mnist.npz`` is missing or damaged (the message says how to restore it).
        """
        if digit is not None:
            digit = integer(digit, "digit", minimum=0, maximum=9)
        choice = CANVAS_CHOICE if digit is None else digit
        self._choose(choice)
        self._quiet = True
        try:
            self.test_digit.value = choice
        finally:
            self._quiet = False
        self.update()

    def update(self) -> None:
        """Read the canvas's drawing (or the test digit chosen) and redraw the read-out.

        A finished stroke, and a choice in "read a test digit", call this.
        """
        start = time.perf_counter()
        self.strokes = list(self.canvas.strokes)
        if self._test_image is None:
            source = ""
            self.image = rasterize_strokes(
                self.strokes, size=self.canvas.size, line_width=self.canvas.line_width
            )
        else:
            source = self._test_source
            self.image = _on_canvas(self._test_image, self.canvas.size)
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
        self.reading = _check_reading(self.net.read(self.digit), self.layer_names)
        self.probabilities = np.asarray(self.reading["probabilities"], dtype=np.float64)
        self.prediction = int(np.argmax(self.probabilities))
        confidence = self.probabilities[self.prediction]
        self.summary = f"read as {self.prediction} ({confidence:.2f}) · {source}{self.note}"
        self.input_figure.data[0].z = self.digit
        self.probability_figure = probability_bar(
            self.probabilities, title=f"read as {self.prediction} ({confidence:.2f})"
        )
        self.probability_figure.update_layout(
            width=320, height=230, margin=dict(l=50, r=10, t=40, b=40), title_font_size=14
        )
        maps = [np.asarray(self.reading[layer], dtype=np.float32) for layer in self.layer_names]
        if not maps:
            pass  # a network without convolutions: no maps to show
        elif self.maps_figure is None:
            self.maps_figure = _maps_figure(self.layer_names, maps)
        else:
            _refill_maps(self.maps_figure, maps)
        show_figures(self.input_output, self.input_figure)
        show_figures(self.probability_output, self.probability_figure)
        show_figures(self.maps_output, *([self.maps_figure] if maps else []))
        # The caption last: when the page shows the new reading, its figures have come.
        self.caption.value = (
            f"read as <b>{self.prediction}</b> ({confidence:.2f}) · "
            f"{html.escape(source + self.note)}"
        )
        self.last_update_seconds = time.perf_counter() - start

    def draw(self, strokes: object) -> None:
        """Replace the drawing with ``strokes`` (a list of lists of [x, y]), as if drawn by hand."""
        strokes = as_strokes(strokes, "strokes", self.canvas.size)
        self._forget_test_digit()
        if strokes == self.canvas.strokes:
            self.update()  # no change for the canvas to report
        else:
            self.canvas.strokes = strokes

    def clear(self) -> None:
        """Empty the canvas, as its "clear" button does (and read the canvas, not a test digit)."""
        if self.canvas.strokes:
            self.canvas.clear()  # the observer reads the empty canvas
        elif self._test_image is not None:
            self._forget_test_digit()
            self.update()

    @property
    def figures(self) -> tuple[go.Figure, ...]:
        """The figures on screen: input, probabilities and feature maps; none when empty.

        A network without convolutional layers has no feature-map figure.
        """
        if self.digit is None or self.probability_figure is None:
            return ()
        maps = (self.maps_figure,) if self.layer_names and self.maps_figure is not None else ()
        return self.input_figure, self.probability_figure, *maps

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


def _row_scales(maps: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[float], list[float]]:
    """The maps drawn, (height, width) each, row by row, and the grey scale of each.

    Each layer is a row of its first :data:`N_MAPS` channels (fewer if it has
    fewer), on its own grey scale; a shorter row is filled up with empty cells.
    """
    columns = max(min(N_MAPS, layer_maps.shape[-1]) for layer_maps in maps)
    stack, low, high = [], [], []
    for layer_maps in maps:
        shown = layer_maps[:, :, :N_MAPS]
        bottom, top = min(0.0, float(shown.min())), float(shown.max())
        top = top if top > bottom else bottom + 1.0
        for channel in range(columns):
            if channel < shown.shape[-1]:
                stack.append(np.ascontiguousarray(shown[:, :, channel]))
            else:
                stack.append(np.full((1, 1), np.nan, dtype=np.float32))  # an empty cell
            low.append(bottom)
            high.append(top)
    return stack, low, high


def _maps_figure(layer_names: Sequence[str], maps: Sequence[np.ndarray]) -> go.Figure:
    """The first channels of each layer, one row per layer named with its shape; 52-pixel cells."""
    stack, low, high = _row_scales(maps)
    columns = len(stack) // len(maps)
    labels, names, hovers = [], [], []
    for layer, layer_maps in zip(layer_names, maps, strict=True):
        height, width, channels = layer_maps.shape
        labels += [f"{layer} · {height} x {width} x {channels}"] + [""] * (columns - 1)
        for channel in range(columns):
            shown = channel < channels
            names.append(
                f"{layer} channel {channel}" if shown else f"{layer}: no channel {channel}"
            )
            hovers.append(
                f"{layer} channel {channel}, row %{{y}}, col %{{x}}: %{{z:.3g}}<extra></extra>"
                if shown
                else "<extra></extra>"
            )
    # heatmap_grid takes one (n, height, width) stack, and the layers' maps differ in
    # size: lay the grid out with 1 x 1 placeholders, then put each map in.
    figure = heatmap_grid(
        np.zeros((len(stack), 1, 1), dtype=np.float32),
        labels,
        columns,
        52,
        _maps_title(layer_names),
        colorscale=GREY_SCALE,
        zmin=low,
        zmax=high,
        hovertemplate=hovers,
        names=names,
    )
    figure.update_layout(title_font_size=13)
    for annotation in figure.layout.annotations:  # a row's name starts at its left edge
        annotation.update(x=0, xanchor="left")
    for trace, z in zip(figure.data, stack, strict=True):
        trace.z = z
    return figure


def _maps_title(layer_names: Sequence[str]) -> str:
    """The maps figure's title: the layers by name, or their number where the names are long."""
    title = f"feature maps of {', '.join(layer_names)} (first channels, up to {N_MAPS})"
    if len(title) > 72:  # wider than the figure
        title = f"feature maps of {len(layer_names)} layers (first channels, up to {N_MAPS})"
    return title


def _refill_maps(figure: go.Figure, maps: Sequence[np.ndarray]) -> None:
    """Put new maps into ``figure``, as :func:`_maps_figure` would draw them."""
    stack, low, high = _row_scales(maps)
    with figure.batch_update():
        for trace, z, bottom, top in zip(figure.data, stack, low, high, strict=True):
            trace.z = z
            trace.zmin, trace.zmax = bottom, top
