"""What a ConvNet costs: its parameters, its activations' memory, its multiply-adds.

Taught in ``notebooks/03_parameters_and_cost.ipynb``, where each formula is
first worked by hand; these functions are the same arithmetic, collected so
that later lessons and the tests can reuse it. (The module was ``utils.params``
until it counted multiply-adds too.) Lesson 10,
``notebooks/10_convolution_variants.ipynb``, adds the parameters and multiply-adds
of the convolution's variants: grouped, depthwise, depthwise-separable and
transposed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from utils._validate import flag, int_pair, integer


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


def _groups(groups: object, in_channels: int, filters: int) -> int:
    """``groups`` as an int that divides both ``in_channels`` and ``filters``."""
    groups = integer(groups, "groups", minimum=1)
    if in_channels % groups or filters % groups:
        raise ValueError(
            f"groups must divide both in_channels and filters, got groups={groups} "
            f"for in_channels={in_channels} and filters={filters}"
        )
    return groups


def conv2d_params(
    kernel_size: int | tuple[int, int],
    in_channels: int,
    filters: int,
    groups: int = 1,
    use_bias: bool = True,
) -> int:
    """Parameters of a 2-D convolution layer, grouped or not.

    Each of the ``C_out`` filters is ``F_h x F_w`` and reads the
    ``C_in / groups`` channels of its group, so the layer holds
    ``F_h * F_w * (C_in / groups) * C_out`` weights, plus ``C_out`` biases
    when ``use_bias`` is true. ``groups=1`` is the ordinary convolution of
    lesson 03; ``groups`` splits the channels into that many independent
    convolutions, as ``keras.layers.Conv2D(groups=...)`` does.

    Taught in notebooks/10_convolution_variants.ipynb, section 4 (the
    ungrouped count first in notebooks/03_parameters_and_cost.ipynb).

    Parameters
    ----------
    kernel_size : int or (int, int)
        ``F`` for an F x F kernel, or ``(height, width)``.
    in_channels : int
        ``C_in``.
    filters : int
        ``C_out``.
    groups : int, default 1
        Number of channel groups; must divide both ``in_channels`` and
        ``filters``.
    use_bias : bool, default True
        Whether each filter has a bias.

    Returns
    -------
    int
        What ``count_params()`` of the matching Keras layer returns.

    Raises
    ------
    ValueError
        If ``groups`` does not divide both ``in_channels`` and ``filters``.
    """
    height, width = int_pair(kernel_size, "kernel_size")
    in_channels = integer(in_channels, "in_channels", minimum=1)
    filters = integer(filters, "filters", minimum=1)
    groups = _groups(groups, in_channels, filters)
    use_bias = flag(use_bias, "use_bias")
    return height * width * (in_channels // groups) * filters + (filters if use_bias else 0)


def depthwise_params(
    kernel_size: int | tuple[int, int],
    channels: int,
    depth_multiplier: int = 1,
    use_bias: bool = True,
) -> int:
    """Parameters of a depthwise convolution layer: ``F_h * F_w * C * M`` (+ ``C * M`` biases).

    A depthwise convolution slides ``M`` (the depth multiplier) ``F_h x F_w``
    kernels over each of the ``C`` input channels on its own, so it outputs
    ``C * M`` channels and never mixes channels. It is a grouped convolution
    with ``groups = C`` and ``C * M`` filters, as ``keras.layers.DepthwiseConv2D``
    computes it.

    Taught in notebooks/10_convolution_variants.ipynb, section 3.

    Parameters
    ----------
    kernel_size : int or (int, int)
        ``F`` for an F x F kernel, or ``(height, width)``.
    channels : int
        ``C``, the input channels.
    depth_multiplier : int, default 1
        ``M``, the output channels per input channel.
    use_bias : bool, default True
        Whether each of the ``C * M`` output channels has a bias.

    Returns
    -------
    int
        What ``count_params()`` of the matching Keras layer returns.
    """
    height, width = int_pair(kernel_size, "kernel_size")
    channels = integer(channels, "channels", minimum=1)
    depth_multiplier = integer(depth_multiplier, "depth_multiplier", minimum=1)
    use_bias = flag(use_bias, "use_bias")
    outputs = channels * depth_multiplier
    return height * width * outputs + (outputs if use_bias else 0)


def separable_params(
    kernel_size: int | tuple[int, int],
    in_channels: int,
    filters: int,
    depth_multiplier: int = 1,
    use_bias: bool = True,
) -> int:
    """Parameters of a depthwise-separable convolution layer.

    The layer is a depthwise convolution (``F_h * F_w * C_in * M`` weights,
    see :func:`depthwise_params`) followed by a 1 x 1 convolution from its
    ``C_in * M`` channels to ``C_out`` (``C_in * M * C_out`` weights). As in
    ``keras.layers.SeparableConv2D``, there is one bias per output channel,
    after the 1 x 1 step, and none after the depthwise step: ``C_out`` biases
    when ``use_bias`` is true.

    Taught in notebooks/10_convolution_variants.ipynb, section 3.

    Parameters
    ----------
    kernel_size : int or (int, int)
        ``F`` for an F x F kernel, or ``(height, width)``.
    in_channels : int
        ``C_in``.
    filters : int
        ``C_out``, the channels of the 1 x 1 step's output.
    depth_multiplier : int, default 1
        ``M``, the depthwise step's output channels per input channel.
    use_bias : bool, default True
        Whether each output channel has a bias.

    Returns
    -------
    int
        What ``count_params()`` of the matching Keras layer returns.
    """
    height, width = int_pair(kernel_size, "kernel_size")
    in_channels = integer(in_channels, "in_channels", minimum=1)
    filters = integer(filters, "filters", minimum=1)
    depth_multiplier = integer(depth_multiplier, "depth_multiplier", minimum=1)
    use_bias = flag(use_bias, "use_bias")
    middle = in_channels * depth_multiplier
    return height * width * middle + middle * filters + (filters if use_bias else 0)


def separable_ratio(kernel_size: int | tuple[int, int], filters: int) -> float:
    """How many times fewer weights a separable layer has than a plain one: their ratio.

    A plain ``F_h x F_w`` convolution from ``C_in`` to ``C_out`` channels has
    ``F_h * F_w * C_in * C_out`` weights; a depthwise-separable one (depth
    multiplier 1) has ``F_h * F_w * C_in + C_in * C_out``. Their ratio,
    separable over plain and biases left out, is
    ``1 / C_out + 1 / (F_h * F_w)``, whatever ``C_in``: about 1/9 for a
    3 x 3 kernel and many filters. The multiply-adds have the same ratio,
    since both layers use each weight once per output position. (With a
    depth multiplier ``M`` the separable layer has ``M`` times the weights.)

    Taught in notebooks/10_convolution_variants.ipynb, section 3.

    Parameters
    ----------
    kernel_size : int or (int, int)
        ``F`` for an F x F kernel, or ``(height, width)``.
    filters : int
        ``C_out``.

    Returns
    -------
    float
        ``separable_params(kernel_size, C_in, filters, use_bias=False)`` over
        ``conv2d_params(kernel_size, C_in, filters, use_bias=False)``, for any
        ``C_in``; a value between 0 and 2.
    """
    height, width = int_pair(kernel_size, "kernel_size")
    filters = integer(filters, "filters", minimum=1)
    area = height * width
    # one division of exact integers: the float nearest to 1/C_out + 1/(F_h*F_w)
    return (area + filters) / (area * filters)


def conv2d_macs(
    output_size: int | tuple[int, int],
    kernel_size: int | tuple[int, int],
    in_channels: int,
    filters: int,
    groups: int = 1,
) -> int:
    """Multiply-adds of a 2-D convolution layer for one image.

    Every one of the ``H_out * W_out * C_out`` output values is a dot product
    of ``F * F * C_in`` weights with a patch, so the layer costs
    ``H_out * W_out * C_out * F * F * C_in`` multiply-adds (the bias adds,
    one per output value, are left out, as is usual). In a grouped
    convolution each filter reads only the ``C_in / groups`` channels of its
    group: ``H_out * W_out * C_out * F * F * C_in / groups``.

    Taught in notebooks/03_parameters_and_cost.ipynb, section 5; ``groups`` in
    notebooks/10_convolution_variants.ipynb, section 4.

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
    groups : int, default 1
        Number of channel groups; must divide both ``in_channels`` and
        ``filters``. 1 is the ordinary convolution.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If ``groups`` does not divide both ``in_channels`` and ``filters``.
    """
    out_h, out_w = int_pair(output_size, "output_size")
    height, width = int_pair(kernel_size, "kernel_size")
    in_channels = integer(in_channels, "in_channels", minimum=1)
    filters = integer(filters, "filters", minimum=1)
    groups = _groups(groups, in_channels, filters)
    return out_h * out_w * filters * height * width * (in_channels // groups)


def depthwise_macs(
    output_size: int | tuple[int, int],
    kernel_size: int | tuple[int, int],
    channels: int,
    depth_multiplier: int = 1,
) -> int:
    """Multiply-adds of a depthwise convolution layer for one image.

    Each of the ``H_out * W_out * C * M`` output values is a dot product of
    one ``F_h x F_w`` kernel with a patch of a single input channel, so the
    layer costs ``H_out * W_out * C * M * F_h * F_w`` multiply-adds (bias adds
    left out): the cost of :func:`conv2d_macs` with ``groups = C`` and
    ``C * M`` filters.

    Taught in notebooks/10_convolution_variants.ipynb, section 3.

    Parameters
    ----------
    output_size : int or (int, int)
        ``H_out`` for a square output, or ``(H_out, W_out)``.
    kernel_size : int or (int, int)
        ``F`` for an F x F kernel, or ``(height, width)``.
    channels : int
        ``C``, the input channels.
    depth_multiplier : int, default 1
        ``M``, the output channels per input channel.

    Returns
    -------
    int
    """
    out_h, out_w = int_pair(output_size, "output_size")
    height, width = int_pair(kernel_size, "kernel_size")
    channels = integer(channels, "channels", minimum=1)
    depth_multiplier = integer(depth_multiplier, "depth_multiplier", minimum=1)
    return out_h * out_w * channels * depth_multiplier * height * width


def separable_macs(
    output_size: int | tuple[int, int],
    kernel_size: int | tuple[int, int],
    in_channels: int,
    filters: int,
    depth_multiplier: int = 1,
) -> int:
    """Multiply-adds of a depthwise-separable convolution layer for one image.

    The depthwise step costs ``H_out * W_out * C_in * M * F_h * F_w``
    (:func:`depthwise_macs`) and the 1 x 1 step that follows it, at the same
    ``H_out x W_out`` positions, ``H_out * W_out * C_in * M * C_out``: the sum
    of the two (bias adds left out). Any stride is the depthwise step's, so
    ``output_size`` is the layer's output size.

    Taught in notebooks/10_convolution_variants.ipynb, section 3.

    Parameters
    ----------
    output_size : int or (int, int)
        ``H_out`` for a square output, or ``(H_out, W_out)``.
    kernel_size : int or (int, int)
        ``F`` for an F x F kernel, or ``(height, width)``.
    in_channels : int
        ``C_in``.
    filters : int
        ``C_out``, the channels of the 1 x 1 step's output.
    depth_multiplier : int, default 1
        ``M``, the depthwise step's output channels per input channel.

    Returns
    -------
    int
    """
    out_h, out_w = int_pair(output_size, "output_size")
    height, width = int_pair(kernel_size, "kernel_size")
    in_channels = integer(in_channels, "in_channels", minimum=1)
    filters = integer(filters, "filters", minimum=1)
    depth_multiplier = integer(depth_multiplier, "depth_multiplier", minimum=1)
    middle = in_channels * depth_multiplier
    return out_h * out_w * middle * (height * width + filters)


def conv2d_transpose_macs(
    input_size: int | tuple[int, int],
    kernel_size: int | tuple[int, int],
    in_channels: int,
    filters: int,
) -> int:
    """Multiply-adds of a transposed 2-D convolution layer for one image.

    A transposed convolution scatters: each of the ``H_in * W_in * C_in``
    input values is multiplied by an ``F_h x F_w x C_out`` block of weights
    (one block per input channel), and the products are added into the
    output, spaced by the stride. It costs
    ``H_in * W_in * C_in * F_h * F_w * C_out`` multiply-adds whatever the
    stride. The count is taken before any cropping: products that fall on the
    border which ``padding="same"`` crops away are counted too, as an
    implementation that scatters and then crops computes them.

    Taught in notebooks/10_convolution_variants.ipynb, section 2.

    Parameters
    ----------
    input_size : int or (int, int)
        ``H_in`` for a square input, or ``(H_in, W_in)``: the layer's
        *input* size, not its output size.
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
    in_h, in_w = int_pair(input_size, "input_size")
    height, width = int_pair(kernel_size, "kernel_size")
    in_channels = integer(in_channels, "in_channels", minimum=1)
    filters = integer(filters, "filters", minimum=1)
    return in_h * in_w * in_channels * height * width * filters


