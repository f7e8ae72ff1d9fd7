"""Tests for utils.data: the course's MNIST copy and every way it can be damaged."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from utils import data
from utils.data import load_mnist

# Facts about the file from ../shared/datasets/README.md (independent of the loader).
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
FIRST_TRAIN = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
FIRST_TEST = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def test_shapes_and_dtypes_match_keras(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert (x_train.shape, y_train.shape) == ((60000, 28, 28), (60000,))
    assert (x_test.shape, y_test.shape) == ((10000, 28, 28), (10000,))
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8


def test_label_counts_and_first_labels(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert np.bincount(y_train, minlength=10).tolist() == TRAIN_COUNTS
    assert np.bincount(y_test, minlength=10).tolist() == TEST_COUNTS
    assert y_train[:10].tolist() == FIRST_TRAIN
    assert y_test[:10].tolist() == FIRST_TEST
    assert x_train.min() == 0 and x_train.max() == 255


def test_default_path_is_the_shipped_file():
    assert data.DATA_DIR / data.MNIST_FILE == Path(__file__).parent.parent / "data" / "mnist.npz"
    assert data.sha256_of(data.DATA_DIR / data.MNIST_FILE) == data.MNIST_SHA256


def test_loading_writes_nothing_into_data():
    before = {p: p.stat().st_mtime_ns for p in data.DATA_DIR.rglob("*")}
    load_mnist()
    after = {p: p.stat().st_mtime_ns for p in data.DATA_DIR.rglob("*")}
    assert before == after


def test_explicit_path_to_a_good_copy(tmp_path):
    copy = tmp_path / "mnist.npz"
    shutil.copyfile(data.DATA_DIR / data.MNIST_FILE, copy)
    (_, y_train), _ = load_mnist(str(copy))
    assert y_train[:10].tolist() == FIRST_TRAIN


def test_missing_file_names_it_and_says_how_to_restore(tmp_path):
    missing = tmp_path / "nowhere" / "mnist.npz"
    with pytest.raises(FileNotFoundError) as error:
        load_mnist(missing)
    message = str(error.value)
    assert str(missing) in message
    assert data.MNIST_SHA256 in message and "11,490,519 bytes" in message
    assert "git checkout -- data/mnist.npz" in message


def test_truncated_file(tmp_path):
    truncated = tmp_path / "mnist.npz"
    truncated.write_bytes((data.DATA_DIR / data.MNIST_FILE).read_bytes()[:1000])
    with pytest.raises(ValueError, match="truncated: 1,000 bytes, expected 11,490,519") as error:
        load_mnist(truncated)
    assert str(truncated) in str(error.value)
    assert "git checkout -- data/mnist.npz" in str(error.value)


def test_altered_file_of_the_right_size(tmp_path):
    altered = tmp_path / "mnist.npz"
    content = bytearray((data.DATA_DIR / data.MNIST_FILE).read_bytes())
    content[5_000_000] ^= 0xFF
    altered.write_bytes(bytes(content))
    with pytest.raises(ValueError, match="has been altered") as error:
        load_mnist(altered)
    message = str(error.value)
    assert str(altered) in message and data.MNIST_SHA256 in message
    assert data.sha256_of(altered) in message


def test_larger_file(tmp_path):
    padded = tmp_path / "mnist.npz"
    padded.write_bytes((data.DATA_DIR / data.MNIST_FILE).read_bytes() + b"\0")
    with pytest.raises(ValueError, match="larger than expected: 11,490,520 bytes"):
        load_mnist(padded)


def test_a_directory_is_not_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="mnist.npz not found"):
        load_mnist(tmp_path)


@pytest.mark.parametrize("bad", [42, b"data/mnist.npz", ["data/mnist.npz"]])
def test_wrong_path_type(bad):
    with pytest.raises(TypeError, match="path must be a str, an os.PathLike or None, got"):
        load_mnist(bad)


# ECG5000: facts from ../shared/datasets/README.md.
ECG_COUNTS = [292, 177, 10, 19, 2]


@pytest.fixture(scope="module")
def ecg():
    return data.load_ecg5000()


def test_ecg5000_shapes_dtypes_and_class_counts(ecg):
    signals, labels = ecg
    assert signals.shape == (500, 140) and signals.dtype == np.float32
    assert labels.shape == (500,) and np.issubdtype(labels.dtype, np.integer)
    assert labels.min() == 0 and labels.max() == 4
    assert np.bincount(labels).tolist() == ECG_COUNTS
    assert len(data.ECG5000_CLASSES) == 5


def test_ecg5000_matches_the_raw_text_and_is_z_normalised(ecg):
    signals, labels = ecg
    raw = np.loadtxt(data.DATA_DIR / "ecg5000" / "ECG5000_TRAIN.txt")
    np.testing.assert_array_equal(labels + 1, raw[:, 0])
    np.testing.assert_allclose(signals, raw[:, 1:], rtol=1e-6)
    np.testing.assert_allclose(signals.mean(axis=1), 0, atol=1e-3)
    np.testing.assert_allclose(signals.std(axis=1), 1, atol=1e-2)


def test_ecg5000_bad_files(tmp_path):
    good = (data.DATA_DIR / "ecg5000" / "ECG5000_TRAIN.txt").read_bytes()
    with pytest.raises(FileNotFoundError, match="ECG5000_TRAIN.txt not found") as error:
        data.load_ecg5000(tmp_path / "missing.txt")
    assert "git checkout -- data/ecg5000/ECG5000_TRAIN.txt" in str(error.value)
    truncated = tmp_path / "truncated.txt"
    truncated.write_bytes(good[:5000])
    with pytest.raises(ValueError, match="truncated: 5,000 bytes, expected 1,128,500"):
        data.load_ecg5000(truncated)
    altered = tmp_path / "altered.txt"
    altered.write_bytes(good.replace(b"1.0000000e+00", b"2.0000000e+00", 1))
    with pytest.raises(ValueError, match="has been altered"):
        data.load_ecg5000(altered)


def test_lecture_recipe_record_is_consistent():
    """data/lecture_recipe.json: each run's summary follows from its own history."""
    from utils.models import build_convnet, build_dense_baseline

    record = data.load_lecture_recipe()
    assert record["recipe"]["max_epochs"] == 100 and record["recipe"]["batch_size"] == 256
    assert "scripts/train_lecture_recipe.py" in record["made_by"]
    builders = {"convnet": build_convnet, "dense": build_dense_baseline}
    assert set(record["runs"]) == set(builders)
    for name, run in record["runs"].items():
        history = run["history"]
        epochs = run["epochs_run"]
        assert {len(values) for values in history.values()} == {epochs}
        val_loss = history["val_loss"]
        assert run["best_epoch"] == int(np.argmin(val_loss)) + 1
        # Early stopping with patience 5 ends the run 5 epochs after the best one (or at 100).
        patience = record["recipe"]["early_stopping_patience"]
        assert epochs == min(run["best_epoch"] + patience, record["recipe"]["max_epochs"])
        assert run["test_total"] == 10_000
        assert run["test_accuracy"] == round(1 - run["test_wrong"] / run["test_total"], 4)
        assert run["parameters"] == builders[name]().count_params()
    # The lesson's headline: the lecture recipe's ConvNet at about 99%, better than the dense one.
    assert record["runs"]["convnet"]["test_accuracy"] >= 0.985
    assert record["runs"]["convnet"]["test_wrong"] < record["runs"]["dense"]["test_wrong"]


