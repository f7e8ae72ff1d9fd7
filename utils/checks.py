"""Checkers for the exercises in the notebooks.

A checker takes the student's answer, works out the right answer by an
independent route, and returns a :class:`CheckResult`: true or false, with a
message that says what is right or what is wrong. Jupyter shows the message
when the checker call ends a cell. An answer left as ``...`` (the skeleton's
placeholder) is reported as not yet answered, so a notebook runs from top to
bottom before the student has written anything.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

CORRECT = "✅ Correct"
WRONG = "❌ Not yet"
TODO = "✏️ Not answered yet"


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a checker: ``ok`` and the ``message`` shown to the student.

    It is truthy when the answer is right, so a test can ``assert`` it, and it
    displays as its message in a notebook.
    """

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message


def correct(message: str) -> CheckResult:
    """A passing verdict."""
    return CheckResult(True, f"{CORRECT}: {message}")


def wrong(message: str) -> CheckResult:
    """A failing verdict that says what is wrong."""
    return CheckResult(False, f"{WRONG}: {message}")


def is_unanswered(answer: object) -> bool:
    """Return ``True`` if ``answer`` is still the skeleton's placeholder ``...``."""
    return answer is Ellipsis


def unanswered(what: str) -> CheckResult:
    """The verdict for an exercise whose ``...`` has not been replaced yet."""
    return CheckResult(
        False, f"{TODO}: replace the ... with your code for {what}, then run the cell again."
    )


def check_digit_count(answer: object, labels: object, digit: int) -> CheckResult:
    """Check a count of how many ``labels`` equal ``digit`` (lesson 00's warm-up).

    Parameters
    ----------
    answer : int
        The student's count.
    labels : array_like, shape (n,)
        The labels to count in, for example ``y_train``.
    digit : int
        The digit whose images are counted.
    """
    if is_unanswered(answer):
        return unanswered(f"the number of {digit}s")
    flat = np.asarray(labels).reshape(-1)
    expected = Counter(int(label) for label in flat)[int(digit)]
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        hint = ""
        if getattr(answer, "shape", None):
            hint = " It looks like an array: count with np.sum(...) or np.count_nonzero(...)."
        return wrong(f"expected a whole number, got {type(answer).__name__}.{hint}")
    if int(answer) == expected:
        return correct(f"{expected} images show the digit {digit}.")
    if int(answer) == len(flat):
        return wrong("that is the number of all images; keep only those equal to it.")
    return wrong(f"{int(answer)} is not the number of {digit}s. Compare labels == {digit}.")


# --- Lesson 01: the cross-correlation loop; lesson 02: output sizes, receptive fields ---


