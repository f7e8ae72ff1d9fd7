"""Tests for utils.widgets, driving each widget by setting its controls."""

from __future__ import annotations

import numpy as np
import pytest

from utils.diagrams import HORIZONTAL_LINE
from utils.diagrams import WORKED_IMAGE as LECTURE_IMAGE  # lesson 01's worked example
from utils.figures import FIGURE_MIME
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
    figure_json = shown["data"][FIGURE_MIME]
    assert figure_json["data"][0]["type"] == "heatmap"


def test_digit_browser_rejects_mismatched_labels(digits):
    images, _ = digits
    with pytest.raises(ValueError, match="got 3 labels for 5 images"):
        DigitBrowser(images, [1, 2, 3])


# Lessons 01 and 02: the convolution stepper and the output-size calculator.
# (Imported inside the tests so that this block only adds to the file.)


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
    assert shown["data"][FIGURE_MIME]["data"][3]["text"][2][1] == "5"


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
    with pytest.raises(ValueError, match=r"step must be between 0 and 24, got 25"):
        stepper.show(25)
    with pytest.raises(TypeError, match="step must be an int, got str '3'"):
        stepper.show("3")
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
    # first, last, and two red-orange bands, each with its dotted outline
    assert len(calculator.figure.layout.shapes) == 6
    calculator.kernel_size.value = 9
    assert calculator.size is None and "Invalid" in calculator.message.value
    assert "does not fit" in calculator.figure.layout.title.text
    calculator.padding.value = 1  # floor((8 - 9 + 2) / 2) + 1
    assert calculator.size == 1
    (shown,) = calculator.output.outputs
    assert "output 1x1" in shown["data"][FIGURE_MIME]["layout"]["title"]["text"]


def test_output_size_calculator_rejects_out_of_range_values():
    import pytest

    from utils.widgets import OutputSizeCalculator

    with pytest.raises(ValueError, match="stride must be between 1 and 5, got 0"):
        OutputSizeCalculator(stride=0)
    with pytest.raises(TypeError, match="width must be an int, got float 7.5"):
        OutputSizeCalculator(width=7.5)


# Lesson 10: the calculator with variants=True (dilation, a transposed mode, one output cell).


def _expected_size(width, kernel_size, padding, stride, dilation, mode):
    """utils.conv's answer, None where it refuses the setting."""
    from utils.conv import output_size, transposed_output_size

    span = kernel_size + (kernel_size - 1) * (dilation - 1)
    try:
        if mode == "transposed":
            return transposed_output_size(width, span, padding, stride)
        return output_size(width, kernel_size, padding, stride, dilation=dilation)
    except ValueError:
        return None


def _set(calculator, **values):
    for name, value in values.items():
        getattr(calculator, name).value = value


def _shown_title(calculator) -> str:
    (shown,) = calculator.output.outputs
    return shown["data"][FIGURE_MIME]["layout"]["title"]["text"]


def test_calculator_variants_size_is_utils_conv_for_every_setting():
    import itertools

    from utils.widgets import OutputSizeCalculator

    calculator = OutputSizeCalculator(variants=True)
    seen = set()
    for mode, width, kernel_size, padding, stride, dilation in itertools.product(
        ("convolution", "transposed"), (1, 6), (1, 3, 4), (0, 2), (1, 3), (1, 3)
    ):
        _set(calculator, mode=mode, width=width, kernel_size=kernel_size)
        _set(calculator, padding=padding, stride=stride, dilation=dilation)
        expected = _expected_size(width, kernel_size, padding, stride, dilation, mode)
        assert calculator.size == expected, (mode, width, kernel_size, padding, stride, dilation)
        assert calculator.output_cell.disabled == (expected is None)
        if expected is not None:
            assert calculator.output_cell.max == expected - 1
            assert f"<b>{expected}</b>" in calculator.message.value
            assert _shown_title(calculator).endswith(f"output length {expected}")
        else:
            assert "<b>Invalid:</b>" in calculator.message.value
            assert "invalid" in _shown_title(calculator)
        seen.add((mode, expected is None))
    assert seen == {(m, invalid) for m in ("convolution", "transposed") for invalid in (0, 1)}


