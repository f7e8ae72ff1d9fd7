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
