"""Tests for utils.plots: the figures' data and layout, and their errors."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from utils.figures import FIGURE_MIME
from utils.plots import RENDERER_NAME, CourseRenderer, image_grid, use_course_renderer


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(7, 5, 4), dtype=np.uint8)


def test_image_grid_one_heatmap_per_image_in_row_major_order(images):
    fig = image_grid(images, labels=list("abcdefg"), n_cols=3)
    assert isinstance(fig, go.Figure)
    assert len(fig.data) == 7
    for index, trace in enumerate(fig.data):
        assert trace.type == "heatmap"
        np.testing.assert_array_equal(np.asarray(trace.z), images[index])
        row, col = divmod(index, 3)
        axis_number = row * 3 + col + 1
        assert trace.xaxis == ("x" if axis_number == 1 else f"x{axis_number}")
    assert [annotation.text for annotation in fig.layout.annotations] == list("abcdefg")


def test_image_grid_shares_one_grey_scale_and_draws_row_zero_on_top(images):
    fig = image_grid(images)
    assert {trace.zmin for trace in fig.data} == {float(images.min())}
    assert {trace.zmax for trace in fig.data} == {float(images.max())}
    assert fig.data[0].colorscale[0][1] == "rgb(0, 0, 0)"
    assert fig.layout.yaxis.autorange == "reversed"
    assert fig.layout.yaxis2.scaleanchor == "x2"
    assert fig.layout.annotations == ()


def test_image_grid_size_follows_rows_and_columns(images):
    wide = image_grid(images, n_cols=7)
    tall = image_grid(images, n_cols=2)
    assert wide.layout.height < tall.layout.height
    assert image_grid(images, n_cols=50).layout.width == image_grid(images, n_cols=7).layout.width


def test_image_grid_accepts_channels_last_and_a_title(images):
    fig = image_grid(images[..., np.newaxis].astype("float32") / 255, title="Digits")
    assert fig.layout.title.text == "Digits"
    np.testing.assert_allclose(np.asarray(fig.data[2].z), images[2] / 255, rtol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"images": np.zeros((4, 4))}, ValueError, r"images must have shape \(n, height, width\)"),
        ({"images": np.zeros((0, 4, 4))}, ValueError, "at least one image"),
        ({"images": "digits"}, TypeError, "images must be an array of numbers, got str"),
        ({"images": np.full((2, 3, 3), "a")}, TypeError, "images must hold real numbers"),
        (
            {"images": np.ones((2, 3, 3), bool)},
            TypeError,
            "images must hold real numbers, got dtype bool",
        ),
        ({"images": None}, TypeError, "images must be an array of numbers, got NoneType"),
        ({"labels": [1, 2]}, ValueError, "got 2 labels for 7 images"),
        ({"n_cols": 0}, ValueError, "n_cols must be at least 1, got 0"),
        ({"n_cols": 2.5}, TypeError, "n_cols must be an int, got float 2.5"),
    ],
)
def test_image_grid_errors_name_the_argument(images, kwargs, error, message):
    arguments = {"images": images} | kwargs
    with pytest.raises(error, match=message):
        image_grid(**arguments)


def test_course_renderer_bundle_is_plain_json_with_a_caption(images):
    fig = image_grid(images[:2], title="Two images")
    bundle = CourseRenderer().to_mimebundle(fig.to_dict())
    assert set(bundle) == {FIGURE_MIME, "text/plain"}
    assert "Two images" in bundle["text/plain"]
    # Deterministic: the same figure gives the same JSON (strict nbval compares it).
    again = CourseRenderer().to_mimebundle(image_grid(images[:2], title="Two images").to_dict())
    assert json.dumps(bundle, sort_keys=True) == json.dumps(again, sort_keys=True)


def test_use_course_renderer_sets_the_default():
    previous = pio.renderers.default
    try:
        use_course_renderer()
        assert pio.renderers.default == RENDERER_NAME
        bundle = go.Figure()._repr_mimebundle_()
        assert FIGURE_MIME in bundle
    finally:
        pio.renderers.default = previous


# Lesson 05: training curves, confusion matrix, misclassified digits.
# (Imported inside the tests so that this block only adds to the file.)

HISTORY = {
    "loss": [0.5, 0.2, 0.1],
    "accuracy": [0.85, 0.94, 0.97],
    "val_loss": [0.3, 0.15, 0.12],
    "val_accuracy": [0.9, 0.95, 0.96],
}


def test_training_curves_two_panels_one_line_per_curve():
    from utils.plots import training_curves

    fig = training_curves(HISTORY, title="curves")
    lines = {(trace.name, trace.xaxis): trace for trace in fig.data}
    assert set(lines) == {
        ("training", "x"),
        ("validation", "x"),
        ("training", "x2"),
        ("validation", "x2"),
    }
    assert list(lines["training", "x"].y) == HISTORY["loss"]
    assert list(lines["validation", "x2"].y) == HISTORY["val_accuracy"]
    assert list(lines["training", "x"].x) == [1, 2, 3]
    assert [trace.showlegend for trace in fig.data].count(True) == 2
    assert [annotation.text for annotation in fig.layout.annotations] == ["loss", "accuracy"]
    assert fig.layout.title.text == "curves"


def test_training_curves_accepts_a_history_object_without_validation():
    from utils.plots import training_curves

    class History:
        history = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.8]}

    fig = training_curves(History())
    assert [trace.name for trace in fig.data] == ["training", "training"]


@pytest.mark.parametrize(
    ("history", "error", "message"),
    [
        ([0.5, 0.2], TypeError, "history must be a keras History"),
        (
            {"accuracy": [0.5]},
            ValueError,
            r"history must have a 'loss' entry, got the keys \['accuracy'\]",
        ),
    ],
)
def test_training_curves_errors(history, error, message):
    from utils.plots import training_curves

    with pytest.raises(error, match=message):
        training_curves(history)


def test_confusion_matrix_counts_match_an_independent_count():
    from utils.plots import confusion_matrix

    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 4, size=200)
    y_pred = np.where(rng.random(200) < 0.7, y_true, rng.integers(0, 4, size=200))
    fig = confusion_matrix(y_true, y_pred, n_classes=4)
    expected = np.histogram2d(y_true, y_pred, bins=4, range=[[0, 4], [0, 4]])[0]
    counts = np.asarray(fig.data[0].text)
    np.testing.assert_array_equal(counts, expected)
    np.testing.assert_allclose(np.asarray(fig.data[0].z), np.sqrt(expected))
    assert counts.sum() == 200
    assert list(fig.data[0].x) == ["0", "1", "2", "3"]
    assert fig.layout.yaxis.autorange == "reversed"
    assert fig.layout.xaxis.title.text == "predicted class"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"y_true": [0, 1], "y_pred": [0]}, ValueError, "same length, got 2 and 1"),
        ({"y_true": [0, 10], "y_pred": [0, 1]}, ValueError, "y_true must hold classes 0 to 9"),
        ({"y_true": [0.5], "y_pred": [0]}, TypeError, "y_true must hold integers"),
        ({"y_true": 3, "y_pred": [0]}, TypeError, "y_true must be an array of integer labels"),
        (
            {"y_true": [0], "y_pred": [0], "n_classes": 1},
            ValueError,
            "n_classes must be at least 2",
        ),
    ],
)
def test_confusion_matrix_errors_name_the_argument(kwargs, error, message):
    from utils.plots import confusion_matrix

    with pytest.raises(error, match=message):
        confusion_matrix(**kwargs)


def test_misclassified_grid_shows_only_the_wrong_ones_with_both_labels(images):
    from utils.plots import misclassified_grid

    y_true = np.array([0, 1, 2, 3, 4, 5, 6])
    y_pred = np.array([0, 7, 2, 3, 9, 5, 1])
    fig = misclassified_grid(images, y_true, y_pred, max_images=2)
    assert len(fig.data) == 2
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), images[1])
    np.testing.assert_array_equal(np.asarray(fig.data[1].z), images[4])
    assert [annotation.text for annotation in fig.layout.annotations] == ["1 → 7", "4 → 9"]
    assert fig.layout.title.text.startswith("3 misclassified of 7; the first 2")


@pytest.mark.parametrize(
    ("y_pred", "kwargs", "error", "message"),
    [
        ([0, 1, 2, 3, 4, 5, 6], {}, ValueError, "no image is misclassified"),
        ([0, 1], {}, ValueError, "same length, got 7, 7 and 2"),
        ([1] * 7, {"max_images": 0}, ValueError, "max_images must be at least 1, got 0"),
        ([1] * 7, {"max_images": "all"}, TypeError, "max_images must be an int, got str 'all'"),
    ],
)
def test_misclassified_grid_errors(images, y_pred, kwargs, error, message):
    from utils.plots import misclassified_grid

    with pytest.raises(error, match=message):
        misclassified_grid(images, list(range(7)), y_pred, **kwargs)


# Lessons 01 and 02: annotated matrices, feature maps, filter positions.


def test_matrix_heatmaps_write_the_numbers_and_outline_the_highlight():
    from utils.plots import matrix_heatmaps

    fig = matrix_heatmaps(
        [np.array([[1, -2], [0, 3]]), np.array([[0.5, np.nan]])],
        titles=["a", "b"],
        highlights=[(0, 1, 2, 1), None],
    )
    assert [trace.type for trace in fig.data] == ["heatmap", "heatmap"]
    assert [list(row) for row in fig.data[0].text] == [["1", "-2"], ["0", "3"]]
    assert list(fig.data[1].text[0]) == ["0.5", ""] and fig.data[1].z[0][1] is None
    (box,) = fig.layout.shapes
    assert (box.x0, box.x1, box.y0, box.y1) == (0.5, 1.5, -0.5, 1.5)
    assert fig.data[0].zmin == -3 and fig.data[0].zmax == 3
    assert [a.text for a in fig.layout.annotations] == ["a", "b"]
    assert matrix_heatmaps([[[1, 2]]], title="one").layout.title.text == "one"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda f: f["matrix_heatmaps"]([np.ones(3)]), ValueError,
         r"matrices\[0\] must be a non-empty 2-D array, got shape \(3,\)"),
        (lambda f: f["matrix_heatmaps"](["abc"]), TypeError,
         r"matrices\[0\] must be an array of numbers, got str"),
        (lambda f: f["matrix_heatmaps"]([np.ones((2, 2))], highlights=[(1, 1, 2, 2)]), ValueError,
         r"highlights\[0\] \(1, 1, 2, 2\) does not fit in a matrix of shape \(2, 2\)"),
        (lambda f: f["matrix_heatmaps"]([np.ones((2, 2))], titles=["a", "b"]), ValueError,
         "titles must have one entry per matrix: got 2 for 1"),
        (lambda f: f["matrix_heatmaps"]([]), ValueError, "matrices must be a non-empty list"),
        (lambda f: f["matrix_heatmaps"](np.ones((2, 2))), TypeError,
         r"matrices must be a list of 2-D arrays; for one matrix pass \[matrix\]"),
        (lambda f: f["matrix_heatmaps"]([np.ones((2, 2))], cell_size=0), ValueError,
         "cell_size must be at least 1, got 0"),
        (lambda f: f["matrix_heatmaps"]([np.ones((2, 2))], font_size=1.5), TypeError,
         "font_size must be an int, got float 1.5"),
        (lambda f: f["matrix_heatmaps"]([np.ones((2, 2))], highlights=[(0, 0, 1.0, 1)]),
         TypeError, r"highlights\[0\]\[2\] must be an int, got float 1.0"),
        (lambda f: f["matrix_heatmaps"]([np.ones((2, 2))], highlights=[(0, 0, 1)]), ValueError,
         r"highlights\[0\] must be \(row, col, height, width\) or None, got \(0, 0, 1\)"),
        (lambda f: f["matrix_heatmaps"]([np.ones((2, 2))], highlights=[3]), TypeError,
         r"highlights\[0\] must be \(row, col, height, width\) or None, got 3"),
        (lambda f: f["map_grid"](np.ones((2, 3, 3)), titles=["a"]), ValueError,
         "titles must have one entry per map: got 1 for 2"),
        (lambda f: f["map_grid"](np.ones((2, 3, 3)), n_cols=0), ValueError,
         "n_cols must be at least 1, got 0"),
        (lambda f: f["map_grid"](np.ones((2, 3, 3)), n_cols=1.0), TypeError,
         "n_cols must be an int or None, got float 1.0"),
        (lambda f: f["output_size_figure"](7, 3, stride=0), ValueError,
         "stride must be at least 1, got 0"),
        (lambda f: f["output_size_figure"](7, 3, padding="half"), ValueError, "got 'half'"),
    ],
)  # fmt: skip
def test_matrix_and_conv_figures_errors_name_the_argument(call, error, message):
    from utils import plots

    with pytest.raises(error, match=message):
        call(vars(plots))


def test_map_grid_each_on_its_own_scale():
    from utils.plots import map_grid

    maps = np.stack([np.arange(9.0).reshape(3, 3), -np.arange(9.0).reshape(3, 3) / 10])
    fig = map_grid(maps, titles=["up", "down"])
    assert [(t.zmin, t.zmax) for t in fig.data] == [(0.0, 8.0), (pytest.approx(-0.8), 0.0)]


def test_output_size_figure_marks_every_position_and_the_uncovered_edge():
    from utils.plots import output_size_figure

    fig = output_size_figure(7, 3, 1, 2)
    grid = np.asarray(fig.data[0].z)
    assert grid.shape == (9, 9) and grid[0].sum() == 0 and grid[1:-1, 1:-1].min() == 1
    assert len(fig.data[1].x) == 16 and "output 4x4" in fig.layout.title.text
    same = output_size_figure(8, 3, "same", 2)  # Keras: no zero on top, one at the bottom
    assert np.asarray(same.data[0].z).shape == (9, 9) and np.asarray(same.data[0].z)[0, 0] == 1


def test_line_chart_draws_one_named_curve_per_series():
    from utils.plots import line_chart

    fig = line_chart([0, 1, 2], {"a": [0, 1, 4], "b": [1, 1, 1]}, title="t", x_title="shift")
    assert [trace.name for trace in fig.data] == ["a", "b"]
    assert list(fig.data[0].y) == [0, 1, 4] and fig.layout.xaxis.title.text == "shift"
    with pytest.raises(ValueError, match=r"series 'a' must have shape \(3,\) like x"):
        line_chart([0, 1, 2], {"a": [0, 1]})
    with pytest.raises(TypeError, match="series must be a non-empty dict"):
        line_chart([0, 1, 2], [[0, 1, 2]])
    with pytest.raises(ValueError, match="series must be a non-empty dict .* got an empty dict"):
        line_chart([0, 1, 2], {})
    with pytest.raises(ValueError, match="x must be a non-empty 1-D array"):
        line_chart([], {"a": []})
    with pytest.raises(TypeError, match="x must be an array of numbers, got str"):
        line_chart("abc", {"a": [0, 1, 2]})
    with pytest.raises(TypeError, match="series 'a' must hold real numbers, got dtype <U1"):
        line_chart([0, 1, 2], {"a": ["0", "1", "2"]})


# Lesson 10: which input cells feed which output cell (dilated and transposed convolutions).
# The figure's lines are read back as (input cell, output cell) pairs and compared with a
# reference from utils.conv.cross_correlate2d on one-hot inputs.


def _row_cells(trace) -> dict[float, int]:
    """x of each cell drawn in a row (z not None) -> its index among the row's cells."""
    xs = [trace.x0 + j * trace.dx for j, value in enumerate(trace.z[0]) if value is not None]
    return {x: index for index, x in enumerate(xs)}


