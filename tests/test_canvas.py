"""Tests for utils.widgets.canvas: the drawing canvas and the live digit reader, from Python.

The canvas's JavaScript is driven in Chromium by tests/browser/test_draw_a_digit.py;
here the strokes are set as the page sets them, and the reader's readings,
figures, speed and memory are checked with the NumPy ConvNet.
"""

from __future__ import annotations

import fnmatch
import gc
import inspect
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from utils.data import load_mnist
from utils.drawing import CANVAS_SIZE, rasterize_strokes, to_mnist
from utils.figures import FIGURE_MIME as PLOTLY_MIME
from utils.numpy_convnet import load_numpy_convnet
from utils.widgets import DigitReader, DrawingCanvas
from utils.widgets._a11y import AccessibleNames
from utils.widgets.canvas import LINE_WIDTH
from utils.widgets.reader import CANVAS_CHOICE, LAYERS, N_MAPS, first_test_digits

CENTRE = CANVAS_SIZE / 2
ROOT = Path(__file__).resolve().parent.parent
CANVAS_JS = ROOT / "utils" / "widgets" / "canvas.js"
CANVAS_CSS = ROOT / "utils" / "widgets" / "canvas.css"


def vertical_stroke() -> list[list[float]]:
    return [[140.0, float(y)] for y in range(40, 241, 10)]


def circle(radius: float = 80.0, n_points: int = 40) -> list[list[float]]:
    angles = np.linspace(0, 2 * np.pi, n_points)  # the last point closes the loop
    return np.column_stack(
        [CENTRE + radius * np.cos(angles), CENTRE + radius * np.sin(angles)]
    ).tolist()


@pytest.fixture(scope="module")
def net():
    return load_numpy_convnet()


@pytest.fixture
def reader(net):
    return DigitReader(net)


def shown_traces(reader: DigitReader) -> list[str]:
    """The trace types of every figure the reader's outputs hold."""
    outputs = [*reader.input_output.outputs, *reader.probability_output.outputs]
    outputs += reader.maps_output.outputs
    return [trace["type"] for output in outputs for trace in output["data"][PLOTLY_MIME]["data"]]


# -- the canvas ----------------------------------------------------------------------------


def test_canvas_draws_what_rasterize_strokes_draws():
    canvas = DrawingCanvas()
    assert canvas.size == CANVAS_SIZE == 280
    default = inspect.signature(rasterize_strokes).parameters["line_width"].default
    assert canvas.line_width == LINE_WIDTH == default
    assert canvas.strokes == []
    assert set(canvas.keys) >= {"strokes", "size", "line_width", "_esm", "_css"}


def test_canvas_script_loads_nothing_and_has_what_the_browser_tests_use():
    script = DrawingCanvas()._esm
    assert "export default" in script and "render({ model, el })" in script
    assert "import " not in script and "http" not in script and "//cdn" not in script
    for name in ("pointerdown", "pointermove", "pointerup", "pointercancel", "setPointerCapture"):
        assert name in script
    assert "getBoundingClientRect" in script and "save_changes" in script
    for name in ("course-canvas", "course-canvas-undo", "course-canvas-clear"):
        assert f'"{name}"' in script
    assert "touch-action: none" in DrawingCanvas()._css


def test_the_canvas_sends_its_script_and_style_files_as_they_are():
    canvas = DrawingCanvas()
    state = canvas.get_state()  # what goes to the page
    assert state["_esm"] == CANVAS_JS.read_bytes().decode("utf-8") == canvas._esm
    assert state["_css"] == CANVAS_CSS.read_bytes().decode("utf-8") == canvas._css
    assert state["_esm"].count("export default {") == 1 and ".course-canvas {" in state["_css"]


def test_the_files_that_are_not_python_ship_with_the_package():
    # `pip install .` (not -e) copies a package's other files only if package-data names them.
    with (ROOT / "pyproject.toml").open("rb") as file:
        package_data = tomllib.load(file)["tool"]["setuptools"]["package-data"]
    others = [
        path
        for path in (ROOT / "utils").rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    ]
    assert CANVAS_JS in others and CANVAS_CSS in others
    for path in others:
        package = ".".join(path.parent.relative_to(ROOT).parts)
        patterns = package_data.get(package, [])
        assert any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns), path


