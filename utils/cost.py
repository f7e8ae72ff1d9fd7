"""What a ConvNet costs: its parameters, its activations' memory, its multiply-adds.

Taught in ``notebooks/03_parameters_and_cost.ipynb``, where each formula is
first worked by hand; these functions are the same arithmetic, collected so
that later lessons and the tests can reuse it. (The module was ``utils.params``
until it counted multiply-adds too.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from utils._validate import int_pair, integer


@dataclass(frozen=True)
class LayerRow:
    """One row of :func:`layer_table`.

    Attributes
    ----------
    name : str
        The layer's name in the model.
    kind : str
        The layer's class name, for example ``"Conv2D"``.
    output_shape : tuple of int
        Output shape of one example (the batch axis left out).
    params : int
        Parameters of the layer, as Keras counts them.
    activations : int
        Values the layer outputs per example (the product of ``output_shape``).
    """

    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int
    activations: int


def layer_table(model: object) -> list[LayerRow]:
    """Tabulate a built Keras model layer by layer.

    Parameters
    ----------
    model : keras.Model
        A model whose layers have known output shapes (built from a
        ``keras.Input``, for example).

    Returns
    -------
    list of LayerRow
        One row per layer, in order, with the output shape per example, the
        layer's parameters (``layer.count_params()``) and its activation values
        per example. The input layer is not listed.
    """
    layers = getattr(model, "layers", None)
    if layers is None:
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    rows = []
    for layer in layers:
        shape = tuple(layer.output.shape[1:])
        if any(size is None for size in shape):
            raise ValueError(
                f"model layer {layer.name!r} has an unknown output size {shape}; "
                "build the model from a keras.Input with a fixed shape"
            )
        rows.append(
            LayerRow(
                name=layer.name,
                kind=type(layer).__name__,
                output_shape=tuple(int(size) for size in shape),
                params=int(layer.count_params()),
                activations=math.prod(int(size) for size in shape),
            )
        )
    return rows


def conv2d_macs(
    output_size: int | tuple[int, int],
    kernel_size: int | tuple[int, int],
    in_channels: int,
    filters: int,
) -> int:
    """Multiply-adds of a 2-D convolution layer for one image.

    Every one of the ``H_out * W_out * C_out`` output values is a dot product
    of ``F * F * C_in`` weights with a patch, so the layer costs
    ``H_out * W_out * C_out * F * F * C_in`` multiply-adds (the bias adds,
    one per output value, are left out, as is usual).

    Taught in notebooks/03_parameters_and_cost.ipynb, section 5.

    Parameters
    ----------
    output_size : int or (int, int)
        ``H_out`` for a square output, or ``(H_out, W_out)``.
    kernel_size : int or (int, int)
        ``F`` for an F x F kernel, or ``(height, width)``.
    in_channels : int
        ``C_in``.
    filters : int
        ``C_out``.

    Returns
    -------
    int
    """
    out_h, out_w = int_pair(output_size, "output_size")
    height, width = int_pair(kernel_size, "kernel_size")
    in_channels = integer(in_channels, "in_channels", minimum=1)
    filters = integer(filters, "filters", minimum=1)
    return out_h * out_w * filters * height * width * in_channels


def dense_macs(n_in: int, n_out: int) -> int:
    """Multiply-adds of a fully connected layer for one example: ``n_in * n_out``.

    Taught in notebooks/03_parameters_and_cost.ipynb, section 5.
    """
    return integer(n_in, "n_in", minimum=1) * integer(n_out, "n_out", minimum=1)


def model_macs(model: object) -> int:
    """Multiply-adds of one forward pass of one example through a built Keras model.

    Every ``Conv2D`` costs ``H_out * W_out * C_out * F_h * F_w * C_in``
    (:func:`conv2d_macs`, with the output size Keras computed, so any stride
    and padding is accounted for; for a grouped convolution ``C_in`` is the
    channels each filter reads). Every ``Dense`` costs ``n_in * n_out``
    (:func:`dense_macs`) at each position it is applied to (once on a flat
    vector). Layers without weights (pooling, Flatten, Add, activations) and
    ``BatchNormalization`` are counted as 0: they do a few additions or
    comparisons per value, not dot products. Lesson 07 compares LeNet-5, the
    lesson 05 ConvNet, VGG-16 and ResNet-50 with it.

    Parameters
    ----------
    model : keras.Model
        A model built from a ``keras.Input`` with a fixed image size, so that
        every layer's output shape is known. Nested models are counted layer
        by layer.

    Returns
    -------
    int
        Multiply-adds per example (multiply by the batch size for a batch).

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model.
    ValueError
        If a layer's output size is unknown, or a layer with weights is not
        one of those above (a ``Conv1D``, say): the message names the layer.
    """
    layers = getattr(model, "layers", None)
    if layers is None:
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    total = 0
    for layer in layers:
        kind = type(layer).__name__
        if hasattr(layer, "layers"):  # a model used as a layer
            total += model_macs(layer)
            continue
        if kind not in ("Conv2D", "Dense"):
            if layer.weights and kind != "BatchNormalization":
                raise ValueError(
                    f"model_macs counts Conv2D and Dense layers; layer {layer.name!r} is a {kind} "
                    "with weights"
                )
            continue
        shape = tuple(layer.output.shape[1:])
        if any(size is None for size in shape):
            raise ValueError(
                f"model layer {layer.name!r} has an unknown output size {shape}; "
                "build the model from a keras.Input with a fixed shape"
            )
        kernel_shape = tuple(int(size) for size in layer.kernel.shape)
        if kind == "Dense":
            positions = math.prod(int(size) for size in shape[:-1])
            total += positions * dense_macs(kernel_shape[0], kernel_shape[1])
        else:
            channels_first = getattr(layer, "data_format", "channels_last") == "channels_first"
            out_h, out_w = (shape[1], shape[2]) if channels_first else (shape[0], shape[1])
            total += conv2d_macs(
                (int(out_h), int(out_w)), kernel_shape[:2], kernel_shape[2], kernel_shape[3]
            )
    return total
