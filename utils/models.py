"""The Keras models of lessons 05 and 07 (the pretrained ones too), and lesson 07's residual block.

:func:`residual_block` is the answer to lesson 07's exercise 2, which the
lesson's student copy builds its deep stacks with.

Lesson 05 writes these models out where it teaches them; later lessons and the
scripts import them from here, and ``tests/test_models.py`` checks that the
two agree. Everything is plain Keras 3 (``keras.layers``, ``keras.optimizers``),
so it runs on any Keras backend (TensorFlow on the course's CPU, JAX on a GPU).

Building a model draws its initial weights from Keras's random generator: call
``keras.utils.set_random_seed(seed)`` first for a reproducible start. Nothing
here trains, downloads or writes a file.
"""

from __future__ import annotations

import os
import zipfile

import keras

from utils._validate import as_path, flag, integer, number, text
from utils.data import (  # the pretrained file's name and checksum live beside the data
    PRETRAINED_FILE,
    PRETRAINED_SHA256,
    PRETRAINED_SIZE,
    verify_file,
)

N_CLASSES = 10
IMAGE_SHAPE = (28, 28, 1)
"""One MNIST image, channels-last: height, width, one grey channel."""

BASE_CLASSES = (0, 1, 2, 3, 4)
"""The digits the base ConvNet of lesson 11 was trained on; they are its labels 0-4 too."""
BASE_FILE = "weights/base_digits_0_4.weights.h5"
"""The base ConvNet's weights, inside ``data/``; ``scripts/train_base_0_4.py`` writes them."""
BASE_SHA256 = "2fd5f87713a61931d66889fa39f5473363a65c3e47448eb66dcbdd1c35d0c722"
BASE_SIZE = 398_904


def build_convnet(name: str = "convnet", n_classes: int = N_CLASSES) -> keras.Sequential:
    """The lecture's ConvNet for MNIST: three convolutions, two poolings, two dense layers.

    Lesson 05, section 2 builds it cell by cell. Its 93,322 parameters::

        name     layer                 output shape        parameters
        conv_1   Conv2D(32, 3, relu)   (None, 26, 26, 32)         320 = 3*3*1*32 + 32
        pool_1   MaxPooling2D(2)       (None, 13, 13, 32)           0
        conv_2   Conv2D(64, 3, relu)   (None, 11, 11, 64)      18,496 = 3*3*32*64 + 64
        pool_2   MaxPooling2D(2)       (None, 5, 5, 64)             0
        conv_3   Conv2D(64, 3, relu)   (None, 3, 3, 64)        36,928 = 3*3*64*64 + 64
        flatten  Flatten               (None, 576)                  0
        dense    Dense(64, relu)       (None, 64)              36,928 = 576*64 + 64
        output   Dense(10, softmax)    (None, 10)                 650 = 64*10 + 10

    The layers have fixed names, so that ``model.get_layer("conv_1")`` works in
    any session (lesson 06 reads kernels and feature maps this way) and a saved
    weights file does not depend on how many models were built before.

    With ``n_classes`` other than 10 only the last layer changes: ``output``
    is ``Dense(n_classes, softmax)`` with ``64*n_classes + n_classes``
    parameters (325 for the five digits 0-4 of the base model that lesson 11,
    ``notebooks/11_little_data.ipynb``, transfers; see :func:`load_base_convnet`).

    Parameters
    ----------
    name : str, default "convnet"
        The model's name (shown by ``model.summary()``).
    n_classes : int, default 10
        Number of classes, the width of the ``output`` layer; at least 2.

    Returns
    -------
    keras.Sequential
        Uncompiled; input shape (batch, 28, 28, 1) floats in [0, 1], output
        shape (batch, n_classes): the probability of each class.
    """
    text(name, "name")
    n_classes = integer(n_classes, "n_classes", minimum=2)
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(IMAGE_SHAPE),
            layers.Conv2D(32, 3, activation="relu", name="conv_1"),
            layers.MaxPooling2D(2, name="pool_1"),
            layers.Conv2D(64, 3, activation="relu", name="conv_2"),
            layers.MaxPooling2D(2, name="pool_2"),
            layers.Conv2D(64, 3, activation="relu", name="conv_3"),
            layers.Flatten(name="flatten"),
            layers.Dense(64, activation="relu", name="dense"),
            layers.Dense(n_classes, activation="softmax", name="output"),
        ],
        name=name,
    )


