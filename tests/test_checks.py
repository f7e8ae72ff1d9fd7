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
    assert "not an array of numbers" in check(lambda i, k: "abc").message
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
    with pytest.raises(ValueError, match="mode must be one of 'max', 'avg', got 'min'"):
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


# Lesson 06: which first-layer filter responds most strongly to an edge.


def _edge_filters():
    """Five 3x3 filters whose responses to a vertical edge are known by construction."""
    sobel_x = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]]) / 4
    kernel = np.stack(
        [sobel_x, sobel_x.T, -sobel_x, np.full((3, 3), 0.09), np.full((3, 3), -0.1)], axis=-1
    )[:, :, None, :]
    return kernel, np.array([0.0, 0.02, 0.01, 0.0, 0.0])


def _vertical_edge():
    image = np.zeros((6, 10))
    image[:, 3:] = 1.0  # dark on the left, bright on the right
    return image


def test_strongest_filter_checker_verdicts():
    from utils.checks import check_strongest_filter as check

    kernel, bias = _edge_filters()
    image = _vertical_edge()
    # Filter 0 (Sobel x) reaches 1.0 at the edge; the flat filter 3 reaches 9 * 0.09 = 0.81.
    result = check(0, kernel, bias, image)
    assert result and "filter 0 responds most strongly" in result.message
    assert "reaches 1.00; the next strongest, filter 3, reaches 0.81" in result.message
    assert check(np.int64(0), kernel, bias, image[None, :, :, None])
    assert "Not answered yet" in check(..., kernel, bias, image).message
    assert "one past the strongest" in check(1, kernel, bias, image).message
    assert "opposite edge" in check(2, kernel, bias, image).message  # -Sobel x
    assert "largest mean activation" in check(3, kernel, bias, image).message
    assert "the weakest" in check(4, kernel, bias, image).message
    assert "numbered 0 to 4; got 5" in check(5, kernel, bias, image).message
    assert "numbered 0 to 4; got -1" in check(-1, kernel, bias, image).message
    assert "np.argmax" in check(np.arange(5.0), kernel, bias, image).message
    assert "expected a filter number (an int), got float" in check(0.0, kernel, bias, image).message


def test_strongest_filter_checker_agrees_with_a_keras_layer():
    import keras

    from utils.checks import check_strongest_filter as check

    rng = np.random.default_rng(11)
    kernel = rng.normal(size=(3, 3, 1, 6)).astype("float32")
    bias = rng.normal(scale=0.1, size=6).astype("float32")
    image = rng.random((12, 12)).astype("float32")
    layer = keras.layers.Conv2D(6, 3, activation="relu")
    layer.build((None, 12, 12, 1))
    layer.set_weights([kernel, bias])
    maps = keras.ops.convert_to_numpy(layer(image[None, :, :, None]))[0]
    strongest = int(maps.max(axis=(0, 1)).argmax())
    assert check(strongest, kernel, bias, image)
    assert not check((strongest + 3) % 6, kernel, bias, image)


def test_strongest_filter_checker_rejects_shapes_that_do_not_fit():
    import pytest

    from utils.checks import check_strongest_filter as check

    kernel, bias = _edge_filters()
    with pytest.raises(ValueError, match=r"kernel must have shape \(F_h, F_w, 1, n\)"):
        check(0, np.zeros((3, 3, 2, 5)), bias, _vertical_edge())
    with pytest.raises(ValueError, match=r"bias must have shape \(5,\)"):
        check(0, kernel, bias[:4], _vertical_edge())
    with pytest.raises(ValueError, match="image must be one grey image"):
        check(0, kernel, bias, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="image must be one grey image"):
        check(0, kernel, bias, np.zeros((2, 6, 10, 1)))


# Lesson 08: 1-D cross-correlation, macro-F1, batch normalisation in inference mode.


def _correlate_1d_loop(signal, kernel):
    n_out = len(signal) - len(kernel) + 1
    return np.array([np.sum(signal[i : i + len(kernel)] * kernel) for i in range(n_out)])


