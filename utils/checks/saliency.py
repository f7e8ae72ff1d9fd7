"""Lesson 12: an occlusion map, and one step of the fast gradient sign method.

:func:`check_occlusion_map` checks a student's occlusion map against
:func:`utils.saliency.occlusion_map`; :func:`check_fgsm_step` checks an
adversarial image made by one FGSM step against a gradient that TensorFlow
works out with ``tf.GradientTape``.
"""

from __future__ import annotations

import numpy as np

from utils._validate import integer, number, real_array
from utils.checks._core import (
    CheckResult,
    answer_numbers,
    correct,
    is_unanswered,
    unanswered,
    wrong,
)
from utils.saliency import occlusion_map

ATOL = 1e-5  # a map or an image computed in float32, by another batch size or CPU
FLAT_GRADIENT = 1e-6  # below this share of the largest |gradient|, the sign may flip between CPUs


def _as_image(image: object) -> np.ndarray:
    """``image`` as float32 (H, W, C), an (H, W) one with a channel axis of 1."""
    pixels = real_array(image, "image").astype(np.float32)
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    if pixels.ndim != 3 or min(pixels.shape) < 1:
        raise ValueError(f"image must have shape (H, W) or (H, W, C), got shape {np.shape(image)}")
    if not np.all(np.isfinite(pixels)):
        raise ValueError("image must hold finite numbers, got NaN or inf")
    return pixels


def _answer_map(answer: object, shape: tuple[int, ...], what: str) -> np.ndarray | CheckResult:
    """The answer as floats of ``shape`` (a trailing axis of 1 is accepted), or a verdict."""
    values = answer_numbers(answer, what)
    if isinstance(values, CheckResult):
        return values
    if values.shape == (*shape, 1):
        values = values[..., 0]
    elif len(shape) == 3 and shape[-1] == 1 and values.shape == shape[:-1]:
        values = values[..., None]
    elif values.shape == (1, *shape):
        values = values[0]
    if values.shape != shape:
        return wrong(f"{what} should have shape {shape}, got {values.shape}.")
    return values


def _corner_occlusion_map(
    model: object, image: np.ndarray, label: int, patch_size: int, fill: float
) -> np.ndarray:
    """The map with the patch's top-left corner at each pixel, the slip the checker names."""
    height, width = image.shape[:2]
    rows = np.arange(height)[None, :] - np.arange(height)[:, None]  # [corner, row]: row - corner
    cols = np.arange(width)[None, :] - np.arange(width)[:, None]
    rows = (rows >= 0) & (rows < patch_size)
    cols = (cols >= 0) & (cols < patch_size)
    mask = rows[:, None, :, None] & cols[None, :, None, :]  # (H, W, H, W)
    copies = np.where(mask[..., None], np.float32(fill), image[None, None])
    copies = copies.reshape(height * width, *image.shape).astype(np.float32)
    base = float(np.asarray(model(image[None]))[0, label])  # type: ignore[operator]
    occluded = np.concatenate(
        [
            np.asarray(model(copies[start : start + 1024]))[:, label]  # type: ignore[operator]
            for start in range(0, len(copies), 1024)
        ]
    )
    return (base - occluded).reshape(height, width)


def check_occlusion_map(
    answer: object,
    model: object,
    image: object,
    label: int,
    patch_size: int = 5,
    fill: float = 0.0,
) -> CheckResult:
    """Check a student's occlusion map of one image (lesson 12).

    The reference is :func:`utils.saliency.occlusion_map` with the same
    arguments: ``p(label | image) - p(label | copy with the patch centred on
    (i, j) set to fill)`` at every pixel, the patch cut off at the border. An
    answer of shape (H, W) or (H, W, 1) matches when every value is within
    1e-5 of it. The verdict recognises the opposite sign, the probabilities of
    the occluded copies instead of the drop, and a patch whose top-left corner
    (not its centre) is at ``(i, j)``; otherwise it says how many pixels
    differ and by how much at most.

    Parameters
    ----------
    answer : array_like, shape (H, W) or (H, W, 1)
        The student's map.
    model : callable
        Images (n, H, W, C) -> probabilities (n, classes), as for
        :func:`utils.saliency.occlusion_map`.
    image : array_like, shape (H, W) or (H, W, C)
    label : int
    patch_size : int, default 5
        Odd, at most ``min(H, W)``.
    fill : float, default 0.0
    """
    expected = occlusion_map(model, image, label, patch_size, fill)  # checks the arguments
    if is_unanswered(answer):
        return unanswered("the occlusion map")
    values = _answer_map(answer, expected.shape, "the occlusion map")
    if isinstance(values, CheckResult):
        return values
    where = f"{patch_size} x {patch_size} patch, fill {fill:g}"
    if np.allclose(values, expected, rtol=0, atol=ATOL):
        return correct(
            f"your map matches on all {expected.size} pixels ({where}): positive where hiding "
            "the patch lowers the class's probability."
        )
    if np.allclose(values, -expected, rtol=0, atol=ATOL):
        return wrong(
            "your map has the opposite sign. Take p(original) - p(occluded), so that a patch "
            "the ConvNet needs gives a positive drop."
        )
    pixels = _as_image(image)
    base = float(np.asarray(model(pixels[None]))[0, label])  # type: ignore[operator]
    if np.allclose(values, base - expected, rtol=0, atol=ATOL):
        return wrong(
            "these are the probabilities of the occluded copies, p(occluded). The map is the "
            "drop, p(original) - p(occluded): subtract them from the original's probability."
        )
    corner = _corner_occlusion_map(model, pixels, int(label), int(patch_size), float(fill))
    if np.allclose(values, corner, rtol=0, atol=ATOL):
        r = patch_size // 2
        return wrong(
            "your patch has its top-left corner at (i, j). Centre it there: rows "
            f"max(0, i - {r}) to min(H, i + {r + 1}), and the same for the columns."
        )
    difference = np.abs(values - expected)
    difference[~np.isfinite(difference)] = np.inf
    bad = difference > ATOL
    return wrong(
        f"{int(bad.sum())} of {expected.size} pixels differ from the reference by more than "
        f"{ATOL:g}; the largest difference is {float(difference.max()):.3g}."
    )


