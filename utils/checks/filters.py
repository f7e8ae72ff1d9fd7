"""Lesson 06 (kernels and feature maps): which first-layer filter responds most to an image."""

from __future__ import annotations

import numpy as np

from utils._validate import real_array
from utils.checks._core import (
    CheckResult,
    correct,
    is_unanswered,
    reference_correlate,
    unanswered,
    wrong,
)


def _first_layer_responses(
    image: np.ndarray, kernel: np.ndarray, bias: np.ndarray, reduce: str = "max"
) -> np.ndarray:
    """Each filter's feature map ReLU(correlate2d(image, kernel) + bias), reduced to one number."""
    maps = [
        np.maximum(reference_correlate(image, kernel[:, :, 0, c]) + bias[c], 0)
        for c in range(kernel.shape[3])
    ]
    return np.array([m.max() if reduce == "max" else m.mean() for m in maps])


def check_strongest_filter(
    answer: object, kernel: object, bias: object, image: object
) -> CheckResult:
    """Check which filter of a one-channel ``Conv2D`` layer responds most strongly to ``image``.

    Lesson 06, exercise 1. Filter ``c``'s strongest response is the largest
    value of its feature map, ``max ReLU(correlate2d(image, kernel[:, :, 0, c],
    'valid') + bias[c])``; the reference computes it with
    :func:`scipy.signal.correlate2d`, not with Keras. The verdict recognises
    the array of responses given instead of an index, a number counted from 1,
    the largest mean instead of the largest value, the filter for the opposite
    edge (``1 - image``) and the weakest filter.

    Parameters
    ----------
    answer : int
        The student's filter number, 0 to n - 1.
    kernel : array_like, shape (F_h, F_w, 1, n)
        The layer's kernel, ``layer.get_weights()[0]``.
    bias : array_like, shape (n,)
        The layer's biases, ``layer.get_weights()[1]``.
    image : array_like, shape (H, W), (H, W, 1) or (1, H, W, 1)
        One grey image with values in [0, 1].

    Raises
    ------
    TypeError
        If ``kernel``, ``bias`` or ``image`` is not an array of real numbers.
    ValueError
        If the shapes of ``kernel``, ``bias`` and ``image`` do not fit together.
    """
    weights = real_array(kernel, "kernel").astype(np.float64)
    if weights.ndim != 4 or weights.shape[2] != 1:
        raise ValueError(f"kernel must have shape (F_h, F_w, 1, n), got shape {weights.shape}")
    n_filters = weights.shape[3]
    biases = real_array(bias, "bias").astype(np.float64).reshape(-1)
    if biases.shape != (n_filters,):
        raise ValueError(
            f"bias must have shape ({n_filters},) to match kernel, got shape {np.shape(bias)}"
        )
    picture = real_array(image, "image").astype(np.float64)
    if (
        picture.ndim in (3, 4)
        and picture.shape[-1] == 1
        and picture.size == np.prod(picture.shape[-3:-1])
    ):
        picture = picture.reshape(picture.shape[-3:-1])  # (H, W, 1) or (1, H, W, 1)
    if (
        picture.ndim != 2
        or picture.shape[0] < weights.shape[0]
        or picture.shape[1] < weights.shape[1]
    ):
        raise ValueError(
            f"image must be one grey image (H, W) at least as large as the kernel, "
            f"got shape {np.shape(image)}"
        )
    if is_unanswered(answer):
        return unanswered("the number of the strongest filter")
    responses = _first_layer_responses(picture, weights, biases)
    expected = int(responses.argmax())
    if getattr(answer, "shape", None) == (n_filters,):
        return wrong(
            f"that looks like the {n_filters} responses themselves; the answer is the "
            "number of the largest one: use np.argmax(...)."
        )
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return wrong(f"expected a filter number (an int), got {type(answer).__name__} {answer!r}.")
    value = int(answer)
    if value == expected:
        second = int(np.argsort(responses)[-2])
        return correct(
            f"filter {expected} responds most strongly: its feature map reaches "
            f"{responses[expected]:.2f}; the next strongest, filter {second}, reaches "
            f"{responses[second]:.2f}."
        )
    if not 0 <= value < n_filters:
        return wrong(
            f"the layer has {n_filters} filters, numbered 0 to {n_filters - 1}; got {value}."
        )
    if value == expected + 1:
        return wrong(
            f"filter {value} is one past the strongest: Python numbers channels from 0, so the "
            "first filter is filter 0."
        )
    if value == int(_first_layer_responses(picture, weights, biases, reduce="mean").argmax()):
        return wrong(
            f"filter {value} has the largest mean activation; the question asks for the "
            "strongest response anywhere in the map: take the maximum over the positions."
        )
    if value == int(_first_layer_responses(1 - picture, weights, biases).argmax()):
        return wrong(
            f"filter {value} responds most to the opposite edge (the image with dark and bright "
            "swapped). Check which side of your edge is bright."
        )
    if value == int(responses.argmin()):
        return wrong(f"filter {value} is the weakest; take the argmax, not the argmin.")
    return wrong(
        f"filter {value} reaches {responses[value]:.2f}, but another filter reaches "
        f"{responses[expected]:.2f}."
    )