def test_cross_correlation_1d_checker_right_wrong_and_diagnosed():
    from utils.checks import check_cross_correlation_1d as check

    right = check(_correlate_1d_loop)
    assert right and "numpy.correlate" in right.message
    assert "Not answered yet" in check(...).message
    assert "expected a function" in check(np.zeros(3)).message
    assert "kernel is flipped" in check(lambda s, k: _correlate_1d_loop(s, k[::-1])).message
    assert "One value too few" in check(lambda s, k: _correlate_1d_loop(s, k)[:-1]).message
    too_many = check(lambda s, k: np.append(_correlate_1d_loop(s, k), 0.0))
    assert "One value too many" in too_many.message
    assert "input's length" in check(lambda s, k: np.correlate(s, k, mode="same")).message
    assert "'full' length" in check(lambda s, k: np.correlate(s, k, mode="full")).message
    assert "raised ZeroDivisionError" in check(lambda s, k: 1 / 0).message
    assert "returned None" in check(lambda s, k: None).message
    assert "not an array of numbers" in check(lambda s, k: "abc").message
    assert "should be 1-D" in check(lambda s, k: _correlate_1d_loop(s, k)[None]).message

    def last_wrong(signal, kernel):
        out = _correlate_1d_loop(signal, kernel)
        out[-1] += 1
        return out

    assert "off-by-one at the ends" in check(last_wrong).message
    doubled = check(lambda s, k: 2 * _correlate_1d_loop(s, k))
    assert not doubled and "values differ; the first at" in doubled.message


def test_macro_f1_checker_right_and_each_slip_diagnosed():
    import pytest

    from utils.checks import check_macro_f1 as check

    # Class 0: P = 3/3, R = 3/4, F1 = 6/7; class 1: P = 1/2, R = 1/2, F1 = 1/2;
    # class 2 neither occurs nor is predicted (no F1); class 3 is a false alarm, F1 = 0.
    y_true = np.array([0, 0, 0, 0, 1, 1])
    y_pred = np.array([0, 0, 0, 1, 1, 3])
    per_class = [6 / 7, 1 / 2, 0.0]
    macro = np.mean(per_class)
    result = check(macro, y_true, y_pred, 4)
    assert result and "0.857, 0.500, 0.000" in result.message
    assert "Not answered yet" in check(..., y_true, y_pred, 4).message
    assert "percentage" in check(100 * macro, y_true, y_pred, 4).message
    assert "accuracy" in check(4 / 6, y_true, y_pred, 4).message
    weighted = (4 * 6 / 7 + 2 * 0.5) / 6
    assert "weights by class size" in check(weighted, y_true, y_pred, 4).message
    assert "leave it out" in check(sum(per_class) / 4, y_true, y_pred, 4).message
    assert "mean precision" in check((1 + 0.5 + 0) / 3, y_true, y_pred, 4).message
    assert "mean recall" in check((0.75 + 0.5 + 0) / 3, y_true, y_pred, 4).message
    assert "expected a number, got str" in check("0.4", y_true, y_pred, 4).message
    other = check(0.123, y_true, y_pred, 4)
    assert not other and "is not the macro-F1" in other.message
    with pytest.raises(ValueError, match="same length"):
        check(0.5, [0, 1], [0], 2)
    with pytest.raises(ValueError, match="classes 0 to 1"):
        check(0.5, [0, 2], [0, 1], 2)
    with pytest.raises(TypeError, match="n_classes must be an int"):
        check(0.5, [0, 1], [0, 1], 2.0)


def test_macro_f1_checker_agrees_with_utils_evaluation_on_random_cases():
    from utils.checks import check_macro_f1
    from utils.evaluation import macro_f1

    rng = np.random.default_rng(0)
    for _ in range(50):
        y_true, y_pred = rng.integers(0, 5, size=(2, 30))
        assert check_macro_f1(macro_f1(y_true, y_pred, 6), y_true, y_pred, 6)


def _batchnorm_layer():
    import keras

    layer = keras.layers.BatchNormalization()
    layer.build((None, 6, 3))
    # Small moving variances, so that a forgotten epsilon (0.001) shows.
    layer.set_weights(
        [
            np.array([1.5, 0.5, 2.0], "float32"),  # gamma
            np.array([0.1, -0.2, 0.3], "float32"),  # beta
            np.array([0.4, -1.0, 2.0], "float32"),  # moving mean
            np.array([0.02, 0.5, 0.04], "float32"),  # moving variance
        ]
    )
    return layer


