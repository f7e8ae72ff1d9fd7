"""The rules of the stored figures: how a figure is stored in a notebook, and how nbval compares it.

**Storing.** Call :func:`use_course_renderer` once in a notebook's Setup cell
(``utils.plots`` re-exports it). It makes plotly display every figure through
:class:`CourseRenderer`, as plotly's own JSON mimetype (:data:`FIGURE_MIME`)
plus a one-line ``text/plain`` caption:

* JupyterLab draws the JSON with the plotly extension that ships in the
  ``plotly`` wheel, so nothing is fetched from a CDN and it works offline;
* the whole figure is stored in the notebook as data, so it survives Restart &
  Run All and ``make html`` can turn it into a page that draws it offline;
  a code host that runs no JavaScript (GitHub's notebook view) cannot draw any
  plotly figure, and there the caption says what the figure is;
* the JSON is a pure function of the figure (no random ``div`` ids, no
  inlined 4.6 MB copy of plotly.js as the ``notebook`` renderer writes), so
  strict nbval compares it, with the comparison below;
* every non-integer float in it is stored to :data:`FIGURE_DIGITS`
  significant digits (:func:`round_figure_floats`), the precision a reader can
  see: the finest label the course draws is ``.4f`` on values under 10
  (losses), which needs 5. Float arrays are stored as float32, which holds 5
  digits; whole numbers (counts, pixel sizes, indices) are kept exact.

Floats stand alone, in lists, or in plotly's typed arrays (``{"dtype",
"bdata", "shape"}``, base64 of little-endian numbers), which
:func:`decode_typed_array` reads back: the rounding, the comparison,
``utils.plots.describe`` and the browser tests all read them through it.

**Comparing.** Figures are compared as structures (:func:`figure_difference`):
every string, key, list length, shape and integer exactly, every float as a
number. A float may differ by float32's last bits, which change from one CPU,
BLAS thread count or Python to another: two floats agree when they differ by
at most :data:`FIGURE_RTOL` of the largest magnitude stored under the same name
in the figure (:func:`largest`; ``data.z``: the z of every trace,
``layout.xaxis2.domain``), or by one unit in the last of the
:data:`FIGURE_DIGITS` significant digits stored (a value rounded the other
way). A different value in the third significant digit, another shape, a
missing trace or a changed title fails, and the failure names the first place
that differs. Text is compared exactly.

``conftest.py`` plugs :func:`match_figures` into nbval; ``benchmarks/figure_drift.py``
measures with :func:`numbers` and :func:`largest` how far a fresh run drifts.

Importing this module is cheap: it imports NumPy and ``plotly.io``, not
TensorFlow, and not the figures of ``utils.plots``.
"""

from __future__ import annotations

import base64
import copy
import math

import numpy as np
import plotly.io as pio
from plotly.io.base_renderers import PlotlyRenderer

from utils._validate import integer, one_of

FIGURE_MIME = "application/vnd.plotly.v1+json"
RENDERER_NAME = "course"
FIGURE_DIGITS = 5
# Measured by benchmarks/figure_drift.py (floats unrounded) on an AVX-512 CPU
# against outputs stored on an AVX2 one: the largest difference was 4.1e-7 of
# its scale (lesson 06's feature maps), the same with TF_ENABLE_ONEDNN_OPTS=0 or
# OMP_NUM_THREADS=1. 1e-5 leaves a margin of 25 and is a hundred times finer
# than a change in the third significant digit of the largest value.
FIGURE_RTOL = 1e-5
# The dtypes of plotly's typed arrays that NumPy reads (little-endian).
_TYPED_DTYPES = ("i1", "u1", "i2", "u2", "i4", "u4", "f4", "f8")
_FLOAT32_RANGE = (1e-37, 3e38)  # magnitudes float32 holds as normal numbers


# --- Plotly's typed arrays ---


def decode_typed_array(node: object, name: str = "node") -> np.ndarray | None:
    """``node`` as a NumPy array if it is plotly's typed array, else None.

    Parameters
    ----------
    node : object
        Any part of a figure's JSON; a typed array is a dict ``{"dtype",
        "bdata", "shape"}`` whose ``bdata`` is the base64 of little-endian
        numbers and whose optional ``shape`` is ``"2, 3"`` (or ``"[2, 3]"``).
    name : str
        What ``node`` is called in an error message.

    Returns
    -------
    numpy.ndarray or None
        The numbers, in the typed array's dtype and shape (read-only).

    Raises
    ------
    ValueError
        If ``node`` is a typed array whose ``dtype`` is not one plotly writes.
    """
    if not (isinstance(node, dict) and isinstance(node.get("bdata"), str)):
        return None
    dtype = one_of(node.get("dtype"), f"{name}['dtype']", _TYPED_DTYPES)
    array = np.frombuffer(base64.b64decode(node["bdata"]), dtype="<" + dtype)
    shape = node.get("shape")
    if not shape:
        return array
    return array.reshape([int(n) for n in str(shape).replace("[", "").replace("]", "").split(",")])


