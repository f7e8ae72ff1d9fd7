"""Tests for utils.widgets, driving each widget by setting its controls."""

from __future__ import annotations

import numpy as np
import pytest

from utils.widgets import DigitBrowser


@pytest.fixture
def digits():
    rng = np.random.default_rng(1)
    return rng.integers(0, 256, size=(5, 6, 6), dtype=np.uint8), np.array([3, 1, 4, 1, 5])


def test_digit_browser_starts_on_the_first_image(digits):
    images, labels = digits
    browser = DigitBrowser(images, labels, description="image")
    assert browser.slider.value == 0 and browser.slider.max == 4
    assert browser.caption.value == "<b>image 0</b>: label <b>3</b>"
    np.testing.assert_array_equal(np.asarray(browser.figure.data[0].z), images[0])


def test_moving_the_slider_redraws_caption_figure_and_output(digits):
    images, labels = digits
    browser = DigitBrowser(images, labels)
    browser.slider.value = 2
    assert browser.caption.value == "<b>image 2</b>: label <b>4</b>"
    np.testing.assert_array_equal(np.asarray(browser.figure.data[0].z), images[2])
    (shown,) = browser.output.outputs
    figure_json = shown["data"]["application/vnd.plotly.v1+json"]
    assert figure_json["data"][0]["type"] == "heatmap"


def test_digit_browser_rejects_mismatched_labels(digits):
    images, _ = digits
    with pytest.raises(ValueError, match="got 3 labels for 5 images"):
        DigitBrowser(images, [1, 2, 3])
