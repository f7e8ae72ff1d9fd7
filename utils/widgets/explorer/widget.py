"""The feature-map explorer of lesson 06, composed of its controls, model side and drawing."""

from __future__ import annotations

import html
import time

import numpy as np
import plotly.graph_objects as go
from IPython.display import display

from utils._validate import integer, optional_integer, real_array
from utils.plots import probability_bar
from utils.plots.base import as_image_stack
from utils.widgets._output import show_figures
from utils.widgets.explorer import drawing
from utils.widgets.explorer.controls import build_controls, limit_channels
from utils.widgets.explorer.edits import describe_edits, erase_region, shift_image
from utils.widgets.network import ModelReader, NotADigitReader


class FeatureMapExplorer:
    """Pick a digit, a layer and channels; see the feature maps and the predicted probabilities.

    For live demos of notebooks/06_kernels_and_feature_maps.ipynb, section 6.
    The left panel shows the network's input and its 10 probabilities (the
    prediction red-orange and hatched when it is wrong, the true digit blue);
    the right panel
    the feature maps of the chosen layer and channels, on one grey scale.
    The digit can be shifted, partly erased, or replaced by an image of your
    own (:meth:`show_image`), and the prediction follows.

    The model is read through :class:`utils.widgets.network.ModelReader`:
    one compiled Keras call returns every chosen layer's output and the
    probabilities at once. A new digit only refills the figures' arrays; the
    feature-map figure is rebuilt only when the layer or the channels change.

    Parameters
    ----------
    model : keras.Model
        A built Sequential or functional model with a 28 x 28 grey input and
        10 outputs, for example ``utils.models.load_pretrained_convnet()`` or
        the network a lesson has just trained. A model that outputs logits is
        read through a softmax (:attr:`model_note` says so).
    images : array_like, shape (n, height, width) or (n, height, width, 1)
        The digits to browse, floats in [0, 1] (uint8 0-255 is divided by 255).
    labels : array_like of int, shape (n,)
        The true digit of each image.
    predictions : array_like of int, shape (n,), optional
        The model's predicted digit for each image, for "next misclassified";
        computed with ``model.predict`` on the first click when omitted.
    layer_names : sequence of str, optional
        The layers to offer; by default every layer whose output is a stack of
        maps (4-D), in order: convolutions, poolings, batch normalisations.
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
        Erase a part of the image, one of
        :data:`utils.widgets.explorer.edits.ERASE_REGIONS`.
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
    model_note : str
        What the explorer says about the model ("" or, for example, that it
        outputs logits); shown under the caption.
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
        stack = as_image_stack(images)
        if np.issubdtype(stack.dtype, np.integer):
            stack = stack / 255
        self.images = stack.astype(np.float32)
        self.labels = real_array(labels, "labels").reshape(-1).astype(np.int64)
        if self.labels.shape[0] != self.images.shape[0]:
            raise ValueError(
                f"labels must have one entry per image: got {self.labels.shape[0]} labels "
                f"for {self.images.shape[0]} images"
            )
        self._predictions = None
        if predictions is not None:
            self._predictions = real_array(predictions, "predictions").reshape(-1).astype(np.int64)
            if self._predictions.shape != self.labels.shape:
                raise ValueError(
                    f"predictions must have one entry per image: got "
                    f"{self._predictions.shape[0]} for {self.images.shape[0]} images"
                )
        if self.images.shape[1:] != (28, 28):
            raise ValueError(f"images must be 28 x 28 digits, got shape {self.images.shape[1:]}")
        self._probe = ModelReader(
            model, maps="all", layer_names=layer_names, who="FeatureMapExplorer"
        )
        if not self._probe.layer_names:
            raise NotADigitReader(
                f"model {model.name!r} has no layer with feature maps to explore"  # type: ignore[attr-defined]
            )
        self.model_note = self._probe.note
        self.layer_names = self._probe.layer_names
        self.description = str(description)
        n_shown = integer(n_shown, "n_shown", minimum=1)

        controls = build_controls(
            self.images.shape[0],
            self.layer_names,
            self._probe.shapes[self.layer_names[0]][-1],
            n_shown,
        )
        self.index = controls.index
        self.next_wrong = controls.next_wrong
        self.layer = controls.layer
        self.channels = controls.channels
        self.shift_right = controls.shift_right
        self.shift_down = controls.shift_down
        self.erase = controls.erase
        self.caption = controls.caption
        self.left = controls.left
        self.right = controls.right
        self.widget = controls.widget

        self._custom: tuple[np.ndarray, int | None] | None = None
        self._holding = False
        self._maps_key: tuple | None = None
        self.maps_figure: go.Figure = go.Figure()
        self.input_figure = drawing.input_figure(self.images[0])
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
        return describe_edits(self.shift_right.value, self.shift_down.value, self.erase.value)

    def update(self) -> None:
        """Run the model on the current input and redraw everything; the controls call this."""
        start = time.perf_counter()
        base, _ = self._base_image()
        image = shift_image(base, self.shift_down.value, self.shift_right.value)
        image = erase_region(image, self.erase.value)
        self.activations, self.probabilities = self._probe(image)
        self.image = image
        self._draw(start)

    @property
    def prediction(self) -> int:
        """The predicted class of the current input."""
        return int(np.argmax(self.probabilities))

    def summary(self) -> str:
        """The caption as plain text, for example ``test digit 3: label 0, predicted 0 (0.99)``."""
        _, label = self._base_image()
        return drawing.summary_text(
            self._who(), label, self.prediction, self.probabilities[self.prediction], self._edits()
        )

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
            self.maps_figure = drawing.maps_figure(maps, layer, low, high)
            self._maps_key = key
        else:  # same layer and channels: refill the arrays only
            drawing.refill_maps(self.maps_figure, maps, low, high)
        self.input_figure.data[0].z = self.image
        _, label = self._base_image()
        self.probability_figure = probability_bar(self.probabilities, label=label)
        self.caption.value = drawing.caption_html(
            self._who(), label, self.prediction, self.probabilities[self.prediction], self._edits()
        ) + (f"<br><i>{html.escape(self.model_note)}</i>" if self.model_note else "")
        show_figures(self.left, self.input_figure, self.probability_figure)
        show_figures(self.right, self.maps_figure)
        self.last_update_seconds = time.perf_counter() - start

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
        self._holding = True  # move the range without a redraw for each step
        try:
            limit_channels(self.channels, last)
        finally:
            self._holding = False
        self._draw()

    def misclassified(self) -> np.ndarray:
        """The indices of the images whose prediction is wrong (predicting all on first use)."""
        if self._predictions is None:
            self._predictions = self._probe.predict_classes(self.images)
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
        array = real_array(image, "image")
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
        label = optional_integer(label, "label")
        self._custom = (array, label)
        self.update()

    @property
    def figures(self) -> tuple[go.Figure, go.Figure, go.Figure]:
        """The input, probability and feature-map figures currently shown."""
        return self.input_figure, self.probability_figure, self.maps_figure

    def _ipython_display_(self) -> None:
        display(self.widget)