def _pairs(fig, name: str) -> list[tuple[int, int]]:
    """The lines of trace ``name`` as (input cell, output cell) pairs, one per line."""
    (trace,) = [t for t in fig.data if t.name == name]
    inputs, outputs = _row_cells(fig.data[0]), _row_cells(fig.data[1])
    xs, ys = list(trace.x), list(trace.y)
    assert len(xs) % 3 == 0 and xs[2::3] == [None] * (len(xs) // 3)  # top, bottom, gap
    assert set(ys[0::3]) <= {fig.layout.yaxis.tickvals[0] - 0.5} and set(ys[1::3]) <= {0.5}
    return [(inputs[top], outputs[bottom]) for top, bottom in zip(xs[0::3], xs[1::3], strict=True)]


def _dilated_kernel(kernel_size: int, dilation: int) -> np.ndarray:
    kernel = np.zeros((1, kernel_size + (kernel_size - 1) * (dilation - 1)))
    kernel[0, ::dilation] = 1
    return kernel


def _reads(length: int, kernel_size: int, stride: int, dilation: int) -> set[tuple[int, int]]:
    """(input cell, output cell) pairs of a convolution over ``length`` (already padded) cells:
    output o reads input p when a one-hot input at p makes output o non-zero."""
    from utils.conv import cross_correlate2d

    kernel = _dilated_kernel(kernel_size, dilation)
    found = set()
    for p in range(length):
        one_hot = np.zeros((1, length))
        one_hot[0, p] = 1
        out = cross_correlate2d(one_hot, kernel, stride=stride)[0]
        found |= {(p, o) for o in np.flatnonzero(out)}
    return found


CONV_CASES = [(5, 3, 1, 2, 1), (7, 3, 0, 1, 2), (6, 2, 1, 3, 2), (4, 1, 0, 1, 1), (3, 3, 2, 1, 3)]


@pytest.mark.parametrize(("n", "k", "padding", "stride", "dilation"), CONV_CASES)
def test_connection_figure_joins_each_output_to_the_inputs_it_reads(
    n, k, padding, stride, dilation
):
    from utils.conv import output_size
    from utils.plots import connection_figure

    size = output_size(n, k, padding, stride, dilation=dilation)
    fig = connection_figure(n, k, padding, stride, dilation, highlight=size - 1)
    assert [t.name for t in fig.data[2:]] == ["connections", "highlighted"]
    assert fig.layout.title.text.endswith(f"output length {size}")
    # The padded input on top (padding cells 0 with a "0"), the output cells below.
    np.testing.assert_array_equal(fig.data[0].z[0], [0] * padding + [1] * n + [0] * padding)
    assert list(fig.data[0].text[0]).count("0") == 2 * padding
    assert len(_row_cells(fig.data[1])) == size
    pairs = _pairs(fig, "connections")
    assert len(pairs) == size * k and len(set(pairs)) == size * k  # k lines per output cell
    reference = _reads(n + 2 * padding, k, stride, dilation)
    assert set(pairs) == reference
    assert set(_pairs(fig, "highlighted")) == {(p, o) for p, o in reference if o == size - 1}
    # Taps d apart: the inputs of one output cell.
    first = sorted(p for p, o in pairs if o == 0)
    assert first == [j * dilation for j in range(k)]


TRANSPOSED_CASES = [(3, 3, 0, 2, 1), (4, 3, 1, 2, 2), (2, 2, 1, 1, 1), (3, 2, 0, 3, 1)]


@pytest.mark.parametrize(("n", "k", "padding", "stride", "dilation"), TRANSPOSED_CASES)
def test_transposed_connection_figure_is_the_convolutions_transpose(
    n, k, padding, stride, dilation
):
    """Input i writes the output cells that, in the convolution going back, read into output i."""
    from utils.conv import transposed_output_size
    from utils.plots import connection_figure

    span = k + (k - 1) * (dilation - 1)
    full = (n - 1) * stride + span  # the output before cropping
    size = transposed_output_size(n, span, padding, stride)
    assert size == full - 2 * padding
    fig = connection_figure(n, k, padding, stride, dilation, transposed=True, highlight=0)
    assert [t.name for t in fig.data[2:]] == ["connections", "cropped", "highlighted"]
    assert fig.layout.title.text.endswith(f"output length {size}")
    assert len(_row_cells(fig.data[0])) == n
    kept = list(fig.data[1].z[0])
    assert kept == [0] * padding + [1] * size + [0] * padding  # cropped cells faded
    written = _pairs(fig, "connections") + _pairs(fig, "cropped")
    assert len(written) == n * k and len(set(written)) == n * k  # k lines per input cell
    reference = {(i, w) for w, i in _reads(full, k, stride, dilation)}  # the transpose
    assert set(written) == reference
    assert set(_pairs(fig, "cropped")) == {
        (i, w) for i, w in reference if w < padding or w >= full - padding
    }
    assert set(_pairs(fig, "highlighted")) == {(i, w) for i, w in reference if w == padding}


def test_transposed_connection_figure_agrees_with_a_direct_transposed_convolution():
    """The scatter-add definition: y[i*S + j*d] += x[i] * w[j], then P cropped from each end."""
    from utils.plots import connection_figure

    n, k, padding, stride, dilation = 4, 3, 1, 2, 2
    span = k + (k - 1) * (dilation - 1)
    fig = connection_figure(n, k, padding, stride, dilation, transposed=True)
    for i in range(n):
        y = np.zeros((n - 1) * stride + span)
        for j in range(k):
            y[i * stride + j * dilation] += 1.0  # one-hot input i, kernel of ones
        kept = y[padding : len(y) - padding]
        drawn = {w - padding for i2, w in _pairs(fig, "connections") if i2 == i}
        assert drawn == set(np.flatnonzero(kept))


def test_connection_figure_marks_invalid_settings_and_outlines_the_highlight():
    from utils.plots import connection_figure
    from utils.plots.base import HIGHLIGHT

    too_long = connection_figure(3, 3, dilation=3)  # spans 7 cells, the input has 3
    assert len(too_long.data) == 2 and too_long.data[1].name == "taps"
    assert list(too_long.data[1].x) == [0, 3, 6]
    assert "invalid: the kernel spans 7 cells, the padded input 3" in too_long.layout.title.text
    assert too_long.layout.shapes[0].line.dash == "dash"
    cropped_away = connection_figure(1, 1, padding=1, transposed=True)
    assert "invalid" in cropped_away.layout.title.text
    assert list(cropped_away.data[1].z[0]) == [0] and _pairs(cropped_away, "cropped") == [(0, 0)]
    plain = connection_figure(7, 3)
    assert _pairs(plain, "highlighted") == [] and plain.layout.shapes == ()
    fig = connection_figure(7, 3, dilation=2, highlight=1)
    assert {t.name: t.line.color for t in fig.data[2:]}["highlighted"] == HIGHLIGHT
    assert len(fig.layout.shapes) == 4  # the output cell and the three inputs it reads
    assert {shape.line.color for shape in fig.layout.shapes} == {HIGHLIGHT}


def test_connection_figure_fits_the_column_with_exact_coordinates():
    from utils.plots import connection_figure
    from utils.plots.base import COLUMN_WIDTH

    small = connection_figure(5, 3)
    largest = connection_figure(16, 9, 4, 5, 4, transposed=True, highlight=0)  # 108 cells
    assert largest.layout.width <= COLUMN_WIDTH and small.layout.width <= COLUMN_WIDTH
    assert len(largest.data[1].z[0]) == 108
    # Smaller cells for a long row: the figure is 100 px of margins and gap + 2 rows of cells.
    cell = {
        name: (fig.layout.height - 100) / (fig.layout.yaxis.tickvals[0] + 1)
        for name, fig in (("small", small), ("largest", largest))
    }
    assert cell == {"small": 36, "largest": 6}
    for fig in (largest, connection_figure(6, 2, 1, 3, 2, highlight=0)):
        lines = [x for t in fig.data[2:] for x in t.x if x is not None]
        assert all(float(2 * x).is_integer() for x in lines)  # whole or half cells


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"highlight": 5}, ValueError, "highlight must be between 0 and 4, got 5"),
        ({"dilation": 4, "highlight": 0}, ValueError,
         "highlight must be None when there is no output, got 0"),
        ({"transposed": 1}, TypeError, "transposed must be True or False, got int 1"),
        ({"dilation": 0}, ValueError, "dilation must be at least 1, got 0"),
        ({"padding": "same"}, TypeError, "padding must be an int, got str 'same'"),
    ],
)  # fmt: skip
def test_connection_figure_errors_name_the_argument(kwargs, error, message):
    from utils.plots import connection_figure

    with pytest.raises(error, match=message):
        connection_figure(**{"n": 7, "kernel_size": 3, **kwargs})