def test_batchnorm_inference_checker_right_wrong_and_leaves_the_layer_alone():
    import keras
    import pytest

    from utils.checks import check_batchnorm_inference as check

    layer = _batchnorm_layer()
    before = [w.copy() for w in layer.get_weights()]
    x = np.random.default_rng(1).normal(size=(4, 6, 3)).astype("float32")
    gamma, beta, mean, variance = before
    eps = layer.epsilon
    by_formula = gamma * (x - mean) / np.sqrt(variance + eps) + beta
    assert check(by_formula, layer, x)
    assert "Not answered yet" in check(..., layer, x).message
    batch = gamma * (x - x.mean(axis=(0, 1))) / np.sqrt(x.var(axis=(0, 1)) + eps) + beta
    assert "training mode" in check(batch, layer, x).message
    # The layer's own training-mode output is the same mistake.
    training_output = keras.ops.convert_to_numpy(_batchnorm_layer()(x, training=True))
    assert "training mode" in check(training_output, layer, x).message
    no_eps = gamma * (x - mean) / np.sqrt(variance) + beta
    assert "epsilon" in check(no_eps, layer, x).message
    assert "gamma" in check((x - mean) / np.sqrt(variance + eps), layer, x).message
    by_variance = gamma * (x - mean) / (variance + eps) + beta
    assert "standard deviation" in check(by_variance, layer, x).message
    assert "got (4, 6)" in check(by_formula[..., 0], layer, x).message
    assert "largest difference" in check(by_formula + 1, layer, x).message
    for kept, original in zip(layer.get_weights(), before, strict=True):
        np.testing.assert_array_equal(kept, original)
    with pytest.raises(TypeError, match="layer must be a built keras.layers.BatchNormalization"):
        check(by_formula, keras.layers.Dense(3), x)
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 3\)"):
        check(by_formula, layer, x[..., :2])


# Lesson 07: inverted dropout, a residual block, the parameters of a block with BN.


def _dropout_by_loop(x, mask, rate):
    out = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        out[index] = x[index] / (1 - rate) if mask[index] else 0.0
    return out


def test_inverted_dropout_checker_verdicts():
    import pytest

    from utils.checks import check_inverted_dropout as check

    x = np.arange(1.0, 13.0).reshape(3, 4)
    mask = (np.random.default_rng(3).random((3, 4)) > 0.25).astype(int)
    rate = 0.25
    assert check(_dropout_by_loop(x, mask, rate), x, mask, rate)
    assert "scaled by 1 / (1 - 0.25) = 1.333" in check(x * mask / 0.75, x, mask, rate).message
    assert "Not answered yet" in check(..., x, mask, rate).message
    assert "must also be divided" in check(x * mask, x, mask, rate).message
    assert "you multiplied by it" in check(x * mask * 0.75, x, mask, rate).message
    assert "not by the rate" in check(x * mask / 0.25, x, mask, rate).message
    assert "mask is 1 where a value is kept" in check(x * (1 - mask) / 0.75, x, mask, rate).message
    assert "must become 0" in check(x / 0.75, x, mask, rate).message
    assert "got (4, 3)" in check((x * mask / 0.75).T, x, mask, rate).message
    off_by_one = _dropout_by_loop(x, mask, rate)
    off_by_one[2, 3] += 1
    assert "1 of 12 values differ; the first at (2, 3)" in check(off_by_one, x, mask, rate).message
    assert "expected an array of numbers" in check("x", x, mask, rate).message
    with pytest.raises(ValueError, match=r"mask must have the shape of x, \(3, 4\)"):
        check(x, x, mask[:2], rate)
    with pytest.raises(ValueError, match="mask must hold only 0"):
        check(x, x, mask * 2, rate)
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\), got 1.0"):
        check(x, x, mask, 1.0)
    with pytest.raises(TypeError, match="rate must be a number, got str"):
        check(x, x, mask, "0.5")


