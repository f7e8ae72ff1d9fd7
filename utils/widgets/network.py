"""A student's Keras model, read one digit at a time: :class:`ModelReader`.

The draw-a-digit reader (:class:`utils.widgets.DigitReader`) and the
feature-map explorer (:class:`utils.widgets.FeatureMapExplorer`) both read a
Keras model through this class: any Sequential or functional model with a
28 x 28 grey input and 10 outputs, as it comes out of a lesson. It finds the
convolutional layers (``Conv2D``, dilated or not, ``SeparableConv2D``,
``DepthwiseConv2D``, ``Conv2DTranspose``), builds one Keras model that returns
their maps and the output together, and calls it with ``predict_on_batch``,
which Keras compiles once, so that a redraw costs about a millisecond for
the course's networks. Dropout and batch normalisation run in inference mode.
A model that outputs logits (no softmax at its end) is read through a softmax,
and :attr:`ModelReader.note` says so.

What is not a digit reader raises :class:`NotADigitReader`, whose message says
what the model is and what the reader needs; in a notebook it is shown as that
one line, without a stack trace.

Keras is imported when a model is read, not when this module is: the widgets
that do not read a Keras model start without TensorFlow.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

IMAGE_SIDE = 28
"""The side of the image the reader gives a model: MNIST's 28 x 28 pixels, grey."""
N_CLASSES = 10
"""How many outputs a digit reader's model has: one per digit."""
PROBABILITIES = "probabilities"
"""The key of the probabilities in :meth:`ModelReader.read`'s dict, beside the layers' names."""


class NotADigitReader(TypeError, ValueError):
    """A model (or an object) that the reader cannot read, and why, in one message.

    It is a ``TypeError`` and a ``ValueError``, so code that catches either
    catches it. In IPython and Jupyter it is shown as its one line, without a
    stack trace: the message is the whole story.
    """

    def _render_traceback_(self) -> list[str]:  # IPython's hook for how an error is shown
        return [f"{type(self).__name__}: {self}"]


def _keras():
    import keras  # here, not at the top: see the module's description

    return keras


def _convolution_types() -> tuple[type, ...]:
    layers = _keras().layers
    return (layers.Conv2D, layers.SeparableConv2D, layers.DepthwiseConv2D, layers.Conv2DTranspose)


def _what(thing: object) -> str:
    """An object named for a message: its type, and its value when short."""
    text = repr(thing)
    return type(thing).__name__ + (f" {text}" if len(text) <= 40 else "")


def _inputs(model: object, who: str) -> list:
    """The model's symbolic inputs, or a NotADigitReader that says why it has none."""
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise NotADigitReader(
            f"{who} reads a Keras model (keras.Sequential or a functional keras.Model), "
            f"got {_what(model)}"
        )
    name = model.name  # type: ignore[attr-defined]
    if not isinstance(model, keras.Sequential) and not hasattr(model, "inputs"):
        raise NotADigitReader(
            f"model {name!r} is a subclassed keras.Model (its own call method): {who} reads "
            "the layers of a keras.Sequential or functional model; build the same layers "
            "with keras.Sequential or keras.Model(inputs, outputs)"
        )
    try:
        inputs = list(model.inputs)  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        inputs = []
    if not inputs:
        raise NotADigitReader(
            f"model {name!r} is not built: it does not know its input shape yet. Start it "
            "with keras.Input((28, 28, 1)), or train it (fit builds it), then read it"
        )
    if len(inputs) != 1:
        raise NotADigitReader(
            f"model {name!r} takes {len(inputs)} inputs; {who} gives it one 28 x 28 image"
        )
    return inputs


def _border(model: object, input_shape: tuple, who: str) -> int:
    """How many zero pixels the 28 x 28 digit needs on each side to fill the model's input.

    0 for a 28 x 28 input; 2 for LeNet-5's 32 x 32, as lesson 07 pads MNIST's
    digits for it. Anything but a square grey image of at least 28 x 28 (with
    an even margin) is refused, with what the model takes instead.
    """
    name = model.name  # type: ignore[attr-defined]
    sides, channels = input_shape[:2], input_shape[2:]
    sides = tuple(IMAGE_SIDE if side is None else side for side in sides)
    square = len(sides) == 2 and sides[0] == sides[1] and sides[0] >= IMAGE_SIDE
    if square and (sides[0] - IMAGE_SIDE) % 2 == 0 and channels in ((), (1,)):
        return (sides[0] - IMAGE_SIDE) // 2
    if input_shape == (IMAGE_SIDE * IMAGE_SIDE,):
        return 0  # a dense network on the 784 pixels, flattened
    if len(input_shape) == 3 and (input_shape[2] or 0) > 1:
        what = f"images of {input_shape[0]} x {input_shape[1]} with {input_shape[2]} channels"
    elif len(input_shape) == 1 or (len(input_shape) == 2 and sides[0] != sides[1]):
        what = "a 1-D signal (such as an ECG), not an image"
    else:
        what = "not a square grey image of at least 28 x 28"
    raise NotADigitReader(
        f"model {name!r} takes inputs of shape {input_shape}, {what}: {who} gives it "
        "MNIST-style digits, 28 x 28 grey images of shape (28, 28, 1)"
    )


