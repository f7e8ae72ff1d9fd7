"""The course's pretrained MNIST ConvNet, run in NumPy alone: no TensorFlow, no Keras.

The draw-a-digit demo and lesson 06's feature-map widgets
(``notebooks/06_kernels_and_feature_maps.ipynb``) need the pretrained
ConvNet's answer within a moment of a fresh kernel start; importing Keras and
TensorFlow takes several seconds. This module reads the same weights file as
``utils.models.load_pretrained_convnet`` (checked by size and sha256 first)
with ``h5py`` and runs the same layers (``utils.models.build_convnet``) in
float32 NumPy::

    conv_1   Conv2D(32, 3, relu), valid   (26, 26, 32)
    pool_1   MaxPooling2D(2)              (13, 13, 32)
    conv_2   Conv2D(64, 3, relu), valid   (11, 11, 64)
    pool_2   MaxPooling2D(2)              (5, 5, 64)
    conv_3   Conv2D(64, 3, relu), valid   (3, 3, 64)
    flatten  row-major over (3, 3, 64)    (576,)
    dense    Dense(64, relu)              (64,)
    output   Dense(10, softmax)           (10,)

A convolution is one matrix product of the patches matrix of
:func:`utils.conv.im2col` (lesson 03, section 6) with the kernel reshaped to
``(3 * 3 * C_in, C_out)``. ``tests/test_numpy_convnet.py`` checks the
probabilities against Keras on all 10,000 MNIST test digits.
"""

from __future__ import annotations

import os

import numpy as np

from utils._validate import real_array
from utils.conv import im2col
from utils.data import PRETRAINED_FILE, PRETRAINED_SHA256, PRETRAINED_SIZE, verify_file

LAYER_SHAPES = {
    "conv_1": ((3, 3, 1, 32), (32,)),
    "conv_2": ((3, 3, 32, 64), (64,)),
    "conv_3": ((3, 3, 64, 64), (64,)),
    "dense": ((576, 64), (64,)),
    "output": ((64, 10), (10,)),
}
"""Each layer's (kernel shape, bias shape), in the order the layers run."""

FILE_LAYERS = {
    "conv_1": "conv2d",
    "conv_2": "conv2d_1",
    "conv_3": "conv2d_2",
    "dense": "dense",
    "output": "dense_1",
}
"""Where Keras 3 stores each layer in a ``.weights.h5`` file: ``layers/<name>/vars/{0,1}``
(the kernel, then the bias), named by the layer's class and order, not by its name."""

BATCH_SIZE = 500
"""Images run at once by :meth:`NumpyConvNet.predict`: conv_2's patches matrix of a batch
holds ``500 * 11 * 11 * 288`` float32 numbers, about 70 MB."""


