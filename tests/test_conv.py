"""Tests for utils.conv against scipy.signal, Keras' convolution layers and the formulas."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.conv import (
    axis_padding,
    conv2d,
    conv2d_backward,
    conv2d_transpose,
    cross_correlate2d,
    depthwise_conv2d,
    effective_kernel_size,
    im2col,
    output_size,
    pad,
    transposed_output_size,
)
from utils.diagrams import HORIZONTAL_LINE, WORKED_IMAGE

# The lecture's worked example, as lesson 01 and its diagram (utils.diagrams) use it;
# LECTURE_OUTPUT below is the lecture's own result, the independent reference.
LECTURE_IMAGE = WORKED_IMAGE
LECTURE_OUTPUT = np.array(
    [[0, 0, 0, 0, 0], [0, -1, -3, -1, 0], [2, 5, 3, 3, 0], [0, -1, -3, -1, 0], [0, 0, 0, 0, 0]]
)


def keras_conv2d(x, kernel, bias, stride, padding):
    layer = keras.layers.Conv2D(
        kernel.shape[3], kernel.shape[:2], strides=stride, padding=padding, dtype="float32"
    )
    layer.build(x.shape)
    layer.set_weights([kernel.astype("float32"), bias.astype("float32")])
    return keras.ops.convert_to_numpy(layer(x.astype("float32")))


# --- the lecture's worked example -------------------------------------------------


def test_worked_example_from_the_lecture():
    result = cross_correlate2d(LECTURE_IMAGE, HORIZONTAL_LINE, padding=1)
    np.testing.assert_array_equal(result, LECTURE_OUTPUT)
    assert result.dtype == np.float64
    np.testing.assert_array_equal(np.maximum(result, 0)[2], [2, 5, 3, 3, 0])
    assert np.count_nonzero(np.maximum(result, 0).sum(axis=1)) == 1


def test_pad_adds_a_zero_border():
    padded = pad(LECTURE_IMAGE, 1)
    assert padded.shape == (7, 7)
    np.testing.assert_array_equal(padded[1:-1, 1:-1], LECTURE_IMAGE)
    assert padded[0].sum() == padded[-1].sum() == padded[:, 0].sum() == padded[:, -1].sum() == 0


def test_pad_only_grows_the_spatial_axes_of_channels_last_arrays():
    assert pad(np.ones((4, 5, 3)), 2).shape == (8, 9, 3)
    assert pad(np.ones((2, 4, 5, 3)), 1).shape == (2, 6, 7, 3)
    assert pad(np.ones((4, 5)), ((0, 1), (2, 3))).shape == (5, 10)
    batch = pad(np.ones((2, 4, 5, 3)), ((0, 1), (0, 1)))
    assert batch[:, -1].sum() == 0 and batch[:, :, -1].sum() == 0 and batch[:, 0, 0].sum() == 6


# --- against scipy.signal -------------------------------------------------------------

small = st.integers(min_value=1, max_value=7)


@st.composite
def image_and_kernel(draw):
    height, width = draw(small), draw(small)
    kernel_shape = (draw(st.integers(1, height)), draw(st.integers(1, width)))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    return rng.normal(size=(height, width)), rng.normal(size=kernel_shape)


@settings(max_examples=60, deadline=None)
@given(image_and_kernel(), st.sampled_from(["valid", "full"]))
def test_matches_scipy_for_valid_and_full(case, mode):
    image, kernel = case
    np.testing.assert_allclose(
        cross_correlate2d(image, kernel, padding=mode),
        scipy.signal.correlate2d(image, kernel, mode=mode),
        atol=1e-12,
    )


@settings(max_examples=60, deadline=None)
@given(image_and_kernel(), st.integers(0, 3), st.integers(1, 4))
def test_matches_scipy_with_padding_and_stride(case, padding, stride):
    image, kernel = case
    padded = np.pad(image, padding)
    expected = scipy.signal.correlate2d(padded, kernel, mode="valid")[::stride, ::stride]
    result = cross_correlate2d(image, kernel, stride=stride, padding=padding)
    np.testing.assert_allclose(result, expected, atol=1e-12)
    assert result.shape == (
        output_size(image.shape[0], kernel.shape[0], padding, stride),
        output_size(image.shape[1], kernel.shape[1], padding, stride),
    )


@settings(max_examples=40, deadline=None)
@given(small, small, st.sampled_from([1, 3, 5]), st.integers(0, 2**16))
def test_same_matches_scipy_for_odd_kernels(height, width, size, seed):
    rng = np.random.default_rng(seed)
    image, kernel = rng.normal(size=(height, width)), rng.normal(size=(size, size))
    np.testing.assert_allclose(
        cross_correlate2d(image, kernel, padding="same"),
        scipy.signal.correlate2d(image, kernel, mode="same"),
        atol=1e-12,
    )


# --- output_size against the formula and against Keras ---------------------------


@given(st.integers(1, 40), st.integers(1, 9), st.integers(0, 4), st.integers(1, 5))
def test_output_size_is_the_formula(n, kernel_size, padding, stride):
    if kernel_size > n + 2 * padding:
        with pytest.raises(ValueError, match="bigger than the padded input"):
            output_size(n, kernel_size, padding, stride)
    else:
        assert output_size(n, kernel_size, padding, stride) == (
            (n - kernel_size + 2 * padding) // stride + 1
        )
        assert output_size(n, kernel_size, padding, stride) == len(
            range(0, n + 2 * padding - kernel_size + 1, stride)
        )


def test_output_size_names():
    assert output_size(7, 3, "valid", 2) == 3
    assert output_size(7, 3, "same") == 7
    assert output_size(7, 3, "same", 2) == 4
    assert output_size(5, 3, "full") == 7
    assert axis_padding(7, 3, "same", 1) == (1, 1)
    assert axis_padding(8, 3, "same", 2) == (0, 1)  # the extra zero goes at the bottom/right
    assert axis_padding(7, 4, "same", 1) == (1, 2)
    assert axis_padding(7, 4, "valid") == (0, 0)
    assert axis_padding(7, 4, "full") == (3, 3)
    assert axis_padding(7, 4, 2) == (2, 2)


@given(st.integers(1, 40), st.integers(1, 9), st.integers(1, 5), st.integers(1, 3))
def test_same_output_size_is_the_ceiling_of_n_over_stride(n, kernel_size, stride, dilation):
    # Keras' rule, stated independently of the padding that output_size derives from it.
    assert output_size(n, kernel_size, "same", stride, dilation) == -(-n // stride)


def test_output_size_is_a_python_int_for_numpy_integers():
    for padding in (1, "valid", "same", "full"):
        size = output_size(np.int64(7), np.int32(3), padding, np.int64(2))
        assert type(size) is int, padding


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_output_size_agrees_with_keras_conv2d_shapes(padding):
    checked = 0
    for n in range(1, 10):
        for kernel_size in range(1, 6):
            for stride in range(1, 5):
                if padding == "valid" and kernel_size > n:
                    with pytest.raises(ValueError):
                        output_size(n, kernel_size, padding, stride)
                    continue
                layer = keras.layers.Conv2D(1, kernel_size, strides=stride, padding=padding)
                shape = layer(np.zeros((1, n, n, 1), dtype="float32")).shape
                expected = output_size(n, kernel_size, padding, stride)
                assert shape == (1, expected, expected, 1), (n, kernel_size, stride)
                checked += 1
    assert checked > 100


# --- conv2d against keras.layers.Conv2D ------------------------------------------


@st.composite
def conv_layer_case(draw):
    stride = draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["valid", "same"]))
    kernel_size = draw(st.integers(1, 4))
    height = draw(st.integers(kernel_size, 9))
    width = draw(st.integers(kernel_size, 9))
    batch, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.normal(size=(batch, height, width, c_in)).astype("float32")
    kernel = rng.normal(size=(kernel_size, kernel_size, c_in, c_out)).astype("float32")
    bias = rng.normal(size=c_out).astype("float32")
    return x, kernel, bias, stride, padding


@settings(max_examples=40, deadline=None)
@given(conv_layer_case())
def test_conv2d_equals_keras_conv2d(case):
    x, kernel, bias, stride, padding = case
    expected = keras_conv2d(x, kernel, bias, stride, padding)
    result = conv2d(x, kernel, bias, stride=stride, padding=padding)
    assert result.shape == expected.shape
    np.testing.assert_allclose(result, expected, atol=1e-5, rtol=1e-5)


def test_conv2d_same_with_even_kernel_pads_bottom_right_like_keras():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 6, 6, 2)).astype("float32")
    kernel = rng.normal(size=(2, 2, 2, 3)).astype("float32")
    bias = np.zeros(3, dtype="float32")
    expected = keras_conv2d(x, kernel, bias, 1, "same")
    np.testing.assert_allclose(conv2d(x, kernel, padding="same"), expected, atol=1e-5)


def test_conv2d_output_depth_is_the_number_of_filters():
    out = conv2d(np.ones((2, 5, 5, 3)), np.ones((3, 3, 3, 8)))
    assert out.shape == (2, 3, 3, 8)
    np.testing.assert_array_equal(out, 27.0)


def test_conv2d_one_channel_one_filter_is_cross_correlate2d():
    out = conv2d(LECTURE_IMAGE[None, :, :, None], HORIZONTAL_LINE[:, :, None, None], padding=1)
    np.testing.assert_array_equal(out[0, :, :, 0], LECTURE_OUTPUT)


# --- errors name the argument and its value --------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: cross_correlate2d(np.ones((3, 3)), np.ones((5, 5))), ValueError,
         r"kernel of shape \(5, 5\) is bigger than the padded image of shape \(3, 3\)"),
        (lambda: cross_correlate2d(np.ones((3, 3)), np.ones((2, 2)), stride=0), ValueError,
         "stride must be at least 1, got 0"),
        (lambda: cross_correlate2d(np.ones((3, 3)), np.ones((2, 2)), stride=-2), ValueError,
         "stride must be at least 1, got -2"),
        (lambda: cross_correlate2d(np.ones((3, 3)), np.ones((2, 2)), stride=1.5), TypeError,
         "stride must be an int, got float 1.5"),
        (lambda: cross_correlate2d(np.ones(5), np.ones((2, 2))), ValueError,
         r"image must be a 2-D array \(height, width\), got shape \(5,\)"),
        (lambda: cross_correlate2d(np.ones((3, 3)), np.ones(2)), ValueError,
         r"kernel must be a 2-D array \(height, width\), got shape \(2,\)"),
        (lambda: cross_correlate2d(np.ones((3, 3)), np.ones((2, 2)), padding="half"), ValueError,
         "padding must be one of 'valid', 'same', 'full', got 'half'"),
        (lambda: cross_correlate2d(np.ones((3, 3)), np.ones((2, 2)), padding=-1), ValueError,
         "padding must be at least 0, got -1"),
        (lambda: cross_correlate2d("image", np.ones((2, 2))), TypeError,
         "image must be an array of numbers, got str"),
        (lambda: cross_correlate2d(np.ones((3, 3)), np.full((2, 2), "a")), TypeError,
         "kernel must hold real numbers, got dtype <U1"),
        (lambda: conv2d(np.ones((1, 5, 5, 3)), np.ones((3, 3, 2, 4))), ValueError,
         "kernel has 2 input channels but x has 3"),
        (lambda: conv2d(np.ones((5, 5, 3)), np.ones((3, 3, 3, 4))), ValueError,
         r"x must have shape \(N, H, W, C_in\), got shape \(5, 5, 3\)"),
        (lambda: conv2d(np.ones((1, 5, 5, 3)), np.ones((3, 3, 3))), ValueError,
         r"kernel must have shape \(F_h, F_w, C_in, C_out\), got shape \(3, 3, 3\)"),
        (lambda: conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 2)), bias=np.ones(3)),
         ValueError, r"bias must have shape \(2,\), one value per filter, got shape \(3,\)"),
        (lambda: conv2d(np.ones((1, 2, 2, 1)), np.ones((3, 3, 1, 1))), ValueError,
         r"kernel of shape \(3, 3\) is bigger than the padded image of shape \(2, 2\)"),
        (lambda: conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), padding="causal"),
         ValueError, "got 'causal'"),
        (lambda: conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), stride=0), ValueError,
         "stride must be at least 1, got 0"),
        (lambda: output_size(3, 5), ValueError,
         r"kernel_size 5 is bigger than the padded input \(3 \+ 0 padding = 3\)"),
        (lambda: output_size(0, 3), ValueError, "n must be at least 1, got 0"),
        (lambda: output_size(7, 3, stride=0), ValueError, "stride must be at least 1, got 0"),
        (lambda: output_size(7, 3, padding="Same"), ValueError, "got 'Same'"),
        (lambda: output_size(7, 3, padding=1.0), TypeError,
         "padding must be an int or one of 'valid', 'same', 'full', got float 1.0"),
        (lambda: output_size(7.0, 3), TypeError, "n must be an int, got float 7.0"),
        (lambda: axis_padding(7, 0), ValueError, "kernel_size must be at least 1, got 0"),
        (lambda: pad(np.ones(4), 1), ValueError,
         r"image must have shape \(H, W\), \(H, W, C\) or \(N, H, W, C\), got shape \(4,\)"),
        (lambda: pad(np.ones((3, 3)), -1), ValueError,
         "padding must be at least 0, got -1"),
        (lambda: pad(np.ones((3, 3)), "same"), TypeError,
         r"padding must be an int or \(\(top, bottom\), \(left, right\)\), got 'same'"),
        (lambda: pad(np.ones((3, 3)), ((1, -1), (0, 0))), ValueError,
         r"padding\[0\]\[1\] must be at least 0, got -1"),
    ],
)  # fmt: skip
def test_errors_name_the_argument_and_value(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- im2col: the patches matrix behind conv2d -------------------------------------


def im2col_by_loops(x, kernel_size, stride):
    """The patches matrix built one window at a time ('valid' padding), the slow reference."""
    n, height, width, _ = x.shape
    out_h = (height - kernel_size) // stride + 1
    out_w = (width - kernel_size) // stride + 1
    rows = []
    for image in range(n):
        for i in range(out_h):
            for j in range(out_w):
                top, left = i * stride, j * stride
                window = x[image, top : top + kernel_size, left : left + kernel_size, :]
                rows.append(window.reshape(-1))  # (u, v, c) order, like kernel.reshape
    return np.array(rows)


@settings(max_examples=40, deadline=None)
@given(
    kernel_size=st.integers(1, 4),
    stride=st.integers(1, 3),
    extra=st.tuples(st.integers(0, 5), st.integers(0, 5)),
    batch=st.integers(1, 3),
    channels=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_im2col_equals_a_loop_over_windows(kernel_size, stride, extra, batch, channels, seed):
    shape = (batch, kernel_size + extra[0], kernel_size + extra[1], channels)
    x = np.random.default_rng(seed).normal(size=shape)
    patches = im2col(x, kernel_size, stride=stride)
    np.testing.assert_array_equal(patches, im2col_by_loops(x, kernel_size, stride))
    out_h = output_size(shape[1], kernel_size, 0, stride)
    out_w = output_size(shape[2], kernel_size, 0, stride)
    assert patches.shape == (batch * out_h * out_w, kernel_size**2 * channels)


@settings(max_examples=30, deadline=None)
@given(conv_layer_case())
def test_im2col_times_the_reshaped_kernel_is_keras_conv2d(case):
    x, kernel, bias, stride, padding = case
    f_h, f_w, _, c_out = kernel.shape
    patches = im2col(x, (f_h, f_w), stride=stride, padding=padding)
    expected = keras_conv2d(x, kernel, bias, stride, padding)
    out = (patches @ kernel.reshape(-1, c_out) + bias).reshape(expected.shape)
    np.testing.assert_allclose(out, expected, atol=1e-4, rtol=1e-4)


@settings(max_examples=30, deadline=None)
@given(
    kernel_size=st.integers(1, 3),
    stride=st.integers(1, 3),
    widths=st.tuples(*[st.integers(0, 3)] * 4),
    seed=st.integers(0, 2**16),
)
def test_im2col_with_uneven_padding_reads_the_zero_padded_images(kernel_size, stride, widths, seed):
    top, bottom, left, right = widths
    x = np.random.default_rng(seed).normal(size=(2, 3, 4, 2))
    padded = np.pad(x, [(0, 0), (top, bottom), (left, right), (0, 0)])
    patches = im2col(x, kernel_size, stride=stride, padding=((top, bottom), (left, right)))
    np.testing.assert_array_equal(patches, im2col_by_loops(padded, kernel_size, stride))


def test_im2col_keeps_float32_and_widens_integers():
    assert im2col(np.ones((1, 4, 4, 1), dtype="float32"), 3).dtype == np.float32
    assert im2col(np.ones((1, 4, 4, 1), dtype="float64"), 3).dtype == np.float64
    assert im2col(np.ones((1, 4, 4, 1), dtype="uint8"), 3).dtype == np.float64
    assert conv2d(np.ones((1, 4, 4, 1), "float32"), np.ones((3, 3, 1, 1), "float32")).dtype == (
        np.float64
    )


def test_im2col_of_a_small_image_row_by_row():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    patches = im2col(x, 3)
    np.testing.assert_array_equal(patches[0], [0, 1, 2, 4, 5, 6, 8, 9, 10])
    np.testing.assert_array_equal(patches[3], [5, 6, 7, 9, 10, 11, 13, 14, 15])
    padded = im2col(x, 3, padding="same")
    assert padded.shape == (16, 9)
    np.testing.assert_array_equal(padded[0], [0, 0, 0, 0, 0, 1, 0, 4, 5])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: im2col(np.ones((4, 4, 1)), 3), ValueError,
         r"x must have shape \(N, H, W, C_in\), got shape \(4, 4, 1\)"),
        (lambda: im2col(np.ones((1, 4, 4, 1)), 0), ValueError,
         "kernel_size must be at least 1, got 0"),
        (lambda: im2col(np.ones((1, 4, 4, 1)), 2.0), TypeError,
         r"kernel_size must be an int or a pair \(height, width\), got float 2.0"),
        (lambda: im2col(np.ones((1, 4, 4, 1)), (3, 3, 1)), ValueError,
         r"kernel_size must be an int or a pair \(height, width\), got \(3, 3, 1\)"),
        (lambda: im2col(np.ones((1, 4, 4, 1)), 3, stride=0), ValueError,
         "stride must be at least 1, got 0"),
        (lambda: im2col(np.ones((1, 2, 2, 1)), 3), ValueError,
         r"kernel of shape \(3, 3\) is bigger than the padded image of shape \(2, 2\)"),
        (lambda: im2col(np.ones((1, 4, 4, 1)), 3, padding="half"), ValueError, "got 'half'"),
        (lambda: im2col(np.ones((0, 4, 4, 1)), 3), ValueError,
         r"x must not be empty, got shape \(0, 4, 4, 1\)"),
        (lambda: im2col("x", 3), TypeError, "x must be an array of numbers, got str"),
    ],
)  # fmt: skip
def test_im2col_errors_name_the_argument_and_value(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- lesson 10: dilated, transposed and depthwise convolutions --------------------


def keras_output(layer, x, *weights):
    """``layer``'s output on ``x`` (float32) with the weights given (float32)."""
    layer.build(x.shape)
    layer.set_weights([w.astype("float32") for w in weights])
    return keras.ops.convert_to_numpy(layer(x.astype("float32")))


