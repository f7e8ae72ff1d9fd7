"""Tests for utils.evaluation, each against an independent reference.

Stratified folds are checked by their defining properties (hypothesis), the F1
scores against ``keras.metrics.F1Score`` and hand-worked cases, and the
1-nearest-neighbour classifier against a brute-force loop.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from utils.data import load_ecg5000
from utils.evaluation import (
    macro_f1,
    one_nn_predict,
    per_class_f1,
    stratified_folds,
    wilson_interval,
)

# --- stratified_folds ---


@st.composite
def labels_and_folds(draw):
    labels = draw(st.lists(st.integers(0, 4), min_size=2, max_size=120))
    n_folds = draw(st.integers(2, min(10, len(labels))))
    seed = draw(st.integers(0, 2**32 - 1))
    return np.array(labels), n_folds, seed


@given(labels_and_folds())
@settings(max_examples=200, deadline=None)
def test_every_index_is_in_exactly_one_test_fold(case):
    labels, n_folds, seed = case
    folds = stratified_folds(labels, n_folds, seed)
    assert len(folds) == n_folds
    tests = np.concatenate([test for _, test in folds])
    assert sorted(tests.tolist()) == list(range(labels.size))
    for train, test in folds:
        assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)  # sorted, no repeats
        assert np.intersect1d(train, test).size == 0
        assert train.size + test.size == labels.size
        assert train.dtype == test.dtype == np.int64


@given(labels_and_folds())
@settings(max_examples=200, deadline=None)
def test_folds_keep_the_class_proportions_and_have_equal_sizes(case):
    labels, n_folds, seed = case
    folds = stratified_folds(labels, n_folds, seed)
    sizes = [test.size for _, test in folds]
    assert max(sizes) - min(sizes) <= 1
    for label in np.unique(labels):
        n_label = int(np.sum(labels == label))
        per_fold = [int(np.sum(labels[test] == label)) for _, test in folds]
        assert set(per_fold) <= {n_label // n_folds, math.ceil(n_label / n_folds)}
        assert sum(per_fold) == n_label


def test_ecg5000_folds_the_rarest_class_is_in_two_test_folds_only():
    _, labels = load_ecg5000()
    folds = stratified_folds(labels, 5, seed=0)
    counts = np.array([np.bincount(labels[test], minlength=5) for _, test in folds])
    assert counts.sum(axis=0).tolist() == [292, 177, 10, 19, 2]
    assert counts[:, 2].tolist() == [2] * 5
    assert sorted(counts[:, 4].tolist()) == [0, 0, 0, 1, 1]
    assert [test.size for _, test in folds] == [100] * 5


def test_the_seed_fixes_the_folds():
    labels = np.repeat(np.arange(3), 20)
    first = stratified_folds(labels, 4, seed=1)
    again = stratified_folds(labels, 4, seed=1)
    other = stratified_folds(labels, 4, seed=2)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(first, other, strict=True))


@pytest.mark.parametrize(
    ("labels", "kwargs", "error", "message"),
    [
        ("0011", {}, TypeError, "labels must be an array of integer class labels, got str"),
        (np.zeros((4, 2), int), {}, ValueError, r"labels must have shape \(n,\), got shape"),
        (np.array([0.0, 1.0]), {}, TypeError, "labels must hold integers"),
        (np.array([0, -1, 1]), {"n_folds": 2}, ValueError, "labels must hold class numbers"),
        (np.arange(6), {"n_folds": 1}, ValueError, "n_folds must be at least 2, got 1"),
        (np.arange(6), {"n_folds": 7}, ValueError, "n_folds must be at most .* 6, got 7"),
        (np.arange(6), {"n_folds": 2.0}, TypeError, "n_folds must be an int, got float"),
        (np.arange(6), {"seed": "0"}, TypeError, "seed must be an int, got str"),
    ],
)
def test_stratified_folds_errors_name_the_argument(labels, kwargs, error, message):
    with pytest.raises(error, match=message):
        stratified_folds(labels, **kwargs)


# --- per_class_f1 and macro_f1 ---


def keras_f1(y_true, y_pred, n_classes, average):
    """keras.metrics.F1Score on one-hot labels and one-hot predictions."""
    metric = keras.metrics.F1Score(average=average)
    metric.update_state(
        keras.utils.to_categorical(y_true, n_classes), keras.utils.to_categorical(y_pred, n_classes)
    )
    return keras.ops.convert_to_numpy(metric.result())


@st.composite
def predictions(draw, every_class_present):
    n_classes = draw(st.integers(2, 5))
    size = draw(st.integers(n_classes if every_class_present else 1, 40))
    y_true = np.array(draw(st.lists(st.integers(0, n_classes - 1), min_size=size, max_size=size)))
    if every_class_present:
        y_true[:n_classes] = np.arange(n_classes)
    y_pred = np.array(draw(st.lists(st.integers(0, n_classes - 1), min_size=size, max_size=size)))
    return y_true, y_pred, n_classes


@given(predictions(every_class_present=True))
@settings(max_examples=40, deadline=None)
def test_macro_f1_matches_keras_when_every_class_occurs(case):
    y_true, y_pred, n_classes = case
    expected = float(keras_f1(y_true, y_pred, n_classes, "macro"))
    assert macro_f1(y_true, y_pred, n_classes) == pytest.approx(expected, abs=1e-5)


@given(predictions(every_class_present=False))
@settings(max_examples=40, deadline=None)
def test_per_class_f1_matches_keras_and_is_nan_only_for_absent_classes(case):
    y_true, y_pred, n_classes = case
    ours = per_class_f1(y_true, y_pred, n_classes)
    expected = keras_f1(y_true, y_pred, n_classes, None)
    absent = np.array([c not in y_true and c not in y_pred for c in range(n_classes)])
    assert np.array_equal(np.isnan(ours), absent)
    np.testing.assert_allclose(ours[~absent], expected[~absent], atol=1e-5)
    # Keras counts an absent class as 0; the course leaves it out of the mean.
    keras_macro = float(keras_f1(y_true, y_pred, n_classes, "macro"))
    ours_macro = macro_f1(y_true, y_pred, n_classes)
    assert ours_macro * (~absent).sum() / n_classes == pytest.approx(keras_macro, abs=1e-5)


def test_f1_hand_cases():
    assert macro_f1([0, 1, 2, 2], [0, 1, 2, 2], 3) == 1.0
    # Everything predicted as class 0: F1 = 2*2 / (2*2 + 2 + 0) = 2/3 for class 0, 0 for class 1.
    np.testing.assert_allclose(per_class_f1([0, 0, 1, 1], [0, 0, 0, 0], 2), [2 / 3, 0.0])
    assert macro_f1([0, 0, 1, 1], [0, 0, 0, 0], 2) == pytest.approx(1 / 3)
    # Class 2 neither occurs nor is predicted: no F1, left out of the mean (Keras would say 2/3).
    assert np.isnan(per_class_f1([0, 1], [0, 1], 3)[2])
    assert macro_f1([0, 1], [0, 1], 3) == 1.0
    # Class 2 is predicted but never occurs: a false alarm, F1 = 0, and it counts.
    np.testing.assert_allclose(per_class_f1([0, 0], [0, 2], 3), [2 / 3, np.nan, 0.0])
    assert macro_f1([0, 0], [0, 2], 3) == pytest.approx(1 / 3)
    # A rare class missed entirely: accuracy 0.9, macro-F1 much lower.
    y_true = np.array([0] * 9 + [1])
    assert macro_f1(y_true, np.zeros(10, int), 2) == pytest.approx((18 / 19 + 0) / 2)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (([0, 1], [0], 2), ValueError, "y_true and y_pred must have the same length, got 2 and 1"),
        (
            ([0, 3], [0, 1], 3),
            ValueError,
            r"y_true must hold classes 0 to 2 \(n_classes=3\), got 3",
        ),
        (([0, 1], [0, 5], 2), ValueError, "y_pred must hold classes 0 to 1"),
        (([0, 1], [0.0, 1.0], 2), TypeError, "y_pred must hold integers"),
        (([0, 1], [0, 1], 1), ValueError, "n_classes must be at least 2, got 1"),
        (([0, 1], [0, 1], "2"), TypeError, "n_classes must be an int, got str"),
        ((np.array([], int), np.array([], int), 2), ValueError, "at least one example"),
    ],
)
def test_f1_errors_name_the_argument(args, error, message):
    with pytest.raises(error, match=message):
        macro_f1(*args)


# --- one_nn_predict ---


def brute_force_1nn(train_x, train_y, test_x):
    predicted = []
    for series in test_x:
        best, best_distance = None, math.inf
        for candidate, label in zip(train_x, train_y, strict=True):
            distance = sum(
                (float(a) - float(b)) ** 2 for a, b in zip(series, candidate, strict=True)
            )
            if distance < best_distance:  # strict: a tie keeps the first
                best, best_distance = label, distance
        predicted.append(best)
    return np.array(predicted)


@st.composite
def nn_problems(draw):
    length = draw(st.integers(1, 6))
    n_train, n_test = draw(st.integers(1, 12)), draw(st.integers(0, 70))
    # Small whole numbers make exact ties common, so the tie rule is tested too.
    values = st.integers(-3, 3).map(float)
    train_x = draw(arrays(np.float64, (n_train, length), elements=values))
    test_x = draw(arrays(np.float64, (n_test, length), elements=values))
    train_y = draw(arrays(np.int64, (n_train,), elements=st.integers(0, 4)))
    return train_x, train_y, test_x


@given(nn_problems())
@settings(max_examples=200, deadline=None)
def test_one_nn_matches_a_brute_force_loop(problem):
    train_x, train_y, test_x = problem
    predicted = one_nn_predict(train_x, train_y, test_x)
    assert predicted.dtype == np.int64 and predicted.shape == (test_x.shape[0],)
    np.testing.assert_array_equal(predicted, brute_force_1nn(train_x, train_y, test_x))


def test_one_nn_on_real_beats_matches_the_loop_and_finds_each_training_beat():
    signals, labels = load_ecg5000()
    train_x, train_y, test_x = signals[:300], labels[:300], signals[300:380]
    np.testing.assert_array_equal(
        one_nn_predict(train_x, train_y, test_x), brute_force_1nn(train_x, train_y, test_x)
    )
    # A training beat's nearest neighbour is itself (distance 0), so 1-NN
    # gets its own training set right: training accuracy says nothing here.
    np.testing.assert_array_equal(one_nn_predict(train_x, train_y, train_x), train_y)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (
            (np.zeros(3), [0], np.zeros((1, 3))),
            ValueError,
            r"train_x must have shape \(n, length\)",
        ),
        (
            (np.zeros((2, 3)), [0, 1], np.zeros(3)),
            ValueError,
            r"test_x must have shape \(n, length\)",
        ),
        ((np.zeros((0, 3)), [], np.zeros((1, 3))), ValueError, "train_x must hold at least one"),
        (
            (np.zeros((2, 3)), [0], np.zeros((1, 3))),
            ValueError,
            "one label per row of train_x: got 1",
        ),
        (
            (np.zeros((2, 3)), [0, 1], np.zeros((1, 4))),
            ValueError,
            "same length as train_x, 3, got 4",
        ),
        ((np.zeros((2, 3)), [0.0, 1.0], np.zeros((1, 3))), TypeError, "train_y must hold integers"),
        ((np.zeros((2, 3)), "01", np.zeros((1, 3))), TypeError, "train_y must be an array"),
    ],
)
def test_one_nn_errors_name_the_argument(args, error, message):
    with pytest.raises(error, match=message):
        one_nn_predict(*args)


# --- wilson_interval ---


@given(
    st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
@settings(max_examples=200, deadline=None)
def test_wilson_interval_matches_scipy(case, confidence):
    from scipy.stats import binomtest

    successes, n = case
    expected = binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
    low, high = wilson_interval(successes, n, confidence)
    assert low == pytest.approx(expected.low, abs=1e-9)
    assert high == pytest.approx(expected.high, abs=1e-9)
    assert 0 <= low <= successes / n <= high <= 1


def test_wilson_interval_hand_values_and_shrinking_width():
    # At 0 of n the upper end is z^2 / (n + z^2): 3.8415 / 13.8415 for n = 10.
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.27753, abs=1e-5)
    assert wilson_interval(10, 10)[0] == pytest.approx(1 - 0.27753, abs=1e-5)
    # The same proportion, one half, pinned down better with more examples.
    widths = [np.subtract(*wilson_interval(n // 2, n)[::-1]) for n in (2, 10, 100, 1000)]
    assert widths == sorted(widths, reverse=True)
    assert wilson_interval(1, 2) == pytest.approx((0.0945, 0.9055), abs=1e-4)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((3, 2), ValueError, "successes must be at most n = 2, got 3"),
        ((-1, 2), ValueError, "successes must be at least 0, got -1"),
        ((0, 0), ValueError, "n must be at least 1, got 0"),
        ((1.0, 2), TypeError, "successes must be an int, got float"),
        ((1, 2, 1.5), ValueError, "confidence must be strictly between 0 and 1, got 1.5"),
        ((1, 2, "95%"), TypeError, "confidence must be a number, got str"),
    ],
)
def test_wilson_interval_errors_name_the_argument(args, error, message):
    with pytest.raises(error, match=message):
        wilson_interval(*args)