def _conv_relu(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """A valid, stride-1 Conv2D with ReLU on a float32 batch (N, H, W, C_in)."""
    n, height, width, _ = x.shape
    size, _, _, c_out = kernel.shape
    out = im2col(x, size) @ kernel.reshape(-1, c_out)
    out += bias
    np.maximum(out, 0, out=out)
    return out.reshape(n, height - size + 1, width - size + 1, c_out)


def _max_pool(x: np.ndarray) -> np.ndarray:
    """2 x 2 max pooling, stride 2, 'valid' (a last odd row or column is dropped)."""
    n, height, width, channels = x.shape
    h, w = height // 2, width // 2
    return x[:, : 2 * h, : 2 * w].reshape(n, h, 2, w, 2, channels).max(axis=(2, 4))


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _as_batch(images: object, name: str, single: bool) -> np.ndarray:
    """``images`` as a float32 (N, 28, 28, 1) batch, or a message naming ``name``."""
    array = real_array(images, name)
    expected = "(28, 28) or (28, 28, 1)" if single else "(n, 28, 28) or (n, 28, 28, 1)"
    core = array.shape if single else array.shape[1:]
    if (single and array.ndim not in (2, 3)) or (not single and array.ndim not in (3, 4)):
        raise ValueError(f"{name} must have shape {expected}, got shape {array.shape}")
    if core not in ((28, 28), (28, 28, 1)):
        raise ValueError(f"{name} must have shape {expected}, got shape {array.shape}")
    array = np.asarray(array, dtype=np.float32).reshape(-1, 28, 28, 1)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must hold finite numbers, got NaN or infinity")
    return array


class NumpyConvNet:
    """The pretrained ConvNet of ``utils.models.build_convnet``, in float32 NumPy.

    Used by the draw-a-digit demo and lesson 06
    (``notebooks/06_kernels_and_feature_maps.ipynb``), where an answer is
    wanted without importing Keras. Build one with :meth:`from_weights` (or
    :func:`load_numpy_convnet`), which reads the course's verified weights.

    Parameters
    ----------
    weights : dict
        For each layer name of ``LAYER_SHAPES`` (``"conv_1"``, ``"conv_2"``,
        ``"conv_3"``, ``"dense"``, ``"output"``), a pair ``(kernel, bias)`` of
        arrays of real numbers of the shapes listed there, in Keras' layout
        (a Conv2D kernel is ``(3, 3, C_in, C_out)``).

    Raises
    ------
    TypeError
        If ``weights`` is not a dict of pairs of arrays of numbers.
    ValueError
        If a layer is missing or an array has the wrong shape or is not finite.
    """

    def __init__(self, weights: dict) -> None:
        if not isinstance(weights, dict):
            raise TypeError(
                f"weights must be a dict of layer name -> (kernel, bias), "
                f"got {type(weights).__name__}"
            )
        missing = [name for name in LAYER_SHAPES if name not in weights]
        if missing:
            raise ValueError(
                f"weights must have the layers {list(LAYER_SHAPES)}, missing {missing}"
            )
        self.weights: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for layer, shapes in LAYER_SHAPES.items():
            pair = weights[layer]
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise TypeError(f"weights[{layer!r}] must be a pair (kernel, bias)")
            arrays = []
            for part, value, shape in zip(("kernel", "bias"), pair, shapes, strict=True):
                name = f"weights[{layer!r}] {part}"
                array = real_array(value, name, booleans=False)
                if array.shape != shape:
                    raise ValueError(f"{name} must have shape {shape}, got shape {array.shape}")
                if not np.isfinite(array).all():
                    raise ValueError(f"{name} must hold finite numbers, got NaN or infinity")
                arrays.append(np.ascontiguousarray(array, dtype=np.float32))
            self.weights[layer] = (arrays[0], arrays[1])

    @classmethod
    def from_weights(cls, path: str | os.PathLike[str] | None = None) -> NumpyConvNet:
        """The network with the course's pretrained weights, read with ``h5py``.

        The file is the one ``utils.models.load_pretrained_convnet`` loads into
        Keras; its size and sha256 are checked first (``utils.data.verify_file``).

        Parameters
        ----------
        path : str, os.PathLike or None, optional
            A ``.weights.h5`` file; the default is
            ``data/weights/mnist_convnet.weights.h5`` in the repository.

        Returns
        -------
        NumpyConvNet

        Raises
        ------
        FileNotFoundError, ValueError, TypeError
            If the file is missing or altered (the message says how to restore
            it), or ``path`` is not a path.
        """
        import h5py  # here, so that importing this module stays quick

        path = verify_file(
            path,
            default_name=PRETRAINED_FILE,
            sha256=PRETRAINED_SHA256,
            size=PRETRAINED_SIZE,
        )
        with h5py.File(path, "r") as handle:
            weights = {
                layer: tuple(np.array(handle[f"layers/{stored}/vars/{i}"]) for i in (0, 1))
                for layer, stored in FILE_LAYERS.items()
            }
        return cls(weights)

    def _features(self, batch: np.ndarray) -> dict[str, np.ndarray]:
        """Every layer's output for a float32 batch (N, 28, 28, 1)."""
        w = self.weights
        conv_1 = _conv_relu(batch, *w["conv_1"])
        conv_2 = _conv_relu(_max_pool(conv_1), *w["conv_2"])
        conv_3 = _conv_relu(_max_pool(conv_2), *w["conv_3"])
        kernel, bias = w["dense"]
        dense = conv_3.reshape(len(batch), -1) @ kernel  # row-major over (3, 3, 64), as Flatten
        dense += bias
        np.maximum(dense, 0, out=dense)
        kernel, bias = w["output"]
        logits = dense @ kernel + bias
        return {
            "conv_1": conv_1,
            "conv_2": conv_2,
            "conv_3": conv_3,
            "probabilities": _softmax(logits).astype(np.float32),
        }

    def predict(self, images: object) -> np.ndarray:
        """The probability of each digit for a batch of images, like Keras' ``model.predict``.

        Parameters
        ----------
        images : array_like, shape (n, 28, 28) or (n, 28, 28, 1)
            Grey digits as floats in [0, 1] (MNIST's uint8 pixels divided by
            255). Run ``BATCH_SIZE`` at a time, so memory stays bounded.

        Returns
        -------
        numpy.ndarray of float32, shape (n, 10)
            Row ``i`` holds the probabilities of the digits 0-9 for image ``i``.

        Raises
        ------
        TypeError
            If ``images`` does not hold real numbers.
        ValueError
            If ``images`` has another shape or holds NaN or infinity.
        """
        batch = _as_batch(images, "images", single=False)
        out = np.empty((len(batch), 10), dtype=np.float32)
        for start in range(0, len(batch), BATCH_SIZE):
            part = batch[start : start + BATCH_SIZE]
            out[start : start + len(part)] = self._features(part)["probabilities"]
        return out

    def read(self, image: object) -> dict[str, np.ndarray]:
        """What the network sees in one image: its three feature maps and its answer.

        Parameters
        ----------
        image : array_like, shape (28, 28) or (28, 28, 1)
            One grey digit as floats in [0, 1].

        Returns
        -------
        dict of numpy.ndarray (float32)
            ``"conv_1"`` (26, 26, 32), ``"conv_2"`` (11, 11, 64) and
            ``"conv_3"`` (3, 3, 64): the ReLU outputs of the three
            convolutions (as Keras' ``model.get_layer("conv_1").output``);
            ``"probabilities"`` (10,): the probability of each digit.

        Raises
        ------
        TypeError
            If ``image`` does not hold real numbers.
        ValueError
            If ``image`` has another shape or holds NaN or infinity.
        """
        features = self._features(_as_batch(image, "image", single=True))
        return {name: value[0] for name, value in features.items()}


def load_numpy_convnet(path: str | os.PathLike[str] | None = None) -> NumpyConvNet:
    """The course's pretrained ConvNet in NumPy: :meth:`NumpyConvNet.from_weights`.

    Used by the draw-a-digit demo and lesson 06
    (``notebooks/06_kernels_and_feature_maps.ipynb``) for an answer without
    Keras; ``utils.models.load_pretrained_convnet`` is the Keras model.

    Parameters
    ----------
    path : str, os.PathLike or None, optional
        A ``.weights.h5`` file; the default is
        ``data/weights/mnist_convnet.weights.h5`` in the repository.

    Returns
    -------
    NumpyConvNet

    Raises
    ------
    FileNotFoundError, ValueError, TypeError
        If the file is missing or altered, or ``path`` is not a path.
    """
    return NumpyConvNet.from_weights(path)
