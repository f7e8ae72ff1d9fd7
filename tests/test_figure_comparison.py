"""The rules of stored figures (``utils.figures``): last bits pass, real changes fail.

The last test runs nbval in a fresh pytest on a small notebook, to show that
the comparison is the one nbval uses (``conftest.py`` plugs it in).
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.io.base_renderers import PlotlyRenderer
from plotly.subplots import make_subplots

from utils.figures import (
    FIGURE_MIME,
    CourseRenderer,
    decode_typed_array,
    figure_difference,
    largest,
    match_figures,
    numbers,
    round_figure_floats,
)

ROOT = Path(__file__).resolve().parent.parent


def stored(fig: go.Figure) -> dict:
    """The figure's JSON as the course stores it in a notebook."""
    return json.loads(json.dumps(CourseRenderer().to_mimebundle(fig.to_dict())[FIGURE_MIME]))


def shared_scale_maps(maps: np.ndarray, title: str = "Feature maps") -> go.Figure:
    """Heatmaps on one colour scale in subplots, like lessons 04 and 06 draw them."""
    fig = make_subplots(rows=1, cols=len(maps), subplot_titles=[f"map {i}" for i in range(4)])
    for i, z in enumerate(maps):
        fig.add_trace(go.Heatmap(z=z, zmin=0.0, zmax=float(maps.max())), row=1, col=i + 1)
    return fig.update_layout(title=title)


@pytest.fixture
def maps() -> np.ndarray:
    values = np.random.default_rng(0).gamma(2.0, size=(4, 6, 6)).astype(np.float32)
    values[3] *= 1e-3  # a dark map, as a dead channel is
    return values


def last_bits(values: np.ndarray, seed: int = 1) -> np.ndarray:
    """``values`` with about half of them moved by one float32 step, as another CPU does."""
    move = np.random.default_rng(seed).random(values.shape) < 0.5
    return np.where(move, np.nextafter(values, np.float32(np.inf)), values).astype(np.float32)


def test_the_mime_type_is_plotlys_own():
    assert set(PlotlyRenderer().to_mimebundle(go.Figure().to_dict())) == {FIGURE_MIME}


@pytest.mark.parametrize(
    "values",
    [
        np.arange(-3, 9, dtype=np.int8).reshape(3, 4),
        np.arange(70000, 70006, dtype=np.int32),
        np.linspace(-1.5, 2.0, 10, dtype=np.float32).reshape(2, 5),
        np.array([[0.1, np.nan], [np.inf, -2.5e-300]]),
    ],
)
def test_typed_arrays_are_read_back_as_plotly_wrote_them(values):
    figure = PlotlyRenderer().to_mimebundle(go.Figure(go.Heatmap(z=values)).to_dict())
    spec = figure[FIGURE_MIME]["data"][0]["z"]
    assert set(spec) >= {"dtype", "bdata"}  # plotly wrote a typed array
    decoded = decode_typed_array(spec)
    assert decoded.dtype == values.dtype and decoded.shape == values.shape
    assert np.array_equal(decoded, values, equal_nan=True)
    assert np.array_equal(numbers(spec), values, equal_nan=True)


def test_what_is_not_a_typed_array_decodes_to_none():
    for node in (None, 3, [1.5, 2.0], "bdata", {"bdata": None}, {"type": "heatmap"}):
        assert decode_typed_array(node) is None
    with pytest.raises(ValueError, match=r"z\['dtype'\] must be one of 'i1', .*, got 'c8'"):
        decode_typed_array({"dtype": "c8", "bdata": "AAAAAAAAAAA="}, "z")


def test_largest_holds_one_scale_per_name(maps):
    ref = stored(shared_scale_maps(maps))
    scales = largest(ref)
    assert scales["data.z"] == pytest.approx(float(maps.max()), rel=1e-5)  # every map's z
    assert scales["layout.xaxis2.domain"] == max(ref["layout"]["xaxis2"]["domain"])
    assert scales["data.zmax"] == pytest.approx(float(maps.max()), rel=1e-5)