def _loss_gradient(model: object, pixels: np.ndarray, label: int) -> np.ndarray:
    """The gradient of the cross-entropy of ``model(x[None])`` against ``label``, by TensorFlow."""
    import keras
    import tensorflow as tf

    x = tf.convert_to_tensor(pixels[None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        probabilities = model(x)  # type: ignore[operator]
        loss = keras.losses.sparse_categorical_crossentropy(np.array([label]), probabilities)
    gradient = tape.gradient(loss, x)
    if gradient is None:
        raise TypeError(
            f"model must be a Keras model that TensorFlow can differentiate, got "
            f"{type(model).__name__}"
        )
    return np.asarray(gradient)[0].astype(np.float64)


# The slips of an FGSM step, tried in this order after the right answer. Each takes the
# answer, the mask of compared pixels, the image x, the gradient and epsilon, and returns
# its verdict, or None when the answer is not that slip.


def _close(values: np.ndarray, compared: np.ndarray, candidate: np.ndarray) -> bool:
    """Whether the answer is within :data:`ATOL` of ``candidate`` on every compared pixel."""
    return bool(np.allclose(values[compared], candidate[compared], rtol=0, atol=ATOL))


def _direction_slip(
    values: np.ndarray, compared: np.ndarray, x: np.ndarray, gradient: np.ndarray, epsilon: float
) -> CheckResult | None:
    """A step down the gradient, or a step up it without the clip to [0, 1]."""
    step = epsilon * np.sign(gradient)
    if _close(values, compared, np.clip(x - step, 0, 1)) or _close(values, compared, x - step):
        return wrong(
            "your step goes down the gradient, which lowers the loss and makes the model "
            "surer. An attack climbs it: x + epsilon * sign(gradient)."
        )
    if _close(values, compared, x + step):
        return wrong(
            "some pixels are outside [0, 1]: clip x + epsilon * sign(gradient) to [0, 1] "
            "(np.clip) so that the result is still an image."
        )
    return None


def _gradient_slip(
    values: np.ndarray, compared: np.ndarray, x: np.ndarray, gradient: np.ndarray, epsilon: float
) -> CheckResult | None:
    """No step at all, or a step of epsilon times the gradient itself instead of its sign."""
    raw_step = float(epsilon * np.abs(gradient).max())
    if _close(values, compared, x):
        small = (
            f" Here epsilon times the gradient is at most {raw_step:.1e}: too small to see, "
            "which is why FGSM takes its sign."
            if raw_step <= ATOL
            else ""
        )
        return wrong(
            "your image is the original one (or as good as): every pixel should move by "
            f"epsilon in the direction of the gradient's sign.{small}"
        )
    raw = x + epsilon * gradient
    if _close(values, compared, np.clip(raw, 0, 1)) or _close(values, compared, raw):
        return wrong(
            "you moved by epsilon times the gradient itself. FGSM takes its sign, so that "
            "every pixel moves by exactly epsilon: np.sign(gradient)."
        )
    return None


def _step_size_slip(
    values: np.ndarray, compared: np.ndarray, x: np.ndarray, gradient: np.ndarray, epsilon: float
) -> CheckResult | None:
    """Every pixel moved by another step than epsilon, or by steps of different sizes."""
    finite = np.isfinite(values)
    moved = float(np.abs(values - x)[finite].max()) if finite.any() else 0.0
    if not (finite.all() and abs(moved - epsilon) > ATOL and moved > 0):
        return None
    if _close(values, compared, np.clip(x + moved * np.sign(gradient), 0, 1)):
        return wrong(
            f"you took a step of {moved:.3g}, not epsilon = {epsilon:g}: every pixel "
            "should move by epsilon (before the clip)."
        )
    return wrong(
        f"your image differs from the original by up to {moved:.3g}, but FGSM moves each "
        f"pixel by exactly epsilon = {epsilon:g} (less where the clip to [0, 1] stops it)."
    )


def check_fgsm_step(
    answer: object, model: object, image: object, label: int, epsilon: float
) -> CheckResult:
    """Check one step of the fast gradient sign method on one image (lesson 12).

    The answer is ``x_adv = clip(x + epsilon * sign(grad_x loss), 0, 1)``,
    where ``loss`` is the sparse categorical cross-entropy of
    ``model(x[None])`` against ``label``: every pixel moves by ``epsilon`` in
    the direction that raises the loss, and stays a valid pixel. The
    reference gradient is TensorFlow's (``tf.GradientTape``, with Keras'
    ``sparse_categorical_crossentropy``), so ``model`` must be a Keras model
    on the TensorFlow backend that returns probabilities.

    Where the gradient is nearly zero, its sign depends on the last bits of
    float32 and can differ from one CPU to another: pixels with
    ``|grad| < 1e-6 * max |grad|`` are not compared. Every other pixel must be
    within 1e-5 of the reference. The verdict recognises a step down the
    gradient (``x - epsilon * sign``), a missing clip to [0, 1], the raw
    gradient times ``epsilon`` instead of its sign, and a different epsilon.

    Parameters
    ----------
    answer : array_like, the shape of ``image``
        The student's adversarial image (a leading batch axis of 1 is accepted).
    model : keras.Model
        Takes (1, H, W, C) and returns probabilities (1, classes).
    image : array_like, shape (H, W, C), for example (28, 28, 1)
        The original image, values in [0, 1].
    label : int
        Its true class, ``0 <= label < classes``.
    epsilon : float
        The step, ``0 < epsilon <= 1``.
    """
    if not callable(model):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    pixels = real_array(image, "image").astype(np.float32)
    if pixels.ndim != 3 or pixels.size == 0:
        raise ValueError(f"image must be one image of shape (H, W, C), got shape {pixels.shape}")
    if not np.all(np.isfinite(pixels)):
        raise ValueError("image must hold finite numbers, got NaN or inf")
    if pixels.min() < 0 or pixels.max() > 1:
        raise ValueError(
            "image must hold values in [0, 1] (pixels divided by 255), got values from "
            f"{float(pixels.min()):g} to {float(pixels.max()):g}"
        )
    label = integer(label, "label", minimum=0)
    epsilon = number(epsilon, "epsilon")
    if not 0 < epsilon <= 1:
        raise ValueError(f"epsilon must be in (0, 1], got {epsilon:g}")
    classes = np.asarray(model(pixels[None])).shape[-1]
    if label >= classes:
        raise ValueError(
            f"label must be between 0 and {classes - 1} (the model has {classes} classes), "
            f"got {label}"
        )
    if is_unanswered(answer):
        return unanswered("the adversarial image")
    values = _answer_map(answer, pixels.shape, "the adversarial image")
    if isinstance(values, CheckResult):
        return values
    gradient = _loss_gradient(model, pixels, label)
    x = pixels.astype(np.float64)
    compared = np.abs(gradient) >= FLAT_GRADIENT * np.abs(gradient).max()
    step = epsilon * np.sign(gradient)
    if _close(values, compared, np.clip(x + step, 0, 1)):
        return correct(
            f"every pixel moved by {epsilon:g} in the direction that raises the loss, "
            "then was clipped to [0, 1]."
        )
    for diagnose in (_direction_slip, _gradient_slip, _step_size_slip):
        verdict = diagnose(values, compared, x, gradient, epsilon)
        if verdict is not None:
            return verdict
    bad = compared & ~np.isclose(values, np.clip(x + step, 0, 1), rtol=0, atol=ATOL)
    return wrong(
        f"{int(bad.sum())} of {int(compared.sum())} pixels differ from "
        "clip(x + epsilon * sign(gradient), 0, 1), with the gradient of the cross-entropy "
        "of model(x[None]) against the label."
    )
