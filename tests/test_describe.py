"""Tests for utils.plots.describe_figure: a figure's text alternative, written from its data."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from utils.figures import FIGURE_MIME
from utils.plots import (
    CourseRenderer,
    describe_figure,
    image_grid,
    kernel_grid,
    probability_bar,
    training_curves,
)

HISTORY = {
    "loss": [0.5, 0.2, 0.1],
    "val_loss": [0.4, 0.3, 0.35],
    "accuracy": [0.8, 0.9, 0.95],
    "val_accuracy": [0.85, 0.88, 0.9],
}


def _stored(fig: go.Figure) -> dict:
    """The figure's JSON as a notebook stores it: rounded, with typed arrays (bdata)."""
    bundle = CourseRenderer().to_mimebundle(fig.to_plotly_json())
    return json.loads(json.dumps(bundle[FIGURE_MIME]))


def test_training_curves_are_described_by_title_panel_and_end_points():
    text = describe_figure(training_curves(HISTORY, title="Three epochs"))
    assert text.startswith("Three epochs. Labels: loss, accuracy. Plotted: ")
    assert "loss of training falls from 0.5 at epoch 1 to 0.1 at epoch 3;" in text
    # a curve that turns says where: the lowest of 0.4, 0.3, 0.35 is 0.3
    assert "loss of validation falls from 0.4 at epoch 1 to 0.35 at epoch 3 " in text
    assert "(lowest 0.3)" in text  # the highest, 0.4, is the first value, said already
    assert "accuracy of training rises from 0.8 at epoch 1 to 0.95 at epoch 3" in text


def test_the_stored_json_with_typed_arrays_gives_the_same_text_as_the_figure():
    kernels = np.random.default_rng(0).uniform(-1, 1, size=(3, 3, 1, 4)).astype("float32")
    kernels[0, 0, 0, 0] = -0.75
    kernels[2, 2, 0, 3] = 0.9876
    fig = kernel_grid(kernels, title="four kernels")
    stored = _stored(fig)
    assert any("bdata" in json.dumps(trace) for trace in stored["data"])  # typed arrays
    text = describe_figure(stored)
    assert text == describe_figure(fig)
    low, high = kernels.min(), kernels.max()
    assert f"4 heatmaps of 3 x 3 cells, values from {low:.3g} to {high:.3g}." in text
    assert text.startswith("four kernels. Labels: 0, 1, 2, 3.")


def test_a_probability_bar_names_the_highest_bar_and_every_value():
    text = describe_figure(probability_bar(np.array([0.1, 0.7, 0.2]), label=2))
    assert text.startswith("predicted 1 (probability 0.70), true 2.")
    assert "3 bars of probability by class, highest 1 at 0.7 (0: 0.1, 1: 0.7, 2: 0.2)" in text


def test_an_untitled_figure_and_an_empty_one_say_so():
    assert describe_figure(go.Figure()) == "An untitled figure. Nothing is plotted."
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, None], mode="markers", name="dots"))
    assert describe_figure(fig) == "An untitled figure. Plotted: 1 points dots from 3 to 3."


def test_an_untitled_figure_is_named_by_its_panels_labels():
    fig = image_grid(np.zeros((2, 4, 4)), labels=["first, left", "second"])
    assert describe_figure(fig).startswith("A figure of: first, left; second. Plotted: 2 heat")


def test_the_empty_cells_of_a_grid_are_not_counted_as_heatmaps():
    fig = go.Figure([go.Heatmap(z=[[1.0, 2.0]]), go.Heatmap(z=[[np.nan]]), go.Heatmap(z=[[None]])])
    assert describe_figure(fig).endswith("Plotted: a heatmap of 1 x 2 cells, values from 1 to 2.")


def test_html_in_a_title_is_read_as_plain_text():
    fig = go.Figure(layout={"title": {"text": "<b>bold</b> &amp; broken<br>line"}})
    assert describe_figure(fig).startswith("bold & broken line.")


@pytest.mark.parametrize("bad", [None, "a figure", [1, 2], {"data": "not a list"}])
def test_what_is_not_a_figure_is_refused_with_a_clear_error(bad):
    with pytest.raises(TypeError, match="figure must be a plotly Figure or its JSON dict"):
        describe_figure(bad)