def test_the_canvas_script_parses_as_an_es_module():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on the PATH, so canvas.js is not parsed")

    def check(script: str) -> subprocess.CompletedProcess:
        command = [node, "--input-type=module", "--check"]
        return subprocess.run(command, input=script, capture_output=True, text=True, timeout=60)

    script = CANVAS_JS.read_text(encoding="utf-8")
    result = check(script)
    assert result.returncode == 0, result.stderr
    broken = check(script.replace("export default {", "export default {{", 1))
    assert broken.returncode != 0 and "SyntaxError" in broken.stderr


def test_add_stroke_undo_and_clear():
    canvas = DrawingCanvas()
    canvas.add_stroke([[10, 20], [30.04, 40.06]])
    canvas.add_stroke(np.array([[5.0, 5.0]]))  # a dot
    assert canvas.strokes == [[[10.0, 20.0], [30.0, 40.1]], [[5.0, 5.0]]]
    canvas.undo()
    assert canvas.strokes == [[[10.0, 20.0], [30.0, 40.1]]]
    canvas.undo()
    canvas.undo()  # nothing left: no error
    assert canvas.strokes == []
    canvas.add_stroke([(0, 0), (280, 280)])
    canvas.add_stroke([(1, 1)])
    canvas.clear()
    assert canvas.strokes == []
    canvas.clear()
    assert canvas.strokes == []


def test_setting_strokes_as_the_page_does_is_checked_and_rounded():
    canvas = DrawingCanvas()
    changes = []
    canvas.observe(lambda change: changes.append(change["new"]), names="strokes")
    canvas.strokes = [[[1, 2], [3.333, 4]]]
    assert canvas.strokes == [[[1.0, 2.0], [3.3, 4.0]]]
    assert changes == [canvas.strokes]
    with pytest.raises(TypeError, match=r"strokes\[0\] must hold real numbers"):
        canvas.strokes = [[["a", "b"]]]
    with pytest.raises(ValueError, match=r"strokes\[1\] must be a non-empty list of \[x, y\]"):
        canvas.strokes = [[[1, 2]], []]


@pytest.mark.parametrize(
    ("points", "error", "pattern"),
    [
        ("abc", TypeError, r"points must be a list of \[x, y\] points, got str"),
        (None, TypeError, r"points must be a list of \[x, y\] points, got NoneType"),
        ([], ValueError, r"points must be a non-empty list of \[x, y\] points, shape \(n, 2\)"),
        ([1, 2], ValueError, r"shape \(n, 2\), got shape \(2,\)"),
        ([[1, 2, 3]], ValueError, r"shape \(n, 2\), got shape \(1, 3\)"),
        ([["a", "b"]], TypeError, r"points must hold real numbers"),
        ([[True, False]], TypeError, r"points must hold real numbers, got dtype bool"),
        ([[np.nan, 1]], ValueError, r"points must hold finite numbers"),
        ([[10, 300]], ValueError, r"points must lie on the canvas, coordinates between 0 and 280"),
        ([[-1, 10]], ValueError, r"between 0 and 280, got values from -1 to 10"),
    ],
)
def test_add_stroke_rejects_what_is_not_a_stroke(points, error, pattern):
    canvas = DrawingCanvas()
    with pytest.raises(error, match=pattern):
        canvas.add_stroke(points)
    assert canvas.strokes == []


def test_canvas_rejects_bad_sizes():
    with pytest.raises(ValueError, match="size must be between 28 and 1000, got 0"):
        DrawingCanvas(size=0)
    with pytest.raises(TypeError, match="size must be an int, got float 280.0"):
        DrawingCanvas(size=280.0)
    with pytest.raises(ValueError, match="line_width must be positive and at most half the size"):
        DrawingCanvas(line_width=0)
    with pytest.raises(TypeError, match="line_width must be a number, got str"):
        DrawingCanvas(line_width="18")


# -- the reader ----------------------------------------------------------------------------


def test_empty_canvas_says_draw_a_digit_and_draws_no_probabilities(reader):
    assert reader.strokes == []
    assert reader.note == "draw a digit" and reader.summary == "draw a digit"
    assert reader.caption.value == "draw a digit"
    assert "course-reader-summary" in reader.caption._dom_classes
    assert reader.digit is None
    assert reader.probabilities is None and reader.prediction is None
    assert reader.probability_figure is None and reader.figures == ()
    assert shown_traces(reader) == []
    assert reader.image.shape == (CANVAS_SIZE, CANVAS_SIZE) and reader.image.max() == 0


