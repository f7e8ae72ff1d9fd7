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


# Lessons 01 and 02: the convolution stepper and the output-size calculator.
# (Imported inside the tests so that this block only adds to the file.)

LECTURE_IMAGE = [
    [-1, 1, -1, 1, -1],
    [-1, 1, -1, 1, -1],
    [-1, 1, 1, 1, -1],
    [-1, -1, -1, 1, -1],
    [-1, -1, -1, 1, -1],
]
HORIZONTAL_LINE = [[-1, -1, -1], [1, 1, 1], [-1, -1, -1]]


def test_stepper_moves_the_window_and_fills_the_output():
    from utils.widgets import ConvolutionStepper

    stepper = ConvolutionStepper(LECTURE_IMAGE, HORIZONTAL_LINE, padding=1)
    assert stepper.slider.max == stepper.play.max == 24
    assert stepper.position == (0, 0) and stepper.total == 0
    stepper.slider.value = 11  # output row 2, column 1: the lecture's 5
    assert stepper.position == (2, 1) and stepper.total == 5
    np.testing.assert_array_equal(stepper.products, [[1, -1, 1], [-1, 1, 1], [1, 1, 1]])
    assert "<b>output[2, 1]</b>" in stepper.caption.value and "<b>5</b>" in stepper.caption.value
    assert np.count_nonzero(~np.isnan(stepper.partial)) == 12
    padded, kernel, products, output = stepper.figure.data
    assert output.text[2][1] == "5" and output.text[2][2] == ""
    (window, current) = (s for s in stepper.figure.layout.shapes)
    assert (window.x0, window.y0, window.x1, window.y1) == (0.5, 1.5, 3.5, 4.5)
    assert (current.x0, current.y0) == (0.5, 1.5)
    (shown,) = stepper.output.outputs
    assert shown["data"]["application/vnd.plotly.v1+json"]["data"][3]["text"][2][1] == "5"


def test_stepper_with_stride_two_steps_the_window_by_two():
    from utils.widgets import ConvolutionStepper

    stepper = ConvolutionStepper(np.arange(49).reshape(7, 7), np.ones((3, 3)), padding=0, stride=2)
    assert stepper.slider.max == 8
    stepper.slider.value = 5
    assert stepper.position == (1, 2) and stepper.total == float(
        np.arange(49).reshape(7, 7)[2:5, 4:7].sum()
    )


def test_stepper_rejects_bad_steps():
    import pytest

    from utils.widgets import ConvolutionStepper

    stepper = ConvolutionStepper(LECTURE_IMAGE, HORIZONTAL_LINE)
    with pytest.raises(ValueError, match=r"step must be in 0..24, got 25"):
        stepper.show(25)
    with pytest.raises(ValueError, match="bigger than the padded image"):
        ConvolutionStepper(np.ones((2, 2)), np.ones((5, 5)), padding=1)


def test_output_size_calculator_redraws_for_each_setting():
    from utils.widgets import OutputSizeCalculator

    calculator = OutputSizeCalculator(width=7, kernel_size=3, padding=0, stride=2)
    assert calculator.size == 3 and "<b>3</b>" in calculator.message.value
    assert calculator.figure.layout.title.text.endswith("output 3x3")
    assert len(calculator.figure.data[1].x) == 9  # one marker per output cell
    calculator.width.value = 8  # (8 - 3) / 2 is not a whole number
    assert calculator.size == 3 and "not a whole number" in calculator.message.value
    assert len(calculator.figure.layout.shapes) == 4  # first, last, and two red bands
    calculator.kernel_size.value = 9
    assert calculator.size is None and "Invalid" in calculator.message.value
    assert "does not fit" in calculator.figure.layout.title.text
    calculator.padding.value = 1  # floor((8 - 9 + 2) / 2) + 1
    assert calculator.size == 1
    (shown,) = calculator.output.outputs
    assert (
        "output 1x1" in shown["data"]["application/vnd.plotly.v1+json"]["layout"]["title"]["text"]
    )


def test_output_size_calculator_rejects_out_of_range_values():
    import pytest

    from utils.widgets import OutputSizeCalculator

    with pytest.raises(ValueError, match="stride must be in 1..5, got 0"):
        OutputSizeCalculator(stride=0)
