"""Tests for utils.models: the layers and parameter counts, the schedule, the pretrained weights."""

from __future__ import annotations

import math
import shutil

import keras
import numpy as np
import pytest

from utils import models
from utils.data import DATA_DIR, load_mnist, sha256_of

# The lecture's summary of the ConvNet (independent of the code that builds it).
CONVNET_LAYERS = [
    ("Conv2D", (None, 26, 26, 32), 3 * 3 * 1 * 32 + 32),
    ("MaxPooling2D", (None, 13, 13, 32), 0),
    ("Conv2D", (None, 11, 11, 64), 3 * 3 * 32 * 64 + 64),
    ("MaxPooling2D", (None, 5, 5, 64), 0),
    ("Conv2D", (None, 3, 3, 64), 3 * 3 * 64 * 64 + 64),
    ("Flatten", (None, 576), 0),
    ("Dense", (None, 64), 576 * 64 + 64),
    ("Dense", (None, 10), 64 * 10 + 10),
]


def layer_table(model: keras.Model) -> list[tuple[str, tuple, int]]:
    return [
        (type(layer).__name__, tuple(layer.output.shape), layer.count_params())
        for layer in model.layers
    ]


def output_size(size: int, kernel: int) -> int:
    """Valid convolution, stride 1: W - F + 1."""
    return size - kernel + 1


def test_convnet_layers_shapes_and_parameters_match_the_lecture():
    model = models.build_convnet()
    assert layer_table(model) == CONVNET_LAYERS
    assert model.count_params() == 93_322
    assert tuple(model.inputs[0].shape) == (None, 28, 28, 1)
    assert [layer.name for layer in model.layers] == [
        "conv_1",
        "pool_1",
        "conv_2",
        "pool_2",
        "conv_3",
        "flatten",
        "dense",
        "output",
    ]
    assert model.layers[-1].activation is keras.activations.softmax
    assert all(
        layer.activation is keras.activations.relu
        for layer in model.layers[:-1]
        if hasattr(layer, "activation")
    )


def test_convnet_shapes_follow_the_output_size_formula():
    size = 28
    expected = []
    for _ in range(2):
        size = output_size(size, 3)
        expected.append(size)
        size //= 2
        expected.append(size)
    expected.append(output_size(size, 3))
    model = models.build_convnet()
    assert [layer.output.shape[1] for layer in model.layers[:5]] == expected


