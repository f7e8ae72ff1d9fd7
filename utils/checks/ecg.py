"""Lesson 08 (1-D convolutions on ECG signals): cross-correlation, macro-F1, batch norm.

The checkers of a 1-D cross-correlation loop, of a macro-averaged F1 score
worked out by hand, and of a batch-normalisation layer's output in inference
mode.
"""

from __future__ import annotations

import numpy as np

from utils._validate import integer, real_array
from utils.checks._core import (
    CheckResult,
    answer_numbers,
    correct,
    is_unanswered,
    student_array,
    unanswered,
    wrong,
)


def _cross_correlation_1d_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(808)
    # Asymmetric kernels of several lengths: a flipped kernel or a wrong range shows.
    return [
        (rng.integers(-3, 4, size=9).astype(float), np.array([1.0, 2.0, -1.0])),
        (rng.integers(-3, 4, size=12).astype(float), np.array([2.0, 0.0, -1.0, 3.0])),
        (rng.integers(-3, 4, size=7).astype(float), np.array([-1.0, 1.0])),
    ]


def check_cross_correlation_1d(function: object) -> CheckResult:
    """Check a student's ``cross_correlate_1d(signal, kernel)`` ('valid', stride 1) (lesson 08).

    The reference is :func:`numpy.correlate` with ``mode='valid'``:
    ``out[i] = sum_u signal[i + u] * kernel[u]`` for ``i = 0 .. N - F``. The
    verdict says what is wrong: not a function, an error, the wrong length
    (one too many or too few, the input's length, the 'full' length), the
    flipped kernel of a true convolution (:func:`numpy.convolve`), or wrong
    values at the ends only.

    Parameters
    ----------
    function : callable ``(signal (N,), kernel (F,)) -> array (N - F + 1,)``
    """
    if is_unanswered(function):
        return unanswered("the 1-D cross-correlation function")
    if not callable(function):
        return wrong(
            "expected a function cross_correlate_1d(signal, kernel), "
            f"got {type(function).__name__}."
        )
    for signal, kernel in _cross_correlation_1d_cases():
        expected = np.correlate(signal, kernel, mode="valid")
        where = f"a signal of {signal.size} samples and a kernel of {kernel.size}"
        answer = student_array(function, (signal, kernel), where)
        if isinstance(answer, CheckResult):
            return answer
        if answer.ndim != 1:
            return wrong(
                f"on {where} the output should be 1-D with {expected.size} values, "
                f"got shape {answer.shape}."
            )
        if answer.size != expected.size:
            hints = {
                signal.size: " That is the input's length: this exercise asks for no padding, "
                "so the output has N - F + 1 values.",
                expected.size - 1: " One value too few: the loop must run over range(N - F + 1).",
                expected.size + 1: " One value too many: the last window starts at N - F.",
                signal.size + kernel.size - 1: " That is the 'full' length, as if the signal "
                "were padded with F - 1 zeros on each side; here there is no padding.",
            }
            return wrong(
                f"on {where} the output should have {expected.size} values (N - F + 1), "
                f"got {answer.size}.{hints.get(answer.size, '')}"
            )
        if np.allclose(answer, expected):
            continue
        if np.allclose(answer, np.convolve(signal, kernel, mode="valid")):
            return wrong(
                "your output equals the true convolution (numpy.convolve): the kernel is "
                "flipped. Cross-correlation multiplies signal[i + u] by kernel[u], with no flip."
            )
        if expected.size > 2 and np.allclose(answer[1:-1], expected[1:-1]):
            return wrong(
                "the middle values are right but the first or last is not: an off-by-one at "
                "the ends (check where your loop starts and stops)."
            )
        bad = np.flatnonzero(~np.isclose(answer, expected))
        first = int(bad[0])
        return wrong(
            f"on {where}, {bad.size} of {expected.size} values differ; the first at [{first}]: "
            f"expected {expected[first]:g}, got {answer[first]:g}."
        )
    return correct("your cross-correlation matches numpy.correlate(..., 'valid') on three cases.")


