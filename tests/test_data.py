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
