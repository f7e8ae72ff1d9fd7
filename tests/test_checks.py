"""Tests for utils.checks: each checker on right, wrong and unanswered input."""

from __future__ import annotations

import numpy as np

from utils.checks import CheckResult, check_digit_count

LABELS = np.array([7, 1, 7, 0, 7, 2], dtype=np.uint8)


def test_right_count_passes_and_says_so():
    result = check_digit_count(3, LABELS, digit=7)
    assert isinstance(result, CheckResult) and result
    assert repr(result) == "✅ Correct: 3 images show the digit 7."


def test_numpy_integer_counts_too():
    assert check_digit_count(np.int64(3), LABELS, digit=7)


def test_placeholder_is_not_answered_yet():
    result = check_digit_count(..., LABELS, digit=7)
    assert not result
    assert result.message.startswith("✏️ Not answered yet: replace the ...")


def test_wrong_count_says_what_to_compare():
    result = check_digit_count(2, LABELS, digit=7)
    assert not result and "2 is not the number of 7s" in result.message


def test_counting_everything_is_diagnosed():
    assert "number of all images" in check_digit_count(6, LABELS, digit=7).message


def test_an_array_instead_of_a_number_is_diagnosed():
    result = check_digit_count(LABELS == 7, LABELS, digit=7)
    assert not result and "It looks like an array" in result.message


def test_a_float_or_bool_is_not_a_count():
    assert "got float" in check_digit_count(3.0, LABELS, digit=7).message
    assert "got bool" in check_digit_count(True, LABELS, digit=7).message