def _block(skip=True, last_relu=True, branch_relu=False, middle="relu", **conv):
    import keras

    def residual_block(x, filters):
        y = keras.layers.Conv2D(filters, 3, padding="same", activation=middle, **conv)(x)
        y = keras.layers.Conv2D(filters, 3, padding="same", **conv)(y)
        if branch_relu:
            y = keras.layers.ReLU()(y)
        if skip:
            y = keras.layers.Add()([x, y])
        return keras.layers.ReLU()(y) if last_relu else y

    return residual_block


def test_residual_block_checker_verdicts():
    import keras

    from utils.checks import check_residual_block as check

    result = check(_block())
    assert result and "relu(x + F(x))" in result.message and "296 parameters" in result.message

    # the + operator and keras.ops work too
    def with_operator(x, filters):
        y = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        return keras.ops.relu(x + keras.layers.Conv2D(filters, 3, padding="same")(y))

    assert check(with_operator, filters=3)
    assert "Not answered yet" in check(...).message
    assert "expected a function" in check(3).message
    assert "no skip connection" in check(_block(skip=False)).message
    assert "apply a ReLU after the addition" in check(_block(last_relu=False)).message
    assert "not on the branch" in check(_block(last_relu=False, branch_relu=True)).message
    assert "between the two convolutions" in check(_block(middle=None)).message
    assert "padding='same'" in check(lambda x, f: keras.layers.Conv2D(f, 3)(x)).message
    assert "4 filters" in check(lambda x, f: keras.layers.Conv2D(2, 1)(x)).message
    assert "yours has 288" in check(_block(use_bias=False)).message
    assert "raised ZeroDivisionError" in check(lambda x, f: 1 / 0).message
    assert "returned None" in check(lambda x, f: None).message
    assert "output differs" in check(lambda x, f: _block()(x, f) * 2).message


def _resnet_block():
    import keras

    layers = keras.layers
    inputs = keras.Input((8, 8, 16))
    y = layers.Conv2D(16, 3, padding="same", use_bias=False)(inputs)
    y = layers.BatchNormalization()(y)
    y = layers.ReLU()(y)
    y = layers.Conv2D(16, 3, padding="same", use_bias=False)(y)
    y = layers.BatchNormalization()(y)
    return keras.Model(inputs, layers.ReLU()(layers.Add()([inputs, y])))


def test_block_param_count_checker_verdicts():
    import pytest

    from utils.checks import check_block_param_count as check

    model = _resnet_block()
    # counted independently: every weight array of every layer
    by_loop = sum(int(np.prod(w.shape)) for layer in model.layers for w in layer.weights)
    assert by_loop == 2 * 3 * 3 * 16 * 16 + 2 * 4 * 16 == 4_736
    result = check(by_loop, model)
    assert result and "4,672 trained" in result.message and "64 moving averages" in result.message
    assert check(np.int64(4_736), model)
    assert "Not answered yet" in check(..., model).message
    assert "number of trainable parameters" in check(4_672, model).message
    assert "leaves out batch normalisation" in check(4_608, model).message
    assert "use_bias=False" in check(4_736 + 32, model).message
    assert "use_bias=False" in check(4_672 + 32, model).message
    assert "F * F * C_in" in check(2 * 3 * 3 * 16 + 128, model).message
    assert "is not the number of parameters" in check(4_737, model).message
    assert "expected a whole number" in check(4736.0, model).message
    with pytest.raises(TypeError, match="model must be a built Keras model, got list"):
        check(1, [])


def test_residual_block_checker_needs_a_positive_number_of_filters():
    import pytest

    from utils.checks import check_residual_block as check

    with pytest.raises(ValueError, match="filters must be at least 1, got 0"):
        check(_block(), filters=0)
    with pytest.raises(TypeError, match="filters must be an int, got float 2.0"):
        check(_block(), filters=2.0)


# The arguments that come from the notebook are checked by utils._validate: a wrong
# type raises TypeError, a wrong value ValueError, in its one wording.


def test_the_package_exports_every_public_name():
    import utils.checks

    names = {
        "CheckResult",
        "CORRECT",
        "WRONG",
        "TODO",
        "correct",
        "wrong",
        "is_unanswered",
        "unanswered",
        "OUTPUT_SIZE_CASES",
    }
    checkers = {name for name in utils.checks.__all__ if name.startswith("check_")}
    assert set(utils.checks.__all__) == names | checkers
    assert len(checkers) == 22
    for name in utils.checks.__all__:
        assert getattr(utils.checks, name) is not None


