"""Tests for utils.conv against scipy.signal, keras.layers.Conv2D and the formula."""

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
    cross_correlate2d,
    im2col,
    output_size,
    pad,
)

LECTURE_IMAGE = np.array(
    [
        [-1, 1, -1, 1, -1],
        [-1, 1, -1, 1, -1],
        [-1, 1, 1, 1, -1],
        [-1, -1, -1, 1, -1],
        [-1, -1, -1, 1, -1],
    ]
)
HORIZONTAL_LINE = np.array([[-1, -1, -1], [1, 1, 1], [-1, -1, -1]])
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