def dilated_kernel(kernel, dilation):
    """The dense kernel a dilated one stands for: ``dilation - 1`` zeros between taps."""
    f_h, f_w = kernel.shape[:2]
    span_h, span_w = effective_kernel_size(f_h, dilation), effective_kernel_size(f_w, dilation)
    dense = np.zeros((span_h, span_w, *kernel.shape[2:]))
    dense[::dilation, ::dilation] = kernel
    return dense


def keras_runs_transposed(kernel_size, padding, output_padding):
    """TensorFlow refuses 'same' with an even kernel and output_padding 0 (the shape is
    (n - 1) s, too short for the convolution it is the gradient of)."""
    return not (padding == "same" and output_padding == 0 and kernel_size % 2 == 0)


def test_dilation_examples():
    assert effective_kernel_size(3, 1) == 3
    assert effective_kernel_size(3, 2) == 5
    assert effective_kernel_size(3, 3) == 7
    assert effective_kernel_size(1, 4) == 1
    assert output_size(7, 3, "valid", dilation=2) == 3
    assert output_size(7, 3, "same", dilation=2) == 7
    assert output_size(7, 3, 2, dilation=2) == 7
    assert output_size(7, 3, "full", dilation=2) == 11
    assert axis_padding(7, 3, "same", dilation=2) == (2, 2)
    assert axis_padding(7, 2, "same", dilation=3) == (1, 2)
    assert axis_padding(7, 3, "full", dilation=3) == (6, 6)


