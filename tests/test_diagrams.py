"""Tests for utils.diagrams and scripts/make_diagrams.py: the stored SVGs are current and true.

The numbers a diagram states are recomputed here independently (plain NumPy
loops, the output-size formula, LeNet-5's arithmetic) and read back from the
SVG text, so a diagram that drifts from the course's functions fails.
"""

from __future__ import annotations

import base64
import functools
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from utils.diagrams import DIAGRAMS, HORIZONTAL_LINE, IMAGES, WORKED_IMAGE, show

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
REMAKE = "run `python scripts/make_diagrams.py` and commit the files it writes"

# Lesson 01's worked example, section 3 (its cell checks that these are the lesson's).
IMAGE = WORKED_IMAGE.tolist()
KERNEL = HORIZONTAL_LINE.tolist()


@functools.cache
def generated(name: str) -> str:
    return DIAGRAMS[name]()


def padded_correlation(image: list, kernel: list, padding: int) -> np.ndarray:
    """Zero-pad by hand and slide the kernel with four loops."""
    n, f = len(image), len(kernel)
    size = n + 2 * padding
    padded = np.zeros((size, size), dtype=int)
    for i in range(n):
        for j in range(n):
            padded[i + padding, j + padding] = image[i][j]
    out = np.zeros((size - f + 1, size - f + 1), dtype=int)
    for i in range(size - f + 1):
        for j in range(size - f + 1):
            for u in range(f):
                for v in range(f):
                    out[i, j] += padded[i + u, j + v] * kernel[u][v]
    return out


def test_the_diagrams_are_the_three_of_lessons_01_02_and_07():
    assert sorted(DIAGRAMS) == ["kernel_sliding.svg", "lenet5.svg", "stride_1_and_2.svg"]
    assert IMAGES == ROOT / "images"


@pytest.mark.parametrize("name", sorted(DIAGRAMS))
def test_the_stored_file_is_what_its_function_draws_now(name):
    path = IMAGES / name
    assert path.is_file(), f"images/{name} is missing: {REMAKE}"
    assert path.read_text(encoding="utf-8") == generated(name), (
        f"images/{name} differs from {DIAGRAMS[name].__name__}(): {REMAKE}"
    )


@pytest.mark.parametrize("name", sorted(DIAGRAMS))
def test_each_svg_is_valid_xml_at_most_840_wide_white_with_a_title_and_a_description(name):
    svg = generated(name)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert 0 < int(root.get("width")) <= 840
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert root.get("font-family") == "sans-serif"
    # the text alternative: a <title> (the name) and a <desc> (the description), both named
    # by aria-labelledby, so that screen readers read them for the image
    assert root[0].tag == f"{SVG}title" and root[0].text.strip()
    assert root[1].tag == f"{SVG}desc" and len(root[1].text.split()) >= 20
    assert root.get("role") == "img"
    assert root.get("aria-labelledby").split() == [root[0].get("id"), root[1].get("id")]
    background = root[2]
    assert background.tag == f"{SVG}rect" and background.get("fill") == "white"
    assert (background.get("width"), background.get("height")) == (
        root.get("width"),
        root.get("height"),
    )
    assert svg == generated.__wrapped__(name), "two runs must give the same bytes"


def test_the_kernel_animation_has_25_frames_and_the_true_output():
    svg = generated("kernel_sliding.svg")
    expected = padded_correlation(IMAGE, KERNEL, padding=1)
    assert expected.shape == (5, 5)
    drawn = [int(v) for v in re.findall(r'class="output-value">(-?\d+)', svg)]
    assert drawn == expected.ravel().tolist()
    root = ET.fromstring(svg)
    frames = [g for g in root.iter(f"{SVG}g") if g.get("class") == "frame"]
    assert len(frames) == 25
    # Without SMIL only frame 0 shows; each frame's sum is its output value.
    assert [g.get("visibility") for g in frames] == [None] + ["hidden"] * 24
    padded = np.pad(np.array(IMAGE), 1)
    for index, frame in enumerate(frames):
        i, j = divmod(index, 5)
        lines = [t.text for t in frame.iter(f"{SVG}text") if t.get("class") == "sum"]
        assert lines[0].startswith(f"output[{i}, {j}] = ")
        products = re.findall(r"\((-?\d+)\)\((-?\d+)\)", " ".join(lines))
        window = padded[i : i + 3, j : j + 3].ravel().tolist()
        assert [int(a) for a, _ in products] == window
        assert [int(b) for _, b in products] == np.ravel(KERNEL).tolist()
        assert lines[-1].endswith(f" = {expected[i, j]}")


