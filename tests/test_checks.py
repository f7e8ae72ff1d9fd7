"""Tests for utils.checks: each checker on right, wrong and unanswered input."""

from __future__ import annotations

import numpy as np

from utils.checks import CheckResult, check_digit_count

LABELS = np.array([7, 1, 7, 0, 7, 2], dtype=np.uint8)


def test_right_count_passes_and_says_so():
    result = check_digit_count(3, LABELS, digit=7)
    assert isinstance(result, CheckResult) and result
    assert repr(result) == "✅ Correct: 3 images show the digit 7."


def test_numpy_integer_counts_too():
    assert check_digit_count(np.int64(3), LABELS, digit=7)


def test_placeholder_is_not_answered_yet():
    result = check_digit_count(..., LABELS, digit=7)
    assert not result
    assert result.message.startswith("✏️ Not answered yet: replace the ...")


def test_wrong_count_says_what_to_compare():
    result = check_digit_count(2, LABELS, digit=7)
    assert not result and "2 is not the number of 7s" in result.message


def test_counting_everything_is_diagnosed():
    assert "number of all images" in check_digit_count(6, LABELS, digit=7).message


def test_an_array_instead_of_a_number_is_diagnosed():
    result = check_digit_count(LABELS == 7, LABELS, digit=7)
    assert not result and "It looks like an array" in result.message


def test_a_float_or_bool_is_not_a_count():
    assert "got float" in check_digit_count(3.0, LABELS, digit=7).message
    assert "got bool" in check_digit_count(True, LABELS, digit=7).message


# Lesson 05: the relative decrease in test error.


def test_relative_error_decrease_right_and_diagnosed():
    from utils.checks import check_relative_error_decrease as check

    assert check(2 / 3, 0.03, 0.01)
    assert "66.7%" in check(0.6667, 0.03, 0.01).message
    assert not check(..., 0.03, 0.01)
    assert "Not answered yet" in check(..., 0.03, 0.01).message
    assert "percentage" in check(66.67, 0.03, 0.01).message
    assert "not by the new one" in check(2.0, 0.03, 0.01).message
    assert "absolute decrease" in check(0.02, 0.03, 0.01).message
    assert "expected a number, got str" in check("67%", 0.03, 0.01).message
    assert "is not (old_error - new_error) / old_error" in check(0.5, 0.03, 0.01).message


def test_relative_error_decrease_needs_a_positive_old_error():
    import pytest

    from utils.checks import check_relative_error_decrease as check

    with pytest.raises(ValueError, match="old_error must be positive, got 0"):
        check(0.5, 0, 0.01)


# Lessons 01 and 02: the cross-correlation loop, output sizes, receptive fields.


def _loop_correlate(image, kernel, flip=False, first=0, extra=0):
    kernel = np.asarray(kernel)[::-1, ::-1] if flip else np.asarray(kernel)
    rows = image.shape[0] - kernel.shape[0] + 1
    cols = image.shape[1] - kernel.shape[1] + 1
    out = np.zeros((rows + extra, cols + extra))
    for i in range(first, rows + min(extra, 0)):
        for j in range(first, cols + min(extra, 0)):
            patch = image[i : i + kernel.shape[0], j : j + kernel.shape[1]]
            out[i, j] = np.sum(patch * kernel)
    return out


def test_cross_correlation_checker_verdicts():
    from utils.checks import check_cross_correlation as check

    assert check(_loop_correlate)
    assert "matches scipy.signal.correlate2d" in check(_loop_correlate).message
    assert "Not answered yet" in check(...).message
    assert "expected a function" in check(3).message
    assert "kernel is flipped" in check(lambda i, k: _loop_correlate(i, k, flip=True)).message
    assert (
        "One row and one column too few"
        in check(lambda i, k: _loop_correlate(i, k, extra=-1)).message
    )
    assert (
        "One row and one column too many"
        in check(lambda i, k: _loop_correlate(i, k, extra=1)).message
    )
    assert "off-by-one at the border" in check(lambda i, k: _loop_correlate(i, k, first=1)).message
    assert "That is the input's size" in check(lambda i, k: np.zeros_like(i)).message
    assert "raised ZeroDivisionError" in check(lambda i, k: 1 / 0).message
    assert "returned None" in check(lambda i, k: None).message
    assert "values differ" in check(lambda i, k: _loop_correlate(i, k) + 1).message


