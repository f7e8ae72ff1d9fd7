"""Gradient checking: numerical gradients by centred differences, and their relative error.

A backward pass written by hand is checked against the definition of the
derivative. Each value of the input is nudged by ``+eps`` and ``-eps`` in
turn and the function evaluated twice:

    df/dx[i]  ~  (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

The error of this centred difference shrinks as ``eps**2`` (a one-sided
difference only as ``eps``), until rounding takes over: work in float64,
where rounding costs about ``1e-16 * |f| / eps``; in float32 it is ``1e-7 *
|f| / eps``, and no ``eps`` gives a useful check.

The two gradients are compared by their relative error
``max |a - b| / max(1e-8, max(|a| + |b|))``: the largest difference between them
over the largest value of ``|a| + |b|`` (the floor of 1e-8 keeps two zero
gradients from dividing by zero). One rule reads it, the same in lesson 09:
1e-7 or less (checked in float64) means the backward pass is right; between
1e-7 and 1e-4, look again; 1e-4 or more means a bug, unless a kink (a ReLU at
0, a tie in a max pooling) lies within ``eps`` of an input.

Taught in notebooks/09_how_a_convnet_learns.ipynb, section 2; the tests of
``utils.conv.conv2d_backward`` and ``utils.pooling.max_pool2d_backward`` use
it too.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from utils._validate import number, real_array

DEFAULT_EPS = 1e-5


def _point(x: object) -> np.ndarray:
    """A float copy of ``x`` to nudge: float32 stays float32, anything else becomes float64."""
    array = real_array(x, "x", booleans=False)
    if array.size == 0:
        raise ValueError(f"x must not be empty, got shape {array.shape}")
    dtype = np.float32 if array.dtype == np.float32 else np.float64
    return np.array(array, dtype=dtype, copy=True)


def numerical_gradient(
    f: Callable[[np.ndarray], object],
    x: object,
    d_out: object = None,
    eps: float = DEFAULT_EPS,
) -> np.ndarray:
    """The gradient of ``f`` at ``x`` by centred differences, one value of ``x`` at a time.

    Parameters
    ----------
    f : callable
        Called with an array of the shape of ``x``. Without ``d_out`` it
        returns a number (a loss). With ``d_out`` it returns an array of the
        shape of ``d_out`` (a layer's output), and the function whose gradient
        is taken is ``sum(f(x) * d_out)``: the result is then what a backward
        pass returns for the output gradient ``d_out``.
    x : array_like
        The point. It is copied, as float64 (float32 stays float32, to show
        why a check needs float64); ``x`` itself is not changed.
    d_out : array_like, optional
        The gradient with respect to ``f``'s output, when ``f`` returns an array.
    eps : float, default 1e-5
        The step. Smaller steps cut the error of the formula (as ``eps**2``)
        and raise the rounding error (as ``1 / eps``).

    Returns
    -------
    numpy.ndarray, shape of ``x``
        float64 (float32 if ``x`` was float32). It costs ``2 * x.size`` calls of ``f``.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of one array, got {type(f).__name__} {f!r}")
    point = _point(x)
    step = number(eps, "eps")
    if step <= 0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    weights = None if d_out is None else real_array(d_out, "d_out").astype(np.float64)

    def value(at: np.ndarray) -> float:
        result = np.asarray(f(at))
        if weights is None:
            if result.size != 1:
                raise ValueError(
                    f"f must return a number when no d_out is given, got an array of shape "
                    f"{result.shape}; pass d_out to check a function that returns an array"
                )
            return float(result.reshape(()))
        if result.shape != weights.shape:
            raise ValueError(
                f"d_out must have the shape of f's output, {result.shape}, "
                f"got shape {weights.shape}"
            )
        return float(np.sum(result.astype(np.float64) * weights))

    gradient = np.zeros_like(point)
    values, slopes = point.reshape(-1), gradient.reshape(-1)  # views of the two arrays
    for index in range(values.size):
        kept = values[index]
        values[index] = kept + step
        above = value(point)
        values[index] = kept - step
        below = value(point)
        values[index] = kept
        slopes[index] = (above - below) / (2 * step)
    return gradient


def relative_error(a: object, b: object) -> float:
    """The relative error of two gradients: ``max |a - b| / max(1e-8, max(|a| + |b|))``.

    The largest difference between the two, over the largest value of
    ``|a| + |b|``: a difference is measured against the size of the gradient,
    so the number means the same for a gradient of size 1e-3 and one of size
    1e3. (The CS231n notes take the ratio value by value instead, which is
    stricter for the values of a gradient that are much smaller than the
    rest: there rounding alone can reach 1e-7.) The floor of 1e-8 keeps two
    zero gradients from dividing by zero.

    Parameters
    ----------
    a, b : array_like, the same shape
        Two gradients of the same thing, typically a backward pass's and a
        :func:`numerical_gradient`.

    Returns
    -------
    float
        0 when they are equal; 1 when one of them is zero and the other is
        not. Read by the module's one rule: 1e-7 or less (checked in float64)
        means the backward pass is right; between 1e-7 and 1e-4, look again;
        1e-4 or more means a bug, unless a kink lies within ``eps`` of an input.
    """
    first = real_array(a, "a").astype(np.float64)
    second = real_array(b, "b").astype(np.float64)
    if first.shape != second.shape:
        raise ValueError(f"a and b must have the same shape, got {first.shape} and {second.shape}")
    if first.size == 0:
        raise ValueError("a and b must not be empty, got two empty arrays")
    scale = max(1e-8, float(np.max(np.abs(first) + np.abs(second))))
    return float(np.max(np.abs(first - second))) / scale


def gradient_error(
    f: Callable[[np.ndarray], object],
    x: object,
    analytic: object,
    d_out: object = None,
    eps: float = DEFAULT_EPS,
) -> float:
    """The relative error of a gradient ``analytic`` against the numerical one of ``f`` at ``x``.

    ``relative_error(analytic, numerical_gradient(f, x, d_out, eps))``: the
    one-line gradient check that lesson 09 and the tests use.

    Parameters
    ----------
    f, x, d_out, eps
        As in :func:`numerical_gradient`.
    analytic : array_like, shape of ``x``
        The gradient a backward pass computed.

    Returns
    -------
    float
        See :func:`relative_error`.
    """
    expected = real_array(analytic, "analytic")
    shape = np.shape(real_array(x, "x", booleans=False))
    if expected.shape != shape:
        raise ValueError(f"analytic must have the shape of x, {shape}, got shape {expected.shape}")
    return relative_error(expected, numerical_gradient(f, x, d_out, eps))
