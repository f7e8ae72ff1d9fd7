"""What every checker of :mod:`utils.checks` is built from.

The verdict (:class:`CheckResult` and the functions that make one), the test
for an unanswered exercise, and the helpers that checkers of several lessons
share: reading a typed answer (:func:`answer_numbers`), calling a student's
function (:func:`student_call`, :func:`student_array`), the reference
cross-correlation (:func:`reference_correlate`) and the parameter counts of a
Keras model (:func:`weight_counts`, :func:`parameter_count_precheck`).

The module is private to the package; its names are public so that the
checker modules can import them. A notebook imports from :mod:`utils.checks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from utils._validate import text

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
    return CheckResult(True, f"{CORRECT}: {text(message, 'message')}")


def wrong(message: str) -> CheckResult:
    """A failing verdict that says what is wrong."""
    return CheckResult(False, f"{WRONG}: {text(message, 'message')}")


def is_unanswered(answer: object) -> bool:
    """Return ``True`` if ``answer`` is still the skeleton's placeholder ``...``."""
    return answer is Ellipsis


def unanswered(what: str) -> CheckResult:
    """The verdict for an exercise whose ``...`` has not been replaced yet."""
    text(what, "what")
    return CheckResult(
        False, f"{TODO}: replace the ... with your code for {what}, then run the cell again."
    )


def answer_numbers(answer: object, what: str) -> np.ndarray | CheckResult:
    """A typed answer as an array of floats, or the verdict for ``...`` or for something else.

    ``what`` names the answer in the "not answered yet" message, as in :func:`unanswered`.
    """
    if is_unanswered(answer):
        return unanswered(what)
    try:
        return np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return wrong(f"expected an array of numbers, got {type(answer).__name__}.")


def reference_correlate(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The 'valid' cross-correlation of ``image`` with ``kernel``, by SciPy's ``correlate2d``."""
    from scipy.signal import correlate2d

    return correlate2d(image, kernel, mode="valid")


def student_call(function: Callable, arrays: tuple, where: str | None = None) -> object:
    """Call a student's function on copies of ``arrays``: what it returned, or a verdict.

    The verdict (a :class:`CheckResult`) reports an exception the function
    raised, in words; ``where``, if given, names the test case.
    """
    try:
        return function(*(array.copy() for array in arrays))
    except Exception as error:  # the student's code: report any failure in words
        on = f" (on {where})" if where else ""
        return wrong(f"your function raised {type(error).__name__}: {error}{on}.")


def student_array(function: Callable, arrays: tuple, where: str) -> np.ndarray | CheckResult:
    """Call a student's function on copies of ``arrays``; its answer as floats, or a verdict.

    The verdict says what went wrong (``where`` names the test case): the
    function raised, returned nothing (or ``...``), or returned something that
    is not an array of numbers.
    """
    answer = student_call(function, arrays, where)
    if isinstance(answer, CheckResult):
        return answer
    if is_unanswered(answer) or answer is None:
        return wrong(f"your function returned {answer!r}: return the output array.")
    try:
        return np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return wrong(f"your function returned {type(answer).__name__}, not an array of numbers.")


def weight_counts(model: object) -> tuple[int, int, int]:
    """(total, without biases, with each conv filter counted as F*F weights) of a Keras model."""
    total = no_bias = no_depth = 0
    for layer in getattr(model, "layers", []):
        for weight in layer.weights:
            size = int(np.prod(weight.shape))
            total += size
            is_bias = weight.path.endswith("bias")
            no_bias += 0 if is_bias else size
            if not is_bias and type(layer).__name__ == "Conv2D" and len(weight.shape) == 4:
                size = int(weight.shape[0] * weight.shape[1] * weight.shape[3])
            no_depth += size
    return total, no_bias, no_depth


def parameter_count_precheck(answer: object, model: object) -> CheckResult | None:
    """The checks that every parameter-count checker makes first; None when they pass."""
    if not hasattr(model, "count_params") or not hasattr(model, "layers"):
        raise TypeError(f"model must be a built Keras model, got {type(model).__name__}")
    if is_unanswered(answer):
        return unanswered("the number of parameters")
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
        return wrong(f"expected a whole number, got {type(answer).__name__} {answer!r}.")
    return None
