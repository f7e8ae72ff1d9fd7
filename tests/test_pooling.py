"""Tests for utils.pooling against keras.layers.MaxPooling2D / AveragePooling2D."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.pooling import avg_pool2d, max_pool2d


@st.composite
def pooling_cases(draw):
    pool = draw(st.integers(1, 4))
    stride = draw(st.one_of(st.none(), st.integers(1, 4)))
    height = draw(st.integers(pool, 12))
    width = draw(st.integers(pool, 12))
    channels = draw(st.integers(1, 3))
    batch = draw(st.integers(1, 2))
    seed = draw(st.integers(0, 2**16))
    x = np.random.default_rng(seed).normal(size=(batch, height, width, channels))
    return x.astype("float32"), pool, stride


@settings(max_examples=40, deadline=None)
@given(pooling_cases())
def test_max_pool_equals_keras(case):
    x, pool, stride = case
    expected = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(pool, strides=stride)(x))
    np.testing.assert_array_equal(max_pool2d(x, pool, stride), expected)


@settings(max_examples=40, deadline=None)
@given(pooling_cases())
def test_avg_pool_equals_keras(case):
    x, pool, stride = case
    expected = keras.ops.convert_to_numpy(keras.layers.AveragePooling2D(pool, strides=stride)(x))
    np.testing.assert_allclose(avg_pool2d(x, pool, stride), expected, rtol=1e-5, atol=1e-6)


def test_a_small_example_by_hand():
    x = np.array([[1, 3, 2, 1], [4, 2, 0, 1], [5, 6, 7, 8], [0, 1, 2, 9]])
    np.testing.assert_array_equal(max_pool2d(x), [[4, 2], [6, 9]])
    np.testing.assert_array_equal(avg_pool2d(x), [[2.5, 1.0], [3.0, 6.5]])
    np.testing.assert_array_equal(max_pool2d(x, pool_size=3, stride=1), [[7, 8], [7, 9]])


def test_output_size_floors_a_leftover_row():
    assert max_pool2d(np.zeros((5, 7)), 2).shape == (2, 3)
    assert avg_pool2d(np.zeros((3, 13, 13, 4)), 2).shape == (3, 6, 6, 4)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"pool_size": 0}, ValueError, "pool_size must be at least 1, got 0"),
        ({"pool_size": 2.0}, TypeError, "pool_size must be an int, got float"),
        ({"stride": 0}, ValueError, "stride must be at least 1, got 0"),
        ({"stride": "2"}, TypeError, "stride must be an int or None, got str"),
        ({"pool_size": 5}, ValueError, "pool_size 5 is larger than the input's spatial size 4x4"),
        ({"x": np.zeros(4)}, ValueError, r"x must be 2-D .* got shape \(4,\)"),
        ({"x": np.zeros((2, 4, 4))}, ValueError, r"got shape \(2, 4, 4\)"),
        ({"x": "image"}, TypeError, "x must be an array of numbers, got str"),
        ({"x": np.full((4, 4), "a")}, TypeError, "x must hold real numbers"),
    ],
)
def test_errors_name_the_argument(kwargs, error, message):
    arguments = {"x": np.zeros((4, 4)), "pool_size": 2, "stride": None} | kwargs
    for pool in (max_pool2d, avg_pool2d):
        with pytest.raises(error, match=message):
            pool(**arguments)
