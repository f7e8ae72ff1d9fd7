"""Interactive widgets for the notebooks, built so that a test can drive them.

Each widget is a small class that holds its controls and the figure it shows
as attributes. A test (or an instructor's script) sets a control's ``value``
and reads the figure back, with no browser involved; in JupyterLab the same
object displays itself as an ipywidgets layout.
"""

from __future__ import annotations

import time

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from IPython.display import display

from utils.conv import cross_correlate2d, pad
from utils.plots import (
    CourseRenderer,
    _as_image_stack,
    activation_maps,
    image_grid,
    matrix_heatmaps,
    output_size_figure,
    probability_bar,
)

_RENDERER = CourseRenderer()


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


class DigitBrowser:
    """Browse a set of grey images with a slider, showing each with its label.

    Parameters
    ----------
    images : array_like, shape (n, height, width)
        The images to browse, for example ``x_train`` from ``load_mnist()``.
    labels : array_like, shape (n,)
        One label per image.
    description : str, default "image"
        What an image is called in the caption ("training image 3: label 1").

    Attributes
    ----------
    slider : ipywidgets.IntSlider
        Selects the image; set ``slider.value`` to move it.
    caption : ipywidgets.HTML
        Says which image is shown and its label.
    figure : plotly.graph_objects.Figure
        The figure currently shown (one heatmap of the selected image).
    widget : ipywidgets.VBox
        The whole layout; the object displays as this widget.
    """

    def __init__(self, images: object, labels: object, description: str = "image") -> None:
        self.images = _as_image_stack(images)
        self.labels = np.asarray(labels).reshape(-1)
        if self.labels.shape[0] != self.images.shape[0]:
            raise ValueError(
                f"labels must have one entry per image: got {self.labels.shape[0]} labels "
                f"for {self.images.shape[0]} images"
            )
        self.description = description
        self.slider = widgets.IntSlider(
            value=0,
            min=0,
            max=self.images.shape[0] - 1,
            description="index",
            continuous_update=True,
        )
        self.caption = widgets.HTML()
        self.output = widgets.Output()
        self.figure: go.Figure = go.Figure()
        self.widget = widgets.VBox([self.slider, self.caption, self.output])
        self.slider.observe(self._on_change, names="value")
        self._show(0)

    def _show(self, index: int) -> None:
        label = self.labels[index]
        self.caption.value = f"<b>{self.description} {index}</b>: label <b>{label}</b>"
        self.figure = image_grid(self.images[index : index + 1], n_cols=1)
        self.figure.update_layout(width=220, height=220, margin=dict(l=10, r=10, t=10, b=10))
        show_figures(self.output, self.figure)

    def _on_change(self, change: dict) -> None:
        self._show(int(change["new"]))

    def _ipython_display_(self) -> None:
        display(self.widget)


# --- Lessons 01 and 02: the sliding-window stepper and the output-size calculator ---