@given(
    st.integers(1, 30),
    st.integers(1, 6),
    st.one_of(st.integers(0, 4), st.sampled_from(["valid", "same", "full"])),
    st.integers(1, 4),
    st.integers(1, 4),
)
def test_dilation_is_a_kernel_as_long_as_its_span(n, kernel_size, padding, stride, dilation):
    span = kernel_size + (kernel_size - 1) * (dilation - 1)
    assert axis_padding(n, kernel_size, padding, stride, dilation) == axis_padding(
        n, span, padding, stride
    )
    try:
        expected = output_size(n, span, padding, stride)
    except ValueError:
        what = f"at dilation {dilation}" if dilation > 1 else f"kernel_size {kernel_size} is"
        with pytest.raises(ValueError, match=what):
            output_size(n, kernel_size, padding, stride, dilation)
    else:
        assert output_size(n, kernel_size, padding, stride, dilation) == expected


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_output_size_with_dilation_agrees_with_keras_conv2d_shapes(padding):
    checked = 0
    for kernel_size in range(1, 6):
        for stride, dilation in [(1, 1), (1, 2), (1, 3), (2, 1), (3, 1)]:
            layer = keras.layers.Conv2D(
                1, kernel_size, strides=stride, padding=padding, dilation_rate=dilation
            )
            for n in range(1, 10):
                if padding == "valid" and effective_kernel_size(kernel_size, dilation) > n:
                    with pytest.raises(ValueError, match="bigger than the padded input"):
                        output_size(n, kernel_size, padding, stride, dilation)
                    continue
                expected = layer.compute_output_shape((1, n, n, 1))[1]
                assert output_size(n, kernel_size, padding, stride, dilation) == expected, (
                    n, kernel_size, stride, dilation
                )  # fmt: skip
                checked += 1
    assert checked > 100