def test_lecture_recipe_bad_file(tmp_path):
    good = (data.DATA_DIR / data.LECTURE_RECIPE_FILE).read_bytes()
    with pytest.raises(FileNotFoundError, match="lecture_recipe.json"):
        data.load_lecture_recipe(tmp_path / "lecture_recipe.json")
    altered = tmp_path / "altered.json"
    altered.write_bytes(good.replace(b'"best_epoch": 5', b'"best_epoch": 6', 1))
    with pytest.raises(ValueError, match="has been altered"):
        data.load_lecture_recipe(altered)


# Lesson 11: stratified subsets of MNIST. The references are np.bincount and set containment.
LEARNING_CURVE_SIZES = [600, 1_200, 3_000, 6_000]


@pytest.mark.parametrize("size", LEARNING_CURVE_SIZES)
def test_stratified_subset_counts_per_class(mnist, size):
    (_, y_train), _ = mnist
    indices = data.stratified_subset(y_train, size)
    assert indices.shape == (size,) and indices.dtype == np.int64
    assert np.all(np.diff(indices) > 0)  # sorted, no index twice
    assert np.bincount(y_train[indices], minlength=10).tolist() == [size // 10] * 10


def test_stratified_subsets_are_nested_and_seeded(mnist):
    (_, y_train), _ = mnist
    subsets = [set(data.stratified_subset(y_train, size).tolist()) for size in LEARNING_CURVE_SIZES]
    for smaller, larger in zip(subsets, subsets[1:], strict=False):
        assert smaller < larger
    np.testing.assert_array_equal(
        data.stratified_subset(y_train, 600, seed=4), data.stratified_subset(y_train, 600, seed=4)
    )
    other = set(data.stratified_subset(y_train, 600, seed=1).tolist())
    assert other != subsets[0] and len(other & subsets[0]) < 100  # about 600 * 60/6000 = 6 shared


@pytest.mark.parametrize("k", [1, 5, 10, 100])
def test_stratified_subset_of_some_classes(mnist, k):
    (_, y_train), _ = mnist
    indices = data.stratified_subset(y_train, 5 * k, classes=[5, 6, 7, 8, 9])
    assert np.bincount(y_train[indices], minlength=10).tolist() == [0] * 5 + [k] * 5
    # A class's examples depend on the seed and the class, not on the other classes asked for.
    everything = data.stratified_subset(y_train, 10 * k)
    np.testing.assert_array_equal(indices, everything[y_train[everything] >= 5])


def test_stratified_subset_on_small_labels():
    labels = np.array([2, 0, 2, 1, 0, 2, 1, 0, 1, 2])  # 3 zeros, 3 ones, 4 twos
    assert np.bincount(labels[data.stratified_subset(labels, 6)]).tolist() == [2, 2, 2]
    nine = data.stratified_subset(labels, 9)
    assert np.bincount(labels[nine]).tolist() == [3, 3, 3]
    assert set(np.flatnonzero(labels < 2).tolist()) <= set(nine.tolist())
    assert data.stratified_subset(labels, 4, classes=[2]).tolist() == [0, 2, 5, 9]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"size": 605},
            ValueError,
            r"size must be a multiple of the number of classes, 10, got 605",
        ),
        ({"size": 0}, ValueError, r"size must be at least 1, got 0"),
        (
            {"size": 55_000},
            ValueError,
            r"class 5 has 5421 examples in labels, fewer than the 5500 per class "
            r"that size=55000 asks for",
        ),
        (
            {"size": 2, "classes": [5, 10]},
            ValueError,
            r"class 10 has 0 examples in labels",
        ),
        (
            {"size": 4, "classes": [5, 5]},
            ValueError,
            r"classes must be a non-empty list of distinct classes, got \[5, 5\]",
        ),
        ({"size": 6, "classes": [0.5]}, TypeError, r"classes must hold integers, got dtype"),
        ({"size": 600, "seed": -1}, ValueError, r"seed must be at least 0, got -1"),
        ({"size": 600.0}, TypeError, r"size must be an int, got float 600.0"),
    ],
)
def test_stratified_subset_errors(mnist, kwargs, error, message):
    (_, y_train), _ = mnist
    with pytest.raises(error, match=message):
        data.stratified_subset(y_train, **kwargs)