class ConvolutionStepper:
    """Walk a cross-correlation one output cell at a time, for a projector.

    For each step the figure shows the padded input with the current window
    outlined, the kernel, the element-wise products of window and kernel, and
    the output filled in up to this cell; the caption writes out the sum.

    Taught in notebooks/01_convolution_math.ipynb, section 4.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (F, F)
    padding : int, default 1
        Zeros on every side.
    stride : int, default 1
    interval_ms : int, default 1500
        Time between two steps when the play button runs.

    Attributes
    ----------
    slider : ipywidgets.IntSlider
        The step, 0 to ``n_steps - 1``, row by row through the output.
    play : ipywidgets.Play
        Steps the slider automatically (linked to it in the browser).
    caption : ipywidgets.HTML
        The step's sum written out, in large type.
    padded, result : numpy.ndarray
        The padded input and the complete output.
    position : tuple of int
        ``(row, col)`` of the output cell at the current step.
    products : numpy.ndarray, shape (F, F)
        Window times kernel at the current step.
    partial : numpy.ndarray
        The output so far: computed cells, NaN for those still to come.
    figure : plotly.graph_objects.Figure
        The four panels currently shown.
    """

    def __init__(
        self,
        image: object,
        kernel: object,
        padding: int = 1,
        stride: int = 1,
        interval_ms: int = 1500,
    ) -> None:
        self.result = cross_correlate2d(image, kernel, stride=stride, padding=padding)
        self.padded = pad(np.asarray(image, dtype=np.float64), padding)
        self.kernel = np.asarray(kernel, dtype=np.float64)
        self.stride = stride
        n_rows, n_cols = self.result.shape
        self.n_steps = n_rows * n_cols
        self.slider = widgets.IntSlider(
            value=0,
            min=0,
            max=self.n_steps - 1,
            description="step",
            continuous_update=True,
            layout=widgets.Layout(width="420px"),
        )
        self.play = widgets.Play(
            value=0, min=0, max=self.n_steps - 1, interval=int(interval_ms), description="play"
        )
        self.link = widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.caption = widgets.HTML()
        self.output = widgets.Output()
        self.figure: go.Figure = go.Figure()
        self.widget = widgets.VBox(
            [widgets.HBox([self.play, self.slider]), self.caption, self.output]
        )
        self.slider.observe(self._on_change, names="value")
        self.show(0)

    def show(self, step: int) -> None:
        """Draw step ``step`` (0-based, row by row); the slider calls this."""
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
            raise TypeError(f"step must be an int, got {type(step).__name__} {step!r}")
        if not 0 <= step < self.n_steps:
            raise ValueError(f"step must be in 0..{self.n_steps - 1}, got {step}")
        n_cols = self.result.shape[1]
        row, col = divmod(int(step), n_cols)
        size_h, size_w = self.kernel.shape
        top, left = row * self.stride, col * self.stride
        window = self.padded[top : top + size_h, left : left + size_w]
        self.step = int(step)
        self.position = (row, col)
        self.products = window * self.kernel
        self.total = float(self.products.sum())
        partial = np.full(self.result.shape, np.nan)
        partial.reshape(-1)[: step + 1] = self.result.reshape(-1)[: step + 1]
        self.partial = partial
        self.figure = matrix_heatmaps(
            [self.padded, self.kernel, self.products, partial],
            titles=["padded input", "kernel", "window × kernel", "output"],
            highlights=[(top, left, size_h, size_w), None, None, (row, col, 1, 1)],
            cell_size=34,
            font_size=17,
        )
        terms = " + ".join(
            f"({_fmt(a)})({_fmt(b)})"
            for a, b in zip(window.reshape(-1), self.kernel.reshape(-1), strict=True)
        )
        self.caption.value = (
            f'<div style="font-size:22px; line-height:1.5">'
            f"<b>output[{row}, {col}]</b> = {terms} = <b>{_fmt(self.total)}</b></div>"
        )
        show_figures(self.output, self.figure)

    def _on_change(self, change: dict) -> None:
        self.show(int(change["new"]))

    def _ipython_display_(self) -> None:
        display(self.widget)


def _fmt(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.3g}"


