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
from collections.abc import Callable
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


def _check_text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__} {value!r}")
    return value


def correct(message: str) -> CheckResult:
    """A passing verdict."""
    return CheckResult(True, f"{CORRECT}: {_check_text(message, 'message')}")


def wrong(message: str) -> CheckResult:
    """A failing verdict that says what is wrong."""
    return CheckResult(False, f"{WRONG}: {_check_text(message, 'message')}")


def is_unanswered(answer: object) -> bool:
    """Return ``True`` if ``answer`` is still the skeleton's placeholder ``...``."""
    return answer is Ellipsis


def unanswered(what: str) -> CheckResult:
    """The verdict for an exercise whose ``...`` has not been replaced yet."""
    _check_text(what, "what")
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
    flat = np.asarray(labels).reshape(-1)
    if not np.issubdtype(flat.dtype, np.integer):
        raise TypeError(
            f"labels must be an array of integer labels, got dtype {flat.dtype} "
            f"(shape {np.shape(labels)})"
        )
    if isinstance(digit, bool) or not isinstance(digit, int | np.integer):
        raise TypeError(f"digit must be an int, got {type(digit).__name__} {digit!r}")
    if is_unanswered(answer):
        return unanswered(f"the number of {digit}s")
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


def _student_array(function: Callable, arrays: tuple, where: str) -> np.ndarray | CheckResult:
    """Call a student's function on copies of ``arrays``; its answer as floats, or a verdict.

    The verdict says what went wrong (``where`` names the test case): the
    function raised, returned nothing (or ``...``), or returned something that
    is not an array of numbers.
    """
    try:
        answer = function(*(array.copy() for array in arrays))
    except Exception as error:  # the student's code: report any failure in words
        return wrong(f"your function raised {type(error).__name__}: {error} (on {where}).")
    if is_unanswered(answer) or answer is None:
        return wrong(f"your function returned {answer!r}: return the output array.")
    try:
        return np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return wrong(f"your function returned {type(answer).__name__}, not an array of numbers.")


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
        answer = _student_array(function, (image, kernel), where)
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


def _parameter_count_precheck(answer: object, model: object) -> CheckResult | None:
    """The checks that every parameter-count checker makes first; None when they pass."""
    if not hasattr(model, "count_params") or not hasattr(model, "layers"):
        raise TypeError(f"model must be a built Keras model, got {type(model).__name__}")
    if is_unanswered(answer):
        return unanswered("the number of parameters")
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return wrong(f"expected a whole number, got {type(answer).__name__} {answer!r}.")
    return None


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
    verdict = _parameter_count_precheck(answer, model)
    if verdict is not None:
        return verdict
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
    if (
        not isinstance(input_shape, tuple | list)
        or len(input_shape) != 3
        or not all(isinstance(v, int | np.integer) and v > 0 for v in input_shape)
    ):
        raise ValueError(
            f"input_shape must be (height, width, channels), three positive ints, "
            f"got {input_shape!r}"
        )
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


# --- Lesson 06: which first-layer filter responds most strongly to an image ---


def _first_layer_responses(
    image: np.ndarray, kernel: np.ndarray, bias: np.ndarray, reduce: str = "max"
) -> np.ndarray:
    """Each filter's feature map ReLU(correlate2d(image, kernel) + bias), reduced to one number."""
    from scipy.signal import correlate2d

    maps = [
        np.maximum(correlate2d(image, kernel[:, :, 0, c], mode="valid") + bias[c], 0)
        for c in range(kernel.shape[3])
    ]
    return np.array([m.max() if reduce == "max" else m.mean() for m in maps])


