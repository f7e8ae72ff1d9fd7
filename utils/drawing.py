"""A digit drawn with the mouse, made into an MNIST digit the way MNIST's own were made.

The draw-a-digit demo and lesson 06 (``notebooks/06_kernels_and_feature_maps.ipynb``)
let a student draw a digit on a canvas and show what the pretrained ConvNet
makes of it. A ConvNet trained on MNIST expects MNIST's conventions, which
LeCun, Cortes and Burges describe for the data set: each writer's digit was
size-normalised to fit a 20 x 20 pixel box, keeping its aspect ratio, with an
anti-aliasing filter (so grey levels appear at the edges of the strokes), then
centred in a 28 x 28 field by its centre of mass. Two steps do the same here,
in NumPy only:

1. :func:`rasterize_strokes`: the strokes (lists of mouse positions) as an
   anti-aliased grey image, white ink on black, like a scanned digit;
2. :func:`to_mnist`: that image cropped to its ink, scaled by area averaging
   so its longer side is 20 pixels, and placed in 28 x 28 with its centre of
   mass at pixel (14, 14), as MNIST's test digits have it on average.
"""

from __future__ import annotations

import math

import numpy as np

from utils._validate import integer, number, real_array

CANVAS_SIZE = 280
"""Side of the square drawing canvas, in pixels: ten canvas pixels to one MNIST pixel."""

MNIST_SIZE = 28
"""Side of an MNIST digit's field, in pixels."""
BOX_SIZE = 20
"""Side of the box an MNIST digit is size-normalised to fit, in pixels."""
INK_THRESHOLD = 0.05
"""A pixel brighter than this counts as ink when the drawing is cropped."""

_PIECE = 8.0  # longest piece of a segment rasterised in one window, in pixels
_CHUNK = 128  # pieces rasterised at once (their arrays stay in the CPU's cache)


def _strokes_array(strokes: object) -> list[np.ndarray]:
    """``strokes`` as a list of float64 arrays (k, 2) of finite numbers, or a clear error."""
    if not isinstance(strokes, list | tuple):
        raise TypeError(
            "strokes must be a list of strokes, each a list of [x, y] points, "
            f"got {type(strokes).__name__}"
        )
    arrays = []
    for i, stroke in enumerate(strokes):
        name = f"strokes[{i}]"
        if not isinstance(stroke, list | tuple | np.ndarray):
            raise TypeError(f"{name} must be a list of [x, y] points, got {type(stroke).__name__}")
        for j, point in enumerate(stroke):
            if not isinstance(point, list | tuple | np.ndarray) or len(point) != 2:
                raise ValueError(f"{name}[{j}] must be a pair [x, y], got {point!r}")
        array = real_array(stroke, name, booleans=False) if len(stroke) else np.zeros((0, 2))
        if array.ndim != 2 or array.shape[1] != 2:
            raise ValueError(f"{name} must be a list of [x, y] points, got shape {array.shape}")
        array = array.astype(np.float64)
        if not np.isfinite(array).all():
            raise ValueError(f"{name} must hold finite numbers, got NaN or infinity")
        arrays.append(array)
    return arrays


def _clip_segments(
    starts: np.ndarray, ends: np.ndarray, low: float, high: float
) -> tuple[np.ndarray, np.ndarray]:
    """The parts of the segments inside the square [low, high]^2 (Liang-Barsky), dropping
    those wholly outside. Ink beyond the square is too far from the canvas to show."""
    delta = ends - starts
    t0 = np.zeros(len(starts))
    t1 = np.ones(len(starts))
    with np.errstate(divide="ignore", invalid="ignore"):
        for axis in (0, 1):
            d, p = delta[:, axis], starts[:, axis]
            flat = d == 0
            a, b = (low - p) / d, (high - p) / d
            t0 = np.where(flat, t0, np.maximum(t0, np.minimum(a, b)))
            t1 = np.where(flat, t1, np.minimum(t1, np.maximum(a, b)))
            outside = flat & ((p < low) | (p > high))
            t1 = np.where(outside, -1.0, t1)
    keep = t0 <= t1
    return (
        starts[keep] + t0[keep, None] * delta[keep],
        starts[keep] + t1[keep, None] * delta[keep],
    )