def test_transposed_output_size_examples():
    # 4 inputs, a 3-long kernel, stride 2: the copies cover (4 - 1) * 2 + 3 = 9 values.
    assert transposed_output_size(4, 3, "valid", 2) == 9
    assert transposed_output_size(4, 3, "same", 2) == 8
    assert transposed_output_size(4, 3, "valid", 2, output_padding=1) == 10
    assert transposed_output_size(4, 3, "same", 2, output_padding=1) == 8
    assert transposed_output_size(4, 3, "same", 2, output_padding=0) == 7
    assert transposed_output_size(4, 1, "valid", 3) == 12  # stride > kernel: n * s
    assert transposed_output_size(4, 3, 1, 2) == 7
    assert transposed_output_size(4, 3, 1, 2, output_padding=1) == 8
    assert transposed_output_size(5, 3, 1) == 5  # stride 1, p = 1: a 'same' convolution undone


@given(st.integers(1, 20), st.integers(1, 7), st.integers(0, 4), st.integers(1, 4), st.data())
def test_transposed_output_size_is_the_textbook_formula(n, kernel_size, padding, stride, data):
    output_padding = data.draw(st.sampled_from([None, *range(stride)]))
    expected = (n - 1) * stride - 2 * padding + kernel_size + (output_padding or 0)
    if expected < 1:
        with pytest.raises(ValueError, match=f"output would be {expected} long"):
            transposed_output_size(n, kernel_size, padding, stride, output_padding)
    else:
        assert transposed_output_size(n, kernel_size, padding, stride, output_padding) == expected
        # and it is the input length of the convolution it undoes
        assert output_size(expected, kernel_size, padding, stride) == n


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_transposed_output_size_agrees_with_keras_conv2d_transpose_shapes(padding):
    checked = 0
    for kernel_size in range(1, 6):
        for stride in range(1, 4):
            for output_padding in [None, *range(stride)]:
                layer = keras.layers.Conv2DTranspose(
                    1, kernel_size, strides=stride, padding=padding, output_padding=output_padding
                )
                for n in range(1, 10):
                    expected = layer.compute_output_shape((1, n, n, 1))[1]
                    args = (n, kernel_size, padding, stride, output_padding)
                    if expected < 1:
                        with pytest.raises(ValueError, match="output would be 0 long"):
                            transposed_output_size(*args)
                        continue
                    assert transposed_output_size(*args) == expected, args
                    checked += 1
    assert checked > 250


