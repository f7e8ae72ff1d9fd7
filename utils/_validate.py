"""Argument checks shared by every module of ``utils``: one wording for each kind of mistake.

A wrong type raises ``TypeError``, a wrong value ``ValueError``. Every message
names the argument, says what was expected and what was given, in this form:

- ``n must be an int, got float 2.5``
- ``n must be at least 1, got 0`` (``at most 9``, ``between 0 and 9``)
- ``kernel_size must be an int or a pair (height, width), got (3, 3, 3)``
- ``image must be an array of numbers, got str``
- ``image must hold real numbers, got dtype complex128``
- ``mode must be one of 'max', 'avg', got 'mean'``
- ``path must be a str or an os.PathLike, got int 3``

Each function returns the value in the form the caller works with (a plain
``int``, a NumPy array), so a caller writes ``n = integer(n, "n", minimum=1)``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def integer(
    value: object, name: str, minimum: int | None = None, maximum: int | None = None
) -> int:
    """``value`` as an ``int`` (NumPy integers too, not bools), within the bounds given."""
    if not _is_int(value):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if minimum is not None and maximum is not None and not minimum <= value <= maximum:
        raise ValueError(f"{name} must be between {minimum} and {maximum}, got {int(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {int(value)}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {int(value)}")
    return int(value)


def optional_integer(value: object, name: str, minimum: int | None = None) -> int | None:
    """Like :func:`integer`, but ``None`` is allowed and returned as it is."""
    if value is None:
        return None
    if not _is_int(value):
        raise TypeError(f"{name} must be an int or None, got {type(value).__name__} {value!r}")
    return integer(value, name, minimum)


def number(value: object, name: str) -> float:
    """``value`` as a finite ``float`` (an int or a float, not a bool)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if isinstance(value, np.complexfloating) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return float(value)


def int_pair(value: object, name: str, minimum: int = 1) -> tuple[int, int]:
    """``value`` as ``(height, width)``: an int ``n`` means ``(n, n)``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (height, width), got {value!r}")
        return (
            integer(value[0], f"{name}[0]", minimum),
            integer(value[1], f"{name}[1]", minimum),
        )
    if not _is_int(value):
        raise TypeError(
            f"{name} must be an int or a pair (height, width), got {type(value).__name__} {value!r}"
        )
    size = integer(value, name, minimum)
    return size, size


def real_array(value: object, name: str, *, booleans: bool = True) -> np.ndarray:
    """``value`` as a NumPy array of real numbers (bools too, unless ``booleans`` is False)."""
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, (dict, set)):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    array = np.asarray(value)
    real = np.issubdtype(array.dtype, np.number) and not np.issubdtype(
        array.dtype, np.complexfloating
    )
    if not (real or (booleans and np.issubdtype(array.dtype, np.bool_))):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return array


def flag(value: object, name: str) -> bool:
    """``value`` if it is True or False (not 0, 1 or a string)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return value


def one_of(value: object, name: str, options: Sequence[str]) -> str:
    """``value`` if it is one of the strings ``options``."""
    listed = ", ".join(repr(option) for option in options)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {listed}, got {type(value).__name__} {value!r}")
    if value not in options:
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
    return value


def text(value: object, name: str) -> str:
    """``value`` if it is a string."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__} {value!r}")
    return value


def as_path(value: object, name: str) -> Path:
    """``value``, a str or an os.PathLike, as a ``Path`` (``open`` would take an int as a
    file descriptor)."""
    if not isinstance(value, str | os.PathLike):
        raise TypeError(
            f"{name} must be a str or an os.PathLike, got {type(value).__name__} {value!r}"
        )
    return Path(value)


def optional_path(value: object, name: str) -> Path | None:
    """Like :func:`as_path`, but ``None`` is allowed and returned as it is."""
    if value is None:
        return None
    if not isinstance(value, str | os.PathLike):
        raise TypeError(
            f"{name} must be a str, an os.PathLike or None, got {type(value).__name__} {value!r}"
        )
    return Path(value)