def test_the_kernel_animation_timing_is_valid_smil():
    root = ET.fromstring(generated("kernel_sliding.svg"))
    animations = list(root.iter(f"{SVG}animate"))
    assert len(animations) == 25 + 24  # one per frame, one per output cell after the first
    shown_from = []
    for animation in animations:
        assert animation.get("attributeName") == "visibility"
        assert animation.get("calcMode") == "discrete"
        assert animation.get("repeatCount") == "indefinite"
        assert animation.get("dur") == "25s"
        times = [float(t) for t in animation.get("keyTimes").split(";")]
        values = animation.get("values").split(";")
        assert len(times) == len(values)
        assert times[0] == 0 and times == sorted(times) and times[-1] < 1
        shown_from.append(times[values.index("visible")] if "visible" in values[1:] else 0)
    frame_starts = sorted(shown_from[:25])
    assert frame_starts == pytest.approx([k / 25 for k in range(25)])


def test_the_stride_captions_give_5_by_5_and_3_by_3():
    root = ET.fromstring(generated("stride_1_and_2.svg"))
    captions = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "caption"]
    sizes = [(7 - 3) // stride + 1 for stride in (1, 2)]
    assert sizes == [5, 3]
    assert captions == [f"output: {size} x {size}" for size in sizes]
    # One dot per window position: 25 at stride 1, 9 at stride 2.
    assert len(list(root.iter(f"{SVG}circle"))) == sum(size * size for size in sizes)


def test_the_lenet5_diagram_states_its_shapes_and_61706_parameters():
    svg = generated("lenet5.svg")
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    shapes = ["32 x 32 x 1", "28 x 28 x 6", "14 x 14 x 6", "10 x 10 x 16", "5 x 5 x 16"]
    shapes += ["1 x 1 x 120", "84", "10"]
    assert [t for t in texts if re.fullmatch(r"\d+( x \d+)*", t)] == shapes
    names = ["input", "C1", "S2", "C3", "S4", "C5", "F6", "output"]
    assert [t for t in texts if t in names] == names
    params = [(5 * 5 * 1 + 1) * 6, 0, (5 * 5 * 6 + 1) * 16, 0, (5 * 5 * 16 + 1) * 120]
    params += [(120 + 1) * 84, (84 + 1) * 10]
    assert [t for t in texts if t.endswith(" params")] == [f"{p:,} params" for p in params]
    assert sum(params) == 61_706
    assert any(t.startswith("61,706 parameters in all") for t in texts)
    for kind in ("conv 5x5, tanh", "avg pool 2x2", "dense, tanh", "dense, softmax"):
        assert kind in texts


def test_show_displays_the_stored_file():
    stored = (IMAGES / "kernel_sliding.svg").read_text(encoding="utf-8")
    bundle = show("kernel_sliding.svg")._repr_mimebundle_()
    assert bundle["image/svg+xml"] == stored
    # the <img> holds the same SVG as a data URI, with the diagram's <title> as its alt text
    match = re.fullmatch(
        r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)" .*>', bundle["text/html"]
    )
    assert match and base64.b64decode(match.group(1)).decode("utf-8") == stored
    assert match.group(2).startswith("Lesson 01&#x27;s worked example")
    assert bundle["text/plain"].startswith("Diagram images/kernel_sliding.svg: Lesson 01's worked")
    # the alt text goes on with the <desc>, which gives the output the lesson computes
    assert "The 25 sums, row by row: 0 0 0 0 0; 0 -1 -3 -1 0; 2 5 3 3 0;" in match.group(2)


def test_show_names_the_choices_for_a_bad_name():
    with pytest.raises(ValueError, match=r"name must be one of 'kernel_sliding.svg', .*'nope.svg'"):
        show("nope.svg")
    with pytest.raises(TypeError, match=r"name must be one of .*, got int 3"):
        show(3)


def test_show_names_the_script_when_the_file_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr("utils.diagrams.IMAGES", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"scripts/make_diagrams.py"):
        show("lenet5.svg")


def test_make_diagrams_check_finds_the_stored_files_up_to_date():
    result = subprocess.run(
        [sys.executable, "scripts/make_diagrams.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout
