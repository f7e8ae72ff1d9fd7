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

from utils._validate import as_path, integer, number, optional_path, real_array

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
"""Folder of the course's data files (``data/`` beside ``utils/``)."""

MNIST_FILE = "mnist.npz"
MNIST_SHA256 = "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"
MNIST_SIZE = 11_490_519
_MNIST_ARRAYS = ("x_train", "y_train", "x_test", "y_test")

PRETRAINED_FILE = "weights/mnist_convnet.weights.h5"
"""The course's pretrained ConvNet weights, inside ``data/``; ``scripts/train_pretrained.py``
writes them, ``utils.models.load_pretrained_convnet`` (Keras) and
``utils.numpy_convnet.load_numpy_convnet`` (NumPy only) read them."""
PRETRAINED_SHA256 = "5178dfbe8270bee7ca32a33454a5863745f599edf9e80236c1b44fc909b3dc64"
PRETRAINED_SIZE = 400_904

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


def stratified_subset(
    labels: np.ndarray,
    size: int,
    seed: int = 0,
    classes: np.ndarray | list[int] | None = None,
) -> np.ndarray:
    """The indices of a fixed, stratified, seeded subset: ``size / n_classes`` examples a class.

    Taught in notebooks/11_little_data.ipynb, section 1.

    Each class's indices are put in a random order drawn from the seed and the
    class alone (``numpy.random.default_rng([seed, class])``), and the first
    ``size / n_classes`` of that order are kept. So the subsets are **nested**:
    with the same seed, a smaller subset is contained in a larger one (the
    lesson's learning curve over 600, 1,200, 3,000 and 6,000 images adds images
    and never swaps them), and the examples kept of a class do not depend on
    which other classes are asked for.

    Parameters
    ----------
    labels : array of int, shape (n,)
        The class of each example, integers from 0 (MNIST's ``y_train``).
    size : int
        Number of indices to return, a multiple of the number of classes.
    seed : int, default 0
        Seed of the random orders, at least 0.
    classes : array of int or None, default None
        The classes to draw from, e.g. ``[5, 6, 7, 8, 9]`` for the transfer
        task of section 4; ``None`` means every class present in ``labels``.

    Returns
    -------
    numpy.ndarray of int64, shape (size,)
        Indices into ``labels``, sorted, with ``size / n_classes`` of each class.

    Raises
    ------
    TypeError
        If ``labels`` or ``classes`` do not hold integers, or ``size`` or
        ``seed`` is not an int.
    ValueError
        If ``labels`` is not 1-D or holds a negative class, ``classes`` is
        empty or repeats a class, ``size`` is not a multiple of the number of
        classes, or a class has fewer examples than ``size / n_classes``.
    """
    labels = _class_array(labels, "labels")
    size = integer(size, "size", minimum=1)
    seed = integer(seed, "seed", minimum=0)
    if classes is None:
        wanted = np.unique(labels)
    else:
        wanted = _class_array(classes, "classes")
        if wanted.size == 0 or np.unique(wanted).size != wanted.size:
            raise ValueError(
                f"classes must be a non-empty list of distinct classes, got {wanted.tolist()}"
            )
    if size % wanted.size:
        raise ValueError(
            f"size must be a multiple of the number of classes, {wanted.size}, got {size}"
        )
    per_class = size // wanted.size
    chosen = []
    for label in wanted.tolist():
        members = np.flatnonzero(labels == label)
        if members.size < per_class:
            raise ValueError(
                f"class {label} has {members.size} examples in labels, fewer than the "
                f"{per_class} per class that size={size} asks for"
            )
        order = np.random.default_rng([seed, label]).permutation(members.size)
        chosen.append(members[order[:per_class]])
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def _class_array(value: object, name: str) -> np.ndarray:
    array = real_array(value, name, booleans=False)
    if not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must hold integers, got dtype {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must hold classes of at least 0, got {int(array.min())}")
    return array.astype(np.int64)


def shift_and_rotate(
    images: np.ndarray, max_shift: int = 3, max_degrees: float = 15, seed: int = 0
) -> np.ndarray:
    """A shifted and rotated copy of a batch of grey images, the same for the same seed.

    Taught in notebooks/11_little_data.ipynb, section 2, which makes a
    "shifted and rotated test set" with it. Each image is rotated about its
    centre by an angle drawn uniformly in ``[-max_degrees, max_degrees]``
    (positive: counter-clockwise as displayed, as ``np.rot90`` and
    ``scipy.ndimage.rotate`` turn), then moved by a whole number of pixels
    drawn uniformly in ``[-max_shift, max_shift]`` on each axis (positive:
    down and right, as lesson 06's ``shift_image``). Both are done at once by
    ``scipy.ndimage.affine_transform`` with bilinear interpolation; what comes
    in from outside the image is 0. A whole-pixel shift alone moves the pixels
    exactly, as lesson 04's ``shift_right`` does.

    Image ``i``'s angle and shift depend only on the seed and ``i``, so
    ``shift_and_rotate(x[:100])`` is ``shift_and_rotate(x)[:100]``.

    Parameters
    ----------
    images : array, shape (N, height, width) or (N, height, width, 1)
        Grey images (MNIST's (N, 28, 28) uint8 digits, or floats in [0, 1]).
    max_shift : int, default 3
        Largest shift, in pixels, on each axis; 0 for none.
    max_degrees : float, default 15
        Largest rotation, in degrees, either way; between 0 and 180.
    seed : int, default 0
        Seed of the angles and shifts, at least 0.

    Returns
    -------
    numpy.ndarray
        The same shape and dtype as ``images``; integer images are rounded to
        the nearest integer. Bilinear interpolation mixes neighbouring pixels
        and 0, so the values stay within those of the image and 0 (a uint8
        digit stays in 0-255, a float one in [0, 1]).

    Raises
    ------
    TypeError
        If ``images`` does not hold real numbers, or an argument has the wrong type.
    ValueError
        If ``images`` has another shape, or an argument is out of range.
    """
    array = real_array(images, "images", booleans=False)
    if not (array.ndim == 3 or (array.ndim == 4 and array.shape[-1] == 1)):
        raise ValueError(
            "images must have shape (N, height, width) or (N, height, width, 1), "
            f"got shape {array.shape}"
        )
    max_shift = integer(max_shift, "max_shift", minimum=0)
    max_degrees = number(max_degrees, "max_degrees")
    if not 0 <= max_degrees <= 180:
        raise ValueError(f"max_degrees must be between 0 and 180, got {max_degrees}")
    seed = integer(seed, "seed", minimum=0)
    # One row of three uniform numbers per image: its angle, its shift down, its shift right.
    draws = np.random.default_rng(seed).random((array.shape[0], 3))
    degrees = (2 * draws[:, 0] - 1) * max_degrees
    shifts = np.floor(draws[:, 1:] * (2 * max_shift + 1)).astype(np.int64) - max_shift
    flat = array.reshape(array.shape[:3]).astype(np.float64)
    moved = np.empty_like(flat)
    for i, image in enumerate(flat):
        moved[i] = _rotate_and_shift(image, degrees[i], int(shifts[i, 0]), int(shifts[i, 1]))
    if np.issubdtype(array.dtype, np.integer):
        limits = np.iinfo(array.dtype)
        moved = np.clip(np.rint(moved), limits.min, limits.max)
    return moved.astype(array.dtype).reshape(array.shape)


def _rotate_and_shift(image: np.ndarray, degrees: float, down: int, right: int) -> np.ndarray:
    """One 2-D float image rotated by ``degrees`` about its centre, then moved ``down``, ``right``.

    ``affine_transform`` reads the output pixel ``o`` from the input at
    ``inverse @ o + offset``: the rotation undone about the centre ``c``, after
    the shift ``s`` is: ``inverse @ (o - c - s) + c``. In (row, column)
    coordinates, with rows pointing down, a counter-clockwise turn is
    ``[[cos, -sin], [sin, cos]]``; its inverse is its transpose.
    """
    from scipy import ndimage

    theta = np.deg2rad(degrees)
    cos, sin = np.cos(theta), np.sin(theta)
    inverse = np.array([[cos, sin], [-sin, cos]])
    centre = (np.array(image.shape, dtype=np.float64) - 1) / 2
    offset = centre - inverse @ (centre + np.array([down, right], dtype=np.float64))
    return ndimage.affine_transform(
        image, inverse, offset=offset, order=1, mode="grid-constant", cval=0.0
    )
