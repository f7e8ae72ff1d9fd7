"""Convolution arithmetic in NumPy: padding, output sizes, 2-D cross-correlation.

The lessons write each of these out by hand first; this module collects them
so that later lessons can import them. Every function says which lesson
teaches it.

Shapes follow Keras' channels-last layout throughout: a batch of images is
``(N, H, W, C)`` and a convolution kernel is ``(F, F, C_in, C_out)``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from utils._validate import int_pair, integer, one_of, real_array

PADDING_NAMES = ("valid", "same", "full")

# ((top, bottom), (left, right)) zeros around the two spatial axes.
SpatialPadding = tuple[tuple[int, int], tuple[int, int]]


def _padding_rule(padding: object) -> int | str:
    """``padding`` as a non-negative int or one of :data:`PADDING_NAMES`."""
    if isinstance(padding, str):
        return one_of(padding, "padding", PADDING_NAMES)
    if isinstance(padding, (bool, np.bool_)) or not isinstance(padding, (int, np.integer)):
        raise TypeError(
            f"padding must be an int or one of 'valid', 'same', 'full', "
            f"got {type(padding).__name__} {padding!r}"
        )
    return integer(padding, "padding", minimum=0)


def axis_padding(
    n: int, kernel_size: int, padding: int | str = 0, stride: int = 1
) -> tuple[int, int]:
    """Zeros added before and after one axis: ``padding`` on each side, or by a padding rule.

    ``'valid'`` adds none and ``'full'`` adds ``F - 1`` on each side. ``'same'``
    is Keras' rule (TensorFlow's too): the output is ``ceil(n / stride)`` long,
    which takes ``total = max((ceil(n / stride) - 1) * stride + F - n, 0)``
    zeros; when ``total`` is odd the extra zero goes *after* (bottom, right).

    Taught in notebooks/02_padding_and_stride.ipynb, section 3.

    Parameters
    ----------
    n : int
        Length of the input along the axis (its height or width), at least 1.
    kernel_size : int
        Length ``F`` of the kernel along the same axis, at least 1.
    padding : int or {'valid', 'same', 'full'}, default 0
        Zeros on each side, or the name of a padding rule.
    stride : int, default 1
        Step between two filter positions, at least 1.

    Returns
    -------
    (before, after) : tuple of int
        Zeros added before (top or left) and after (bottom or right).
    """
    n = integer(n, "n", minimum=1)
    kernel_size = integer(kernel_size, "kernel_size", minimum=1)
    stride = integer(stride, "stride", minimum=1)
    padding = _padding_rule(padding)
    if padding == "valid":
        return 0, 0
    if padding == "full":
        return kernel_size - 1, kernel_size - 1
    if padding == "same":
        total = max((math.ceil(n / stride) - 1) * stride + kernel_size - n, 0)
        return total // 2, total - total // 2
    return padding, padding


def output_size(n: int, kernel_size: int, padding: int | str = 0, stride: int = 1) -> int:
    """Length of a convolution's output along one axis.

    With ``P`` zeros on each side: ``floor((W - F + 2P) / S) + 1``, where ``W``
    is ``n``, ``F`` is ``kernel_size`` and ``S`` is ``stride``. The names
    ``'valid'`` (``P = 0``), ``'full'`` (``P = F - 1``) and ``'same'`` (Keras'
    rule: ``ceil(W / S)``, see :func:`axis_padding`) are accepted too, and
    agree with ``keras.layers.Conv2D`` at every stride.

    Taught in notebooks/02_padding_and_stride.ipynb, sections 1 to 3.

    Parameters
    ----------
    n : int
        Input length ``W`` (height or width), at least 1.
    kernel_size : int
        Kernel length ``F``, at least 1.
    padding : int or {'valid', 'same', 'full'}, default 0
        Zeros added on each side, or the name of a padding rule.
    stride : int, default 1
        Step ``S`` between two filter positions, at least 1.

    Returns
    -------
    int
        The output length, at least 1.

    Raises
    ------
    ValueError
        If the kernel is longer than the padded input.
    """
    before, after = axis_padding(n, kernel_size, padding, stride)
    if padding == "same":
        return math.ceil(n / stride)
    padded = n + before + after
    if kernel_size > padded:
        raise ValueError(
            f"kernel_size {kernel_size} is bigger than the padded input "
            f"({n} + {before + after} padding = {padded}); padding={padding!r}"
        )
    return (padded - kernel_size) // stride + 1


def _spatial_padding(padding: object) -> SpatialPadding:
    if isinstance(padding, (bool, np.bool_)):
        raise TypeError(
            f"padding must be an int or ((top, bottom), (left, right)), got {padding!r}"
        )
    if isinstance(padding, (int, np.integer)):
        amount = integer(padding, "padding", minimum=0)
        return (amount, amount), (amount, amount)
    try:
        (top, bottom), (left, right) = padding  # type: ignore[misc]
        amounts = [top, bottom, left, right]
    except (TypeError, ValueError):
        raise TypeError(
            f"padding must be an int or ((top, bottom), (left, right)), got {padding!r}"
        ) from None
    top, bottom, left, right = (
        integer(amount, f"padding[{index // 2}][{index % 2}]", minimum=0)
        for index, amount in enumerate(amounts)
    )
    return (top, bottom), (left, right)


def pad(image: object, padding: object) -> np.ndarray:
    """Surround an image, or the spatial axes of channels-last images, with zeros.

    Taught in notebooks/01_convolution_math.ipynb, section 3 (the worked example).

    Parameters
    ----------
    image : array_like, shape (H, W), (H, W, C) or (N, H, W, C)
        One grey image, one channels-last image, or a channels-last batch.
    padding : int or ((top, bottom), (left, right))
        Zeros on every side, or on each side separately (Keras' 'same'
        padding can put one more zero at the bottom and right).

    Returns
    -------
    numpy.ndarray, shape (H + top + bottom, W + left + right, ...)
        The padded array, same dtype; only the two spatial axes grow.
    """
    array = real_array(image, "image")
    if array.ndim not in (2, 3, 4):
        raise ValueError(
            "image must have shape (H, W), (H, W, C) or (N, H, W, C), "
            f"got shape {array.shape} ({array.ndim}-D)"
        )
    rows, cols = _spatial_padding(padding)
    widths = [(0, 0)] * array.ndim
    first = 1 if array.ndim == 4 else 0
    widths[first], widths[first + 1] = rows, cols
    return np.pad(array, widths, mode="constant", constant_values=0)


def _of_rank(value: object, name: str, ndim: int, rule: str) -> np.ndarray:
    """``value`` as a real array with ``ndim`` axes; otherwise "``name`` must ``rule``"."""
    array = real_array(value, name)
    if array.ndim != ndim:
        raise ValueError(f"{name} must {rule}, got shape {array.shape}")
    return array


def _not_empty(first: np.ndarray, kernel: np.ndarray, names: str) -> None:
    if 0 in first.shape or 0 in kernel.shape:
        raise ValueError(f"{names} must not be empty, got shapes {first.shape} and {kernel.shape}")


def _image_and_kernel(image: object, kernel: object) -> tuple[np.ndarray, np.ndarray]:
    image = _of_rank(image, "image", 2, "be a 2-D array (height, width)")
    kernel = _of_rank(kernel, "kernel", 2, "be a 2-D array (height, width)")
    _not_empty(image, kernel, "image and kernel")
    return image, kernel


def _pad_for(
    image_shape: tuple[int, int], kernel_shape: tuple[int, int], padding: object, stride: int
) -> SpatialPadding:
    if isinstance(padding, str):
        return (
            axis_padding(image_shape[0], kernel_shape[0], padding, stride),
            axis_padding(image_shape[1], kernel_shape[1], padding, stride),
        )
    return _spatial_padding(padding)


def _kernel_fits(padded_shape: tuple[int, ...], kernel_shape: tuple[int, ...], padding: object):
    if kernel_shape[0] > padded_shape[0] or kernel_shape[1] > padded_shape[1]:
        raise ValueError(
            f"kernel of shape {tuple(kernel_shape)} is bigger than the padded image of shape "
            f"{tuple(padded_shape)} (padding={padding!r})"
        )


def cross_correlate2d(
    image: object, kernel: object, stride: int = 1, padding: int | str = 0
) -> np.ndarray:
    """Slide ``kernel`` over ``image`` and sum the element-wise products.

    ``out[i, j] = sum_{u, v} padded[i * S + u, j * S + v] * kernel[u, v]``.
    This is what deep-learning libraries call a convolution.

    Taught in notebooks/01_convolution_math.ipynb, section 2 (the loop) and
    notebooks/02_padding_and_stride.ipynb (stride and padding).

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (F_h, F_w)
    stride : int, default 1
    padding : int, ((top, bottom), (left, right)) or {'valid', 'same', 'full'}, default 0

    Returns
    -------
    numpy.ndarray of float, shape (output_size(H, F_h, padding, stride), \
output_size(W, F_w, padding, stride))
    """
    image, kernel = _image_and_kernel(image, kernel)
    stride = integer(stride, "stride", minimum=1)
    widths = _pad_for(image.shape, kernel.shape, padding, stride)
    padded = pad(image.astype(np.float64), widths)
    _kernel_fits(padded.shape, kernel.shape, padding)
    windows = sliding_window_view(padded, kernel.shape)[::stride, ::stride]
    return np.einsum("ijuv,uv->ij", windows, kernel.astype(np.float64))


def _layer_arrays(x: object, kernel: object) -> tuple[np.ndarray, np.ndarray]:
    """``x`` (N, H, W, C_in) and ``kernel`` (F_h, F_w, C_in, C_out) of a layer, checked."""
    x = _of_rank(x, "x", 4, "have shape (N, H, W, C_in)")
    kernel = _of_rank(kernel, "kernel", 4, "have shape (F_h, F_w, C_in, C_out)")
    _not_empty(x, kernel, "x and kernel")
    if kernel.shape[2] != x.shape[3]:
        raise ValueError(
            f"kernel has {kernel.shape[2]} input channels but x has {x.shape[3]}: "
            f"kernel.shape[2] must equal x.shape[3] (kernel {kernel.shape}, x {x.shape})"
        )
    return x, kernel


def conv2d(
    x: object,
    kernel: object,
    bias: object = None,
    stride: int = 1,
    padding: int | str = "valid",
) -> np.ndarray:
    """A convolutional layer's forward pass, as ``keras.layers.Conv2D`` computes it.

    ``out[n, i, j, o] = bias[o]
    + sum_{u, v, c} padded[n, i*S + u, j*S + v, c] * kernel[u, v, c, o]``.

    Taught in notebooks/01_convolution_math.ipynb, section 6 (channels and filters).
    It is computed as :func:`im2col` and one matrix product, in float64
    (notebooks/03_parameters_and_cost.ipynb, section 6).

    Parameters
    ----------
    x : array_like, shape (N, H, W, C_in)
        A batch of channels-last images.
    kernel : array_like, shape (F_h, F_w, C_in, C_out)
        Keras' layout: ``layer.get_weights()[0]``.
    bias : array_like, shape (C_out,), optional
        One bias per filter; zero when omitted.
    stride : int, default 1
    padding : {'valid', 'same'} or int, default 'valid'
        'same' pads like Keras (the extra zero at the bottom and right).

    Returns
    -------
    numpy.ndarray of float, shape (N, H_out, W_out, C_out)
        ``H_out = output_size(H, F_h, padding, stride)``, likewise ``W_out``.
    """
    x, kernel = _layer_arrays(x, kernel)
    n_filters = kernel.shape[3]
    if bias is None:
        bias = np.zeros(n_filters)
    bias = real_array(bias, "bias")
    if bias.shape != (n_filters,):
        raise ValueError(
            f"bias must have shape ({n_filters},), one value per filter, got shape {bias.shape}"
        )
    stride = integer(stride, "stride", minimum=1)
    kernel_h, kernel_w, _, n_filters = kernel.shape
    patches = im2col(x.astype(np.float64), (kernel_h, kernel_w), stride=stride, padding=padding)
    # One matrix product: (N*H_out*W_out, F_h*F_w*C_in) @ (F_h*F_w*C_in, C_out).
    out = patches @ kernel.astype(np.float64).reshape(-1, n_filters)
    out_h, out_w = _output_hw(x.shape[1:3], (kernel_h, kernel_w), padding, stride)
    return out.reshape(x.shape[0], out_h, out_w, n_filters) + bias.astype(np.float64)


def _output_hw(
    image_hw: tuple[int, int], kernel_hw: tuple[int, int], padding: object, stride: int
) -> tuple[int, int]:
    (top, bottom), (left, right) = _pad_for(image_hw, kernel_hw, padding, stride)
    padded_h, padded_w = image_hw[0] + top + bottom, image_hw[1] + left + right
    _kernel_fits((padded_h, padded_w), kernel_hw, padding)
    return (padded_h - kernel_hw[0]) // stride + 1, (padded_w - kernel_hw[1]) // stride + 1


def im2col(
    x: object, kernel_size: int | tuple[int, int], stride: int = 1, padding: object = "valid"
) -> np.ndarray:
    """Unroll every filter position of a batch into one row: the patches matrix.

    Row ``(n * H_out + i) * W_out + j`` holds the patch under the filter at
    output position ``(i, j)`` of image ``n``, read in the order
    ``(u, v, c)`` (kernel row, kernel column, channel). That is the order of
    ``kernel.reshape(-1, C_out)`` for a Keras kernel ``(F_h, F_w, C_in, C_out)``,
    so a whole convolutional layer is one matrix product::

        im2col(x, F) @ kernel.reshape(-1, C_out)  ->  (N*H_out*W_out, C_out)

    and a reshape to ``(N, H_out, W_out, C_out)`` gives its output.

    Taught in notebooks/03_parameters_and_cost.ipynb, section 6.

    Parameters
    ----------
    x : array_like, shape (N, H, W, C_in)
        A batch of channels-last images.
    kernel_size : int or (int, int)
        ``F`` for an F x F filter, or ``(F_h, F_w)``.
    stride : int, default 1
    padding : {'valid', 'same', 'full'}, int or ((top, bottom), (left, right)), default 'valid'
        As in :func:`conv2d` ('same' pads like Keras).

    Returns
    -------
    numpy.ndarray, shape (N * H_out * W_out, F_h * F_w * C_in)
        ``H_out = output_size(H, F_h, padding, stride)``, likewise ``W_out``.
        A float32 or float64 input keeps its dtype (float32 is the fast
        path); any other real dtype becomes float64. Each input value is
        copied once per filter position that covers it (about ``F_h * F_w``
        times at stride 1).
    """
    array = real_array(x, "x")
    if array.ndim != 4:
        raise ValueError(f"x must have shape (N, H, W, C_in), got shape {array.shape}")
    if 0 in array.shape:
        raise ValueError(f"x must not be empty, got shape {array.shape}")
    kernel_hw = int_pair(kernel_size, "kernel_size")
    stride = integer(stride, "stride", minimum=1)
    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    widths = _pad_for(array.shape[1:3], kernel_hw, padding, stride)
    out_h, out_w = _output_hw(array.shape[1:3], kernel_hw, padding, stride)
    if widths != ((0, 0), (0, 0)):
        array = pad(array, widths)
    array = np.ascontiguousarray(array)
    n, _, _, channels = array.shape
    s_n, s_h, s_w, s_c = array.strides
    # A read-only view (N, H_out, W_out, F_h, F_w, C): no copy until the reshape.
    windows = as_strided(
        array,
        shape=(n, out_h, out_w, kernel_hw[0], kernel_hw[1], channels),
        strides=(s_n, s_h * stride, s_w * stride, s_h, s_w, s_c),
        writeable=False,
    )
    return windows.reshape(n * out_h * out_w, kernel_hw[0] * kernel_hw[1] * channels)


def col2im(
    cols: object,
    x_shape: tuple[int, int, int, int],
    kernel_size: int | tuple[int, int],
    stride: int = 1,
    padding: object = "valid",
) -> np.ndarray:
    """Add every row of a patches matrix back where :func:`im2col` read it: its adjoint.

    Row ``(n * H_out + i) * W_out + j`` of ``cols`` is added, value by value,
    onto the window of image ``n`` under the filter at output position
    ``(i, j)``; where windows overlap, their values add up, and what falls on
    the zero padding is dropped. That makes ``col2im`` the *adjoint* (the
    transpose) of ``im2col``, not its inverse:
    ``sum(im2col(x) * y) == sum(x * col2im(y, x.shape, ...))`` for every
    ``x`` and ``y``, and ``col2im(im2col(x), ...)`` is ``x`` times the number
    of windows that cover each pixel. It is how the gradient with respect to
    the patches becomes the gradient with respect to the input in
    :func:`conv2d_backward`.

    Taught in notebooks/09_how_a_convnet_learns.ipynb, section 5.

    Parameters
    ----------
    cols : array_like, shape (N * H_out * W_out, F_h * F_w * C)
        A patches matrix, in the layout of :func:`im2col`.
    x_shape : (N, H, W, C)
        The shape of the images the patches came from.
    kernel_size : int or (int, int)
        ``F`` for an F x F filter, or ``(F_h, F_w)``.
    stride : int, default 1
    padding : {'valid', 'same', 'full'}, int or ((top, bottom), (left, right)), default 'valid'
        As in :func:`im2col`.

    Returns
    -------
    numpy.ndarray, shape x_shape
        float32 or float64 as ``cols`` (any other real dtype becomes float64).
    """
    array = real_array(cols, "cols")
    if not isinstance(x_shape, (tuple, list)) or len(x_shape) != 4:
        raise ValueError(f"x_shape must be a shape (N, H, W, C), four ints, got {x_shape!r}")
    n, height, width, channels = (
        integer(size, f"x_shape[{index}]", minimum=1) for index, size in enumerate(x_shape)
    )
    kernel_hw = int_pair(kernel_size, "kernel_size")
    stride = integer(stride, "stride", minimum=1)
    (top, bottom), (left, right) = _pad_for((height, width), kernel_hw, padding, stride)
    out_h, out_w = _output_hw((height, width), kernel_hw, padding, stride)
    expected = (n * out_h * out_w, kernel_hw[0] * kernel_hw[1] * channels)
    if array.shape != expected:
        raise ValueError(
            f"cols must have shape {expected} for x_shape {tuple(x_shape)}, kernel_size "
            f"{kernel_hw}, stride {stride} and padding {padding!r}, got shape {array.shape}"
        )
    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    windows = array.reshape(n, out_h, out_w, kernel_hw[0], kernel_hw[1], channels)
    padded = np.zeros((n, height + top + bottom, width + left + right, channels), array.dtype)
    # One addition per kernel position (u, v): F_h * F_w slices, each strided by the stride.
    for u in range(kernel_hw[0]):
        for v in range(kernel_hw[1]):
            padded[:, u : u + stride * out_h : stride, v : v + stride * out_w : stride, :] += (
                windows[:, :, :, u, v, :]
            )
    return padded[:, top : top + height, left : left + width, :]


def conv2d_backward(
    x: object,
    kernel: object,
    d_out: object,
    stride: int = 1,
    padding: int | str = "valid",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The backward pass of :func:`conv2d`: the gradients with respect to its input and weights.

    Given ``d_out``, the gradient of a loss with respect to the output of
    ``conv2d(x, kernel, bias, stride, padding)``, it returns the gradients of
    that loss with respect to ``x``, ``kernel`` and ``bias`` (the bias does
    not enter them, so it is not an argument). With ``P = im2col(x)`` and
    ``G = d_out.reshape(-1, C_out)``:

    - ``d_kernel = P.T @ G``: each weight collects input value times output
      gradient over every position where it was used, the cross-correlation
      of the input with the output gradient;
    - ``d_bias = G.sum(axis=0)``;
    - ``d_x = col2im(G @ kernel.reshape(-1, C_out).T)``: each output gradient
      is spread back over the window it came from, weighted by the kernel; at
      stride 1 that is the 'full' cross-correlation of ``d_out`` with the
      kernel turned round by 180 degrees, a true convolution.

    Computed in float64, like :func:`conv2d`. Taught in
    notebooks/09_how_a_convnet_learns.ipynb, sections 1 (by loops) and 5
    (with im2col and :func:`col2im`).

    Parameters
    ----------
    x : array_like, shape (N, H, W, C_in)
        The layer's input.
    kernel : array_like, shape (F_h, F_w, C_in, C_out)
        Keras' layout, as in :func:`conv2d`.
    d_out : array_like, shape (N, H_out, W_out, C_out)
        The gradient with respect to the layer's output.
    stride : int, default 1
    padding : {'valid', 'same'} or int, default 'valid'
        As in :func:`conv2d`.

    Returns
    -------
    (d_x, d_kernel, d_bias) : tuple of numpy.ndarray of float64
        Shapes (N, H, W, C_in), (F_h, F_w, C_in, C_out) and (C_out,): those
        of ``x``, ``kernel`` and the bias.
    """
    x, kernel = _layer_arrays(x, kernel)
    stride = integer(stride, "stride", minimum=1)
    kernel_h, kernel_w, _, n_filters = kernel.shape
    out_h, out_w = _output_hw(x.shape[1:3], (kernel_h, kernel_w), padding, stride)
    gradient = real_array(d_out, "d_out")
    expected = (x.shape[0], out_h, out_w, n_filters)
    if gradient.shape != expected:
        raise ValueError(
            f"d_out must have the shape of the layer's output, (N, H_out, W_out, C_out) = "
            f"{expected}, got shape {gradient.shape}"
        )
    patches = im2col(x.astype(np.float64), (kernel_h, kernel_w), stride=stride, padding=padding)
    rows = gradient.astype(np.float64).reshape(-1, n_filters)
    kernel_matrix = kernel.astype(np.float64).reshape(-1, n_filters)
    d_kernel = (patches.T @ rows).reshape(kernel.shape)
    d_bias = rows.sum(axis=0)
    d_x = col2im(rows @ kernel_matrix.T, x.shape, (kernel_h, kernel_w), stride, padding)
    return d_x, d_kernel, d_bias