@st.composite
def dilated_case(draw, max_stride=3):
    """A batch, a kernel and a bias, with a stride and a dilation Keras accepts together."""
    dilation = draw(st.integers(1, 3))
    stride = 1 if dilation > 1 else draw(st.integers(1, max_stride))
    padding = draw(st.sampled_from(["valid", "same"]))
    kernel_size = draw(st.integers(1, 3))
    span = effective_kernel_size(kernel_size, dilation)
    height, width = draw(st.integers(span, 9)), draw(st.integers(span, 9))
    batch, c_in, last = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.normal(size=(batch, height, width, c_in)).astype("float32")
    kernel = rng.normal(size=(kernel_size, kernel_size, c_in, last)).astype("float32")
    return x, kernel, stride, padding, dilation, rng


@settings(max_examples=25, deadline=None)
@given(dilated_case())
def test_dilated_conv2d_equals_keras_conv2d(case):
    x, kernel, stride, padding, dilation, rng = case
    bias = rng.normal(size=kernel.shape[3])
    layer = keras.layers.Conv2D(
        kernel.shape[3], kernel.shape[:2], strides=stride, padding=padding, dilation_rate=dilation
    )
    expected = keras_output(layer, x, kernel, bias)
    result = conv2d(x, kernel, bias, stride=stride, padding=padding, dilation=dilation)
    assert result.shape == expected.shape
    np.testing.assert_allclose(result, expected, atol=1e-5, rtol=1e-5)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 3),
    st.sampled_from(["valid", "same", 1]),
    st.integers(0, 2**16),
)
def test_dilated_conv2d_is_conv2d_with_a_zero_stuffed_kernel(
    kernel_size, stride, dilation, padding, seed
):
    """Also at stride > 1 with dilation > 1, which Keras refuses."""
    rng = np.random.default_rng(seed)
    span = effective_kernel_size(kernel_size, dilation)
    x = rng.normal(size=(2, span + 3, span + 2, 2))
    kernel = rng.normal(size=(kernel_size, kernel_size, 2, 3))
    np.testing.assert_allclose(
        conv2d(x, kernel, stride=stride, padding=padding, dilation=dilation),
        conv2d(x, dilated_kernel(kernel, dilation), stride=stride, padding=padding),
        atol=1e-12,
    )