def test_convnet_predicts_probabilities():
    keras.utils.set_random_seed(0)
    model = models.build_convnet()
    images = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    probabilities = np.asarray(model.predict(images, verbose=0))
    assert probabilities.shape == (4, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_same_seed_same_initial_weights():
    keras.utils.set_random_seed(3)
    first = models.build_convnet().get_weights()
    keras.utils.set_random_seed(3)
    second = models.build_convnet().get_weights()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def test_convnet_with_5_classes_changes_only_the_output_layer():
    model = models.build_convnet(name="five", n_classes=5)
    assert layer_table(model) == CONVNET_LAYERS[:-1] + [("Dense", (None, 5), 64 * 5 + 5)]
    assert model.count_params() == 93_322 - 650 + 325
    assert model.name == "five" and model.layers[-1].name == "output"
    assert [layer.name for layer in model.layers] == [
        layer.name for layer in models.build_convnet().layers
    ]
    probabilities = np.asarray(model.predict(np.zeros((2, 28, 28, 1), "float32"), verbose=0))
    assert probabilities.shape == (2, 5)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("hidden_units", [1, 64, 512])
def test_dense_baseline_parameters(hidden_units):
    model = models.build_dense_baseline(hidden_units)
    assert layer_table(model) == [
        ("Flatten", (None, 784), 0),
        ("Dense", (None, hidden_units), 784 * hidden_units + hidden_units),
        ("Dense", (None, 10), hidden_units * 10 + 10),
    ]
    assert models.build_dense_baseline().count_params() == 407_050


@pytest.mark.parametrize(
    ("function", "kwargs", "error", "message"),
    [
        (
            models.build_dense_baseline,
            {"hidden_units": 0},
            ValueError,
            "hidden_units must be at least 1, got 0",
        ),
        (
            models.build_dense_baseline,
            {"hidden_units": 5.0},
            TypeError,
            "hidden_units must be an int, got float 5.0",
        ),
        (models.build_dense_baseline, {"name": 3}, TypeError, "name must be a str, got int 3"),
        (models.build_convnet, {"name": None}, TypeError, "name must be a str, got NoneType None"),
        (models.build_convnet, {"n_classes": 1}, ValueError, "n_classes must be at least 2, got 1"),
        (
            models.build_convnet,
            {"n_classes": 5.0},
            TypeError,
            "n_classes must be an int, got float 5.0",
        ),
        (
            models.one_cycle_adam,
            {"total_steps": 0},
            ValueError,
            "total_steps must be at least 1, got 0",
        ),
        (
            models.one_cycle_adam,
            {"total_steps": True},
            TypeError,
            "total_steps must be an int, got bool True",
        ),
        (
            models.one_cycle_adam,
            {"total_steps": 10, "peak_learning_rate": -1.0},
            ValueError,
            "peak_learning_rate must be positive, got -1.0",
        ),
        (
            models.one_cycle_adam,
            {"total_steps": 10, "peak_learning_rate": "fast"},
            TypeError,
            "peak_learning_rate must be a number, got str 'fast'",
        ),
        (
            models.one_cycle_adam,
            {"total_steps": 10, "warmup_fraction": 1.0},
            ValueError,
            "warmup_fraction must be between 0 and 1, got 1.0",
        ),
        (
            models.one_cycle_adam,
            {"total_steps": 10, "nesterov": 1},
            TypeError,
            "nesterov must be True or False, got int 1",
        ),
    ],
)
def test_errors_name_the_argument(function, kwargs, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        function(**kwargs)


def test_one_cycle_rises_to_the_peak_then_decays():
    optimizer = models.one_cycle_adam(
        total_steps=1000, peak_learning_rate=0.01, warmup_fraction=0.3
    )
    schedule = optimizer._learning_rate
    rates = np.array([float(schedule(step)) for step in range(0, 1001, 50)])
    assert rates[0] == pytest.approx(0.01 / 25)
    assert rates.argmax() == 300 // 50
    assert rates.max() == pytest.approx(0.01)
    assert np.all(np.diff(rates[: 300 // 50 + 1]) > 0)
    assert np.all(np.diff(rates[300 // 50 :]) < 0)
    assert rates[-1] == pytest.approx(0.01 / 1000)


def test_one_cycle_with_nesterov_is_nadam_on_the_same_schedule():
    plain = models.one_cycle_adam(352, peak_learning_rate=0.015, warmup_fraction=0.2)
    nesterov = models.one_cycle_adam(
        352, peak_learning_rate=0.015, warmup_fraction=0.2, nesterov=True
    )
    assert type(plain) is keras.optimizers.Adam
    assert type(nesterov) is keras.optimizers.Nadam
    for step in (0, 70, 200, 352):
        rates = float(plain._learning_rate(step)), float(nesterov._learning_rate(step))
        assert rates[0] == pytest.approx(rates[1])
    assert float(nesterov._learning_rate(70)) == pytest.approx(0.015)


def _trained_weights(steps_per_execution: int, seed: int = 0) -> tuple[list[np.ndarray], int]:
    """Lesson 11's train() on 320 digits repeated, 25 batches of 32: the weights, the updates."""
    (x_train, y_train), _ = load_mnist()
    x = np.concatenate([(x_train[:320].astype("float32") / 255)[..., None]] * 3)
    y = np.concatenate([y_train[:320]] * 3)
    keras.utils.set_random_seed(seed)
    model = models.build_convnet()
    model.compile(
        optimizer=models.one_cycle_adam(25, peak_learning_rate=0.005),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    model.fit(x, y, batch_size=32, steps_per_epoch=25, epochs=1, verbose=0)
    return model.get_weights(), int(model.optimizer.iterations)


def test_batches_per_call_that_divide_the_steps_train_the_same_weights_as_one():
    # Lesson 11 trains with steps_per_execution=math.gcd(steps, 10) and says the updates
    # are the same; ten per call would run 30 batches for 25 (Keras runs whole calls).
    # Another seed is the control.
    one, one_updates = _trained_weights(1)
    five, five_updates = _trained_weights(math.gcd(25, 10))
    _, ten_updates = _trained_weights(10)
    other, _ = _trained_weights(5, seed=1)
    assert one_updates == five_updates == 25
    assert ten_updates == 30
    assert all(np.array_equal(a, b) for a, b in zip(one, five, strict=True))
    assert not any(np.array_equal(a, b) for a, b in zip(one, other, strict=True))


@pytest.fixture(scope="module")
def test_set():
    _, (x_test, y_test) = load_mnist()
    return (x_test.astype("float32") / 255)[..., None], y_test


def test_pretrained_weights_file_is_the_recorded_one():
    path = DATA_DIR / models.PRETRAINED_FILE
    assert path.stat().st_size == models.PRETRAINED_SIZE
    assert sha256_of(path) == models.PRETRAINED_SHA256


def test_pretrained_convnet_reaches_99_3_percent(test_set):
    images, labels = test_set
    model = models.load_pretrained_convnet()
    assert model.count_params() == 93_322
    loss, accuracy = model.evaluate(
        images, keras.utils.to_categorical(labels, 10), batch_size=1000, verbose=0
    )
    assert accuracy >= 0.993
    predicted = np.asarray(model.predict(images, batch_size=1000, verbose=0)).argmax(axis=1)
    assert np.mean(predicted == labels) == pytest.approx(accuracy, abs=1e-6)


@pytest.mark.parametrize(
    ("load", "name"),
    [
        (models.load_pretrained_convnet, models.PRETRAINED_FILE),
        (models.load_base_convnet, models.BASE_FILE),  # lesson 11's base, digits 0-4
    ],
)
def test_weights_loaders_refuse_an_altered_file(tmp_path, load, name):
    copy = tmp_path / name.rsplit("/", 1)[-1]
    shutil.copyfile(DATA_DIR / name, copy)
    content = bytearray(copy.read_bytes())
    content[-100] ^= 0xFF
    copy.write_bytes(bytes(content))
    with pytest.raises(ValueError, match="has been altered"):
        load(copy)


def test_pretrained_missing_file_says_how_to_restore(tmp_path):
    with pytest.raises(FileNotFoundError, match="git checkout"):
        models.load_pretrained_convnet(tmp_path / "absent.weights.h5")


# Lesson 11's base ConvNet, trained on the digits 0-4 only.
def test_base_weights_file_is_the_recorded_one():
    path = DATA_DIR / models.BASE_FILE
    assert path.stat().st_size == models.BASE_SIZE
    assert sha256_of(path) == models.BASE_SHA256


def test_base_convnet_accuracy_on_test_digits_0_4(test_set):
    images, labels = test_set
    digits = labels < 5
    assert digits.sum() == 980 + 1135 + 1032 + 1010 + 982  # 5,139, from data/README.md
    model = models.load_base_convnet()
    assert model.count_params() == 93_322 - 650 + 325
    assert model.name == "base_digits_0_4" and model.loss == "sparse_categorical_crossentropy"
    probabilities = np.asarray(model.predict(images[digits], batch_size=1000, verbose=0))
    assert probabilities.shape == (5_139, 5)
    assert np.mean(probabilities.argmax(axis=1) == labels[digits]) >= 0.99


def test_base_missing_file_says_how_to_restore(tmp_path):
    message = "git checkout -- data/weights/base_digits_0_4.weights.h5"
    with pytest.raises(FileNotFoundError, match=message):
        models.load_base_convnet(tmp_path / "absent.weights.h5")


# Lesson 07: LeNet-5. The parameters per layer as the paper's modern reading gives them,
# written out independently of the code that builds the model.
LENET5_LAYERS = [
    ("C1", "Conv2D", (None, 28, 28, 6), (5 * 5 * 1 + 1) * 6),
    ("S2", "AveragePooling2D", (None, 14, 14, 6), 0),
    ("C3", "Conv2D", (None, 10, 10, 16), (5 * 5 * 6 + 1) * 16),
    ("S4", "AveragePooling2D", (None, 5, 5, 16), 0),
    ("C5", "Conv2D", (None, 1, 1, 120), (5 * 5 * 16 + 1) * 120),
    ("flatten", "Flatten", (None, 120), 0),
    ("F6", "Dense", (None, 84), (120 + 1) * 84),
    ("output", "Dense", (None, 10), (84 + 1) * 10),
]


def test_lenet5_layers_shapes_and_parameters():
    model = models.build_lenet5()
    table = [
        (layer.name, type(layer).__name__, tuple(layer.output.shape), layer.count_params())
        for layer in model.layers
    ]
    assert table == LENET5_LAYERS
    assert [row[3] for row in LENET5_LAYERS if row[3]] == [156, 2_416, 48_120, 10_164, 850]
    assert model.count_params() == 61_706
    assert tuple(model.inputs[0].shape) == (None, 32, 32, 1)
    assert model.layers[-1].activation is keras.activations.softmax
    assert all(
        layer.activation is keras.activations.tanh
        for layer in model.layers[:-1]
        if hasattr(layer, "activation")
    )


def test_lenet5_sizes_follow_the_output_size_formula():
    size, expected = 32, []
    for _ in range(2):
        size = output_size(size, 5)
        expected.append(size)
        size //= 2
        expected.append(size)
    expected.append(output_size(size, 5))
    assert expected == [28, 14, 10, 5, 1]
    model = models.build_lenet5()
    assert [layer.output.shape[1] for layer in model.layers[:5]] == expected


def test_lenet5_predicts_probabilities_and_checks_its_name():
    keras.utils.set_random_seed(0)
    model = models.build_lenet5(name="lenet")
    images = np.random.default_rng(0).random((3, 32, 32, 1), dtype=np.float32)
    probabilities = np.asarray(model.predict(images, verbose=0))
    assert model.name == "lenet" and probabilities.shape == (3, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    with pytest.raises(TypeError, match="name must be a str, got int 5"):
        models.build_lenet5(name=5)


def test_residual_block_is_what_lesson_07_checks():
    from utils.checks import check_residual_block

    assert check_residual_block(models.residual_block)
    assert check_residual_block(models.residual_block, filters=3)


def test_residual_block_names_its_layers():
    inputs = keras.Input((6, 6, 4))
    block = keras.Model(inputs, models.residual_block(inputs, 4, name="block_1"))
    assert [layer.name for layer in block.layers[1:]] == [
        "block_1_conv_1",
        "block_1_conv_2",
        "block_1_add",
        "block_1_relu",
    ]
    assert block.count_params() == 2 * (3 * 3 * 4 * 4 + 4)
    with pytest.raises(TypeError, match="name"):
        models.residual_block(inputs, 4, name=5)
