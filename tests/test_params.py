"""Tests for utils.params against Keras' own parameter counts."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.params import (
    LayerRow,
    conv2d_macs,
    conv2d_params,
    dense_macs,
    dense_params,
    layer_table,
)

SIZES = st.integers(min_value=1, max_value=7)
CHANNELS = st.integers(min_value=1, max_value=64)


@settings(max_examples=40, deadline=None)
@given(kernel=st.tuples(SIZES, SIZES), c_in=CHANNELS, c_out=CHANNELS, bias=st.booleans())
def test_conv2d_params_equals_keras(kernel, c_in, c_out, bias):
    layer = keras.layers.Conv2D(c_out, kernel, use_bias=bias)
    layer.build((None, 16, 16, c_in))
    assert conv2d_params(kernel, c_in, c_out, use_bias=bias) == layer.count_params()


@settings(max_examples=40, deadline=None)
@given(n_in=st.integers(1, 5000), n_out=st.integers(1, 600), bias=st.booleans())
def test_dense_params_equals_keras(n_in, n_out, bias):
    layer = keras.layers.Dense(n_out, use_bias=bias)
    layer.build((None, n_in))
    assert dense_params(n_in, n_out, use_bias=bias) == layer.count_params()


def test_the_lecture_numbers():
    assert dense_params(49, 25) == 1250
    assert conv2d_params(3, 1, 1) == 10
    assert [conv2d_params(3, 1, 32), conv2d_params(3, 32, 64), conv2d_params(3, 64, 64)] == [
        320,
        18496,
        36928,
    ]
    assert dense_params(576, 64) + dense_params(64, 10) == 36928 + 650
    assert dense_params(784, 512) + dense_params(512, 10) == 407_050


def test_layer_table_of_the_mnist_convnet():
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    rows = layer_table(model)
    assert all(isinstance(row, LayerRow) for row in rows)
    assert [row.output_shape for row in rows] == [
        (26, 26, 32),
        (13, 13, 32),
        (11, 11, 64),
        (5, 5, 64),
        (3, 3, 64),
        (576,),
        (64,),
        (10,),
    ]
    assert [row.params for row in rows] == [320, 0, 18496, 0, 36928, 0, 36928, 650]
    assert sum(row.params for row in rows) == model.count_params() == 93_322
    assert rows[0].activations == 26 * 26 * 32 and rows[0].kind == "Conv2D"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: conv2d_params(0, 1, 1), ValueError, "kernel_size must be a positive int, got 0"),
        (lambda: conv2d_params(3, -2, 1), ValueError, "in_channels must be a positive int, got -2"),
        (lambda: conv2d_params(3, 1, 0), ValueError, "filters must be a positive int, got 0"),
        (
            lambda: conv2d_params(2.5, 1, 1),
            TypeError,
            "kernel_size must be a positive int, got float",
        ),
        (
            lambda: conv2d_params((3, 3, 3), 1, 1),
            ValueError,
            "kernel_size must be an int or a pair",
        ),
        (
            lambda: conv2d_params((3, 0), 1, 1),
            ValueError,
            r"kernel_size\[1\] must be a positive int",
        ),
        (lambda: dense_params(0, 10), ValueError, "n_in must be a positive int, got 0"),
        (lambda: dense_params(10, True), TypeError, "n_out must be a positive int, got bool"),
        (lambda: layer_table("model"), TypeError, "model must be a Keras model, got str"),
    ],
)
def test_errors_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- multiply-adds ----------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    kernel=st.tuples(SIZES, SIZES),
    extra=st.tuples(st.integers(0, 6), st.integers(0, 6)),
    c_in=st.integers(1, 4),
    c_out=st.integers(1, 8),
)
def test_conv2d_macs_counts_the_products_of_the_patches_matrix(kernel, extra, c_in, c_out):
    import numpy as np

    from utils.conv import im2col

    x = np.zeros((1, kernel[0] + extra[0], kernel[1] + extra[1], c_in))
    patches = im2col(x, kernel)  # one row per output position, one column per weight
    out_h, out_w = extra[0] + 1, extra[1] + 1
    # a (rows x cols) @ (cols x c_out) product does rows * cols * c_out multiply-adds
    assert conv2d_macs((out_h, out_w), kernel, c_in, c_out) == patches.size * c_out
    layer = keras.layers.Conv2D(c_out, kernel, use_bias=False)
    layer.build(x.shape)
    assert conv2d_macs((out_h, out_w), kernel, c_in, c_out) == out_h * out_w * layer.count_params()


@settings(max_examples=30, deadline=None)
@given(n_in=st.integers(1, 3000), n_out=st.integers(1, 300))
def test_dense_macs_is_one_per_weight(n_in, n_out):
    layer = keras.layers.Dense(n_out, use_bias=False)
    layer.build((None, n_in))
    assert dense_macs(n_in, n_out) == layer.count_params()


def test_macs_of_the_mnist_convnet():
    assert conv2d_macs(26, 3, 1, 32) == 194_688
    assert conv2d_macs((11, 11), 3, 32, 64) == 2_230_272
    assert conv2d_macs(3, 3, 64, 64) == 331_776
    assert dense_macs(576, 64) + dense_macs(64, 10) == 37_504


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: conv2d_macs(0, 3, 1, 1), ValueError, "output_size must be a positive int, got 0"),
        (lambda: conv2d_macs((3, 3, 3), 3, 1, 1), ValueError, "output_size must be an int or a"),
        (lambda: conv2d_macs((3, -1), 3, 1, 1), ValueError, r"output_size\[1\] must be a positive"),
        (lambda: conv2d_macs(3, 3, 0, 1), ValueError, "in_channels must be a positive int, got 0"),
        (lambda: conv2d_macs(3, 3, 1, 1.0), TypeError, "filters must be a positive int, got float"),
        (lambda: dense_macs(-1, 3), ValueError, "n_in must be a positive int, got -1"),
        (lambda: dense_macs(3, "4"), TypeError, "n_out must be a positive int, got str"),
    ],
)
def test_macs_errors_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
