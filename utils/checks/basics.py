"""Lesson 00 (start here): the warm-up checker, a count of the images of one digit."""

from __future__ import annotations

from collections import Counter

import numpy as np

from utils._validate import integer
from utils.checks._core import CheckResult, correct, is_unanswered, unanswered, wrong


def check_digit_count(answer: object, labels: object, digit: int) -> CheckResult:
    """Check a count of how many ``labels`` equal ``digit`` (lesson 00's warm-up).

    Parameters
    ----------
    answer : int
        The student's count.
    labels : array_like, shape (n,)
        The labels to count in, for example ``y_train``.
    digit : int
        The digit whose images are counted.
    """
    flat = np.asarray(labels).reshape(-1)
    if not np.issubdtype(flat.dtype, np.integer):
        raise TypeError(
            f"labels must be an array of integer labels, got dtype {flat.dtype} "
            f"(shape {np.shape(labels)})"
        )
    digit = integer(digit, "digit")
    if is_unanswered(answer):
        return unanswered(f"the number of {digit}s")
    expected = Counter(int(label) for label in flat)[digit]
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        hint = ""
        if getattr(answer, "shape", None):
            hint = " It looks like an array: count with np.sum(...) or np.count_nonzero(...)."
        return wrong(f"expected a whole number, got {type(answer).__name__}.{hint}")
    if int(answer) == expected:
        return correct(f"{expected} images show the digit {digit}.")
    if int(answer) == len(flat):
        return wrong("that is the number of all images; keep only those equal to it.")
    return wrong(f"{int(answer)} is not the number of {digit}s. Compare labels == {digit}.")