# Lesson 06: kernel_grid, layer_maps, patch_grid, channel_mixing, probability_bar.
# (Imported inside the tests so that this block only adds to the file.)


def test_kernel_grid_one_heatmap_per_filter_on_one_scale_centred_on_zero():
    from utils.plots import kernel_grid

    kernels = np.random.default_rng(6).uniform(-1, 1, size=(3, 3, 1, 10)).astype("float32")
    kernels[1, 2, 0, 4] = -5.0  # the largest magnitude is negative
    fig = kernel_grid(kernels, n_cols=4, title="first layer")
    assert len(fig.data) == 10 and {trace.type for trace in fig.data} == {"heatmap"}
    for index, trace in enumerate(fig.data):
        np.testing.assert_array_equal(np.asarray(trace.z), kernels[:, :, 0, index])
        assert (trace.zmid, trace.zmin, trace.zmax) == (0, -5.0, 5.0)
    assert [trace.showscale for trace in fig.data] == [True] + [False] * 9
    scale = fig.data[0].colorscale
    assert scale[0] == (0, "#5e3c99") and scale[-1] == (1, "#e66101")  # purple low, orange high
    assert (0.5, "#f7f7f7") in scale  # near-white at zero, the middle of the symmetric range
    assert [a.text for a in fig.layout.annotations] == [str(i) for i in range(10)]
    assert fig.layout.title.text == "first layer"
    # Row-major, 4 per row: kernel 5 sits under kernel 1, kernel 4 starts the second row.
    layout = fig.layout
    assert layout.xaxis6.domain == layout.xaxis2.domain and layout.xaxis5.domain[0] == 0
    assert layout.yaxis5.domain == layout.yaxis6.domain
    assert layout.yaxis5.domain[1] < layout.yaxis.domain[0]
    assert fig.data[5].xaxis == "x6" and fig.data[5].yaxis == "y6"
    assert layout.yaxis.autorange == "reversed" and layout.yaxis3.scaleanchor == "x3"