def test_rounding_takes_a_whole_number_of_digits():
    assert round_figure_floats({"y": [0.123456, 7.0]}, digits=2) == {"y": [0.12, 7.0]}
    with pytest.raises(ValueError, match=r"digits must be at least 1, got 0"):
        round_figure_floats({"y": [0.5]}, digits=0)


def test_the_same_figure_agrees(maps):
    assert (
        figure_difference(stored(shared_scale_maps(maps)), stored(shared_scale_maps(maps))) is None
    )


def test_float32_last_bit_differences_agree(maps):
    ref = stored(shared_scale_maps(maps))
    for seed in range(5):
        assert figure_difference(ref, stored(shared_scale_maps(last_bits(maps, seed)))) is None


def test_a_dark_map_is_compared_on_the_shared_colour_scale(maps):
    ref = stored(shared_scale_maps(maps))
    moved = maps.copy()
    moved[3] += 2e-6 * maps.max()  # far beyond 1e-5 of the dark map's own largest value
    assert figure_difference(ref, stored(shared_scale_maps(moved))) is None


def test_layout_floats_in_their_last_bit_agree(maps):
    # Python 3.12's sum() of floats rounds subplot positions differently.
    ref = stored(shared_scale_maps(maps))
    test = copy.deepcopy(ref)
    low, high = test["layout"]["xaxis2"]["domain"]
    test["layout"]["xaxis2"]["domain"] = [np.nextafter(low, 1.0), np.nextafter(high, 0.0)]
    test["layout"]["annotations"][1]["x"] = np.nextafter(test["layout"]["annotations"][1]["x"], 0)
    assert figure_difference(ref, test) is None


def test_a_value_rounded_the_other_way_agrees():
    ref = {"data": [{"type": "scatter", "y": [0.12345, 2.0, 3.5]}]}
    test = {"data": [{"type": "scatter", "y": [0.12344, 2.0, 3.5]}]}
    assert figure_difference(ref, test) is None


@pytest.mark.parametrize("digit", [3, 4])
def test_a_change_in_the_third_or_fourth_significant_digit_fails(maps, digit):
    changed = maps.copy()
    row, col = np.unravel_index(np.argmax(maps[1]), maps[1].shape)
    changed[1, row, col] *= 1 + 10.0 ** (1 - digit)  # 1.23 -> 1.24 (digit 3), 1.234 -> 1.235 (4)
    difference = figure_difference(
        stored(shared_scale_maps(maps)), stored(shared_scale_maps(changed))
    )
    assert difference is not None and difference.startswith(f"figure.data[1].z[{row}, {col}]:")


def test_a_changed_scalar_fails(maps):
    ref = stored(shared_scale_maps(maps))
    test = copy.deepcopy(ref)
    test["data"][0]["zmax"] *= 1.001
    assert figure_difference(ref, test).startswith("figure.data[0].zmax:")


def test_a_different_shape_fails(maps):
    difference = figure_difference(
        stored(shared_scale_maps(maps)), stored(shared_scale_maps(maps[:, :5]))
    )
    assert "shape (6, 6) stored, (5, 6) now" in difference


def test_a_missing_trace_fails(maps):
    ref = stored(shared_scale_maps(maps))
    test = copy.deepcopy(ref)
    del test["data"][2]
    assert figure_difference(ref, test) == "figure.data: 4 items stored, 3 now"


def test_a_changed_title_fails(maps):
    difference = figure_difference(
        stored(shared_scale_maps(maps)), stored(shared_scale_maps(maps, title="Feature maps."))
    )
    assert difference == "figure.layout.title.text: 'Feature maps' stored, 'Feature maps.' now"


def test_a_changed_integer_or_missing_key_fails(maps):
    ref = {"data": [{"type": "bar", "x": [1, 2, 3], "y": [10, 20, 30]}]}
    test = copy.deepcopy(ref)
    test["data"][0]["y"][1] = 21
    assert (
        figure_difference(ref, test) == "figure.data[0].y[1]: np.int64(20) stored, np.int64(21) now"
    )
    del test["data"][0]["x"]
    assert figure_difference(ref, test) == "figure.data[0]: keys missing now ['x'], new keys []"


