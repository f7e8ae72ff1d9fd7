"""tests/browser/lesson_cells.py: which cells the browser tests run for a lesson's widgets."""

from __future__ import annotations

from pathlib import Path

import lesson_cells  # tests/browser/ (pyproject's pythonpath)
import pytest

ROOT = Path(__file__).resolve().parent.parent
Cell = lesson_cells.Cell


@pytest.mark.parametrize(
    "source, written, read",
    [
        ("x = f(y)", {"x"}, {"f", "y"}),
        (
            "import numpy as np\nfrom a.b import c, d as e\nimport os.path",
            {"np", "c", "e", "os"},
            set(),
        ),
        ("def g(a):\n    return a + z\nclass K:\n    pass", {"g", "K"}, {"a", "z"}),
        # changing a part of x reads x, and changes it
        ("image[1, 2] = 0", {"image"}, {"image"}),
        ("model.layers[0].trainable = False", {"model"}, {"model"}),
        ("total += step", {"total"}, {"step"}),
        ("model.compile(optimizer=opt)", {"model"}, {"model", "opt"}),
        ("print(model.summary())", set(), {"print", "model"}),
        ("for i, row in enumerate(rows):\n    pass", {"i", "row"}, {"enumerate", "rows"}),
        ("%timeit f(x)\n!ls\ny = 1", {"y"}, set()),
    ],
)
def test_names_a_cell_binds_changes_and_reads(source, written, read):
    assert lesson_cells.names(source) == (written, read)


def _cells(*specs: tuple[str, bool]) -> list:
    return [Cell(2 * i + 1, source, widget) for i, (source, widget) in enumerate(specs)]


def test_takes_the_widget_cells_and_what_they_need_in_order():
    cells = _cells(
        ("from widgets import Browser\nimport heavy", False),
        ("data = load()\nload2 = 3", False),
        ("model = heavy.train(data)", False),  # nothing the widget reads
        ("subset = data[:10]", False),
        ("browser = Browser(subset)\nbrowser", True),
        ("after = browser.value", False),
    )
    taken = lesson_cells.cells_for_widgets(cells)
    assert [cell.index for cell in taken] == [1, 3, 7, 9]


def test_follows_a_name_changed_after_it_was_bound():
    cells = _cells(
        ("import numpy as np\nfrom widgets import Stepper", False),
        ("image = np.zeros((5, 5))", False),
        ("image[2, 2] = 1", False),
        ("kernel = np.ones((3, 3))", False),
        ("Stepper(image, kernel)", True),
    )
    assert [cell.index for cell in lesson_cells.cells_for_widgets(cells)] == [1, 3, 5, 7, 9]


def test_a_name_a_cell_binds_before_reading_it_needs_no_earlier_cell():
    cells = _cells(
        (
            "import time\nimport heavy\nfrom widgets import Reader\n\n\ndef fit(m):\n    m.go()",
            False,
        ),
        ("start = time.time()\nbig = heavy.train()\nseconds = time.time() - start", False),
        ("net = heavy.Net()", False),
        ("heavy.seed(0)\nstart = time.time()\nfit(net)\nseconds = time.time() - start", False),
        ("for name in ['a', 'b']:\n    print(name)", False),
        ("reader = Reader(net, seconds)\nfor name in 'xy':\n    print(name)\nreader", True),
    )
    # cell 3 is left: the widget's `seconds` and `start` are cell 7's own, heavy.seed changes
    # no name, and the loop's `name` is its own; fit(net) may change net, so cell 7 is taken.
    assert [cell.index for cell in lesson_cells.cells_for_widgets(cells)] == [1, 5, 7, 11]
    assert lesson_cells.own_names("x = 1\ny = y + x\nz[0] = 2\nfor i in range(x):\n    w = i") == {
        "x",
        "i",
    }


def test_a_lesson_without_widgets_runs_nothing():
    assert lesson_cells.cells_for_widgets(_cells(("x = 1", False), ("x", False))) == []


def test_code_cells_keep_their_index_in_the_notebook_and_see_stored_widgets(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    widget_output = nbformat.v4.new_output(
        "display_data", data={lesson_cells.WIDGET_MIME: {"model_id": "abc"}, "text/plain": "w"}
    )
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# title"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("text"),
        nbformat.v4.new_code_cell("w = W(x)\nw", outputs=[widget_output]),
    ]
    path = tmp_path / "lesson.ipynb"
    nbformat.write(notebook, path)
    cells = lesson_cells.code_cells(path)
    assert [(cell.index, cell.widget) for cell in cells] == [(1, False), (3, True)]


LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("lesson", LESSONS, ids=[path.stem for path in LESSONS])
def test_each_lesson_slice_starts_at_its_setup_cell_and_ends_at_a_widget(lesson):
    cells = lesson_cells.code_cells(lesson)
    taken = lesson_cells.cells_for_widgets(cells)
    if not any(cell.widget for cell in cells):
        assert taken == []
        return
    assert taken[0] == cells[0]  # the Setup cell: prepare_tensorflow and the imports
    assert "prepare_tensorflow()" in taken[0].source
    assert taken[-1].widget
    assert len(taken) < len(cells)


@pytest.mark.parametrize("lesson", LESSONS, ids=[path.stem for path in LESSONS])
def test_a_lesson_that_imports_widgets_stores_their_views(lesson):
    """Else the browser tests would find no widget cell to run, and drive nothing."""
    cells = lesson_cells.code_cells(lesson)
    if any("utils.widgets" in cell.source for cell in cells):
        assert any(cell.widget for cell in cells), f"{lesson.name}: no stored widget view"