def check_strongest_filter(
    answer: object, kernel: object, bias: object, image: object
) -> CheckResult:
    """Check which filter of a one-channel ``Conv2D`` layer responds most strongly to ``image``.

    Lesson 06, exercise 1. Filter ``c``'s strongest response is the largest
    value of its feature map, ``max ReLU(correlate2d(image, kernel[:, :, 0, c],
    'valid') + bias[c])``; the reference computes it with
    :func:`scipy.signal.correlate2d`, not with Keras. The verdict recognises
    the array of responses given instead of an index, a number counted from 1,
    the largest mean instead of the largest value, the filter for the opposite
    edge (``1 - image``) and the weakest filter.

    Parameters
    ----------
    answer : int
        The student's filter number, 0 to n - 1.
    kernel : array_like, shape (F_h, F_w, 1, n)
        The layer's kernel, ``layer.get_weights()[0]``.
    bias : array_like, shape (n,)
        The layer's biases, ``layer.get_weights()[1]``.
    image : array_like, shape (H, W), (H, W, 1) or (1, H, W, 1)
        One grey image with values in [0, 1].

    Raises
    ------
    ValueError
        If the shapes of ``kernel``, ``bias`` and ``image`` do not fit together.
    """
    weights = np.asarray(kernel, dtype=np.float64)
    if weights.ndim != 4 or weights.shape[2] != 1:
        raise ValueError(f"kernel must have shape (F_h, F_w, 1, n), got shape {weights.shape}")
    n_filters = weights.shape[3]
    biases = np.asarray(bias, dtype=np.float64).reshape(-1)
    if biases.shape != (n_filters,):
        raise ValueError(
            f"bias must have shape ({n_filters},) to match kernel, got shape {np.shape(bias)}"
        )
    picture = np.asarray(image, dtype=np.float64)
    if (
        picture.ndim in (3, 4)
        and picture.shape[-1] == 1
        and picture.size == np.prod(picture.shape[-3:-1])
    ):
        picture = picture.reshape(picture.shape[-3:-1])  # (H, W, 1) or (1, H, W, 1)
    if (
        picture.ndim != 2
        or picture.shape[0] < weights.shape[0]
        or picture.shape[1] < weights.shape[1]
    ):
        raise ValueError(
            f"image must be one grey image (H, W) at least as large as the kernel, "
            f"got shape {np.shape(image)}"
        )
    if is_unanswered(answer):
        return unanswered("the number of the strongest filter")
    responses = _first_layer_responses(picture, weights, biases)
    expected = int(responses.argmax())
    if getattr(answer, "shape", None) == (n_filters,):
        return wrong(
            f"that looks like the {n_filters} responses themselves; the answer is the "
            "number of the largest one: use np.argmax(...)."
        )
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return wrong(f"expected a filter number (an int), got {type(answer).__name__} {answer!r}.")
    value = int(answer)
    if value == expected:
        second = int(np.argsort(responses)[-2])
        return correct(
            f"filter {expected} responds most strongly: its feature map reaches "
            f"{responses[expected]:.2f}; the next strongest, filter {second}, reaches "
            f"{responses[second]:.2f}."
        )
    if not 0 <= value < n_filters:
        return wrong(
            f"the layer has {n_filters} filters, numbered 0 to {n_filters - 1}; got {value}."
        )
    if value == expected + 1:
        return wrong(
            f"filter {value} is one past the strongest: Python numbers channels from 0, so the "
            "first filter is filter 0."
        )
    if value == int(_first_layer_responses(picture, weights, biases, reduce="mean").argmax()):
        return wrong(
            f"filter {value} has the largest mean activation; the question asks for the "
            "strongest response anywhere in the map: take the maximum over the positions."
        )
    if value == int(_first_layer_responses(1 - picture, weights, biases).argmax()):
        return wrong(
            f"filter {value} responds most to the opposite edge (the image with dark and bright "
            "swapped). Check which side of your edge is bright."
        )
    if value == int(responses.argmin()):
        return wrong(f"filter {value} is the weakest; take the argmax, not the argmin.")
    return wrong(
        f"filter {value} reaches {responses[value]:.2f}, but another filter reaches "
        f"{responses[expected]:.2f}."
    )


# --- Lesson 08: 1-D cross-correlation, macro-F1, batch normalisation in inference ---


