"""Lessons 01 and 02: the cross-correlation loop, output sizes and receptive fields.

Lesson 01 (the mathematics of convolution) checks a student's
cross-correlation loop; lesson 02 (padding and stride) checks a formula for
the output size and the receptive field of a stack of layers (lesson 06 uses
that one again, and lesson 10 with dilated convolutions).
"""

from __future__ import annotations

import numpy as np

from utils._validate import integer
from utils.checks._core import (
    CheckResult,
    correct,
    is_unanswered,
    reference_correlate,
    student_array,
    unanswered,
    wrong,
)


def _cross_correlation_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(2024)
    # Non-square images and an asymmetric kernel: a flipped kernel, swapped axes
    # and a wrong range all give a visibly different answer.
    return [
        (
            rng.integers(-3, 4, size=(6, 7)).astype(float),
            np.array([[1.0, 2, 0], [0, 1, -1], [3, 0, 1]]),
        ),
        (rng.integers(-3, 4, size=(5, 4)).astype(float), np.array([[2.0, -1], [0, 1]])),
        (
            rng.integers(-3, 4, size=(4, 4)).astype(float),
            np.array([[1.0, 0, -2], [4, 1, 0], [0, 0, 1]]),
        ),
    ]


def check_cross_correlation(function: object) -> CheckResult:
    """Check a student's ``cross_correlate(image, kernel)`` ('valid', stride 1) (lesson 01).

    The reference is :func:`scipy.signal.correlate2d` with ``mode='valid'``.
    The verdict says what is wrong: not a function, an error, the wrong shape
    (one row or column too many or too few, or the padded size), the flipped
    kernel of a true convolution, or wrong values at the border only.

    Parameters
    ----------
    function : callable ``(image (H, W), kernel (F_h, F_w)) -> array (H - F_h + 1, W - F_w + 1)``
    """
    if is_unanswered(function):
        return unanswered("the cross-correlation function")
    if not callable(function):
        return wrong(
            f"expected a function cross_correlate(image, kernel), got {type(function).__name__}."
        )
    for image, kernel in _cross_correlation_cases():
        expected = reference_correlate(image, kernel)
        where = (
            f"a {image.shape[0]}x{image.shape[1]} image and "
            f"a {kernel.shape[0]}x{kernel.shape[1]} kernel"
        )
        answer = student_array(function, (image, kernel), where)
        if isinstance(answer, CheckResult):
            return answer
        if answer.shape != expected.shape:
            rows, cols = expected.shape
            hint = ""
            if answer.shape == image.shape:
                hint = (
                    " That is the input's size: this exercise asks for no padding, "
                    "so the output is (H - F + 1) x (W - F + 1)."
                )
            elif answer.ndim == 2 and answer.shape == (rows - 1, cols - 1):
                hint = (
                    " One row and one column too few: an off-by-one at the border. "
                    "The loop must run over range(H - F + 1), not range(H - F)."
                )
            elif answer.ndim == 2 and answer.shape == (rows + 1, cols + 1):
                hint = (
                    " One row and one column too many: an off-by-one at the border. "
                    "The last window starts at H - F, so use range(H - F + 1)."
                )
            elif answer.shape == expected.shape[::-1]:
                hint = " Rows and columns are swapped: the first axis is the height."
            return wrong(
                f"on {where} the output should have shape {expected.shape}, "
                f"got {answer.shape}.{hint}"
            )
        if np.allclose(answer, expected):
            continue
        convolution = reference_correlate(image, kernel[::-1, ::-1])
        if np.allclose(answer, convolution):
            return wrong(
                "your output equals the true convolution: the kernel is flipped. "
                "Cross-correlation multiplies window[u, v] by kernel[u, v], with no flip."
            )
        if min(expected.shape) > 2 and np.allclose(answer[1:-1, 1:-1], expected[1:-1, 1:-1]):
            return wrong(
                "the interior is right but the border rows or columns are not: "
                "an off-by-one at the border (check where your loops start and end)."
            )
        bad = np.argwhere(~np.isclose(answer, expected))
        row, col = (int(v) for v in bad[0])
        return wrong(
            f"on {where}, {len(bad)} of {expected.size} values differ; the first at "
            f"[{row}, {col}]: expected {expected[row, col]:g}, got {answer[row, col]:g}."
        )
    return correct("your cross-correlation matches scipy.signal.correlate2d on three test cases.")


def _count_positions(n: int, kernel_size: int, padding: int, stride: int) -> int:
    """Count the filter's starting positions one by one (an independent route to the formula)."""
    return len(range(0, n + 2 * padding - kernel_size + 1, stride))


OUTPUT_SIZE_CASES = [
    (7, 3, 0, 1),
    (7, 3, 0, 2),
    (5, 3, 1, 1),
    (8, 3, 0, 2),
    (28, 5, 2, 1),
    (10, 4, 1, 3),
]