def numbers(node: object, name: str = "node") -> np.ndarray | None:
    """``node`` as an array if it is numbers (a number, a list of them, a typed array), else None.

    Booleans, strings, empty lists and lists that hold anything but numbers
    (``None`` included) are not numbers. A typed array with an unknown
    ``dtype`` raises ``ValueError`` (:func:`decode_typed_array`).
    """
    typed = decode_typed_array(node, name)
    if typed is not None:
        return typed
    if isinstance(node, bool) or not isinstance(node, int | float | list):
        return None
    if isinstance(node, list) and not node:
        return None
    try:
        array = np.asarray(node)
    except ValueError:  # ragged lists
        return None
    return array if array.dtype.kind in "iuf" else None


# --- Storing: the rounding and the renderer ---


def _round_significant(values: np.ndarray, digits: int) -> np.ndarray:
    """``values`` (float64) rounded to ``digits`` significant digits; whole numbers kept."""
    out = values.copy()
    rounded = np.isfinite(values) & (values != np.round(values))
    scale = 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(values[rounded]))))
    out[rounded] = np.round(values[rounded] * scale) / scale
    return out


def _rounded(node: object, digits: int) -> object:
    if isinstance(node, float):
        whole = not math.isfinite(node) or node == round(node)
        return node if whole else float(f"{node:.{digits - 1}e}")
    if isinstance(node, list):
        return [_rounded(item, digits) for item in node]
    if not isinstance(node, dict):
        return node
    values = decode_typed_array(node, "typed array")
    if values is None or values.dtype.kind != "f":  # integers are kept as they are
        return {key: _rounded(value, digits) for key, value in node.items()}
    values = _round_significant(values.astype(np.float64), digits)
    magnitudes = np.abs(values[np.isfinite(values) & (values != 0)])
    fits = magnitudes.size == 0 or (
        magnitudes.min() >= _FLOAT32_RANGE[0] and magnitudes.max() <= _FLOAT32_RANGE[1]
    )
    dtype = "f4" if fits else "f8"
    data = values.astype("<" + dtype).tobytes()
    return {**node, "dtype": dtype, "bdata": base64.b64encode(data).decode("ascii")}


def round_figure_floats(figure: object, digits: int = FIGURE_DIGITS) -> object:
    """Plotly figure JSON with every non-integer float rounded to ``digits`` significant digits.

    Floats stand alone, in lists, or in typed arrays; float64 arrays come back
    as float32 arrays when float32 holds their values. Integers, strings and
    integer arrays are returned as they are; ``figure`` itself is not changed.

    Raises
    ------
    TypeError, ValueError
        If ``digits`` is not an int of at least 1.
    """
    return _rounded(figure, integer(digits, "digits", minimum=1))


class CourseRenderer(PlotlyRenderer):
    """The plotly mimetype renderer with rounded floats, plus a text caption."""

    def to_mimebundle(self, fig_dict: dict) -> dict:
        bundle = super().to_mimebundle(fig_dict)
        bundle[FIGURE_MIME] = round_figure_floats(bundle[FIGURE_MIME])
        title = fig_dict.get("layout", {}).get("title", {})
        text = title.get("text") if isinstance(title, dict) else None
        caption = f": {text}" if text else ""
        bundle["text/plain"] = (
            f"<interactive plotly figure{caption}; run the notebook in JupyterLab to see it>"
        )
        return bundle


def use_course_renderer() -> None:
    """Make plotly display figures with :class:`CourseRenderer` (see the module doc)."""
    pio.renderers[RENDERER_NAME] = CourseRenderer()
    pio.renderers.default = RENDERER_NAME


# --- Comparing ---


def _largest(node: object, name: str, into: dict[str, float]) -> dict[str, float]:
    values = numbers(node, name or "figure")
    if values is not None:
        finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
        into[name] = max(into.get(name, 0.0), float(np.max(np.abs(finite), initial=0.0)))
    elif isinstance(node, dict):
        for key, value in node.items():
            _largest(value, f"{name}.{key}".lstrip("."), into)
    elif isinstance(node, list):
        for item in node:
            _largest(item, name, into)
    return into