def test_kernel_grid_accepts_a_stack_titles_and_a_fixed_scale():
    from utils.plots import kernel_grid

    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    fig = kernel_grid(np.stack([sobel_x, sobel_x.T]), titles=["x", "y"], zmax=4)
    np.testing.assert_array_equal(np.asarray(fig.data[1].z), sobel_x.T)
    assert [(t.zmin, t.zmax) for t in fig.data] == [(-4.0, 4.0), (-4.0, 4.0)]
    assert [a.text for a in fig.layout.annotations] == ["x", "y"]
    assert kernel_grid(np.zeros((2, 3, 3))).data[0].zmax == 1.0  # all zero: a unit scale
    wide = kernel_grid(np.zeros((16, 3, 3)), n_cols=16)
    tall = kernel_grid(np.zeros((16, 3, 3)), n_cols=4)
    assert wide.layout.width > tall.layout.width and wide.layout.height < tall.layout.height


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"kernels": np.zeros((3, 3, 2, 4))}, ValueError, "kernels has 2 input channels"),
        ({"kernels": np.zeros((3, 3))}, ValueError, r"kernels must have shape \(F_h, F_w, 1, n\)"),
        ({"kernels": "abc"}, TypeError, "kernels must be an array of numbers, got str"),
        ({"kernels": np.zeros((2, 3, 3)), "zmax": 0}, ValueError, "zmax must be a positive"),
        (
            {"kernels": np.zeros((2, 3, 3)), "zmax": "1"},
            TypeError,
            "zmax must be a number, got str",
        ),
        ({"kernels": np.zeros((2, 3, 3)), "zmax": np.inf}, ValueError, "zmax must be a finite"),
        ({"kernels": np.zeros((2, 3, 3)), "titles": ["a"]}, ValueError, "got 1 for 2"),
        ({"kernels": np.zeros((2, 3, 3)), "n_cols": 0}, ValueError, "n_cols must be at least 1"),
        ({"kernels": np.zeros((2, 3, 3)), "cell_size": 9.5}, TypeError, "cell_size must be an int"),
    ],
)
def test_kernel_grid_errors_name_the_argument(kwargs, error, message):
    from utils.plots import kernel_grid

    with pytest.raises(error, match=message):
        kernel_grid(**kwargs)


