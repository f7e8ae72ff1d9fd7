"""Tests for utils.numpy_convnet: the pretrained ConvNet in NumPy agrees with Keras.

The reference is the Keras model of ``utils.models.load_pretrained_convnet``,
run eagerly on the same float32 digits.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from utils import data, numpy_convnet
from utils.data import DATA_DIR, load_mnist
from utils.numpy_convnet import NumpyConvNet, load_numpy_convnet

ROOT = Path(__file__).resolve().parent.parent
FEATURE_LAYERS = ("conv_1", "conv_2", "conv_3")
FEATURE_SHAPES = {"conv_1": (26, 26, 32), "conv_2": (11, 11, 64), "conv_3": (3, 3, 64)}


@pytest.fixture(scope="module")
def digits():
    _, (x_test, y_test) = load_mnist()
    return (x_test.astype(np.float32) / 255)[..., None], y_test


@pytest.fixture(scope="module")
def network():
    return load_numpy_convnet()


@pytest.fixture(scope="module")
def keras_model():
    from utils import models

    return models.load_pretrained_convnet()


def test_probabilities_equal_keras_on_all_10000_test_digits(digits, network, keras_model):
    images, labels = digits
    expected = np.concatenate(
        [
            np.asarray(keras_model(images[start : start + 2000], training=False))
            for start in range(0, len(images), 2000)
        ]
    )
    probabilities = network.predict(images)
    assert probabilities.shape == (10_000, 10)
    assert probabilities.dtype == np.float32
    difference = float(np.abs(probabilities - expected).max())
    print(f"largest difference from Keras: {difference:.2e}")
    assert difference < 1e-5
    assert np.array_equal(probabilities.argmax(axis=1), expected.argmax(axis=1))
    assert np.mean(probabilities.argmax(axis=1) == labels) >= 0.993  # as tests/test_models.py
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-5)


def test_predict_takes_digits_without_the_channel_axis(digits, network):
    images, _ = digits
    with_channel = network.predict(images[:7])
    np.testing.assert_array_equal(network.predict(images[:7, :, :, 0]), with_channel)
    assert network.predict(images[:0]).shape == (0, 10)


def test_read_equals_the_keras_feature_maps(digits, network, keras_model):
    import keras

    images, _ = digits
    reader = keras.Model(
        keras_model.inputs[0],
        [keras_model.get_layer(name).output for name in (*FEATURE_LAYERS, "output")],
    )
    for index in (0, 1, 7, 1234, 9999):
        expected = [np.asarray(array)[0] for array in reader(images[index : index + 1])]
        seen = network.read(images[index, :, :, 0])
        assert set(seen) == {*FEATURE_LAYERS, "probabilities"}
        for name, reference in zip(FEATURE_LAYERS, expected, strict=False):
            assert seen[name].shape == FEATURE_SHAPES[name]
            assert seen[name].dtype == np.float32
            np.testing.assert_allclose(seen[name], reference, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(seen["probabilities"], expected[-1], atol=1e-5)
        np.testing.assert_array_equal(
            network.read(images[index])["probabilities"], seen["probabilities"]
        )


def test_read_and_predict_agree(digits, network):
    images, _ = digits
    np.testing.assert_allclose(
        network.read(images[3])["probabilities"], network.predict(images[3:4])[0], atol=1e-6
    )


def test_load_numpy_convnet_is_from_weights(network):
    again = NumpyConvNet.from_weights(DATA_DIR / data.PRETRAINED_FILE)
    for layer, (kernel, bias) in network.weights.items():
        np.testing.assert_array_equal(again.weights[layer][0], kernel)
        np.testing.assert_array_equal(again.weights[layer][1], bias)


def test_an_altered_weights_file_is_refused(tmp_path):
    copy = tmp_path / "mnist_convnet.weights.h5"
    shutil.copyfile(DATA_DIR / data.PRETRAINED_FILE, copy)
    content = bytearray(copy.read_bytes())
    content[-100] ^= 0xFF
    copy.write_bytes(bytes(content))
    with pytest.raises(ValueError, match="has been altered"):
        load_numpy_convnet(copy)
    with pytest.raises(FileNotFoundError, match="git checkout"):
        NumpyConvNet.from_weights(tmp_path / "absent.weights.h5")


def test_the_constants_are_the_ones_utils_models_uses():
    from utils import models

    assert models.PRETRAINED_FILE == data.PRETRAINED_FILE
    assert models.PRETRAINED_SHA256 == data.PRETRAINED_SHA256
    assert models.PRETRAINED_SIZE == data.PRETRAINED_SIZE


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda net: net.predict(np.zeros((2, 28, 27))), ValueError, r"images must have shape"),
        (lambda net: net.predict(np.zeros((28, 28))), ValueError, r"images must have shape"),
        (lambda net: net.predict("digits"), TypeError, r"images must be an array of numbers"),
        (lambda net: net.read(np.zeros((1, 28, 28))), ValueError, r"image must have shape"),
        (lambda net: net.read(np.full((28, 28), np.nan)), ValueError, r"image must hold finite"),
    ],
)
def test_bad_images_name_the_argument(network, call, error, message):
    with pytest.raises(error, match=message):
        call(network)


def test_bad_weights_name_the_layer(network):
    with pytest.raises(TypeError, match=r"weights must be a dict"):
        NumpyConvNet([1, 2])
    with pytest.raises(ValueError, match=r"missing \['output'\]"):
        NumpyConvNet({k: v for k, v in network.weights.items() if k != "output"})
    wrong = dict(network.weights, dense=(np.zeros((64, 576)), np.zeros(64)))
    with pytest.raises(ValueError, match=r"weights\['dense'\] kernel must have shape \(576, 64\)"):
        NumpyConvNet(wrong)


def test_importing_the_demo_modules_imports_no_tensorflow_or_keras():
    code = (
        "import sys, utils.numpy_convnet, utils.drawing; "
        "assert not any(m.split('.')[0] in ('tensorflow', 'keras') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))[:5]"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_the_module_names_its_layers_in_order():
    assert list(numpy_convnet.LAYER_SHAPES) == ["conv_1", "conv_2", "conv_3", "dense", "output"]
