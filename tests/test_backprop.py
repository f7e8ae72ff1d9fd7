"""Lesson 09's backward passes and gradient check, against numerical gradients and TensorFlow.

``utils.conv.conv2d_backward``, ``utils.conv.col2im`` and
``utils.pooling.max_pool2d_backward`` are checked on hypothesis-generated
shapes, strides and paddings against centred differences in float64
(``utils.gradients``) and against ``tf.GradientTape`` on Keras layers with
the same weights; ``col2im`` against the defining property of an adjoint. The
gradient-check helper itself is checked against derivatives known in closed
form.
"""

from __future__ import annotations

import ast
import json
import os
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.conv import col2im, conv2d, conv2d_backward, im2col, output_size
from utils.gradients import gradient_error, numerical_gradient, relative_error
from utils.pooling import max_pool2d, max_pool2d_backward

TOLERANCE = 1e-7  # the lesson's bound for a correct backward pass, in float64


# --- the gradient check itself ------------------------------------------------------


def test_numerical_gradient_of_known_functions():
    x = np.array([[0.5, -1.0], [2.0, 3.0]])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2, rtol=1e-9)
    np.testing.assert_allclose(
        numerical_gradient(lambda v: np.sin(v).sum(), x), np.cos(x), rtol=1e-9
    )
    assert x.tolist() == [[0.5, -1.0], [2.0, 3.0]]  # the point is not changed


def test_numerical_gradient_with_d_out_is_a_vector_jacobian_product():
    rng = np.random.default_rng(0)
    w, x, d_out = rng.normal(size=(4, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 3))
    numerical = numerical_gradient(lambda v: v @ w, x, d_out)
    np.testing.assert_allclose(numerical, d_out @ w.T, rtol=1e-8)


def test_centred_differences_beat_one_sided_ones():
    # f(x) = x**3 at 1: the centred error is eps**2 exactly, the one-sided 3 * eps.
    f, eps = (lambda v: float(v[0] ** 3)), 1e-3
    centred = numerical_gradient(f, np.array([1.0]), eps=eps)[0]
    assert abs(centred - 3) == pytest.approx(eps**2, rel=1e-4)


def test_float32_is_kept_and_too_coarse_for_a_check():
    x = np.linspace(-1, 1, 12).reshape(3, 4)
    f = lambda v: np.sum(np.tanh(v) * v)  # noqa: E731
    exact = np.tanh(x) + x * (1 - np.tanh(x) ** 2)
    in32 = numerical_gradient(f, x.astype(np.float32))
    assert in32.dtype == np.float32
    assert relative_error(in32, exact) > 1e-5
    assert relative_error(numerical_gradient(f, x), exact) < TOLERANCE


def test_relative_error_is_the_formula():
    a, b = np.array([1.0, -2.0, 0.0]), np.array([1.0, -1.0, 0.0])
    assert relative_error(a, b) == pytest.approx(1 / 3)  # max |a - b| / max(|a| + |b|)
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error([0.0], [1e-9]) == pytest.approx(0.1)  # the floor of 1e-8


def test_gradient_error_finds_a_wrong_gradient():
    x = np.array([1.0, 2.0, 3.0])
    assert gradient_error(lambda v: np.sum(v**2), x, 2 * x) < TOLERANCE
    assert gradient_error(lambda v: np.sum(v**2), x, x) > 0.1


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: numerical_gradient(3, np.zeros(2)), TypeError, r"f must be a function"),
        (lambda: numerical_gradient(np.sum, np.zeros(0)), ValueError, r"x must not be empty"),
        (lambda: numerical_gradient(np.sum, [1.0], eps=0), ValueError, r"eps must be positive"),
        (
            lambda: numerical_gradient(lambda v: v, np.zeros(2)),
            ValueError,
            r"f must return a number when no d_out is given, got an array of shape \(2,\)",
        ),
        (
            lambda: numerical_gradient(lambda v: v, np.zeros(2), np.zeros(3)),
            ValueError,
            r"d_out must have the shape of f's output, \(2,\), got shape \(3,\)",
        ),
        (lambda: relative_error([1.0], [1.0, 2.0]), ValueError, r"a and b must have the same"),
        (
            lambda: gradient_error(np.sum, np.zeros(2), np.zeros(3)),
            ValueError,
            r"analytic must have the shape of x, \(2,\), got shape \(3,\)",
        ),
    ],
)
def test_gradient_helpers_name_the_bad_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- conv2d_backward ----------------------------------------------------------------