class OutputSizeCalculator:
    """Sliders for W, F, P and S that draw the filter positions and give the output size.

    Taught in notebooks/02_padding_and_stride.ipynb, section 5.

    Parameters
    ----------
    width, kernel_size, padding, stride : int
        The starting values of the four sliders.

    Attributes
    ----------
    width, kernel_size, padding, stride : ipywidgets.IntSlider
        The controls; set ``.value`` to move one.
    size : int or None
        The output size for the current setting, None when it is invalid.
    message : ipywidgets.HTML
        The formula with the numbers in, and a note when the division is not
        exact or the setting is invalid.
    figure : plotly.graph_objects.Figure
        The padded input with the filter positions (see ``output_size_figure``).
    """

    def __init__(
        self, width: int = 7, kernel_size: int = 3, padding: int = 0, stride: int = 1
    ) -> None:
        def slider(description: str, value: int, low: int, high: int) -> widgets.IntSlider:
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{description} must be an int, got {value!r}")
            if not low <= value <= high:
                raise ValueError(f"{description} must be in {low}..{high}, got {value}")
            return widgets.IntSlider(value=int(value), min=low, max=high, description=description)

        self.width = slider("width", width, 1, 16)
        self.kernel_size = slider("kernel_size", kernel_size, 1, 9)
        self.padding = slider("padding", padding, 0, 4)
        self.stride = slider("stride", stride, 1, 5)
        self.message = widgets.HTML()
        self.output = widgets.Output()
        self.figure: go.Figure = go.Figure()
        self.size: int | None = None
        controls = widgets.VBox([self.width, self.kernel_size, self.padding, self.stride])
        self.widget = widgets.VBox([controls, self.message, self.output])
        for control in (self.width, self.kernel_size, self.padding, self.stride):
            control.observe(self._on_change, names="value")
        self.update()

    def update(self) -> None:
        """Recompute the size and redraw for the sliders' current values."""
        W, F, P, S = (
            self.width.value,
            self.kernel_size.value,
            self.padding.value,
            self.stride.value,
        )
        span = W - F + 2 * P
        if span < 0:
            self.size = None
            text = (
                f"<b>Invalid:</b> the {F}x{F} filter does not fit in the padded input: "
                f"W + 2P = {W} + {2 * P} = {W + 2 * P} is smaller than F = {F}. "
                "Use a smaller filter or more padding."
            )
        else:
            self.size = span // S + 1
            text = (
                f"output size = floor((W − F + 2P) / S) + 1 = floor(({W} − {F} + {2 * P}) / {S})"
                f" + 1 = floor({_fmt(span / S)}) + 1 = <b>{self.size}</b>"
            )
            if span % S:
                text += (
                    f"<br>⚠️ ({span}) / {S} is not a whole number: the last {span % S} "
                    f"row(s) and column(s) of the padded input are never covered "
                    "by the filter (shaded red), so they are ignored."
                )
            if P >= F:
                text += f"<br>⚠️ padding {P} ≥ filter size {F}: the corner positions see only zeros."
        self.message.value = f'<div style="font-size:18px">{text}</div>'
        self.figure = output_size_figure(W, F, P, S)
        show_figures(self.output, self.figure)

    def _on_change(self, change: dict) -> None:
        self.update()

    def _ipython_display_(self) -> None:
        display(self.widget)


# --- Lesson 06: the feature-map explorer ---

ERASE_REGIONS: dict[str, tuple[float, float, float, float] | None] = {
    "nothing": None,
    "top half": (0.0, 0.5, 0.0, 1.0),
    "bottom half": (0.5, 1.0, 0.0, 1.0),
    "left half": (0.0, 1.0, 0.0, 0.5),
    "right half": (0.0, 1.0, 0.5, 1.0),
    "centre": (1 / 3, 2 / 3, 1 / 3, 2 / 3),
}
"""The parts of the image the explorer can erase: (top, bottom, left, right) as fractions."""


def _as_2d_image(image: object) -> np.ndarray:
    array = np.asarray(image)
    if array.ndim != 2 or array.size == 0 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(
            f"image must be a non-empty 2-D array of numbers (height, width), "
            f"got shape {array.shape} and dtype {array.dtype}"
        )
    return array


def shift_image(image: np.ndarray, down: int = 0, right: int = 0) -> np.ndarray:
    """Move a 2-D image ``down`` rows and ``right`` columns (negative: up, left), filling with 0.

    Pixels pushed over the edge are lost, as when a digit is written off-centre.
    """
    image = _as_2d_image(image)
    for name, value in [("down", down), ("right", right)]:
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    out = np.zeros_like(image)
    height, width = image.shape
    if abs(down) >= height or abs(right) >= width:
        return out
    rows_to = slice(max(down, 0), height + min(down, 0))
    rows_from = slice(max(-down, 0), height - max(down, 0))
    cols_to = slice(max(right, 0), width + min(right, 0))
    cols_from = slice(max(-right, 0), width - max(right, 0))
    out[rows_to, cols_to] = image[rows_from, cols_from]
    return out


