"""Tests for utils.drawing: strokes to an anti-aliased image, a drawing to an MNIST digit.

The rasterisation is compared with the pixel-by-pixel formula it documents; the
MNIST conversion with real MNIST digits, blown up to canvas size and brought back.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from utils.data import load_mnist
from utils.drawing import CANVAS_SIZE, rasterize_strokes, to_mnist
from utils.numpy_convnet import load_numpy_convnet


def reference_raster(strokes, size, line_width):
    """The documented formula, pixel by pixel over every segment (slow, obvious)."""
    rows, cols = np.mgrid[0:size, 0:size]
    centres = np.stack([cols + 0.5, rows + 0.5], axis=-1).astype(np.float64)  # (x, y)
    nearest = np.full((size, size), np.inf)
    for stroke in strokes:
        points = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
        pairs = zip(points[:-1], points[1:], strict=True) if len(points) > 1 else [points[[0, 0]]]
        for a, b in pairs:
            d = b - a
            t = np.zeros((size, size))
            if d @ d > 0:
                t = np.clip(((centres - a) @ d) / (d @ d), 0, 1)
            closest = a + t[..., None] * d
            nearest = np.minimum(nearest, np.linalg.norm(centres - closest, axis=-1))
    return np.clip(line_width / 2 + 0.5 - nearest, 0, 1)


def centre_of_mass(image):
    index = np.arange(image.shape[0])
    mass = image.sum()
    return (image.sum(axis=1) @ index) / mass, (image.sum(axis=0) @ index) / mass


# rasterize_strokes


def test_a_horizontal_segment_is_a_band_of_line_width():
    image = rasterize_strokes([[[50, 100], [150, 100]]])
    assert image.shape == (CANVAS_SIZE, CANVAS_SIZE)
    assert image.dtype == np.float32
    column = image[:, 100]
    # Pixel row r has its centre at y = r + 0.5: rows 91-108 lie within 9 of y = 100.
    np.testing.assert_array_equal(np.flatnonzero(column), np.arange(91, 109))
    assert (column[91:109] == 1).all()
    assert image[:, :30].max() == 0 and image[:, 171:].max() == 0  # round caps of radius 9.5


def test_a_dot_is_a_disc_of_line_width():
    image = rasterize_strokes([[[140.0, 140.0]]], line_width=18)
    rows, cols = np.mgrid[0:CANVAS_SIZE, 0:CANVAS_SIZE]
    distance = np.hypot(cols + 0.5 - 140, rows + 0.5 - 140)
    np.testing.assert_allclose(image, np.clip(9.5 - distance, 0, 1), atol=1e-5)
    assert image.sum() == pytest.approx(np.pi * 9**2, rel=0.01)  # a disc of diameter 18


def test_strokes_match_the_formula_pixel_by_pixel():
    rng = np.random.default_rng(0)
    strokes = [
        (rng.uniform(-10, 70, (7, 2))).tolist(),  # some points off the 60 x 60 canvas
        [[30, 30]],
        [[5, 50], [5.3, 50.2], [55, 12]],
        [],
    ]
    for width in (1.0, 4.5, 18.0):
        expected = reference_raster([s for s in strokes if s], 60, width)
        np.testing.assert_allclose(rasterize_strokes(strokes, 60, width), expected, atol=2e-5)


def test_points_outside_the_canvas_are_clipped():
    across = rasterize_strokes([[[-1000, 140], [5000, 140]]])
    np.testing.assert_array_equal(across, rasterize_strokes([[[-30, 140], [310, 140]]]))
    assert (across[131:149] == 1).all()
    assert rasterize_strokes([[[-500, -500], [-400, -300]], [[1e9, 1e9]]]).max() == 0


def test_no_strokes_give_a_black_canvas():
    for strokes in ([], [[]], ()):
        image = rasterize_strokes(strokes, size=28)
        assert image.shape == (28, 28) and image.dtype == np.float32 and image.max() == 0


def test_numpy_and_integer_points_are_taken():
    as_lists = rasterize_strokes([[[10, 20], [200, 230]]])
    np.testing.assert_array_equal(rasterize_strokes([np.array([[10, 20], [200, 230]])]), as_lists)
    np.testing.assert_array_equal(rasterize_strokes(([(10.0, 20.0), (200.0, 230.0)],)), as_lists)


@pytest.mark.parametrize(
    ("strokes", "kwargs", "error", "message"),
    [
        ("strokes", {}, TypeError, r"strokes must be a list of strokes"),
        ([[1, 2]], {}, ValueError, r"strokes\[0\]\[0\] must be a pair \[x, y\], got 1"),
        ([[[1, 2], [1, 2, 3]]], {}, ValueError, r"strokes\[0\]\[1\] must be a pair \[x, y\]"),
        ([[["a", "b"]]], {}, TypeError, r"strokes\[0\] must hold real numbers"),
        ([[[1, 2]], 7], {}, TypeError, r"strokes\[1\] must be a list of \[x, y\] points"),
        ([[[1, float("nan")]]], {}, ValueError, r"strokes\[0\] must hold finite numbers"),
        ([], {"size": 0}, ValueError, r"size must be between 1 and 4096, got 0"),
        ([], {"line_width": 0}, ValueError, r"line_width must be positive, got 0"),
        ([], {"line_width": "thick"}, TypeError, r"line_width must be a number"),
    ],
)
def test_bad_strokes_get_a_clear_error(strokes, kwargs, error, message):
    with pytest.raises(error, match=message):
        rasterize_strokes(strokes, **kwargs)


# to_mnist


def test_no_ink_asks_for_a_digit():
    assert to_mnist(np.zeros((280, 280))) == (None, "draw a digit")
    assert to_mnist(np.full((280, 280), 0.01)) == (None, "draw a digit")


def test_a_vertical_bar_becomes_20_pixels_tall_and_centred():
    digit, note = to_mnist(rasterize_strokes([[[140, 60], [140, 220]]]))
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.min() >= 0 and digit.max() == 1
    assert digit.any(axis=1).sum() == 20
    row, col = centre_of_mass(digit)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5
    assert note.startswith("scaled down 8.9x to fit 20 x 20 pixels, centred by its centre of mass")
    assert "very tall and narrow" in note


def test_a_block_is_scaled_by_exact_area_averages():
    image = np.zeros((100, 100))
    image[10:50, 30:50] = 1  # 40 x 20: halved to 20 x 10, every new pixel all ink
    digit, note = to_mnist(image)
    assert digit.sum() == 200 and set(np.unique(digit)) == {0, 1}
    assert note == "scaled down 2x to fit 20 x 20 pixels, centred by its centre of mass"


def test_the_scaling_averages_areas_with_fractional_overlaps():
    # 37 x 23 -> 20 x 12 (23 * 20 / 37 = 12.4). The reference: blow each pixel up into
    # 20 x 12 sub-pixels (37 * 20 rows, 23 * 12 columns), then average blocks of 37 x 23.
    crop = np.random.default_rng(1).uniform(0.1, 1, (37, 23))
    image = np.zeros((100, 100))
    image[20:57, 40:63] = crop
    fine = np.kron(crop, np.ones((20, 12)))
    expected = fine.reshape(20, 37, 12, 23).mean(axis=(1, 3))
    digit, _ = to_mnist(image)
    rows, cols = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
    assert (len(rows), len(cols)) == (20, 12)
    placed = digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    np.testing.assert_allclose(placed, expected / expected.max(), rtol=1e-6)


@pytest.mark.parametrize(
    ("image", "words"),
    [
        (rasterize_strokes([[[140, 140]]]), "a very small drawing"),
        (np.pad(np.ones((1, 1)), 100), "scaled UP 20x"),
        (rasterize_strokes([[[0, 0], [0, 279]]]), "touches the edge of the canvas"),
        (rasterize_strokes([[[279, 30], [279, 30]]]), "touches the edge of the canvas"),
        (np.ones((280, 280)), "the canvas is almost all ink"),
        (rasterize_strokes([[[20, 140], [260, 140]]]), "very wide and flat"),
        (np.ones((1200, 1500)) * 255, "scaled down 75x"),
        (np.eye(3000)[:, ::-1].copy(), "scaled down 150x"),
    ],
)
def test_odd_drawings_give_a_digit_and_say_what_is_odd(image, words):
    digit, note = to_mnist(image)
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.min() >= 0 and digit.max() == 1
    assert words in note


@pytest.mark.parametrize(
    ("image", "error", "message"),
    [
        (np.zeros(5), ValueError, r"image must be a non-empty 2-D array \(height, width\)"),
        (np.zeros((0, 5)), ValueError, r"image must be a non-empty 2-D array"),
        ("drawing", TypeError, r"image must be an array of numbers, got str"),
        (np.array([["a"]]), TypeError, r"image must hold real numbers"),
        (np.full((5, 5), np.nan), ValueError, r"image must hold finite numbers"),
        (np.full((5, 5), -np.inf), ValueError, r"image must hold finite numbers"),
    ],
)
def test_a_wrong_image_gets_a_clear_error(image, error, message):
    with pytest.raises(error, match=message):
        to_mnist(image)


@pytest.fixture(scope="module")
def test_digits():
    _, (x_test, _) = load_mnist()
    return x_test[:200].astype(np.float32) / 255


def round_trip(digits, blow_up):
    results = [to_mnist(blow_up(digit)) for digit in digits]
    assert all(digit is not None for digit, _ in results)
    return np.stack([digit for digit, _ in results])


def test_mnist_digits_blown_up_to_the_canvas_come_back(test_digits):
    back = round_trip(test_digits, lambda digit: np.kron(digit, np.ones((10, 10))))
    assert np.abs(back - test_digits).mean(axis=(1, 2)).max() < 0.1
    centres = np.array([centre_of_mass(digit) for digit in back])
    assert np.abs(centres - 14).max() <= 1


def test_mnist_digits_redrawn_at_another_scale_and_place_keep_their_class(test_digits):
    """A smooth (bilinear) blow-up by 8.7, off the centre of the canvas: not an exact inverse."""

    def blow_up(digit):
        canvas = np.zeros((CANVAS_SIZE, CANVAS_SIZE))
        big = np.clip(ndimage.zoom(digit, 8.7, order=1), 0, 1)  # 244 x 244
        canvas[30 : 30 + len(big), 5 : 5 + len(big)] = big
        return canvas

    back = round_trip(test_digits, blow_up)
    difference = np.abs(back - test_digits).mean(axis=(1, 2))
    assert difference.mean() < 0.05 and difference.max() < 0.1
    centres = np.array([centre_of_mass(digit) for digit in back])
    assert np.abs(centres - 14).max() <= 1
    network = load_numpy_convnet()
    same = network.predict(back).argmax(axis=1) == network.predict(test_digits).argmax(axis=1)
    assert same.sum() >= 195
    kron = round_trip(test_digits, lambda digit: np.kron(digit, np.ones((10, 10))))
    assert (network.predict(kron).argmax(axis=1) == network.predict(test_digits).argmax(1)).all()