@st.composite
def conv_cases(draw):
    """A batch, a kernel, a stride and a padding for which conv2d is defined."""
    kernel_h, kernel_w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["valid", "same", 0, 1, 2]))
    pad = 0 if padding in ("valid", "same") else padding
    height = draw(st.integers(max(1, kernel_h - 2 * pad), 8))
    width = draw(st.integers(max(1, kernel_w - 2 * pad), 8))
    shape = (draw(st.integers(1, 2)), height, width, draw(st.integers(1, 3)))
    if padding == "valid" and (kernel_h > height or kernel_w > width):
        padding = "same"
    seed = draw(st.integers(0, 2**16))
    return shape, (kernel_h, kernel_w), draw(st.integers(1, 3)), stride, padding, seed


def _layer(case):
    shape, (kernel_h, kernel_w), n_filters, stride, padding, seed = case
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    kernel = rng.normal(size=(kernel_h, kernel_w, shape[3], n_filters))
    bias = rng.normal(size=n_filters)
    d_out = rng.normal(size=conv2d(x, kernel, bias, stride, padding).shape)
    return x, kernel, bias, d_out, stride, padding


@settings(max_examples=60, deadline=None)
@given(conv_cases())
def test_conv2d_backward_matches_numerical_gradients(case):
    x, kernel, bias, d_out, stride, padding = _layer(case)
    d_x, d_kernel, d_bias = conv2d_backward(x, kernel, d_out, stride, padding)
    assert (d_x.shape, d_kernel.shape, d_bias.shape) == (x.shape, kernel.shape, bias.shape)
    errors = [
        gradient_error(lambda v: conv2d(v, kernel, bias, stride, padding), x, d_x, d_out),
        gradient_error(lambda v: conv2d(x, v, bias, stride, padding), kernel, d_kernel, d_out),
        gradient_error(lambda v: conv2d(x, kernel, v, stride, padding), bias, d_bias, d_out),
    ]
    assert max(errors) < TOLERANCE, errors


