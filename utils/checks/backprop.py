"""Lesson 09: the gradient of a kernel, and a backward pass mended by gradient checking.

:func:`check_kernel_gradient` checks the gradient of a strided 2-D
cross-correlation with respect to its kernel, worked out with loops;
:func:`check_dense_relu_backward` checks a corrected backward pass of a dense
layer followed by a ReLU, gradient by gradient, against numerical gradients.
"""

from __future__ import annotations

import numpy as np

from utils._validate import integer, real_array
from utils.checks._core import (
    CheckResult,
    answer_numbers,
    correct,
    is_unanswered,
    reference_correlate,
    student_call,
    unanswered,
    wrong,
)
from utils.gradients import numerical_gradient, relative_error

TOLERANCE = 1e-7  # a correct backward pass, checked in float64


def check_kernel_gradient(answer: object, x: object, d_out: object, stride: int = 1) -> CheckResult:
    """Check the gradient of a strided cross-correlation with respect to its kernel (lesson 09).

    ``out[i, j] = sum_{u, v} x[i * S + u, j * S + v] * kernel[u, v]`` ('valid',
    stride ``S``), and ``d_out`` is the gradient of a loss with respect to
    ``out``. The reference is a numerical gradient of ``sum(out * d_out)``,
    with the forward pass computed by SciPy's ``correlate2d``. The verdict
    recognises a kernel gradient turned round by 180 degrees (a convolution
    instead of a cross-correlation), one that leaves out the stride, a mean
    instead of a sum, and the shapes of the input and output gradients.

    Parameters
    ----------
    answer : array_like, shape (F_h, F_w)
        The student's gradient with respect to the kernel.
    x : array_like, shape (H, W)
        The input of the cross-correlation.
    d_out : array_like, shape (H_out, W_out)
        The gradient with respect to its output.
    stride : int, default 1
    """
    image = real_array(x, "x").astype(float)
    gradient = real_array(d_out, "d_out").astype(float)
    stride = integer(stride, "stride", minimum=1)
    if image.ndim != 2 or gradient.ndim != 2:
        raise ValueError(
            f"x and d_out must be 2-D arrays, got shapes {image.shape} and {gradient.shape}"
        )
    kernel_shape = tuple(
        n - stride * (m - 1) for n, m in zip(image.shape, gradient.shape, strict=True)
    )
    if min(kernel_shape) < 1 or min(gradient.shape) < 1:
        raise ValueError(
            f"d_out of shape {gradient.shape} is too large for x of shape {image.shape} "
            f"at stride {stride}"
        )
    values = answer_numbers(answer, "the gradient with respect to the kernel")
    if isinstance(values, CheckResult):
        return values
    if values.shape != kernel_shape:
        hint = ""
        if values.shape == image.shape:
            hint = " That is the shape of the input gradient d_x."
        elif values.shape == gradient.shape:
            hint = " That is the shape of the output gradient d_out."
        return wrong(
            f"the gradient with respect to the kernel has the kernel's shape, {kernel_shape}, "
            f"got {values.shape}.{hint}"
        )
    expected = numerical_gradient(
        lambda kernel: np.sum(reference_correlate(image, kernel)[::stride, ::stride] * gradient),
        np.zeros(kernel_shape),
        eps=1.0,  # the loss is linear in the kernel: any step is exact
    )
    if np.allclose(values, expected):
        return correct(
            "each weight collects x times d_out over every position where it was used: "
            "d_kernel[u, v] = sum_ij d_out[i, j] * x[i * S + u, j * S + v]."
        )
    if np.allclose(values, expected[::-1, ::-1]):
        return wrong(
            "your gradient is turned round by 180 degrees. Weight [u, v] meets "
            "x[i * S + u, j * S + v] at output (i, j): read x forwards from the window's "
            "top-left corner, as the forward pass does."
        )
    if np.allclose(values * gradient.size, expected):
        return wrong(
            "you took the mean over the output positions. The kernel is used at every "
            "position and each use adds its share: sum them."
        )
    if stride > 1:
        no_stride = numerical_gradient(
            lambda kernel: np.sum(
                reference_correlate(image, kernel)[: gradient.shape[0], : gradient.shape[1]]
                * gradient
            ),
            np.zeros(kernel_shape),
            eps=1.0,
        )
        if np.allclose(values, no_stride):
            return wrong(
                f"the stride is missing. The window of output (i, j) starts at row "
                f"i * {stride} and column j * {stride} of x, not at (i, j)."
            )
    bad = np.argwhere(~np.isclose(values, expected))
    row, col = (int(v) for v in bad[0])
    return wrong(
        f"{len(bad)} of {expected.size} values differ; the first at [{row}, {col}]: "
        f"expected {expected[row, col]:.4g}, got {values[row, col]:.4g}."
    )


