"""The comparison of stored figures that nbval uses, and the numbers behind it.

Figures (plotly's JSON) are compared as structures: every string, key, list
length, shape and integer exactly, every float as a number. A float may differ
by float32's last bits, which change from one CPU, BLAS thread count or Python
to another: two floats agree when they differ by at most ``FIGURE_RTOL`` of
the largest magnitude stored under the same name in the figure (``data.z``:
the z of every trace, ``layout.xaxis2.domain``), or by one unit in the last of
the ``FIGURE_DIGITS`` significant digits that ``utils.plots`` stores (a value
rounded the other way). A different value in the third significant digit,
another shape, a missing trace or a changed title fails, and the failure names
the first place that differs. Text is compared exactly.

``conftest.py`` plugs :func:`match_figures` into nbval; ``benchmarks/figure_drift.py``
measures with :func:`numbers` and :func:`largest` how far a fresh run drifts.
"""

from __future__ import annotations

import base64
import copy

import numpy as np

from utils.plots import FIGURE_DIGITS

FIGURE_MIME = "application/vnd.plotly.v1+json"
# Measured by benchmarks/figure_drift.py (floats unrounded) on an AVX-512 CPU
# against outputs stored on an AVX2 one: the largest difference was 4.1e-7 of
# its scale (lesson 06's feature maps), the same with TF_ENABLE_ONEDNN_OPTS=0 or
# OMP_NUM_THREADS=1. 1e-5 leaves a margin of 25 and is a hundred times finer
# than a change in the third significant digit of the largest value.
FIGURE_RTOL = 1e-5


def numbers(node: object) -> np.ndarray | None:
    """``node`` as an array if it is numbers (a number, a list of them, a typed array)."""
    if isinstance(node, dict) and isinstance(node.get("bdata"), str):
        array = np.frombuffer(base64.b64decode(node["bdata"]), dtype="<" + str(node["dtype"]))
        shape = node.get("shape")
        return array.reshape([int(n) for n in str(shape).split(",")]) if shape else array
    if isinstance(node, bool) or not isinstance(node, int | float | list):
        return None
    if isinstance(node, list) and not node:
        return None
    try:
        array = np.asarray(node)
    except ValueError:  # ragged lists
        return None
    return array if array.dtype.kind in "iuf" else None


def largest(node: object, name: str = "", into: dict | None = None) -> dict[str, float]:
    """The largest magnitude of the numbers under each name (the keys from the root) of a figure.

    ``data.z`` is every trace's ``z``: subplots that share a colour scale are
    compared on that scale, so a dark map's small values are not held to a
    tolerance relative to themselves.
    """
    into = {} if into is None else into
    values = numbers(node)
    if values is not None:
        finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
        into[name] = max(into.get(name, 0.0), float(np.max(np.abs(finite), initial=0.0)))
    elif isinstance(node, dict):
        for key, value in node.items():
            largest(value, f"{name}.{key}".lstrip("."), into)
    elif isinstance(node, list):
        for item in node:
            largest(item, name, into)
    return into


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


def figure_difference(ref: object, test: object) -> str | None:
    """None when two plotly figure JSONs agree (see the module doc), else the first difference."""
    return _difference(ref, test, "figure", "", largest(ref))


def _difference(ref: object, test: object, path: str, name: str, scales: dict) -> str | None:
    ref_numbers, test_numbers = numbers(ref), numbers(test)
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