def test_im2col_with_dilation_reads_every_dth_value():
    x = np.arange(25.0).reshape(1, 5, 5, 1)
    patches = im2col(x, 2, dilation=3)
    assert patches.shape == (4, 4)
    np.testing.assert_array_equal(patches[0], [0, 3, 15, 18])
    np.testing.assert_array_equal(patches[3], [6, 9, 21, 24])
    np.testing.assert_array_equal(im2col(x, 3, dilation=2)[0], [0, 2, 4, 10, 12, 14, 20, 22, 24])


@st.composite
def transposed_case(draw):
    stride = draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["valid", "same"]))
    kernel_size = draw(st.integers(1, 4))
    output_padding = draw(st.sampled_from([None, *range(stride)]))
    if not keras_runs_transposed(kernel_size, padding, output_padding):
        output_padding = None
    height, width = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    batch, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.normal(size=(batch, height, width, c_in)).astype("float32")
    kernel = rng.normal(size=(kernel_size, kernel_size, c_out, c_in)).astype("float32")
    bias = rng.normal(size=c_out).astype("float32")
    return x, kernel, bias, stride, padding, output_padding


@settings(max_examples=30, deadline=None)
@given(transposed_case())
def test_conv2d_transpose_equals_keras_conv2d_transpose(case):
    x, kernel, bias, stride, padding, output_padding = case
    layer = keras.layers.Conv2DTranspose(
        kernel.shape[2],
        kernel.shape[:2],
        strides=stride,
        padding=padding,
        output_padding=output_padding,
    )
    expected = keras_output(layer, x, kernel, bias)
    assert tuple(layer.kernel.shape) == kernel.shape  # (F_h, F_w, C_out, C_in)
    result = conv2d_transpose(x, kernel, bias, stride, padding, output_padding)
    assert result.shape == expected.shape
    np.testing.assert_allclose(result, expected, atol=1e-5, rtol=1e-5)