def _keras_conv_gradients(x, kernel, bias, d_out, stride, padding):
    layer = keras.layers.Conv2D(
        kernel.shape[3], kernel.shape[:2], strides=stride, padding=padding, name="conv"
    )
    layer.build(x.shape)
    layer.set_weights([kernel.astype("float32"), bias.astype("float32")])
    inputs = tf.constant(x, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        loss = tf.reduce_sum(layer(inputs) * tf.constant(d_out, tf.float32))
    d_x, d_kernel, d_bias = tape.gradient(loss, [inputs, layer.kernel, layer.bias])
    by_patches = _kernel_gradient_by_patches(inputs, d_out, kernel.shape, stride, padding)
    if not _agree_in_float32(np.asarray(d_kernel, dtype=np.float64), by_patches):
        # TensorFlow 2.21's oneDNN kernel for this gradient returns wrong, changing values on
        # CPUs limited to AVX2 (1 x 1 kernels of stride 2 on small maps): its own patches,
        # which use no oneDNN kernel, are the reference then, and the test says so.
        warnings.warn(
            f"TensorFlow's kernel gradient of a {kernel.shape[0]} x {kernel.shape[1]} "
            f"convolution of stride {stride} on {x.shape} disagrees with its own patches",
            stacklevel=2,
        )
        d_kernel = by_patches
    return [np.asarray(g, dtype=np.float64) for g in (d_x, d_kernel, d_bias)]


def _kernel_gradient_by_patches(inputs, d_out, shape, stride, padding) -> np.ndarray:
    """The kernel's gradient as its definition, from TensorFlow's patches and a sum."""
    kh, kw, c_in, c_out = shape
    patches = tf.image.extract_patches(
        inputs, [1, kh, kw, 1], [1, stride, stride, 1], [1, 1, 1, 1], padding.upper()
    )  # (batch, rows, columns, kh * kw * c_in), in the kernel's order
    total = tf.einsum("nhwp,nhwo->po", patches, tf.constant(d_out, tf.float32))
    return np.asarray(tf.reshape(total, (kh, kw, c_in, c_out)), dtype=np.float64)


def _agree_in_float32(ours, theirs):
    scale = np.max(np.abs(theirs)) or 1.0
    return np.max(np.abs(ours - theirs)) <= 1e-5 * scale


@settings(max_examples=25, deadline=None)
@given(conv_cases())
def test_conv2d_backward_matches_tensorflow(case):
    x, kernel, bias, d_out, stride, padding = _layer(case)
    if padding not in ("valid", "same"):  # Keras' Conv2D knows only these two
        padding = "same"
        d_out = np.random.default_rng(0).normal(size=conv2d(x, kernel, bias, stride, "same").shape)
    ours = conv2d_backward(x, kernel, d_out, stride, padding)
    theirs = _keras_conv_gradients(x, kernel, bias, d_out, stride, padding)
    for mine, reference in zip(ours, theirs, strict=True):
        assert _agree_in_float32(mine, reference)


def test_conv2d_backward_stride_2_padding_1_is_keras_same_on_odd_sizes():
    # The lesson's case: 7 x 7 at stride 2 with a 3 x 3 kernel, 'same' pads 1 on each side.
    rng = np.random.default_rng(1)
    x, kernel = rng.normal(size=(2, 7, 7, 3)), rng.normal(size=(3, 3, 3, 4))
    d_out = rng.normal(size=(2, 4, 4, 4))
    by_padding = conv2d_backward(x, kernel, d_out, stride=2, padding=1)
    by_name = conv2d_backward(x, kernel, d_out, stride=2, padding="same")
    for a, b in zip(by_padding, by_name, strict=True):
        np.testing.assert_allclose(a, b)


def test_input_gradient_is_the_full_convolution_with_the_kernel_turned_round():
    # Stride 1, one channel: d_x = 'full' cross-correlation of d_out with kernel[::-1, ::-1].
    import scipy.signal

    rng = np.random.default_rng(2)
    x, kernel = rng.normal(size=(1, 6, 5, 1)), rng.normal(size=(3, 2, 1, 1))
    d_out = rng.normal(size=(1, 4, 4, 1))
    d_x, d_kernel, _ = conv2d_backward(x, kernel, d_out)
    full = scipy.signal.correlate2d(d_out[0, :, :, 0], kernel[::-1, ::-1, 0, 0], mode="full")
    np.testing.assert_allclose(d_x[0, :, :, 0], full)
    np.testing.assert_allclose(
        d_kernel[:, :, 0, 0],
        scipy.signal.correlate2d(x[0, :, :, 0], d_out[0, :, :, 0], mode="valid"),
    )


def test_conv2d_backward_rejects_a_d_out_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"d_out must have the shape of the layer's output"):
        conv2d_backward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 2)), np.zeros((1, 3, 3, 1)))


# --- col2im -------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(conv_cases())
def test_col2im_is_the_adjoint_of_im2col(case):
    shape, kernel_hw, _, stride, padding, seed = case
    rng = np.random.default_rng(seed)
    # Whole numbers, so that both sums are exact and must be equal, not close.
    x = rng.integers(-9, 10, size=shape).astype(np.float64)
    patches = im2col(x, kernel_hw, stride, padding)
    y = rng.integers(-9, 10, size=patches.shape).astype(np.float64)
    back = col2im(y, shape, kernel_hw, stride, padding)
    assert back.shape == shape
    assert np.sum(patches * y) == np.sum(x * back)


