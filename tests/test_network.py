"""A student's Keras model in the reader and the explorer: utils.widgets.network.

Every kind of model a lesson trains is read, and its maps and probabilities
are compared with Keras' own, reached by another route: the layers called one
by one, eagerly, in inference mode, and SciPy's softmax for a model that
outputs logits. Then the refusals, each with its message, and the saved-model
route of ``make demo MODEL=...``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from scipy.special import softmax

keras = pytest.importorskip("keras")
layers = keras.layers

from utils.models import build_convnet, build_lenet5, load_saved_model  # noqa: E402
from utils.widgets import DigitReader, FeatureMapExplorer  # noqa: E402
from utils.widgets.network import ModelReader, NotADigitReader  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _sequential(*stack, shape=(28, 28, 1), name=None):
    return keras.Sequential([keras.Input(shape), *stack], name=name)


def _separable():
    """Lesson 10's kinds of convolution, with batch normalisation, dropout and logits."""
    return _sequential(
        layers.Conv2D(8, 3, activation="relu", name="conv"),
        layers.SeparableConv2D(16, 3, dilation_rate=2, activation="relu", name="separable"),
        layers.DepthwiseConv2D(3, name="depthwise"),
        layers.BatchNormalization(name="norm"),
        layers.Dropout(0.5, name="dropout"),
        layers.GlobalAveragePooling2D(name="average"),
        layers.Dense(10, name="logits"),
        name="separable_net",
    )


def _functional_unnamed():
    inputs = keras.Input((28, 28, 1))
    x = layers.Conv2D(4, 3, activation="relu")(inputs)
    x = layers.Conv2D(6, 3, dilation_rate=3)(x)
    x = layers.MaxPooling2D(2)(x)
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(layers.Flatten()(x)))


def _nested():
    """Lesson 11's shape: a Sequential body inside a Sequential model."""
    body = _sequential(
        layers.Conv2D(4, 3, activation="relu", name="body_conv_1"),
        layers.MaxPooling2D(2, name="body_pool"),
        layers.Conv2D(6, 3, activation="relu", name="body_conv_2"),
        name="body",
    )
    return _sequential(
        layers.RandomRotation(0.1, seed=1, name="rotate"),
        body,
        layers.Flatten(name="flatten"),
        layers.Dense(10, activation="softmax", name="output"),
        name="with_body",
    )


MODELS = {
    # name: (builder, the layers read, the border, logits)
    "lesson 05's ConvNet": (build_convnet, ["conv_1", "conv_2", "conv_3"], 0, False),
    "lesson 07's LeNet-5, 32 x 32": (build_lenet5, ["C1", "C3", "C5"], 2, False),
    "separable, dilated, depthwise, logits": (
        _separable,
        ["conv", "separable", "depthwise"],
        0,
        True,
    ),
    "functional, unnamed": (_functional_unnamed, None, 0, False),
    "nested Sequential": (_nested, ["body/body_conv_1", "body/body_conv_2"], 0, False),
    "a (28, 28) input": (
        lambda: _sequential(
            layers.Reshape((28, 28, 1)),
            layers.Conv2D(3, 5),
            layers.Flatten(),
            layers.Dense(10),
            shape=(28, 28),
        ),
        None,
        0,
        True,
    ),
    "any size, (None, None, 1)": (
        lambda: _sequential(
            layers.Conv2D(4, 3, activation="relu", name="open_conv"),
            layers.GlobalMaxPooling2D(name="max"),
            layers.Dense(10, activation="softmax", name="output"),
            shape=(None, None, 1),
        ),
        ["open_conv"],
        0,
        False,
    ),
    "dense on 784 pixels, no convolution": (
        lambda: _sequential(layers.Dense(10, activation="softmax"), shape=(784,)),
        [],
        0,
        False,
    ),
}


def _flat(model):
    for layer in model.layers:
        if isinstance(layer, keras.Sequential):
            yield from ((f"{layer.name}/{n}", inner) for n, inner in _flat(layer))
        else:
            yield layer.name, layer