def test_conv2d_transpose_same_crops_the_smaller_half_first_like_keras():
    # One input, a 4-long kernel, stride 1, 'same': the 4 kernel taps, 1 cropped at the start.
    x = np.ones((1, 1, 1, 1))
    kernel = np.arange(1.0, 17.0).reshape(4, 4, 1, 1)
    out = conv2d_transpose(x, kernel, padding="same")
    assert out.shape == (1, 1, 1, 1)
    layer = keras.layers.Conv2DTranspose(1, 4, padding="same", use_bias=False)
    np.testing.assert_allclose(keras_output(layer, x, kernel), out)
    np.testing.assert_array_equal(out[0, :, :, 0], [[kernel[1, 1, 0, 0]]])
    # A stride wider than the kernel: each input's copy is followed by zeros.
    spread = conv2d_transpose(np.ones((1, 2, 2, 1)), np.ones((1, 1, 1, 1)), stride=3)
    np.testing.assert_array_equal(spread[0, :, 0, 0], [1, 0, 0, 1, 0, 0])


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize(
    ("padding", "output_padding"),
    [("valid", None), ("valid", 0), ("valid", 1), ("same", None), ("same", 1), (1, 0), (2, 1)],
)
def test_conv2d_transpose_is_the_input_gradient_of_conv2d(stride, padding, output_padding):
    if output_padding is not None and output_padding >= stride:
        output_padding = stride - 1
    rng = np.random.default_rng(stride)
    kernel = rng.normal(size=(3, 3, 2, 4))  # conv2d: 2 -> 4 channels; transposed: 4 -> 2
    d_out = rng.normal(size=(2, 4, 5, 4))
    out = conv2d_transpose(d_out, kernel, stride=stride, padding=padding,
                           output_padding=output_padding)  # fmt: skip
    x = np.zeros((2, *out.shape[1:3], 2))
    assert conv2d(x, kernel, stride=stride, padding=padding).shape == d_out.shape
    d_x, _, _ = conv2d_backward(x, kernel, d_out, stride=stride, padding=padding)
    np.testing.assert_allclose(out, d_x, atol=1e-12)


@pytest.mark.parametrize(
    ("kernel_size", "stride", "padding", "output_padding"),
    [
        (3, 1, "valid", None),
        (3, 2, "valid", 1),
        (2, 3, "valid", None),
        (3, 2, "same", None),
        (4, 2, "same", 1),
        (3, 3, "same", 2),
        (4, 2, "same", 0),  # Keras gives the shape but TensorFlow will not run it
        (3, 2, 1, 1),
        (5, 1, 2, 0),
    ],
)
def test_conv2d_transpose_is_the_adjoint_of_conv2d(kernel_size, stride, padding, output_padding):
    rng = np.random.default_rng(kernel_size * 10 + stride)
    kernel = rng.normal(size=(kernel_size, kernel_size, 3, 2))
    y = rng.normal(size=(2, 4, 3, 2))
    transposed = conv2d_transpose(y, kernel, stride=stride, padding=padding,
                                  output_padding=output_padding)  # fmt: skip
    x = rng.normal(size=(2, *transposed.shape[1:3], 3))
    # The convolution it undoes: the textbook p = F // 2 where Keras' shape is (n - 1) s.
    conv_padding = kernel_size // 2 if output_padding == 0 and padding == "same" else padding
    forward = conv2d(x, kernel, stride=stride, padding=conv_padding)
    assert forward.shape == y.shape
    np.testing.assert_allclose(np.sum(forward * y), np.sum(x * transposed), rtol=1e-10)


def test_conv2d_transpose_scatters_the_kernel():
    kernel = np.arange(1.0, 5.0).reshape(2, 2, 1, 1)
    x = np.array([1.0, 10.0]).reshape(1, 1, 2, 1)
    out = conv2d_transpose(x, kernel, stride=1)
    np.testing.assert_array_equal(out[0, :, :, 0], [[1, 12, 20], [3, 34, 40]])
    out = conv2d_transpose(x, kernel, bias=[0.5], stride=2)
    np.testing.assert_array_equal(out[0, :, :, 0], [[1.5, 2.5, 10.5, 20.5], [3.5, 4.5, 30.5, 40.5]])


@settings(max_examples=25, deadline=None)
@given(dilated_case(), st.integers(1, 3))
def test_depthwise_conv2d_equals_keras_depthwise_conv2d(case, multiplier):
    x, kernel, stride, padding, dilation, rng = case
    kernel = rng.normal(size=(*kernel.shape[:3], multiplier))
    bias = rng.normal(size=x.shape[3] * multiplier)
    layer = keras.layers.DepthwiseConv2D(
        kernel.shape[:2],
        strides=stride,
        padding=padding,
        dilation_rate=dilation,
        depth_multiplier=multiplier,
    )
    expected = keras_output(layer, x, kernel, bias)
    assert tuple(layer.kernel.shape) == kernel.shape
    result = depthwise_conv2d(x, kernel, bias, stride=stride, padding=padding, dilation=dilation)
    assert result.shape == expected.shape
    np.testing.assert_allclose(result, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(("stride", "dilation"), [(1, 1), (2, 1), (1, 2), (2, 2)])
def test_depthwise_conv2d_is_one_conv2d_per_channel(stride, dilation):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 9, 8, 3))
    kernel = rng.normal(size=(3, 2, 3, 2))  # 3 channels, depth multiplier 2
    out = depthwise_conv2d(x, kernel, stride=stride, padding="same", dilation=dilation)
    for c in range(3):
        alone = conv2d(x[..., c : c + 1], kernel[:, :, c : c + 1, :], stride=stride,
                       padding="same", dilation=dilation)  # fmt: skip
        np.testing.assert_allclose(out[..., 2 * c : 2 * c + 2], alone, atol=1e-12)


