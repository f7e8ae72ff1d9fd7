"""Lesson 05 (a ConvNet on MNIST): the relative decrease in test error."""

from __future__ import annotations

import numpy as np

from utils._validate import number
from utils.checks._core import CheckResult, correct, is_unanswered, unanswered, wrong


def check_relative_error_decrease(
    answer: object, old_error: float, new_error: float
) -> CheckResult:
    """Check the relative decrease from ``old_error`` to ``new_error`` (lesson 05).

    The relative decrease is ``(old_error - new_error) / old_error``, a fraction:
    from 3% to 1% error it is 2/3, about 0.667 (the lecture's "67%").

    Parameters
    ----------
    answer : float
        The student's fraction.
    old_error, new_error : float
        The error rates before and after, as fractions in (0, 1].

    Raises
    ------
    TypeError
        If ``old_error`` or ``new_error`` is not a number.
    ValueError
        If ``old_error`` is not positive (there is nothing to decrease).
    """
    old, new = number(old_error, "old_error"), number(new_error, "new_error")
    if not old > 0:
        raise ValueError(f"old_error must be positive, got {old_error!r}")
    if is_unanswered(answer):
        return unanswered("the relative decrease in error")
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.number)):
        return wrong(f"expected a number, got {type(answer).__name__}.")
    expected = (old - new) / old
    value = float(answer)
    if np.isclose(value, expected, atol=5e-4):
        return correct(f"the error falls by {expected:.3f} of its old value ({expected:.1%}).")
    if np.isclose(value, 100 * expected, atol=0.05):
        return wrong("that is a percentage; give the fraction (divide by 100).")
    if new > 0 and np.isclose(value, (old - new) / new, atol=5e-4):
        return wrong("divide the decrease by the old error, not by the new one.")
    if np.isclose(value, old - new, atol=5e-4):
        return wrong("that is the absolute decrease; divide it by the old error.")
    return wrong(f"{value} is not (old_error - new_error) / old_error.")
