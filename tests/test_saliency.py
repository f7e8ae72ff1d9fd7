"""Tests for utils.saliency: the occlusion map against a double loop over the pixels."""

from __future__ import annotations

import numpy as np
import pytest

from utils.saliency import occlusion_map


class LinearSoftmax:
    """A small NumPy "model": softmax of a fixed random linear map of the flattened image.

    It counts its calls and the largest batch it was given.
    """

    def __init__(self, shape, classes=4, seed=0):
        rng = np.random.default_rng(seed)
        self.weights = rng.normal(size=(int(np.prod(shape)), classes))
        self.bias = rng.normal(size=classes)
        self.calls = 0
        self.largest = 0

    def __call__(self, batch):
        assert batch.dtype == np.float32 and batch.ndim == 4
        self.calls += 1
        self.largest = max(self.largest, batch.shape[0])
        logits = batch.reshape(batch.shape[0], -1).astype(np.float64) @ self.weights + self.bias
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)


def loop_occlusion(predict, image, label, patch_size, fill):
    """The lesson's double loop: one occluded copy per pixel, patch centred, cut at the border."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        image = image[..., None]
    height, width = image.shape[:2]
    r = patch_size // 2
    copies = []
    for i in range(height):
        for j in range(width):
            copy = image.copy()
            copy[max(0, i - r) : min(height, i + r + 1), max(0, j - r) : min(width, j + r + 1)] = (
                fill
            )
            copies.append(copy)
    base = float(np.asarray(predict(image[None]))[0, label])
    occluded = np.asarray(predict(np.stack(copies)))[:, label]
    return (base - occluded).reshape(height, width)


def one_by_one(model):
    """``model`` called on one image at a time, as the loop of the lesson would."""
    return lambda batch: np.concatenate([np.asarray(model(x[None])) for x in batch])


@pytest.mark.parametrize("patch_size", [1, 3, 5])
@pytest.mark.parametrize("channel_axis", [False, True])
@pytest.mark.parametrize("batch_size", [1, 6, 35, 1024])
def test_matches_the_double_loop_on_a_non_square_image(patch_size, channel_axis, batch_size):
    rng = np.random.default_rng(patch_size)
    image = rng.uniform(0, 1, size=(7, 5))
    model = LinearSoftmax((7, 5, 1))
    expected = loop_occlusion(one_by_one(model), image, 2, patch_size, fill=0.3)
    given = image[..., None] if channel_axis else image
    result = occlusion_map(model, given, 2, patch_size=patch_size, fill=0.3, batch_size=batch_size)
    assert result.shape == (7, 5) and result.dtype == np.float32
    np.testing.assert_allclose(result, expected, atol=1e-6)


def test_calls_the_model_in_batches_of_at_most_batch_size():
    model = LinearSoftmax((7, 5, 1))
    occlusion_map(model, np.ones((7, 5)), 0, patch_size=3, batch_size=6)  # 35 = 5 * 6 + 5
    assert model.largest == 6 and model.calls == 1 + 6
    model = LinearSoftmax((7, 5, 1))
    occlusion_map(model, np.ones((7, 5)), 0, patch_size=3)
    assert model.largest == 35 and model.calls == 2


def test_several_channels_are_hidden_together():
    image = np.random.default_rng(1).uniform(size=(6, 6, 3))
    model = LinearSoftmax((6, 6, 3), classes=3)
    expected = loop_occlusion(one_by_one(model), image, 1, 3, fill=-1.0)
    np.testing.assert_allclose(occlusion_map(model, image, 1, 3, fill=-1), expected, atol=1e-6)


def test_a_patch_over_empty_background_changes_nothing():
    _, (x_test, _) = _mnist()
    digit = x_test[0].astype(np.float32) / 255
    model = LinearSoftmax((28, 28, 1), classes=10)
    result = occlusion_map(model, digit, 7, patch_size=5, fill=0.0, batch_size=100)
    r = 2
    padded = np.pad(digit, r)
    empty = np.array(
        [[not padded[i : i + 5, j : j + 5].any() for j in range(28)] for i in range(28)]
    )
    assert empty.sum() > 100 and (~empty).sum() > 100  # both kinds are there
    assert np.all(result[empty] == 0.0)
    assert np.all(result[~empty] != 0.0)


def test_a_patch_as_large_as_the_image_hides_everything_at_the_centre():
    image = np.random.default_rng(2).uniform(size=(5, 5))
    model = LinearSoftmax((5, 5, 1))
    result = occlusion_map(model, image, 0, patch_size=5, fill=0.5)
    p_image = model(image[None, :, :, None].astype(np.float32))[0, 0]
    p_grey = model(np.full((1, 5, 5, 1), 0.5, np.float32))[0, 0]
    assert result[2, 2] == pytest.approx(p_image - p_grey, abs=1e-6)


def _mnist():
    from utils.data import load_mnist

    return load_mnist()


def test_pretrained_convnet_matches_the_double_loop():
    from utils.models import load_pretrained_convnet

    model = load_pretrained_convnet()
    _, (x_test, y_test) = _mnist()
    digit = (x_test[0].astype(np.float32) / 255)[..., None]  # a 7, shape (28, 28, 1)
    label = int(y_test[0])
    result = occlusion_map(model, digit, label, patch_size=5, batch_size=300)
    expected = loop_occlusion(lambda x: np.asarray(model(x)), digit, label, 5, 0.0)
    np.testing.assert_allclose(result, expected, atol=1e-6)
    assert result.max() > 0.01  # some patch matters to the class


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"model": "model"}, TypeError, r"model must be a callable"),
        ({"image": "digit"}, TypeError, r"image must be an array of numbers, got str"),
        ({"image": np.zeros((2, 3, 4, 1))}, ValueError, r"image must have shape \(H, W\)"),
        ({"image": np.full((7, 5), np.nan)}, ValueError, r"image must hold finite numbers"),
        ({"label": 1.0}, TypeError, r"label must be an int, got float 1\.0"),
        ({"label": -1}, ValueError, r"label must be at least 0, got -1"),
        ({"label": 4}, ValueError, r"label must be between 0 and 3 \(the model has 4 classes\)"),
        ({"patch_size": 4}, ValueError, r"patch_size must be odd, so that the patch has a centre"),
        ({"patch_size": 0}, ValueError, r"patch_size must be between 1 and 5, got 0"),
        ({"patch_size": 7}, ValueError, r"patch_size must be between 1 and 5, got 7"),
        ({"patch_size": 3.0}, TypeError, r"patch_size must be an int"),
        ({"fill": np.inf}, ValueError, r"fill must be a finite real number"),
        ({"fill": "0"}, TypeError, r"fill must be a number, got str"),
        ({"batch_size": 0}, ValueError, r"batch_size must be at least 1, got 0"),
        ({"model": lambda x: np.ones(3)}, ValueError, r"model must return class probabilities"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    arguments = {"model": LinearSoftmax((7, 5, 1)), "image": np.zeros((7, 5)), "label": 1}
    with pytest.raises(error, match=message):
        occlusion_map(**{**arguments, **kwargs})


# --- Lesson 12's headline numbers, computed here independently of the notebook ---


def _digits(count):
    _, (x_test, y_test) = _mnist()
    return (x_test[:count].astype(np.float32) / 255)[..., None], y_test[:count].astype(np.int64)


def test_fgsm_costs_the_pretrained_convnet_what_lesson_12_prints():
    """Section 7's table: 99.1%, 86.0% at epsilon 0.1 and 57.8% at 0.25, on 2,000 test digits."""
    import keras
    import tensorflow as tf

    from utils.models import load_pretrained_convnet

    model = load_pretrained_convnet()
    images, labels = _digits(2_000)
    x = tf.convert_to_tensor(images)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = keras.losses.sparse_categorical_crossentropy(labels, model(x, training=False))
    sign = np.sign(tape.gradient(loss, x).numpy())
    accuracy = {}
    for epsilon in (0.0, 0.1, 0.25):
        attacked = np.clip(images + epsilon * sign, 0.0, 1.0)
        predicted = np.asarray(model(attacked, training=False)).argmax(axis=1)
        accuracy[epsilon] = float(np.mean(predicted == labels))
    # One or two digits either way on another CPU; a change of method moves far more.
    assert accuracy[0.0] == pytest.approx(0.991, abs=0.0015)
    assert accuracy[0.1] == pytest.approx(0.860, abs=0.0015)
    assert accuracy[0.25] == pytest.approx(0.578, abs=0.0015)


