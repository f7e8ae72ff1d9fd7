"""scripts/nbval_coverage.py: the share of code cells that nbval compares."""

from __future__ import annotations

from pathlib import Path

import nbformat
import nbval_coverage  # scripts/
import pytest


def _notebook(tmp_path: Path, cells: list[nbformat.NotebookNode]) -> Path:
    path = tmp_path / "example.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    nbformat.write(notebook, path)
    return path


def test_counts_each_kind_of_cell(tmp_path):
    code = nbformat.v4.new_code_cell
    path = _notebook(
        tmp_path,
        [
            nbformat.v4.new_markdown_cell("# NBVAL_SKIP in markdown counts for nothing"),
            code("x = 1"),
            code("print(x)"),
            code("# NBVAL_IGNORE_OUTPUT\n# (timing)\nprint(2)"),
            code("# NBVAL_SKIP\nprint(3)"),
            code("print(4)", metadata={"tags": ["nbval-ignore-output"]}),
            code("print(5)", metadata={"tags": ["nbval-skip"]}),
            code("# NBVAL_CHECK_OUTPUT\nprint(6)", metadata={"tags": ["nbval-ignore-output"]}),
            code("# NBVAL_IGNORE_OUTPUT is not a marker when text follows it\nprint(7)"),
        ],
    )
    row = nbval_coverage.coverage(path)
    # The comment wins over the tag (as in nbval), and a marker must stand alone.
    assert (row.compared, row.ignored, row.skipped) == (4, 2, 2)
    assert row.code_cells == 8
    assert row.share == pytest.approx(0.5)


def test_total_and_report(tmp_path):
    rows = [
        nbval_coverage.Coverage("a.ipynb", compared=3, ignored=1, skipped=0),
        nbval_coverage.Coverage("b.ipynb", compared=1, ignored=0, skipped=1),
    ]
    overall = nbval_coverage.total(rows)
    assert (overall.compared, overall.code_cells) == (4, 6)
    text = nbval_coverage.report(rows)
    assert text.splitlines()[1].split() == ["a.ipynb", "4", "3", "1", "0", "75%"]
    assert text.splitlines()[-1].split()[-1] == "67%"


def test_rejects_a_path_that_is_not_a_notebook(tmp_path):
    with pytest.raises(ValueError, match=r"path must be a \.ipynb notebook, got '.*notes\.txt'"):
        nbval_coverage.coverage(tmp_path / "notes.txt")


def test_a_lesson_below_its_goal_fails(tmp_path, capsys):
    """A lesson under LESSON_GOAL fails even when the overall share meets GOAL."""
    code = nbformat.v4.new_code_cell
    (tmp_path / "good").mkdir()
    (tmp_path / "weak").mkdir()
    good = _notebook(tmp_path / "good", [code(f"print({i})") for i in range(20)])
    ignored = [code(f"# NBVAL_IGNORE_OUTPUT\nprint({i})") for i in range(2)]
    weak = _notebook(tmp_path / "weak", [code("print(1)"), *ignored])
    assert nbval_coverage.main([str(good), str(weak)]) == 1  # 21 of 23 overall, 1 of 3 in one
    assert "below it: " in capsys.readouterr().out
    assert nbval_coverage.main([str(good)]) == 0


def test_the_course_meets_its_goal(capsys):
    """At least 85% of the course's code cells are compared by nbval, 75% in every lesson."""
    paths = nbval_coverage.lesson_paths()
    assert len(paths) >= 6
    assert nbval_coverage.main([str(path) for path in paths]) == 0, capsys.readouterr().out
