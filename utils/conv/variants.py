"""Convolution variants in NumPy: the transposed and the depthwise convolution.

Taught in notebooks/10_convolution_variants.ipynb, sections 2 and 3. The
dilated convolution is :func:`utils.conv.conv2d` with ``dilation``.
"""

from __future__ import annotations

import numpy as np

from utils._validate import integer
from utils.conv._arrays import bias_vector, layer_arrays, output_hw
from utils.conv.plain import col2im, im2col
from utils.conv.sizes import transposed_output_size


def _transposed_crop(n: int, kernel_size: int, stride: int, size: int, padding: object) -> int:
    """Values cropped from the start of the uncropped ``(n - 1) * stride + kernel_size``."""
    if not isinstance(padding, str):
        return int(padding)  # the textbook p
    # Keras (TensorFlow) computes the input gradient of a convolution of a
    # ``size``-long input: it drops that convolution's 'same' (or 'valid')
    # padding, the smaller half at the start.
    return max((n - 1) * stride + kernel_size - size, 0) // 2


def conv2d_transpose(
    x: object,
    kernel: object,
    bias: object = None,
    stride: int = 1,
    padding: int | str = "valid",
    output_padding: int | None = None,
) -> np.ndarray:
    """A transposed convolution's forward pass, as ``keras.layers.Conv2DTranspose`` computes it.

    Each input value scatters a copy of the kernel, weighted by that value, onto
    the output, and the copies of neighbouring inputs are ``stride`` apart:
    ``full[n, i*S + u, j*S + v, o] += x[n, i, j, c] * kernel[u, v, o, c]``
    over every ``(i, j, u, v, c)``. ``full`` is ``(H - 1) S + F_h`` high (likewise
    wide); the output is ``full`` cropped to :func:`transposed_output_size`: by
    ``padding`` values on each side for an int ``padding`` (the textbook
    ``(i - 1) s - 2p + k (+ output padding)``), and as Keras crops for
    ``'valid'`` and ``'same'``; what the crop reaches past ``full`` (an
    ``output_padding`` larger than the crop, or ``'valid'`` with
    ``stride > F``) is zero.

    It is computed as one matrix product, ``x.reshape(-1, C_in) @
    kernel.reshape(-1, C_in).T`` (one row of kernel copies per input value),
    and :func:`col2im`, which adds those rows onto ``full``. That is exactly
    the input gradient of :func:`conv2d`: for a ``conv2d`` kernel ``K`` of
    shape ``(F_h, F_w, C, C')`` (from ``C`` to ``C'`` channels), the *same
    array* is a ``Conv2DTranspose`` kernel from ``C'`` back to ``C`` channels,
    and ``conv2d_transpose(d_out, K, stride=S, padding=P)`` is the ``d_x`` of
    ``conv2d_backward(x, K, d_out, S, P)`` for an ``x`` with the transposed
    output's shape. So the transposed convolution is the adjoint of the
    convolution: ``sum(conv2d(x, K) * y) == sum(x * conv2d_transpose(y, K))``.

    Taught in notebooks/10_convolution_variants.ipynb, section 2.

    Parameters
    ----------
    x : array_like, shape (N, H, W, C_in)
        A batch of channels-last images.
    kernel : array_like, shape (F_h, F_w, C_out, C_in)
        ``Conv2DTranspose``'s layout (``layer.kernel.shape``): the output
        channels come *before* the input channels.
    bias : array_like, shape (C_out,), optional
        One bias per filter; zero when omitted.
    stride : int, default 1
    padding : {'valid', 'same'} or int, default 'valid'
        Keras' padding names, or the textbook ``p`` cropped from each side.
        For 'same', Keras crops the smaller half at the start (top, left)
        and the larger at the end.
    output_padding : int or None, default None
        Extra rows and columns at the end (bottom, right), ``0 <= op < stride``;
        None is Keras' default.

    Returns
    -------
    numpy.ndarray of float64, shape (N, H_out, W_out, C_out)
        ``H_out = transposed_output_size(H, F_h, padding, stride, output_padding)``,
        likewise ``W_out``.

    Notes
    -----
    With 'same' padding, an even kernel and ``output_padding=0``, Keras gives
    the output shape ``(H - 1) S`` but TensorFlow refuses to run the layer;
    here it is the textbook crop of ``F // 2`` on each side.
    """
    x, kernel = layer_arrays(
        x, kernel, layout="(F_h, F_w, C_out, C_in), Conv2DTranspose's layout", channel_axis=3
    )
    kernel_h, kernel_w, n_filters, channels = kernel.shape
    bias = bias_vector(bias, n_filters, "one value per filter (kernel.shape[2])")
    stride = integer(stride, "stride", minimum=1)
    n, height, width, _ = x.shape
    out_h = transposed_output_size(height, kernel_h, padding, stride, output_padding)
    out_w = transposed_output_size(width, kernel_w, padding, stride, output_padding)
    # One row per input value: its F_h * F_w * C_out kernel-weighted copies.
    rows = x.astype(np.float64).reshape(-1, channels) @ (
        kernel.astype(np.float64).reshape(-1, channels).T
    )
    full_h, full_w = (height - 1) * stride + kernel_h, (width - 1) * stride + kernel_w
    full = col2im(rows, (n, full_h, full_w, n_filters), (kernel_h, kernel_w), stride, "valid")
    top = _transposed_crop(height, kernel_h, stride, out_h, padding)
    left = _transposed_crop(width, kernel_w, stride, out_w, padding)
    out = np.zeros((n, out_h, out_w, n_filters))
    rows_kept, cols_kept = min(out_h, full_h - top), min(out_w, full_w - left)
    out[:, :rows_kept, :cols_kept, :] = full[:, top : top + rows_kept, left : left + cols_kept, :]
    return out + bias