def test_a_vertical_stroke_is_read_as_one(reader):
    reader.draw([vertical_stroke()])
    assert reader.prediction == 1, reader.probabilities
    assert reader.summary.startswith(f"read as 1 ({reader.probabilities[1]:.2f}) · ")
    assert reader.summary.endswith(reader.note) and reader.note != "draw a digit"
    assert "read as <b>1</b>" in reader.caption.value
    assert reader.digit.shape == (28, 28)
    assert reader.probabilities.shape == (10,)
    assert reader.probabilities.sum() == pytest.approx(1, abs=1e-5)
    np.testing.assert_array_equal(reader.input_figure.data[0].z, reader.digit)
    assert shown_traces(reader).count("bar") == 1
    assert shown_traces(reader).count("heatmap") == 1 + N_MAPS * len(LAYERS)


def test_a_closed_loop_is_read_as_zero_and_the_maps_change(reader):
    reader.draw([vertical_stroke()])
    one = [np.array(trace.z) for trace in reader.maps_figure.data]
    reader.clear()
    assert reader.prediction is None and shown_traces(reader) == []
    reader.draw([circle()])
    assert reader.prediction == 0, reader.probabilities
    assert reader.summary.startswith("read as 0")
    zero = [np.array(trace.z) for trace in reader.maps_figure.data]
    assert [z.shape for z in zero] == [z.shape for z in one]
    assert any(not np.array_equal(a, b) for a, b in zip(one, zero, strict=True))


def test_the_maps_are_the_nets_first_channels_one_row_per_layer(reader):
    reader.draw([circle()])
    traces = reader.maps_figure.data
    assert len(traces) == N_MAPS * len(LAYERS)
    for row, layer in enumerate(LAYERS):
        maps = reader.reading[layer]
        for channel in range(N_MAPS):
            trace = traces[row * N_MAPS + channel]
            assert trace.name == f"{layer} channel {channel}"
            np.testing.assert_allclose(trace.z, maps[:, :, channel])
            assert trace.zmin == min(0.0, float(maps[:, :, :N_MAPS].min()))
            assert trace.zmax == float(maps[:, :, :N_MAPS].max())
    sizes = [np.array(traces[row * N_MAPS].z).shape for row in range(3)]
    assert sizes == [(26, 26), (11, 11), (3, 3)]


@pytest.mark.parametrize(
    "strokes",
    [
        [[[140, 140]]],  # a single dot
        [[[0, y] for y in range(0, 281, 20)]],  # along the very edge
        [[[0, 0], [280, 280]], [[280, 0], [0, 280]], [[0, 140], [280, 140]]]
        + [[[x, 0], [x, 280]] for x in range(0, 281, 20)],  # a scribble over everything
    ],
    ids=["dot", "edge", "scribble"],
)
def test_odd_drawings_still_get_a_reading(reader, strokes):
    reader.draw(strokes)
    assert reader.prediction in range(10)
    assert reader.probabilities.sum() == pytest.approx(1, abs=1e-5)
    assert reader.summary.startswith(f"read as {reader.prediction}")
    assert shown_traces(reader).count("bar") == 1


def test_figures_fit_the_notebook_column_beside_the_canvas(reader):
    reader.draw([circle()])
    widths = {name: figure.layout.width for name, figure in zip("ipm", reader.figures, strict=True)}
    assert all(width <= 840 for width in widths.values()), widths
    # The input and the probabilities side by side, right of the canvas and a 12-pixel gap.
    assert reader.canvas.size + 12 + widths["i"] + widths["p"] <= 840, widths
    assert reader.canvas.size + 12 + widths["m"] <= 840, widths


def test_strokes_from_the_page_update_the_reading(reader):
    reader.canvas.add_stroke(vertical_stroke())  # as a finished stroke on the page does
    assert reader.strokes == reader.canvas.strokes and reader.prediction == 1
    reader.canvas.undo()
    assert reader.note == "draw a digit" and reader.probabilities is None
    reader.canvas.strokes = [circle()]
    assert reader.prediction == 0
    before = reader.last_update_seconds
    reader.draw(reader.canvas.strokes)  # the same strokes: still a fresh reading
    assert reader.prediction == 0 and reader.last_update_seconds != before


def test_draw_checks_its_strokes(reader):
    with pytest.raises(TypeError, match=r"strokes must be a list of strokes"):
        reader.draw("1")
    with pytest.raises(ValueError, match=r"strokes\[0\] must lie on the canvas"):
        reader.draw([[[0, 0], [400, 0]]])


# -- the keyboard's way in: "read a test digit" -------------------------------------------


