"""scripts/prose_numbers.py: every number in the lessons' prose traced to an output, code,
arithmetic shown, or a cited source.
"""

from __future__ import annotations

import copy
import re

import nbformat
import prose_numbers  # scripts/, on pytest's pythonpath (pyproject.toml)
import pytest
from prose_numbers import Number, arithmetic, matches, parse_number
from prose_numbers import prose_numbers as numbers_of

NOTEBOOKS = prose_numbers.notebook_paths()
LESSON_03 = prose_numbers.NOTEBOOKS / "03_parameters_and_cost.ipynb"


def _notebook(markdown: str, code: str = "", printed: str = "", ignored: bool = False):
    """A notebook of one code cell that printed ``printed``, then one markdown cell."""
    source = ("# NBVAL_IGNORE_OUTPUT\n# (varies)\n" if ignored else "") + code
    cell = nbformat.v4.new_code_cell(source)
    if printed:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [cell, nbformat.v4.new_markdown_cell(markdown)]
    return notebook


def _how(markdown: str, **notebook) -> dict[str, str | None]:
    """Each number of ``markdown`` (as written) -> how it was traced."""
    found = prose_numbers.trace(_notebook(markdown, **notebook), "example")
    return {f.number.text: f.how for f in found}


@pytest.mark.parametrize(
    ("prose", "printed", "expected"),
    [
        (parse_number("93", percent=True), parse_number("0.9321"), True),
        (parse_number("93.2", percent=True), parse_number("0.9321"), True),
        (parse_number("93.3", percent=True), parse_number("0.9321"), False),
        (parse_number("93", percent=True), parse_number("93.2", percent=True), True),
        (parse_number("0.93"), parse_number("93.2", percent=True), True),
        (parse_number("1,250"), parse_number("1250"), True),
        (parse_number("1,251"), parse_number("1250"), False),
        (parse_number("0.81"), parse_number("0.812"), True),
        (parse_number("0.81"), parse_number("0.816"), False),
        (parse_number("0.81"), parse_number("0.8"), False),  # printed too coarse
        (parse_number("20", approximate=True), parse_number("21.3"), True),
        (parse_number("20", approximate=True), parse_number("26.0"), False),
        (parse_number("20"), parse_number("21.3"), False),  # without "about": 20 is 20
        (parse_number("138", multiplier="million"), parse_number("138,357,544"), True),
        (parse_number("1.7e+04"), parse_number("17,000"), True),
        (parse_number("10^-4"), parse_number("0.0001"), True),
        (parse_number("0.24"), parse_number("-0.241"), True),  # a drop of 0.24
    ],
)
def test_a_number_matches_an_output_at_the_prose_precision(prose, printed, expected):
    assert matches(prose, printed) is expected


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("`3*3*64*64 + 64 = 36,928`", True),
        ("`3*3*64*64 + 64 = 36,929`", False),
        ("(1 * 1 * 256 + 1) * 64 = 257 * 64 = 16,448 parameters", True),
        ("(1 * 1 * 256 + 1) * 64 = 257 * 64 = 16,449 parameters", False),
        ("near ln 10 = 2.30", True),
        ("0.77 × 7.7 ≈ 5.9", True),
        ("28 x 28 = 784 pixels", True),
        ("0.99 · 2 + 0.01 · 3 = 2.01", True),
        ("⌈400 / 32⌉ = 13 batches", True),
        ("⌊400 / 32⌋ = 13 batches", False),
    ],
)
def test_arithmetic_written_out_is_checked(text, holds):
    spans, _ = arithmetic(text)
    assert bool(spans) is holds


def test_each_way_of_tracing():
    how = _how(
        "The network reached 99.1% (in about 20 s, 1,250 steps). Its ε = 0.25 is "
        "`EPSILON`, and `3 * 3 = 9` so 9 again. Goodfellow et al. (2015) report 89.4%. "
        "Lost: 12.5.",
        code="EPSILON = 0.25\nprint(0.9912, 1250)",
        printed="0.9912 1250\n",
    )
    assert how["99.1"] == "output"
    assert how["1,250"] == "output"
    assert how["0.25"] == "code"
    assert how["89.4"] == "cited"
    assert how["12.5"] is None
    assert how["20"] is None  # no output holds a time
    assert how["9"] == "arithmetic"


def test_a_link_in_the_sentence_cites_its_source():
    text = "The recipe took 7.6 s ([the record](benchmarks/results/train_mnist.md)). Not 8.1 s."
    how = _how(text)
    assert how == {"7.6": "cited", "8.1": None}


def test_numbers_inside_f_strings_are_code_on_every_python():
    # Python 3.12 tokenizes an f-string's text apart from its quotes.
    numbers = prose_numbers.code_numbers('print(f"{x:13} after 260 steps")\n')
    assert {n.text for n in numbers} >= {"13", "260"}


