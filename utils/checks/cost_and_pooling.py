"""Lessons 03 and 04: parameter counts, pooling, and a Dense layer written as a convolution.

Lesson 03 (parameters and cost) checks a count of a model's parameters;
lesson 04 (ReLU, pooling and invariance) checks a pooling worked by hand and
a Dense kernel rewritten as the kernel of a 'valid' convolution.
"""

from __future__ import annotations

import numpy as np

from utils._validate import integer, one_of, real_array
from utils.checks._core import (
    CheckResult,
    answer_numbers,
    correct,
    parameter_count_precheck,
    weight_counts,
    wrong,
)


def check_param_count(answer: object, model: object) -> CheckResult:
    """Check a count of the parameters of a Keras ``model`` (lesson 03).

    The reference is Keras' own count, ``model.count_params()``. The verdict
    recognises a count without the biases and one that forgets that a
    convolution filter spans every input channel.

    Parameters
    ----------
    answer : int
        The student's total.
    model : keras.Model
        A built model.
    """
    verdict = parameter_count_precheck(answer, model)
    if verdict is not None:
        return verdict
    expected = int(model.count_params())  # type: ignore[union-attr]
    total, no_bias, no_depth = weight_counts(model)
    if int(answer) == expected:
        return correct(f"the model has {expected:,} parameters.")
    if int(answer) == no_bias:
        return wrong(
            f"{int(answer):,} counts the weights but not the biases: each filter and each "
            "dense unit has one bias too (the + 1)."
        )
    if int(answer) == no_depth:
        return wrong(
            f"{int(answer):,} counts F * F weights per convolution filter; a filter spans "
            "every input channel, so it has F * F * C_in weights."
        )
    return wrong(
        f"{int(answer):,} is not the number of parameters. Add up (F * F * C_in + 1) * C_out "
        "for each Conv2D and (n_in + 1) * n_out for each Dense; pooling and Flatten have none."
    )


def _pool_by_loops(x: np.ndarray, pool_size: int, reduce: str) -> np.ndarray:
    out_h, out_w = x.shape[0] // pool_size, x.shape[1] // pool_size
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            window = x[i * pool_size : (i + 1) * pool_size, j * pool_size : (j + 1) * pool_size]
            out[i, j] = window.max() if reduce == "max" else window.mean()
    return out


def check_pooling(answer: object, x: object, mode: str = "max", pool_size: int = 2) -> CheckResult:
    """Check a pooling of the 2-D array ``x`` worked by hand (lesson 04).

    The reference is a loop over the non-overlapping windows (stride =
    ``pool_size``); the verdict recognises the other kind of pooling, a
    window that slides by one instead of jumping, and a wrong shape.

    Parameters
    ----------
    answer : array_like, shape (H // pool_size, W // pool_size)
    x : array_like, shape (H, W)
    mode : {'max', 'avg'}
    pool_size : int, default 2
    """
    mode = one_of(mode, "mode", ("max", "avg"))
    array = real_array(x, "x").astype(float)
    if array.ndim != 2:
        raise ValueError(f"x must be a 2-D array, got shape {array.shape}")
    pool_size = integer(pool_size, "pool_size", minimum=1, maximum=min(array.shape))
    name = "max pooling" if mode == "max" else "average pooling"
    values = answer_numbers(answer, f"the {name}")
    if isinstance(values, CheckResult):
        return values
    expected = _pool_by_loops(array, pool_size, mode)
    if values.shape != expected.shape:
        hint = ""
        if values.shape == (array.shape[0] - pool_size + 1, array.shape[1] - pool_size + 1):
            hint = f" The windows jump by the stride, {pool_size}, not by 1."
        return wrong(f"the output should have shape {expected.shape}, got {values.shape}.{hint}")
    if np.allclose(values, expected):
        return correct(f"that is the {pool_size}x{pool_size} {name} of the array.")
    other = _pool_by_loops(array, pool_size, "avg" if mode == "max" else "max")
    if np.allclose(values, other):
        kind = "averages" if mode == "max" else "maxima"
        return wrong(f"those are the {kind} of the windows; this exercise asks for {name}.")
    bad = np.argwhere(~np.isclose(values, expected))
    row, col = (int(v) for v in bad[0])
    return wrong(
        f"{len(bad)} of {expected.size} values differ; the first at [{row}, {col}]: "
        f"expected {expected[row, col]:g}, got {values[row, col]:g}."
    )


def check_dense_as_conv_kernel(
    answer: object, dense_kernel: object, input_shape: tuple[int, int, int]
) -> CheckResult:
    """Check a Dense kernel rewritten as a 'valid' Conv2D kernel (lesson 04).

    A Dense layer on a flattened ``(H, W, C)`` volume is a ``Conv2D`` whose
    filters are as big as the volume: its kernel is
    ``dense_kernel.reshape(H, W, C, n_out)``. The reference checks the
    defining property by an independent route, multiplying random volumes by
    both weights.

    Parameters
    ----------
    answer : array_like, shape (H, W, C, n_out)
    dense_kernel : array_like, shape (H * W * C, n_out)
    input_shape : (H, W, C)
    """
    kernel = real_array(dense_kernel, "dense_kernel").astype(float)
    if not isinstance(input_shape, tuple | list):
        raise TypeError(
            f"input_shape must be (height, width, channels), three positive ints, "
            f"got {type(input_shape).__name__} {input_shape!r}"
        )
    if len(input_shape) != 3:
        raise ValueError(
            f"input_shape must be (height, width, channels), three positive ints, "
            f"got {input_shape!r}"
        )
    height, width, channels = (
        integer(size, f"input_shape[{i}]", minimum=1) for i, size in enumerate(input_shape)
    )
    if kernel.ndim != 2 or kernel.shape[0] != height * width * channels:
        raise ValueError(
            f"dense_kernel must have shape ({height * width * channels}, n_out) for "
            f"input_shape {tuple(input_shape)}, got shape {kernel.shape}"
        )
    values = answer_numbers(answer, "the convolution kernel")
    if isinstance(values, CheckResult):
        return values
    n_out = kernel.shape[1]
    expected_shape = (height, width, channels, n_out)
    if values.shape != expected_shape:
        return wrong(
            f"a Conv2D kernel is (F_h, F_w, C_in, C_out): here {expected_shape}, "
            f"got {values.shape}."
        )
    volumes = np.random.default_rng(0).normal(size=(3, height, width, channels))
    dense_out = volumes.reshape(3, -1) @ kernel
    conv_out = np.einsum("nhwc,hwco->no", volumes, values)
    if np.allclose(conv_out, dense_out):
        return correct("the 'valid' convolution with this kernel gives the Dense layer's outputs.")
    return wrong(
        "the shape is right but the numbers are in the wrong places: Flatten reads the volume "
        "row by row, then column, then channel, so reshape the (n_in, n_out) kernel directly to "
        "(H, W, C, n_out), without transposing it."
    )