def _by_hand(model, image, border):
    """Each layer's output, called one by one in inference mode: another route than the reader's."""
    x = np.pad(image, border)[None].astype("float32")
    x = x.reshape(1, *[s if s else x.shape[1] for s in model.inputs[0].shape[1:]])
    outputs = {}
    if isinstance(model, keras.Sequential):
        for name, layer in _flat(model):
            x = layer(x, training=False)
            outputs[name] = keras.ops.convert_to_numpy(x)[0]
        return outputs, outputs[name]
    for layer in model.layers[1:]:  # a functional chain: each layer takes the one before
        x = layer(x, training=False)
        outputs[layer.name] = keras.ops.convert_to_numpy(x)[0]
    return outputs, outputs[layer.name]


@pytest.fixture(scope="module")
def image():
    rng = np.random.default_rng(35)
    digit = np.zeros((28, 28), dtype=np.float32)
    digit[4:24, 12:16] = rng.uniform(0.5, 1.0, (20, 4))  # a rough vertical stroke
    return digit


@pytest.mark.parametrize("kind", list(MODELS))
def test_every_kind_of_lesson_model_is_read_as_keras_computes_it(kind, image):
    builder, expected_layers, border, logits = MODELS[kind]
    keras.utils.set_random_seed(35)
    model = builder()
    reader = ModelReader(model)
    if expected_layers is None:  # unnamed: whatever Keras called its convolutions
        expected_layers = [n for n, layer in _flat(model) if isinstance(layer, layers.Conv2D)]
        assert len(expected_layers) >= 1
    assert reader.layer_names == expected_layers
    assert (reader.border, reader.logits) == (border, logits)
    maps, probabilities = reader(image)
    outputs, last = _by_hand(model, image, border)
    for name in expected_layers:
        assert outputs[name].shape == maps[name].shape
        pairs = zip(reader.shapes[name], maps[name].shape, strict=True)
        assert all(size in (None, drawn) for size, drawn in pairs)  # None: the model leaves it open
        np.testing.assert_allclose(maps[name], outputs[name], rtol=1e-4, atol=1e-5)
    expected = softmax(last.astype(np.float64)) if logits else last
    np.testing.assert_allclose(probabilities, expected, rtol=1e-4, atol=1e-6)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    reading = reader.read(image)
    assert list(reading) == [*expected_layers, "probabilities"]
    assert ("logits" in reader.note) == logits
    assert ("no convolutional layer" in reader.note) == (expected_layers == [])
    assert ("border of 2 zero pixels" in reader.note) == (border == 2)


def test_dropout_and_batch_normalisation_run_in_inference_mode(image):
    keras.utils.set_random_seed(35)
    model = _separable()
    model.get_layer("norm").moving_mean.assign(np.full(16, 0.3, dtype="float32"))
    reader = ModelReader(model)
    first, second = reader(image)[1], reader(image)[1]
    np.testing.assert_array_equal(first, second)  # dropout would draw a new mask each time
    inference = keras.ops.convert_to_numpy(model(image[None, :, :, None], training=False))[0]
    np.testing.assert_allclose(first, softmax(inference.astype(np.float64)), rtol=1e-4)
    training = keras.ops.convert_to_numpy(model(image[None, :, :, None], training=True))[0]
    assert not np.allclose(first, softmax(training.astype(np.float64)), atol=1e-3)


def test_a_functional_model_says_which_nested_convolutions_it_does_not_show(image):
    body = _sequential(layers.Conv2D(4, 3, name="inner_conv"), shape=(28, 28, 2), name="body")
    inputs = keras.Input((28, 28, 1))
    outputs = layers.Dense(10)(layers.Flatten()(body(layers.Conv2D(2, 1, name="outer")(inputs))))
    reader = ModelReader(keras.Model(inputs, outputs, name="wrapped"))
    assert reader.layer_names == ["outer"]
    assert "inside the nested model(s) ['body'] are not shown" in reader.note
    maps, probabilities = reader(image)
    assert maps["outer"].shape == (28, 28, 2) and probabilities.sum() == pytest.approx(1.0)


class _Subclassed(keras.Model):
    def __init__(self):
        super().__init__(name="subclassed")
        self.conv, self.flat, self.out = layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(10)

    def call(self, x):
        return self.out(self.flat(self.conv(x)))