def test_receptive_field_layers_are_checked_pair_by_pair():
    import pytest

    from utils.checks import check_receptive_field as check

    assert check(3, np.array([[3, 1]]))  # NumPy integers are ints too
    with pytest.raises(ValueError, match=r"layers\[1\]\[0\] must be at least 1, got 0"):
        check(3, [(3, 1), (0, 2)])
    with pytest.raises(ValueError, match=r"layers\[0\]\[1\] must be at least 1, got 0"):
        check(3, [(3, 0)])
    with pytest.raises(TypeError, match=r"layers\[0\]\[0\] must be an int, got float 3.0"):
        check(3, [(3.0, 1)])


def test_relative_error_decrease_needs_numbers():
    import pytest

    from utils.checks import check_relative_error_decrease as check

    with pytest.raises(TypeError, match="old_error must be a number, got str '0.03'"):
        check(0.5, "0.03", 0.01)
    with pytest.raises(TypeError, match="new_error must be a number, got NoneType None"):
        check(0.5, 0.03, None)
    with pytest.raises(ValueError, match="old_error must be a finite real number, got nan"):
        check(0.5, float("nan"), 0.01)


def test_pooling_and_dense_kernel_arguments_type_and_value():
    import pytest

    from utils.checks import check_dense_as_conv_kernel, check_pooling

    x = np.zeros((4, 4))
    with pytest.raises(TypeError, match="mode must be one of 'max', 'avg', got NoneType None"):
        check_pooling(x, x, None)
    with pytest.raises(TypeError, match="x must be an array of numbers, got str"):
        check_pooling(x, "abc")
    with pytest.raises(TypeError, match="pool_size must be an int, got float 2.0"):
        check_pooling(x, x, "max", 2.0)
    kernel = np.zeros((25, 1))
    with pytest.raises(TypeError, match=r"input_shape must be \(height, width, channels\)"):
        check_dense_as_conv_kernel(kernel, kernel, "abc")
    with pytest.raises(ValueError, match=r"input_shape\[2\] must be at least 1, got 0"):
        check_dense_as_conv_kernel(kernel, kernel, (5, 5, 0))
    with pytest.raises(TypeError, match=r"input_shape\[2\] must be an int, got float 1.0"):
        check_dense_as_conv_kernel(kernel, kernel, (5, 5, 1.0))
    with pytest.raises(TypeError, match="dense_kernel must be an array of numbers, got str"):
        check_dense_as_conv_kernel(kernel, "abc", (5, 5, 1))


def test_array_arguments_must_hold_real_numbers():
    import pytest

    from utils.checks import check_inverted_dropout, check_macro_f1, check_strongest_filter

    kernel, bias = _edge_filters()
    with pytest.raises(TypeError, match="kernel must be an array of numbers, got str"):
        check_strongest_filter(0, "kernel", bias, _vertical_edge())
    with pytest.raises(TypeError, match="image must hold real numbers, got dtype complex128"):
        check_strongest_filter(0, kernel, bias, _vertical_edge().astype(complex))
    with pytest.raises(TypeError, match="y_true must hold real numbers, got dtype <U1"):
        check_macro_f1(0.5, ["a", "b"], [0, 1], 2)
    with pytest.raises(TypeError, match="y_pred must be an array of numbers, got NoneType"):
        check_macro_f1(0.5, [0, 1], None, 2)
    x = np.ones((2, 2))
    with pytest.raises(TypeError, match="mask must be an array of numbers, got str"):
        check_inverted_dropout(x, x, "mask", 0.5)
    with pytest.raises(ValueError, match="rate must be a finite real number, got nan"):
        check_inverted_dropout(x, x, x, float("nan"))
    assert check_inverted_dropout(x / 0.5, x, x.astype(bool), np.float32(0.5))


def test_residual_block_takes_numpy_integers():
    from utils.checks import check_residual_block as check

    assert "Not answered yet" in check(..., filters=np.int64(3)).message