def test_layer_maps_draws_the_chosen_channels_on_one_scale():
    from utils.plots import layer_maps

    maps = np.random.default_rng(7).random((1, 5, 6, 12)).astype("float32")
    fig = layer_maps(maps, channels=range(2, 7), n_cols=3, title="conv")
    assert [trace.name for trace in fig.data] == [f"channel {c}" for c in range(2, 7)]
    for trace, channel in zip(fig.data, range(2, 7), strict=True):
        np.testing.assert_array_equal(np.asarray(trace.z), maps[0, :, :, channel])
    assert {trace.zmin for trace in fig.data} == {0.0}
    assert {trace.zmax for trace in fig.data} == {float(maps[0, :, :, 2:7].max())}
    assert [a.text for a in fig.layout.annotations] == ["2", "3", "4", "5", "6"]
    assert fig.layout.yaxis4.domain[1] < fig.layout.yaxis.domain[0]  # a second row of maps
    same = layer_maps(maps[0], channels=[2, 3, 4, 5, 6], n_cols=3, title="conv")
    assert json.dumps(same.to_dict()) == json.dumps(fig.to_dict())
    assert len(layer_maps(maps).data) == 12  # every channel by default


def test_layer_maps_own_scales_and_negative_values():
    from utils.plots import layer_maps

    maps = np.zeros((4, 4, 3))
    maps[..., 1] = np.arange(16).reshape(4, 4) - 4.0
    maps[..., 2] = 0.5
    own = layer_maps(maps, shared_scale=False)
    assert [(t.zmin, t.zmax) for t in own.data] == [(0.0, 1.0), (-4.0, 11.0), (0.5, 1.5)]
    shared = layer_maps(maps)
    assert {(t.zmin, t.zmax) for t in shared.data} == {(-4.0, 11.0)}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"activations": np.zeros((2, 5, 5, 3))}, ValueError, "maps of one image"),
        ({"activations": np.zeros((5, 5))}, ValueError, r"activations must have shape"),
        ({"activations": np.zeros((5, 5, 3)), "channels": [3]}, ValueError, "between 0 and 2"),
        ({"activations": np.zeros((5, 5, 3)), "channels": []}, ValueError, "at least one"),
        (
            {"activations": np.zeros((5, 5, 3)), "channels": [0, 1.0]},
            TypeError,
            r"channels\[1\] must be an int, got float 1.0",
        ),
        (
            {"activations": np.zeros((5, 5, 3)), "channels": [-1]},
            ValueError,
            r"channels\[0\] must be between 0 and 2, got -1",
        ),
        ({"activations": "abc"}, TypeError, "activations must be an array of numbers, got str"),
        ({"activations": np.zeros((5, 5, 3)), "channels": 2}, TypeError, "sequence of ints"),
    ],
)
def test_layer_maps_errors_name_the_argument(kwargs, error, message):
    from utils.plots import layer_maps

    with pytest.raises(error, match=message):
        layer_maps(**kwargs)


def test_patch_grid_outlines_the_same_box_in_every_patch():
    from utils.plots import patch_grid

    patches = np.random.default_rng(8).random((5, 9, 9))
    fig = patch_grid(patches, labels=list("abcde"), highlight=(3, 3, 3, 3), n_cols=4)
    assert len(fig.data) == 5 and len(fig.layout.shapes) == 5
    np.testing.assert_allclose(np.asarray(fig.data[4].z), patches[4], rtol=1e-6)
    assert {(t.zmin, t.zmax) for t in fig.data} == {
        (float(np.float32(patches.min())), float(np.float32(patches.max())))
    }
    box = fig.layout.shapes[4]
    assert (box.xref, box.yref) == ("x5", "y5")
    assert (box.x0, box.x1, box.y0, box.y1) == (2.5, 5.5, 2.5, 5.5)
    assert [a.text for a in fig.layout.annotations] == list("abcde")
    assert patch_grid(patches).layout.shapes == ()
    with pytest.raises(ValueError, match="highlight .* does not fit"):
        patch_grid(patches, highlight=(7, 7, 3, 3))


def test_channel_mixing_is_the_norm_of_each_slice():
    import math

    from utils.plots import channel_mixing

    kernel = np.random.default_rng(9).normal(size=(3, 3, 4, 5))
    fig = channel_mixing(kernel, title="conv_2")

    def norm(i, j):
        return math.sqrt(sum(kernel[u, v, i, j] ** 2 for u in range(3) for v in range(3)))

    expected = [[norm(i, j) for j in range(5)] for i in range(4)]
    (heatmap,) = fig.data
    np.testing.assert_allclose(np.asarray(heatmap.z), expected, rtol=1e-6)
    assert heatmap.zmin == 0 and heatmap.zmax == pytest.approx(np.max(expected), rel=1e-6)
    assert fig.layout.yaxis.autorange == "reversed"  # input channel 0 at the top
    assert "input channel" in fig.layout.yaxis.title.text
    assert channel_mixing(kernel, zmax=10).data[0].zmax == 10
    with pytest.raises(ValueError, match="kernel must be a Conv2D kernel"):
        channel_mixing(np.zeros((3, 3, 4)))