def check_output_size(function: object) -> CheckResult:
    """Check a student's ``conv_output_size(W, F, P, S)`` (lesson 02).

    The reference counts the filter's starting positions with ``range``; the
    verdict names the case that fails and the likely slip (no ``+ 1``,
    ``P`` instead of ``2P``, true division instead of floor, rounding up).

    Parameters
    ----------
    function : callable ``(W, F, P, S) -> int``
    """
    if is_unanswered(function):
        return unanswered("the output-size function")
    if not callable(function):
        return wrong(
            f"expected a function conv_output_size(W, F, P, S), got {type(function).__name__}."
        )
    for W, F, P, S in OUTPUT_SIZE_CASES:
        expected = _count_positions(W, F, P, S)
        case = f"W={W}, F={F}, P={P}, S={S}"
        try:
            answer = function(W, F, P, S)
        except Exception as error:  # the student's code: report any failure in words
            return wrong(f"your function raised {type(error).__name__}: {error} (for {case}).")
        if is_unanswered(answer) or answer is None:
            return wrong(f"your function returned {answer!r} for {case}: return the size.")
        if isinstance(answer, (float, np.floating)) and not float(answer).is_integer():
            return wrong(
                f"for {case} you returned {answer}, not a whole number: "
                "round down with // (floor division)."
            )
        if isinstance(answer, (bool, np.bool_)) or not isinstance(
            answer, (int, np.integer, float, np.floating)
        ):
            return wrong(f"for {case} you returned {type(answer).__name__}, expected an int.")
        value = int(answer)
        if value == expected:
            continue
        if P > 0 and value == (W - F + P) // S + 1:
            return wrong(
                f"for {case} you gave {value}, the right size is {expected}: the padding is on "
                "both sides, so it counts 2P."
            )
        if value == expected - 1:
            return wrong(f"for {case} you gave {value}, the right size is {expected}: add the + 1.")
        if value == -(-(W - F + 2 * P) // S) + 1:
            return wrong(
                f"for {case} you gave {value}, the right size is {expected}: round down, not up."
            )
        return wrong(f"for {case} you gave {value}, the right size is {expected}.")
    return correct(f"your formula gives the right size in all {len(OUTPUT_SIZE_CASES)} cases.")


def _receptive_field_by_intervals(layers: list[tuple[int, int, int]]) -> int:
    """Follow one output pixel back through the layers as an interval of input pixels."""
    first, last = 0, 0
    for kernel_size, stride, dilation in reversed(layers):
        span = (kernel_size - 1) * dilation + 1  # the kernel's taps are ``dilation`` apart
        first, last = first * stride, last * stride + span - 1
    return last - first + 1


def check_receptive_field(answer: object, layers: object) -> CheckResult:
    """Check the receptive field of a stack of layers (lessons 02 and 10).

    Parameters
    ----------
    answer : int
        The student's receptive field (its side, in input pixels).
    layers : sequence of (kernel_size, stride) or (kernel_size, stride, dilation)
        The layers from input to output; a 2x2 pooling is ``(2, 2)``. A
        dilated convolution (lesson 10) gives its dilation third; without
        one, the dilation is 1.
    """
    try:
        rows = [tuple(layer) for layer in layers]  # type: ignore[union-attr]
        if any(len(row) not in (2, 3) for row in rows):
            raise ValueError
    except (TypeError, ValueError):
        raise TypeError(
            "layers must be a list of (kernel_size, stride) pairs or "
            f"(kernel_size, stride, dilation) triples, got {layers!r}"
        ) from None
    if not rows:
        raise ValueError(
            f"layers must be non-empty with positive sizes and strides, got {layers!r}"
        )
    stack = [
        (
            integer(row[0], f"layers[{i}][0]", minimum=1),
            integer(row[1], f"layers[{i}][1]", minimum=1),
            integer(row[2], f"layers[{i}][2]", minimum=1) if len(row) == 3 else 1,
        )
        for i, row in enumerate(rows)
    ]
    if is_unanswered(answer):
        return unanswered("the receptive field")
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return wrong(f"expected a whole number of pixels, got {type(answer).__name__} {answer!r}.")
    expected = _receptive_field_by_intervals(stack)
    if answer == expected:
        return correct(f"one output pixel sees {expected}x{expected} input pixels.")
    dilated = any(d > 1 for _, _, d in stack)
    if dilated and answer == _receptive_field_by_intervals([(k, s, 1) for k, s, _ in stack]):
        return wrong(
            f"{answer} leaves out the dilations: a kernel of size F with dilation d spans "
            "F + (F - 1)(d - 1) pixels, so it adds (F - 1) d, not F - 1."
        )
    if answer == 1 + sum((k - 1) * d for k, _, d in stack):
        return wrong(
            f"{answer} would be right if every stride were 1. A stride multiplies the step "
            "of every later layer: add (F - 1) times the product of the earlier strides."
        )
    if answer == sum(k for k, _, _ in stack):
        return wrong(
            f"{answer} adds up the kernel sizes; each layer adds F - 1, "
            "scaled by the strides before it."
        )
    return wrong(f"{answer} is not the receptive field of these {len(stack)} layers.")