def depthwise_conv2d(
    x: object,
    kernel: object,
    bias: object = None,
    stride: int = 1,
    padding: int | str = "valid",
    dilation: int = 1,
) -> np.ndarray:
    """A depthwise convolution's forward pass, as ``keras.layers.DepthwiseConv2D`` computes it.

    Every input channel gets its own ``depth_multiplier`` filters, and no sum
    runs over the channels:
    ``out[n, i, j, c*M + m] = bias[c*M + m]
    + sum_{u, v} padded[n, i*S + u*d, j*S + v*d, c] * kernel[u, v, c, m]``,
    with ``M`` the depth multiplier, so the output channels of input channel
    ``c`` sit side by side, as in Keras. A depthwise convolution followed by
    a 1 x 1 :func:`conv2d` is ``keras.layers.SeparableConv2D``.

    Taught in notebooks/10_convolution_variants.ipynb, section 3.

    Parameters
    ----------
    x : array_like, shape (N, H, W, C_in)
        A batch of channels-last images.
    kernel : array_like, shape (F_h, F_w, C_in, M)
        Keras' layout (``layer.kernel.shape``), ``M`` the depth multiplier.
    bias : array_like, shape (C_in * M,), optional
        One bias per output channel; zero when omitted.
    stride : int, default 1
    padding : {'valid', 'same'} or int, default 'valid'
        As in :func:`conv2d`.
    dilation : int, default 1
        As in :func:`conv2d` (Keras refuses ``stride > 1`` with ``dilation > 1``;
        this function allows it).

    Returns
    -------
    numpy.ndarray of float64, shape (N, H_out, W_out, C_in * M)
        ``H_out = output_size(H, F_h, padding, stride, dilation)``, likewise ``W_out``.
    """
    x, kernel = layer_arrays(x, kernel, layout="(F_h, F_w, C_in, depth_multiplier)")
    kernel_h, kernel_w, channels, multiplier = kernel.shape
    bias = bias_vector(bias, channels * multiplier, "one value per output channel (C_in * M)")
    stride = integer(stride, "stride", minimum=1)
    dilation = integer(dilation, "dilation", minimum=1)
    patches = im2col(
        x.astype(np.float64),
        (kernel_h, kernel_w),
        stride=stride,
        padding=padding,
        dilation=dilation,
    )
    out_h, out_w = output_hw(x.shape[1:3], (kernel_h, kernel_w), padding, stride, dilation)
    # One matrix product per channel: (C, rows, F_h*F_w) @ (C, F_h*F_w, M) -> (C, rows, M).
    per_channel = patches.reshape(-1, kernel_h * kernel_w, channels).transpose(2, 0, 1)
    weights = kernel.astype(np.float64).reshape(kernel_h * kernel_w, channels, multiplier)
    out = (per_channel @ weights.transpose(1, 0, 2)).transpose(1, 0, 2)
    return out.reshape(x.shape[0], out_h, out_w, channels * multiplier) + bias