def test_stratified_subset_checks_labels():
    with pytest.raises(TypeError, match=r"labels must hold integers, got dtype float64"):
        data.stratified_subset(np.array([0.0, 1.0]), 2)
    with pytest.raises(ValueError, match=r"labels must be 1-D, got shape \(2, 2\)"):
        data.stratified_subset(np.zeros((2, 2), dtype=int), 2)
    with pytest.raises(ValueError, match=r"labels must hold classes of at least 0, got -1"):
        data.stratified_subset(np.array([-1, 0, 1]), 2)


# Lesson 11: a shifted and rotated copy of a batch. The references: the image itself, a
# zero-filled np.roll and lesson 06's shift_image for whole-pixel shifts, np.rot90 for
# quarter turns, scipy.ndimage.rotate for any angle, and the pixel sum.
def blob_image(seed: int = 0) -> np.ndarray:
    """A 28 x 28 float image: random values in a 12 x 10 box, zeros around it."""
    image = np.zeros((28, 28))
    image[8:20, 9:19] = np.random.default_rng(seed).random((12, 10))
    return image


def rolled_with_zeros(image: np.ndarray, down: int, right: int) -> np.ndarray:
    """np.roll, with the rows and columns that wrapped round set to 0."""
    out = np.roll(image, (down, right), axis=(0, 1))
    if down > 0:
        out[:down] = 0
    elif down < 0:
        out[down:] = 0
    if right > 0:
        out[:, :right] = 0
    elif right < 0:
        out[:, right:] = 0
    return out


