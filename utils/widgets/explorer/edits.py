"""The changes the feature-map explorer can make to a digit before the model sees it."""

from __future__ import annotations

import numpy as np

from utils._validate import integer, one_of, real_array

ERASE_REGIONS: dict[str, tuple[float, float, float, float] | None] = {
    "nothing": None,
    "top half": (0.0, 0.5, 0.0, 1.0),
    "bottom half": (0.5, 1.0, 0.0, 1.0),
    "left half": (0.0, 1.0, 0.0, 0.5),
    "right half": (0.0, 1.0, 0.5, 1.0),
    "centre": (1 / 3, 2 / 3, 1 / 3, 2 / 3),
}
"""The parts of the image the explorer can erase: (top, bottom, left, right) as fractions."""


def _as_2d_image(image: object) -> np.ndarray:
    array = real_array(image, "image", booleans=False)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(
            f"image must be a non-empty 2-D array of numbers (height, width), "
            f"got shape {array.shape} and dtype {array.dtype}"
        )
    return array


def shift_image(image: np.ndarray, down: int = 0, right: int = 0) -> np.ndarray:
    """Move a 2-D image ``down`` rows and ``right`` columns (negative: up, left), filling with 0.

    Pixels pushed over the edge are lost, as when a digit is written off-centre.
    """
    image = _as_2d_image(image)
    down = integer(down, "down")
    right = integer(right, "right")
    out = np.zeros_like(image)
    height, width = image.shape
    if abs(down) >= height or abs(right) >= width:
        return out
    rows_to = slice(max(down, 0), height + min(down, 0))
    rows_from = slice(max(-down, 0), height - max(down, 0))
    cols_to = slice(max(right, 0), width + min(right, 0))
    cols_from = slice(max(-right, 0), width - max(right, 0))
    out[rows_to, cols_to] = image[rows_from, cols_from]
    return out


def erase_region(image: np.ndarray, region: str) -> np.ndarray:
    """A copy of a 2-D image with one of :data:`ERASE_REGIONS` set to 0."""
    region = one_of(region, "region", list(ERASE_REGIONS))
    out = _as_2d_image(image).copy()
    box = ERASE_REGIONS[region]
    if box is not None:
        height, width = out.shape
        top, bottom, left, right = box
        rows = slice(round(top * height), round(bottom * height))
        cols = slice(round(left * width), round(right * width))
        out[rows, cols] = 0
    return out


def describe_edits(right: int, down: int, region: str) -> list[str]:
    """The edits made, in words for the caption.

    For example ``["shifted 2 right, 0 down", "top half erased"]``.
    """
    edits = []
    if right or down:
        edits.append(f"shifted {right} right, {down} down")
    if region != "nothing":
        edits.append(f"{region} erased")
    return edits
