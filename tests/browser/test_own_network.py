"""The draw-a-digit reader on a Keras model trained in the notebook, in JupyterLab in Chromium.

A small notebook is written into the server's folder: it trains a small
Keras ConvNet for one epoch on the first MNIST training digits (a couple of
seconds; its two convolutional layers have names of their own, and its last
layer gives logits, no softmax) and shows ``DigitReader(model)``. It is opened
and run; then a vertical stroke is drawn on the canvas with the mouse and must
be read as 1. The feature-map figure must have one row per convolutional
layer, labelled with the layer's name and the shape of its maps (worked out
here from the architecture), and its maps must have those shapes and not be
all zero; the reader's note must say that the outputs are logits, read
through a softmax. A screenshot goes to ``tests/browser/screenshots/``.

The model reads a vertical stroke as 1 with a wide margin: with the seed and
the digits below, each of 45 vertical or slightly slanted strokes (anywhere
from x = 100 to 180 on the 280-pixel canvas, 160 to 220 pixels long) gave 1 a
probability at least 0.67 above any other digit's, with
``TF_ENABLE_ONEDNN_OPTS=1`` and ``0`` alike (reader.draw in plain Python).
"""

from __future__ import annotations

import json
import re

import numpy as np
from test_draw_a_digit import (
    WAIT,
    _canvas_box,
    _draw_with_the_mouse,
    _the_canvas,
    _wait_for_summary,
    reader_page,
    write_notebook,
)

from utils.figures import decode_typed_array

NOTEBOOK = "own_network.ipynb"
SIDE = 28  # MNIST's digits
KERNEL = 3  # both convolutions: 3 x 3, no padding
POOL = 2
LAYERS = (("my_conv_a", 8), ("my_conv_b", 16))  # name, channels
N_MAPS = 8  # the reader shows the first 8 channels of a layer, utils.widgets.reader.N_MAPS
LAST = "my_logits"
DIGITS = 12_000  # the first MNIST training digits, one epoch
SEED = 0
TRAIN_LIMIT = 60  # s: a couple of seconds on 2 cores; far more means something is wrong

SETUP_CELL = """\
from utils.environment import prepare_tensorflow

prepare_tensorflow()  # before Keras imports TensorFlow, as in the lessons' Setup cells

import time

import keras

from utils.data import load_mnist
from utils.widgets import DigitReader"""

TRAIN_CELL = f"""\
keras.utils.set_random_seed({SEED})
(x_train, y_train), _ = load_mnist()
x, y = x_train[:{DIGITS}, :, :, None] / 255, y_train[:{DIGITS}]
model = keras.Sequential(
    [
        keras.Input(({SIDE}, {SIDE}, 1)),
        keras.layers.Conv2D({LAYERS[0][1]}, {KERNEL}, activation="relu", name="{LAYERS[0][0]}"),
        keras.layers.MaxPooling2D({POOL}),
        keras.layers.Conv2D({LAYERS[1][1]}, {KERNEL}, activation="relu", name="{LAYERS[1][0]}"),
        keras.layers.MaxPooling2D({POOL}),
        keras.layers.Flatten(),
        keras.layers.Dense(10, name="{LAST}"),  # logits: no softmax
    ],
    name="my_net",
)
model.compile(
    optimizer="adam",
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
start = time.perf_counter()
history = model.fit(x, y, epochs=1, batch_size=32, verbose=0)
seconds = time.perf_counter() - start
accuracy = history.history["accuracy"][-1]
print(f"trained on {{len(x)}} digits for 1 epoch in {{seconds:.1f}} s, accuracy {{accuracy:.2f}}")
"""

READER_CELL = "reader = DigitReader(model)\nreader"

# The feature-map figure as the page holds it: the row labels, the title and each map's z
# (plotly's typed-array spec, {dtype, bdata, shape}, as the figure's JSON gives it).
MAPS_FIGURE = """(node) => {
  const plot = node.querySelector('.js-plotly-plot');
  if (!plot || !plot.data || !plot.layout) return null;
  const title = plot.layout.title;
  return JSON.stringify({
    annotations: (plot.layout.annotations || []).map((note) => note.text || ''),
    title: title && typeof title === 'object' ? title.text : title,
    z: plot.data.map((trace) => trace.z),
  });
}"""