def erase_region(image: np.ndarray, region: str) -> np.ndarray:
    """A copy of a 2-D image with one of :data:`ERASE_REGIONS` set to 0."""
    if region not in ERASE_REGIONS:
        raise ValueError(f"region must be one of {list(ERASE_REGIONS)}, got {region!r}")
    out = _as_2d_image(image).copy()
    box = ERASE_REGIONS[region]
    if box is not None:
        height, width = image.shape
        top, bottom, left, right = box
        rows = slice(round(top * height), round(bottom * height))
        cols = slice(round(left * width), round(right * width))
        out[rows, cols] = 0
    return out


class FeatureMapExplorer:
    """Pick a digit, a layer and channels; see the feature maps and the predicted probabilities.

    For live demos of notebooks/06_kernels_and_feature_maps.ipynb, section 6.
    The left panel shows the network's input and its 10 probabilities (the
    prediction red when it is wrong, the true digit green); the right panel
    the feature maps of the chosen layer and channels, on one grey scale.
    The digit can be shifted, partly erased, or replaced by an image of your
    own (:meth:`show_image`), and the prediction follows.

    The model is called directly on the one image (not ``model.predict``,
    which prepares a whole data pipeline for every call), through one Keras
    model that returns every chosen layer's output and the probabilities at
    once. A new digit only refills the figures' arrays; the feature-map
    figure is rebuilt only when the layer or the channels change.

    Parameters
    ----------
    model : keras.Model
        A built model whose last layer gives probabilities (softmax), for
        example ``utils.models.load_pretrained_convnet()``.
    images : array_like, shape (n, height, width) or (n, height, width, 1)
        The digits to browse, floats in [0, 1] (uint8 0-255 is divided by 255).
    labels : array_like of int, shape (n,)
        The true digit of each image.
    predictions : array_like of int, shape (n,), optional
        The model's predicted digit for each image, for "next misclassified";
        computed with ``model.predict`` on the first click when omitted.
    layer_names : sequence of str, optional
        The layers to offer; by default every layer whose output is a stack of
        maps (4-D), in order.
    n_shown : int, default 32
        How many channels are shown at first (the ``channels`` range).
    description : str, default "test digit"
        What an image is called in the caption.

    Attributes
    ----------
    index : ipywidgets.IntSlider
        Which image.
    next_wrong : ipywidgets.Button
        Jumps to the next misclassified image (see :meth:`next_misclassified`).
    layer : ipywidgets.Dropdown
        Which layer's feature maps are shown.
    channels : ipywidgets.IntRangeSlider
        The first and last channel shown, both included.
    shift_right, shift_down : ipywidgets.IntSlider
        Move the digit by up to 6 pixels, filling with black.
    erase : ipywidgets.Dropdown
        Erase a part of the image, one of :data:`ERASE_REGIONS`.
    caption : ipywidgets.HTML
        Which image, its label and the prediction.
    image : numpy.ndarray, shape (height, width)
        The input the model saw last (after shifting and erasing).
    activations : dict of str to numpy.ndarray
        Each layer's output for it, (height, width, channels).
    probabilities : numpy.ndarray, shape (n_classes,)
        The model's output for it.
    input_figure, probability_figure, maps_figure : plotly.graph_objects.Figure
        The figures shown.
    last_update_seconds : float
        How long the last redraw took in Python (model call and figures).
    """

    def __init__(
        self,
        model: object,
        images: object,
        labels: object,
        *,
        predictions: object = None,
        layer_names: object = None,
        n_shown: int = 32,
        description: str = "test digit",
    ) -> None:
        import keras  # here, not at the top: the other widgets do not need TensorFlow

        stack = _as_image_stack(images)
        if np.issubdtype(stack.dtype, np.integer):
            stack = stack / 255
        self.images = stack.astype(np.float32)
        self.labels = np.asarray(labels).reshape(-1).astype(np.int64)
        if self.labels.shape[0] != self.images.shape[0]:
            raise ValueError(
                f"labels must have one entry per image: got {self.labels.shape[0]} labels "
                f"for {self.images.shape[0]} images"
            )
        self._predictions = None
        if predictions is not None:
            self._predictions = np.asarray(predictions).reshape(-1).astype(np.int64)
            if self._predictions.shape != self.labels.shape:
                raise ValueError(
                    f"predictions must have one entry per image: got "
                    f"{self._predictions.shape[0]} for {self.images.shape[0]} images"
                )
        if not hasattr(model, "layers") or not hasattr(model, "get_layer"):
            raise TypeError(f"model must be a built Keras model, got {type(model).__name__}")
        if layer_names is None:
            layer_names = [
                layer.name
                for layer in model.layers  # type: ignore[attr-defined]
                if len(layer.output.shape) == 4
            ]
        self.layer_names = [str(name) for name in layer_names]  # type: ignore[union-attr]
        if not self.layer_names:
            raise ValueError("layer_names must name at least one layer with 4-D output")
        outputs = []
        for name in self.layer_names:
            try:
                layer = model.get_layer(name)  # type: ignore[attr-defined]
            except ValueError:
                known = [layer.name for layer in model.layers]  # type: ignore[attr-defined]
                raise ValueError(
                    f"layer_names: no layer {name!r} in the model; it has {known}"
                ) from None
            if len(layer.output.shape) != 4:
                raise ValueError(
                    f"layer_names: {name!r} gives output shape {layer.output.shape}, "
                    "not a stack of feature maps (batch, height, width, channels)"
                )
            outputs.append(layer.output)
        # One model, one call: every layer's maps and the probabilities together.
        self._extractor = keras.Model(
            model.inputs[0],  # type: ignore[attr-defined]
            [*outputs, model.outputs[0]],  # type: ignore[attr-defined]
        )
        self._to_numpy = keras.ops.convert_to_numpy
        self._model = model
        self.description = str(description)
        if isinstance(n_shown, bool) or not isinstance(n_shown, (int, np.integer)) or n_shown < 1:
            raise ValueError(f"n_shown must be a positive int, got {n_shown!r}")

        self.index = widgets.IntSlider(
            value=0,
            min=0,
            max=self.images.shape[0] - 1,
            description="digit",
            continuous_update=False,
            layout=widgets.Layout(width="420px"),
        )
        self.next_wrong = widgets.Button(description="next misclassified", icon="forward")
        self.layer = widgets.Dropdown(
            options=self.layer_names, value=self.layer_names[0], description="layer"
        )
        n_first = int(outputs[0].shape[-1])
        self.channels = widgets.IntRangeSlider(
            value=(0, min(int(n_shown), n_first) - 1),
            min=0,
            max=n_first - 1,
            description="channels",
            continuous_update=False,
            layout=widgets.Layout(width="420px"),
        )
        self.shift_right = widgets.IntSlider(
            value=0, min=-6, max=6, description="shift →", layout=widgets.Layout(width="260px")
        )
        self.shift_down = widgets.IntSlider(
            value=0, min=-6, max=6, description="shift ↓", layout=widgets.Layout(width="260px")
        )
        self.erase = widgets.Dropdown(
            options=list(ERASE_REGIONS),
            value="nothing",
            description="erase",
            layout=widgets.Layout(width="220px"),
        )
        self.caption = widgets.HTML()
        self.left = widgets.Output()
        self.right = widgets.Output()
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.index, self.next_wrong]),
                widgets.HBox([self.layer, self.channels]),
                widgets.HBox([self.shift_right, self.shift_down, self.erase]),
                self.caption,
                widgets.HBox([self.left, self.right]),
            ]
        )
        self._custom: tuple[np.ndarray, int | None] | None = None
        self._holding = False
        self._maps_key: tuple | None = None
        self.maps_figure: go.Figure = go.Figure()
        self.input_figure = image_grid(self.images[:1], n_cols=1)
        self.input_figure.update_traces(zmin=0.0, zmax=1.0)
        self.input_figure.update_layout(width=220, height=220, margin=dict(l=10, r=10, t=10, b=10))
        self.probability_figure: go.Figure = go.Figure()
        self.last_update_seconds = 0.0

        self.index.observe(self._on_index, names="value")
        for control in (self.shift_right, self.shift_down, self.erase):
            control.observe(self._on_input, names="value")
        self.layer.observe(self._on_layer, names="value")
        self.channels.observe(self._on_channels, names="value")
        self.next_wrong.on_click(lambda _button: self.next_misclassified())
        self.update()

    # -- what the model sees ------------------------------------------------------------

    def _base_image(self) -> tuple[np.ndarray, int | None]:
        if self._custom is not None:
            return self._custom
        index = self.index.value
        return self.images[index], int(self.labels[index])

    def _edits(self) -> list[str]:
        edits = []
        if self.shift_right.value or self.shift_down.value:
            edits.append(f"shifted {self.shift_right.value} right, {self.shift_down.value} down")
        if self.erase.value != "nothing":
            edits.append(f"{self.erase.value} erased")
        return edits

    def update(self) -> None:
        """Run the model on the current input and redraw everything; the controls call this."""
        start = time.perf_counter()
        base, _ = self._base_image()
        image = shift_image(base, self.shift_down.value, self.shift_right.value)
        image = erase_region(image, self.erase.value)
        results = self._extractor(image[None, :, :, None])
        arrays = [self._to_numpy(result)[0] for result in results]
        self.image = image
        self.activations = dict(zip(self.layer_names, arrays[:-1], strict=True))
        self.probabilities = arrays[-1]
        self._draw(start)

    @property
    def prediction(self) -> int:
        """The predicted class of the current input."""
        return int(np.argmax(self.probabilities))

    def summary(self) -> str:
        """The caption as plain text, for example ``test digit 3: label 0, predicted 0 (0.99)``."""
        _, label = self._base_image()
        parts = [self._who()]
        if label is not None:
            parts.append(f"label {label}")
        probability = self.probabilities[self.prediction]
        parts.append(f"predicted {self.prediction} (probability {probability:.2f})")
        if label is not None and label != self.prediction:
            parts.append("misclassified")
        return ", ".join(parts) + "".join(f"; {edit}" for edit in self._edits())

    def _who(self) -> str:
        if self._custom is not None:
            return "your image"
        return f"{self.description} {self.index.value}"

    # -- drawing ------------------------------------------------------------------------

    def _draw(self, start: float | None = None) -> None:
        start = time.perf_counter() if start is None else start
        layer = self.layer.value
        maps = self.activations[layer]
        low, high = self.channels.value
        key = (layer, low, high)
        if key != self._maps_key:
            self.maps_figure = activation_maps(
                maps,
                channels=range(low, high + 1),
                n_cols=8,
                cell_size=48,
                title=f"{layer}: channels {low}-{high} of {maps.shape[-1]}, "
                f"each {maps.shape[0]} x {maps.shape[1]}",
            )
            self._maps_key = key
        else:
            # Same layer and channels: refill the arrays, as activation_maps would draw them.
            chosen = maps[:, :, low : high + 1]
            bottom, top = min(0.0, float(chosen.min())), float(chosen.max())
            top = top if top > bottom else bottom + 1.0
            for offset, trace in enumerate(self.maps_figure.data):
                trace.z = np.ascontiguousarray(chosen[:, :, offset], dtype=np.float32)
                trace.zmin, trace.zmax = bottom, top
        self.input_figure.data[0].z = self.image
        _, label = self._base_image()
        self.probability_figure = probability_bar(self.probabilities, label=label)
        self.caption.value = self._caption_html(label)
        show_figures(self.left, self.input_figure, self.probability_figure)
        show_figures(self.right, self.maps_figure)
        self.last_update_seconds = time.perf_counter() - start

    def _caption_html(self, label: int | None) -> str:
        parts = [f"<b>{self._who()}</b>"]
        if label is not None:
            parts.append(f"label <b>{label}</b>")
        probability = self.probabilities[self.prediction]
        verdict = f"predicted <b>{self.prediction}</b> (probability {probability:.2f})"
        if label is not None and label != self.prediction:
            verdict += ' <span style="color:#d62728"><b>misclassified</b></span>'
        parts.append(verdict)
        text = ", ".join(parts)
        edits = self._edits()
        return text + (f" <i>({'; '.join(edits)})</i>" if edits else "")

    # -- controls -----------------------------------------------------------------------

    def _on_index(self, change: dict) -> None:
        self._custom = None
        self.update()

    def _on_input(self, change: dict) -> None:
        self.update()

    def _on_channels(self, change: dict) -> None:
        if not self._holding:
            self._draw()

    def _on_layer(self, change: dict) -> None:
        last = self.activations[self.layer.value].shape[-1] - 1
        low, high = self.channels.value
        low, high = min(low, last), min(high, last)
        self._holding = True  # move the range without a redraw for each step
        try:
            if last >= self.channels.max:
                self.channels.max = last
                self.channels.value = (low, high)
            else:
                self.channels.value = (low, high)
                self.channels.max = last
        finally:
            self._holding = False
        self._draw()

    def misclassified(self) -> np.ndarray:
        """The indices of the images whose prediction is wrong (predicting all on first use)."""
        if self._predictions is None:
            probabilities = self._model.predict(  # type: ignore[attr-defined]
                self.images[..., None], batch_size=500, verbose=0
            )
            self._predictions = np.asarray(probabilities).argmax(axis=1)
        return np.flatnonzero(self._predictions != self.labels)

    def next_misclassified(self) -> int | None:
        """Show the next misclassified image after the current one (wrapping round).

        Returns its index, or None (and says so in the caption) if there is none.
        """
        wrong = self.misclassified()
        if wrong.size == 0:
            self.caption.value = "No image is misclassified."
            return None
        after = wrong[wrong > self.index.value]
        target = int(after[0] if after.size else wrong[0])
        if target == self.index.value:
            self._custom = None
            self.update()
        else:
            self.index.value = target  # the observer redraws
        return target

    def show_image(self, image: object, label: int | None = None) -> None:
        """Show an image of your own instead of the chosen digit (moving ``index`` goes back).

        Parameters
        ----------
        image : array_like, shape (height, width) or (height, width, 1)
            Same size as the digits, floats in [0, 1] (uint8 0-255 is divided
            by 255): 0 is black background, 1 a white stroke.
        label : int, optional
            The digit you meant, if you want the caption to compare.
        """
        array = np.asarray(image)
        if array.ndim == 3 and array.shape[-1] == 1:
            array = array[..., 0]
        if array.shape != self.images.shape[1:]:
            raise ValueError(
                f"image must have shape {self.images.shape[1:]} like the digits, "
                f"got shape {np.asarray(image).shape}"
            )
        if np.issubdtype(array.dtype, np.integer):
            array = array / 255
        array = array.astype(np.float32)
        if array.min() < 0 or array.max() > 1:
            raise ValueError(
                f"image values must be in [0, 1] like the digits, got {array.min():g} to "
                f"{array.max():g}: divide 0-255 pixels by 255"
            )
        if label is not None and (
            isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer))
        ):
            raise TypeError(f"label must be an int or None, got {label!r}")
        self._custom = (array, None if label is None else int(label))
        self.update()

    @property
    def figures(self) -> tuple[go.Figure, go.Figure, go.Figure]:
        """The input, probability and feature-map figures currently shown."""
        return self.input_figure, self.probability_figure, self.maps_figure

    def _ipython_display_(self) -> None:
        display(self.widget)