def dense_macs(n_in: int, n_out: int) -> int:
    """Multiply-adds of a fully connected layer for one example: ``n_in * n_out``.

    Taught in notebooks/03_parameters_and_cost.ipynb, section 5.
    """
    return integer(n_in, "n_in", minimum=1) * integer(n_out, "n_out", minimum=1)


_COUNTED = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose", "Dense")


def _known_shape(layer: object, shape: tuple, which: str) -> tuple[int, ...]:
    """A layer's input or output ``shape`` (batch axis left out) as ints, all of them known."""
    if any(size is None for size in shape):
        raise ValueError(
            f"model layer {layer.name!r} has an unknown {which} size {shape}; "
            "build the model from a keras.Input with a fixed shape"
        )
    return tuple(int(size) for size in shape)


def _spatial_size(layer: object, shape: tuple[int, ...]) -> tuple[int, int]:
    """``(height, width)`` of an image-shaped ``shape``, in the layer's data format."""
    channels_first = getattr(layer, "data_format", "channels_last") == "channels_first"
    return (shape[1], shape[2]) if channels_first else (shape[0], shape[1])


def model_macs(model: object) -> int:
    """Multiply-adds of one forward pass of one example through a built Keras model.

    Every ``Conv2D`` costs ``H_out * W_out * C_out * F_h * F_w * C_in / groups``
    (:func:`conv2d_macs`, with the output size Keras computed, so any stride
    and padding is accounted for). Every ``DepthwiseConv2D`` costs
    :func:`depthwise_macs`, every ``SeparableConv2D`` :func:`separable_macs`
    (its depthwise step and its 1 x 1 step), both at the layer's output size,
    and every ``Conv2DTranspose`` :func:`conv2d_transpose_macs` at the layer's
    *input* size (the products that ``padding="same"`` crops away included).
    Every ``Dense`` costs ``n_in * n_out`` (:func:`dense_macs`) at each
    position it is applied to (once on a flat vector). Layers without weights
    (pooling, Flatten, Add, activations) and ``BatchNormalization`` are
    counted as 0: they do a few additions or comparisons per value, not dot
    products. Lesson 07 compares LeNet-5, the lesson 05 ConvNet, VGG-16 and
    ResNet-50 with it; lesson 10 (notebooks/10_convolution_variants.ipynb,
    section 6) measures a separable version of the lesson 05 ConvNet.

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
        If a layer's output size (a ``Conv2DTranspose``'s input size) is
        unknown, or a layer with weights is not one of those above (a
        ``Conv1D``, say): the message names the layer.
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
        if kind not in _COUNTED:
            if layer.weights and kind != "BatchNormalization":
                raise ValueError(
                    "model_macs counts Conv2D, DepthwiseConv2D, SeparableConv2D, "
                    f"Conv2DTranspose and Dense layers; layer {layer.name!r} is a {kind} "
                    "with weights"
                )
            continue
        if kind == "Conv2DTranspose":
            # kernel (F_h, F_w, C_out, C_in); the cost follows the input size
            in_shape = _known_shape(layer, tuple(layer.input.shape[1:]), "input")
            f_h, f_w, c_out, c_in = (int(size) for size in layer.kernel.shape)
            total += conv2d_transpose_macs(_spatial_size(layer, in_shape), (f_h, f_w), c_in, c_out)
            continue
        shape = _known_shape(layer, tuple(layer.output.shape[1:]), "output")
        if kind == "Dense":
            n_in, n_out = (int(size) for size in layer.kernel.shape)
            total += math.prod(shape[:-1]) * dense_macs(n_in, n_out)
            continue
        out_size = _spatial_size(layer, shape)
        if kind == "DepthwiseConv2D":
            # kernel (F_h, F_w, C, M)
            f_h, f_w, channels, multiplier = (int(size) for size in layer.kernel.shape)
            total += depthwise_macs(out_size, (f_h, f_w), channels, multiplier)
        elif kind == "SeparableConv2D":
            # depthwise kernel (F_h, F_w, C_in, M), pointwise kernel (1, 1, C_in * M, C_out)
            f_h, f_w, c_in, multiplier = (int(size) for size in layer.depthwise_kernel.shape)
            c_out = int(layer.pointwise_kernel.shape[-1])
            total += separable_macs(out_size, (f_h, f_w), c_in, c_out, multiplier)
        else:  # Conv2D; a grouped one's kernel is (F_h, F_w, C_in / groups, C_out)
            f_h, f_w, group_in, c_out = (int(size) for size in layer.kernel.shape)
            groups = int(getattr(layer, "groups", 1))
            total += conv2d_macs(out_size, (f_h, f_w), group_in * groups, c_out, groups=groups)
    return total
