"""Tests for utils.cost against Keras' own parameter counts."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from fractions import Fraction

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.cost import (
    LayerRow,
    conv2d_macs,
    conv2d_params,
    conv2d_transpose_macs,
    dense_macs,
    depthwise_macs,
    depthwise_params,
    layer_table,
    model_macs,
    separable_macs,
    separable_params,
    separable_ratio,
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


# --- Lesson 10: the convolution's variants -----------------------------------------
# Parameters against Keras' count_params(); multiply-adds against the multiplications
# that a naive loop does, the loop itself checked against the Keras layer's output.

KERNELS = [1, 3, (2, 5)]


def _built(layer, channels: int, size: int = 7):
    layer.build((None, size, size, channels))
    return layer


@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize(
    ("c_in", "c_out", "groups"), [(1, 1, 1), (3, 5, 1), (4, 6, 2), (6, 6, 3), (4, 8, 4)]
)
def test_conv2d_params_is_keras_count(kernel, c_in, c_out, groups, use_bias):
    layer = _built(keras.layers.Conv2D(c_out, kernel, groups=groups, use_bias=use_bias), c_in)
    assert (
        conv2d_params(kernel, c_in, c_out, groups=groups, use_bias=use_bias) == layer.count_params()
    )


@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize(("channels", "multiplier"), [(1, 1), (3, 1), (4, 2), (2, 5)])
def test_depthwise_params_is_keras_count(kernel, channels, multiplier, use_bias):
    layer = keras.layers.DepthwiseConv2D(kernel, depth_multiplier=multiplier, use_bias=use_bias)
    expected = _built(layer, channels).count_params()
    assert depthwise_params(kernel, channels, multiplier, use_bias=use_bias) == expected


@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize(
    ("c_in", "c_out", "multiplier"), [(1, 1, 1), (3, 5, 1), (4, 2, 2), (2, 7, 3)]
)
def test_separable_params_is_keras_count_with_one_bias_after_the_pointwise_step(
    kernel, c_in, c_out, multiplier, use_bias
):
    layer = keras.layers.SeparableConv2D(
        c_out, kernel, depth_multiplier=multiplier, use_bias=use_bias
    )
    expected = _built(layer, c_in).count_params()
    assert separable_params(kernel, c_in, c_out, multiplier, use_bias=use_bias) == expected
    if use_bias:  # Keras has C_out biases, none after the depthwise step
        assert [tuple(weight.shape) for weight in layer.weights][-1] == (c_out,)


@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize(("c_in", "c_out"), [(1, 1), (3, 5), (4, 2)])
def test_conv2d_transpose_params_are_those_of_a_conv2d(kernel, stride, c_in, c_out, use_bias):
    layer = keras.layers.Conv2DTranspose(c_out, kernel, strides=stride, use_bias=use_bias)
    assert (
        conv2d_params(kernel, c_in, c_out, use_bias=use_bias) == _built(layer, c_in).count_params()
    )


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("filters", [1, 2, 8, 64])
def test_separable_ratio_is_the_ratio_of_the_two_params_counts(kernel, filters):
    height, width = (kernel, kernel) if isinstance(kernel, int) else kernel
    for c_in in (1, 3, 32):
        separable = separable_params(kernel, c_in, filters, use_bias=False)
        plain = conv2d_params(kernel, c_in, filters, use_bias=False)
        assert Fraction(separable, plain) == Fraction(1, filters) + Fraction(1, height * width)
        # both sides are one correctly rounded division of the same fraction
        assert separable_ratio(kernel, filters) == separable / plain
        # each weight is used once per output position, so the multiply-adds follow
        macs = separable_macs(5, kernel, c_in, filters) / conv2d_macs(5, kernel, c_in, filters)
        assert macs == pytest.approx(separable_ratio(kernel, filters), rel=1e-12)
    assert separable_ratio(3, 64) == pytest.approx(1 / 64 + 1 / 9)


def _grouped_conv_loop(x, w, groups, stride=1):
    """A naive grouped convolution (valid, no bias) that counts its multiplications.

    x is (H, W, C_in), w is (F_h, F_w, C_in / groups, C_out); filter o reads the
    channels of group o // (C_out / groups).
    """
    f_h, f_w, c_group, c_out = w.shape
    out_h = (x.shape[0] - f_h) // stride + 1
    out_w = (x.shape[1] - f_w) // stride + 1
    out = np.zeros((out_h, out_w, c_out))
    count = 0
    for i in range(out_h):
        for j in range(out_w):
            for o in range(c_out):
                first = (o // (c_out // groups)) * c_group
                for a in range(f_h):
                    for b in range(f_w):
                        for c in range(c_group):
                            out[i, j, o] += (
                                x[i * stride + a, j * stride + b, first + c] * w[a, b, c, o]
                            )
                            count += 1
    return out, count


def _transpose_conv_loop(x, w, stride):
    """A naive transposed convolution (valid, no bias) that scatters and counts.

    x is (H_in, W_in, C_in), w is Keras' (F_h, F_w, C_out, C_in): input value
    x[i, j, c] adds x[i, j, c] * w[a, b, o, c] into out[i*stride + a, j*stride + b, o].
    """
    f_h, f_w, c_out, c_in = w.shape
    in_h, in_w = x.shape[:2]
    # Keras' 'valid' output: (H_in - 1) * S + F, or H_in * S when F < S
    out = np.zeros(
        (
            max((in_h - 1) * stride + f_h, in_h * stride),
            max((in_w - 1) * stride + f_w, in_w * stride),
            c_out,
        )
    )
    count = 0
    for i in range(in_h):
        for j in range(in_w):
            for c in range(c_in):
                for a in range(f_h):
                    for b in range(f_w):
                        for o in range(c_out):
                            out[i * stride + a, j * stride + b, o] += x[i, j, c] * w[a, b, o, c]
                            count += 1
    return out, count


def _keras_output(layer, x):
    return keras.ops.convert_to_numpy(layer(x[None].astype("float32")))[0]


@pytest.mark.parametrize(
    ("kernel", "stride", "c_in", "c_out", "groups"),
    [(3, 1, 4, 6, 2), ((2, 3), 2, 6, 3, 3), (1, 1, 4, 8, 4), ((3, 2), 1, 3, 2, 1)],
)
def test_conv2d_macs_with_groups_counts_the_loops_multiplications(
    kernel, stride, c_in, c_out, groups
):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 7, c_in))
    layer = _built(
        keras.layers.Conv2D(c_out, kernel, strides=stride, groups=groups, use_bias=False), c_in
    )
    (w,) = layer.get_weights()  # (F_h, F_w, C_in / groups, C_out)
    out, count = _grouped_conv_loop(x, w, groups, stride)
    np.testing.assert_allclose(out, _keras_output(layer, x), atol=1e-4)
    assert conv2d_macs(out.shape[:2], kernel, c_in, c_out, groups=groups) == count
    out_h, out_w = out.shape[:2]
    assert count == out_h * out_w * layer.count_params()


@pytest.mark.parametrize(
    ("kernel", "stride", "channels", "multiplier"),
    [(3, 1, 3, 1), ((2, 3), 2, 2, 3), (1, 1, 4, 2)],
)
def test_depthwise_macs_counts_the_loops_multiplications(kernel, stride, channels, multiplier):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 7, channels))
    layer = keras.layers.DepthwiseConv2D(
        kernel, strides=stride, depth_multiplier=multiplier, use_bias=False
    )
    (k,) = _built(layer, channels).get_weights()  # (F_h, F_w, C, M)
    # a grouped convolution with groups = C: output channel c * M + m reads channel c
    w = k.reshape(k.shape[0], k.shape[1], 1, channels * multiplier)
    out, count = _grouped_conv_loop(x, w, groups=channels, stride=stride)
    np.testing.assert_allclose(out, _keras_output(layer, x), atol=1e-4)
    size = out.shape[:2]
    assert depthwise_macs(size, kernel, channels, multiplier) == count
    grouped = conv2d_macs(size, kernel, channels, channels * multiplier, groups=channels)
    assert depthwise_macs(size, kernel, channels, multiplier) == grouped


@pytest.mark.parametrize(
    ("kernel", "stride", "c_in", "c_out", "multiplier"),
    [(3, 1, 3, 4, 1), ((2, 3), 2, 2, 3, 2), (1, 1, 4, 2, 1)],
)
def test_separable_macs_is_depthwise_plus_pointwise_and_counts_the_loops(
    kernel, stride, c_in, c_out, multiplier
):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 7, c_in))
    layer = keras.layers.SeparableConv2D(
        c_out, kernel, strides=stride, depth_multiplier=multiplier, use_bias=False
    )
    _built(layer, c_in)
    k, pointwise = layer.get_weights()  # (F_h, F_w, C_in, M) and (1, 1, C_in * M, C_out)
    middle, depthwise_count = _grouped_conv_loop(
        x, k.reshape(k.shape[0], k.shape[1], 1, c_in * multiplier), groups=c_in, stride=stride
    )
    out, pointwise_count = _grouped_conv_loop(middle, pointwise, groups=1)
    np.testing.assert_allclose(out, _keras_output(layer, x), atol=1e-4)
    size = out.shape[:2]
    macs = separable_macs(size, kernel, c_in, c_out, multiplier)
    assert macs == depthwise_count + pointwise_count
    assert macs == depthwise_macs(size, kernel, c_in, multiplier) + conv2d_macs(
        size, 1, c_in * multiplier, c_out
    )
    assert macs == size[0] * size[1] * layer.count_params()


@pytest.mark.parametrize(
    ("kernel", "stride", "c_in", "c_out"),
    [(3, 1, 2, 3), ((2, 3), 2, 3, 2), (3, 2, 1, 4), (1, 2, 2, 2)],
)
def test_conv2d_transpose_macs_counts_the_scatter_loops_multiplications(
    kernel, stride, c_in, c_out
):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4, c_in))
    layer = keras.layers.Conv2DTranspose(c_out, kernel, strides=stride, use_bias=False)
    (w,) = _built(layer, c_in).get_weights()  # (F_h, F_w, C_out, C_in)
    out, count = _transpose_conv_loop(x, w, stride)
    np.testing.assert_allclose(out, _keras_output(layer, x), atol=1e-4)
    assert conv2d_transpose_macs((3, 4), kernel, c_in, c_out) == count
    assert count == 3 * 4 * layer.count_params()  # every weight once per input position


def test_model_macs_counts_each_variant_at_its_layers_sizes():
    model = keras.Sequential(
        [
            keras.Input((12, 10, 4)),
            keras.layers.Conv2D(6, 3, padding="same", groups=2),  # 12 x 10 x 6
            keras.layers.DepthwiseConv2D(3, strides=2, depth_multiplier=2),  # 5 x 4 x 12
            keras.layers.SeparableConv2D(8, (3, 2), padding="same"),  # 5 x 4 x 8
            keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same"),  # 10 x 8 x 3
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ]
    )
    by_hand = (
        12 * 10 * 6 * 3 * 3 * (4 // 2)  # grouped: each filter reads 2 of the 4 channels
        + 5 * 4 * 12 * 3 * 3  # depthwise: one 3 x 3 kernel per output value
        + 5 * 4 * 12 * 3 * 2
        + 5 * 4 * 12 * 8  # separable: depthwise, then 1 x 1
        + 5 * 4 * 8 * 3 * 3 * 3  # transposed: per input value, a 3 x 3 x 3 block
        + 10 * 8 * 3 * 2
    )
    assert model_macs(model) == by_hand == 23_280


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_model_macs_of_a_grouped_convolution_divides_by_the_groups(groups):
    model = keras.Sequential([keras.Input((6, 5, 4)), keras.layers.Conv2D(8, 3, groups=groups)])
    assert model_macs(model) == 4 * 3 * 8 * 3 * 3 * 4 // groups


def test_model_macs_of_channels_first_variants_and_a_transpose_of_unknown_input():
    model = keras.Sequential(
        [
            keras.Input((4, 9, 8)),
            keras.layers.Conv2DTranspose(
                3, 3, strides=2, padding="same", data_format="channels_first"
            ),
            keras.layers.DepthwiseConv2D(3, depth_multiplier=2, data_format="channels_first"),
        ]
    )
    # the transpose reads 9 x 8 x 4 and writes 18 x 16 x 3; the depthwise writes 16 x 14 x 6
    assert model_macs(model) == 9 * 8 * 4 * 3 * 3 * 3 + 16 * 14 * 6 * 3 * 3
    open_size = keras.Sequential(
        [keras.Input((None, None, 2)), keras.layers.Conv2DTranspose(2, 3, name="up")]
    )
    with pytest.raises(ValueError, match="layer 'up' has an unknown input size"):
        model_macs(open_size)
    conv1d = keras.Sequential([keras.Input((10, 2)), keras.layers.Conv1D(3, 3, name="c1d")])
    with pytest.raises(
        ValueError, match="model_macs counts Conv2D, DepthwiseConv2D, SeparableConv2D, "
    ):
        model_macs(conv1d)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: conv2d_params(3, 4, 6, groups=4),
            ValueError,
            r"groups must divide both in_channels and filters, got groups=4 for in_channels=4 "
            r"and filters=6",
        ),
        (
            lambda: conv2d_macs(5, 3, 6, 4, groups=3),
            ValueError,
            r"groups must divide both in_channels and filters, got groups=3 for in_channels=6 "
            r"and filters=4",
        ),
        (lambda: conv2d_params(3, 4, 6, groups=0), ValueError, "groups must be at least 1, got 0"),
        (
            lambda: conv2d_params(3, 4, 6, use_bias=1),
            TypeError,
            "use_bias must be True or False, got int",
        ),
        (
            lambda: conv2d_params((3, 0), 4, 6),
            ValueError,
            r"kernel_size\[1\] must be at least 1, got 0",
        ),
        (lambda: depthwise_params(3, "4"), TypeError, "channels must be an int, got str"),
        (
            lambda: depthwise_params(3, 4, 0),
            ValueError,
            "depth_multiplier must be at least 1, got 0",
        ),
        (lambda: separable_params(3, 4, 0), ValueError, "filters must be at least 1, got 0"),
        (
            lambda: separable_params(3, 4, 2, 1.5),
            TypeError,
            "depth_multiplier must be an int, got float",
        ),
        (lambda: separable_ratio(3, 0), ValueError, "filters must be at least 1, got 0"),
        (lambda: separable_ratio((3, 3, 3), 8), ValueError, "kernel_size must be an int or a pair"),
        (lambda: depthwise_macs(0, 3, 4), ValueError, "output_size must be at least 1, got 0"),
        (
            lambda: separable_macs(5, 3, 4, 2, 0),
            ValueError,
            "depth_multiplier must be at least 1, got 0",
        ),
        (
            lambda: conv2d_transpose_macs(0, 3, 4, 2),
            ValueError,
            "input_size must be at least 1, got 0",
        ),
        (
            lambda: conv2d_transpose_macs(5, 3, 4, None),
            TypeError,
            "filters must be an int, got NoneType",
        ),
    ],
)
def test_variant_errors_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_lesson_10_headline_counts():
    """The counts lesson 10 prints and its prose quotes, from the same layers built here."""
    import keras

    from utils.cost import model_macs
    from utils.models import build_convnet

    layers = keras.layers
    separable = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.SeparableConv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.SeparableConv2D(64, 3, activation="relu"),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    plain = build_convnet()
    assert (plain.count_params(), model_macs(plain)) == (93_322, 2_794_240)
    assert (separable.count_params(), model_macs(separable)) == (45_034, 556_896)

    def stack(convs):
        return keras.Sequential(
            [keras.Input((56, 56, 256))]
            + [layers.Conv2D(f, k, padding="same", use_bias=False) for f, k in convs]
        )

    bottleneck, two_3x3 = stack([(64, 1), (64, 3), (256, 1)]), stack([(256, 3), (256, 3)])
    assert (bottleneck.count_params(), model_macs(bottleneck)) == (69_632, 218_365_952)
    assert (two_3x3.count_params(), model_macs(two_3x3)) == (1_179_648, 3_699_376_128)
    assert round(two_3x3.count_params() / bottleneck.count_params(), 1) == 16.9

    autoencoder = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(16, 3, strides=2, padding="same"),
            layers.Conv2D(4, 3, strides=2, padding="same"),
            layers.Conv2DTranspose(16, 3, strides=2, padding="same"),
            layers.Conv2DTranspose(1, 3, strides=2, padding="same"),
        ]
    )
    assert tuple(autoencoder.outputs[0].shape[1:]) == (28, 28, 1)
    assert (autoencoder.count_params(), model_macs(autoencoder)) == (1_477, 4 * 28_224)
