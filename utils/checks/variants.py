"""Lesson 10: a transposed convolution written as loops, and a separable layer's parameters.

:func:`check_transposed_convolution` checks a student's transposed
convolution of one channel against SciPy (a true convolution of the input
with zeros put between its values); :func:`check_separable_params` checks a
parameter count of ``keras.layers.SeparableConv2D`` against Keras' own count.
"""

from __future__ import annotations

import numpy as np

from utils._validate import integer
from utils.checks._core import (
    CheckResult,
    correct,
    is_unanswered,
    student_array,
    unanswered,
    wrong,
)


def _spread(y: np.ndarray, stride: int) -> np.ndarray:
    """``y`` with ``stride - 1`` zeros between neighbouring values."""
    spread = np.zeros(((y.shape[0] - 1) * stride + 1, (y.shape[1] - 1) * stride + 1))
    spread[::stride, ::stride] = y
    return spread


def _reference_transposed(y: np.ndarray, kernel: np.ndarray, stride: int) -> np.ndarray:
    """The transposed convolution, uncropped, by SciPy: a 'full' convolution of the spread input."""
    from scipy.signal import convolve2d

    return convolve2d(_spread(y, stride), kernel, mode="full")


def _transposed_cases() -> list[tuple[np.ndarray, np.ndarray, int]]:
    rng = np.random.default_rng(10)
    return [
        (rng.integers(-3, 4, (2, 2)).astype(float), rng.integers(-3, 4, (3, 3)).astype(float), 1),
        (rng.integers(-3, 4, (3, 4)).astype(float), rng.integers(-3, 4, (3, 3)).astype(float), 2),
        (rng.normal(size=(3, 3)), rng.normal(size=(2, 2)), 3),
        (rng.normal(size=(4, 3)), rng.normal(size=(4, 4)), 2),
    ]


def check_transposed_convolution(function: object) -> CheckResult:
    """Check a student's ``transposed_conv(y, kernel, stride)`` of one channel (lesson 10).

    Every value ``y[i, j]`` adds ``y[i, j] * kernel`` onto the window of the
    output at ``(i * stride, j * stride)``; nothing is cropped, so the output
    is ``((H - 1) * stride + F_h, (W - 1) * stride + F_w)``. The reference is
    SciPy's ``convolve2d(..., mode='full')`` of ``y`` with ``stride - 1``
    zeros put between its values: a true convolution, with the kernel turned
    round, of the spread-out input. The verdict recognises the kernel turned
    round (a cross-correlation of the spread input), a stride left out, the
    output cropped to ``H * stride`` ('same').

    Parameters
    ----------
    function : callable ``(y (H, W), kernel (F_h, F_w), stride) -> array``
    """
    if is_unanswered(function):
        return unanswered("the transposed convolution function")
    if not callable(function):
        return wrong(
            "expected a function transposed_conv(y, kernel, stride), "
            f"got {type(function).__name__}."
        )
    for y, kernel, stride in _transposed_cases():
        expected = _reference_transposed(y, kernel, stride)
        where = (
            f"a {y.shape[0]} x {y.shape[1]} input, a {kernel.shape[0]} x {kernel.shape[1]} "
            f"kernel, stride {stride}"
        )
        answer = student_array(lambda a, k, s=stride: function(a, k, s), (y, kernel), where)
        if isinstance(answer, CheckResult):
            return answer
        if answer.shape != expected.shape:
            hint = ""
            if answer.shape == (y.shape[0] * stride, y.shape[1] * stride):
                hint = (
                    " That is the input's size times the stride, Keras' 'same' output: this "
                    "exercise crops nothing."
                )
            elif answer.shape == (
                y.shape[0] + kernel.shape[0] - 1,
                y.shape[1] + kernel.shape[1] - 1,
            ):
                hint = " That is the size at stride 1: the windows start stride pixels apart."
            return wrong(
                f"on {where} the output should have shape {expected.shape}, "
                f"((H - 1) * stride + F_h, (W - 1) * stride + F_w), got {answer.shape}.{hint}"
            )
        if np.allclose(answer, expected):
            continue
        flipped = _reference_transposed(y, kernel[::-1, ::-1], stride)
        if np.allclose(answer, flipped):
            return wrong(
                f"on {where} your output has the kernel turned round by 180 degrees: "
                "y[i, j] adds y[i, j] * kernel[u, v] at (i * stride + u, j * stride + v)."
            )
        bad = np.flatnonzero(~np.isclose(answer, expected))
        row, col = np.unravel_index(int(bad[0]), expected.shape)
        return wrong(
            f"on {where}, {bad.size} of {expected.size} values differ; the first at "
            f"[{row}, {col}]: expected {expected[row, col]:.4g}, got {answer[row, col]:.4g}."
        )
    return correct(
        f"your transposed convolution matches SciPy's on {len(_transposed_cases())} cases, "
        "strides 1 to 3."
    )


def check_separable_params(
    answer: object, kernel_size: int, in_channels: int, filters: int
) -> CheckResult:
    """Check the parameters of ``SeparableConv2D(filters, kernel_size)`` (lesson 10).

    The reference is Keras' ``count_params()`` of the layer built on
    ``in_channels`` channels (with its bias, depth multiplier 1). The verdict recognises the
    plain ``Conv2D``'s count, a count without the bias, a bias counted for the
    depthwise step too (Keras has none there), and the depthwise or the
    pointwise step alone.

    Parameters
    ----------
    answer : int
        The student's count.
    kernel_size : int
        ``F`` of the F x F depthwise kernel, at least 1.
    in_channels : int
        ``C``, the channels of the layer's input, at least 1.
    filters : int
        ``C'``, the channels of its output, at least 1.
    """
    k = integer(kernel_size, "kernel_size", minimum=1)
    c = integer(in_channels, "in_channels", minimum=1)
    c_out = integer(filters, "filters", minimum=1)
    if is_unanswered(answer):
        return unanswered("the number of parameters")
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return wrong(f"expected a whole number, got {type(answer).__name__} {answer!r}.")
    import keras

    layer = keras.layers.SeparableConv2D(c_out, k)
    layer.build((None, k, k, c))
    expected = int(layer.count_params())
    if answer == expected:
        return correct(
            f"{k}*{k}*{c} depthwise weights + {c}*{c_out} pointwise weights + {c_out} biases "
            f"= {expected:,}."
        )
    hints = {
        k * k * c * c_out + c_out: "that is the plain Conv2D's count, k*k*C*C' + C'. A separable "
        "layer filters each channel on its own (k*k*C), then mixes channels with a 1 x 1 "
        "convolution (C*C').",
        expected - c_out: "the pointwise step has one bias per output channel: add C'.",
        expected + c: "Keras' SeparableConv2D has no bias in its depthwise step, only C' after "
        "the pointwise one.",
        k * k * c + c_out: "that is the depthwise step alone; add the 1 x 1 pointwise "
        "convolution's C*C' weights.",
        c * c_out
        + c_out: "that is the pointwise step alone; add the depthwise kernels' k*k*C weights.",
    }
    hint = hints.get(
        int(answer), "count the depthwise kernels, the pointwise kernel and the biases."
    )
    return wrong(f"{answer:,} is not it: {hint}")
