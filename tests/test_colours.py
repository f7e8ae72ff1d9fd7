"""The course's colours under colour-vision deficiencies, and no figure by colour alone.

WCAG 2.1 AA (1.4.1 use of colour, 1.4.11 non-text contrast): every colour scale and
line colour of ``utils.plots`` stays distinguishable for readers with the common
colour-vision deficiencies, and no figure tells two things apart by colour alone.

How colours are compared
------------------------
* Colour-vision deficiencies are simulated with the severity-1.0 matrices of Machado,
  Oliveira & Fernandes (2009), applied to linear RGB: sRGB is decoded with the IEC
  61966-2-1 transfer function, multiplied by the matrix, clipped to [0, 1] and encoded
  again. The tests below check the implementation against published values and the
  physics of the model (greys are kept; a dichromat's matrix flattens colour space
  onto a plane whose confusion lines meet near the published copunctal point).
* Colours are compared in CIE L*a*b* (D65 white, the sRGB white) with the CIEDE2000
  difference (ΔE00; CIE 142-2001, ISO/CIE 11664-6). CIEDE2000 rather than CIE76:
  CIE76 overstates the difference between saturated colours (the Okabe-Ito palette
  is saturated; CIE76 gives its blue and green 70 where ΔE00 gives 38), so it
  would pass pairs that look closer than the number says. The implementation is
  checked against Sharma, Wu & Dalal's (2005) published test pairs.
* A difference of ΔE00 about 1 is one just-noticeable difference between large
  patches; thin lines and small markers need several times more (Szafir 2018,
  "Modeling Color Difference for Visualization Design", IEEE TVCG 24(1)). Pairs of
  categorical colours must differ by :data:`CATEGORICAL_DE00` = 10, a common "clearly
  different" target for categorical palettes, under normal vision and each
  simulation. The palette meets it with a margin of about 1: the closest pair is
  reddish purple and orange under tritanopia, ΔE00 10.9.
"""

from __future__ import annotations

import itertools
import re
import warnings

import numpy as np
import plotly.colors
import pytest

from utils.plots.base import (
    BLUE_SCALE,
    DIVERGING_SCALE,
    GREY_SCALE,
    HIGHLIGHT,
    LINE_COLOURS,
    PALE_DIVERGING_SCALE,
    RIGHT,
    WRONG,
)
from utils.plots.images import SIGN_SCALE, image_grid
from utils.plots.layers import probability_bar
from utils.plots.matrices import _INPUT_COLOURS, _OUTPUT_COLOURS, output_size_figure
from utils.plots.signals import signal_examples
from utils.plots.training import compare_training_curves, line_chart, training_curves

# --- Colour science, from published formulas --------------------------------

# Machado, G. M., Oliveira, M. M. & Fernandes, L. A. F. (2009). A Physiologically-based
# Model for Simulation of Color Vision Deficiency. IEEE Transactions on Visualization and
# Computer Graphics 15(6), 1291-1298, doi:10.1109/TVCG.2009.113. The severity-1.0
# matrices of the authors' table, for linear RGB:
# https://www.inf.ufrgs.br/~oliveira/pubs_files/CVD_Simulation/CVD_Simulation.html
MACHADO_2009 = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
VISIONS = ("normal", *MACHADO_2009)

# Linear sRGB to CIE XYZ (IEC 61966-2-1), and its white (D65) for L*a*b*.
_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_WHITE = _RGB_TO_XYZ.sum(axis=1)
_NAMED = {"white": "#ffffff", "black": "#000000"}

CATEGORICAL_DE00 = 10.0  # see the module doc
DIVERGING_ENDS_DE00 = 20.0  # the two ends of a diverging scale, under every vision
# The colours half-way to each end (a quarter and three quarters of the scale) must
# still tell the sign apart as two categories would.
SEQUENTIAL_END_DL = 10.0  # the two ends of a sequential scale, in L* alone
WCAG_NON_TEXT = 3.0  # WCAG 2.1 success criterion 1.4.11