def _check_output(model: object, who: str) -> None:
    """One output of 10 values, or a message that says what the model gives instead."""
    name = model.name  # type: ignore[attr-defined]
    outputs = model.outputs  # type: ignore[attr-defined]
    shape = tuple(outputs[0].shape[1:])
    if len(outputs) != 1 or shape != (N_CLASSES,):
        said = f"{len(outputs)} outputs" if len(outputs) != 1 else f"output shape {shape}"
        raise NotADigitReader(
            f"model {name!r} has {said}: {who} reads a model with 10 outputs, "
            "one per digit (a last layer such as Dense(10))"
        )


def _flat_layers(
    model: object, prefix: str = "", into: str = "Sequential"
) -> Iterator[tuple[str, object]]:
    """A model's layers in order, with the layers of the models nested in it.

    ``into`` says which nested models are opened: "Sequential" ones (the
    reader can reach their layers' outputs) or every "Model". A nested
    layer's name is prefixed with its model's, as ``"base_body/conv_1"``.
    """
    nested = getattr(_keras(), into)
    for layer in model.layers:  # type: ignore[attr-defined]
        if isinstance(layer, nested):
            yield from _flat_layers(layer, f"{prefix}{layer.name}/", into)
        else:
            yield f"{prefix}{layer.name}", layer


def _last_layer(model: object) -> object:
    keras = _keras()
    last = model.layers[-1]  # type: ignore[attr-defined]
    return _last_layer(last) if isinstance(last, keras.Sequential) else last


def ends_in_softmax(model: object) -> bool:
    """Whether a model's last layer is a softmax (a Softmax layer or ``activation="softmax"``).

    If not, the reader takes its outputs for logits and applies the softmax itself.
    """
    last = _last_layer(model)
    if isinstance(last, _keras().layers.Softmax):
        return True
    return getattr(getattr(last, "activation", None), "__name__", "") == "softmax"


def _chosen(every: dict, layer_names: object) -> dict:
    """The layers named, by name, with their outputs; each must give a stack of maps."""
    chosen = {}
    for name in [str(name) for name in layer_names]:  # type: ignore[union-attr]
        if name not in every:
            raise NotADigitReader(
                f"layer_names: no layer {name!r} in the model; it has {list(every)}"
            )
        output = every[name][1]
        if len(output.shape) != 4:
            raise NotADigitReader(
                f"layer_names: {name!r} gives output shape {tuple(output.shape)}, not a stack "
                "of feature maps (batch, height, width, channels)"
            )
        chosen[name] = output
    if not chosen:
        raise NotADigitReader("layer_names must name at least one layer with 4-D output")
    return chosen