def test_col2im_of_im2col_counts_the_windows_over_each_pixel():
    ones = np.ones((1, 4, 4, 1))
    counts = col2im(im2col(ones, 3), ones.shape, 3)[0, :, :, 0]
    expected = [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]
    np.testing.assert_array_equal(counts, expected)


def test_col2im_keeps_float32_and_drops_the_padding():
    x = np.arange(2 * 5 * 5 * 2, dtype=np.float32).reshape(2, 5, 5, 2)
    patches = im2col(x, 3, stride=2, padding="same")
    back = col2im(patches, x.shape, 3, stride=2, padding="same")
    assert back.dtype == np.float32 and back.shape == x.shape
    assert col2im(patches.astype(int), x.shape, 3, 2, "same").dtype == np.float64


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: col2im(np.zeros((4, 9)), (1, 4, 4, 1), 3, stride=2),
            ValueError,
            r"cols must have shape \(1, 9\) for x_shape \(1, 4, 4, 1\)",
        ),
        (lambda: col2im(np.zeros((4, 9)), (4, 4), 3), ValueError, r"x_shape must be a shape"),
        (lambda: col2im(np.zeros((4, 9)), (1, 0, 4, 1), 3), ValueError, r"x_shape\[1\] must"),
        (lambda: col2im("cols", (1, 4, 4, 1), 3), TypeError, r"cols must be an array"),
    ],
)
def test_col2im_errors_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- max_pool2d_backward ------------------------------------------------------------


@st.composite
def pool_cases(draw, ties: bool = False):
    pool_size = draw(st.integers(1, 3))
    stride = draw(st.sampled_from([None, 1, 2, 3]))
    height, width = draw(st.integers(pool_size, 7)), draw(st.integers(pool_size, 7))
    shape = (draw(st.integers(1, 2)), height, width, draw(st.integers(1, 3)))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    # With ties: few distinct values, so that many windows hold their maximum twice.
    # Without: distinct values at least 0.1 apart, far more than the step of a numerical
    # gradient (1e-5), so that no two values of a window sit within a step of each other.
    if ties:
        x = rng.integers(0, 3, size=shape).astype(np.float64)
    else:
        x = (rng.permutation(int(np.prod(shape))).reshape(shape) - np.prod(shape) / 2) / 10
    d_out = rng.normal(size=max_pool2d(x, pool_size, stride).shape)
    return x, d_out, pool_size, stride


@settings(max_examples=60, deadline=None)
@given(pool_cases())
def test_max_pool2d_backward_matches_numerical_gradients(case):
    # Well-separated values: no tie and no near-tie, so no kink lies within a step.
    x, d_out, pool_size, stride = case
    d_x = max_pool2d_backward(x, d_out, pool_size, stride)
    assert d_x.shape == x.shape
    error = gradient_error(lambda v: max_pool2d(v, pool_size, stride), x, d_x, d_out)
    assert error < TOLERANCE