def _f1_by_precision_and_recall(true: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Per-class F1 as the harmonic mean of precision and recall; nan for an absent class."""
    counts = np.zeros((n_classes, n_classes))
    np.add.at(counts, (true, pred), 1)
    scores = np.full(n_classes, np.nan)
    for label in range(n_classes):
        predicted, actual, hits = counts[:, label].sum(), counts[label].sum(), counts[label, label]
        if predicted == 0 and actual == 0:
            continue
        precision = hits / predicted if predicted else 0.0
        recall = hits / actual if actual else 0.0
        scores[label] = 0.0 if hits == 0 else 2 * precision * recall / (precision + recall)
    return scores


def check_macro_f1(answer: object, y_true: object, y_pred: object, n_classes: int) -> CheckResult:
    """Check a macro-averaged F1 score worked out from true and predicted classes (lesson 08).

    The reference builds the confusion matrix and takes, for each class, the
    harmonic mean of precision and recall, then the plain mean over the
    classes that occur in ``y_true`` or ``y_pred`` (the convention of
    :func:`utils.evaluation.macro_f1`). The verdict recognises the accuracy
    (which is also the micro-averaged F1), the F1 weighted by class size, an
    absent class counted as 0, the mean precision or recall, and a percentage.

    Parameters
    ----------
    answer : float
        The student's macro-F1, a fraction between 0 and 1.
    y_true, y_pred : array_like of int, shape (n,)
        The true and the predicted classes, 0 to ``n_classes - 1``.
    n_classes : int
        Number of classes.
    """
    true = real_array(y_true, "y_true").reshape(-1).astype(np.int64)
    pred = real_array(y_pred, "y_pred").reshape(-1).astype(np.int64)
    if true.shape != pred.shape or true.size == 0:
        raise ValueError(
            f"y_true and y_pred must be non-empty and of the same length, got {true.size} "
            f"and {pred.size}"
        )
    n_classes = integer(n_classes, "n_classes")
    if min(true.min(), pred.min()) < 0 or max(true.max(), pred.max()) >= n_classes:
        raise ValueError(f"y_true and y_pred must hold classes 0 to {n_classes - 1}")
    if is_unanswered(answer):
        return unanswered("the macro-F1 score")
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.number)):
        return wrong(f"expected a number, got {type(answer).__name__}.")
    value = float(answer)
    scores = _f1_by_precision_and_recall(true, pred, n_classes)
    present = ~np.isnan(scores)
    expected = float(scores[present].mean())
    if np.isclose(value, expected, atol=5e-4):
        listed = ", ".join(f"{score:.3f}" for score in scores[present])
        return correct(f"the per-class F1 scores are {listed}; their mean is {expected:.3f}.")
    if value > 1 and np.isclose(value, 100 * expected, atol=0.05):
        return wrong("that is a percentage; give the fraction (divide by 100).")
    support = np.bincount(true, minlength=n_classes)
    counts = np.zeros((n_classes, n_classes))
    np.add.at(counts, (true, pred), 1)
    predicted, hits = counts.sum(axis=0), np.diag(counts)
    precision = np.divide(hits, predicted, out=np.zeros(n_classes), where=predicted > 0)
    recall = np.divide(hits, support, out=np.zeros(n_classes), where=support > 0)
    if np.isclose(value, np.mean(true == pred), atol=5e-4):
        return wrong(
            f"{value:.3f} is the accuracy (the same as the micro-averaged F1). Macro-F1 computes "
            "an F1 score for each class and averages those, so every class counts the same."
        )
    if np.isclose(value, np.sum(np.nan_to_num(scores) * support) / support.sum(), atol=5e-4):
        return wrong(
            "that is the F1 averaged with weights by class size; macro-F1 gives every class "
            "the same weight: a plain mean."
        )
    if not present.all() and np.isclose(value, np.nansum(scores) / n_classes, atol=5e-4):
        return wrong(
            "you counted a class that neither occurs nor is predicted as 0; it has no F1 "
            "score, so leave it out of the mean."
        )
    if np.isclose(value, precision[present].mean(), atol=5e-4):
        return wrong("that is the mean precision; F1 combines precision and recall.")
    if np.isclose(value, recall[present].mean(), atol=5e-4):
        return wrong("that is the mean recall; F1 combines precision and recall.")
    return wrong(
        f"{value:.3f} is not the macro-F1. For each class, F1 = 2 P R / (P + R) with precision "
        "P = TP / (TP + FP) and recall R = TP / (TP + FN); then take the plain mean."
    )


def check_batchnorm_inference(answer: object, layer: object, x: object) -> CheckResult:
    """Check a batch-normalisation layer's inference-mode output worked out by hand (lesson 08).

    In inference mode the layer uses the moving averages it kept during
    training: ``gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta``,
    per channel (the last axis). The reference is the layer itself, called with
    ``training=False`` (which changes nothing in it). The verdict recognises
    the batch's own statistics (training mode), a forgotten ``epsilon``,
    ``gamma`` and ``beta`` left out, and a division by the variance instead of
    its square root.

    Parameters
    ----------
    answer : array_like, the shape of ``x``
        The student's output.
    layer : keras.layers.BatchNormalization
        A built layer (its ``gamma``, ``beta``, ``moving_mean``, ``moving_variance``
        and ``epsilon`` are read).
    x : array_like, shape (..., channels)
        The input batch.
    """
    import keras

    if not isinstance(layer, keras.layers.BatchNormalization) or not layer.built:
        raise TypeError(
            f"layer must be a built keras.layers.BatchNormalization, got {type(layer).__name__}"
        )
    inputs = real_array(x, "x").astype(np.float32)
    channels = int(layer.moving_mean.shape[0])
    if inputs.ndim < 2 or inputs.shape[-1] != channels:
        raise ValueError(
            f"x must have shape (..., {channels}) to match the layer's {channels} channels, "
            f"got shape {inputs.shape}"
        )
    values = answer_numbers(answer, "the batch normalisation in inference mode")
    if isinstance(values, CheckResult):
        return values
    if values.shape != inputs.shape:
        return wrong(f"the output has the input's shape, {inputs.shape}; got {values.shape}.")
    expected = keras.ops.convert_to_numpy(layer(inputs, training=False)).astype(np.float64)
    if np.allclose(values, expected, rtol=1e-4, atol=1e-5):
        return correct(
            "that is what the layer computes with training=False: the moving averages, not the "
            "batch's own statistics."
        )
    data = inputs.astype(np.float64)
    gamma = keras.ops.convert_to_numpy(layer.gamma) if layer.scale else 1.0
    beta = keras.ops.convert_to_numpy(layer.beta) if layer.center else 0.0
    mean = keras.ops.convert_to_numpy(layer.moving_mean).astype(np.float64)
    variance = keras.ops.convert_to_numpy(layer.moving_variance).astype(np.float64)
    eps = float(layer.epsilon)
    axes = tuple(range(data.ndim - 1))
    batch_mean, batch_variance = data.mean(axis=axes), data.var(axis=axes)
    candidates = [
        (
            gamma * (data - batch_mean) / np.sqrt(batch_variance + eps) + beta,
            "you normalised with the batch's own mean and variance: that is training mode. "
            "In inference mode use layer.moving_mean and layer.moving_variance.",
        ),
        (
            gamma * (data - mean) / np.sqrt(variance) + beta,
            "almost: add layer.epsilon to the variance before the square root.",
        ),
        (
            (data - mean) / np.sqrt(variance + eps),
            "the normalisation is right, but then scale by gamma and shift by beta.",
        ),
        (
            gamma * (data - mean) / (variance + eps) + beta,
            "divide by the standard deviation, sqrt(moving_variance + epsilon), not the variance.",
        ),
    ]
    for candidate, message in candidates:
        if np.allclose(values, candidate, rtol=1e-4, atol=1e-5):
            return wrong(message)
    index = np.unravel_index(int(np.argmax(np.abs(values - expected))), values.shape)
    return wrong(
        f"the largest difference is at {tuple(int(i) for i in index)}: expected "
        f"{expected[index]:.4f}, got {values[index]:.4f}. Compute gamma * (x - moving_mean) / "
        "sqrt(moving_variance + epsilon) + beta, channel by channel."
    )
