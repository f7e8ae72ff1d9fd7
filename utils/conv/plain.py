"""The plain convolution in NumPy: padding, cross-correlation, the layer, im2col, backward.

Taught in notebooks/01_convolution_math.ipynb, 02_padding_and_stride.ipynb,
03_parameters_and_cost.ipynb (im2col) and 09_how_a_convnet_learns.ipynb
(col2im and the backward pass).

Each public function checks its arguments first, then computes on checked
arrays. The arithmetic reads top to bottom in this file: :func:`filter_windows`
is im2col's (and so conv2d's), :func:`add_patches_back` is col2im's; the one
output-size formula is :func:`utils.conv.sizes.output_size`. The argument
checks are at the end of the file: ``checked_*`` returns its argument checked,
``check_*`` returns nothing and raises. :mod:`utils.conv.variants` uses both;
a lesson imports only the public functions, from :mod:`utils.conv`.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from utils._validate import int_pair, integer, real_array
from utils.conv.sizes import axis_padding, effective_kernel_size, output_size

__all__ = ["col2im", "conv2d", "conv2d_backward", "cross_correlate2d", "im2col", "pad"]

# ((top, bottom), (left, right)) zeros around the two spatial axes.
SpatialPadding = tuple[tuple[int, int], tuple[int, int]]


def pad(image: object, padding: object) -> np.ndarray:
    """Surround an image, or the spatial axes of channels-last images, with zeros.

    ``image`` is (H, W), (H, W, C) or (N, H, W, C); ``padding`` is zeros on every
    side, or ((top, bottom), (left, right)) (Keras' 'same' padding can put one more
    zero at the bottom and right). The result has the dtype of ``image`` and the
    shape (H + top + bottom, W + left + right, ...): only the two spatial axes grow.

    Taught in notebooks/01_convolution_math.ipynb, section 3 (the worked example).
    """
    array = real_array(image, "image")
    if array.ndim not in (2, 3, 4):
        raise ValueError(
            "image must have shape (H, W), (H, W, C) or (N, H, W, C), "
            f"got shape {array.shape} ({array.ndim}-D)"
        )
    rows, cols = checked_padding_pairs(padding)
    widths = [(0, 0)] * array.ndim
    first = 1 if array.ndim == 4 else 0
    widths[first], widths[first + 1] = rows, cols
    return np.pad(array, widths, mode="constant", constant_values=0)


def cross_correlate2d(
    image: object, kernel: object, stride: int = 1, padding: int | str = 0
) -> np.ndarray:
    """Slide ``kernel`` over ``image`` and sum the element-wise products.

    ``out[i, j] = sum_{u, v} padded[i * S + u, j * S + v] * kernel[u, v]``, in
    float64: what deep-learning libraries call a convolution.

    Taught in notebooks/01_convolution_math.ipynb, section 2 (the loop) and
    notebooks/02_padding_and_stride.ipynb (stride and padding).

    Shapes: ``image`` (H, W), ``kernel`` (F_h, F_w); the output (H_out, W_out), with
    ``H_out = output_size(H, F_h, padding, stride)``. ``padding`` is an int,
    ((top, bottom), (left, right)) or one of 'valid', 'same', 'full'.

    Raises ValueError if the kernel is bigger than the padded image.
    """
    image, kernel = checked_image_and_kernel(image, kernel)
    stride = integer(stride, "stride", minimum=1)
    widths = checked_padding(image.shape, kernel.shape, padding, stride)

    padded = np.pad(image.astype(np.float64), widths)
    windows = sliding_window_view(padded, kernel.shape)[::stride, ::stride]
    return np.einsum("ijuv,uv->ij", windows, kernel.astype(np.float64))


def output_shape(
    image_hw: tuple[int, ...],
    kernel_hw: tuple[int, ...],
    widths: SpatialPadding,
    stride: int,
    dilation: int = 1,
) -> tuple[int, int]:
    """``(H_out, W_out)``: :func:`output_size` on each axis of the image padded by ``widths``."""
    (top, bottom), (left, right) = widths
    return (
        output_size(image_hw[0] + top + bottom, kernel_hw[0], 0, stride, dilation),
        output_size(image_hw[1] + left + right, kernel_hw[1], 0, stride, dilation),
    )


def filter_windows(
    x: np.ndarray,
    kernel_hw: tuple[int, int],
    widths: SpatialPadding,
    stride: int,
    dilation: int = 1,
) -> np.ndarray:
    """The window under every filter position of a checked batch ``x``, padded by ``widths``.

    A read-only view of shape (N, H_out, W_out, F_h, F_w, C), no copy: tap
    ``(u, v)`` of window ``(n, i, j)`` is ``padded[n, i*S + u*d, j*S + v*d, :]``.
    """
    out_h, out_w = output_shape(x.shape[1:3], kernel_hw, widths, stride, dilation)
    if widths != ((0, 0), (0, 0)):
        x = np.pad(x, [(0, 0), *widths, (0, 0)])
    padded = np.ascontiguousarray(x)
    n, _, _, channels = padded.shape
    s_n, s_h, s_w, s_c = padded.strides
    return as_strided(
        padded,
        shape=(n, out_h, out_w, kernel_hw[0], kernel_hw[1], channels),
        strides=(s_n, s_h * stride, s_w * stride, s_h * dilation, s_w * dilation, s_c),
        writeable=False,
    )


def im2col(
    x: object,
    kernel_size: int | tuple[int, int],
    stride: int = 1,
    padding: object = "valid",
    dilation: int = 1,
) -> np.ndarray:
    """Unroll every filter position of a batch into one row: the patches matrix.

    Row ``(n * H_out + i) * W_out + j`` holds the patch under the filter at
    output position ``(i, j)`` of image ``n``, read in the order ``(u, v, c)``,
    that of ``kernel.reshape(-1, C_out)`` for a Keras kernel; so a whole
    convolutional layer is one matrix product::

        im2col(x, F) @ kernel.reshape(-1, C_out)  ->  (N*H_out*W_out, C_out)

    With a dilation ``d``, tap ``(u, v)`` is the value at ``(i*S + u*d, j*S + v*d)``
    of the padded image.

    Taught in notebooks/03_parameters_and_cost.ipynb, section 6, and
    (dilation) notebooks/10_convolution_variants.ipynb, section 1.

    Shapes: ``x`` (N, H, W, C_in), ``kernel_size`` F or (F_h, F_w); the result
    (N * H_out * W_out, F_h * F_w * C_in), with ``H_out = output_size(H, F_h,
    padding, stride, dilation)``. ``padding`` as in :func:`cross_correlate2d`.
    float32 and float64 keep their dtype (float32 is the fast path); any other
    real dtype becomes float64.

    Raises ValueError if the kernel is bigger than the padded image.
    """
    array = checked_array(x, "x", 4, "have shape (N, H, W, C_in)")
    if 0 in array.shape:
        raise ValueError(f"x must not be empty, got shape {array.shape}")
    kernel_hw = int_pair(kernel_size, "kernel_size")
    stride = integer(stride, "stride", minimum=1)
    dilation = integer(dilation, "dilation", minimum=1)
    widths = checked_padding(array.shape[1:3], kernel_hw, padding, stride, dilation)

    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    windows = filter_windows(array, kernel_hw, widths, stride, dilation)
    n, out_h, out_w, _, _, channels = windows.shape
    return windows.reshape(n * out_h * out_w, kernel_hw[0] * kernel_hw[1] * channels)


def conv2d(
    x: object,
    kernel: object,
    bias: object = None,
    stride: int = 1,
    padding: int | str = "valid",
    dilation: int = 1,
) -> np.ndarray:
    """A convolutional layer's forward pass, as ``keras.layers.Conv2D`` computes it.

    ``out[n, i, j, o] = bias[o]
    + sum_{u, v, c} padded[n, i*S + u*d, j*S + v*d, c] * kernel[u, v, c, o]``,
    in float64, as :func:`im2col` and one matrix product. 'same' pads like
    Keras; ``dilation`` is Keras' ``dilation_rate`` (Keras refuses it with
    ``stride > 1``, this function allows it).

    Taught in notebooks/01_convolution_math.ipynb, section 6,
    notebooks/03_parameters_and_cost.ipynb, section 6 (as im2col), and
    notebooks/10_convolution_variants.ipynb, section 1 (dilation).

    Shapes: ``x`` (N, H, W, C_in), ``kernel`` (F_h, F_w, C_in, C_out) (Keras'
    layout), ``bias`` (C_out,) or None for zeros; the output (N, H_out, W_out,
    C_out), with ``H_out = output_size(H, F_h, padding, stride, dilation)``.

    Raises ValueError if the shapes disagree or the kernel is bigger than the
    padded image.
    """
    x, kernel = checked_layer_arrays(x, kernel)
    kernel_h, kernel_w, _, n_filters = kernel.shape
    bias = checked_bias(bias, n_filters, "one value per filter")
    stride = integer(stride, "stride", minimum=1)
    dilation = integer(dilation, "dilation", minimum=1)
    widths = checked_padding(x.shape[1:3], (kernel_h, kernel_w), padding, stride, dilation)

    windows = filter_windows(x.astype(np.float64), (kernel_h, kernel_w), widths, stride, dilation)
    n, out_h, out_w = windows.shape[:3]
    patches = windows.reshape(n * out_h * out_w, -1)
    # One matrix product: (N*H_out*W_out, F_h*F_w*C_in) @ (F_h*F_w*C_in, C_out).
    out = patches @ kernel.astype(np.float64).reshape(-1, n_filters)
    return out.reshape(n, out_h, out_w, n_filters) + bias


def add_patches_back(
    cols: np.ndarray,
    x_shape: tuple[int, int, int, int],
    kernel_hw: tuple[int, int],
    stride: int,
    widths: SpatialPadding,
) -> np.ndarray:
    """Add each row of a checked patches matrix onto its window of zero images ``x_shape``."""
    n, height, width, channels = x_shape
    (top, bottom), (left, right) = widths
    out_h, out_w = output_shape((height, width), kernel_hw, widths, stride)
    padded = np.zeros((n, height + top + bottom, width + left + right, channels), cols.dtype)
    windows = cols.reshape(n, out_h, out_w, kernel_hw[0], kernel_hw[1], channels)
    # One addition per kernel position (u, v): F_h * F_w slices, each strided by the stride.
    for u in range(kernel_hw[0]):
        for v in range(kernel_hw[1]):
            padded[:, u : u + stride * out_h : stride, v : v + stride * out_w : stride, :] += (
                windows[:, :, :, u, v, :]
            )
    return padded[:, top : top + height, left : left + width, :]


def col2im(
    cols: object,
    x_shape: tuple[int, int, int, int],
    kernel_size: int | tuple[int, int],
    stride: int = 1,
    padding: object = "valid",
) -> np.ndarray:
    """Add every row of a patches matrix back where :func:`im2col` read it: its adjoint.

    Where windows overlap, their values add up; what falls on the zero padding
    is dropped. So ``col2im`` is the *adjoint* (the transpose) of ``im2col``,
    not its inverse: ``sum(im2col(x) * y) == sum(x * col2im(y, x.shape, ...))``,
    and ``col2im(im2col(x), ...)`` is ``x`` times the number of windows that
    cover each pixel. :func:`conv2d_backward` turns the gradient with respect
    to the patches into the gradient with respect to the input with it.

    Taught in notebooks/09_how_a_convnet_learns.ipynb, section 5.

    Shapes: ``cols`` (N * H_out * W_out, F_h * F_w * C), the layout of
    :func:`im2col` for images of shape ``x_shape`` (N, H, W, C) and the same
    ``kernel_size``, ``stride`` and ``padding``; the result has shape ``x_shape``
    and the dtype of ``cols`` if float32 or float64 (else float64).

    Raises ValueError if ``cols`` has another shape.
    """
    cols, x_shape, kernel_hw, stride, widths = checked_col2im_arguments(
        cols, x_shape, kernel_size, stride, padding
    )
    return add_patches_back(cols, x_shape, kernel_hw, stride, widths)


def conv2d_backward(
    x: object,
    kernel: object,
    d_out: object,
    stride: int = 1,
    padding: int | str = "valid",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The backward pass of :func:`conv2d`: the gradients with respect to its input and weights.

    ``d_out`` is the gradient of a loss with respect to the output of
    ``conv2d(x, kernel, bias, stride, padding)`` (the bias does not enter the
    gradients). With ``P = im2col(x)`` and ``G = d_out.reshape(-1, C_out)``:

    - ``d_kernel = P.T @ G``: each weight collects input value times output
      gradient over every position where it was used;
    - ``d_bias = G.sum(axis=0)``;
    - ``d_x = col2im(G @ kernel.reshape(-1, C_out).T)``: each output gradient
      is spread back over the window it came from, weighted by the kernel; at
      stride 1, the 'full' cross-correlation of ``d_out`` with the kernel
      turned round by 180 degrees, a true convolution.

    Computed in float64. Taught in notebooks/09_how_a_convnet_learns.ipynb,
    sections 1 (by loops) and 5 (with im2col and :func:`col2im`).

    Shapes: ``x`` (N, H, W, C_in), ``kernel`` (F_h, F_w, C_in, C_out), ``d_out``
    (N, H_out, W_out, C_out), that of :func:`conv2d`'s output. Returns ``(d_x,
    d_kernel, d_bias)``, of the shapes of ``x``, ``kernel`` and the bias (C_out,).

    Raises ValueError if ``d_out`` does not have the shape of the layer's output.
    """
    x, kernel = checked_layer_arrays(x, kernel)
    stride = integer(stride, "stride", minimum=1)
    kernel_hw, n_filters = kernel.shape[:2], kernel.shape[3]
    widths = checked_padding(x.shape[1:3], kernel_hw, padding, stride)
    gradient = checked_d_out(d_out, x.shape, kernel_hw, n_filters, widths, stride)

    rows = gradient.astype(np.float64).reshape(-1, n_filters)  # one per filter position
    patches = filter_windows(x.astype(np.float64), kernel_hw, widths, stride).reshape(len(rows), -1)
    kernel_matrix = kernel.astype(np.float64).reshape(-1, n_filters)
    d_kernel = (patches.T @ rows).reshape(kernel.shape)
    d_bias = rows.sum(axis=0)
    d_x = add_patches_back(rows @ kernel_matrix.T, x.shape, kernel_hw, stride, widths)
    return d_x, d_kernel, d_bias