# What the code cells printed (stdout), cell by cell.
PRINTED = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .filter((cell) => cell.model.type === 'code')
  .map((cell) => cell.model.outputs.toJSON()
    .filter((output) => output.output_type === 'stream' && output.name === 'stdout')
    .map((output) => [].concat(output.text).join(''))
    .join(''))"""


def _expected_rows() -> list[tuple[str, int, int, int]]:
    """(name, height, width, channels) of each convolution's maps, from the architecture."""
    rows, side = [], SIDE
    for name, channels in LAYERS:
        side = side - KERNEL + 1  # "valid" convolution
        rows.append((name, side, side, channels))
        side //= POOL
    return rows


def _notebook(root) -> str:
    write_notebook(root / NOTEBOOK, [SETUP_CELL, TRAIN_CELL, READER_CELL])
    return NOTEBOOK


def _training_seconds(page) -> float:
    printed = "".join(page.evaluate(PRINTED))
    found = re.search(r"trained on \d+ digits for 1 epoch in ([\d.]+) s", printed)
    assert found, f"{NOTEBOOK}: the training cell did not say how long it took: {printed!r}"
    return float(found.group(1))


def _array(z: object) -> np.ndarray:
    """A trace's z as numbers: a typed-array spec decoded, or nested lists (null: NaN)."""
    typed = decode_typed_array(z, "z")
    return typed if typed is not None else np.array(z, dtype=np.float64)  # None becomes NaN


def _maps_figure(page) -> dict:
    page.wait_for_function(
        f"() => {{ const node = document.querySelector('.course-reader-maps');"
        f" return !!node && ({MAPS_FIGURE})(node) !== null; }}",
        timeout=WAIT,
    )
    figure = json.loads(page.locator(".course-reader-maps").evaluate(MAPS_FIGURE))
    figure["z"] = [_array(z) for z in figure["z"]]
    return figure


def test_draw_a_one_on_a_network_trained_in_the_notebook(lab, browser, screenshots):
    with reader_page(lab, browser, _notebook) as (page, name):
        seconds = _training_seconds(page)
        print(f"{name}: the model trained in {seconds:.1f} s in the notebook's kernel")
        assert seconds < TRAIN_LIMIT, (
            f"{name}: training took {seconds:.1f} s, more than {TRAIN_LIMIT} s: "
            "a couple of seconds is expected"
        )
        canvas = _the_canvas(page, name)

        # A vertical stroke with the mouse: a 1, read by the model trained above.
        stroke = [(140, 40 + 10 * step) for step in range(21)]
        _draw_with_the_mouse(page, _canvas_box(canvas), stroke)
        _wait_for_summary(page, "read as 1")

        # The note: the model's outputs are logits, read through a softmax.
        note = page.locator(".course-reader-note")
        assert note.count() == 1 and note.is_visible(), f"{name}: no note about the model shown"
        said = note.text_content() or ""
        for words in (repr(LAST), "logits", "through a softmax"):
            assert words in said, f"{name}: the note should mention {words!r}, it says {said!r}"

        # One row of maps per convolution, named with its shape.
        figure = _maps_figure(page)
        expected = _expected_rows()
        labels = [text for text in figure["annotations"] if text]
        wanted = [f"{layer} · {h} x {w} x {c}" for layer, h, w, c in expected]
        assert labels == wanted, f"{name}: the rows are labelled {labels}, expected {wanted}"
        columns = min(N_MAPS, max(channels for *_, channels in expected))
        assert len(figure["z"]) == columns * len(expected), (
            f"{name}: {len(figure['z'])} maps drawn, expected {columns} for each of "
            f"{len(expected)} layers"
        )
        for row, (layer, height, width, channels) in enumerate(expected):
            maps = figure["z"][row * columns : (row + 1) * columns]
            shown = maps[: min(channels, columns)]
            for channel, z in enumerate(shown):
                assert z.shape == (height, width), (
                    f"{name}: {layer} channel {channel} is drawn with shape {z.shape}, "
                    f"expected {(height, width)}"
                )
                assert np.isfinite(z).all(), f"{name}: {layer} channel {channel} is not all numbers"
            assert any(np.abs(z).max() > 0 for z in shown), (
                f"{name}: the maps of {layer} are all zero for a drawn 1"
            )
        assert all(layer in (figure["title"] or "") for layer, *_ in expected), (
            f"{name}: the figure's title should name the layers: {figure['title']!r}"
        )

        page.locator(".course-reader").scroll_into_view_if_needed()
        page.screenshot(path=screenshots / "own_network-one.png")