def test_probability_bar_colours_the_prediction_and_the_truth():
    from utils.plots import probability_bar

    probabilities = np.array([0.05, 0.7, 0.25])
    (bar,) = probability_bar(probabilities, label=2).data
    assert list(bar.x) == ["0", "1", "2"]
    np.testing.assert_allclose(bar.y, probabilities)
    # wrong: vermillion and hatched; truth: blue
    assert list(bar.marker.color) == ["#9ecae1", "#d55e00", "#0072b2"]
    assert list(bar.marker.pattern.shape) == ["", "/", ""]
    assert list(bar.text) == ["0.05", "0.70", "0.25"]
    fig = probability_bar(probabilities, label=2)
    assert fig.layout.title.text == "predicted 1 (probability 0.70), true 2"
    assert tuple(fig.layout.yaxis.range) == (0, 1.05)
    right = probability_bar(probabilities[None], label=1).data[0]
    assert list(right.marker.color) == ["#9ecae1", "#0072b2", "#9ecae1"]
    assert list(right.marker.pattern.shape) == ["", "", ""]
    unlabelled = probability_bar(probabilities, class_names=["cat", "dog", "emu"])
    assert list(unlabelled.data[0].marker.color)[1] == "#ff9900"
    assert unlabelled.layout.title.text == "predicted dog (probability 0.70)"


@pytest.mark.parametrize(
    ("probabilities", "label", "error", "message"),
    [
        ([0.5, 0.6], None, ValueError, "add up to 1, got a sum of 1.1"),
        ([-0.1, 1.1], None, ValueError, "non-negative"),
        ([0.5, 0.5], 2, ValueError, "label must be between 0 and 1, got 2"),
        ([0.5, 0.5], True, TypeError, "label must be an int or None, got bool True"),
        ([0.5, 0.5], -1, ValueError, "label must be between 0 and 1, got -1"),
        (np.ones((2, 3)) / 3, None, ValueError, r"shape \(n_classes,\)"),
        (["a", "b"], None, TypeError, "real numbers"),
    ],
)
def test_probability_bar_errors_name_the_argument(probabilities, label, error, message):
    from utils.plots import probability_bar

    with pytest.raises(error, match=message):
        probability_bar(probabilities, label=label)


# Lesson 08: example signals of each class.


def test_signal_examples_one_panel_per_class_with_the_first_examples_and_the_mean():
    from utils.plots import signal_examples

    rng = np.random.default_rng(8)
    signals = rng.normal(size=(12, 20))
    labels = np.array([0, 1, 0, 0, 1, 0, 2, 0, 1, 2, 0, 0])
    fig = signal_examples(signals, labels, class_names=["a", "b", "c", "d"], per_class=3, n_cols=2)
    titles = [annotation.text for annotation in fig.layout.annotations]
    assert titles == [
        "class 0: a (n = 7)",
        "class 1: b (n = 3)",
        "class 2: c (n = 2)",
        "class 3: d (n = 0)",
    ]
    by_axis: dict[str, list] = {}
    for trace in fig.data:
        by_axis.setdefault(trace.xaxis, []).append(trace)
    # Three examples + the mean, three + the mean, two + the mean, nothing for class 3.
    assert [len(by_axis.get(axis, [])) for axis in ("x", "x2", "x3", "x4")] == [4, 4, 3, 0]
    for axis, label in (("x", 0), ("x2", 1), ("x3", 2)):
        members = np.flatnonzero(labels == label)
        *examples, mean = by_axis[axis]
        for trace, member in zip(examples, members[:3], strict=True):
            np.testing.assert_allclose(trace.y, signals[member])
        assert mean.name == "class mean" and mean.line.color == "black"
        np.testing.assert_allclose(mean.y, signals[members].mean(axis=0))
    low, high = fig.layout.yaxis.range
    assert low < signals.min() and high > signals.max()
    assert fig.layout.yaxis4.range == fig.layout.yaxis.range


def test_signal_examples_without_names_numbers_the_classes():
    from utils.plots import signal_examples

    fig = signal_examples(np.zeros((3, 5)), [1, 1, 0], title="beats")
    assert [a.text for a in fig.layout.annotations] == ["class 0 (n = 1)", "class 1 (n = 2)"]
    assert fig.layout.title.text == "beats"


@pytest.mark.parametrize(
    ("signals", "labels", "kwargs", "error", "message"),
    [
        (np.zeros(5), [0], {}, ValueError, r"signals must have shape \(n, length\)"),
        ("abc", [0], {}, TypeError, "signals must be an array of numbers, got str"),
        (np.zeros((2, 5)), [0], {}, ValueError, "one entry per signal: got 1 labels for 2"),
        (np.zeros((2, 5)), [0.0, 1.0], {}, TypeError, "labels must hold integers"),
        (np.zeros((2, 5)), [0, -1], {}, ValueError, "labels must be class numbers"),
        (np.zeros((2, 5)), [0, 2], {"class_names": ["a", "b"]}, ValueError, "name every class"),
        (np.zeros((2, 5)), [0, 1], {"class_names": "ab"}, TypeError, "class_names must be a list"),
        (np.zeros((2, 5)), [0, 1], {"per_class": 0}, ValueError, "per_class must be at least 1"),
        (np.zeros((2, 5)), [0, 1], {"n_cols": 1.5}, TypeError, "n_cols must be an int"),
    ],
)
def test_signal_examples_errors_name_the_argument(signals, labels, kwargs, error, message):
    from utils.plots import signal_examples

    with pytest.raises(error, match=message):
        signal_examples(signals, labels, **kwargs)


# Lesson 07: several training runs compared.

RUN_A = {"loss": [2.0, 1.0, 0.5], "val_loss": [2.1, 1.2, 0.9], "accuracy": [0.3, 0.6, 0.9]}
RUN_B = {"loss": [2.3, 2.3, 2.2], "accuracy": [0.1, 0.1, 0.2]}


def test_compare_training_curves_one_line_per_run_metric_and_split():
    from utils.plots import compare_training_curves

    fig = compare_training_curves(
        {"with": RUN_A, "without": RUN_B}, metrics=("loss", "accuracy"), title="compare"
    )
    lines = [(trace.name, trace.xaxis, trace.line.dash, list(trace.y)) for trace in fig.data]
    assert lines == [
        ("with (training)", "x", "solid", RUN_A["loss"]),
        ("with (validation)", "x", "dash", RUN_A["val_loss"]),
        ("with", "x2", "solid", RUN_A["accuracy"]),
        ("without", "x", "solid", RUN_B["loss"]),
        ("without", "x2", "solid", RUN_B["accuracy"]),
    ]
    assert all(list(trace.x) == [1, 2, 3] for trace in fig.data)
    # one colour per run, one legend entry per line of the first panel
    colours = [trace.line.color for trace in fig.data]
    assert len(set(colours[:3])) == 1 and len(set(colours[3:])) == 1
    assert colours[0] != colours[3]
    assert [trace.showlegend for trace in fig.data] == [True, True, False, True, False]
    assert [annotation.text for annotation in fig.layout.annotations] == ["loss", "accuracy"]
    assert fig.layout.title.text == "compare"


def test_compare_training_curves_accepts_history_objects_and_one_metric_name():
    from utils.plots import compare_training_curves

    class History:
        history = RUN_B

    fig = compare_training_curves({"run": History()}, metrics="accuracy")
    assert [(trace.name, list(trace.y)) for trace in fig.data] == [("run", RUN_B["accuracy"])]


