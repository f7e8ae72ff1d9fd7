"""Lesson 00: browse a set of grey images with a slider."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from IPython.display import display

from utils.plots import image_grid
from utils.plots.base import as_image_stack
from utils.widgets._a11y import AccessibleNames
from utils.widgets._output import show_figures


class DigitBrowser:
    """Browse a set of grey images with a slider, showing each with its label.

    Parameters
    ----------
    images : array_like, shape (n, height, width)
        The images to browse, for example ``x_train`` from ``load_mnist()``.
    labels : array_like, shape (n,)
        One label per image.
    description : str, default "image"
        What an image is called in the caption ("training image 3: label 1").

    Attributes
    ----------
    slider : ipywidgets.IntSlider
        Selects the image; set ``slider.value`` to move it.
    caption : ipywidgets.HTML
        Says which image is shown and its label.
    figure : plotly.graph_objects.Figure
        The figure currently shown (one heatmap of the selected image).
    widget : ipywidgets.VBox
        The whole layout; the object displays as this widget.
    """

    def __init__(self, images: object, labels: object, description: str = "image") -> None:
        self.images = as_image_stack(images)
        self.labels = np.asarray(labels).reshape(-1)
        if self.labels.shape[0] != self.images.shape[0]:
            raise ValueError(
                f"labels must have one entry per image: got {self.labels.shape[0]} labels "
                f"for {self.images.shape[0]} images"
            )
        self.description = description
        self.slider = widgets.IntSlider(
            value=0,
            min=0,
            max=self.images.shape[0] - 1,
            description="index",
            tooltip=f"which {description}",
            continuous_update=True,
        )
        self.caption = widgets.HTML().add_class("course-live")
        self.output = widgets.Output()
        self.figure: go.Figure = go.Figure()
        # AccessibleNames names the slider for screen readers.
        self.widget = widgets.VBox([self.slider, self.caption, self.output, AccessibleNames()])
        self.slider.observe(self._on_change, names="value")
        self._show(0)

    def _show(self, index: int) -> None:
        label = self.labels[index]
        self.caption.value = f"<b>{self.description} {index}</b>: label <b>{label}</b>"
        self.figure = image_grid(self.images[index : index + 1], n_cols=1)
        self.figure.update_layout(width=220, height=220, margin=dict(l=10, r=10, t=10, b=10))
        show_figures(self.output, self.figure)

    def _on_change(self, change: dict) -> None:
        self._show(int(change["new"]))

    def _ipython_display_(self) -> None:
        display(self.widget)