# --- Argument checks: checked_* returns its argument checked, check_* only raises ---


def checked_array(value: object, name: str, ndim: int, rule: str) -> np.ndarray:
    """``value`` as a real array with ``ndim`` axes; otherwise "``name`` must ``rule``"."""
    array = real_array(value, name)
    if array.ndim != ndim:
        raise ValueError(f"{name} must {rule}, got shape {array.shape}")
    return array


def check_not_empty(first: np.ndarray, kernel: np.ndarray, names: str) -> None:
    if 0 in first.shape or 0 in kernel.shape:
        raise ValueError(f"{names} must not be empty, got shapes {first.shape} and {kernel.shape}")


def checked_image_and_kernel(image: object, kernel: object) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D ``image`` and ``kernel``, neither empty."""
    image = checked_array(image, "image", 2, "be a 2-D array (height, width)")
    kernel = checked_array(kernel, "kernel", 2, "be a 2-D array (height, width)")
    check_not_empty(image, kernel, "image and kernel")
    return image, kernel


def checked_layer_arrays(
    x: object,
    kernel: object,
    layout: str = "(F_h, F_w, C_in, C_out)",
    channel_axis: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """``x`` (N, H, W, C_in) and a layer's ``kernel`` in ``layout``, neither empty.

    ``kernel.shape[channel_axis]``, the kernel's input channels, must equal ``x.shape[3]``.
    """
    x = checked_array(x, "x", 4, "have shape (N, H, W, C_in)")
    kernel = checked_array(kernel, "kernel", 4, f"have shape {layout}")
    check_not_empty(x, kernel, "x and kernel")
    if kernel.shape[channel_axis] != x.shape[3]:
        raise ValueError(
            f"kernel has {kernel.shape[channel_axis]} input channels but x has {x.shape[3]}: "
            f"kernel.shape[{channel_axis}] must equal x.shape[3] "
            f"(kernel {kernel.shape}, x {x.shape})"
        )
    return x, kernel


def checked_bias(bias: object, size: int, what: str) -> np.ndarray:
    """``bias`` as a float64 vector of ``size`` values (zeros when None)."""
    if bias is None:
        return np.zeros(size)
    bias = real_array(bias, "bias")
    if bias.shape != (size,):
        raise ValueError(f"bias must have shape ({size},), {what}, got shape {bias.shape}")
    return bias.astype(np.float64)


def checked_padding_pairs(padding: object) -> SpatialPadding:
    """``padding``, an int or ((top, bottom), (left, right)), as the latter."""
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


def checked_padding(
    image_hw: tuple[int, ...],
    kernel_hw: tuple[int, ...],
    padding: object,
    stride: int,
    dilation: int = 1,
) -> SpatialPadding:
    """The zeros ((top, bottom), (left, right)) that ``padding`` adds around this image.

    An int or a pair of pairs is taken as it is; a name is :func:`axis_padding`'s
    rule on each axis. Raises ValueError if the kernel does not fit the padded image.
    """
    if isinstance(padding, str):
        widths = (
            axis_padding(image_hw[0], kernel_hw[0], padding, stride, dilation),
            axis_padding(image_hw[1], kernel_hw[1], padding, stride, dilation),
        )
    else:
        widths = checked_padding_pairs(padding)
    (top, bottom), (left, right) = widths
    padded_hw = (image_hw[0] + top + bottom, image_hw[1] + left + right)
    check_kernel_fits(padded_hw, kernel_hw, padding, dilation)
    return widths


def check_kernel_fits(
    padded_hw: tuple[int, int],
    kernel_hw: tuple[int, ...],
    padding: object,
    dilation: int = 1,
) -> None:
    """Raise ValueError if the (dilated) kernel is bigger than the padded image."""
    span = tuple(effective_kernel_size(size, dilation) for size in kernel_hw[:2])
    if span[0] > padded_hw[0] or span[1] > padded_hw[1]:
        what = f"kernel of shape {tuple(kernel_hw)}"
        if dilation != 1:
            what += f" at dilation {dilation} (span {span})"
        raise ValueError(
            f"{what} is bigger than the padded image of shape "
            f"{tuple(padded_hw)} (padding={padding!r})"
        )


def checked_col2im_arguments(
    cols: object, x_shape: object, kernel_size: object, stride: object, padding: object
) -> tuple[np.ndarray, tuple[int, int, int, int], tuple[int, int], int, SpatialPadding]:
    """:func:`col2im`'s arguments checked: ``cols`` float32 or float64, of the shape of
    ``im2col`` of images of shape ``x_shape``."""
    array = real_array(cols, "cols")
    if not isinstance(x_shape, (tuple, list)) or len(x_shape) != 4:
        raise ValueError(f"x_shape must be a shape (N, H, W, C), four ints, got {x_shape!r}")
    n, height, width, channels = (
        integer(size, f"x_shape[{index}]", minimum=1) for index, size in enumerate(x_shape)
    )
    kernel_hw = int_pair(kernel_size, "kernel_size")
    stride = integer(stride, "stride", minimum=1)
    widths = checked_padding((height, width), kernel_hw, padding, stride)
    out_h, out_w = output_shape((height, width), kernel_hw, widths, stride)
    expected = (n * out_h * out_w, kernel_hw[0] * kernel_hw[1] * channels)
    if array.shape != expected:
        raise ValueError(
            f"cols must have shape {expected} for x_shape {tuple(x_shape)}, kernel_size "
            f"{kernel_hw}, stride {stride} and padding {padding!r}, got shape {array.shape}"
        )
    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    return array, (n, height, width, channels), kernel_hw, stride, widths


def checked_d_out(
    d_out: object,
    x_shape: tuple[int, ...],
    kernel_hw: tuple[int, ...],
    n_filters: int,
    widths: SpatialPadding,
    stride: int,
) -> np.ndarray:
    """``d_out`` as a real array of the shape of :func:`conv2d`'s output."""
    out_h, out_w = output_shape(x_shape[1:3], kernel_hw, widths, stride)
    gradient = real_array(d_out, "d_out")
    expected = (x_shape[0], out_h, out_w, n_filters)
    if gradient.shape != expected:
        raise ValueError(
            f"d_out must have the shape of the layer's output, (N, H_out, W_out, C_out) = "
            f"{expected}, got shape {gradient.shape}"
        )
    return gradient