def srgb(colour: str) -> np.ndarray:
    """``colour`` ("#rrggbb", "rgb(r, g, b)", "white", "black") as sRGB in [0, 1]."""
    colour = _NAMED.get(colour.strip().lower(), colour.strip())
    if re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    found = re.fullmatch(r"rgb\(\s*([\d.]+),\s*([\d.]+),\s*([\d.]+)\s*\)", colour)
    if found:
        return np.array([float(value) for value in found.groups()]) / 255
    raise ValueError(f"unknown colour {colour!r}")


def decode(values: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1] to linear RGB (IEC 61966-2-1)."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(values <= 0.04045, values / 12.92, ((values + 0.055) / 1.055) ** 2.4)


def encode(linear: np.ndarray) -> np.ndarray:
    """Linear RGB, clipped to [0, 1], to sRGB."""
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def simulate(rgb: np.ndarray, vision: str) -> np.ndarray:
    """How ``rgb`` (sRGB in [0, 1]) looks with ``vision``, as sRGB (Machado et al. 2009)."""
    if vision == "normal":
        return np.asarray(rgb, dtype=np.float64)
    return encode(MACHADO_2009[vision] @ decode(rgb))


def lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1] to CIE L*a*b* (D65)."""
    xyz = _RGB_TO_XYZ @ decode(rgb) / _WHITE
    epsilon, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > epsilon, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e00(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """The CIEDE2000 difference of two L*a*b* colours (Sharma, Wu & Dalal 2005)."""
    l1, a1, b1 = (float(v) for v in lab1)
    l2, a2, b2 = (float(v) for v in lab2)
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean**7 / (c_mean**7 + 25.0**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1 = np.degrees(np.arctan2(b1, a1)) % 360 if c1 else 0.0
    h2 = np.degrees(np.arctan2(b2, a2)) % 360 if c2 else 0.0
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_big_h = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    l_mean, c_mean = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(h_mean - 30))
        + 0.24 * np.cos(np.radians(2 * h_mean))
        + 0.32 * np.cos(np.radians(3 * h_mean + 6))
        - 0.20 * np.cos(np.radians(4 * h_mean - 63))
    )
    rotation = 30 * np.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(c_mean**7 / (c_mean**7 + 25.0**7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * c_mean
    s_h = 1 + 0.015 * c_mean * t
    r_t = -np.sin(np.radians(2 * rotation)) * r_c
    dl, dc, dh_term = (l2 - l1) / s_l, (c2 - c1) / s_c, d_big_h / s_h
    return float(np.sqrt(dl**2 + dc**2 + dh_term**2 + r_t * dc * dh_term))


def difference(colour1: str | np.ndarray, colour2: str | np.ndarray, vision: str) -> float:
    """ΔE00 between two colours as a reader with ``vision`` sees them."""
    rgb1 = srgb(colour1) if isinstance(colour1, str) else colour1
    rgb2 = srgb(colour2) if isinstance(colour2, str) else colour2
    return delta_e00(lab(simulate(rgb1, vision)), lab(simulate(rgb2, vision)))


def contrast_ratio(colour1: str, colour2: str) -> float:
    """The WCAG 2.1 contrast ratio of two colours, from 1 to 21."""
    luminances = sorted(
        float(decode(srgb(c)) @ [0.2126, 0.7152, 0.0722]) for c in (colour1, colour2)
    )
    return (luminances[1] + 0.05) / (luminances[0] + 0.05)


def scale_at(scale: list, t: float) -> np.ndarray:
    """A plotly colour scale's colour at ``t`` in [0, 1]: stops mixed in sRGB, as plotly.js does."""
    positions = [float(position) for position, _ in scale]
    colours = np.array([srgb(colour) for _, colour in scale])
    return np.array([np.interp(t, positions, colours[:, channel]) for channel in range(3)])


def lightness_along(scale: list, samples: int = 101) -> np.ndarray:
    return np.array([lab(scale_at(scale, t))[0] for t in np.linspace(0, 1, samples)])


# --- The implementation against independent references ----------------------