REFUSED = {
    "a 1-D ECG model": (
        lambda: _sequential(
            layers.Conv1D(4, 5), layers.Flatten(), layers.Dense(10), shape=(187, 1)
        ),
        r"takes inputs of shape \(187, 1\), a 1-D signal \(such as an ECG\), not an image",
    ),
    "a 32 x 32 RGB model": (
        lambda: _sequential(
            layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(10), shape=(32, 32, 3)
        ),
        r"takes inputs of shape \(32, 32, 3\), images of 32 x 32 with 3 channels",
    ),
    "an unbuilt model": (
        lambda: keras.Sequential([layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(10)]),
        r"is not built: it does not know its input shape yet. Start it with keras.Input",
    ),
    "a model with 5 outputs": (
        lambda: _sequential(layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(5)),
        r"has output shape \(5,\): the reader reads a model with 10 outputs",
    ),
    "a model with two outputs": (
        lambda: (lambda i: keras.Model(i, [layers.Dense(10)(layers.Flatten()(i))] * 2))(
            keras.Input((28, 28, 1))
        ),
        r"has 2 outputs: the reader reads a model with 10 outputs",
    ),
    "a subclassed model": (
        _Subclassed,
        r"'subclassed' is a subclassed keras.Model \(its own call method\)",
    ),
    "a string": (lambda: "my_convnet.keras", r"reads a Keras model .* got str 'my_convnet.keras'"),
    "weights, not a model": (
        lambda: build_convnet().get_weights(),
        r"reads a Keras model .* got list",
    ),
    "nested models sharing layer names": (
        lambda: _sequential(
            _sequential(layers.Conv2D(4, 3, name="c")),
            _sequential(layers.Conv2D(4, 3, name="c"), shape=(26, 26, 4)),
            layers.Flatten(),
            layers.Dense(10),
        ),
        r"nests models that share the layer names \['c'\]",
    ),
}


@pytest.mark.parametrize("kind", list(REFUSED))
def test_what_is_not_a_digit_reader_gets_one_clear_line(kind):
    builder, pattern = REFUSED[kind]
    with pytest.raises(NotADigitReader, match=pattern) as caught:
        ModelReader(builder())
    # In a notebook: the message alone, no stack trace (IPython's _render_traceback_ hook).
    assert caught.value._render_traceback_() == [f"NotADigitReader: {caught.value}"]
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, ValueError)
    with pytest.raises(NotADigitReader, match=pattern.replace("the reader", "DigitReader")):
        DigitReader(builder())