def _keras_pool_gradient(x, d_out, pool_size, stride):
    layer = keras.layers.MaxPooling2D(pool_size, strides=stride, name="pool")
    inputs = tf.constant(x, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        loss = tf.reduce_sum(layer(inputs) * tf.constant(d_out, tf.float32))
    return np.asarray(tape.gradient(loss, inputs), dtype=np.float64)


@settings(max_examples=40, deadline=None)
@given(pool_cases(ties=True))
def test_max_pool2d_backward_breaks_ties_like_tensorflow(case):
    x, d_out, pool_size, stride = case
    ours = max_pool2d_backward(x, d_out, pool_size, stride)
    theirs = _keras_pool_gradient(x, d_out, pool_size, stride)
    assert _agree_in_float32(ours, theirs)


def test_a_tie_sends_the_gradient_to_the_first_maximum_only():
    x = np.array([[1.0, 3.0, 0.0, 0.0], [3.0, 2.0, 0.0, 0.0]])
    d_x = max_pool2d_backward(x, np.array([[10.0, 5.0]]))
    np.testing.assert_array_equal(d_x, [[0, 10, 5, 0], [0, 0, 0, 0]])


def test_tiled_windows_in_float32_with_ties_and_a_leftover_column():
    # stride == pool_size (the fast path): float32 kept, ties as TensorFlow breaks them,
    # and the last row and column, which no window covers, get 0.
    rng = np.random.default_rng(3)
    x = rng.integers(0, 2, size=(2, 7, 7, 3)).astype(np.float32)
    d_out = rng.normal(size=(2, 3, 3, 3)).astype(np.float32)
    tiled = max_pool2d_backward(x, d_out, 2)
    assert tiled.dtype == np.float32
    np.testing.assert_allclose(tiled, _keras_pool_gradient(x, d_out, 2, 2), rtol=1e-6)
    assert np.all(tiled[:, 6:, :, :] == 0) and np.all(tiled[:, :, 6:, :] == 0)


def test_max_pool2d_backward_on_a_2d_array():
    x = np.array([[1.0, 2.0, 5.0], [4.0, 3.0, 0.0], [0.0, 9.0, 1.0]])
    d_x = max_pool2d_backward(x, np.array([[1.0, 2.0], [3.0, 4.0]]), pool_size=2, stride=1)
    # (2, 1) is the maximum of two overlapping windows and collects both gradients, 3 + 4.
    assert d_x.tolist() == [[0.0, 0.0, 2.0], [1.0, 0.0, 0.0], [0.0, 7.0, 0.0]]


def test_max_pool2d_backward_rejects_a_d_out_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"d_out must have the shape of max_pool2d's output"):
        max_pool2d_backward(np.zeros((1, 4, 4, 1)), np.zeros((1, 4, 4, 1)))


def test_output_size_of_the_lesson_convnet():
    # 28 -> 26 (3 x 3 'valid') -> 13 (2 x 2 pooling): 13 * 13 * 16 = 2704 dense inputs.
    assert output_size(28, 3) == 26 and max_pool2d(np.zeros((26, 26))).shape == (13, 13)


# --- the lesson's checkers ----------------------------------------------------------


def _kernel_gradient_loops(x, d_out, stride, flip=False, mean=False):
    kernel_h = x.shape[0] - stride * (d_out.shape[0] - 1)
    kernel_w = x.shape[1] - stride * (d_out.shape[1] - 1)
    d_kernel = np.zeros((kernel_h, kernel_w))
    for i in range(d_out.shape[0]):
        for j in range(d_out.shape[1]):
            window = x[i * stride : i * stride + kernel_h, j * stride : j * stride + kernel_w]
            d_kernel += d_out[i, j] * window
    d_kernel = d_kernel[::-1, ::-1] if flip else d_kernel
    return d_kernel / d_out.size if mean else d_kernel


def test_kernel_gradient_checker_verdicts():
    from utils.checks import check_kernel_gradient as check

    rng = np.random.default_rng(0)
    x, d_out = rng.normal(size=(8, 8)), rng.normal(size=(3, 3))
    right = _kernel_gradient_loops(x, d_out, 2)
    assert check(right, x, d_out, stride=2)
    assert "Not answered yet" in check(..., x, d_out, 2).message
    assert "turned round by 180 degrees" in check(right[::-1, ::-1], x, d_out, 2).message
    assert "mean over the output positions" in check(right / 9, x, d_out, 2).message
    no_stride = _kernel_gradient_loops(x[:6, :6], d_out, 1)
    assert "the stride is missing" in check(no_stride, x, d_out, 2).message
    assert "That is the shape of the input gradient" in check(x, x, d_out, 2).message
    assert "shape of the output gradient" in check(d_out, x, d_out, 2).message
    assert "values differ" in check(right + 1, x, d_out, 2).message
    assert "expected an array of numbers" in check("abc", x, d_out, 2).message
    assert check(_kernel_gradient_loops(x, rng.normal(size=(5, 5)), 1), x, d_out, 2).ok is False
    one = rng.normal(size=(5, 5))
    assert check(_kernel_gradient_loops(x, one, 1), x, one)