@pytest.mark.parametrize(
    "colour, expected",
    [
        ("#ffffff", (100.0, 0.0, 0.0)),
        ("#000000", (0.0, 0.0, 0.0)),
        ("#ff0000", (53.2408, 80.0925, 67.2032)),
        ("#00ff00", (87.7347, -86.1827, 83.1793)),
        ("#0000ff", (32.2970, 79.1875, -107.8602)),
    ],
)
def test_lab_matches_published_srgb_values(colour, expected):
    np.testing.assert_allclose(lab(srgb(colour)), expected, atol=0.01)


# Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula: implementation
# notes, supplementary test data, and mathematical observations", Color Research &
# Application 30(1), table 1: pairs 1, 7, 17-21, 24 and 34.
@pytest.mark.parametrize(
    "lab1, lab2, expected",
    [
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, 0, 0), (50, -1, 2), 2.3669),
        ((50, 2.5, 0), (73, 25, -18), 27.1492),
        ((50, 2.5, 0), (61, -5, 29), 22.8977),
        ((50, 2.5, 0), (56, -27, -3), 31.9030),
        ((50, 2.5, 0), (58, 24, 15), 19.4535),
        ((50, 2.5, 0), (50, 3.1736, 0.5854), 1.0000),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
        ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
    ],
)
def test_ciede2000_matches_sharma_test_data(lab1, lab2, expected):
    assert delta_e00(np.array(lab1), np.array(lab2)) == pytest.approx(expected, abs=1e-4)
    assert delta_e00(np.array(lab2), np.array(lab1)) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("vision", list(MACHADO_2009))
def test_simulation_keeps_white_black_and_greys(vision):
    np.testing.assert_allclose(MACHADO_2009[vision].sum(axis=1), 1.0, atol=2e-6)
    for grey in ("#000000", "#777777", "#bdbdbd", "#ffffff"):
        np.testing.assert_allclose(simulate(srgb(grey), vision), srgb(grey), atol=1e-5)


# A dichromat confuses the colours along a line through the copunctal point of the
# missing cone; commonly cited (Smith & Pokorny 1975, used by Meyer & Greenberg 1988)
# at CIE xy (0.7465, 0.2535) for protans and (1.4000, -0.4000) for deutans. Machado's
# matrices come from other cone fundamentals, so they agree only roughly. (Their
# tritanopia matrix is not a projection; it has no such check.)
@pytest.mark.parametrize(
    "vision, copunctal", [("protanopia", (0.7465, 0.2535)), ("deuteranopia", (1.4, -0.4))]
)
def test_dichromat_matrix_confuses_colours_along_the_copunctal_direction(vision, copunctal):
    _, singular, rows = np.linalg.svd(MACHADO_2009[vision])
    assert singular[-1] < 1e-5  # colour space flattened onto a plane
    xyz = _RGB_TO_XYZ @ rows[-1]  # the direction the dichromat cannot see
    np.testing.assert_allclose(xyz[:2] / xyz.sum(), copunctal, atol=0.1)


# --- Categorical colours: distinguishable under every vision -----------------

# The bars of the classes other than the predicted and the true one.
OTHER_BAR = probability_bar(np.full(4, 0.25)).data[0].marker.color[1]
CATEGORICAL = {
    "line colours": {f"LINE_COLOURS[{i}] {c}": c for i, c in enumerate(LINE_COLOURS)},
    "probability bars and windows": {
        f"RIGHT {RIGHT}": RIGHT,
        f"WRONG {WRONG}": WRONG,
        f"HIGHLIGHT {HIGHLIGHT}": HIGHLIGHT,
        f"other class {OTHER_BAR}": OTHER_BAR,
    },
}


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("group", list(CATEGORICAL))
def test_categorical_colours_stay_distinguishable(group, vision):
    colours = CATEGORICAL[group]
    pairs = sorted(
        (difference(colours[a], colours[b], vision), a, b)
        for a, b in itertools.combinations(colours, 2)
    )
    smallest, a, b = pairs[0]
    print(f"{group}, {vision}: smallest ΔE00 {smallest:.1f} ({a} vs {b})")
    assert smallest >= CATEGORICAL_DE00, (
        f"{group} under {vision}: {a} and {b} differ by ΔE00 {smallest:.1f} "
        f"< {CATEGORICAL_DE00}; all pairs under it: "
        f"{[(round(d, 1), x, y) for d, x, y in pairs if d < CATEGORICAL_DE00]}"
    )