def test_calculator_variants_message_and_figure_follow_the_controls():
    from utils.widgets import OutputSizeCalculator

    calculator = OutputSizeCalculator(width=7, kernel_size=3, variants=True)
    assert calculator.size == 5 and calculator.output_cell.value == 2  # starts in the middle
    assert "k_eff = k + (k − 1)(d − 1) = 3 + 2×0 = <b>3</b>" in calculator.message.value
    assert "floor((7 − 3 + 0) / 1) + 1 = floor(4) + 1 = <b>5</b>" in calculator.message.value
    before = calculator.figure
    calculator.dilation.value = 2
    assert calculator.size == 3 and calculator.output_cell.value == 2  # clamped to the new end
    assert "3 + 2×1 = <b>5</b>" in calculator.message.value
    assert "floor((7 − 5 + 0) / 1) + 1 = floor(2) + 1 = <b>3</b>" in calculator.message.value
    assert calculator.figure is not before
    assert calculator.figure.layout.title.text.startswith("convolution: W=7, k=3, d=2")
    (highlighted,) = [t for t in calculator.figure.data if t.name == "highlighted"]
    assert list(highlighted.x[0::3]) == [2, 4, 6]  # output 2 reads inputs 2, 4, 6
    assert "output cell 2 reads the padded input's cells 2, 4, 6" in calculator.message.value
    calculator.output_cell.value = 0
    (highlighted,) = [t for t in calculator.figure.data if t.name == "highlighted"]
    assert list(highlighted.x[0::3]) == [0, 2, 4]
    calculator.mode.value = "transposed"  # (7 - 1) * 1 - 0 + 5
    assert calculator.transposed and calculator.size == 11 and calculator.output_cell.max == 10
    assert "(W − 1)S − 2P + k_eff = (7 − 1)×1 − 0 + 5 = <b>11</b>" in calculator.message.value
    assert _shown_title(calculator).startswith("transposed convolution: W=7, k=3, d=2")
    calculator.stride.value = 2  # 6 * 2 - 0 + 5
    calculator.padding.value = 1  # 6 * 2 - 2 + 5
    assert calculator.size == 15 and "cropped from each side" in calculator.message.value
    assert calculator.figure.layout.title.text.endswith("output length 15")
    # Output 0 is full cell 1: odd, and every input writes even cells (stride 2, dilation 2).
    assert "output cell 0 is written by no input cell" in calculator.message.value
    calculator.output_cell.value = 3  # full cell 4 = 0*2 + 2*2 = 1*2 + 1*2 = 2*2 + 0*2
    assert "the sum of what input cells 0, 1, 2 write" in calculator.message.value


def test_calculator_names_the_inputs_the_figure_draws_bold():
    """The message's list of input cells is the figure's bold lines, in both modes."""
    import re

    from utils.widgets import OutputSizeCalculator

    calculator = OutputSizeCalculator(width=6, kernel_size=3, padding=1, variants=True)
    for mode, stride, dilation in [
        ("convolution", 2, 1),
        ("transposed", 2, 1),
        ("transposed", 3, 2),
    ]:
        _set(calculator, mode=mode, stride=stride, dilation=dilation)
        for cell in range(calculator.size):
            calculator.output_cell.value = cell
            (bold,) = [t for t in calculator.figure.data if t.name == "highlighted"]
            inputs = calculator.figure.data[0]
            drawn = sorted(
                [j for j, v in enumerate(inputs.z[0]) if v is not None].index(round(x - inputs.x0))
                for x in bold.x[0::3]
            )
            named = re.search(r"cells ([\d, ]+)(?: write)? \(in orange\)", calculator.message.value)
            assert drawn == ([int(i) for i in named.group(1).split(", ")] if named else [])