@pytest.mark.parametrize(
    "images",
    [
        np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28),
        np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32),
        np.random.default_rng(1).random((2, 9, 7)),
    ],
)
def test_no_shift_and_no_rotation_is_the_identity(images):
    out = data.shift_and_rotate(images, max_shift=0, max_degrees=0)
    assert out.shape == images.shape and out.dtype == images.dtype
    np.testing.assert_array_equal(out, images)
    assert out is not images


@pytest.mark.parametrize(("down", "right"), [(0, 0), (1, 0), (0, -2), (3, -3), (-3, 2), (-1, -1)])
def test_a_whole_pixel_shift_is_a_zero_filled_roll(down, right):
    from utils.widgets.explorer.edits import shift_image

    image = blob_image()
    moved = data._rotate_and_shift(image, 0.0, down, right)
    np.testing.assert_array_equal(moved, rolled_with_zeros(image, down, right))
    np.testing.assert_array_equal(moved, shift_image(image, down=down, right=right))


def test_random_shifts_without_rotation_are_rolls_covering_the_range():
    images = np.stack([blob_image(seed) for seed in range(600)])
    out = data.shift_and_rotate(images, max_shift=2, max_degrees=0, seed=3)
    found = []
    for image, moved in zip(images, out, strict=True):
        matches = [
            (down, right)
            for down in range(-2, 3)
            for right in range(-2, 3)
            if np.array_equal(moved, rolled_with_zeros(image, down, right))
        ]
        assert len(matches) == 1
        found += matches
    assert set(found) == {(down, right) for down in range(-2, 3) for right in range(-2, 3)}


@pytest.mark.parametrize(("degrees", "quarter_turns"), [(90, 1), (-90, -1), (180, 2), (360, 0)])
def test_quarter_turns_are_rot90(degrees, quarter_turns):
    image = blob_image()
    turned = data._rotate_and_shift(image, float(degrees), 0, 0)
    np.testing.assert_allclose(turned, np.rot90(image, quarter_turns), atol=1e-9)


