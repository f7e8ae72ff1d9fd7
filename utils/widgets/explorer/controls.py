"""The explorer's controls: the ipywidgets it is made of, and how they are laid out."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets

from utils.widgets._a11y import AccessibleNames
from utils.widgets.explorer.edits import ERASE_REGIONS

MAX_SHIFT = 6
"""How far the shift sliders move the digit, in pixels, each way."""


@dataclass
class ExplorerControls:
    """Every widget of the explorer; ``widget`` lays them out (see :func:`build_controls`)."""

    index: widgets.IntSlider
    next_wrong: widgets.Button
    layer: widgets.Dropdown
    channels: widgets.IntRangeSlider
    shift_right: widgets.IntSlider
    shift_down: widgets.IntSlider
    erase: widgets.Dropdown
    caption: widgets.HTML
    left: widgets.Output
    right: widgets.Output
    widget: widgets.VBox


def build_controls(
    n_images: int, layer_names: list[str], n_channels: int, n_shown: int
) -> ExplorerControls:
    """The explorer's widgets, on the first image, the first layer and its first channels.

    ``n_channels`` is the first layer's number of channels; the ``channels``
    range starts on the first ``n_shown`` of them.
    """
    index = widgets.IntSlider(
        value=0,
        min=0,
        max=n_images - 1,
        description="digit",
        tooltip="test digit, by its index",
        continuous_update=False,
        layout=widgets.Layout(width="420px"),
    )
    next_wrong = widgets.Button(
        description="next misclassified",
        icon="forward",
        tooltip="show the next digit the network gets wrong",
    )
    layer = widgets.Dropdown(options=layer_names, value=layer_names[0], description="layer")
    channels = widgets.IntRangeSlider(
        value=(0, min(n_shown, n_channels) - 1),
        min=0,
        max=n_channels - 1,
        description="channels",
        tooltip="channels shown",
        continuous_update=False,
        layout=widgets.Layout(width="420px"),
    )
    shift_right = widgets.IntSlider(
        value=0,
        min=-MAX_SHIFT,
        max=MAX_SHIFT,
        description="shift →",
        tooltip="shift right, in pixels",
        layout=widgets.Layout(width="260px"),
    )
    shift_down = widgets.IntSlider(
        value=0,
        min=-MAX_SHIFT,
        max=MAX_SHIFT,
        description="shift ↓",
        tooltip="shift down, in pixels",
        layout=widgets.Layout(width="260px"),
    )
    erase = widgets.Dropdown(
        options=list(ERASE_REGIONS),
        value="nothing",
        description="erase",
        layout=widgets.Layout(width="220px"),
    )
    caption = widgets.HTML().add_class("course-live")
    left = widgets.Output()
    right = widgets.Output()
    widget = widgets.VBox(
        [
            widgets.HBox([index, next_wrong]),
            widgets.HBox([layer, channels]),
            widgets.HBox([shift_right, shift_down, erase]),
            caption,
            widgets.HBox([left, right]),
            AccessibleNames(),  # names the sliders for screen readers
        ]
    )
    return ExplorerControls(
        index,
        next_wrong,
        layer,
        channels,
        shift_right,
        shift_down,
        erase,
        caption,
        left,
        right,
        widget,
    )


def limit_channels(channels: widgets.IntRangeSlider, last: int) -> None:
    """Make ``last`` the highest channel ``channels`` offers, clamping its range to it.

    The order of the two changes keeps the range valid at every step: raise
    the maximum before the range, lower it after.
    """
    low, high = channels.value
    low, high = min(low, last), min(high, last)
    if last >= channels.max:
        channels.max = last
        channels.value = (low, high)
    else:
        channels.value = (low, high)
        channels.max = last
