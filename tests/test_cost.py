"""Tests for utils.cost against Keras' own parameter counts."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.cost import (
    LayerRow,
    conv2d_macs,
    dense_macs,
    layer_table,
)

SIZES = st.integers(min_value=1, max_value=7)
CHANNELS = st.integers(min_value=1, max_value=64)


def test_the_lecture_numbers():
    from utils.models import build_convnet, build_dense_baseline

    convnet = [row.params for row in layer_table(build_convnet())]
    assert [n for n in convnet if n] == [320, 18496, 36928, 36928, 650]
    assert sum(row.params for row in layer_table(build_dense_baseline())) == 407_050
    # Lesson 01's example: a dense layer from a 7 x 7 image to a 5 x 5 output.
    dense = keras.Sequential([keras.Input((49,)), keras.layers.Dense(25)])
    assert [row.params for row in layer_table(dense)] == [1250]


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
        (lambda: conv2d_macs(0, 3, 1, 1), ValueError, "output_size must be at least 1, got 0"),
        (lambda: conv2d_macs((3, 3, 3), 3, 1, 1), ValueError, "output_size must be an int or a"),
        (lambda: conv2d_macs((3, -1), 3, 1, 1), ValueError, r"output_size\[1\] must be at least 1"),
        (lambda: conv2d_macs(3, 3, 0, 1), ValueError, "in_channels must be at least 1, got 0"),
        (lambda: conv2d_macs(3, 3, 1, 1.0), TypeError, "filters must be an int, got float"),
        (lambda: dense_macs(-1, 3), ValueError, "n_in must be at least 1, got -1"),
        (lambda: dense_macs(3, "4"), TypeError, "n_out must be an int, got str"),
    ],
)
def test_macs_errors_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


# Lesson 07: the multiply-adds of a whole model.


def test_model_macs_of_the_mnist_convnet_and_lenet5_by_hand():
    from utils.cost import model_macs
    from utils.models import build_convnet, build_lenet5

    # Lesson 03, section 5, layer by layer: 194,688 + 2,230,272 + 331,776 + 36,864 + 640.
    assert model_macs(build_convnet()) == 2_794_240
    # LeNet-5: 28*28*6*25 + 10*10*16*150 + 1*1*120*400 + 120*84 + 84*10.
    assert model_macs(build_lenet5()) == 117_600 + 240_000 + 48_000 + 10_080 + 840


def _output_size(size: int, kernel: int, stride: int, padding: str) -> int:
    """The output-size formula of lesson 02 ('same' pads so that the output is ceil(W / S))."""
    if padding == "same":
        return -(-size // stride)
    return (size - kernel) // stride + 1


@settings(max_examples=25, deadline=None)
@given(
    size=st.integers(5, 20),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 3),
    padding=st.sampled_from(["valid", "same"]),
    c_in=st.integers(1, 4),
    c_out=st.integers(1, 4),
)
def test_model_macs_of_one_convolution_follows_the_output_size_formula(
    size, kernel, stride, padding, c_in, c_out
):
    from utils.cost import model_macs

    model = keras.Sequential(
        [
            keras.Input((size, size + 1, c_in)),
            keras.layers.Conv2D(c_out, kernel, strides=stride, padding=padding),
        ]
    )
    out_h = _output_size(size, kernel, stride, padding)
    out_w = _output_size(size + 1, kernel, stride, padding)
    assert model_macs(model) == out_h * out_w * c_out * kernel * kernel * c_in


def test_model_macs_dense_on_a_volume_counts_every_position_and_skips_weightless_layers():
    from utils.cost import model_macs

    model = keras.Sequential(
        [
            keras.Input((4, 5, 3)),
            keras.layers.Dense(7),  # applied at each of the 4 * 5 positions
            keras.layers.BatchNormalization(),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(2),
        ]
    )
    assert model_macs(model) == 4 * 5 * 3 * 7 + (2 * 2 * 7) * 2


def test_model_macs_counts_a_nested_model_and_a_channels_first_convolution():
    from utils.cost import model_macs

    inner = keras.Sequential([keras.Input((6, 6, 2)), keras.layers.Conv2D(3, 3)])
    outer = keras.Sequential([keras.Input((6, 6, 2)), inner, keras.layers.Flatten()])
    assert model_macs(outer) == 4 * 4 * 3 * 3 * 3 * 2
    first = keras.Sequential(
        [keras.Input((2, 8, 7)), keras.layers.Conv2D(4, 3, data_format="channels_first")]
    )
    assert model_macs(first) == 6 * 5 * 4 * 3 * 3 * 2


def test_model_macs_errors_name_the_problem():
    from utils.cost import model_macs

    with pytest.raises(TypeError, match="model must be a Keras model, got str"):
        model_macs("lenet")
    conv1d = keras.Sequential([keras.Input((10, 2)), keras.layers.Conv1D(3, 3, name="c1d")])
    with pytest.raises(ValueError, match="layer 'c1d' is a Conv1D with weights"):
        model_macs(conv1d)
    open_size = keras.Sequential([keras.Input((None, None, 1)), keras.layers.Conv2D(2, 3)])
    with pytest.raises(ValueError, match="unknown output size"):
        model_macs(open_size)