def test_calculator_variants_explains_invalid_settings():
    from utils.widgets import OutputSizeCalculator

    calculator = OutputSizeCalculator(width=3, kernel_size=3, variants=True, dilation=2)
    assert calculator.size is None and calculator.output_cell.disabled
    assert "W + 2P = 3 + 0 = 3 is smaller than k_eff = 5" in calculator.message.value
    assert "invalid: the kernel spans 5 cells" in calculator.figure.layout.title.text
    calculator.padding.value = 1  # 3 + 2 >= 5: fits again
    assert calculator.size == 1 and not calculator.output_cell.disabled
    transposed = OutputSizeCalculator(width=1, kernel_size=1, padding=1, variants=True)
    transposed.mode.value = "transposed"  # (1 - 1) * 1 - 2 + 1 = -1
    assert transposed.size is None and transposed.output_cell.disabled
    assert "<b>Invalid:</b>" in transposed.message.value
    assert "removes 2P = 2 of them: nothing is left" in transposed.message.value
    assert "invalid: no output cell left" in transposed.figure.layout.title.text


def test_calculator_without_variants_is_lesson_02s():
    import ipywidgets
    import pytest

    from utils.widgets import OutputSizeCalculator
    from utils.widgets._a11y import AccessibleNames

    calculator = OutputSizeCalculator(width=7, kernel_size=3, padding=0, stride=2)
    assert (calculator.dilation, calculator.mode, calculator.output_cell) == (None, None, None)
    assert not calculator.variants and not calculator.transposed
    controls, message, output, names = calculator.widget.children
    assert isinstance(controls, ipywidgets.VBox) and message is calculator.message
    assert isinstance(names, AccessibleNames)  # names the sliders for screen readers
    assert [c.description for c in controls.children] == [
        "width",
        "kernel_size",
        "padding",
        "stride",
    ]
    assert calculator.figure.layout.title.text.endswith("output 3x3")  # output_size_figure
    with_variants = OutputSizeCalculator(variants=True, transposed=True)
    assert with_variants.mode.value == "transposed"
    descriptions = [
        c.description
        for column in with_variants.widget.children[0].children
        for c in column.children
    ]
    assert descriptions[4:] == ["dilation", "mode", "output_cell"]
    with pytest.raises(ValueError, match="dilation and transposed need variants=True"):
        OutputSizeCalculator(dilation=2)
    with pytest.raises(ValueError, match="dilation must be between 1 and 4, got 5"):
        OutputSizeCalculator(variants=True, dilation=5)
    with pytest.raises(TypeError, match="variants must be True or False, got str 'yes'"):
        OutputSizeCalculator(variants="yes")


# What a screen reader announces: tests/browser/test_keyboard.py checks it on the page.


def test_every_slider_and_toggle_has_a_spoken_name_and_the_names_helper(digits):
    from utils.widgets import ConvolutionStepper, OutputSizeCalculator
    from utils.widgets._a11y import AccessibleNames
    from utils.widgets.explorer.controls import build_controls

    script = AccessibleNames._esm
    assert "export default" in script and "import " not in script and "http" not in script
    for name in ("aria-label", "aria-pressed", "data-lm-suppress-shortcuts", "MutationObserver"):
        assert name in script
    assert AccessibleNames().layout.display == "none"

    stepper = ConvolutionStepper(LECTURE_IMAGE, HORIZONTAL_LINE)
    calculator = OutputSizeCalculator(variants=True)
    explorer = build_controls(10, ["conv_1", "pool_1"], 32, 32)
    browser = DigitBrowser(*digits, description="training image")
    spoken = {
        stepper.slider: "step: the output cell computed, row by row",
        calculator.width: "width W of the input",
        calculator.kernel_size: "kernel size F",
        calculator.padding: "padding P",
        calculator.stride: "stride S",
        calculator.dilation: "dilation d",
        calculator.mode: "mode: convolution or transposed",
        calculator.output_cell: "output cell whose inputs are drawn",
        explorer.index: "test digit, by its index",
        explorer.channels: "channels shown",
        explorer.shift_right: "shift right, in pixels",
        explorer.shift_down: "shift down, in pixels",
        browser.slider: "which training image",
    }
    for control, name in spoken.items():
        assert control.tooltip == name, control.description
    for widget in (stepper, calculator, browser):
        assert isinstance(widget.widget.children[-1], AccessibleNames)
    assert isinstance(explorer.widget.children[-1], AccessibleNames)
    # Drop-downs and buttons are named by their description already.
    assert (explorer.layer.description, explorer.erase.description) == ("layer", "erase")
    assert explorer.next_wrong.description == "next misclassified"


