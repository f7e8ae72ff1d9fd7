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