def _dense_relu(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.maximum(x @ w + b, 0.0)


def _student_gradients(function: object, arrays: tuple) -> tuple | CheckResult:
    """Call the student's backward pass; its three gradients as float arrays, or a verdict."""
    result = student_call(function, arrays)
    if isinstance(result, CheckResult):
        return result
    if not isinstance(result, tuple | list) or len(result) != 3:
        return wrong(
            f"your function returned {type(result).__name__}; return the three gradients "
            "(d_x, d_w, d_b) as a tuple."
        )
    try:
        return tuple(np.asarray(value, dtype=float) for value in result)
    except (TypeError, ValueError):
        return wrong("the three gradients must be arrays of numbers.")


def check_dense_relu_backward(function: object, x: object, w: object, b: object) -> CheckResult:
    """Check a backward pass of ``out = relu(x @ w + b)`` by gradient checking (lesson 09).

    ``function(x, w, b, d_out)`` must return ``(d_x, d_w, d_b)``, the
    gradients of ``sum(out * d_out)``. Each is compared with a numerical
    gradient (centred differences in float64) at the given point for a fixed
    random ``d_out``: every relative error must be below 1e-7. The verdict
    names each gradient that fails, with its relative error, and recognises a
    gradient that skips the ReLU and a bias gradient averaged over the batch.

    Parameters
    ----------
    function : callable
        The student's backward pass.
    x : array_like, shape (N, n_in)
    w : array_like, shape (n_in, n_out)
    b : array_like, shape (n_out,)
    """
    x = real_array(x, "x").astype(float)
    w = real_array(w, "w").astype(float)
    b = real_array(b, "b").astype(float)
    if x.ndim != 2 or 0 in x.shape:
        raise ValueError(f"x must be a non-empty 2-D array (N, n_in), got shape {x.shape}")
    if w.ndim != 2 or w.shape[0] != x.shape[1] or w.shape[1] == 0:
        raise ValueError(f"w must have shape ({x.shape[1]}, n_out) for this x, got shape {w.shape}")
    if b.shape != (w.shape[1],):
        raise ValueError(f"b must have shape ({w.shape[1]},), one per unit, got shape {b.shape}")
    if is_unanswered(function):
        return unanswered("the corrected backward pass")
    if not callable(function):
        return wrong(f"expected a function (x, w, b, d_out), got {type(function).__name__}.")
    d_out = np.random.default_rng(0).normal(size=(x.shape[0], w.shape[1]))
    answer = _student_gradients(function, (x, w, b, d_out))
    if isinstance(answer, CheckResult):
        return answer
    numerical = (
        numerical_gradient(lambda v: _dense_relu(v, w, b), x, d_out),
        numerical_gradient(lambda v: _dense_relu(x, v, b), w, d_out),
        numerical_gradient(lambda v: _dense_relu(x, w, v), b, d_out),
    )
    z_mask = (x @ w + b) > 0
    skipped = {"d_x": d_out @ w.T, "d_w": x.T @ d_out, "d_b": d_out.sum(axis=0)}
    problems = []
    for name, mine, reference in zip(("d_x", "d_w", "d_b"), answer, numerical, strict=True):
        if mine.shape != reference.shape:
            problems.append(f"{name} should have shape {reference.shape}, got {mine.shape}")
            continue
        error = relative_error(mine, reference)
        if error < TOLERANCE:
            continue
        why = ""
        if np.allclose(mine, skipped[name]):
            why = ": it skips the ReLU; use d_z = d_out * (z > 0), the gradient after the ReLU"
        elif name == "d_b" and np.allclose(mine * x.shape[0], reference):
            why = ": it is the mean over the batch; each example adds its share, so sum them"
        problems.append(f"{name} fails the gradient check (relative error {error:.2g}){why}")
    if not problems:
        active = int(z_mask.sum())
        return correct(
            f"d_x, d_w and d_b all pass the gradient check (relative errors below 1e-7; "
            f"{active} of {z_mask.size} units active)."
        )
    return wrong("; ".join(problems) + ".")