# Lesson 06: the feature-map explorer, driven with the pretrained ConvNet.


@pytest.fixture(scope="module")
def convnet_and_digits():
    from utils.data import load_mnist
    from utils.models import load_pretrained_convnet

    _, (x_test, y_test) = load_mnist()
    images, labels = x_test[:40], y_test[:40].astype(int)
    pretend = labels.copy()
    pretend[[5, 17]] = (labels[[5, 17]] + 1) % 10  # two pretended mistakes
    return load_pretrained_convnet(), images, labels, pretend


def _layer_output(model, name, image):
    """A layer's output for one (28, 28) image by another route: a sub-model and predict."""
    import keras

    sub = keras.Model(model.inputs[0], model.get_layer(name).output)
    return sub.predict(image[None, :, :, None], verbose=0)[0]


def test_explorer_starts_on_the_first_digit_and_agrees_with_keras(convnet_and_digits):
    from utils.widgets import FeatureMapExplorer

    model, images, labels, pretend = convnet_and_digits
    explorer = FeatureMapExplorer(model, images, labels, predictions=pretend)
    assert explorer.layer_names == ["conv_1", "pool_1", "conv_2", "pool_2", "conv_3"]
    digit = images[0] / 255
    np.testing.assert_allclose(explorer.image, digit, atol=1e-7)
    for name in explorer.layer_names:
        expected = _layer_output(model, name, digit.astype("float32"))
        np.testing.assert_allclose(explorer.activations[name], expected, atol=1e-5)
    probabilities = model.predict(digit[None, :, :, None], verbose=0)[0]
    np.testing.assert_allclose(explorer.probabilities, probabilities, atol=1e-5)
    assert explorer.summary() == "test digit 0, label 7, predicted 7 (probability 1.00)"
    assert "<b>test digit 0</b>" in explorer.caption.value
    inputs, bars, maps = explorer.figures
    np.testing.assert_allclose(np.asarray(inputs.data[0].z), digit, atol=1e-7)
    np.testing.assert_allclose(np.asarray(bars.data[0].y), probabilities, atol=1e-5)
    assert list(bars.data[0].marker.color)[7] == "#0072b2"  # right: the prediction is blue
    assert [trace.name for trace in maps.data] == [f"channel {c}" for c in range(32)]
    for channel, trace in enumerate(maps.data):
        np.testing.assert_array_equal(
            np.asarray(trace.z), explorer.activations["conv_1"][:, :, channel]
        )
    shown_left = [o["data"][FIGURE_MIME] for o in explorer.left.outputs]
    assert [figure["data"][0]["type"] for figure in shown_left] == ["heatmap", "bar"]
    (shown_right,) = explorer.right.outputs
    assert len(shown_right["data"][FIGURE_MIME]["data"]) == 32