def test_the_canvas_says_it_cannot_be_drawn_with_keys_and_what_to_do_instead(reader):
    script = DrawingCanvas()._esm
    assert '"aria-describedby"' in script and '"course-canvas-note"' in script
    assert "keyboard_note" in script and "keyboard_note" in DrawingCanvas().keys
    assert "cannot be drawn on with keys" in DrawingCanvas().keyboard_note
    note = reader.canvas.keyboard_note
    assert "cannot be drawn on with keys" in note and '"read a test digit"' in note
    assert reader.test_digit.description == "read a test digit"
    assert reader.test_digit in reader.widget.children[0].children  # under the canvas
    assert isinstance(reader.widget.children[-1], AccessibleNames)
    with pytest.raises(TypeError, match="keyboard_note must be a str, got int 3"):
        DrawingCanvas(keyboard_note=3)


def test_the_menu_offers_the_canvas_and_the_first_test_image_of_each_digit(reader):
    assert reader.test_digit.value == CANVAS_CHOICE and reader.test_index is None
    assert [value for _, value in reader.test_digit.options] == [CANVAS_CHOICE, *range(10)]
    images, indices = first_test_digits()
    (_, _), (x_test, y_test) = load_mnist()
    assert images.shape == (10, 28, 28) and images.dtype == np.float32
    assert [int(y_test[index]) for index in indices] == list(range(10))
    for digit, index in enumerate(indices):
        assert np.all(y_test[:index] != digit)  # the first of its digit
        np.testing.assert_allclose(images[digit], x_test[index] / 255, atol=1e-7)


def test_choosing_a_test_digit_reads_it_as_a_drawing_is_read(reader):
    images, indices = first_test_digits()
    reader.draw([vertical_stroke()])
    reader.test_digit.value = 7  # as the menu on the page does
    assert reader.canvas.strokes == [] and reader.strokes == []  # the canvas emptied
    assert reader.test_index == int(indices[7]) and reader.prediction == 7
    assert reader.image.shape == (CANVAS_SIZE, CANVAS_SIZE)  # the digit on the canvas
    expected, note = to_mnist(reader.image)  # the drawing's own path from there on
    np.testing.assert_array_equal(reader.digit, expected)
    assert reader.note == note
    np.testing.assert_allclose(reader.digit, images[7], atol=0.05)  # MNIST's digit again
    probabilities = reader.net.read(reader.digit)["probabilities"]
    np.testing.assert_allclose(reader.probabilities, probabilities)
    assert f"MNIST test digit {indices[7]} (a 7)" in reader.summary
    assert reader.summary.startswith("read as 7") and "read as <b>7</b>" in reader.caption.value
    assert len(reader.figures) == 3 and "conv_1" in reader.maps_figure.layout.title.text
    assert shown_traces(reader).count("heatmap") == 1 + len(LAYERS) * N_MAPS
    reader.test_digit.value = CANVAS_CHOICE  # "none: read the canvas": the empty canvas
    assert reader.summary == "draw a digit" and reader.test_index is None


def test_drawing_after_a_test_digit_reads_the_drawing(reader):
    reader.read_test_digit(0)
    assert reader.prediction == 0 and reader.test_digit.value == 0
    reader.canvas.add_stroke(vertical_stroke())  # a stroke drawn on the page
    assert reader.prediction == 1 and reader.test_index is None
    assert reader.test_digit.value == CANVAS_CHOICE and "MNIST" not in reader.summary
    reader.read_test_digit(8)
    reader.draw(reader.canvas.strokes)  # [] again: the empty canvas, not the 8
    assert reader.summary == "draw a digit" and reader.test_digit.value == CANVAS_CHOICE
    reader.read_test_digit(2)
    reader.clear()  # as after "clear": an empty canvas, whatever was read
    assert reader.summary == "draw a digit" and reader.test_digit.value == CANVAS_CHOICE
    reader.read_test_digit(5)
    reader.read_test_digit(None)
    assert reader.summary == "draw a digit" and reader.test_index is None


@pytest.mark.parametrize(
    "digit, error, pattern",
    [
        ("7", TypeError, "digit must be an int, got str '7'"),
        (7.0, TypeError, "digit must be an int, got float 7.0"),
        (True, TypeError, "digit must be an int, got bool True"),
        (10, ValueError, "digit must be between 0 and 9, got 10"),
        (-1, ValueError, "digit must be between 0 and 9, got -1"),
    ],
)
def test_read_test_digit_rejects_what_is_not_a_digit(reader, digit, error, pattern):
    reader.draw([vertical_stroke()])
    with pytest.raises(error, match=pattern):
        reader.read_test_digit(digit)
    assert reader.prediction == 1 and reader.test_digit.value == CANVAS_CHOICE  # unchanged