def _cross_correlation_1d_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(808)
    # Asymmetric kernels of several lengths: a flipped kernel or a wrong range shows.
    return [
        (rng.integers(-3, 4, size=9).astype(float), np.array([1.0, 2.0, -1.0])),
        (rng.integers(-3, 4, size=12).astype(float), np.array([2.0, 0.0, -1.0, 3.0])),
        (rng.integers(-3, 4, size=7).astype(float), np.array([-1.0, 1.0])),
    ]


def check_cross_correlation_1d(function: object) -> CheckResult:
    """Check a student's ``cross_correlate_1d(signal, kernel)`` ('valid', stride 1) (lesson 08).

    The reference is :func:`numpy.correlate` with ``mode='valid'``:
    ``out[i] = sum_u signal[i + u] * kernel[u]`` for ``i = 0 .. N - F``. The
    verdict says what is wrong: not a function, an error, the wrong length
    (one too many or too few, the input's length, the 'full' length), the
    flipped kernel of a true convolution (:func:`numpy.convolve`), or wrong
    values at the ends only.

    Parameters
    ----------
    function : callable ``(signal (N,), kernel (F,)) -> array (N - F + 1,)``
    """
    if is_unanswered(function):
        return unanswered("the 1-D cross-correlation function")
    if not callable(function):
        return wrong(
            "expected a function cross_correlate_1d(signal, kernel), "
            f"got {type(function).__name__}."
        )
    for signal, kernel in _cross_correlation_1d_cases():
        expected = np.correlate(signal, kernel, mode="valid")
        where = f"a signal of {signal.size} samples and a kernel of {kernel.size}"
        answer = _student_array(function, (signal, kernel), where)
        if isinstance(answer, CheckResult):
            return answer
        if answer.ndim != 1:
            return wrong(
                f"on {where} the output should be 1-D with {expected.size} values, "
                f"got shape {answer.shape}."
            )
        if answer.size != expected.size:
            hints = {
                signal.size: " That is the input's length: this exercise asks for no padding, "
                "so the output has N - F + 1 values.",
                expected.size - 1: " One value too few: the loop must run over range(N - F + 1).",
                expected.size + 1: " One value too many: the last window starts at N - F.",
                signal.size + kernel.size - 1: " That is the 'full' length, as if the signal "
                "were padded with F - 1 zeros on each side; here there is no padding.",
            }
            return wrong(
                f"on {where} the output should have {expected.size} values (N - F + 1), "
                f"got {answer.size}.{hints.get(answer.size, '')}"
            )
        if np.allclose(answer, expected):
            continue
        if np.allclose(answer, np.convolve(signal, kernel, mode="valid")):
            return wrong(
                "your output equals the true convolution (numpy.convolve): the kernel is "
                "flipped. Cross-correlation multiplies signal[i + u] by kernel[u], with no flip."
            )
        if expected.size > 2 and np.allclose(answer[1:-1], expected[1:-1]):
            return wrong(
                "the middle values are right but the first or last is not: an off-by-one at "
                "the ends (check where your loop starts and stops)."
            )
        bad = np.flatnonzero(~np.isclose(answer, expected))
        first = int(bad[0])
        return wrong(
            f"on {where}, {bad.size} of {expected.size} values differ; the first at [{first}]: "
            f"expected {expected[first]:g}, got {answer[first]:g}."
        )
    return correct("your cross-correlation matches numpy.correlate(..., 'valid') on three cases.")