def test_explorer_redraws_for_each_control(convnet_and_digits):
    from utils.plots import layer_maps
    from utils.widgets import FeatureMapExplorer

    model, images, labels, pretend = convnet_and_digits
    explorer = FeatureMapExplorer(model, images, labels, predictions=pretend)
    explorer.index.value = 3
    digit = images[3] / 255
    np.testing.assert_allclose(np.asarray(explorer.input_figure.data[0].z), digit, atol=1e-7)
    # The maps were refilled in place; they must be what a fresh figure would draw.
    fresh = layer_maps(explorer.activations["conv_1"], channels=range(32))
    for refilled, drawn in zip(explorer.maps_figure.data, fresh.data, strict=True):
        np.testing.assert_array_equal(np.asarray(refilled.z), np.asarray(drawn.z))
        assert (refilled.zmin, refilled.zmax) == (drawn.zmin, drawn.zmax)
    assert explorer.summary().startswith(f"test digit 3, label {labels[3]}")

    explorer.layer.value = "conv_2"
    assert (explorer.channels.max, explorer.channels.value) == (63, (0, 31))
    assert np.asarray(explorer.maps_figure.data[0].z).shape == (11, 11)
    assert explorer.maps_figure.layout.title.text.startswith("conv_2: channels 0-31 of 64")
    explorer.channels.value = (40, 63)
    assert [t.name for t in explorer.maps_figure.data] == [f"channel {c}" for c in range(40, 64)]
    explorer.layer.value = "pool_1"  # 32 channels: the range is clamped to the last one
    assert (explorer.channels.max, explorer.channels.value) == (31, (31, 31))
    assert [t.name for t in explorer.maps_figure.data] == ["channel 31"]
    np.testing.assert_array_equal(
        np.asarray(explorer.maps_figure.data[0].z), explorer.activations["pool_1"][:, :, 31]
    )

    explorer.shift_right.value = 2
    shifted = np.zeros_like(digit)
    shifted[:, 2:] = digit[:, :-2]
    np.testing.assert_allclose(explorer.image, shifted, atol=1e-7)
    explorer.erase.value = "top half"
    assert not explorer.image[:14].any()
    np.testing.assert_allclose(explorer.image[14:], shifted[14:], atol=1e-7)
    assert explorer.summary().endswith("; shifted 2 right, 0 down; top half erased")
    probabilities = model.predict(explorer.image[None, :, :, None], verbose=0)[0]
    np.testing.assert_allclose(explorer.probabilities, probabilities, atol=1e-5)
    np.testing.assert_allclose(
        np.asarray(explorer.probability_figure.data[0].y), probabilities, atol=1e-5
    )


def test_next_misclassified_walks_through_the_mistakes(convnet_and_digits):
    from utils.widgets import FeatureMapExplorer

    model, images, labels, pretend = convnet_and_digits
    explorer = FeatureMapExplorer(model, images, labels, predictions=pretend)
    assert [explorer.next_misclassified() for _ in range(3)] == [5, 17, 5]  # wraps round
    assert explorer.index.value == 5 and "test digit 5" in explorer.caption.value
    explorer.next_wrong.click()
    assert explorer.index.value == 17
    honest = FeatureMapExplorer(model, images, labels, predictions=labels)
    assert honest.next_misclassified() is None
    assert honest.caption.value == "No image is misclassified."
    lazy = FeatureMapExplorer(model, images[:10], labels[:10])
    predicted = model.predict(images[:10, :, :, None] / 255, verbose=0).argmax(axis=1)
    np.testing.assert_array_equal(lazy.misclassified(), np.flatnonzero(predicted != labels[:10]))


def test_show_image_puts_a_drawn_digit_through_the_network(convnet_and_digits):
    from utils.widgets import FeatureMapExplorer

    model, images, labels, _ = convnet_and_digits
    explorer = FeatureMapExplorer(model, images, labels, layer_names=["conv_1", "conv_2"])
    drawn = np.zeros((28, 28))
    drawn[4:24, 13:16] = 1.0  # a vertical stroke
    explorer.show_image(drawn, label=1)
    predicted = int(model.predict(drawn[None, :, :, None], verbose=0).argmax())
    assert explorer.prediction == predicted
    assert explorer.summary().startswith("your image, label 1, predicted")
    np.testing.assert_array_equal(np.asarray(explorer.input_figure.data[0].z), drawn)
    explorer.index.value = 2  # choosing a digit again leaves the drawing
    assert explorer.summary().startswith("test digit 2")
    with pytest.raises(ValueError, match=r"image must have shape \(28, 28\)"):
        explorer.show_image(np.zeros((20, 20)))
    with pytest.raises(ValueError, match=r"image values must be in \[0, 1\]"):
        explorer.show_image(np.full((28, 28), 2.0))


