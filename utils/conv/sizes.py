"""Output sizes and padding of convolutions: plain, strided, dilated and transposed.

Taught in notebooks/02_padding_and_stride.ipynb (the plain convolution) and
notebooks/10_convolution_variants.ipynb (dilation, the transposed convolution).
"""

from __future__ import annotations

import math

import numpy as np

from utils._validate import integer, one_of, optional_integer

PADDING_NAMES = ("valid", "same", "full")
TRANSPOSED_PADDING_NAMES = ("valid", "same")


def _checked_padding_rule(padding: object, names: tuple[str, ...]) -> int | str:
    """``padding`` as a non-negative int or one of ``names``."""
    if isinstance(padding, str):
        return one_of(padding, "padding", names)
    if isinstance(padding, (bool, np.bool_)) or not isinstance(padding, (int, np.integer)):
        listed = ", ".join(repr(name) for name in names)
        raise TypeError(
            f"padding must be an int or one of {listed}, got {type(padding).__name__} {padding!r}"
        )
    return integer(padding, "padding", minimum=0)


def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """Length a dilated kernel spans: ``F + (F - 1)(d - 1)``.

    A dilation ``d`` leaves ``d - 1`` holes between two taps of the kernel, so
    ``F`` taps span ``F + (F - 1)(d - 1)`` input values (3 taps at ``d = 2``
    span 5). Padding and output sizes are those of a dense kernel that long.

    Taught in notebooks/10_convolution_variants.ipynb, section 1.

    Parameters
    ----------
    kernel_size : int
        Number of taps ``F`` along the axis, at least 1.
    dilation : int, default 1
        Step ``d`` between two taps, at least 1 (1 is an ordinary kernel).

    Returns
    -------
    int
        The span ``F + (F - 1)(d - 1)``.
    """
    kernel_size = integer(kernel_size, "kernel_size", minimum=1)
    dilation = integer(dilation, "dilation", minimum=1)
    return kernel_size + (kernel_size - 1) * (dilation - 1)


def axis_padding(
    n: int, kernel_size: int, padding: int | str = 0, stride: int = 1, dilation: int = 1
) -> tuple[int, int]:
    """Zeros added before and after one axis: ``padding`` on each side, or by a padding rule.

    ``'valid'`` adds none and ``'full'`` adds ``F - 1`` on each side. ``'same'``
    is Keras' rule (TensorFlow's too): the output is ``ceil(n / stride)`` long,
    which takes ``total = max((ceil(n / stride) - 1) * stride + F - n, 0)``
    zeros; when ``total`` is odd the extra zero goes *after* (bottom, right).
    With a dilation ``d``, ``F`` is the span of the dilated kernel,
    ``F + (F - 1)(d - 1)`` (see :func:`effective_kernel_size`), as in Keras.

    Taught in notebooks/02_padding_and_stride.ipynb, section 3, and (dilation)
    notebooks/10_convolution_variants.ipynb, section 1.

    Parameters
    ----------
    n : int
        Length of the input along the axis (its height or width), at least 1.
    kernel_size : int
        Length ``F`` of the kernel along the same axis, at least 1.
    padding : int or {'valid', 'same', 'full'}, default 0
        Zeros on each side, or the name of a padding rule.
    stride : int, default 1
        Step between two filter positions, at least 1.
    dilation : int, default 1
        Step between two taps of the kernel, at least 1.

    Returns
    -------
    (before, after) : tuple of int
        Zeros added before (top or left) and after (bottom or right).
    """
    n = integer(n, "n", minimum=1)
    kernel_size = effective_kernel_size(kernel_size, dilation)
    stride = integer(stride, "stride", minimum=1)
    padding = _checked_padding_rule(padding, PADDING_NAMES)
    if padding == "valid":
        return 0, 0
    if padding == "full":
        return kernel_size - 1, kernel_size - 1
    if padding == "same":
        total = max((math.ceil(n / stride) - 1) * stride + kernel_size - n, 0)
        return total // 2, total - total // 2
    return padding, padding