def test_output_size_checker_verdicts():
    from utils.checks import check_output_size as check

    assert check(lambda W, F, P, S: (W - F + 2 * P) // S + 1)
    assert "Not answered yet" in check(...).message
    assert "add the + 1" in check(lambda W, F, P, S: (W - F + 2 * P) // S).message
    assert "counts 2P" in check(lambda W, F, P, S: (W - F + P) // S + 1).message
    assert "not a whole number" in check(lambda W, F, P, S: (W - F + 2 * P) / S + 1).message
    assert "round down, not up" in check(lambda W, F, P, S: -(-(W - F + 2 * P) // S) + 1).message
    assert "expected an int" in check(lambda W, F, P, S: "3").message


def test_receptive_field_checker_verdicts():
    import pytest

    from utils.checks import check_receptive_field as check

    mnist = [(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)]
    assert check(7, [(3, 1)] * 3) and check(18, mnist)
    assert "Not answered yet" in check(..., mnist).message
    assert "if every stride were 1" in check(9, mnist).message
    assert "adds up the kernel sizes" in check(13, mnist).message
    assert "expected a whole number" in check(18.0, mnist).message
    with pytest.raises(ValueError, match="layers must be non-empty"):
        check(3, [])
    with pytest.raises(TypeError, match="layers must be a list of"):
        check(3, [3, 1])


def _small_convnet():
    import keras

    return keras.Sequential(
        [
            keras.Input((10, 10, 3)),
            keras.layers.Conv2D(8, 3),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(5),
        ]
    )


def test_param_count_checker_verdicts():
    import pytest

    from utils.checks import check_param_count as check

    model = _small_convnet()
    # by hand: (3*3*3 + 1) * 8 = 224; 4*4*8 = 128 inputs, (128 + 1) * 5 = 645
    assert check(224 + 645, model) and check(np.int64(869), model)
    assert "Not answered yet" in check(..., model).message
    assert "not the biases" in check(3 * 3 * 3 * 8 + 128 * 5, model).message
    assert "F * F * C_in" in check((3 * 3 * 8 + 8) + 645, model).message
    assert "is not the number of parameters" in check(870, model).message
    assert "expected a whole number" in check(869.0, model).message
    with pytest.raises(TypeError, match="model must be a built Keras model, got str"):
        check(1, "model")


def test_pooling_checker_verdicts():
    import pytest

    from utils.checks import check_pooling as check

    x = np.array([[1, 3, 2, 1], [4, 2, 0, 1], [5, 6, 7, 8], [0, 1, 2, 9]])
    assert check([[4, 2], [6, 9]], x, "max") and check([[2.5, 1.0], [3.0, 6.5]], x, "avg")
    assert "Not answered yet" in check(..., x).message
    assert "averages of the windows" in check([[2.5, 1.0], [3.0, 6.5]], x, "max").message
    assert "jump by the stride" in check(np.zeros((3, 3)), x, "max").message
    assert "the first at [1, 1]" in check([[4, 2], [6, 8]], x, "max").message
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg', got 'min'"):
        check(x, x, "min")
    with pytest.raises(ValueError, match="pool_size must be between 1 and 4, got 5"):
        check(x, x, "max", 5)


def test_dense_as_conv_kernel_checker_verdicts():
    import pytest

    from utils.checks import check_dense_as_conv_kernel as check

    kernel = np.random.default_rng(1).normal(size=(2 * 3 * 4, 5))
    assert check(kernel.reshape(2, 3, 4, 5), kernel, (2, 3, 4))
    assert "Not answered yet" in check(..., kernel, (2, 3, 4)).message
    assert "(2, 3, 4, 5), got (24, 5)" in check(kernel, kernel, (2, 3, 4)).message
    channels_first = kernel.reshape(4, 2, 3, 5).transpose(1, 2, 0, 3)  # flattened as (C, H, W)
    assert "wrong places" in check(channels_first, kernel, (2, 3, 4)).message
    with pytest.raises(ValueError, match="dense_kernel must have shape"):
        check(kernel, kernel, (2, 3, 5))
