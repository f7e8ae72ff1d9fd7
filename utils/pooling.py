"""Max and average pooling in NumPy, on 2-D arrays and channels-last batches.

Taught in ``notebooks/04_relu_pooling_invariance.ipynb``, where pooling is
first worked by hand on a small array. Both functions slide a
``pool_size x pool_size`` window with the given stride over the spatial axes
('valid' pooling, as Keras does by default) and keep the maximum or the mean:
the output size along each spatial axis is ``floor((n - pool_size) / stride) + 1``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from utils._validate import integer, optional_integer, real_array


def _windows(x: object, pool_size: int, stride: int | None) -> np.ndarray:
    """Strided windows of ``x``: shape (..., out_h, out_w, [C,] pool_size, pool_size)."""
    pool_size = integer(pool_size, "pool_size", minimum=1)
    stride = optional_integer(stride, "stride", minimum=1)
    stride = pool_size if stride is None else stride
    array = real_array(x, "x", booleans=False)
    if array.ndim == 2:
        axes = (0, 1)
    elif array.ndim == 4:
        axes = (1, 2)
    else:
        raise ValueError(
            f"x must be 2-D (height, width) or 4-D (batch, height, width, channels), "
            f"got shape {array.shape}"
        )
    height, width = (array.shape[axis] for axis in axes)
    if pool_size > min(height, width):
        raise ValueError(
            f"pool_size {pool_size} is larger than the input's spatial size {height}x{width}"
        )
    windows = sliding_window_view(array, (pool_size, pool_size), axis=axes)
    if array.ndim == 2:
        return windows[::stride, ::stride]
    return windows[:, ::stride, ::stride]


def max_pool2d(x: object, pool_size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max pooling, like ``keras.layers.MaxPooling2D(pool_size, strides=stride)``.

    Parameters
    ----------
    x : array_like, shape (H, W) or (N, H, W, C)
        A 2-D array, or a channels-last batch of feature maps.
    pool_size : int, default 2
        Side of the square window.
    stride : int, optional
        Step between windows; ``None`` means ``pool_size`` (non-overlapping).

    Returns
    -------
    numpy.ndarray, shape (H', W') or (N, H', W', C)
        With ``H' = floor((H - pool_size) / stride) + 1``, likewise ``W'``;
        the dtype of ``x``.
    """
    return _windows(x, pool_size, stride).max(axis=(-2, -1))


def avg_pool2d(x: object, pool_size: int = 2, stride: int | None = None) -> np.ndarray:
    """Average pooling, like ``keras.layers.AveragePooling2D(pool_size, strides=stride)``.

    Parameters and output shape as :func:`max_pool2d`; the result is a float
    array (the mean of each window).
    """
    return _windows(x, pool_size, stride).mean(axis=(-2, -1))


def max_pool2d_backward(
    x: object, d_out: object, pool_size: int = 2, stride: int | None = None
) -> np.ndarray:
    """The backward pass of :func:`max_pool2d`: each window's gradient goes to its maximum.

    A window's output is its largest value, so a small change of that value
    changes the output by as much, and a change of any other value (small
    enough) changes nothing: the gradient ``d_out`` of each window is routed
    to the position of its maximum, and every other input gets 0. Where a
    window holds its maximum more than once (a tie, such as a window of
    zeros after a ReLU), the gradient goes to the first of them in row-major
    order, as TensorFlow's ``MaxPool`` gradient does; a value covered by
    several overlapping windows collects the gradient of each window whose
    maximum it is.

    Taught in notebooks/09_how_a_convnet_learns.ipynb, section 2.

    Parameters
    ----------
    x : array_like, shape (H, W) or (N, H, W, C)
        The input of the pooling, as given to :func:`max_pool2d`.
    d_out : array_like, shape of ``max_pool2d(x, pool_size, stride)``
        The gradient with respect to the pooling's output.
    pool_size : int, default 2
    stride : int, optional
        ``None`` means ``pool_size``, as in :func:`max_pool2d`.

    Returns
    -------
    numpy.ndarray, shape of ``x``
        The gradient with respect to ``x``: float32 if ``d_out`` is float32,
        else float64. Rows and columns that no window covers get 0.
    """
    windows = _windows(x, pool_size, stride)
    pool_size = int(pool_size)
    stride = pool_size if stride is None else int(stride)
    gradient = real_array(d_out, "d_out", booleans=False)
    pooled_shape = windows.shape[:-2]
    if gradient.shape != pooled_shape:
        raise ValueError(
            f"d_out must have the shape of max_pool2d's output, {pooled_shape}, "
            f"got shape {gradient.shape}"
        )
    dtype = np.float32 if gradient.dtype == np.float32 else np.float64
    array = np.asarray(x)
    batch = array[None, :, :, None] if array.ndim == 2 else array
    grads = gradient[None, :, :, None] if array.ndim == 2 else gradient
    if stride == pool_size:
        d_x = _tiled_backward(batch, grads.astype(dtype, copy=False), pool_size)
    else:
        d_x = _overlapping_backward(batch, grads.astype(dtype, copy=False), pool_size, stride)
    return d_x[0, :, :, 0] if array.ndim == 2 else d_x


def _tiled_backward(x: np.ndarray, d_out: np.ndarray, size: int) -> np.ndarray:
    """Windows that tile the input (stride = pool size): one pass per window position."""
    n, out_h, out_w, channels = d_out.shape
    # (N, out_h, size, out_w, size, C): window (i, j) is [:, i, :, j, :, :].
    tiles = x[:, : out_h * size, : out_w * size, :].reshape(n, out_h, size, out_w, size, channels)
    maxima = tiles[:, :, :1, :, :1, :].copy()  # then the largest of the window, slice by slice
    for u in range(size):
        for v in range(size):
            np.maximum(maxima, tiles[:, :, u : u + 1, :, v : v + 1, :], out=maxima)
    grads = d_out[:, :, None, :, None, :]
    d_tiles = np.zeros(tiles.shape, d_out.dtype)
    taken = np.zeros(maxima.shape, bool)  # windows whose maximum has had its gradient
    for u in range(size):
        for v in range(size):
            hit = tiles[:, :, u : u + 1, :, v : v + 1, :] == maxima
            hit &= ~taken
            taken |= hit
            d_tiles[:, :, u : u + 1, :, v : v + 1, :] = hit * grads
    d_x = np.zeros(x.shape, d_out.dtype)
    d_x[:, : out_h * size, : out_w * size, :] = d_tiles.reshape(n, out_h * size, out_w * size, -1)
    return d_x


def _overlapping_backward(x: np.ndarray, d_out: np.ndarray, size: int, stride: int) -> np.ndarray:
    """Any stride: the first maximum of each window by argmax, gradients summed by bincount."""
    n, out_h, out_w, channels = d_out.shape
    windows = sliding_window_view(x, (size, size), axis=(1, 2))[:, ::stride, ::stride]
    first = windows.reshape(n, out_h, out_w, channels, size * size).argmax(axis=-1)
    rows = np.arange(out_h)[None, :, None, None] * stride + first // size
    cols = np.arange(out_w)[None, None, :, None] * stride + first % size
    images = np.arange(n)[:, None, None, None]
    flat = ((images * x.shape[1] + rows) * x.shape[2] + cols) * channels + np.arange(channels)
    sums = np.bincount(flat.ravel(), weights=d_out.ravel(), minlength=x.size)
    return sums.reshape(x.shape).astype(d_out.dtype)
