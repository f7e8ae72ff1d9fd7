"""What a ConvNet looks at: the occlusion map of lesson 12.

Lesson 12 (``notebooks/12_saliency_and_adversarial.ipynb``) hides one patch
of a digit at a time and watches the probability of the class fall. It writes
the idea as a double loop over the pixels; :func:`occlusion_map` is the fast
version that the lesson's figures and its checker
(:func:`utils.checks.check_occlusion_map`) use: every occluded copy is built
at once with a broadcast mask, and the model sees them in large batches.

The model is any callable from a float32 batch ``(n, H, W, C)`` to class
probabilities ``(n, classes)``: a Keras model, or a NumPy function. Nothing
here imports Keras or TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from utils._validate import integer, number, real_array


def _probabilities(model: Callable, batch: np.ndarray) -> np.ndarray:
    """``model(batch)`` as a float64 array (n, classes); a clear error if it is not one."""
    output = np.asarray(model(batch))
    if output.ndim != 2 or output.shape[0] != batch.shape[0] or output.shape[1] < 1:
        raise ValueError(
            "model must return class probabilities of shape (n, classes) for a batch of "
            f"n images, got shape {output.shape} for a batch of {batch.shape[0]}"
        )
    return output.astype(np.float64)


def occlusion_map(
    model: Callable,
    image: object,
    label: int,
    patch_size: int = 5,
    fill: float = 0.0,
    batch_size: int = 1024,
) -> np.ndarray:
    """How much the probability of ``label`` drops when a patch around each pixel is hidden.

    Lesson 12, section "what the ConvNet looks at", writes this as a double
    loop; this is its vectorised version. For every pixel ``(i, j)`` a copy of
    the image gets the square patch of side ``patch_size`` centred on
    ``(i, j)`` set to ``fill``: rows ``max(0, i - r)`` to ``min(H, i + r + 1)``
    and the same for the columns, with ``r = patch_size // 2``. The patch is
    cut off at the border, so every pixel is a centre. The map holds
    ``p(label | image) - p(label | occluded copy)``: positive where hiding the
    patch lowers the class's probability, negative where it raises it. Where
    the patch covers only pixels that already equal ``fill`` (the black
    background of a digit, with ``fill=0``), the copy is the image itself and
    the map is exactly 0.

    All ``H * W`` copies are built with one broadcast mask per batch (no loop
    over the pixels) and ``model`` is called on batches of at most
    ``batch_size`` copies, plus once on the image itself.

    Parameters
    ----------
    model : callable
        Takes a float32 array (n, H, W, C) and returns class probabilities
        (n, classes): a Keras model, or any function. Its output goes through
        ``np.asarray`` (a TensorFlow tensor works).
    image : array_like, shape (H, W) or (H, W, C)
        Real values, for example an MNIST digit as floats in [0, 1] of shape
        (28, 28, 1). An (H, W) image is given a channel axis of size 1.
    label : int
        The class whose probability is watched, ``0 <= label < classes``.
    patch_size : int, default 5
        Side of the square patch: odd (so that the patch has a centre pixel),
        at least 1 and at most ``min(H, W)``.
    fill : float, default 0.0
        The value the hidden pixels get (0 is black for MNIST).
    batch_size : int, default 1024
        Most copies given to ``model`` in one call.

    Returns
    -------
    numpy.ndarray, shape (H, W), float32
        The drop in ``p(label)`` when the patch centred on each pixel is hidden.

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or value; the message names it.
    """
    if not callable(model):
        raise TypeError(
            "model must be a callable from images (n, H, W, C) to probabilities "
            f"(n, classes), got {type(model).__name__}"
        )
    pixels = real_array(image, "image").astype(np.float32)
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    if pixels.ndim != 3 or min(pixels.shape) < 1:
        raise ValueError(f"image must have shape (H, W) or (H, W, C), got shape {np.shape(image)}")
    if not np.all(np.isfinite(pixels)):
        raise ValueError("image must hold finite numbers, got NaN or inf")
    label = integer(label, "label", minimum=0)
    height, width = pixels.shape[:2]
    patch_size = integer(patch_size, "patch_size", minimum=1, maximum=min(height, width))
    if patch_size % 2 == 0:
        raise ValueError(
            f"patch_size must be odd, so that the patch has a centre pixel, got {patch_size}"
        )
    fill = number(fill, "fill")
    batch_size = integer(batch_size, "batch_size", minimum=1)

    original = _probabilities(model, pixels[None])
    if label >= original.shape[1]:
        raise ValueError(
            f"label must be between 0 and {original.shape[1] - 1} (the model has "
            f"{original.shape[1]} classes), got {label}"
        )
    r = patch_size // 2
    rows = np.abs(np.arange(height)[:, None] - np.arange(height)[None, :]) <= r  # [centre, row]
    cols = np.abs(np.arange(width)[:, None] - np.arange(width)[None, :]) <= r  # [centre, col]
    centre_rows, centre_cols = np.divmod(np.arange(height * width), width)
    drops = np.empty(height * width)
    for start in range(0, height * width, batch_size):
        i = centre_rows[start : start + batch_size]
        j = centre_cols[start : start + batch_size]
        mask = rows[i][:, :, None] & cols[j][:, None, :]  # (b, H, W): the hidden pixels
        copies = np.where(mask[..., None], np.float32(fill), pixels[None])
        occluded = _probabilities(model, copies.astype(np.float32))
        drops[start : start + i.size] = original[0, label] - occluded[:, label]
    result = drops.reshape(height, width)
    # A patch over pixels that already equal fill leaves the image as it is: exactly 0,
    # not the last bits by which a batched call can differ from a call on one image.
    differs = np.any(pixels != np.float32(fill), axis=-1).astype(np.int64)
    summed = np.pad(differs, ((1, 0), (1, 0))).cumsum(axis=0).cumsum(axis=1)
    top, bottom = (
        np.maximum(np.arange(height) - r, 0),
        np.minimum(np.arange(height) + r + 1, height),
    )
    left, right = np.maximum(np.arange(width) - r, 0), np.minimum(np.arange(width) + r + 1, width)
    changed = (
        summed[bottom][:, right]
        - summed[top][:, right]
        - summed[bottom][:, left]
        + summed[top][:, left]
    )
    result[changed == 0] = 0.0
    return result.astype(np.float32)