# Lesson 10: dilated receptive fields, a transposed convolution, a separable layer's parameters.


def test_receptive_field_checker_knows_dilation():
    import pytest

    from utils.checks import check_receptive_field as check

    # 3x3 dilation 1, 3x3 dilation 2, a 2x2 pooling, 3x3 dilation 2: 1 + 2 + 4 + 1 + 2 * 4 = 16.
    stack = [(3, 1, 1), (3, 1, 2), (2, 2), (3, 1, 2)]
    assert check(16, stack)
    assert check(31, [(3, 1, d) for d in (1, 2, 4, 8)])  # 2 ** 5 - 1
    assert "leaves out the dilations" in check(10, stack).message  # 1 + 2 + 2 + 1 + 2 * 2
    assert "if every stride were 1" in check(12, stack).message
    assert check(18, [(3, 1, 1), (2, 2), (3, 1), (2, 2), (3, 1)])  # pairs and triples mixed
    with pytest.raises(ValueError, match=r"layers\[0\]\[2\] must be at least 1, got 0"):
        check(3, [(3, 1, 0)])
    with pytest.raises(TypeError, match="or \\(kernel_size, stride, dilation\\) triples"):
        check(3, [(3, 1, 1, 1)])


def _transposed_by_loops(y, kernel, stride):
    """The exercise's answer: every y[i, j] stamps y[i, j] * kernel at (i * stride, j * stride)."""
    k_h, k_w = kernel.shape
    out = np.zeros(((y.shape[0] - 1) * stride + k_h, (y.shape[1] - 1) * stride + k_w))
    for i in range(y.shape[0]):
        for j in range(y.shape[1]):
            out[i * stride : i * stride + k_h, j * stride : j * stride + k_w] += y[i, j] * kernel
    return out


def test_transposed_convolution_checker_verdicts():
    from utils.checks import check_transposed_convolution as check
    from utils.conv import conv2d_transpose

    assert check(_transposed_by_loops)
    # The same answer through Keras' layout in utils.conv (kernel (F_h, F_w, C_out, C_in));
    # output_padding=0 keeps Keras' 'valid' from adding stride - F zeros when F < stride.
    assert check(
        lambda y, k, s: conv2d_transpose(
            y[None, :, :, None], k[:, :, None, None], stride=s, output_padding=0
        )[0, :, :, 0]
    )
    assert "Not answered yet" in check(...).message
    assert "expected a function" in check(3).message
    assert (
        "turned round by 180 degrees"
        in check(lambda y, k, s: _transposed_by_loops(y, k[::-1, ::-1], s)).message
    )
    assert "at stride 1" in check(lambda y, k, s: _transposed_by_loops(y, k, 1)).message
    assert (
        "'same' output"
        in check(
            lambda y, k, s: _transposed_by_loops(y, k, s)[: y.shape[0] * s, : y.shape[1] * s]
        ).message
    )
    assert "your function raised ZeroDivisionError" in check(lambda y, k, s: 1 / 0).message
    assert "returned None" in check(lambda y, k, s: None).message
    assert (
        "values differ; the first at [0, 0]"
        in check(lambda y, k, s: _transposed_by_loops(y, k, s) + 1).message
    )


def test_separable_params_checker_verdicts():
    from utils.checks import check_separable_params as check

    # SeparableConv2D(128, 5) on 32 channels: 5*5*32 + 32*128 + 128.
    assert check(5 * 5 * 32 + 32 * 128 + 128, 5, 32, 128)
    assert check(np.int64(9 * 3 + 3 * 4 + 4), 3, 3, 4)
    assert "Not answered yet" in check(..., 5, 32, 128).message
    assert "expected a whole number" in check(5024.0, 5, 32, 128).message
    assert "plain Conv2D" in check(5 * 5 * 32 * 128 + 128, 5, 32, 128).message
    assert "add C'" in check(5024 - 128, 5, 32, 128).message
    assert "no bias in its depthwise step" in check(5024 + 32, 5, 32, 128).message
    assert "depthwise step alone" in check(800 + 128, 5, 32, 128).message
    assert "pointwise step alone" in check(4096 + 128, 5, 32, 128).message
    assert "is not it" in check(1, 5, 32, 128).message


