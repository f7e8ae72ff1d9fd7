"""Evaluating a classifier on a small, imbalanced data set (lesson 08).

``notebooks/08_conv1d_ecg.ipynb`` evaluates a 1-D ConvNet on the 500
heartbeats of ECG5000 with these helpers: stratified folds for
cross-validation, the macro-averaged F1 score, and the 1-nearest-neighbour
(Euclidean) baseline that the UCR time-series archive reports for every data
set; and the Wilson interval, which says how little a rate measured on a few
examples pins down. They use NumPy only, so the course needs no scikit-learn;
each is tested against an independent reference in ``tests/test_evaluation.py``.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from utils._validate import integer, number


def _as_int_labels(labels: object, name: str) -> np.ndarray:
    """Return ``labels`` as a 1-D int64 array of class numbers; raise a clear error otherwise."""
    if not isinstance(labels, (np.ndarray, list, tuple)):
        raise TypeError(
            f"{name} must be an array of integer class labels, got {type(labels).__name__}"
        )
    array = np.asarray(labels)
    if array.ndim != 1:
        raise ValueError(f"{name} must have shape (n,), got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must hold integers (class numbers), got dtype {array.dtype}")
    array = array.astype(np.int64)
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must hold class numbers 0, 1, 2, ..., got {array.min()}")
    return array


def stratified_folds(
    labels: object, n_folds: int = 5, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split examples into ``n_folds`` folds that keep the class proportions.

    The examples of each class are shuffled (with ``numpy.random.default_rng(seed)``)
    and dealt out to the folds in turn, like cards; the dealing continues from
    one class to the next. So every example is in exactly one test fold, each
    test fold holds ``n_c // n_folds`` or ``n_c // n_folds + 1`` examples of a
    class with ``n_c`` examples, and the fold sizes differ by at most one. A
    class with fewer than ``n_folds`` examples is missing from some test folds.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        The class of each example, 0, 1, 2, ...
    n_folds : int, default 5
        Number of folds, from 2 to ``n``.
    seed : int, default 0
        Seed of the shuffle; the same seed gives the same folds.

    Returns
    -------
    list of (train_indices, test_indices)
        One pair per fold, each an int64 array of indices into ``labels``,
        sorted; the two arrays of a pair are disjoint and together hold
        ``0 .. n - 1``.
    """
    classes = _as_int_labels(labels, "labels")
    n_folds = integer(n_folds, "n_folds", minimum=2)
    if n_folds > classes.size:
        raise ValueError(
            f"n_folds must be at most the number of examples, {classes.size}, got {n_folds}"
        )
    seed = integer(seed, "seed")
    rng = np.random.default_rng(seed)
    fold_of = np.empty(classes.size, dtype=np.int64)
    dealt = 0
    for label in np.unique(classes):
        members = rng.permutation(np.flatnonzero(classes == label))
        fold_of[members] = (dealt + np.arange(members.size)) % n_folds
        dealt += members.size
    indices = np.arange(classes.size)
    return [(indices[fold_of != fold], indices[fold_of == fold]) for fold in range(n_folds)]


def per_class_f1(y_true: object, y_pred: object, n_classes: int) -> np.ndarray:
    """The F1 score of each class, ``2 TP / (2 TP + FP + FN)``.

    F1 is the harmonic mean of precision ``TP / (TP + FP)`` and recall
    ``TP / (TP + FN)``, written so that it needs no division by a zero
    precision or recall. A class that never occurs in ``y_true`` and is never
    predicted (``TP + FP + FN = 0``) has no F1 score: its entry is ``nan``.
    A class that occurs but is never predicted correctly scores 0.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (n,)
        True and predicted classes, each from 0 to ``n_classes - 1``.
    n_classes : int
        Number of classes (at least 2).

    Returns
    -------
    numpy.ndarray of float64, shape (n_classes,)
    """
    true = _as_int_labels(y_true, "y_true")
    pred = _as_int_labels(y_pred, "y_pred")
    if true.shape != pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same length, got {true.size} and {pred.size}"
        )
    n_classes = integer(n_classes, "n_classes", minimum=2)
    for name, array in (("y_true", true), ("y_pred", pred)):
        if array.size and array.max() >= n_classes:
            raise ValueError(
                f"{name} must hold classes 0 to {n_classes - 1} (n_classes={n_classes}), "
                f"got {array.max()}"
            )
    scores = np.full(n_classes, np.nan)
    for label in range(n_classes):
        tp = np.sum((true == label) & (pred == label))
        fp = np.sum((true != label) & (pred == label))
        fn = np.sum((true == label) & (pred != label))
        if tp + fp + fn:
            scores[label] = 2 * tp / (2 * tp + fp + fn)
    return scores