def rasterize_strokes(
    strokes: object, size: int = CANVAS_SIZE, line_width: float = 18.0
) -> np.ndarray:
    """Draw strokes as an anti-aliased grey image: white ink (1) on black (0), like a scan.

    Used by the draw-a-digit demo and lesson 06
    (``notebooks/06_kernels_and_feature_maps.ipynb``), before :func:`to_mnist`.
    A pixel's value is ``clip(line_width / 2 + 0.5 - distance, 0, 1)``, where
    ``distance`` runs from the pixel's centre to the nearest segment of a
    stroke: 1 inside the pen's disc, 0 beyond it, with a one-pixel soft edge
    between (what a scanner gives at the border of a stroke). Where strokes
    cross, the brighter value is kept.

    Parameters
    ----------
    strokes : list of lists of [x, y]
        One list of points per stroke (pen down to pen up), in canvas pixels:
        ``x`` to the right (the column), ``y`` down (the row); pixel
        ``(row, col)`` has its centre at ``x = col + 0.5, y = row + 0.5``.
        Floats or ints. A stroke of one point is a dot, a disc of diameter
        ``line_width``; an empty stroke draws nothing. Points may lie outside
        the canvas: what falls outside is cut off.
    size : int, default CANVAS_SIZE (280)
        Side of the square image, in pixels, between 1 and 4096.
    line_width : float, default 18.0
        Diameter of the pen, in pixels; positive.

    Returns
    -------
    numpy.ndarray of float32, shape (size, size)
        Values in [0, 1].

    Raises
    ------
    TypeError
        If ``strokes`` is not a list of lists of points, a coordinate is not a
        number, or ``size`` or ``line_width`` has the wrong type.
    ValueError
        If a point is not a pair, a coordinate is NaN or infinite, or ``size``
        or ``line_width`` is out of range.
    """
    arrays = _strokes_array(strokes)
    size = integer(size, "size", minimum=1, maximum=4096)
    line_width = number(line_width, "line_width")
    if line_width <= 0:
        raise ValueError(f"line_width must be positive, got {line_width}")
    reach = line_width / 2 + 0.5  # the value is 0 beyond this distance
    starts = [a[:-1] if len(a) > 1 else a for a in arrays]  # a dot: a segment of length 0
    ends = [a[1:] if len(a) > 1 else a for a in arrays]
    if not any(len(s) for s in starts):
        return np.zeros((size, size), dtype=np.float32)
    starts, ends = _clip_segments(
        np.concatenate(starts), np.concatenate(ends), -reach - 1.0, size + reach + 1.0
    )
    # Cut each segment into pieces of at most _PIECE pixels, so one window fits every piece.
    lengths = np.hypot(*(ends - starts).T)
    counts = np.maximum(1, np.ceil(lengths / _PIECE).astype(np.int64))
    owner = np.repeat(np.arange(len(starts)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    step = (np.arange(len(owner)) - first) / counts[owner]
    delta = ends - starts
    a = starts[owner] + step[:, None] * delta[owner]
    b = a + delta[owner] / counts[owner, None]
    # The squared distance from each pixel centre to the nearest piece, on a padded canvas
    # (so that no window falls off it); the value comes from it once, at the end.
    window = math.ceil(_PIECE + 2 * reach) + 2
    border = window + 2
    side = size + 2 * border
    nearest = np.full(side * side, np.inf, dtype=np.float32)
    for lo in range(0, len(a), _CHUNK):
        _nearest_pieces(
            nearest, side, border, window, a[lo : lo + _CHUNK], b[lo : lo + _CHUNK], reach
        )
    image = nearest.reshape(side, side)[border : border + size, border : border + size]
    return np.clip(reach - np.sqrt(image), 0, 1).astype(np.float32)


def _nearest_pieces(
    nearest: np.ndarray,
    side: int,
    border: int,
    window: int,
    a: np.ndarray,
    b: np.ndarray,
    reach: float,
) -> None:
    """Lower the flat padded canvas ``nearest`` to each piece's squared distance, all at once.

    In the frame of a piece, a pixel centre at ``u`` along it (from its middle) and ``v``
    across is ``max(|u| - length / 2, 0)`` beyond its end and ``|v|`` from its line."""
    corner = np.floor(np.minimum(a, b) - reach).astype(np.int64)  # (n, 2): first x, first y
    delta = b - a
    length = np.hypot(delta[:, 0], delta[:, 1])
    unit = np.divide(delta, length[:, None], out=np.zeros_like(delta), where=length[:, None] > 0)
    unit[length == 0, 0] = 1.0  # a dot: any direction
    middle = (a + b) / 2
    # A window wide enough for this chunk's longest piece: at most ``window`` pixels.
    steps = np.arange(min(window, math.ceil(np.abs(delta).max() + 2 * reach) + 2))
    px = (corner[:, 0, None] + 0.5 + steps - middle[:, 0, None]).astype(np.float32)  # (n, W)
    py = (corner[:, 1, None] + 0.5 + steps - middle[:, 1, None]).astype(np.float32)
    ux, uy = unit[:, 0, None].astype(np.float32), unit[:, 1, None].astype(np.float32)
    along = (px * ux)[:, None, :] + (py * uy)[:, :, None]  # (n, W, W), rows then columns
    across = (py * ux)[:, :, None] - (px * uy)[:, None, :]
    np.abs(along, out=along)
    along -= (length / 2).astype(np.float32)[:, None, None]
    np.maximum(along, 0, out=along)
    along *= along
    across *= across
    along += across
    base = (corner[:, 1] + border) * side + corner[:, 0] + border
    index = base[:, None, None] + (steps[:, None] * side + steps[None, :])[None]
    np.minimum.at(nearest, index.ravel(), along.ravel())


def _area_average(values: np.ndarray, n_out: int) -> np.ndarray:
    """``values`` resampled along axis 0 to ``n_out`` rows by area averaging (a box filter).

    Output row ``i`` covers the input interval ``[i, i + 1) * n_in / n_out`` and is the
    mean of the input over it, each input row weighted by the share of it the interval
    covers. It reads the integral of the input, a cumulative sum, at the interval's
    ends: no matrix product, so no BLAS threads for a few hundred pixels."""
    n_in = len(values)
    edges = np.arange(n_out + 1) * (n_in / n_out)
    whole = np.minimum(np.floor(edges).astype(np.int64), n_in - 1)
    part = (edges - whole)[:, None]  # the share of row ``whole`` before the edge: 1 at the end
    total = np.concatenate([np.zeros((1, *values.shape[1:])), np.cumsum(values, axis=0)])
    integral = total[whole] + part * values[whole]
    return np.diff(integral, axis=0) * (n_out / n_in)


def _factor(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def to_mnist(image: object) -> tuple[np.ndarray | None, str]:
    """A drawing as an MNIST digit: cropped, scaled to fit 20 x 20, centred by its mass in 28 x 28.

    Used by the draw-a-digit demo and lesson 06
    (``notebooks/06_kernels_and_feature_maps.ipynb``), after
    :func:`rasterize_strokes`. MNIST's digits were made this way (LeCun,
    Cortes and Burges): the digit is cropped to the pixels brighter than
    ``INK_THRESHOLD``; scaled, keeping its aspect ratio, so that its longer
    side is 20 pixels, each new pixel the average of the area of the drawing
    it covers (which anti-aliases: the edges turn grey); placed in a 28 x 28
    field, moved by whole pixels so that its centre of mass (weighted by the
    grey values) lands on pixel (14, 14), where MNIST's test digits have it
    on average, cutting off what would fall outside; and scaled so that its
    brightest pixel is 1, as MNIST's strokes reach full white.

    Parameters
    ----------
    image : array_like, shape (height, width)
        The drawing, ink brighter than the background: the (280, 280) image of
        :func:`rasterize_strokes`, or any grey image with values from 0 up.
        Negative values count as 0; an image brighter than 1 is divided by its
        maximum first.

    Returns
    -------
    digit : numpy.ndarray of float32, shape (28, 28), or None
        Values in [0, 1]; None when there is no ink.
    note : str
        What was done, in a short phrase for the student, e.g. "scaled down
        8.3x to fit 20 x 20 pixels, centred by its centre of mass", with what
        is unusual: a very small drawing (scaled up), a drawing that touches
        the edge of the canvas, a canvas almost all ink, a very wide or tall
        drawing. "draw a digit" when there is no ink. No drawing raises.

    Raises
    ------
    TypeError
        If ``image`` does not hold real numbers.
    ValueError
        If ``image`` is not a non-empty 2-D array, or holds NaN or infinity.
    """
    array = real_array(image, "image")
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(
            f"image must be a non-empty 2-D array (height, width), got shape {array.shape}"
        )
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError("image must hold finite numbers, got NaN or infinity")
    array = np.clip(array, 0, None)
    if array.max() > 1:
        array = array / array.max()
    ink = array > INK_THRESHOLD
    if not ink.any():
        return None, "draw a digit"
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    crop = array[top:bottom, left:right]
    height, width = crop.shape
    longer = max(height, width)
    out_h = max(1, round(height * BOX_SIZE / longer))
    out_w = max(1, round(width * BOX_SIZE / longer))
    small = _area_average(_area_average(crop, out_h).T, out_w).T
    # Centre of mass in pixel indices (pixel i at i), moved to (14, 14) by whole pixels.
    mass = small.sum()
    centre_row = (small.sum(axis=1) * np.arange(out_h)).sum() / mass
    centre_col = (small.sum(axis=0) * np.arange(out_w)).sum() / mass
    half = MNIST_SIZE // 2
    shift_row, shift_col = round(half - centre_row), round(half - centre_col)
    digit = np.zeros((MNIST_SIZE, MNIST_SIZE))
    r0, c0 = max(0, shift_row), max(0, shift_col)
    r1, c1 = min(MNIST_SIZE, shift_row + out_h), min(MNIST_SIZE, shift_col + out_w)
    digit[r0:r1, c0:c1] = small[r0 - shift_row : r1 - shift_row, c0 - shift_col : c1 - shift_col]
    if digit.max() <= 0:
        return None, "draw a digit (nothing was left after centring)"
    cut = 1 - digit.sum() / mass
    digit = np.clip(digit / digit.max(), 0, 1).astype(np.float32)

    factor = BOX_SIZE / longer
    notes = []
    if ink.mean() > 0.5:
        notes.append("the canvas is almost all ink")
    if longer < max(array.shape) / 8:
        across = f"{longer} pixel{'s' if longer > 1 else ''} across"
        notes.append(f"a very small drawing, {across}")
    if factor > 1:
        notes.append(f"scaled UP {_factor(factor)}x to fit {BOX_SIZE} x {BOX_SIZE} pixels")
    elif factor < 1:
        notes.append(f"scaled down {_factor(1 / factor)}x to fit {BOX_SIZE} x {BOX_SIZE} pixels")
    else:
        notes.append(f"kept its size, {BOX_SIZE} pixels")
    notes[-1] += ", centred by its centre of mass"
    if height > 4 * width:
        notes.append(f"very tall and narrow ({height} x {width} pixels): it is {out_w} pixels wide")
    elif width > 4 * height:
        notes.append(f"very wide and flat ({height} x {width} pixels): it is {out_h} pixels tall")
    if top == 0 or left == 0 or bottom == array.shape[0] or right == array.shape[1]:
        notes.append("touches the edge of the canvas: part of it may be cut off")
    if cut > 0.01:
        notes.append(f"{cut:.0%} of its ink fell outside the 28 x 28 field")
    return digit, "; ".join(notes)