def build_dense_baseline(hidden_units: int = 512, name: str = "dense_baseline") -> keras.Sequential:
    """A densely connected network on the same images: 784 pixels, one hidden layer, 10 outputs.

    Lesson 05, section 4 compares it with :func:`build_convnet`. With the
    default 512 hidden units it has 784*512 + 512 + 512*10 + 10 = 407,050
    parameters, more than four times the ConvNet's.

    Parameters
    ----------
    hidden_units : int, default 512
        Width of the hidden ``Dense(hidden_units, relu)`` layer.
    name : str, default "dense_baseline"
        The model's name.

    Returns
    -------
    keras.Sequential
        Uncompiled; input shape (batch, 28, 28, 1), flattened to (batch, 784);
        output shape (batch, 10) of probabilities.
    """
    hidden_units = integer(hidden_units, "hidden_units", minimum=1)
    text(name, "name")
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(IMAGE_SHAPE),
            layers.Flatten(),
            layers.Dense(hidden_units, activation="relu"),
            layers.Dense(N_CLASSES, activation="softmax"),
        ],
        name=name,
    )


def one_cycle_adam(
    total_steps: int,
    peak_learning_rate: float = 0.005,
    warmup_fraction: float = 0.3,
    nesterov: bool = False,
) -> keras.optimizers.Adam | keras.optimizers.Nadam:
    """Adam with a one-cycle learning rate: a linear warm-up to a peak, then a cosine decay.

    This is the optimiser of lesson 05's fast recipe (section 6, with
    ``nesterov=True``) and of the pretrained weights. The rate
    starts at ``peak_learning_rate / 25``, rises linearly to the peak over the
    first ``warmup_fraction`` of the steps, then falls along a half cosine to
    ``peak_learning_rate / 1000`` at ``total_steps``. It is Keras's own
    ``CosineDecay`` schedule with a warm-up.

    Parameters
    ----------
    total_steps : int
        Number of optimiser steps the training will take: epochs times
        ``ceil(n_training_images / batch_size)``.
    peak_learning_rate : float, default 0.005
        The highest rate, reached at the end of the warm-up (Adam's usual
        constant rate is 0.001).
    warmup_fraction : float, default 0.3
        Fraction of ``total_steps`` spent warming up, strictly between 0 and 1.
    nesterov : bool, default False
        If True, Nadam: Adam whose momentum step looks ahead as Nesterov's
        does (Dozat, 2016), Keras's ``Nadam``.

    Returns
    -------
    keras.optimizers.Adam or keras.optimizers.Nadam
        Its ``learning_rate`` is the schedule; ``optimizer.learning_rate`` reads
        the current rate and ``schedule(step)`` any other.
    """
    total_steps = integer(total_steps, "total_steps", minimum=1)
    peak_learning_rate = number(peak_learning_rate, "peak_learning_rate")
    if peak_learning_rate <= 0:
        raise ValueError(f"peak_learning_rate must be positive, got {peak_learning_rate}")
    warmup_fraction = number(warmup_fraction, "warmup_fraction")
    if not 0 < warmup_fraction < 1:
        raise ValueError(f"warmup_fraction must be between 0 and 1, got {warmup_fraction}")
    nesterov = flag(nesterov, "nesterov")
    warmup_steps = max(1, round(total_steps * warmup_fraction))
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak_learning_rate / 25,
        warmup_target=peak_learning_rate,
        warmup_steps=warmup_steps,
        decay_steps=max(1, total_steps - warmup_steps),
        alpha=1 / 1000,  # the decay ends at alpha * peak
    )
    if nesterov:
        return keras.optimizers.Nadam(learning_rate=schedule)
    return keras.optimizers.Adam(learning_rate=schedule)


def load_pretrained_convnet(path: str | os.PathLike[str] | None = None) -> keras.Sequential:
    """The ConvNet of :func:`build_convnet` with the course's pretrained weights.

    The weights were trained by ``scripts/train_pretrained.py`` (the fast
    recipe of lesson 05; its command and test accuracy are in
    ``data/README.md``). The file's size and sha256 are checked before it is
    loaded; nothing is trained or downloaded.

    Parameters
    ----------
    path : str, os.PathLike or None, optional
        A ``.weights.h5`` file; the default is
        ``data/weights/mnist_convnet.weights.h5`` in the repository.

    Returns
    -------
    keras.Sequential
        Compiled with categorical cross-entropy and an ``accuracy`` metric, so
        ``model.evaluate(x_test, one_hot_labels)`` works at once. Input shape
        (batch, 28, 28, 1) floats in [0, 1]; output (batch, 10) probabilities.

    Raises
    ------
    FileNotFoundError, ValueError, TypeError
        If the file is missing or altered; the message says how to restore it.
    """
    path = verify_file(
        path, default_name=PRETRAINED_FILE, sha256=PRETRAINED_SHA256, size=PRETRAINED_SIZE
    )
    model = build_convnet(name="pretrained_convnet")
    model.load_weights(path)
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def load_base_convnet(path: str | os.PathLike[str] | None = None) -> keras.Sequential:
    """Lesson 11's base ConvNet: :func:`build_convnet` with 5 outputs, trained on digits 0-4 only.

    ``notebooks/11_little_data.ipynb`` transfers it to the digits 5-9, which it
    has never seen: it keeps the convolutional part, the layers up to
    ``"flatten"`` (576 features per digit), and puts a new output layer on
    top. The weights were trained by ``scripts/train_base_0_4.py`` on the
    30,596 training images of the digits 0-4 (its command and test accuracy
    are in ``data/README.md``). The file's size and sha256 are checked before
    it is loaded; nothing is trained or downloaded.

    Parameters
    ----------
    path : str, os.PathLike or None, optional
        A ``.weights.h5`` file; the default is
        ``data/weights/base_digits_0_4.weights.h5`` in the repository.

    Returns
    -------
    keras.Sequential
        Named ``"base_digits_0_4"``, 93,322 - 650 + 325 = 92,997 parameters.
        Compiled with *sparse* categorical cross-entropy and an ``accuracy``
        metric, unlike :func:`load_pretrained_convnet`: the labels of the
        digits 0-4 are the digits themselves, so
        ``model.evaluate(x_test[y_test < 5], y_test[y_test < 5])`` works at
        once, without one-hot labels. Input shape (batch, 28, 28, 1) floats in
        [0, 1]; output (batch, 5): the probability of each digit 0-4.

    Raises
    ------
    FileNotFoundError, ValueError, TypeError
        If the file is missing or altered; the message says how to restore it.
    """
    path = verify_file(path, default_name=BASE_FILE, sha256=BASE_SHA256, size=BASE_SIZE)
    model = build_convnet(name="base_digits_0_4", n_classes=len(BASE_CLASSES))
    model.load_weights(path)
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


LENET5_IMAGE_SHAPE = (32, 32, 1)
"""LeNet-5's input: an MNIST digit zero-padded by 2 pixels on every side."""


def build_lenet5(name: str = "lenet5") -> keras.Sequential:
    """LeNet-5 (LeCun et al., 1998) in its usual modern form, for 32 x 32 grey images.

    Lesson 07, section 1 builds it cell by cell and lists where the 1998 paper
    differs (a partial connection table in C3, trainable subsampling, an RBF
    output layer). Its 61,706 parameters::

        name     layer                     output shape        parameters
        C1       Conv2D(6, 5, tanh)        (None, 28, 28, 6)          156 = (5*5*1 + 1)*6
        S2       AveragePooling2D(2)       (None, 14, 14, 6)            0
        C3       Conv2D(16, 5, tanh)       (None, 10, 10, 16)       2,416 = (5*5*6 + 1)*16
        S4       AveragePooling2D(2)       (None, 5, 5, 16)             0
        C5       Conv2D(120, 5, tanh)      (None, 1, 1, 120)       48,120 = (5*5*16 + 1)*120
        flatten  Flatten                   (None, 120)                  0
        F6       Dense(84, tanh)           (None, 84)              10,164 = (120 + 1)*84
        output   Dense(10, softmax)        (None, 10)                 850 = (84 + 1)*10

    Parameters
    ----------
    name : str, default "lenet5"
        The model's name.

    Returns
    -------
    keras.Sequential
        Uncompiled; input shape (batch, 32, 32, 1) floats in [0, 1] (pad
        MNIST's 28 x 28 digits with ``np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0)))``),
        output shape (batch, 10) of probabilities.
    """
    text(name, "name")
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(LENET5_IMAGE_SHAPE),
            layers.Conv2D(6, 5, activation="tanh", name="C1"),
            layers.AveragePooling2D(2, name="S2"),
            layers.Conv2D(16, 5, activation="tanh", name="C3"),
            layers.AveragePooling2D(2, name="S4"),
            layers.Conv2D(120, 5, activation="tanh", name="C5"),
            layers.Flatten(name="flatten"),
            layers.Dense(84, activation="tanh", name="F6"),
            layers.Dense(N_CLASSES, activation="softmax", name="output"),
        ],
        name=name,
    )