def macro_f1(y_true: object, y_pred: object, n_classes: int) -> float:
    """The macro-averaged F1 score: the plain mean of the per-class F1 scores.

    Every class counts the same, however rare, so a classifier that ignores
    the rare classes scores low even when its accuracy is high.

    Convention: a class that is absent from ``y_true`` *and* never predicted
    has no F1 score (see :func:`per_class_f1`) and is left out of the mean;
    scikit-learn's ``f1_score(average="macro")`` does the same when it is not
    given the labels. ``keras.metrics.F1Score(average="macro")`` instead
    counts such a class as 0, which would cap a test fold without the rarest
    class at ``(n_classes - 1) / n_classes``. A class that is absent from
    ``y_true`` but predicted (a false alarm) does count, with F1 = 0.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (n,)
        True and predicted classes, each from 0 to ``n_classes - 1``; at least one example.
    n_classes : int
        Number of classes (at least 2).

    Returns
    -------
    float
        Between 0 and 1.
    """
    scores = per_class_f1(y_true, y_pred, n_classes)
    if np.all(np.isnan(scores)):
        raise ValueError("y_true and y_pred must hold at least one example, got none")
    return float(np.nanmean(scores))


def one_nn_predict(train_x: object, train_y: object, test_x: object) -> np.ndarray:
    """Classify each test series as its nearest training series (Euclidean distance).

    The 1-nearest-neighbour classifier with Euclidean distance is the simplest
    baseline of the UCR time-series archive, which reports it for every data
    set. It has nothing to train: the training set *is* the model. A tie goes
    to the training example that comes first.

    Parameters
    ----------
    train_x : array_like of float, shape (n_train, length)
        The training series, one per row.
    train_y : array_like of int, shape (n_train,)
        Their classes.
    test_x : array_like of float, shape (n_test, length)
        The series to classify.

    Returns
    -------
    numpy.ndarray of int64, shape (n_test,)
        The class of each test series' nearest training series.
    """
    train = np.asarray(train_x, dtype=np.float64)
    test = np.asarray(test_x, dtype=np.float64)
    labels = _as_int_labels(train_y, "train_y")
    for name, array in (("train_x", train), ("test_x", test)):
        if array.ndim != 2:
            raise ValueError(f"{name} must have shape (n, length), got shape {array.shape}")
    if train.shape[0] == 0:
        raise ValueError("train_x must hold at least one series, got shape (0, ...)")
    if labels.size != train.shape[0]:
        raise ValueError(
            f"train_y must have one label per row of train_x: got {labels.size} labels "
            f"for {train.shape[0]} series"
        )
    if test.shape[1] != train.shape[1]:
        raise ValueError(
            f"test_x must have series of the same length as train_x, {train.shape[1]}, "
            f"got {test.shape[1]}"
        )
    nearest = np.empty(test.shape[0], dtype=np.int64)
    chunk = 64  # rows of test_x at a time: a (64, n_train, length) block of differences
    for start in range(0, test.shape[0], chunk):
        block = test[start : start + chunk, None, :] - train[None, :, :]
        nearest[start : start + chunk] = np.argmin(np.sum(block**2, axis=2), axis=1)
    return labels[nearest]


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for a proportion measured as ``successes`` out of ``n``.

    A recall of 1 out of 2 is a proportion of 0.5, but it says far less than
    50 out of 100. The Wilson interval makes that visible: it is the range of
    true proportions ``p`` for which the observed count is not surprising at
    the given confidence,

        centre = (p_hat + z**2 / (2 n)) / (1 + z**2 / n)
        half   = z / (1 + z**2 / n) * sqrt(p_hat (1 - p_hat) / n + z**2 / (4 n**2))

    with ``p_hat = successes / n`` and ``z`` the normal quantile (1.96 for
    95%). Unlike ``p_hat +- z sqrt(p_hat (1 - p_hat) / n)``, it stays inside
    [0, 1] and is not empty at 0 or ``n`` successes.

    Parameters
    ----------
    successes : int
        Number of successes, 0 to ``n``.
    n : int
        Number of trials, at least 1.
    confidence : float, default 0.95
        The confidence level, strictly between 0 and 1.

    Returns
    -------
    (low, high) : tuple of float
        The interval, ``0 <= low <= successes / n <= high <= 1``.
    """
    n = integer(n, "n", minimum=1)
    successes = integer(successes, "successes", minimum=0)
    if successes > n:
        raise ValueError(f"successes must be at most n = {n}, got {successes}")
    confidence = number(confidence, "confidence")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p_hat = successes / n
    denominator = 1 + z**2 / n
    centre = (p_hat + z**2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p_hat * (1 - p_hat) / n + z**2 / (4 * n**2))
    # Exactly 0 at no successes and 1 at all successes, where rounding would leave 1e-17.
    low = 0.0 if successes == 0 else min(p_hat, centre - half)
    high = 1.0 if successes == n else max(p_hat, centre + half)
    return low, high