def test_outputs_nbval_does_not_compare_are_told_apart():
    assert _how("It took 21 s.", printed="21.0 s\n", ignored=True) == {"21": "output not compared"}
    assert _how("It took 21 s.", printed="21.0 s\n") == {"21": "output"}


def test_exercise_statements_time_lines_and_further_reading():
    how = _how(
        "**Time:** about 45 minutes.\n\n## Exercises\n\n1. Show the first 30 digits.\n\n"
        "<details><summary>Answer</summary>\n\nIt shows 31 digits.\n\n</details>\n\n"
        "## Further reading\n\n- A book, 2nd edition, pages 17-42."
    )
    assert how == {"45": "estimate", "30": "exercise", "31": None, "17": "cited", "42": "cited"}


@pytest.mark.parametrize(
    "markdown",
    [
        "## 3. Padding",
        "1. First item",
        "As lesson 05 showed, and sections 2 and 3, and exercises 1-3",
        "conv_3 and LeNet-5 in float32, a 1-D signal, the 3rd edition",
        "Zeiler and Fergus (2014) asked",
        "Python 3.11 and TensorFlow 2.21",
        "```python\nx = 12345\n```",
        "[a link](notebooks/07_architectures.ipynb)",
    ],
)
def test_what_is_not_a_quantity_is_skipped(markdown):
    assert numbers_of(markdown)[0] == []


def test_bad_paths_are_refused(tmp_path):
    with pytest.raises(ValueError, match="must be a .ipynb notebook"):
        prose_numbers.trace_notebook(tmp_path / "lesson.txt")


def test_the_prose_check_prints_its_counts_per_lesson(capsys):
    table, missing = prose_numbers.report(NOTEBOOKS)
    with capsys.disabled():
        print("\nNumbers in the prose, by how they were traced (scripts/prose_numbers.py):")
        print(table)
    lines = table.splitlines()
    assert len(lines) == len(NOTEBOOKS) + 1 and "not traced" in lines[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_number_in_the_prose_is_traced(path):
    missing = [f for f in prose_numbers.trace_notebook(path) if f.how is None]
    assert not missing, (
        f"{len(missing)} number(s) of {path.name}'s prose come from no output, code, arithmetic "
        "shown or cited source (CONTRIBUTING.md, 'Numbers'):\n"
        + "\n".join(prose_numbers.describe(f) for f in missing)
    )


def _planted(notebook, found, digit_change: int = 1):
    """A copy of the notebook with ``found``'s number changed in its last digit; the new text."""
    changed = copy.deepcopy(notebook)
    cell = changed.cells[found.cell]
    digits = re.match(r"[\d.,]+", found.number.text).group()
    new = digits[:-1] + str((int(digits[-1]) + digit_change) % 10)
    end = found.position + len(digits)
    assert cell.source[found.position : end] == digits
    cell.source = cell.source[: found.position] + new + cell.source[end:]
    return changed, new


def _not_traced(notebook, cells=None, known=None) -> set[tuple[int, str]]:
    found = prose_numbers.trace(notebook, "lesson", cells, known)
    return {(f.cell, f.number.text) for f in found if f.how is None}


def test_a_number_of_lesson_03_changed_by_one_digit_is_caught():
    notebook = nbformat.read(LESSON_03, as_version=4)
    traced = [f for f in prose_numbers.trace(notebook, LESSON_03.stem) if f.how == "output"]
    # The cost of im2col's copy: the patches matrix in MiB, as section 6 prints it.
    target = next(f for f in traced if f.number.text == "5.94")
    changed, new = _planted(notebook, target)
    assert _not_traced(changed) - _not_traced(notebook) == {(target.cell, new)}


def test_every_changed_digit_of_lesson_03_is_caught():
    # Every number of three or more significant digits that lesson 03's prose takes from
    # an output, outside an exercise's statement or a cited sentence (which may state any
    # number), changed in its last digit, one at a time: the check must name it.
    notebook = nbformat.read(LESSON_03, as_version=4)
    traced = [
        f
        for f in prose_numbers.trace(notebook, LESSON_03.stem)
        if f.how == "output"
        and f.fallback is None
        and len(re.sub(r"\D|^[0.,]+", "", f.number.text)) >= 3
    ]
    assert len(traced) >= 20
    known = prose_numbers.sources(notebook)  # a change to the prose leaves them as they are
    missed = []
    for found in traced:
        changed, new = _planted(notebook, found, digit_change=3)
        before = _not_traced(notebook, [found.cell], known)
        if (found.cell, new) not in _not_traced(changed, [found.cell], known) - before:
            missed.append(f"{found.number.text} -> {new} in cell {found.cell}")
    assert missed == []


def test_numbers_have_their_precision():
    assert parse_number("0.81") == Number("0.81", 0.81, 2)
    assert parse_number("1,250").decimals == 0
    assert parse_number("1,300", approximate=True).decimals == -2
    assert parse_number("1.7e+04").decimals == -3
