"""How much of each notebook nbval really checks.

Usage: ``python scripts/nbval_coverage.py [notebooks/NN_name.ipynb ...]``
(all lessons when none is given).

For every notebook it prints the number of code cells, how many of them nbval
compares against their stored outputs, how many it runs but does not compare
(``# NBVAL_IGNORE_OUTPUT`` or the ``nbval-ignore-output`` tag) and how many it
skips (``# NBVAL_SKIP`` or the ``nbval-skip`` tag), and the compared share. A
compared cell with no output is still a check: nbval fails if it starts
printing something. The course's goal is at least 85% compared over all the
lessons and at least 75% in every lesson; ``tests/test_nbval_coverage.py``
holds it to that.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbval.plugin import find_comment_markers, find_metadata_tags

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
GOAL = 0.85
LESSON_GOAL = 0.75  # every lesson on its own


@dataclass(frozen=True)
class Coverage:
    """Code cells of one notebook, by what nbval does with them."""

    name: str
    compared: int
    ignored: int
    skipped: int

    @property
    def code_cells(self) -> int:
        return self.compared + self.ignored + self.skipped

    @property
    def share(self) -> float:
        return self.compared / self.code_cells if self.code_cells else 1.0


def nbval_options(cell: nbformat.NotebookNode) -> dict[str, bool]:
    """nbval's own reading of a cell's markers: comments win over tags, as in nbval."""
    options = dict(find_metadata_tags(cell.get("metadata", {})))
    options.update(find_comment_markers(cell.source))
    return options


def nbval_kind(cell: nbformat.NotebookNode) -> str:
    """What strict nbval does with a code cell: "skipped", "ignored" or "compared"."""
    options = nbval_options(cell)
    if options.get("skip"):
        return "skipped"
    if not options.get("check", True):  # strict --nbval checks unmarked cells
        return "ignored"
    return "compared"


def is_compared(cell: nbformat.NotebookNode) -> bool:
    """Whether strict nbval compares this code cell's outputs with the stored ones."""
    return nbval_kind(cell) == "compared"


def coverage(path: str | Path) -> Coverage:
    """Count a notebook's code cells that nbval compares, ignores and skips."""
    path = Path(path)
    if path.suffix != ".ipynb":
        raise ValueError(f"path must be a .ipynb notebook, got {str(path)!r}")
    notebook = nbformat.read(path, as_version=4)
    counts = {"compared": 0, "ignored": 0, "skipped": 0}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        counts[nbval_kind(cell)] += 1
    return Coverage(name=path.name, **counts)


def total(rows: list[Coverage]) -> Coverage:
    """All the notebooks' cells together."""
    return Coverage(
        name="all lessons",
        compared=sum(row.compared for row in rows),
        ignored=sum(row.ignored for row in rows),
        skipped=sum(row.skipped for row in rows),
    )


def lesson_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def report(rows: list[Coverage]) -> str:
    lines = [f"{'notebook':40}{'code':>6}{'compared':>10}{'ignored':>9}{'skipped':>9}{'share':>8}"]
    for row in [*rows, total(rows)]:
        lines.append(
            f"{row.name:40}{row.code_cells:>6}{row.compared:>10}{row.ignored:>9}"
            f"{row.skipped:>9}{row.share:>8.0%}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or lesson_paths()
    rows = [coverage(path) for path in paths]
    print(report(rows))
    overall = total(rows).share
    below = [row.name for row in rows if row.share < LESSON_GOAL]
    print(f"goal: at least {GOAL:.0%} compared over the course; now {overall:.1%}")
    print(
        f"goal: at least {LESSON_GOAL:.0%} compared in every lesson; "
        + (f"below it: {', '.join(below)}" if below else "all meet it")
    )
    return 0 if overall >= GOAL and not below else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
