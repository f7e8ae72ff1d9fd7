"""Checkers for the exercises in the notebooks.

A checker takes the student's answer, works out the right answer by an
independent route, and returns a :class:`CheckResult`: true or false, with a
message that says what is right or what is wrong. Jupyter shows the message
when the checker call ends a cell. An answer left as ``...`` (the skeleton's
placeholder) is reported as not yet answered, so a notebook runs from top to
bottom before the student has written anything.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

CORRECT = "✅ Correct"
WRONG = "❌ Not yet"
TODO = "✏️ Not answered yet"


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a checker: ``ok`` and the ``message`` shown to the student.

    It is truthy when the answer is right, so a test can ``assert`` it, and it
    displays as its message in a notebook.
    """

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message


def correct(message: str) -> CheckResult:
    """A passing verdict."""
    return CheckResult(True, f"{CORRECT}: {message}")


def wrong(message: str) -> CheckResult:
    """A failing verdict that says what is wrong."""
    return CheckResult(False, f"{WRONG}: {message}")


def is_unanswered(answer: object) -> bool:
    """Return ``True`` if ``answer`` is still the skeleton's placeholder ``...``."""
    return answer is Ellipsis


def unanswered(what: str) -> CheckResult:
    """The verdict for an exercise whose ``...`` has not been replaced yet."""
    return CheckResult(
        False, f"{TODO}: replace the ... with your code for {what}, then run the cell again."
    )


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
    if is_unanswered(answer):
        return unanswered(f"the number of {digit}s")
    flat = np.asarray(labels).reshape(-1)
    expected = Counter(int(label) for label in flat)[int(digit)]
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