def _dense_relu_backward(x, w, b, d_out, bug=None):
    z = x @ w + b
    d_z = d_out * (z > 0)
    d_x = d_z @ w.T
    d_w = x.T @ (d_out if bug == "d_w" else d_z)
    d_b = d_z.mean(axis=0) if bug == "mean" else d_z.sum(axis=0)
    return d_x, d_w, d_b


def test_dense_relu_backward_checker_verdicts():
    from utils.checks import check_dense_relu_backward as check

    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(4, 5)), rng.normal(size=(5, 3)), rng.normal(size=3)
    assert check(_dense_relu_backward, x, w, b)
    assert "all pass the gradient check" in check(_dense_relu_backward, x, w, b).message
    message = check(lambda *a: _dense_relu_backward(*a, bug="d_w"), x, w, b).message
    assert message.startswith("❌") and "d_w fails the gradient check" in message
    assert "skips the ReLU" in message and "d_x fails" not in message
    assert (
        "mean over the batch"
        in check(lambda *a: _dense_relu_backward(*a, bug="mean"), x, w, b).message
    )
    assert "Not answered yet" in check(..., x, w, b).message
    assert "expected a function" in check(3, x, w, b).message
    assert "raised ZeroDivisionError" in check(lambda *a: 1 / 0, x, w, b).message
    assert "return the three gradients" in check(lambda *a: a[0], x, w, b).message
    bad_shape = lambda *a: (a[0], a[1].T, a[2])  # noqa: E731
    assert "d_w should have shape (5, 3)" in check(bad_shape, x, w, b).message


# --- the benchmark's copy of the lesson's network ------------------------------------

LESSON_09 = Path(__file__).resolve().parent.parent / "notebooks" / "09_how_a_convnet_learns.ipynb"


def _lesson_functions(names: set[str]) -> dict:
    """The lesson's own definitions of ``names``, taken from its code cells and run."""
    namespace = {
        "np": np,
        "im2col": im2col,
        "col2im": col2im,
        "max_pool2d_backward": max_pool2d_backward,
    }
    for cell in json.loads(LESSON_09.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.parse("".join(cell["source"])).body:
            if isinstance(node, ast.FunctionDef) and node.name in names:
                exec(compile(ast.Module([node], []), str(LESSON_09), "exec"), namespace)
    return namespace


def test_the_benchmark_trains_the_lessons_network():
    """benchmarks/numpy_convnet.py copies section 5's code; both give the same step."""
    names = {"relu_backward", "softmax_cross_entropy", "conv_forward", "conv_backward"}
    names |= {"max_pool", "forward_backward", "init_params", "predict"}
    lesson = _lesson_functions(names)
    assert names <= lesson.keys(), f"the lesson no longer defines {sorted(names - lesson.keys())}"
    from benchmarks import numpy_convnet as benchmark  # the repository root is on sys.path

    rng = np.random.default_rng(0)
    params = lesson["init_params"](np.random.default_rng(1))
    same_start = benchmark.init_params(np.random.default_rng(1))
    for name, value in params.items():
        np.testing.assert_array_equal(value, same_start[name])
    x = rng.random((8, 28, 28, 1)).astype(np.float32)
    labels = rng.integers(0, 10, size=8)
    loss, grads, logits = lesson["forward_backward"](params, x, labels)
    their_loss, their_grads, their_logits = benchmark.forward_backward(params, x, labels)
    np.testing.assert_allclose(their_loss, loss, rtol=1e-6)
    np.testing.assert_allclose(their_logits, logits, rtol=1e-5, atol=1e-6)
    assert grads.keys() == their_grads.keys()
    for name in grads:
        np.testing.assert_allclose(their_grads[name], grads[name], rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(benchmark.predict(params, x), lesson["predict"](params, x))