def _scores(model, images):
    """The class scores of the course's ConvNet: its output layer without the softmax."""
    hidden = images
    for layer in model.layers[:-1]:
        hidden = layer(hidden)
    output = model.get_layer("output")
    return hidden @ output.kernel + output.bias


def _randomised(names):
    """Section 5's cascade: these layers of the pretrained ConvNet drawn anew, weights and biases
    from a truncated normal of standard deviation 0.01 (Adebayo et al.'s MNIST network)."""
    import keras

    from utils.models import load_pretrained_convnet

    model = load_pretrained_convnet()
    for index, name in enumerate(names):
        layer = model.get_layer(name)
        draw = keras.initializers.TruncatedNormal(stddev=0.01, seed=100 + index)
        layer.set_weights([np.asarray(draw(w.shape)) for w in layer.get_weights()])
    return model


def _gradient(model, images, labels):
    import tensorflow as tf

    x = tf.convert_to_tensor(images)
    with tf.GradientTape() as tape:
        tape.watch(x)
        score = tf.gather(_scores(model, x), labels, axis=1, batch_dims=1)
    return tape.gradient(score, x).numpy()[..., 0]


def _backprop_by_hand(model, images, labels, guided=True):
    """The gradient of the class score, one layer at a time backwards, with no custom gradient:
    each ReLU passes the gradient where its input was positive, and, guided, only its positive
    values (guided backpropagation)."""
    import tensorflow as tf

    x, kept = tf.convert_to_tensor(images), []
    for layer in model.layers[:-1]:  # forward, keeping what the backward pass needs
        if layer.name.startswith(("conv", "dense")):
            if layer.name.startswith("conv"):
                before = tf.nn.conv2d(x, layer.kernel, 1, "VALID") + layer.bias
            else:
                before = x @ layer.kernel + layer.bias
            kept.append(("relu", layer, x, before))
            x = tf.nn.relu(before)
        else:
            kept.append(("other", layer, x, None))
            x = layer(x)
    weights = tf.convert_to_tensor(model.get_layer("output").kernel)
    grad = tf.transpose(tf.gather(weights, labels, axis=1))  # d score / d hidden, per image
    for kind, layer, inputs, before in reversed(kept):
        if kind == "relu":
            grad = (tf.nn.relu(grad) if guided else grad) * tf.cast(before > 0, grad.dtype)
            if layer.name.startswith("conv"):
                grad = tf.nn.conv2d_transpose(grad, layer.kernel, tf.shape(inputs), 1, "VALID")
            else:
                grad = grad @ tf.transpose(layer.kernel)
        else:
            with tf.GradientTape() as tape:
                tape.watch(inputs)
                out = layer(inputs)
            grad = tape.gradient(out, inputs, output_gradients=grad)
    return grad.numpy()[..., 0]