def output_size(
    n: int, kernel_size: int, padding: int | str = 0, stride: int = 1, dilation: int = 1
) -> int:
    """Length of a convolution's output along one axis: ``floor((W - F + 2P) / S) + 1``.

    ``W`` is ``n``, ``F`` the ``kernel_size`` and ``S`` the ``stride``, with
    ``P`` zeros on each side. The names ``'valid'`` (``P = 0``), ``'full'``
    (``P = F - 1``) and ``'same'`` (Keras' rule, giving ``ceil(W / S)``; see
    :func:`axis_padding`) agree with ``keras.layers.Conv2D`` at every stride.
    A dilation ``d`` replaces ``F`` by the dilated kernel's span
    ``F + (F - 1)(d - 1)``, as ``keras.layers.Conv2D(dilation_rate=d)`` does.
    This is the one definition of the formula: the 2-D convolutions of
    :mod:`utils.conv` call it on each axis of their padded images.

    Taught in notebooks/02_padding_and_stride.ipynb, sections 1 to 3, and
    (dilation) notebooks/10_convolution_variants.ipynb, section 1.

    Parameters
    ----------
    n : int
        Input length ``W`` (height or width), at least 1.
    kernel_size : int
        Kernel length ``F``, at least 1.
    padding : int or {'valid', 'same', 'full'}, default 0
        Zeros ``P`` added on each side, or the name of a padding rule.
    stride : int, default 1
        Step ``S`` between two filter positions, at least 1.
    dilation : int, default 1
        Step ``d`` between two taps of the kernel, at least 1.

    Returns
    -------
    int
        The output length, at least 1.

    Raises
    ------
    ValueError
        If the (dilated) kernel is longer than the padded input.
    """
    before, after = axis_padding(n, kernel_size, padding, stride, dilation)  # checks them all
    span = effective_kernel_size(kernel_size, dilation)
    padded = int(n) + before + after
    if span > padded:
        what = f"kernel_size {kernel_size}"
        if dilation != 1:
            what += f" at dilation {dilation} (span {span})"
        raise ValueError(
            f"{what} is bigger than the padded input "
            f"({n} + {before + after} padding = {padded}); padding={padding!r}"
        )
    return (padded - span) // int(stride) + 1


def transposed_output_size(
    n: int,
    kernel_size: int,
    padding: int | str = "valid",
    stride: int = 1,
    output_padding: int | None = None,
) -> int:
    """Length of a transposed convolution's output along one axis.

    The textbook formula, for ``p`` zeros cropped from each side of the
    output, is::

        (i - 1) s - 2p + k (+ output padding)

    with ``i`` the input length ``n``, ``s`` the stride, ``k`` the kernel
    length: each of the ``i`` inputs drops a ``k``-long copy of the kernel
    onto the output, ``s`` apart, which covers ``(i - 1) s + k`` values, and
    ``output_padding`` adds that many more at the end (bottom, right). An
    int ``padding`` means ``p``.

    The names follow ``keras.layers.Conv2DTranspose``:

    - ``output_padding=None``: ``'valid'`` gives ``i s + max(k - s, 0)``
      (``(i - 1) s + max(k, s)``) and ``'same'`` gives ``i s``;
    - an ``output_padding`` ``op``: ``(i - 1) s + k - 2p + op`` with ``p = 0``
      for ``'valid'`` and ``p = k // 2`` for ``'same'``.

    Keras requires ``0 <= op < s``; so does this function, for every padding.

    Taught in notebooks/10_convolution_variants.ipynb, section 2.

    Parameters
    ----------
    n : int
        Input length ``i`` (height or width), at least 1.
    kernel_size : int
        Kernel length ``k``, at least 1.
    padding : int or {'valid', 'same'}, default 'valid'
        Zeros ``p`` cropped from each side, or Keras' padding name.
    stride : int, default 1
        Stride ``s`` of the transposed convolution, at least 1.
    output_padding : int or None, default None
        Extra length ``op`` at the end, ``0 <= op < stride``; None is Keras'
        default (see above).

    Returns
    -------
    int
        The output length, at least 1.

    Raises
    ------
    ValueError
        If ``output_padding >= stride``, or if the output would be empty.

    Notes
    -----
    With 'same', an even ``k`` and ``output_padding=0`` the formula gives
    ``(i - 1) s``, and so does Keras' ``compute_output_shape``, but
    TensorFlow refuses to run such a layer: that output is too short for the
    convolution the layer is the gradient of. :func:`conv2d_transpose`
    computes it as the textbook crop of ``k // 2`` on each side.
    """
    n = integer(n, "n", minimum=1)
    kernel_size = integer(kernel_size, "kernel_size", minimum=1)
    stride = integer(stride, "stride", minimum=1)
    padding = _checked_padding_rule(padding, TRANSPOSED_PADDING_NAMES)
    output_padding = optional_integer(output_padding, "output_padding", minimum=0)
    if output_padding is not None and output_padding >= stride:
        raise ValueError(
            f"output_padding must be less than stride (Keras requires it), "
            f"got output_padding={output_padding} with stride={stride}"
        )
    if output_padding is None and padding == "valid":
        size = n * stride + max(kernel_size - stride, 0)
    elif output_padding is None and padding == "same":
        size = n * stride
    else:
        crop = {"valid": 0, "same": kernel_size // 2}.get(padding, padding)  # type: ignore[arg-type]
        size = (n - 1) * stride + kernel_size - 2 * crop + (output_padding or 0)
    if size < 1:
        raise ValueError(
            f"the transposed convolution's output would be {size} long: "
            f"(n - 1) * stride - 2 * padding + kernel_size + output_padding with n={n}, "
            f"kernel_size={kernel_size}, padding={padding!r}, stride={stride}, "
            f"output_padding={output_padding}"
        )
    return size