def test_explorer_rejects_bad_arguments(convnet_and_digits):
    from utils.widgets import FeatureMapExplorer

    model, images, labels, _ = convnet_and_digits
    with pytest.raises(ValueError, match="got 3 labels for 40 images"):
        FeatureMapExplorer(model, images, labels[:3])
    with pytest.raises(ValueError, match="'dense' gives output shape"):
        FeatureMapExplorer(model, images, labels, layer_names=["dense"])
    with pytest.raises(ValueError, match="no layer 'conv_9'"):
        FeatureMapExplorer(model, images, labels, layer_names=["conv_9"])
    with pytest.raises(TypeError, match="FeatureMapExplorer reads a Keras model"):
        FeatureMapExplorer("model", images, labels)
    with pytest.raises(TypeError, match="n_shown must be an int, got float 8.0"):
        FeatureMapExplorer(model, images, labels, n_shown=8.0)
    with pytest.raises(ValueError, match="n_shown must be at least 1, got 0"):
        FeatureMapExplorer(model, images, labels, n_shown=0)
    with pytest.raises(TypeError, match="labels must hold real numbers"):
        FeatureMapExplorer(model, images, ["seven"] * 40)
    explorer = FeatureMapExplorer(model, images, labels, layer_names=["conv_1"])
    with pytest.raises(TypeError, match="label must be an int or None, got str '1'"):
        explorer.show_image(np.zeros((28, 28)), label="1")
    with pytest.raises(TypeError, match="image must be an array of numbers, got str"):
        explorer.show_image("digit.png")


def test_shift_image_matches_slicing_a_padded_copy():
    from utils.widgets.explorer.edits import shift_image

    image = np.random.default_rng(12).random((6, 5))
    padded = np.pad(image, 7)  # shifting = reading the padded copy through an offset window
    for down in range(-7, 8):  # every shift, including ones that move it all out of view
        for right in range(-7, 8):
            expected = padded[7 - down : 7 - down + 6, 7 - right : 7 - right + 5]
            np.testing.assert_array_equal(shift_image(image, down, right), expected)


def test_erase_region_blanks_only_the_named_part():
    from utils.widgets.explorer.edits import ERASE_REGIONS, erase_region

    image = np.ones((6, 9))
    assert erase_region(image, "nothing").sum() == 54
    assert not erase_region(image, "left half")[:, :4].any()  # round(4.5) == 4
    assert erase_region(image, "left half")[:, 4:].all()
    assert erase_region(image, "centre").sum() == 54 - 2 * 3
    assert set(ERASE_REGIONS) >= {"top half", "bottom half", "right half"}
    with pytest.raises(ValueError, match="region must be one of"):
        erase_region(image, "middle")
    with pytest.raises(TypeError, match="region must be one of"):
        erase_region(image, ["top half"])
    np.testing.assert_array_equal(erase_region([[1, 1], [1, 1]], "top half"), [[0, 0], [1, 1]])


def test_image_edits_reject_what_is_not_an_image():
    from utils.widgets.explorer.edits import erase_region, shift_image

    with pytest.raises(TypeError, match="down must be an int, got float 1.5"):
        shift_image(np.ones((4, 4)), down=1.5)
    with pytest.raises(TypeError, match="image must be an array of numbers, got str"):
        shift_image("digit", 1, 0)
    with pytest.raises(TypeError, match="image must hold real numbers, got dtype complex128"):
        erase_region(np.ones((4, 4), dtype=complex), "top half")
    with pytest.raises(ValueError, match=r"image must be a non-empty 2-D array .* shape \(4,\)"):
        shift_image(np.ones(4), 1, 0)


def test_show_figures_replaces_the_outputs_and_rejects_what_is_not_a_figure():
    import ipywidgets
    import plotly.graph_objects as go

    from utils.widgets._output import show_figures

    output = ipywidgets.Output()
    show_figures(output, go.Figure(go.Bar(y=[1, 2])), go.Figure(go.Scatter(y=[3])))
    shown = [o["data"][FIGURE_MIME]["data"][0]["type"] for o in output.outputs]
    assert shown == ["bar", "scatter"]
    show_figures(output)
    assert output.outputs == ()
    with pytest.raises(TypeError, match="output must be an ipywidgets Output, got str"):
        show_figures("out")
    with pytest.raises(TypeError, match=r"figures\[1\] must be a plotly Figure, got dict"):
        show_figures(output, go.Figure(), {})