@pytest.mark.parametrize("degrees", [-15.0, -7.5, 3.0, 12.25, 45.0])
def test_a_rotation_matches_scipy_ndimage_rotate(degrees):
    from scipy import ndimage

    image = blob_image(1)
    reference = ndimage.rotate(image, degrees, reshape=False, order=1, mode="grid-constant")
    np.testing.assert_allclose(data._rotate_and_shift(image, degrees, 0, 0), reference, atol=1e-9)
    # Rotated, then shifted: the rotated image moved by whole pixels.
    np.testing.assert_allclose(
        data._rotate_and_shift(image, degrees, 2, -1),
        rolled_with_zeros(reference, 2, -1),
        atol=1e-9,
    )


def test_shift_and_rotate_is_seeded_and_keeps_dtype_shape_and_range(mnist):
    _, (x_test, _) = mnist
    digits = x_test[:50]
    first = data.shift_and_rotate(digits)
    assert first.shape == digits.shape and first.dtype == np.uint8
    np.testing.assert_array_equal(first, data.shift_and_rotate(digits, seed=0))
    np.testing.assert_array_equal(first[:20], data.shift_and_rotate(digits[:20]))
    other = data.shift_and_rotate(digits, seed=1)
    assert all(not np.array_equal(a, b) for a, b in zip(first, other, strict=True))
    assert not np.array_equal(first, digits)
    floats = (digits / 255).astype(np.float32)[..., None]
    moved = data.shift_and_rotate(floats)
    assert moved.shape == (50, 28, 28, 1) and moved.dtype == np.float32
    assert moved.min() >= 0 and moved.max() <= 1
    # The uint8 result is the float one, rounded (same angles and shifts).
    assert np.abs(moved[..., 0] * 255 - first).max() <= 0.5 + 1e-3


def test_shift_and_rotate_keeps_the_ink_of_a_centred_digit(mnist):
    _, (x_test, _) = mnist
    digits = x_test[:500]
    ink_rows, ink_cols = digits.max(axis=2) > 0, digits.max(axis=1) > 0
    # Digits with at least 4 empty rows and columns on every side: a 3-pixel shift loses nothing.
    margin = np.minimum.reduce(
        [
            ink_rows.argmax(axis=1),
            ink_rows[:, ::-1].argmax(axis=1),
            ink_cols.argmax(axis=1),
            ink_cols[:, ::-1].argmax(axis=1),
        ]
    )
    centred = (digits[margin >= 4] / 255).astype(np.float32)
    assert len(centred) > 100
    moved = data.shift_and_rotate(centred)
    ratio = moved.sum(axis=(1, 2), dtype=np.float64) / centred.sum(axis=(1, 2), dtype=np.float64)
    np.testing.assert_allclose(ratio, 1.0, atol=0.01)


@pytest.mark.parametrize(
    ("images", "kwargs", "error", "message"),
    [
        (
            np.zeros((2, 28, 28, 3)),
            {},
            ValueError,
            r"images must have shape \(N, height, width\) or \(N, height, width, 1\), "
            r"got shape \(2, 28, 28, 3\)",
        ),
        (np.zeros((28, 28)), {}, ValueError, r"images must have shape .*got shape \(28, 28\)"),
        (np.zeros((1, 5, 5), dtype=bool), {}, TypeError, r"images must hold real numbers"),
        ("digits", {}, TypeError, r"images must be an array of numbers, got str"),
        (np.zeros((1, 5, 5)), {"max_shift": -1}, ValueError, r"max_shift must be at least 0"),
        (np.zeros((1, 5, 5)), {"max_shift": 1.5}, TypeError, r"max_shift must be an int"),
        (
            np.zeros((1, 5, 5)),
            {"max_degrees": 200},
            ValueError,
            r"max_degrees must be between 0 and 180, got 200.0",
        ),
        (np.zeros((1, 5, 5)), {"max_degrees": "15"}, TypeError, r"max_degrees must be a number"),
        (np.zeros((1, 5, 5)), {"seed": -2}, ValueError, r"seed must be at least 0, got -2"),
    ],
)
def test_shift_and_rotate_errors(images, kwargs, error, message):
    with pytest.raises(error, match=message):
        data.shift_and_rotate(images, **kwargs)
