"""The plain convolution in NumPy: padding, cross-correlation, the layer, im2col, backward.

Taught in notebooks/01_convolution_math.ipynb, 02_padding_and_stride.ipynb,
03_parameters_and_cost.ipynb (im2col) and 09_how_a_convnet_learns.ipynb
(col2im and the backward pass).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from utils._validate import int_pair, integer, real_array
from utils.conv._arrays import (
    bias_vector,
    image_and_kernel,
    kernel_fits,
    layer_arrays,
    output_hw,
    pad_for,
    spatial_padding,
)


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
    rows, cols = spatial_padding(padding)
    widths = [(0, 0)] * array.ndim
    first = 1 if array.ndim == 4 else 0
    widths[first], widths[first + 1] = rows, cols
    return np.pad(array, widths, mode="constant", constant_values=0)


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
    image, kernel = image_and_kernel(image, kernel)
    stride = integer(stride, "stride", minimum=1)
    widths = pad_for(image.shape, kernel.shape, padding, stride)
    padded = pad(image.astype(np.float64), widths)
    kernel_fits(padded.shape, kernel.shape, padding)
    windows = sliding_window_view(padded, kernel.shape)[::stride, ::stride]
    return np.einsum("ijuv,uv->ij", windows, kernel.astype(np.float64))


def conv2d(
    x: object,
    kernel: object,
    bias: object = None,
    stride: int = 1,
    padding: int | str = "valid",
    dilation: int = 1,
) -> np.ndarray:
    """A convolutional layer's forward pass, as ``keras.layers.Conv2D`` computes it.

    ``out[n, i, j, o] = bias[o]
    + sum_{u, v, c} padded[n, i*S + u*d, j*S + v*d, c] * kernel[u, v, c, o]``,
    with ``d`` the dilation (1 for an ordinary convolution).

    Taught in notebooks/01_convolution_math.ipynb, section 6 (channels and filters),
    and (dilation) notebooks/10_convolution_variants.ipynb, section 1.
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
    dilation : int, default 1
        Step between two taps of the kernel, at least 1: Keras'
        ``dilation_rate``. Keras refuses ``stride > 1`` with ``dilation > 1``;
        here both at once are allowed (the taps are ``d`` apart, the filter
        positions ``S`` apart).

    Returns
    -------
    numpy.ndarray of float, shape (N, H_out, W_out, C_out)
        ``H_out = output_size(H, F_h, padding, stride, dilation)``, likewise ``W_out``.
    """
    x, kernel = layer_arrays(x, kernel)
    kernel_h, kernel_w, _, n_filters = kernel.shape
    bias = bias_vector(bias, n_filters, "one value per filter")
    stride = integer(stride, "stride", minimum=1)
    dilation = integer(dilation, "dilation", minimum=1)
    patches = im2col(
        x.astype(np.float64),
        (kernel_h, kernel_w),
        stride=stride,
        padding=padding,
        dilation=dilation,
    )
    # One matrix product: (N*H_out*W_out, F_h*F_w*C_in) @ (F_h*F_w*C_in, C_out).
    out = patches @ kernel.astype(np.float64).reshape(-1, n_filters)
    out_h, out_w = output_hw(x.shape[1:3], (kernel_h, kernel_w), padding, stride, dilation)
    return out.reshape(x.shape[0], out_h, out_w, n_filters) + bias


def im2col(
    x: object,
    kernel_size: int | tuple[int, int],
    stride: int = 1,
    padding: object = "valid",
    dilation: int = 1,
) -> np.ndarray:
    """Unroll every filter position of a batch into one row: the patches matrix.

    Row ``(n * H_out + i) * W_out + j`` holds the patch under the filter at
    output position ``(i, j)`` of image ``n``, read in the order
    ``(u, v, c)`` (kernel row, kernel column, channel). That is the order of
    ``kernel.reshape(-1, C_out)`` for a Keras kernel ``(F_h, F_w, C_in, C_out)``,
    so a whole convolutional layer is one matrix product::

        im2col(x, F) @ kernel.reshape(-1, C_out)  ->  (N*H_out*W_out, C_out)

    and a reshape to ``(N, H_out, W_out, C_out)`` gives its output. With a
    dilation ``d`` the patch reads every ``d``-th value: tap ``(u, v)`` is
    the value at ``(i*S + u*d, j*S + v*d)`` of the padded image.

    Taught in notebooks/03_parameters_and_cost.ipynb, section 6, and
    (dilation) notebooks/10_convolution_variants.ipynb, section 1.

    Parameters
    ----------
    x : array_like, shape (N, H, W, C_in)
        A batch of channels-last images.
    kernel_size : int or (int, int)
        ``F`` for an F x F filter, or ``(F_h, F_w)``.
    stride : int, default 1
    padding : {'valid', 'same', 'full'}, int or ((top, bottom), (left, right)), default 'valid'
        As in :func:`conv2d` ('same' pads like Keras).
    dilation : int, default 1
        Step between two taps of the kernel, at least 1.

    Returns
    -------
    numpy.ndarray, shape (N * H_out * W_out, F_h * F_w * C_in)
        ``H_out = output_size(H, F_h, padding, stride, dilation)``, likewise ``W_out``.
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
    dilation = integer(dilation, "dilation", minimum=1)
    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    widths = pad_for(array.shape[1:3], kernel_hw, padding, stride, dilation)
    out_h, out_w = output_hw(array.shape[1:3], kernel_hw, padding, stride, dilation)
    if widths != ((0, 0), (0, 0)):
        array = pad(array, widths)
    array = np.ascontiguousarray(array)
    n, _, _, channels = array.shape
    s_n, s_h, s_w, s_c = array.strides
    # A read-only view (N, H_out, W_out, F_h, F_w, C): no copy until the reshape.
    windows = as_strided(
        array,
        shape=(n, out_h, out_w, kernel_hw[0], kernel_hw[1], channels),
        strides=(s_n, s_h * stride, s_w * stride, s_h * dilation, s_w * dilation, s_c),
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
    (top, bottom), (left, right) = pad_for((height, width), kernel_hw, padding, stride)
    out_h, out_w = output_hw((height, width), kernel_hw, padding, stride)
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
    x, kernel = layer_arrays(x, kernel)
    stride = integer(stride, "stride", minimum=1)
    kernel_h, kernel_w, _, n_filters = kernel.shape
    out_h, out_w = output_hw(x.shape[1:3], (kernel_h, kernel_w), padding, stride)
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