def residual_block(x: keras.KerasTensor, filters: int, name: str | None = None) -> object:
    """The residual block of lesson 07, section 5: ``relu(x + conv_2(relu(conv_1(x))))``.

    Two 3 x 3 ``Conv2D`` layers with ``filters`` filters, ``padding="same"`` and
    biases, a ReLU between them, the block's input added to the second one's
    output, and a ReLU after the addition. It is the answer to the lesson's
    exercise 2, kept here so that the student copy of the lesson (which has no
    answers) can build its deep stacks before the student has written theirs.

    Parameters
    ----------
    x : KerasTensor, shape (batch, H, W, filters)
        The block's input, from the functional API.
    filters : int
        Filters of each convolution: the input's number of channels, so that
        the addition is defined.
    name : str or None, default None
        If given, the layers are named ``{name}_conv_1``, ``{name}_conv_2``,
        ``{name}_add`` and ``{name}_relu``; otherwise Keras names them.

    Returns
    -------
    KerasTensor
        The block's output, of ``x``'s shape.
    """
    filters = integer(filters, "filters", minimum=1)
    if name is not None:
        text(name, "name")
    names = {part: name and f"{name}_{part}" for part in ("conv_1", "conv_2", "add", "relu")}
    layers = keras.layers
    y = layers.Conv2D(filters, 3, padding="same", activation="relu", name=names["conv_1"])(x)
    y = layers.Conv2D(filters, 3, padding="same", name=names["conv_2"])(y)
    return layers.Activation("relu", name=names["relu"])(layers.Add(name=names["add"])([x, y]))


def load_saved_model(path: str | os.PathLike[str]) -> keras.Model:
    """A model a student saved with ``model.save("name.keras")``, loaded back, checked first.

    ``make demo MODEL=path`` reads it, and lesson 06's explorer can take it.
    The file is checked before Keras opens it, so that a wrong path or a
    damaged file gets a message that names it; Keras then loads it in its safe
    mode, which refuses to run code stored in the file (``Lambda`` layers).

    Raises
    ------
    TypeError
        If ``path`` is not a string or a path.
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If it is not a ``.keras`` file (a zip archive that Keras wrote), or
        Keras cannot load it; the message names the file and what to do.
    """
    file = as_path(path, "path")
    if not file.exists():
        raise FileNotFoundError(
            f"no model file at {file}: save a trained model with model.save({file.name!r}), "
            "then give its path"
        )
    if not file.is_file():
        raise ValueError(
            f"{file} is a folder, not a model file saved with model.save('name.keras')"
        )
    if file.suffix != ".keras":
        hint = " (a weights file: it has no architecture to load)" if file.suffix == ".h5" else ""
        raise ValueError(
            f"{file} is not a .keras file{hint}: save the whole model with "
            "model.save('name.keras') and give that file"
        )
    try:
        with file.open("rb") as stream:
            stream.read(1)
    except OSError as error:
        raise ValueError(f"{file} cannot be read: {error.strerror or error}") from error
    if not zipfile.is_zipfile(file):
        raise ValueError(
            f"{file} is not a model saved by Keras (a .keras file is a zip archive): it may be "
            "damaged or only partly copied; save it again with model.save"
        )
    try:
        return keras.models.load_model(file, compile=False)
    except Exception as error:  # Keras' own errors vary with what is wrong in the archive
        raise ValueError(f"Keras could not load {file}: {error}") from error