def test_depthwise_then_pointwise_is_keras_separable_conv2d():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 7, 6, 3)).astype("float32")
    depthwise = rng.normal(size=(3, 3, 3, 2))
    pointwise = rng.normal(size=(1, 1, 6, 4))
    bias = rng.normal(size=4)
    layer = keras.layers.SeparableConv2D(4, 3, padding="same", depth_multiplier=2)
    expected = keras_output(layer, x, depthwise, pointwise, bias)
    result = conv2d(depthwise_conv2d(x, depthwise, padding="same"), pointwise, bias)
    np.testing.assert_allclose(result, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: output_size(7, 3, dilation=0), ValueError, "dilation must be at least 1, got 0"),
        (lambda: axis_padding(7, 3, "same", dilation=1.5), TypeError,
         "dilation must be an int, got float 1.5"),
        (lambda: output_size(4, 3, dilation=2), ValueError,
         r"kernel_size 3 at dilation 2 \(span 5\) is bigger than the padded input "
         r"\(4 \+ 0 padding = 4\)"),
        (lambda: conv2d(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 1)), dilation=2), ValueError,
         r"kernel of shape \(3, 3\) at dilation 2 \(span \(5, 5\)\) is bigger than the padded "
         r"image of shape \(4, 4\)"),
        (lambda: conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), dilation=0), ValueError,
         "dilation must be at least 1, got 0"),
        (lambda: im2col(np.ones((1, 5, 5, 1)), 3, dilation=-1), ValueError,
         "dilation must be at least 1, got -1"),
        (lambda: transposed_output_size(4, 3, "valid", 2, output_padding=2), ValueError,
         r"output_padding must be less than stride \(Keras requires it\), "
         r"got output_padding=2 with stride=2"),
        (lambda: transposed_output_size(4, 3, "valid", 1, output_padding=-1), ValueError,
         "output_padding must be at least 0, got -1"),
        (lambda: transposed_output_size(4, 3, "valid", 2, output_padding=1.0), TypeError,
         "output_padding must be an int or None, got float 1.0"),
        (lambda: transposed_output_size(4, 3, "full"), ValueError,
         "padding must be one of 'valid', 'same', got 'full'"),
        (lambda: transposed_output_size(4, 3, None), TypeError,
         "padding must be an int or one of 'valid', 'same', got NoneType None"),
        (lambda: transposed_output_size(1, 3, 2), ValueError,
         "the transposed convolution's output would be -1 long"),
        (lambda: conv2d_transpose(np.ones((1, 4, 4, 2)), np.ones((3, 3, 2, 1))), ValueError,
         r"kernel has 1 input channels but x has 2: kernel\.shape\[3\] must equal x\.shape\[3\]"),
        (lambda: conv2d_transpose(np.ones((1, 4, 4, 2)), np.ones((3, 3, 2))), ValueError,
         r"kernel must have shape \(F_h, F_w, C_out, C_in\), Conv2DTranspose's layout"),
        (lambda: conv2d_transpose(np.ones((1, 4, 4, 2)), np.ones((3, 3, 1, 2)), bias=[1, 2]),
         ValueError, r"bias must have shape \(1,\), one value per filter \(kernel\.shape\[2\]\)"),
        (lambda: conv2d_transpose(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 1)), stride=2,
                                  output_padding=3), ValueError,
         "output_padding must be less than stride"),
        (lambda: conv2d_transpose(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 1)), stride=0),
         ValueError, "stride must be at least 1, got 0"),
        (lambda: depthwise_conv2d(np.ones((1, 5, 5, 3)), np.ones((3, 3, 1, 2))), ValueError,
         r"kernel has 1 input channels but x has 3: kernel\.shape\[2\] must equal x\.shape\[3\]"),
        (lambda: depthwise_conv2d(np.ones((1, 5, 5, 3)), np.ones((3, 3, 3))), ValueError,
         r"kernel must have shape \(F_h, F_w, C_in, depth_multiplier\), got shape \(3, 3, 3\)"),
        (lambda: depthwise_conv2d(np.ones((1, 5, 5, 3)), np.ones((3, 3, 3, 2)), bias=np.ones(3)),
         ValueError, r"bias must have shape \(6,\), one value per output channel \(C_in \* M\)"),
        (lambda: depthwise_conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), dilation=0),
         ValueError, "dilation must be at least 1, got 0"),
        (lambda: depthwise_conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), dilation=3),
         ValueError, r"at dilation 3 \(span \(7, 7\)\) is bigger than the padded image"),
    ],
)  # fmt: skip
def test_convolution_variants_errors_name_the_argument_and_value(call, error, message):
    with pytest.raises(error, match=message):
        call()