# Lesson 11: the trainable parameters of a partly frozen model.


def test_trainable_params_checker_verdicts():
    import keras

    from utils.checks import check_trainable_params as check
    from utils.models import build_convnet

    model = build_convnet(n_classes=5)
    for layer in model.layers:
        layer.trainable = layer.name not in ("conv_1", "conv_2")
    # conv_3 + dense + output: 3*3*64*64 + 64 + 576*64 + 64 + 64*5 + 5.
    trainable = 36_928 + 36_928 + 325
    assert (
        check(trainable, model) and "conv_1, conv_2 are frozen" in check(trainable, model).message
    )
    assert check(np.int64(trainable), model)
    assert "Not answered yet" in check(..., model).message
    assert "every parameter of the model" in check(model.count_params(), model).message
    assert "frozen (non-trainable) part" in check(320 + 18_496, model).message
    assert "but not their biases" in check(trainable - 64 - 64 - 5, model).message
    assert "is not it" in check(1, model).message
    assert "expected a whole number" in check(74_181.0, model).message
    # A frozen layer inside a nested model is named too.
    nested = keras.Sequential([keras.Input((28, 28, 1)), model])
    assert "conv_1, conv_2 are frozen" in check(trainable, nested).message


# Lesson 12: an occlusion map, and one step of the fast gradient sign method.


def _pretrained_and_a_seven():
    from utils.data import load_mnist
    from utils.models import load_pretrained_convnet

    _, (x_test, y_test) = load_mnist()
    digit = (x_test[0].astype(np.float32) / 255)[..., None]  # a 7, shape (28, 28, 1)
    return load_pretrained_convnet(), digit, int(y_test[0])


def _corner_map_by_loop(model, image, label, patch_size):
    """The slip: the patch's top-left corner, not its centre, at each pixel (fill 0)."""
    copies = []
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            copy = image.copy()
            copy[i : i + patch_size, j : j + patch_size] = 0.0
            copies.append(copy)
    base = np.asarray(model(image[None]))[0, label]
    return (base - np.asarray(model(np.stack(copies)))[:, label]).reshape(image.shape[:2])


def test_occlusion_map_checker_verdicts():
    import pytest

    from utils.checks import check_occlusion_map as check
    from utils.saliency import occlusion_map

    model, digit, label = _pretrained_and_a_seven()
    expected = occlusion_map(model, digit, label, patch_size=3)
    result = check(expected, model, digit, label, patch_size=3)
    assert result and "matches on all 784 pixels (3 x 3 patch, fill 0)" in result.message
    assert check(expected[..., None], model, digit, label, patch_size=3)
    assert check(expected.astype(np.float64) + 5e-6, model, digit, label, patch_size=3)
    assert "Not answered yet" in check(..., model, digit, label).message
    assert "opposite sign" in check(-expected, model, digit, label, patch_size=3).message
    base = float(np.asarray(model(digit[None]))[0, label])
    assert (
        "probabilities of the occluded copies"
        in check(base - expected, model, digit, label, patch_size=3).message
    )
    corner = _corner_map_by_loop(model, digit, label, 3)
    assert np.abs(corner - expected).max() > 0.01  # the slip makes a different map
    assert "top-left corner at (i, j)" in check(corner, model, digit, label, patch_size=3).message
    assert (
        "should have shape (28, 28), got (27, 28)"
        in check(expected[1:], model, digit, label, patch_size=3).message
    )
    off = expected.copy()
    off[3, 4] += 0.25
    assert (
        "1 of 784 pixels differ from the reference by more than 1e-05; the largest "
        in check(off, model, digit, label, patch_size=3).message
    )
    assert "expected an array of numbers, got str" in check("map", model, digit, label).message
    # The other arguments come from the notebook: a wrong one raises.
    with pytest.raises(ValueError, match=r"label must be between 0 and 9"):
        check(expected, model, digit, 10)
    with pytest.raises(ValueError, match=r"patch_size must be odd"):
        check(expected, model, digit, label, patch_size=4)


