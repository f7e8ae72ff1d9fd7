"""Plumbing that the convolutions of :mod:`utils.conv` share: argument checks and padding.

Not a lesson's API: nothing here is re-exported from :mod:`utils.conv`. Each function
checks or prepares the arguments of the public ones, with their error messages.
"""

from __future__ import annotations

import numpy as np

from utils._validate import integer, real_array
from utils.conv.sizes import axis_padding, effective_kernel_size

# ((top, bottom), (left, right)) zeros around the two spatial axes.
SpatialPadding = tuple[tuple[int, int], tuple[int, int]]


def spatial_padding(padding: object) -> SpatialPadding:
    if isinstance(padding, (bool, np.bool_)):
        raise TypeError(
            f"padding must be an int or ((top, bottom), (left, right)), got {padding!r}"
        )
    if isinstance(padding, (int, np.integer)):
        amount = integer(padding, "padding", minimum=0)
        return (amount, amount), (amount, amount)
    try:
        (top, bottom), (left, right) = padding  # type: ignore[misc]
        amounts = [top, bottom, left, right]
    except (TypeError, ValueError):
        raise TypeError(
            f"padding must be an int or ((top, bottom), (left, right)), got {padding!r}"
        ) from None
    top, bottom, left, right = (
        integer(amount, f"padding[{index // 2}][{index % 2}]", minimum=0)
        for index, amount in enumerate(amounts)
    )
    return (top, bottom), (left, right)


def of_rank(value: object, name: str, ndim: int, rule: str) -> np.ndarray:
    """``value`` as a real array with ``ndim`` axes; otherwise "``name`` must ``rule``"."""
    array = real_array(value, name)
    if array.ndim != ndim:
        raise ValueError(f"{name} must {rule}, got shape {array.shape}")
    return array


def not_empty(first: np.ndarray, kernel: np.ndarray, names: str) -> None:
    if 0 in first.shape or 0 in kernel.shape:
        raise ValueError(f"{names} must not be empty, got shapes {first.shape} and {kernel.shape}")


def image_and_kernel(image: object, kernel: object) -> tuple[np.ndarray, np.ndarray]:
    image = of_rank(image, "image", 2, "be a 2-D array (height, width)")
    kernel = of_rank(kernel, "kernel", 2, "be a 2-D array (height, width)")
    not_empty(image, kernel, "image and kernel")
    return image, kernel


def pad_for(
    image_shape: tuple[int, int],
    kernel_shape: tuple[int, int],
    padding: object,
    stride: int,
    dilation: int = 1,
) -> SpatialPadding:
    if isinstance(padding, str):
        return (
            axis_padding(image_shape[0], kernel_shape[0], padding, stride, dilation),
            axis_padding(image_shape[1], kernel_shape[1], padding, stride, dilation),
        )
    return spatial_padding(padding)


def kernel_fits(
    padded_shape: tuple[int, ...],
    kernel_shape: tuple[int, ...],
    padding: object,
    dilation: int = 1,
):
    span = tuple(effective_kernel_size(size, dilation) for size in kernel_shape[:2])
    if span[0] > padded_shape[0] or span[1] > padded_shape[1]:
        what = f"kernel of shape {tuple(kernel_shape)}"
        if dilation != 1:
            what += f" at dilation {dilation} (span {span})"
        raise ValueError(
            f"{what} is bigger than the padded image of shape "
            f"{tuple(padded_shape)} (padding={padding!r})"
        )


def layer_arrays(
    x: object,
    kernel: object,
    layout: str = "(F_h, F_w, C_in, C_out)",
    channel_axis: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """``x`` (N, H, W, C_in) and a layer's ``kernel`` in ``layout``, checked.

    ``kernel.shape[channel_axis]`` is the kernel's input-channel axis; it must match
    ``x.shape[3]``.
    """
    x = of_rank(x, "x", 4, "have shape (N, H, W, C_in)")
    kernel = of_rank(kernel, "kernel", 4, f"have shape {layout}")
    not_empty(x, kernel, "x and kernel")
    if kernel.shape[channel_axis] != x.shape[3]:
        raise ValueError(
            f"kernel has {kernel.shape[channel_axis]} input channels but x has {x.shape[3]}: "
            f"kernel.shape[{channel_axis}] must equal x.shape[3] "
            f"(kernel {kernel.shape}, x {x.shape})"
        )
    return x, kernel


def bias_vector(bias: object, size: int, what: str) -> np.ndarray:
    """``bias`` as a float64 vector of ``size`` values (zeros when None)."""
    if bias is None:
        return np.zeros(size)
    bias = real_array(bias, "bias")
    if bias.shape != (size,):
        raise ValueError(f"bias must have shape ({size},), {what}, got shape {bias.shape}")
    return bias.astype(np.float64)


def output_hw(
    image_hw: tuple[int, int],
    kernel_hw: tuple[int, int],
    padding: object,
    stride: int,
    dilation: int = 1,
) -> tuple[int, int]:
    (top, bottom), (left, right) = pad_for(image_hw, kernel_hw, padding, stride, dilation)
    padded_h, padded_w = image_hw[0] + top + bottom, image_hw[1] + left + right
    kernel_fits((padded_h, padded_w), kernel_hw, padding, dilation)
    span_h, span_w = (effective_kernel_size(size, dilation) for size in kernel_hw)
    return (padded_h - span_h) // stride + 1, (padded_w - span_w) // stride + 1