class ModelReader:
    """A Keras model as the reader and the explorer read it: a digit in, maps and probabilities out.

    Parameters
    ----------
    model : keras.Model
        A built Sequential or functional model with a grey input, shape
        ``(28, 28, 1)``, ``(28, 28)`` or ``(784,)``, and 10 outputs
        (probabilities or logits). A larger square grey input, such as
        LeNet-5's ``(32, 32, 1)``, gets the digit with a border of zeros.
        The layers of Sequential models nested in a Sequential model are
        read too, named ``"inner/conv_1"``.
    maps : {"convolutions", "all"}, default "convolutions"
        Which layers' maps to read: the convolutional layers, or every layer
        whose output is a stack of maps (pooling, batch normalisation, ... too).
    layer_names : sequence of str, optional
        Read these layers instead (each must give a stack of maps).
    who : str, default "the reader"
        What reads the model, as its messages name it.

    Attributes
    ----------
    model : keras.Model
    layer_names : list of str
        The layers read, in order (empty for a model with no convolution).
    shapes : dict of str to tuple
        Each one's maps, (height, width, channels).
    logits : bool
        Whether the model outputs logits, read through a softmax.
    note : str
        What the reader says about the model: its logits, or its lack of maps
        ("" when there is nothing to say).

    Raises
    ------
    NotADigitReader
        For anything but such a model, and for a layer name it does not have.
    """

    def __init__(
        self,
        model: object,
        *,
        maps: str = "convolutions",
        layer_names: object = None,
        who: str = "the reader",
    ) -> None:
        keras = _keras()
        if maps not in ("convolutions", "all"):
            raise ValueError(f'maps must be "convolutions" or "all", got {maps!r}')
        (source,) = _inputs(model, who)
        self.input_shape = tuple(source.shape[1:])
        self.border = _border(model, self.input_shape, who)
        _check_output(model, who)
        self.model = model
        self._unreached: list[str] = []  # nested models whose convolutions are not shown
        every = self._trace(model, source)
        wanted = _convolution_types() if maps == "convolutions" else (object,)
        if layer_names is None:
            found = {
                name: output
                for name, (layer, output) in every.items()
                if isinstance(layer, wanted) and len(output.shape) == 4
            }
        else:
            found = _chosen(every, layer_names)
        if PROBABILITIES in found:
            raise NotADigitReader(f"a layer named {PROBABILITIES!r} would hide the probabilities")
        self.layer_names = list(found)
        self.shapes = {  # None where the model leaves a size open: (None, None, 1) inputs
            name: tuple(None if s is None else int(s) for s in out.shape[1:])
            for name, out in found.items()
        }
        self.logits = not ends_in_softmax(model)
        name, last = model.name, _last_layer(model).name  # type: ignore[attr-defined]
        notes = []
        if self.border:
            side = IMAGE_SIDE + 2 * self.border
            notes.append(
                f"{name} takes {side} x {side} images: the digit gets a border of "
                f"{self.border} zero pixels"
            )
        if self.logits:
            notes.append(
                f"{name} ends in {last!r} without a softmax: its outputs are logits, "
                "read here through a softmax"
            )
        if self._unreached:
            notes.append(
                f"the convolutional layers inside the nested model(s) {self._unreached} are not "
                "shown: build the model as one keras.Sequential, or name its layers in one graph"
            )
        elif not self.layer_names:
            notes.append(f"{name} has no convolutional layer: no feature maps to show")
        self.note = "; ".join(notes)
        output = self._output
        if self.logits:  # the softmax inside the one compiled call
            output = keras.layers.Softmax(name="digit_reader_softmax")(output)
        self._extractor = keras.Model(self._source, [*found.values(), output])

    def _trace(self, model: object, source: object) -> dict:
        """Every layer by name, with its symbolic output; sets the extractor's two ends.

        The layers of a model nested in a functional model are not reached; those
        of a Sequential model nested in a Sequential one are.
        """
        keras = _keras()
        every = {}
        nested = any(isinstance(layer, keras.Model) for layer in model.layers)  # type: ignore[attr-defined]
        if isinstance(model, keras.Sequential) and nested:
            # The inner layers' outputs belong to the inner models' graphs: call every
            # layer again, in order, on a new input, and keep the outputs on the way.
            x = self._source = keras.Input(self.input_shape)
            names = [layer.name for _, layer in _flat_layers(model)]
            twice = sorted({name for name in names if names.count(name) > 1})
            if twice:
                raise NotADigitReader(
                    f"model {model.name!r} nests models that share the layer names {twice}: "  # type: ignore[attr-defined]
                    "the reader reads a nested model's layers by their names; give them "
                    "different names (name= of each layer)"
                )
            for name, layer in _flat_layers(model):
                x = layer(x)
                every[name] = layer, x
            self._output = x
            return every
        self._source, self._output = source, model.outputs[0]  # type: ignore[attr-defined]
        for layer in model.layers:  # type: ignore[attr-defined]
            if isinstance(layer, keras.Model):
                inner = (found for _, found in _flat_layers(layer, into="Model"))
                if any(isinstance(found, _convolution_types()) for found in inner):
                    self._unreached.append(layer.name)
            elif not isinstance(layer, keras.layers.InputLayer):
                every[layer.name] = layer, layer.output
        return every

    def _outputs(self, images: np.ndarray) -> list[np.ndarray]:
        """Every layer's maps and the probabilities for a batch (n, 28, 28)."""
        batch = np.asarray(images, dtype=np.float32).reshape(-1, IMAGE_SIDE, IMAGE_SIDE)
        if self.border:
            batch = np.pad(batch, ((0, 0), (self.border,) * 2, (self.border,) * 2))
        side = IMAGE_SIDE + 2 * self.border
        shape = [side if size is None else size for size in self.input_shape]
        batch = batch.reshape(len(batch), *shape)
        results = self._extractor.predict_on_batch(batch)
        results = [results] if not isinstance(results, (list, tuple)) else list(results)
        return [np.asarray(result) for result in results]

    def __call__(self, image: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Each layer's maps (height, width, channels) and the 10 probabilities for one image."""
        arrays = self._outputs(np.asarray(image)[None])
        maps = {name: array[0] for name, array in zip(self.layer_names, arrays[:-1], strict=True)}
        return maps, arrays[-1][0]

    def read(self, image28: np.ndarray) -> dict[str, np.ndarray]:
        """What :class:`utils.widgets.DigitReader` reads: each layer's maps, and "probabilities"."""
        maps, probabilities = self(image28)
        return {**maps, PROBABILITIES: probabilities}

    def predict_classes(self, images: np.ndarray) -> np.ndarray:
        """The predicted class of each image of a stack (n, 28, 28), 500 at a time."""
        stack = np.asarray(images, dtype=np.float32)
        batches = [
            self._outputs(stack[start : start + 500])[-1] for start in range(0, len(stack), 500)
        ]
        return np.concatenate(batches).argmax(axis=1) if batches else np.zeros(0, dtype=int)
