"""The explorer's drawing: its figures, how they are refilled, and its caption."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from utils.plots import image_grid, layer_maps


def input_figure(image: np.ndarray) -> go.Figure:
    """The small figure of the network's input, on a fixed 0-1 grey scale."""
    figure = image_grid(image[None], n_cols=1)
    figure.update_traces(zmin=0.0, zmax=1.0)
    figure.update_layout(width=220, height=220, margin=dict(l=10, r=10, t=10, b=10))
    return figure


def maps_figure(maps: np.ndarray, layer: str, low: int, high: int) -> go.Figure:
    """Channels ``low`` to ``high`` (both included) of a layer's maps (height, width, channels)."""
    return layer_maps(
        maps,
        channels=range(low, high + 1),
        n_cols=8,
        cell_size=48,
        title=f"{layer}: channels {low}-{high} of {maps.shape[-1]}, "
        f"each {maps.shape[0]} x {maps.shape[1]}",
    )


def refill_maps(figure: go.Figure, maps: np.ndarray, low: int, high: int) -> None:
    """Put new maps for the same layer and channels into ``figure``, as :func:`maps_figure` would.

    Much faster than a new figure: only the arrays and the shared grey scale change.
    """
    chosen = maps[:, :, low : high + 1]
    bottom, top = min(0.0, float(chosen.min())), float(chosen.max())
    top = top if top > bottom else bottom + 1.0
    for offset, trace in enumerate(figure.data):
        trace.z = np.ascontiguousarray(chosen[:, :, offset], dtype=np.float32)
        trace.zmin, trace.zmax = bottom, top


def summary_text(
    who: str, label: int | None, prediction: int, probability: float, edits: list[str]
) -> str:
    """The caption as plain text: ``test digit 3, label 0, predicted 0 (probability 0.99)``."""
    parts = [who]
    if label is not None:
        parts.append(f"label {label}")
    parts.append(f"predicted {prediction} (probability {probability:.2f})")
    if label is not None and label != prediction:
        parts.append("misclassified")
    return ", ".join(parts) + "".join(f"; {edit}" for edit in edits)


def caption_html(
    who: str, label: int | None, prediction: int, probability: float, edits: list[str]
) -> str:
    """The caption: who, the label, the prediction (a mistake in red) and the edits made."""
    parts = [f"<b>{who}</b>"]
    if label is not None:
        parts.append(f"label <b>{label}</b>")
    verdict = f"predicted <b>{prediction}</b> (probability {probability:.2f})"
    if label is not None and label != prediction:
        verdict += ' <span style="color:#d62728"><b>misclassified</b></span>'
    parts.append(verdict)
    text = ", ".join(parts)
    return text + (f" <i>({'; '.join(edits)})</i>" if edits else "")
