"""Loading the data sets that ship with the course, offline and verified.

The files live in ``data/`` at the top of the repository (see ``data/README.md``
for provenance and licences). Nothing here downloads anything or writes into
``data/``: a missing or damaged file is reported with how to restore it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from utils._validate import as_path, optional_path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
"""Folder of the course's data files (``data/`` beside ``utils/``)."""

MNIST_FILE = "mnist.npz"
MNIST_SHA256 = "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"
MNIST_SIZE = 11_490_519
_MNIST_ARRAYS = ("x_train", "y_train", "x_test", "y_test")

_RESTORE_HINT = (
    "Restore it with `git checkout -- data/{name}` from the course repository, "
    "or copy it again from a fresh clone of the course."
)


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Return the hexadecimal sha256 digest of the file at ``path``."""
    path = as_path(path, "path")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_file(
    path: str | os.PathLike[str] | None,
    *,
    default_name: str,
    sha256: str,
    size: int,
) -> Path:
    """Check that a course data file is present and intact; return its path.

    Parameters
    ----------
    path : str, os.PathLike or None
        The file to check; ``None`` means ``data/<default_name>``.
    default_name : str
        File name inside ``data/``, used for the default path and in messages.
    sha256 : str
        Expected hexadecimal sha256 digest of the file.
    size : int
        Expected size of the file in bytes.

    Raises
    ------
    TypeError
        If ``path`` is not a string, a path or ``None``.
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file has the wrong size (truncated or padded) or the wrong
        sha256 (altered). The message names the file, what was expected and
        how to restore it.
    """
    path = optional_path(path, "path") or DATA_DIR / default_name
    hint = _RESTORE_HINT.format(name=default_name)
    if not path.is_file():
        raise FileNotFoundError(
            f"{default_name} not found at {path}: expected a file of {size:,} bytes "
            f"with sha256 {sha256}. {hint}"
        )
    actual_size = path.stat().st_size
    if actual_size != size:
        kind = "truncated" if actual_size < size else "larger than expected"
        raise ValueError(
            f"{path} is {kind}: {actual_size:,} bytes, expected {size:,} bytes "
            f"(sha256 {sha256}). {hint}"
        )
    actual_sha = sha256_of(path)
    if actual_sha != sha256:
        raise ValueError(
            f"{path} has been altered: its sha256 is {actual_sha}, expected {sha256}. {hint}"
        )
    return path


def load_mnist(
    path: str | os.PathLike[str] | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST from the course's own copy, like ``keras.datasets.mnist.load_data()``.

    The file's sha256 is checked before anything is loaded, the arrays are
    read with ``allow_pickle=False``, and nothing is downloaded or written.

    Parameters
    ----------
    path : str, os.PathLike or None, optional
        An ``.npz`` file with the arrays ``x_train``, ``y_train``, ``x_test``
        and ``y_test``. The default is ``data/mnist.npz`` in the repository.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x_train``: uint8 array of shape (60000, 28, 28), pixel values 0-255;
        ``y_train``: uint8 array of shape (60000,), digits 0-9;
        ``x_test``: uint8 array of shape (10000, 28, 28);
        ``y_test``: uint8 array of shape (10000,).

    Raises
    ------
    FileNotFoundError, ValueError, TypeError
        See :func:`verify_file`; the message says how to restore the file.
    """
    path = verify_file(path, default_name=MNIST_FILE, sha256=MNIST_SHA256, size=MNIST_SIZE)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in _MNIST_ARRAYS}
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


ECG5000_FILE = "ecg5000/ECG5000_TRAIN.txt"
ECG5000_SHA256 = "0d96aff193311a6dc6111bf0dbd2f7d2313987fbf7a1da4a383d92563876057b"
ECG5000_SIZE = 1_128_500
ECG5000_CLASSES = (
    "normal",
    "R-on-T premature ventricular contraction",
    "premature ventricular contraction",
    "supraventricular premature beat",
    "unclassified beat",
)
"""Names of the ECG5000 classes, indexed by the labels that :func:`load_ecg5000` returns."""


def load_ecg5000(path: str | os.PathLike[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Load the course's copy of the ECG5000 training split: 500 heartbeats.

    The file's size and sha256 are checked first (see :func:`verify_file`);
    nothing is downloaded or written. Used by notebooks/08_conv1d_ecg.ipynb.

    Parameters
    ----------
    path : str, os.PathLike or None, optional
        The UCR-format text file (one beat a line: the class 1-5, then 140
        samples). The default is ``data/ecg5000/ECG5000_TRAIN.txt``.

    Returns
    -------
    signals : numpy.ndarray of float32, shape (500, 140)
        One z-normalised heartbeat per row.
    labels : numpy.ndarray of int64, shape (500,)
        The class of each beat, 0-4 (the file's 1-5 minus one); their names
        are ``ECG5000_CLASSES``.

    Raises
    ------
    FileNotFoundError, ValueError, TypeError
        As :func:`verify_file`: a missing, truncated or altered file, or a
        path that is not a path; the message says how to restore the file.
    """
    path = verify_file(path, default_name=ECG5000_FILE, sha256=ECG5000_SHA256, size=ECG5000_SIZE)
    table = np.loadtxt(path, dtype=np.float64)
    labels = table[:, 0].astype(np.int64) - 1
    return table[:, 1:].astype(np.float32), labels


LECTURE_RECIPE_FILE = "lecture_recipe.json"
LECTURE_RECIPE_SHA256 = "fc762baec8a9075a4b92114a107a94ebc7ef1ab58c39bd167c3fbcb26cf0d4b7"
LECTURE_RECIPE_SIZE = 2_842


def load_lecture_recipe(path: str | os.PathLike[str] | None = None) -> dict:
    """Load the record of the lecture's recipe run to the end on lesson 05's two networks.

    ``scripts/train_lecture_recipe.py`` made the file: RMSprop, batch 256, a
    sixth of the training images for validation, up to 100 epochs with early
    stopping (patience 5), for ``build_convnet()`` and ``build_dense_baseline()``.
    The file's size and sha256 are checked first (see :func:`verify_file`).

    Parameters
    ----------
    path : str, os.PathLike or None, optional
        The JSON record; the default is ``data/lecture_recipe.json``.

    Returns
    -------
    dict
        ``made_by`` (the command), ``seed``, ``recipe``, ``machine`` and
        ``runs``: for ``"convnet"`` and ``"dense"``, ``parameters``,
        ``epochs_run``, ``best_epoch`` (1-based, the one whose weights were
        kept), ``test_wrong``, ``test_total``, ``test_accuracy`` and
        ``history`` (per-epoch ``loss``, ``accuracy``, ``val_loss``,
        ``val_accuracy``, as Keras' ``History.history``); no timings.

    Raises
    ------
    FileNotFoundError, ValueError, TypeError
        As :func:`verify_file`.
    """
    path = verify_file(
        path,
        default_name=LECTURE_RECIPE_FILE,
        sha256=LECTURE_RECIPE_SHA256,
        size=LECTURE_RECIPE_SIZE,
    )
    return json.loads(path.read_text(encoding="utf-8"))