def _fgsm_gradient(model, image, label):
    """The gradient of the loss with respect to the image, as the lesson writes it."""
    import keras
    import tensorflow as tf

    x = tf.convert_to_tensor(image[None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = keras.losses.SparseCategoricalCrossentropy()(np.array([label]), model(x))
    return tape.gradient(loss, x).numpy()[0]


def test_fgsm_step_checker_verdicts():
    from utils.checks import check_fgsm_step as check

    model, digit, label = _pretrained_and_a_seven()
    gradient = _fgsm_gradient(model, digit, label)
    eps = 0.1
    adversarial = np.clip(digit + eps * np.sign(gradient), 0, 1)
    result = check(adversarial, model, digit, label, eps)
    assert result and "moved by 0.1 in the direction that raises the loss" in result.message
    assert check(adversarial[..., 0], model, digit, label, eps)  # (28, 28) is accepted
    assert check(adversarial[None], model, digit, label, eps)  # and a batch of one
    # Where the gradient is (nearly) zero its sign may differ on another CPU: not compared.
    flat = np.abs(gradient) < 1e-6 * np.abs(gradient).max()
    assert flat.any() and (~flat).sum() > 300
    other_cpu = np.where(flat, np.clip(digit + eps, 0, 1), adversarial)
    assert check(other_cpu, model, digit, label, eps)
    assert "Not answered yet" in check(..., model, digit, label, eps).message
    descent = np.clip(digit - eps * np.sign(gradient), 0, 1)
    assert "goes down the gradient" in check(descent, model, digit, label, eps).message
    unclipped = digit + eps * np.sign(gradient)
    assert "outside [0, 1]" in check(unclipped, model, digit, label, eps).message
    assert "the original one" in check(digit, model, digit, label, eps).message
    big_step = np.clip(digit + 0.2 * np.sign(gradient), 0, 1)
    assert "a step of 0.2, not epsilon = 0.1" in check(big_step, model, digit, label, eps).message
    noisy = np.clip(digit + np.random.default_rng(0).uniform(-0.3, 0.3, digit.shape), 0, 1)
    assert "differs from the original by up to" in check(noisy, model, digit, label, eps).message
    flipped = adversarial.copy()
    strongest = np.unravel_index(np.argsort(np.abs(gradient), axis=None)[-3:], gradient.shape)
    flipped[strongest] = np.clip(digit - eps * np.sign(gradient), 0, 1)[strongest]
    assert "3 of " in check(flipped, model, digit, label, eps).message
    assert (
        "should have shape (28, 28, 1), got (27, 28)"
        in check(np.zeros((27, 28)), model, digit, label, eps).message
    )


def test_fgsm_step_checker_diagnoses_the_raw_gradient():
    from utils.checks import check_fgsm_step as check

    model, digit, _ = _pretrained_and_a_seven()
    label = 3  # a wrong label: a large loss, so epsilon * gradient is large enough to see
    gradient = _fgsm_gradient(model, digit, label)
    eps = 0.1
    assert eps * np.abs(gradient).max() > 1e-3
    raw = np.clip(digit + eps * gradient, 0, 1)
    assert "epsilon times the gradient itself" in check(raw, model, digit, label, eps).message
    assert check(np.clip(digit + eps * np.sign(gradient), 0, 1), model, digit, label, eps)


def test_fgsm_step_checker_arguments():
    import pytest

    from utils.checks import check_fgsm_step as check

    model, digit, label = _pretrained_and_a_seven()
    with pytest.raises(TypeError, match=r"model must be a Keras model, got str"):
        check(..., "model", digit, label, 0.1)
    with pytest.raises(ValueError, match=r"image must hold values in \[0, 1\]"):
        check(..., model, digit * 255, label, 0.1)
    with pytest.raises(ValueError, match=r"image must be one image of shape \(H, W, C\)"):
        check(..., model, digit[None], label, 0.1)
    with pytest.raises(ValueError, match=r"epsilon must be in \(0, 1\], got 0"):
        check(..., model, digit, label, 0)
    with pytest.raises(TypeError, match=r"epsilon must be a number, got str"):
        check(..., model, digit, label, "0.1")
    with pytest.raises(ValueError, match=r"label must be between 0 and 9 \(the model has 10"):
        check(..., model, digit, 10, 0.1)