def test_nan_agrees_only_with_nan():
    ref = {"data": [{"type": "scatter", "y": [1.5, float("nan")]}]}
    assert figure_difference(ref, copy.deepcopy(ref)) is None
    test = {"data": [{"type": "scatter", "y": [1.5, 0.0]}]}
    assert figure_difference(ref, test) is not None


def test_match_figures_keeps_the_stored_figure_only_where_they_agree(maps):
    ref_figure, close, changed = (
        stored(shared_scale_maps(m)) for m in (maps, last_bits(maps), maps * np.float32(1.01))
    )
    text = {"output_type": "stream", "name": "stdout", "text": "0.123\n"}
    ref = [text, {"output_type": "display_data", "data": {FIGURE_MIME: ref_figure}}]
    matched, differences = match_figures(
        [text, {"output_type": "display_data", "data": {FIGURE_MIME: close}}], ref
    )
    assert matched == ref and differences == []
    matched, differences = match_figures(
        [text, {"output_type": "display_data", "data": {FIGURE_MIME: changed}}], ref
    )
    assert matched[1]["data"][FIGURE_MIME] is changed and len(differences) == 1


def test_the_renderer_stores_floats_to_the_course_precision():
    z = np.array([[0.123456789, 2774912.0], [np.nan, -1.0 / 3.0]])
    fig = go.Figure(go.Heatmap(z=z, zmax=3.917647123336792, zmin=0.0))
    fig.update_layout(xaxis={"domain": [0.0, 0.14471153846153845]})
    bundle = CourseRenderer().to_mimebundle(fig.to_dict())[FIGURE_MIME]
    trace = bundle["data"][0]
    assert trace["z"]["dtype"] == "f4"  # float64 data stored as float32 once rounded
    values = numbers(trace["z"])
    assert values.shape == (2, 2) and np.isnan(values[1, 0])
    expected = np.array([0.12346, 2774912.0, -0.33333], dtype=np.float32)
    assert np.array_equal(values.ravel()[[0, 1, 3]], expected)  # whole numbers kept exact
    assert trace["zmax"] == 3.9176 and trace["zmin"] == 0.0
    assert bundle["layout"]["xaxis"]["domain"] == [0.0, 0.14471]


def test_nbval_passes_last_bits_and_fails_real_changes(tmp_path):
    """A notebook whose stored figure differs from the fresh one in its last bits passes
    nbval; one that differs at the third digit fails, and so does a text output that
    differs in its last printed digit."""
    make = (
        "import numpy as np\n"
        "from IPython.display import display\n"
        "z = (np.arange(12, dtype=np.float32).reshape(3, 4) / np.float32(7)).tolist()\n"
        f"figure = {{'data': [{{'type': 'heatmap', 'z': z}}]}}\n"
        f"display({{'{FIGURE_MIME}': figure, 'text/plain': 'fig'}}, raw=True)"
    )
    z = np.arange(12, dtype=np.float32).reshape(3, 4) / np.float32(7)
    cells = []
    for stored_z in (np.nextafter(z, np.float32(2)).astype(np.float64), z * 1.01):
        figure = {"data": [{"type": "heatmap", "z": stored_z.tolist()}]}
        output = nbformat.v4.new_output(
            "display_data", data={FIGURE_MIME: figure, "text/plain": "fig"}
        )
        cells.append(nbformat.v4.new_code_cell(make, outputs=[output], execution_count=1))
    printed = nbformat.v4.new_output("stream", name="stdout", text="0.1428572\n")
    code = "print(f'{1 / 7:.7f}')"
    cells.append(nbformat.v4.new_code_cell(code, outputs=[printed], execution_count=1))
    path = tmp_path / "last_bits.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "conftest", "-p", "no:cacheprovider"]
        + ["--nbval", "--nbval-current-env", "-c", str(tmp_path / "pytest.ini"), str(path)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "scripts")])},
        capture_output=True,
        text=True,
        timeout=300,
    )
    verdicts = re.findall(r"::Cell \d+ (PASSED|FAILED)", result.stdout)
    assert verdicts == ["PASSED", "FAILED", "FAILED"], result.stdout[-3000:]
    assert "first difference in the figure: figure.data[0].z[0, 1]" in result.stdout