def test_the_refusal_shows_as_one_line_in_a_kernel():
    """Through IPython itself, as a notebook shows an error: one line, no stack trace."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shown = []
    shell._showtraceback = lambda etype, evalue, stb: shown.append(stb)
    shell.run_cell("from utils.widgets import DigitReader\nDigitReader('my_convnet.keras')")
    assert len(shown) == 1 and len(shown[0]) == 1, shown
    assert shown[0][0].startswith("NotADigitReader: DigitReader reads a Keras model")


def test_the_reader_draws_a_row_for_each_convolutional_layer(image):
    keras.utils.set_random_seed(35)
    reader = DigitReader(build_lenet5())
    reader.read_test_digit(1)
    assert reader.layer_names == ["C1", "C3", "C5"]
    rows = [a.text for a in reader.maps_figure.layout.annotations if a.text]
    assert rows == ["C1 · 28 x 28 x 6", "C3 · 10 x 10 x 16", "C5 · 1 x 1 x 120"]
    traces = reader.maps_figure.data
    assert len(traces) == 3 * 8  # C1 has 6 channels: its row ends in two empty cells
    assert np.isnan(np.asarray(traces[6].z, dtype=float)).all()
    np.testing.assert_array_equal(np.asarray(traces[8].z), reader.reading["C3"][:, :, 0])
    assert "lenet5 takes 32 x 32 images" in reader.about.value
    assert reader.about.layout.display is None  # shown
    np.testing.assert_allclose(reader.probabilities, reader.reading["probabilities"])

    logits = DigitReader(_separable())
    logits.read_test_digit(1)
    assert "outputs are logits, read here through a softmax" in logits.about.value
    assert logits.probabilities.sum() == pytest.approx(1.0, abs=1e-6)

    plain = DigitReader(MODELS["dense on 784 pixels, no convolution"][0]())
    assert plain.about.layout.display is None
    plain.read_test_digit(1)
    assert plain.summary.startswith("read as") and plain.maps_figure is None
    assert len(plain.figures) == 2 and not plain.maps_output.outputs
    assert "no convolutional layer: no feature maps to show" in plain.about.value

    pretrained_default = DigitReader()
    assert pretrained_default.about.layout.display == "none"  # nothing to say


def test_the_explorer_takes_a_logits_model_and_lenet(image):
    labels = np.arange(10)
    images = np.stack([np.roll(image, k, axis=1) for k in range(10)])
    keras.utils.set_random_seed(35)
    explorer = FeatureMapExplorer(_separable(), images, labels)
    assert explorer.layer_names == ["conv", "separable", "depthwise", "norm", "dropout"]
    assert explorer.probabilities.sum() == pytest.approx(1.0, abs=1e-6)
    assert "logits" in explorer.caption.value and "logits" in explorer.model_note
    lenet = FeatureMapExplorer(build_lenet5(), images, labels, layer_names=["C1"])
    padded = np.pad(images[0], 2)[None, :, :, None]
    expected = lenet._probe.model.predict(padded, verbose=0)[0]
    np.testing.assert_allclose(lenet.probabilities, expected, rtol=1e-4, atol=1e-6)
    assert (
        lenet.misclassified().tolist()
        == np.flatnonzero(
            lenet._probe.model.predict(
                np.pad(images, ((0, 0), (2, 2), (2, 2)))[..., None], verbose=0
            ).argmax(axis=1)
            != labels
        ).tolist()
    )
    with pytest.raises(NotADigitReader, match="no layer with feature maps to explore"):
        FeatureMapExplorer(MODELS["dense on 784 pixels, no convolution"][0](), images, labels)


# -- make demo MODEL=...: a saved model, checked before the page starts ------------------


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    keras.utils.set_random_seed(35)
    build_convnet(name="my_convnet").save(folder / "my_convnet.keras")
    _sequential(layers.Flatten(), layers.Dense(5), name="five").save(folder / "five.keras")
    (folder / "damaged.keras").write_bytes(b"PK\x03\x04 not really a zip")
    with zipfile.ZipFile(folder / "empty.keras", "w") as archive:
        archive.writestr("notes.txt", "no config.json")
    build_convnet().save_weights(folder / "weights.weights.h5")
    return folder


def test_a_saved_model_loads_back_the_same(saved, image):
    loaded = load_saved_model(saved / "my_convnet.keras")
    assert loaded.name == "my_convnet"
    keras.utils.set_random_seed(35)
    original = build_convnet(name="my_convnet")
    for a, b in zip(loaded.get_weights(), original.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("name", "error", "pattern"),
    [
        ("missing.keras", FileNotFoundError, r"no model file at .*missing.keras"),
        (".", ValueError, r"is a folder, not a model file"),
        ("weights.weights.h5", ValueError, r"is not a .keras file \(a weights file"),
        ("damaged.keras", ValueError, r"is not a model saved by Keras \(a .keras file is a zip"),
        ("empty.keras", ValueError, r"Keras could not load .*empty.keras"),
    ],
)
def test_a_bad_model_file_gets_a_message_that_names_it(saved, name, error, pattern):
    with pytest.raises(error, match=pattern):
        load_saved_model(saved / name)


def _check(path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_demo_model.py"), str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_make_demo_checks_the_model_before_the_page_starts(saved):
    good = _check(saved / "my_convnet.keras")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "its convolutional layers: conv_1 26 x 26 x 32, conv_2 11 x 11 x 64" in good.stdout
    for name, said in [
        ("missing.keras", "no model file at"),
        ("damaged.keras", "is not a model saved by Keras"),
        ("five.keras", "has output shape (5,): make demo reads a model with 10 outputs"),
    ]:
        result = _check(saved / name)
        assert result.returncode == 2, result.stdout + result.stderr
        assert said in result.stdout and "Traceback" not in result.stdout + result.stderr