# --- Colour scales -----------------------------------------------------------

DIVERGING = {
    "DIVERGING_SCALE": (DIVERGING_SCALE, 20.0),
    "SIGN_SCALE": (SIGN_SCALE, 20.0),
    # Pale, under black signed numbers printed in every cell: the numbers carry the sign,
    # so its ends need only differ visibly in greyscale (L* about 72 and 80).
    "PALE_DIVERGING_SCALE": (PALE_DIVERGING_SCALE, 5.0),
}


@pytest.mark.parametrize("name", list(DIVERGING))
def test_diverging_scale_is_lightest_at_zero_and_darkens_toward_each_end(name):
    scale, _ = DIVERGING[name]
    assert scale[len(scale) // 2][0] == 0.5
    lightness = lightness_along(scale)
    middle = len(lightness) // 2
    assert lightness.argmax() == middle, f"{name}: L* {np.round(lightness, 1)}"
    assert np.all(np.diff(lightness[: middle + 1]) > 0), f"{name}: L* rising to the middle"
    assert np.all(np.diff(lightness[middle:]) < 0), f"{name}: L* falling from the middle"


@pytest.mark.parametrize("name", list(DIVERGING))
def test_diverging_scale_shows_its_sign_in_greyscale(name):
    scale, least = DIVERGING[name]
    low, high = lab(srgb(scale[0][1]))[0], lab(srgb(scale[-1][1]))[0]
    print(f"{name}: L* of the ends {low:.1f} and {high:.1f}")
    assert abs(high - low) >= least, f"{name}: ends L* {low:.1f} and {high:.1f}"
    # At every magnitude the negative side is the darker one, so the sign survives grey.
    for magnitude in (0.25, 0.5, 0.75, 1.0):
        below = lab(scale_at(scale, 0.5 - magnitude / 2))[0]
        above = lab(scale_at(scale, 0.5 + magnitude / 2))[0]
        assert above - below >= least * magnitude / 2, (name, magnitude, below, above)


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("name", list(DIVERGING))
def test_diverging_scale_ends_stay_distinguishable(name, vision):
    scale, _ = DIVERGING[name]
    ends = difference(scale[0][1], scale[-1][1], vision)
    halves = difference(scale_at(scale, 0.25), scale_at(scale, 0.75), vision)
    print(f"{name}, {vision}: ends ΔE00 {ends:.1f}, half-way ΔE00 {halves:.1f}")
    assert ends >= DIVERGING_ENDS_DE00, (name, vision, ends)
    assert halves >= CATEGORICAL_DE00, (name, vision, halves)


def _figure_scale(figure) -> list:
    return [[float(position), colour] for position, colour in figure.data[0].colorscale]


SEQUENTIAL = {
    "GREY_SCALE": GREY_SCALE,
    "BLUE_SCALE": BLUE_SCALE,
    "connection_figure input cells": _INPUT_COLOURS,
    "connection_figure output cells": _OUTPUT_COLOURS,
    "output_size_figure cells": _figure_scale(output_size_figure(4, 3)),
    "image_grid (plotly gray)": _figure_scale(image_grid(np.eye(3)[None])),
}


@pytest.mark.parametrize("name", list(SEQUENTIAL))
def test_sequential_scale_is_monotonic_in_lightness(name):
    lightness = lightness_along(SEQUENTIAL[name])
    steps = np.diff(lightness)
    assert np.all(steps > 0) or np.all(steps < 0), f"{name}: L* {np.round(lightness, 1)}"
    span = abs(lightness[-1] - lightness[0])
    print(f"{name}: L* from {lightness[0]:.1f} to {lightness[-1]:.1f}")
    assert span >= SEQUENTIAL_END_DL, f"{name}: ends differ by L* {span:.1f}"


def test_output_size_uncovered_tint_stays_visible_on_every_cell():
    fig = output_size_figure(6, 3, 0, 2)  # the last window leaves one row and one column
    tints = [shape for shape in fig.layout.shapes if shape.fillcolor]
    assert tints
    for shape in tints:
        for cell in fig.data[0].colorscale:
            base = srgb(cell[1])
            tinted = shape.opacity * srgb(shape.fillcolor) + (1 - shape.opacity) * base
            for vision in VISIONS:
                found = difference(tinted, base, vision)
                assert found >= CATEGORICAL_DE00, (cell[1], vision, found)


# --- Never colour alone ------------------------------------------------------


def _scatter_style(trace, index: int, colorway: list) -> dict:
    mode = trace.mode or "lines+markers"
    colour = trace.line.color or trace.marker.color or colorway[index % len(colorway)]
    return {
        "colour": colour,
        "mode": mode,
        "dash": (trace.line.dash or "solid") if "lines" in mode else None,
        "symbol": (trace.marker.symbol or "circle") if "markers" in mode else None,
        "width": trace.line.width or 2,
    }


def _beyond_colour(first: dict, second: dict) -> bool:
    """Whether two traces differ in dash, marker, mode, or clearly (twice) in width."""
    if any(first[key] != second[key] for key in ("mode", "dash", "symbol")):
        return True
    return max(first["width"], second["width"]) >= 2 * min(first["width"], second["width"])


def _colour_only_pairs(fig) -> list:
    """The pairs of traces in one panel that differ in colour and in nothing else visible."""
    colorway = list(fig.layout.template.layout.colorway or plotly.colors.DEFAULT_PLOTLY_COLORS)
    scatters = [
        (trace, _scatter_style(trace, index, colorway))
        for index, trace in enumerate(fig.data)
        if trace.type == "scatter"
    ]
    found = []
    for (first, a), (second, b) in itertools.combinations(scatters, 2):
        same_panel = (first.xaxis, first.yaxis) == (second.xaxis, second.yaxis)
        if same_panel and a["colour"] != b["colour"] and not _beyond_colour(a, b):
            found.append((first.name, a, second.name, b))
    return found


def _history(offset: float, epochs: int = 4) -> dict:
    loss = [1.0 / (epoch + 1) + offset for epoch in range(epochs)]
    return {
        "loss": loss,
        "val_loss": [value + 0.1 for value in loss],
        "accuracy": [1 - value for value in loss],
        "val_accuracy": [0.9 - value for value in loss],
    }


def test_training_curves_tell_training_and_validation_apart_beyond_colour():
    fig = training_curves(_history(0.0))
    assert len(fig.data) == 4
    assert _colour_only_pairs(fig) == []
    styles = {(t.name, t.line.dash, t.marker.symbol) for t in fig.data}
    assert len(styles) == 2  # training and validation, the same in both panels


def test_compare_training_curves_tell_runs_and_curves_apart_beyond_colour():
    runs = {name: _history(offset) for name, offset in (("a", 0.0), ("b", 0.1), ("c", 0.2))}
    fig = compare_training_curves(runs, metrics=("loss", "accuracy"))
    assert len(fig.data) == 12
    assert _colour_only_pairs(fig) == []
    for panel in ("x", "x2"):
        styles = [(t.line.dash, t.marker.symbol) for t in fig.data if (t.xaxis or "x") == panel]
        assert len(set(styles)) == 6, styles  # every curve of a panel has its own style


def test_line_chart_tells_its_series_apart_beyond_colour():
    series = {"first": [1, 2, 3], "second": [2, 3, 1], "third": [3, 1, 2]}
    fig = line_chart([0, 1, 2], series)
    assert _colour_only_pairs(fig) == [], "line_chart's series differ by colour alone"


def test_signal_examples_tell_classes_and_means_apart_beyond_colour():
    rng = np.random.default_rng(0)
    signals = rng.normal(size=(15, 20))
    labels = np.repeat(np.arange(5), 3)
    fig = signal_examples(signals, labels, class_names=list("ABCDE"), per_class=2)
    # Within a panel: the thin coloured examples and the thick black class mean.
    assert _colour_only_pairs(fig) == []
    # Across panels: every class has its own panel, titled with its number and name.
    titles = [annotation.text for annotation in fig.layout.annotations]
    for index, name in enumerate("ABCDE"):
        assert sum(title.startswith(f"class {index}: {name}") for title in titles) == 1


@pytest.mark.parametrize("label", [None, 3, 5])
def test_probability_bar_names_or_patterns_every_coloured_bar(label):
    probabilities = np.full(10, 0.05)
    probabilities[3] = 0.55
    fig = probability_bar(probabilities, label=label)
    bar = fig.data[0]
    colours, patterns = list(bar.marker.color), list(bar.marker.pattern.shape)
    title = fig.layout.title.text
    common = max(set(colours), key=colours.count)
    marked = [index for index, colour in enumerate(colours) if colour != common]
    assert marked
    for index in marked:  # the title names every bar singled out by its colour
        name = bar.x[index]
        assert f"predicted {name} " in title or title.endswith(f"true {name}"), (name, title)
    for first, second in itertools.combinations(marked, 2):  # and they differ by pattern
        assert patterns[first] != patterns[second], (first, second, patterns)
    if label is not None and label != 3:
        assert patterns[3] not in ("", None)  # the wrong prediction is hatched


def test_output_size_windows_differ_beyond_colour():
    fig = output_size_figure(6, 3, 0, 2)
    outlines = [s for s in fig.layout.shapes if s.line.width == 4 and s.line.color]
    assert len(outlines) == 2  # the first and the last window (4 pixels wide)
    for first, second in itertools.combinations(outlines, 2):
        if first.line.color != second.line.color:
            assert (first.line.dash or "solid") != (second.line.dash or "solid"), (
                f"the windows {first.line.color} and {second.line.color} are both "
                f"{first.line.dash} lines of width {first.line.width}: colour alone"
            )


def test_output_size_uncovered_rows_are_marked_beyond_their_tint():
    fig = output_size_figure(6, 3, 0, 2)  # windows at 0 and 2 cover rows 0-4 of 6
    tints = [s for s in fig.layout.shapes if s.fillcolor]
    assert tints

    def inside(x: float, y: float) -> bool:
        return any(s.x0 <= x <= s.x1 and s.y0 <= y <= s.y1 for s in tints)

    # a dashed or dotted outline around exactly the tinted area, drawn on it or beside it
    def box(shape) -> tuple:
        return (shape.x0, shape.x1, shape.y0, shape.y1)

    outlined = all(
        any(
            box(other) == box(tint)
            and other.line.width
            and (other.line.dash or "solid") != "solid"
            and (other.opacity is None or other.opacity == 1)
            for other in fig.layout.shapes
        )
        for tint in tints
    )
    noted = any(inside(a.x, a.y) for a in fig.layout.annotations if a.x is not None)
    points = [
        (x, y)
        for trace in fig.data
        if trace.type == "scatter"
        for x, y in zip(trace.x, trace.y, strict=True)
    ]
    assert outlined or noted or any(inside(x, y) for x, y in points), (
        "the rows and columns no window reaches are told only by a 25% tint of WRONG"
    )


# --- Non-text contrast (WCAG 1.4.11) ----------------------------------------


def _plot_background() -> str:
    return training_curves(_history(0.0)).layout.template.layout.plot_bgcolor


# The lines and marks every figure that draws lines needs: training and validation
# (training_curves), the two runs of every comparison in lesson 07, right and wrong.
ESSENTIAL = {RIGHT, WRONG, *LINE_COLOURS[:2]}


@pytest.mark.parametrize("background", ["#ffffff", "plot background"])
def test_line_colours_contrast_with_the_background(background):
    background = _plot_background() if background == "plot background" else background
    ratios = {colour: contrast_ratio(colour, background) for colour in (*LINE_COLOURS, HIGHLIGHT)}
    print(
        f"contrast on {background}: "
        + ", ".join(f"{colour} {ratio:.2f}" for colour, ratio in ratios.items())
    )
    short = {colour: round(ratios[colour], 2) for colour in ESSENTIAL if ratios[colour] < 3}
    assert short == {}, f"essential colours under {WCAG_NON_TEXT}:1 on {background}: {short}"
    decorative = {c: round(r, 2) for c, r in ratios.items() if r < WCAG_NON_TEXT}
    if decorative:
        warnings.warn(
            f"under {WCAG_NON_TEXT}:1 on {background} (never alone: dash, marker, "
            f"width or label): {decorative}",
            stacklevel=1,
        )