def test_the_menu_takes_only_what_it_offers(reader):
    from traitlets import TraitError

    with pytest.raises(TraitError, match="Invalid selection"):
        reader.test_digit.value = 11
    assert reader.test_digit.value == CANVAS_CHOICE and reader.summary == "draw a digit"


def test_a_missing_data_file_is_said_in_the_caption_and_raised_by_the_method(
    reader, monkeypatch, tmp_path
):
    import utils.data

    monkeypatch.setattr(utils.data, "DATA_DIR", tmp_path)
    first_test_digits.cache_clear()
    try:
        reader.test_digit.value = 4  # from the page: the reader says why it reads nothing
        assert reader.summary.startswith("no test digit to read: mnist.npz not found at")
        assert "git checkout -- data/mnist.npz" in reader.caption.value
        assert reader.test_digit.value == CANVAS_CHOICE and reader.test_index is None
        with pytest.raises(FileNotFoundError, match="mnist.npz not found at"):
            reader.read_test_digit(4)
    finally:
        first_test_digits.cache_clear()


class FakeNet:
    """A network that reads every digit as 3, with maps of the real shapes."""

    def __init__(self, broken: bool = False) -> None:
        self.calls = 0
        self.broken = broken

    def read(self, image28):
        self.calls += 1
        assert image28.shape == (28, 28)
        if self.broken:
            return {"probabilities": np.full(10, 0.1)}
        probabilities = np.full(10, 0.01)
        probabilities[3] = 0.91
        return {
            "conv_1": np.ones((26, 26, 32)),
            "conv_2": np.zeros((11, 11, 64)),
            "conv_3": np.full((3, 3, 64), 2.0),
            "probabilities": probabilities,
        }


def test_reader_takes_any_net_with_a_read_method():
    net = FakeNet()
    reader = DigitReader(net)
    assert net.calls == 0  # an empty canvas is not read
    reader.draw([vertical_stroke()])
    assert net.calls == 1 and reader.prediction == 3
    assert reader.summary.startswith("read as 3 (0.91)")
    assert reader.maps_figure.data[N_MAPS].zmax == 1.0  # a silent layer still has a scale


def test_reader_rejects_what_is_not_a_net():
    with pytest.raises(TypeError, match=r"DigitReader reads a Keras model .*got str .convnet."):
        DigitReader("convnet")
    reader = DigitReader(FakeNet(broken=True))
    with pytest.raises(ValueError, match="net.read must return a dict with the keys conv_1"):
        reader.draw([vertical_stroke()])


def test_redrawing_is_quick_and_does_not_leak(reader):
    """Clearing and drawing again and again: the later redraws no slower, no memory kept.

    A check for leaks (figures or outputs piling up), not a benchmark:
    benchmarks/demo_latency.py measures the speed, and 300 cycles. "No slower"
    is in this thread's CPU time, which the other processes of a busy machine
    (the other test worker, Chromium) do not stretch as they stretch the wall
    clock's.
    """

    def cycle(index: int) -> float:
        start = time.thread_time()
        reader.clear()
        reader.draw([circle(radius=60 + index % 20)])
        return time.thread_time() - start

    for index in range(10):  # warm up plotly's validators and NumPy's caches
        cycle(index)
    times = [cycle(index) for index in range(40)]
    first, last = statistics.median(times[:10]), statistics.median(times[-10:])
    assert last <= 2 * first, f"redraws slowed from {first:.4f} s to {last:.4f} s"
    tracemalloc.start()  # slows Python down: few cycles under it
    grown = []
    try:
        for index in range(10):
            cycle(index)
        for _ in range(3):  # three rounds of 20 cycles, each measured from the last
            gc.collect()
            held = tracemalloc.get_traced_memory()[0]
            for index in range(20):
                cycle(index)
            gc.collect()
            grown.append(tracemalloc.get_traced_memory()[0] - held)
    finally:
        tracemalloc.stop()
    # The reader holds one drawing's figures (about 1 MB) whatever the count: 20 more
    # cycles may move that a little, a leak of a figure per cycle would add megabytes.
    # A leak grows in every round; one buffer that outlives a round (a 280 x 280 image,
    # 314 kB, seen once in a full run) grows in one only: the smallest round counts.
    assert min(grown) < 300_000, f"20 more redraws kept {[g // 1000 for g in grown]} kB"
    assert reader.prediction == 0


def test_importing_the_widgets_imports_no_tensorflow():
    code = (
        "import sys, utils.widgets; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