def largest(figure: object) -> dict[str, float]:
    """The largest magnitude of the numbers under each name (the keys from the root) of a figure.

    ``data.z`` is every trace's ``z``: subplots that share a colour scale are
    compared on that scale, so a dark map's small values are not held to a
    tolerance relative to themselves. A typed array with an unknown ``dtype``
    raises ``ValueError``.
    """
    return _largest(figure, "", {})


def _numbers_difference(ref: np.ndarray, test: np.ndarray, scale: float) -> tuple | None:
    """None when two same-shaped arrays agree (see the module doc), else where they first differ."""
    if ref.dtype.kind in "iu" and test.dtype.kind in "iu":
        bad = ref != test
    else:
        ref, test = ref.astype(np.float64), test.astype(np.float64)
        finite = np.isfinite(ref) & np.isfinite(test)
        magnitude = np.maximum(np.abs(ref), np.abs(test))
        with np.errstate(divide="ignore", invalid="ignore"):
            last_digit = np.where(
                finite & (magnitude > 0),
                10.0 ** (np.floor(np.log10(magnitude)) - FIGURE_DIGITS + 1),
                0.0,
            )
        allowed = np.maximum(FIGURE_RTOL * scale, 1.5 * last_digit)
        same_special = ~finite & ((ref == test) | (np.isnan(ref) & np.isnan(test)))
        bad = ~same_special & ~(finite & (np.abs(ref - test) <= allowed))
    return tuple(int(i) for i in np.argwhere(bad)[0]) if bad.any() else None


def _difference(ref: object, test: object, path: str, name: str, scales: dict) -> str | None:
    ref_numbers, test_numbers = numbers(ref, path), numbers(test, path)
    if ref_numbers is not None and test_numbers is not None:
        if ref_numbers.shape != test_numbers.shape:
            return f"{path}: shape {ref_numbers.shape} stored, {test_numbers.shape} now"
        where = _numbers_difference(ref_numbers, test_numbers, scales.get(name, 0.0))
        if where is not None:
            index = f"[{', '.join(map(str, where))}]" if where else ""
            return f"{path}{index}: {ref_numbers[where]!r} stored, {test_numbers[where]!r} now"
        return None
    if isinstance(ref, dict) and isinstance(test, dict):
        if ref.keys() != test.keys():
            missing, extra = sorted(ref.keys() - test.keys()), sorted(test.keys() - ref.keys())
            return f"{path}: keys missing now {missing}, new keys {extra}"
        differences = (
            _difference(ref[k], test[k], f"{path}.{k}", f"{name}.{k}".lstrip("."), scales)
            for k in ref
        )
        return next((d for d in differences if d is not None), None)
    if isinstance(ref, list) and isinstance(test, list):
        if len(ref) != len(test):
            return f"{path}: {len(ref)} items stored, {len(test)} now"
        differences = (
            _difference(r, t, f"{path}[{i}]", name, scales)
            for i, (r, t) in enumerate(zip(ref, test, strict=True))
        )
        return next((d for d in differences if d is not None), None)
    if ref == test and type(ref) is type(test):
        return None
    return f"{path}: {ref!r} stored, {test!r} now"


def figure_difference(ref: object, test: object) -> str | None:
    """None when two plotly figure JSONs agree (see the module doc), else the first difference.

    ``ref`` is the stored figure, ``test`` the fresh one; the difference names
    the place from the root (``figure.data[1].z[2, 3]: ... stored, ... now``).
    A typed array with an unknown ``dtype`` raises ``ValueError``.
    """
    return _difference(ref, test, "figure", "", largest(ref))


def match_figures(test: list, ref: list) -> tuple[list, list[str]]:
    """``test`` with each figure that agrees with its stored twin replaced by that twin.

    Figures are paired in order, as nbval pairs outputs of one mimetype. Returns
    the outputs for nbval's exact comparison and the differences found.
    """
    stored = iter([out["data"][FIGURE_MIME] for out in ref if FIGURE_MIME in out.get("data", {})])
    matched, differences = [], []
    for output in test:
        data = output.get("data", {})
        twin = next(stored, None) if FIGURE_MIME in data else None
        if twin is not None:
            difference = figure_difference(twin, data[FIGURE_MIME])
            if difference is None:  # shallow copies keep nbformat's NotebookNode type
                output, output["data"] = copy.copy(output), copy.copy(data)
                output["data"][FIGURE_MIME] = twin
            else:
                differences.append(difference)
        matched.append(output)
    return matched, differences
