"""Tests for utils._validate: what each check accepts, returns and refuses, in its wording."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from utils._validate import (
    as_path,
    flag,
    int_pair,
    integer,
    number,
    one_of,
    optional_integer,
    optional_path,
    real_array,
    text,
)


def test_integer_accepts_python_and_numpy_ints_and_returns_an_int():
    assert integer(3, "n") == 3
    value = integer(np.int64(4), "n", minimum=1)
    assert value == 4 and type(value) is int
    assert integer(9, "n", minimum=0, maximum=9) == 9


@pytest.mark.parametrize(
    ("value", "kwargs", "error", "message"),
    [
        (2.5, {}, TypeError, "n must be an int, got float 2.5"),
        (True, {}, TypeError, "n must be an int, got bool True"),
        (np.bool_(True), {}, TypeError, "n must be an int, got bool"),
        ("3", {}, TypeError, "n must be an int, got str '3'"),
        (0, {"minimum": 1}, ValueError, "n must be at least 1, got 0"),
        (np.int64(-2), {"minimum": 0}, ValueError, "n must be at least 0, got -2"),
        (10, {"maximum": 9}, ValueError, "n must be at most 9, got 10"),
        (12, {"minimum": 0, "maximum": 9}, ValueError, "n must be between 0 and 9, got 12"),
    ],
)
def test_integer_refuses(value, kwargs, error, message):
    with pytest.raises(error, match=f"^{message}"):
        integer(value, "n", **kwargs)


def test_optional_integer():
    assert optional_integer(None, "stride") is None
    assert optional_integer(2, "stride", minimum=1) == 2
    with pytest.raises(TypeError, match="^stride must be an int or None, got float 1.5$"):
        optional_integer(1.5, "stride")
    with pytest.raises(ValueError, match="^stride must be at least 1, got 0$"):
        optional_integer(0, "stride", minimum=1)


def test_number():
    assert number(2, "rate") == 2.0 and number(np.float32(0.5), "rate") == 0.5
    with pytest.raises(TypeError, match="^rate must be a number, got str '0.5'$"):
        number("0.5", "rate")
    with pytest.raises(TypeError, match="^rate must be a number, got bool True$"):
        number(True, "rate")
    with pytest.raises(ValueError, match="^rate must be a finite real number, got nan$"):
        number(float("nan"), "rate")


def test_int_pair():
    assert int_pair(3, "kernel_size") == (3, 3)
    assert int_pair((2, np.int32(5)), "kernel_size") == (2, 5)
    with pytest.raises(
        ValueError, match=r"^kernel_size must be an int or a pair \(height, width\)"
    ):
        int_pair((3, 3, 3), "kernel_size")
    with pytest.raises(TypeError, match=r"^kernel_size must be an int or a pair .*got str '3'$"):
        int_pair("3", "kernel_size")
    with pytest.raises(TypeError, match=r"^kernel_size\[1\] must be an int, got float 2.0$"):
        int_pair((3, 2.0), "kernel_size")
    with pytest.raises(ValueError, match=r"^kernel_size\[0\] must be at least 1, got 0$"):
        int_pair((0, 3), "kernel_size")


def test_real_array():
    assert real_array([[1, 2], [3, 4]], "image").shape == (2, 2)
    assert real_array(np.array([True, False]), "mask").dtype == np.bool_
    with pytest.raises(TypeError, match="^mask must hold real numbers, got dtype bool$"):
        real_array(np.array([True, False]), "mask", booleans=False)
    with pytest.raises(TypeError, match="^image must be an array of numbers, got str$"):
        real_array("abc", "image")
    with pytest.raises(TypeError, match="^image must be an array of numbers, got NoneType$"):
        real_array(None, "image")
    with pytest.raises(TypeError, match="^image must hold real numbers, got dtype complex128$"):
        real_array(np.ones(2, dtype=complex), "image")
    with pytest.raises(TypeError, match="^image must hold real numbers, got dtype <U1$"):
        real_array(["a", "b"], "image")


def test_flag_accepts_only_true_and_false():
    assert flag(True, "nesterov") is True and flag(False, "nesterov") is False
    for value, shown in [(1, "int 1"), ("yes", "str 'yes'"), (None, "NoneType None")]:
        with pytest.raises(TypeError, match=f"nesterov must be True or False, got {shown}"):
            flag(value, "nesterov")


def test_one_of_and_text():
    assert one_of("max", "mode", ("max", "avg")) == "max"
    with pytest.raises(ValueError, match="^mode must be one of 'max', 'avg', got 'mean'$"):
        one_of("mean", "mode", ("max", "avg"))
    with pytest.raises(TypeError, match="^mode must be one of 'max', 'avg', got int 1$"):
        one_of(1, "mode", ("max", "avg"))
    assert text("convnet", "name") == "convnet"
    with pytest.raises(TypeError, match="^name must be a str, got int 5$"):
        text(5, "name")


def test_paths():
    assert as_path("data/mnist.npz", "path") == Path("data/mnist.npz")
    assert optional_path(None, "path") is None
    assert optional_path(Path("x"), "path") == Path("x")
    with pytest.raises(TypeError, match="^path must be a str or an os.PathLike, got int 3$"):
        as_path(3, "path")
    with pytest.raises(TypeError, match="^path must be a str, an os.PathLike or None, got int 3$"):
        optional_path(3, "path")