@pytest.mark.parametrize(
    ("histories", "metrics", "error", "message"),
    [
        ({}, ("loss",), ValueError, "histories must be a non-empty dict .* got an empty dict"),
        ([RUN_A], ("loss",), TypeError, "histories must be a non-empty dict .* got list"),
        ({"a": RUN_A}, (), ValueError, r"metrics must be a non-empty tuple of str, got \(\)"),
        ({"a": RUN_A}, ("loss", 1), TypeError, r"metrics\[1\] must be a str, got int 1"),
        ({"a": RUN_A}, 3, TypeError, "metrics must be a non-empty tuple of str, got 3"),
        (
            {"a": RUN_A, "b": RUN_B},
            ("val_loss",),
            ValueError,
            r"history 'b' has no 'val_loss' curve; it has \['accuracy', 'loss'\]",
        ),
        ({"a": [1.0]}, ("loss",), TypeError, "history must be a keras History"),
    ],
)
def test_compare_training_curves_errors(histories, metrics, error, message):
    from utils.plots import compare_training_curves

    with pytest.raises(error, match=message):
        compare_training_curves(histories, metrics=metrics)


# The package: what utils.plots exports, and the plumbing its modules share (utils.plots.base).

PUBLIC = [
    "RENDERER_NAME",
    "FIGURE_DIGITS",
    "CourseRenderer",
    "use_course_renderer",
    "describe_figure",
    "image_grid",
    "map_grid",
    "saliency_grid",
    "matrix_heatmaps",
    "output_size_figure",
    "connection_figure",
    "training_curves",
    "confusion_matrix",
    "misclassified_grid",
    "line_chart",
    "compare_training_curves",
    "kernel_grid",
    "layer_maps",
    "patch_grid",
    "channel_mixing",
    "probability_bar",
    "signal_examples",
]


def test_the_package_exports_exactly_the_figures_and_the_renderer():
    from utils import plots

    assert sorted(plots.__all__) == sorted(PUBLIC)
    assert all(hasattr(plots, name) for name in PUBLIC)
    for gone in ("feature_maps", "activation_maps", "matrix_heatmap", "as_image_stack"):
        assert not hasattr(plots, gone)


def test_format_number_writes_a_cell_as_a_student_would():
    from utils.plots.base import format_number

    assert [format_number(v) for v in (5.0, -1, 0.25, 1 / 3, 12345.6)] == [
        "5",
        "-1",
        "0.25",
        "0.333",
        "1.23e+04",
    ]
    assert format_number(float("nan")) == ""
    assert (format_number(float("inf")), format_number(-float("inf"))) == ("inf", "-inf")


def test_as_image_stack_drops_a_single_channel_and_rejects_other_shapes():
    from utils.plots.base import as_image_stack

    stack = as_image_stack(np.zeros((2, 4, 5, 1), dtype=np.uint8), name="digits")
    assert stack.shape == (2, 4, 5) and stack.dtype == np.uint8
    assert as_image_stack([[[1.5]]]).shape == (1, 1, 1)
    with pytest.raises(ValueError, match=r"digits must have shape .* got shape \(2, 4, 5, 3\)"):
        as_image_stack(np.zeros((2, 4, 5, 3)), name="digits")
    with pytest.raises(ValueError, match=r"images must have shape .* got shape \(\)"):
        as_image_stack(3)
    with pytest.raises(TypeError, match="images must hold real numbers, got dtype complex128"):
        as_image_stack(np.zeros((1, 2, 2), complex))


def test_highlight_box_and_the_label_helpers():
    from utils.plots.base import class_labels, highlight_box, item_labels

    assert highlight_box(None, (3, 3), "box") is None
    assert highlight_box([np.int64(1), 0, 2, 3], (3, 3), "box") == (1, 0, 2, 3)
    with pytest.raises(ValueError, match=r"box \(0, 1, 1, 3\) does not fit .* shape \(3, 3\)"):
        highlight_box((0, 1, 1, 3), (3, 3), "box")
    with pytest.raises(ValueError, match=r"box \(-1, 0, 1, 1\) does not fit"):
        highlight_box((-1, 0, 1, 1), (3, 3), "box")
    with pytest.raises(TypeError, match=r"box\[0\] must be an int, got bool True"):
        highlight_box((True, 0, 1, 1), (3, 3), "box")
    assert item_labels(range(3), 3, "names") == ["0", "1", "2"]
    with pytest.raises(TypeError, match="names must be a sequence of one label per item"):
        item_labels("abc", 3, "names")
    with pytest.raises(ValueError, match="names must have one entry per item: got 2 for 3"):
        item_labels(["a", "b"], 3, "names")
    labels = class_labels(np.array([3, 1], dtype=np.uint8), "y")
    assert labels.dtype == np.int64 and list(labels) == [3, 1]
    assert class_labels([], "y").size == 0
    with pytest.raises(ValueError, match=r"y must have shape \(n,\), got shape \(1, 2\)"):
        class_labels([[0, 1]], "y")


def test_grid_layout_places_square_cells_row_by_row():
    from utils.plots.base import GREY_SCALE, grid_layout, heatmap_grid

    layout, suffixes = grid_layout(5, n_cols=2, cell_size=30, labelled=True, title="t")
    assert suffixes == ["", "2", "3", "4", "5"]
    assert layout["xaxis3"]["domain"] == layout["xaxis"]["domain"]  # cell 3 under cell 1
    assert layout["yaxis3"]["domain"][1] < layout["yaxis"]["domain"][0]
    assert layout["yaxis5"]["scaleanchor"] == "x5" and layout["title"] == {"text": "t"}
    assert grid_layout(5, 9, 30, False, None)[0]["width"] < layout["width"] * 3
    stack = np.arange(12.0).reshape(3, 2, 2)
    fig = heatmap_grid(
        stack,
        ["a", "b", "c"],
        2,
        30,
        None,
        colorscale=GREY_SCALE,
        zmin=[0.0] * 3,
        zmax=[11.0] * 3,
        hovertemplate=["%{z}"] * 3,
    )
    assert [trace.yaxis for trace in fig.data] == ["y", "y2", "y3"]
    np.testing.assert_array_equal(np.asarray(fig.data[2].z), stack[2])
    assert [a.text for a in fig.layout.annotations] == ["a", "b", "c"]


