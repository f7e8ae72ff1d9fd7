"""Convolution variants in NumPy: the transposed and the depthwise convolution.

Taught in notebooks/10_convolution_variants.ipynb, sections 2 and 3. The
dilated convolution is :func:`utils.conv.conv2d` with ``dilation``.
"""

from __future__ import annotations

import numpy as np

from utils._validate import integer
from utils.conv.plain import (
    add_patches_back,
    checked_bias,
    checked_layer_arrays,
    checked_padding,
    filter_windows,
)
from utils.conv.sizes import transposed_output_size


def _crop_at_start(n: int, kernel_size: int, stride: int, size: int, padding: object) -> int:
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

    Each input value drops a copy of the kernel, weighted by that value, onto
    the output, the copies of neighbouring inputs ``stride`` apart:
    ``full[n, i*S + u, j*S + v, o] += x[n, i, j, c] * kernel[u, v, o, c]``.
    ``full`` is ``(H - 1) S + F_h`` high (likewise wide); the output is ``full``
    cropped to :func:`transposed_output_size`: by ``padding`` values on each
    side for an int (the textbook ``(i - 1) s - 2p + k (+ output padding)``),
    as Keras crops for 'valid' and 'same' (the smaller half at the start);
    what the crop reaches past ``full`` is zero. ``output_padding``
    (``0 <= op < stride``, None is Keras' default) adds rows and columns at
    the end.

    Computed as one matrix product (one row of kernel copies per input value)
    and :func:`col2im`'s addition, which is exactly the input gradient of
    :func:`conv2d`: a ``conv2d`` kernel ``K`` (F_h, F_w, C, C') is, as the same
    array, a ``Conv2DTranspose`` kernel from C' back to C channels, and
    ``sum(conv2d(x, K) * y) == sum(x * conv2d_transpose(y, K))``: the
    transposed convolution is the adjoint of the convolution.

    Taught in notebooks/10_convolution_variants.ipynb, section 2.

    Shapes: ``x`` (N, H, W, C_in), ``kernel`` (F_h, F_w, C_out, C_in)
    (``Conv2DTranspose``'s layout, output channels first), ``bias`` (C_out,) or
    None for zeros; the output (N, H_out, W_out, C_out), float64, with
    ``H_out = transposed_output_size(H, F_h, padding, stride, output_padding)``.

    Raises ValueError if the shapes disagree, ``output_padding >= stride`` or
    the output would be empty. With 'same', an even kernel and
    ``output_padding=0``, Keras gives the shape ``(H - 1) S`` but TensorFlow
    refuses to run the layer; here it is the textbook crop of ``F // 2`` on
    each side.
    """
    x, kernel = checked_layer_arrays(
        x, kernel, layout="(F_h, F_w, C_out, C_in), Conv2DTranspose's layout", channel_axis=3
    )
    kernel_h, kernel_w, n_filters, channels = kernel.shape
    bias = checked_bias(bias, n_filters, "one value per filter (kernel.shape[2])")
    stride = integer(stride, "stride", minimum=1)
    n, height, width, _ = x.shape
    out_h = transposed_output_size(height, kernel_h, padding, stride, output_padding)
    out_w = transposed_output_size(width, kernel_w, padding, stride, output_padding)

    # One row per input value: its F_h * F_w * C_out kernel-weighted copies.
    rows = x.astype(np.float64).reshape(-1, channels) @ (
        kernel.astype(np.float64).reshape(-1, channels).T
    )
    full_h, full_w = (height - 1) * stride + kernel_h, (width - 1) * stride + kernel_w
    no_padding = ((0, 0), (0, 0))
    full = add_patches_back(
        rows, (n, full_h, full_w, n_filters), (kernel_h, kernel_w), stride, no_padding
    )
    top = _crop_at_start(height, kernel_h, stride, out_h, padding)
    left = _crop_at_start(width, kernel_w, stride, out_w, padding)
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
    ``c`` sit side by side, as in Keras. ``padding`` and ``dilation`` as in
    :func:`conv2d`. A depthwise convolution followed by a 1 x 1 :func:`conv2d`
    is ``keras.layers.SeparableConv2D``.

    Taught in notebooks/10_convolution_variants.ipynb, section 3.

    Shapes: ``x`` (N, H, W, C_in), ``kernel`` (F_h, F_w, C_in, M) (Keras'
    layout), ``bias`` (C_in * M,) or None for zeros; the output (N, H_out,
    W_out, C_in * M), float64, with ``H_out = output_size(H, F_h, padding,
    stride, dilation)``.

    Raises ValueError if the shapes disagree or the kernel is bigger than the
    padded image.
    """
    x, kernel = checked_layer_arrays(x, kernel, layout="(F_h, F_w, C_in, depth_multiplier)")
    kernel_h, kernel_w, channels, multiplier = kernel.shape
    bias = checked_bias(bias, channels * multiplier, "one value per output channel (C_in * M)")
    stride = integer(stride, "stride", minimum=1)
    dilation = integer(dilation, "dilation", minimum=1)
    widths = checked_padding(x.shape[1:3], (kernel_h, kernel_w), padding, stride, dilation)

    windows = filter_windows(x.astype(np.float64), (kernel_h, kernel_w), widths, stride, dilation)
    n, out_h, out_w = windows.shape[:3]
    patches = windows.reshape(n * out_h * out_w, -1)
    # One matrix product per channel: (C, rows, F_h*F_w) @ (C, F_h*F_w, M) -> (C, rows, M).
    per_channel = patches.reshape(-1, kernel_h * kernel_w, channels).transpose(2, 0, 1)
    weights = kernel.astype(np.float64).reshape(kernel_h * kernel_w, channels, multiplier)
    out = (per_channel @ weights.transpose(1, 0, 2)).transpose(1, 0, 2)
    return out.reshape(n, out_h, out_w, channels * multiplier) + bias