def _f1_by_precision_and_recall(true: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Per-class F1 as the harmonic mean of precision and recall; nan for an absent class."""
    counts = np.zeros((n_classes, n_classes))
    np.add.at(counts, (true, pred), 1)
    scores = np.full(n_classes, np.nan)
    for label in range(n_classes):
        predicted, actual, hits = counts[:, label].sum(), counts[label].sum(), counts[label, label]
        if predicted == 0 and actual == 0:
            continue
        precision = hits / predicted if predicted else 0.0
        recall = hits / actual if actual else 0.0
        scores[label] = 0.0 if hits == 0 else 2 * precision * recall / (precision + recall)
    return scores


def check_macro_f1(answer: object, y_true: object, y_pred: object, n_classes: int) -> CheckResult:
    """Check a macro-averaged F1 score worked out from true and predicted classes (lesson 08).

    The reference builds the confusion matrix and takes, for each class, the
    harmonic mean of precision and recall, then the plain mean over the
    classes that occur in ``y_true`` or ``y_pred`` (the convention of
    :func:`utils.evaluation.macro_f1`). The verdict recognises the accuracy
    (which is also the micro-averaged F1), the F1 weighted by class size, an
    absent class counted as 0, the mean precision or recall, and a percentage.

    Parameters
    ----------
    answer : float
        The student's macro-F1, a fraction between 0 and 1.
    y_true, y_pred : array_like of int, shape (n,)
        The true and the predicted classes, 0 to ``n_classes - 1``.
    n_classes : int
        Number of classes.
    """
    true = np.asarray(y_true).reshape(-1).astype(np.int64)
    pred = np.asarray(y_pred).reshape(-1).astype(np.int64)
    if true.shape != pred.shape or true.size == 0:
        raise ValueError(
            f"y_true and y_pred must be non-empty and of the same length, got {true.size} "
            f"and {pred.size}"
        )
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)):
        raise TypeError(f"n_classes must be an int, got {type(n_classes).__name__} {n_classes!r}")
    if min(true.min(), pred.min()) < 0 or max(true.max(), pred.max()) >= n_classes:
        raise ValueError(f"y_true and y_pred must hold classes 0 to {n_classes - 1}")
    if is_unanswered(answer):
        return unanswered("the macro-F1 score")
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.number)):
        return wrong(f"expected a number, got {type(answer).__name__}.")
    value = float(answer)
    scores = _f1_by_precision_and_recall(true, pred, n_classes)
    present = ~np.isnan(scores)
    expected = float(scores[present].mean())
    if np.isclose(value, expected, atol=5e-4):
        listed = ", ".join(f"{score:.3f}" for score in scores[present])
        return correct(f"the per-class F1 scores are {listed}; their mean is {expected:.3f}.")
    if value > 1 and np.isclose(value, 100 * expected, atol=0.05):
        return wrong("that is a percentage; give the fraction (divide by 100).")
    support = np.bincount(true, minlength=n_classes)
    counts = np.zeros((n_classes, n_classes))
    np.add.at(counts, (true, pred), 1)
    predicted, hits = counts.sum(axis=0), np.diag(counts)
    precision = np.divide(hits, predicted, out=np.zeros(n_classes), where=predicted > 0)
    recall = np.divide(hits, support, out=np.zeros(n_classes), where=support > 0)
    if np.isclose(value, np.mean(true == pred), atol=5e-4):
        return wrong(
            f"{value:.3f} is the accuracy (the same as the micro-averaged F1). Macro-F1 computes "
            "an F1 score for each class and averages those, so every class counts the same."
        )
    if np.isclose(value, np.sum(np.nan_to_num(scores) * support) / support.sum(), atol=5e-4):
        return wrong(
            "that is the F1 averaged with weights by class size; macro-F1 gives every class "
            "the same weight: a plain mean."
        )
    if not present.all() and np.isclose(value, np.nansum(scores) / n_classes, atol=5e-4):
        return wrong(
            "you counted a class that neither occurs nor is predicted as 0; it has no F1 "
            "score, so leave it out of the mean."
        )
    if np.isclose(value, precision[present].mean(), atol=5e-4):
        return wrong("that is the mean precision; F1 combines precision and recall.")
    if np.isclose(value, recall[present].mean(), atol=5e-4):
        return wrong("that is the mean recall; F1 combines precision and recall.")
    return wrong(
        f"{value:.3f} is not the macro-F1. For each class, F1 = 2 P R / (P + R) with precision "
        "P = TP / (TP + FP) and recall R = TP / (TP + FN); then take the plain mean."
    )


def check_batchnorm_inference(answer: object, layer: object, x: object) -> CheckResult:
    """Check a batch-normalisation layer's inference-mode output worked out by hand (lesson 08).

    In inference mode the layer uses the moving averages it kept during
    training: ``gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta``,
    per channel (the last axis). The reference is the layer itself, called with
    ``training=False`` (which changes nothing in it). The verdict recognises
    the batch's own statistics (training mode), a forgotten ``epsilon``,
    ``gamma`` and ``beta`` left out, and a division by the variance instead of
    its square root.

    Parameters
    ----------
    answer : array_like, the shape of ``x``
        The student's output.
    layer : keras.layers.BatchNormalization
        A built layer (its ``gamma``, ``beta``, ``moving_mean``, ``moving_variance``
        and ``epsilon`` are read).
    x : array_like, shape (..., channels)
        The input batch.
    """
    import keras

    if not isinstance(layer, keras.layers.BatchNormalization) or not layer.built:
        raise TypeError(
            f"layer must be a built keras.layers.BatchNormalization, got {type(layer).__name__}"
        )
    inputs = np.asarray(x, dtype=np.float32)
    channels = int(layer.moving_mean.shape[0])
    if inputs.ndim < 2 or inputs.shape[-1] != channels:
        raise ValueError(
            f"x must have shape (..., {channels}) to match the layer's {channels} channels, "
            f"got shape {inputs.shape}"
        )
    if is_unanswered(answer):
        return unanswered("the batch normalisation in inference mode")
    try:
        values = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return wrong(f"expected an array of numbers, got {type(answer).__name__}.")
    if values.shape != inputs.shape:
        return wrong(f"the output has the input's shape, {inputs.shape}; got {values.shape}.")
    expected = keras.ops.convert_to_numpy(layer(inputs, training=False)).astype(np.float64)
    if np.allclose(values, expected, rtol=1e-4, atol=1e-5):
        return correct(
            "that is what the layer computes with training=False: the moving averages, not the "
            "batch's own statistics."
        )
    data = inputs.astype(np.float64)
    gamma = keras.ops.convert_to_numpy(layer.gamma) if layer.scale else 1.0
    beta = keras.ops.convert_to_numpy(layer.beta) if layer.center else 0.0
    mean = keras.ops.convert_to_numpy(layer.moving_mean).astype(np.float64)
    variance = keras.ops.convert_to_numpy(layer.moving_variance).astype(np.float64)
    eps = float(layer.epsilon)
    axes = tuple(range(data.ndim - 1))
    batch_mean, batch_variance = data.mean(axis=axes), data.var(axis=axes)
    candidates = [
        (
            gamma * (data - batch_mean) / np.sqrt(batch_variance + eps) + beta,
            "you normalised with the batch's own mean and variance: that is training mode. "
            "In inference mode use layer.moving_mean and layer.moving_variance.",
        ),
        (
            gamma * (data - mean) / np.sqrt(variance) + beta,
            "almost: add layer.epsilon to the variance before the square root.",
        ),
        (
            (data - mean) / np.sqrt(variance + eps),
            "the normalisation is right, but then scale by gamma and shift by beta.",
        ),
        (
            gamma * (data - mean) / (variance + eps) + beta,
            "divide by the standard deviation, sqrt(moving_variance + epsilon), not the variance.",
        ),
    ]
    for candidate, message in candidates:
        if np.allclose(values, candidate, rtol=1e-4, atol=1e-5):
            return wrong(message)
    index = np.unravel_index(int(np.argmax(np.abs(values - expected))), values.shape)
    return wrong(
        f"the largest difference is at {tuple(int(i) for i in index)}: expected "
        f"{expected[index]:.4f}, got {values[index]:.4f}. Compute gamma * (x - moving_mean) / "
        "sqrt(moving_variance + epsilon) + beta, channel by channel."
    )


# --- Lesson 07: inverted dropout, a residual block, the parameters of a block with BN ---


def check_inverted_dropout(answer: object, x: object, mask: object, rate: float) -> CheckResult:
    """Check inverted dropout applied by hand with a given mask (lesson 07, exercise 1).

    In training, dropout keeps each value where ``mask`` is 1, sets it to 0
    where ``mask`` is 0, and divides the kept values by the keep probability
    ``1 - rate``, so that every value keeps its expected size:
    ``x * mask / (1 - rate)``. The verdict recognises a forgotten scaling,
    a multiplication by ``1 - rate`` instead of a division, a division by
    ``rate``, an inverted mask and a scaling without the zeros.

    Parameters
    ----------
    answer : array_like, the shape of ``x``
        The student's output.
    x : array_like
        The input values.
    mask : array_like of 0 and 1, the shape of ``x``
        1 where a value is kept, 0 where it is dropped.
    rate : float
        The dropout rate ``p``, the probability of dropping a value, in [0, 1).

    Raises
    ------
    ValueError
        If ``mask`` does not have the shape of ``x`` or holds other values
        than 0 and 1, or if ``rate`` is not in [0, 1).
    """
    values_in = np.asarray(x, dtype=np.float64)
    keep = np.asarray(mask)
    if keep.shape != values_in.shape:
        raise ValueError(
            f"mask must have the shape of x, {values_in.shape}, got shape {keep.shape}"
        )
    if not np.isin(keep, (0, 1)).all():
        raise ValueError("mask must hold only 0 (dropped) and 1 (kept)")
    if isinstance(rate, (bool, np.bool_)) or not isinstance(rate, (int, float, np.floating)):
        raise TypeError(f"rate must be a float, got {type(rate).__name__} {rate!r}")
    if not 0 <= float(rate) < 1:
        raise ValueError(f"rate must be in [0, 1), got {rate}")
    if is_unanswered(answer):
        return unanswered("the output of inverted dropout")
    try:
        values = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return wrong(f"expected an array of numbers, got {type(answer).__name__}.")
    if values.shape != values_in.shape:
        return wrong(f"the output has the input's shape, {values_in.shape}; got {values.shape}.")
    keep = keep.astype(np.float64)
    keep_probability = 1 - float(rate)
    expected = values_in * keep / keep_probability
    if np.allclose(values, expected):
        return correct(
            f"{int(keep.sum())} of {keep.size} values kept and scaled by 1 / (1 - {rate:g}) = "
            f"{1 / keep_probability:.4g}; the dropped ones are 0."
        )
    slips = [
        (
            values_in * keep,
            f"the dropped values are zero, but the kept ones must also be divided by the keep "
            f"probability 1 - rate = {keep_probability:g}, so that their expected value does not "
            "change.",
        ),
        (
            values_in * keep * keep_probability,
            "divide the kept values by the keep probability 1 - rate; you multiplied by it.",
        ),
        (
            values_in * keep / float(rate) if rate else None,
            "divide by the keep probability 1 - rate, not by the rate.",
        ),
        (
            values_in * (1 - keep) / keep_probability,
            "you kept the values where the mask is 0: the mask is 1 where a value is kept.",
        ),
        (
            values_in / keep_probability,
            "the scaling is right, but the dropped values (mask 0) must become 0.",
        ),
    ]
    for candidate, message in slips:
        if candidate is not None and np.allclose(values, candidate):
            return wrong(message)
    bad = np.argwhere(~np.isclose(values, expected))
    index = tuple(int(i) for i in bad[0])
    return wrong(
        f"{len(bad)} of {expected.size} values differ; the first at {index}: expected "
        f"{expected[index]:g}, got {values[index]:g}. Compute x * mask / (1 - rate)."
    )


def _residual_reference(x: np.ndarray, weights: list[np.ndarray]) -> dict[str, np.ndarray]:
    """A correct residual block's output and its usual mistakes' outputs, via keras.ops."""
    import keras

    ops = keras.ops
    kernel_1, bias_1, kernel_2, bias_2 = weights

    def conv(values, kernel, bias):
        return ops.conv(values, kernel, strides=1, padding="same") + bias

    first = conv(x, kernel_1, bias_1)
    branch = conv(ops.relu(first), kernel_2, bias_2)
    outputs = {
        "right": ops.relu(x + branch),
        "no skip": ops.relu(branch),
        "no last relu": x + branch,
        "relu before add": x + ops.relu(branch),
        "no middle relu": ops.relu(x + conv(first, kernel_2, bias_2)),
    }
    return {name: ops.convert_to_numpy(value).astype(np.float64) for name, value in outputs.items()}


def check_residual_block(function: object, filters: int = 4) -> CheckResult:
    """Check a student's ``residual_block(x, filters)`` written with the functional API (lesson 07).

    The block asked for is ``relu(x + conv_2(relu(conv_1(x))))``: two 3 x 3
    ``Conv2D`` layers with ``filters`` filters, ``padding='same'`` and biases,
    a ReLU between them, the block's input added to the second one's output,
    and a ReLU after the addition. The student's block is built on an input of
    shape (6, 6, filters), given random weights, and run on random inputs; the
    reference computes the same block with the same weights by an independent
    route (``keras.ops.conv``). The verdict recognises a wrong output shape, a
    wrong number of parameters, a missing skip connection, a ReLU missing after
    the addition or put on the branch before it, and a missing ReLU between
    the convolutions.

    Parameters
    ----------
    function : callable ``(x: KerasTensor (batch, H, W, filters), filters: int) -> KerasTensor``
        Returns the block's output, of the same shape as ``x``.
    filters : int, default 4
        Channels of the test input (and of the block).
    """
    import keras

    if isinstance(filters, bool) or not isinstance(filters, int):
        raise TypeError(f"filters must be a positive int, got {type(filters).__name__} {filters!r}")
    if filters < 1:
        raise ValueError(f"filters must be a positive int, got {filters}")
    if is_unanswered(function):
        return unanswered("the residual block")
    if not callable(function):
        return wrong(
            f"expected a function residual_block(x, filters), got {type(function).__name__}."
        )
    shape = (6, 6, filters)
    inputs = keras.Input(shape)
    try:
        outputs = function(inputs, filters)
    except Exception as error:  # the student's code: report any failure in words
        return wrong(f"your function raised {type(error).__name__}: {error}")
    if is_unanswered(outputs) or outputs is None or not hasattr(outputs, "shape"):
        return wrong(f"your function returned {outputs!r}: return the block's output tensor.")
    out_shape = tuple(outputs.shape[1:])
    if out_shape != shape:
        hint = ""
        if len(out_shape) == 3 and out_shape[:2] != shape[:2]:
            hint = (
                " The height and width changed: use padding='same' so that the output can be "
                "added to the input."
            )
        elif len(out_shape) == 3:
            hint = f" Give the convolutions {filters} filters, as many as the input has channels."
        return wrong(
            f"the block's output must have the input's shape {shape}, got {out_shape}.{hint}"
        )
    try:
        model = keras.Model(inputs, outputs)
    except Exception as error:  # the student's code: report any failure in words
        return wrong(f"keras.Model(x, your output) failed: {type(error).__name__}: {error}")
    expected_params = 2 * (3 * 3 * filters * filters + filters)
    weight_shapes = [tuple(weight.shape) for weight in model.get_weights()]
    wanted_shapes = [(3, 3, filters, filters), (filters,)] * 2
    if weight_shapes != wanted_shapes:
        return wrong(
            f"the block should have two 3x3 convolutions with {filters} filters and biases, "
            f"2 * (3*3*{filters}*{filters} + {filters}) = {expected_params} parameters; "
            f"yours has {model.count_params()} in weights of shapes {weight_shapes}."
        )
    rng = np.random.default_rng(7)
    weights = [
        (rng.normal(size=s) * (0.4 if len(s) == 4 else 0.2)).astype(np.float32)
        for s in wanted_shapes
    ]
    model.set_weights(weights)
    x = rng.normal(size=(3, *shape)).astype(np.float32)
    values = keras.ops.convert_to_numpy(model(x)).astype(np.float64)
    references = _residual_reference(x, weights)
    if np.allclose(values, references["right"], rtol=1e-4, atol=1e-4):
        return correct(
            f"your block computes relu(x + F(x)) with F two 3x3 convolutions; its "
            f"{expected_params} parameters are all in the convolutions (the addition has none)."
        )
    messages = {
        "no skip": "there is no skip connection: add the block's input to the second "
        "convolution's output, layers.Add()([x, y]), before the last ReLU.",
        "no last relu": "the skip connection is right; now apply a ReLU after the addition.",
        "relu before add": "the last ReLU belongs after the addition, not on the branch before "
        "it: give the second convolution no activation.",
        "no middle relu": "put a ReLU between the two convolutions (activation='relu' on the "
        "first one).",
    }
    for name, message in messages.items():
        if np.allclose(values, references[name], rtol=1e-4, atol=1e-4):
            return wrong(message)
    return wrong(
        "on random inputs your block's output differs from relu(x + conv_2(relu(conv_1(x)))). "
        "Check the order: convolution, ReLU, convolution, add the input, ReLU."
    )


def check_block_param_count(answer: object, model: object) -> CheckResult:
    """Check a count of the parameters of a block with convolutions and batch normalisation.

    Lesson 07, exercise 3. The reference is Keras' ``model.count_params()``,
    which counts all four numbers per channel of a ``BatchNormalization``
    layer: ``gamma`` and ``beta`` (trained) and the moving mean and variance
    (not trained, but parameters of the model). The verdict recognises the
    trainable count alone, batch normalisation left out, biases counted for
    convolutions built with ``use_bias=False``, and filters counted as
    ``F * F`` weights instead of ``F * F * C_in``.

    Parameters
    ----------
    answer : int
        The student's total.
    model : keras.Model
        A built model.
    """
    verdict = _parameter_count_precheck(answer, model)
    if verdict is not None:
        return verdict
    value = int(answer)
    layers = list(model.layers)  # type: ignore[attr-defined]
    expected = int(model.count_params())  # type: ignore[attr-defined]
    trainable = sum(
        int(np.prod(weight.shape))
        for weight in model.trainable_weights  # type: ignore[attr-defined]
    )
    norm = sum(
        int(layer.count_params())
        for layer in layers
        if type(layer).__name__ == "BatchNormalization"
    )
    missing_biases = sum(
        int(layer.filters)
        for layer in layers
        if type(layer).__name__ == "Conv2D" and not layer.use_bias
    )
    _, _, no_depth = _weight_counts(model)
    if value == expected:
        return correct(
            f"the block has {expected:,} parameters: {trainable:,} trained by the optimiser and "
            f"{expected - trainable:,} moving averages that batch normalisation keeps for "
            "inference."
        )
    if norm and value == trainable:
        return wrong(
            f"{value:,} is the number of trainable parameters. Keras also counts each "
            "BatchNormalization's moving mean and moving variance (not trained, but stored "
            "with the model): 4 numbers per channel in all."
        )
    if norm and value == expected - norm:
        return wrong(
            f"{value:,} leaves out batch normalisation: it has 4 numbers per channel "
            "(gamma, beta, moving mean, moving variance)."
        )
    if missing_biases and value in (
        expected + missing_biases,
        trainable + missing_biases,
    ):
        return wrong(
            f"{value:,} counts a bias for every filter, but these convolutions are built with "
            "use_bias=False (batch normalisation's beta does the shifting), so they have none."
        )
    if value == no_depth:
        return wrong(
            f"{value:,} counts F * F weights per filter; a filter spans every input channel, "
            "so it has F * F * C_in weights."
        )
    return wrong(
        f"{value:,} is not the number of parameters. Add up F * F * C_in * C_out for each "
        "Conv2D (no bias here), and 4 * channels for each BatchNormalization; ReLU and Add "
        "have none."
    )