def test_wide_figures_fit_the_notebook_column():
    """Multi-panel figures stay within COLUMN_WIDTH however many panels they hold."""
    from utils.plots import (
        channel_mixing,
        compare_training_curves,
        matrix_heatmaps,
        signal_examples,
        training_curves,
    )
    from utils.plots.base import COLUMN_WIDTH

    rng = np.random.default_rng(0)
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6], "accuracy": [0.5, 0.8]}
    history["val_accuracy"] = [0.4, 0.7]
    figures = {
        "matrix_heatmaps": matrix_heatmaps([rng.normal(size=(7, 7))] * 3, cell_size=60),
        "signal_examples": signal_examples(rng.normal(size=(12, 20)), np.arange(12) % 4, n_cols=4),
        "training_curves": training_curves(history),
        "compare_training_curves": compare_training_curves(
            {"a": history, "b": history}, metrics=("loss", "accuracy")
        ),
        "channel_mixing": channel_mixing(rng.normal(size=(3, 3, 32, 128))),
    }
    widths = {name: fig.layout.width for name, fig in figures.items()}
    assert all(0 < width <= COLUMN_WIDTH for width in widths.values()), widths
    # The heatmaps shrink their cells rather than overflow: 3 x 7 cells of 60 would be 1,500 px.
    assert widths["matrix_heatmaps"] > COLUMN_WIDTH - 60


def test_signal_examples_label_only_the_lowest_panel_of_each_column():
    """With 5 classes in 3 columns, the axis titles sit under panels 3, 4 and 5, not between."""
    from utils.plots import signal_examples

    fig = signal_examples(np.random.default_rng(0).normal(size=(10, 20)), np.arange(10) % 5)
    titled = [
        index
        for index in range(5)
        if fig.layout[f"xaxis{index + 1 if index else ''}"].title.text == "sample"
    ]
    assert titled == [2, 3, 4]


# Lesson 12: digits above their saliency maps, each map on its own scale centred at 0.


def _saliency_inputs(n=3, size=(6, 5)):
    rng = np.random.default_rng(12)
    digits = rng.uniform(0, 1, size=(n, *size))
    maps = {
        "occlusion": rng.normal(size=(n, *size)),
        "gradient": np.abs(rng.normal(size=(n, *size, 1))),
    }
    return digits, maps


def test_saliency_grid_one_row_of_digits_then_one_row_per_method():
    from utils.plots import saliency_grid
    from utils.plots.base import GREY_SCALE

    digits, maps = _saliency_inputs()
    maps["occlusion"][1] = 0.0  # a map of zeros keeps a scale of +-1
    fig = saliency_grid(digits, maps, labels=["7 → 7", "2 → 2", "1 → 7"], title="Saliency")
    assert len(fig.data) == 3 * (1 + 2)
    rows = [digits, maps["occlusion"], maps["gradient"][..., 0]]
    for index, trace in enumerate(fig.data):
        row, col = divmod(index, 3)
        np.testing.assert_allclose(np.asarray(trace.z), rows[row][col], rtol=1e-6)
        assert trace.hovertemplate.startswith("row %{y}, col %{x}: %{z:.3g}")
    for trace in fig.data[:3]:  # the digits share one grey scale
        assert [list(stop) for stop in trace.colorscale] == GREY_SCALE
        assert (trace.zmin, trace.zmax) == pytest.approx((digits.min(), digits.max()))
    for index, trace in enumerate(fig.data[3:]):
        values = rows[1 + index // 3][index % 3]
        largest = float(np.abs(values.astype(np.float32)).max()) or 1.0
        assert trace.zmin == -trace.zmax and trace.zmax == pytest.approx(largest, rel=1e-6)
        assert trace.colorscale[-1][1] == "#e66101" and trace.colorscale[1] == (0.5, "#ffffff")
    assert fig.data[4].zmax == 1.0
    texts = [a.text for a in fig.layout.annotations]
    assert texts == ["7 → 7", "2 → 2", "1 → 7", "occlusion", "", "", "gradient", "", ""]
    assert fig.layout.annotations[3].xanchor == "left"
    assert fig.layout.title.text == "Saliency"
    # Row 0 at the top: the maps' rows lie below the digits.
    assert fig.layout.yaxis4.domain[1] < fig.layout.yaxis.domain[0]
    assert fig.layout.xaxis4.domain == fig.layout.xaxis.domain


def test_saliency_grid_without_labels_and_with_channels_last_digits():
    from utils.plots import saliency_grid

    digits, maps = _saliency_inputs(n=2)
    fig = saliency_grid(digits[..., None], {"only": maps["occlusion"]})
    assert len(fig.data) == 4
    assert [a.text for a in fig.layout.annotations] == ["", "", "only", ""]


@pytest.mark.parametrize("n", range(1, 13))
def test_saliency_grid_fits_the_notebook_column(n):
    from utils.plots import saliency_grid
    from utils.plots.base import COLUMN_WIDTH

    digits, maps = _saliency_inputs(n=n, size=(28, 28))
    fig = saliency_grid(digits, maps)
    assert 0 < fig.layout.width <= COLUMN_WIDTH
    if n >= 10:
        assert fig.layout.width > COLUMN_WIDTH - 100  # the cells fill the column
    assert len(fig.data) == 3 * n


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda d, m: (d, [m["occlusion"]]), TypeError, r"maps must be a dict of method name"),
        (lambda d, m: (d, {}), ValueError, r"maps must hold at least one method"),
        (lambda d, m: (d, {1: m["occlusion"]}), TypeError, r"maps keys must be str.*got int 1"),
        (
            lambda d, m: (d, {"occlusion": m["occlusion"][:2]}),
            ValueError,
            r"maps\['occlusion'\] must have the shape of images, \(n, H, W\) = \(3, 6, 5\), "
            r"got shape \(2, 6, 5\)",
        ),
        (
            lambda d, m: (d, {"g": np.zeros((3, 5, 5))}),
            ValueError,
            r"maps\['g'\] must have the shape of images",
        ),
        (
            lambda d, m: (d, {"g": np.full((3, 6, 5), np.nan)}),
            ValueError,
            r"maps\['g'\] must hold finite numbers",
        ),
        (lambda d, m: (d, {"g": "map"}), TypeError, r"maps\['g'\] must be an array of numbers"),
        (lambda d, m: (d[0], m), ValueError, r"images must have shape \(n, height, width\)"),
        (
            lambda d, m: (np.zeros((41, 2, 2)), {"g": np.zeros((41, 2, 2))}),
            ValueError,
            r"images must hold at most 40 images",
        ),
    ],
)
def test_saliency_grid_errors_name_the_argument(call, error, message):
    from utils.plots import saliency_grid

    images, maps = call(*_saliency_inputs())
    with pytest.raises(error, match=message):
        saliency_grid(images, maps)


def test_saliency_grid_labels_and_title_are_checked():
    from utils.plots import saliency_grid

    digits, maps = _saliency_inputs()
    with pytest.raises(ValueError, match=r"labels must have one entry per item: got 2 for 3"):
        saliency_grid(digits, maps, labels=["a", "b"])
    with pytest.raises(TypeError, match=r"labels must be a sequence of one label per item"):
        saliency_grid(digits, maps, labels="abc")
    with pytest.raises(TypeError, match=r"title must be a str, got int 3"):
        saliency_grid(digits, maps, title=3)
