"""Tests for utils.plots: the figures' data and layout, and their errors."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

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
        ({"images": "digits"}, TypeError, "images must be an array"),
        ({"images": np.full((2, 3, 3), "a")}, TypeError, "images must hold real numbers"),
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
    assert set(bundle) == {"application/vnd.plotly.v1+json", "text/plain"}
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
        assert "application/vnd.plotly.v1+json" in bundle
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
    from utils.plots import matrix_heatmap, matrix_heatmaps

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
    assert matrix_heatmap([[1, 2]], title="one").layout.title.text == "one"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda f: f["matrix_heatmap"](np.ones(3)), ValueError,
         r"matrix must be a non-empty 2-D array, got shape \(3,\)"),
        (lambda f: f["matrix_heatmap"]("abc"), TypeError,
         "matrix must be a 2-D array of numbers, got str"),
        (lambda f: f["matrix_heatmap"](np.ones((2, 2)), highlight=(1, 1, 2, 2)), ValueError,
         r"highlight \(1, 1, 2, 2\) does not fit in a matrix of shape \(2, 2\)"),
        (lambda f: f["matrix_heatmaps"]([np.ones((2, 2))], titles=["a", "b"]), ValueError,
         "titles must have one entry per matrix: got 2 for 1"),
        (lambda f: f["matrix_heatmaps"]([]), TypeError, "matrices must be a non-empty list"),
        (lambda f: f["feature_maps"](np.ones((2, 3, 3)), titles=["a"]), ValueError,
         "titles must have one entry per map: got 1 for 2"),
        (lambda f: f["output_size_figure"](7, 3, stride=0), ValueError,
         "stride must be a positive int, got 0"),
        (lambda f: f["output_size_figure"](7, 3, padding="half"), ValueError, "got 'half'"),
    ],
)  # fmt: skip
def test_matrix_and_conv_figures_errors_name_the_argument(call, error, message):
    from utils import plots

    with pytest.raises(error, match=message):
        call(vars(plots))


def test_feature_maps_each_on_its_own_scale():
    from utils.plots import feature_maps

    maps = np.stack([np.arange(9.0).reshape(3, 3), -np.arange(9.0).reshape(3, 3) / 10])
    fig = feature_maps(maps, titles=["up", "down"])
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
    with pytest.raises(ValueError, match="x must be a non-empty 1-D array"):
        line_chart([], {"a": []})