def _reference_correlate(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    from scipy.signal import correlate2d

    return correlate2d(image, kernel, mode="valid")


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
        expected = _reference_correlate(image, kernel)
        where = (
            f"a {image.shape[0]}x{image.shape[1]} image and "
            f"a {kernel.shape[0]}x{kernel.shape[1]} kernel"
        )
        try:
            answer = function(image.copy(), kernel.copy())
        except Exception as error:  # the student's code: report any failure in words
            return wrong(f"your function raised {type(error).__name__}: {error} (on {where}).")
        if is_unanswered(answer) or answer is None:
            return wrong(f"your function returned {answer!r}: return the output array.")
        try:
            answer = np.asarray(answer, dtype=float)
        except (TypeError, ValueError):
            return wrong(
                f"your function returned {type(answer).__name__}, not an array of numbers."
            )
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
        convolution = _reference_correlate(image, kernel[::-1, ::-1])
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


def _receptive_field_by_intervals(layers: list[tuple[int, int]]) -> int:
    """Follow one output pixel back through the layers as an interval of input pixels."""
    first, last = 0, 0
    for kernel_size, stride in reversed(layers):
        first, last = first * stride, last * stride + kernel_size - 1
    return last - first + 1


def check_receptive_field(answer: object, layers: object) -> CheckResult:
    """Check the receptive field of a stack of layers (lesson 02).

    Parameters
    ----------
    answer : int
        The student's receptive field (its side, in input pixels).
    layers : sequence of (kernel_size, stride)
        The layers from input to output; a 2x2 pooling is ``(2, 2)``.
    """
    try:
        stack = [(int(k), int(s)) for k, s in layers]  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise TypeError(
            f"layers must be a list of (kernel_size, stride) pairs, got {layers!r}"
        ) from None
    if not stack or any(k < 1 or s < 1 for k, s in stack):
        raise ValueError(
            f"layers must be non-empty with positive sizes and strides, got {layers!r}"
        )
    if is_unanswered(answer):
        return unanswered("the receptive field")
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return wrong(f"expected a whole number of pixels, got {type(answer).__name__} {answer!r}.")
    expected = _receptive_field_by_intervals(stack)
    if answer == expected:
        return correct(f"one output pixel sees {expected}x{expected} input pixels.")
    if answer == 1 + sum(k - 1 for k, _ in stack):
        return wrong(
            f"{answer} would be right if every stride were 1. A stride multiplies the step "
            "of every later layer: add (F - 1) times the product of the earlier strides."
        )
    if answer == sum(k for k, _ in stack):
        return wrong(
            f"{answer} adds up the kernel sizes; each layer adds F - 1, "
            "scaled by the strides before it."
        )
    return wrong(f"{answer} is not the receptive field of these {len(stack)} layers.")


def check_relative_error_decrease(
    answer: object, old_error: float, new_error: float
) -> CheckResult:
    """Check the relative decrease from ``old_error`` to ``new_error`` (lesson 05).

    The relative decrease is ``(old_error - new_error) / old_error``, a fraction:
    from 3% to 1% error it is 2/3, about 0.667 (the lecture's "67%").

    Parameters
    ----------
    answer : float
        The student's fraction.
    old_error, new_error : float
        The error rates before and after, as fractions in (0, 1].

    Raises
    ------
    ValueError
        If ``old_error`` is not positive (there is nothing to decrease).
    """
    old, new = float(old_error), float(new_error)
    if not old > 0:
        raise ValueError(f"old_error must be positive, got {old_error!r}")
    if is_unanswered(answer):
        return unanswered("the relative decrease in error")
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.number)):
        return wrong(f"expected a number, got {type(answer).__name__}.")
    expected = (old - new) / old
    value = float(answer)
    if np.isclose(value, expected, atol=5e-4):
        return correct(f"the error falls by {expected:.3f} of its old value ({expected:.1%}).")
    if np.isclose(value, 100 * expected, atol=0.05):
        return wrong("that is a percentage; give the fraction (divide by 100).")
    if new > 0 and np.isclose(value, (old - new) / new, atol=5e-4):
        return wrong("divide the decrease by the old error, not by the new one.")
    if np.isclose(value, old - new, atol=5e-4):
        return wrong("that is the absolute decrease; divide it by the old error.")
    return wrong(f"{value} is not (old_error - new_error) / old_error.")


# --- Lesson 03: parameter counts; lesson 04: pooling, a dense layer as a convolution ---


def _weight_counts(model: object) -> tuple[int, int, int]:
    """(total, without biases, with each conv filter counted as F*F weights) of a Keras model."""
    total = no_bias = no_depth = 0
    for layer in getattr(model, "layers", []):
        for weight in layer.weights:
            size = int(np.prod(weight.shape))
            total += size
            is_bias = weight.path.endswith("bias")
            no_bias += 0 if is_bias else size
            if not is_bias and type(layer).__name__ == "Conv2D" and len(weight.shape) == 4:
                size = int(weight.shape[0] * weight.shape[1] * weight.shape[3])
            no_depth += size
    return total, no_bias, no_depth


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
    if not hasattr(model, "count_params") or not hasattr(model, "layers"):
        raise TypeError(f"model must be a built Keras model, got {type(model).__name__}")
    if is_unanswered(answer):
        return unanswered("the number of parameters")
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return wrong(f"expected a whole number, got {type(answer).__name__} {answer!r}.")
    expected = int(model.count_params())  # type: ignore[union-attr]
    total, no_bias, no_depth = _weight_counts(model)
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
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    array = np.asarray(x, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"x must be a 2-D array, got shape {array.shape}")
    if isinstance(pool_size, bool) or not isinstance(pool_size, (int, np.integer)):
        raise TypeError(f"pool_size must be an int, got {type(pool_size).__name__} {pool_size!r}")
    if not 1 <= pool_size <= min(array.shape):
        raise ValueError(f"pool_size must be between 1 and {min(array.shape)}, got {pool_size}")
    name = "max pooling" if mode == "max" else "average pooling"
    if is_unanswered(answer):
        return unanswered(f"the {name}")
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return wrong(f"expected an array of numbers, got {type(answer).__name__}.")
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
    kernel = np.asarray(dense_kernel, dtype=float)
    height, width, channels = (int(v) for v in input_shape)
    if kernel.ndim != 2 or kernel.shape[0] != height * width * channels:
        raise ValueError(
            f"dense_kernel must have shape ({height * width * channels}, n_out) for "
            f"input_shape {tuple(input_shape)}, got shape {kernel.shape}"
        )
    if is_unanswered(answer):
        return unanswered("the convolution kernel")
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return wrong(f"expected an array of numbers, got {type(answer).__name__}.")
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
