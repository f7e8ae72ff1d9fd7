"""Convolution arithmetic in NumPy: padding, output sizes, convolutions and their variants.

The lessons write each of these out by hand first; this package collects them
so that later lessons can import them (``from utils.conv import conv2d``).
Every function says which lesson teaches it. The submodules hold them by
family:

- :mod:`utils.conv.sizes`: output sizes and padding, dilated and transposed
  included (:func:`output_size`, :func:`axis_padding`,
  :func:`effective_kernel_size`, :func:`transposed_output_size`);
- :mod:`utils.conv.plain`: the plain convolution (:func:`pad`,
  :func:`cross_correlate2d`, :func:`conv2d`, :func:`im2col`, :func:`col2im`,
  :func:`conv2d_backward`), lessons 01 to 03 and 09; its arithmetic reads top
  to bottom there, and its argument checks close the file;
- :mod:`utils.conv.variants`: the transposed and the depthwise convolution
  (:func:`conv2d_transpose`, :func:`depthwise_conv2d`), lesson 10.

:func:`output_size` is the one definition of a convolution's output length:
the functions that need one call it, on each axis of a 2-D image.

Shapes follow Keras' channels-last layout throughout: a batch of images is
``(N, H, W, C)`` and a convolution kernel is ``(F, F, C_in, C_out)``; a
transposed convolution's kernel is ``(F, F, C_out, C_in)`` and a depthwise
one ``(F, F, C_in, depth_multiplier)``, as in Keras.
"""

from utils.conv.plain import col2im, conv2d, conv2d_backward, cross_correlate2d, im2col, pad
from utils.conv.sizes import (
    PADDING_NAMES,
    TRANSPOSED_PADDING_NAMES,
    axis_padding,
    effective_kernel_size,
    output_size,
    transposed_output_size,
)
from utils.conv.variants import conv2d_transpose, depthwise_conv2d

__all__ = [
    "PADDING_NAMES",
    "TRANSPOSED_PADDING_NAMES",
    "axis_padding",
    "col2im",
    "conv2d",
    "conv2d_backward",
    "conv2d_transpose",
    "cross_correlate2d",
    "depthwise_conv2d",
    "effective_kernel_size",
    "im2col",
    "output_size",
    "pad",
    "transposed_output_size",
]