def _median_rank_correlation(maps_a, maps_b):
    from scipy.stats import spearmanr

    return float(
        np.median(
            [spearmanr(a.ravel(), b.ravel()).statistic for a, b in zip(maps_a, maps_b, strict=True)]
        )
    )


def test_the_sanity_check_passes_the_gradient_and_fails_guided_backprop():
    """Section 5, as Adebayo et al. ran it: the signed gradient's map moves away from the
    trained one as soon as the output layer is random, and is unrelated to it once the dense
    layer is random too (it passes); guided backpropagation keeps its map until the first
    layer is random too (it fails); the absolute values of the gradient stay correlated."""
    images, labels = _digits(30)
    cascade = ["output", "dense", "conv_3", "conv_2", "conv_1"]
    trained = _randomised([])
    gradient, guided = (
        _gradient(trained, images, labels),
        _backprop_by_hand(trained, images, labels),
    )
    signed = [
        _median_rank_correlation(gradient, _gradient(_randomised(cascade[:k]), images, labels))
        for k in (1, 2)
    ]
    assert signed[0] < 0.4 and abs(signed[1]) < 0.1, signed  # -0.06 and 0.02 in the lesson
    four_random = _randomised(cascade[:4])
    all_random = _randomised(cascade)
    assert _median_rank_correlation(guided, _backprop_by_hand(four_random, images, labels)) > 0.5
    absolute = _median_rank_correlation(
        np.abs(gradient), np.abs(_gradient(all_random, images, labels))
    )
    assert absolute > 0.5, absolute  # 0.69 on the lesson's 50 digits


def test_the_guided_gradient_by_hand_is_the_plain_gradient_without_the_guidance():
    """The backward pass above, with its guidance removed, is TensorFlow's own gradient."""
    from utils.models import load_pretrained_convnet

    model = load_pretrained_convnet()
    images, labels = _digits(3)
    by_tensorflow = _gradient(model, images, labels)
    plain = _backprop_by_hand(model, images, labels, guided=False)
    np.testing.assert_allclose(plain, by_tensorflow, atol=1e-5 * np.abs(by_tensorflow).max())
    guided = _backprop_by_hand(model, images, labels)
    assert not np.allclose(guided, by_tensorflow, atol=1e-3 * np.abs(by_tensorflow).max())


def test_ten_small_steps_and_a_margin_loss_beat_one_fgsm_step():
    """Section 7: at epsilon 0.25, FGSM leaves 57.8% of 2,000 digits, one margin step 34.0%,
    ten steps of epsilon/4 (projected) 0.6%."""
    import tensorflow as tf

    from utils.models import load_pretrained_convnet

    model = load_pretrained_convnet()
    images, labels = _digits(2_000)
    epsilon = 0.25

    def accuracy(attacked):
        return float(np.mean(np.asarray(model(attacked, training=False)).argmax(axis=1) == labels))

    def sign_of_gradient(x, loss_of):
        x = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = loss_of(_scores(model, x))
        return np.sign(tape.gradient(loss, x).numpy())

    def margin(scores):
        true = tf.gather(scores, labels, axis=1, batch_dims=1)
        others = tf.where(tf.one_hot(labels, 10) > 0, -np.inf, scores)
        return tf.reduce_sum(tf.reduce_max(others, axis=1) - true)

    def cross_entropy(scores):
        return tf.reduce_sum(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=scores)
        )

    one_margin_step = np.clip(images + epsilon * sign_of_gradient(images, margin), 0, 1)
    iterated = images
    for _ in range(10):
        iterated = np.clip(iterated + epsilon / 4 * sign_of_gradient(iterated, cross_entropy), 0, 1)
        iterated = np.clip(iterated, images - epsilon, images + epsilon)
    assert accuracy(one_margin_step) == pytest.approx(0.340, abs=0.005)
    assert accuracy(iterated) < 0.02
