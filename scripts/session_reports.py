"""Sections for the summary at the end of a test run, from whichever process found them.

``make test`` runs pytest in two pytest-xdist workers; a worker's own terminal
summary is not shown. So a test's findings (what axe-core found, which cells
the browser ran) are written as a section, a title and its lines, to a folder
that the run's first process made (:func:`start`, ``conftest.py``), and that
process prints every section at the end (:func:`sections`). Without xdist
it is the same process.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

FOLDER = "COURSE_TEST_REPORTS"
"""The variable naming the run's folder of sections; workers inherit it."""


def start() -> None:
    """Make the run's folder of sections (in the run's first process)."""
    os.environ[FOLDER] = tempfile.mkdtemp(prefix="course-reports-")


def report_section(title: str, lines: list[str]) -> None:
    """Add ``lines`` under ``title`` to the summary of this run."""
    folder = os.environ.get(FOLDER)
    if folder and Path(folder).is_dir():
        path = Path(folder) / f"{len(os.listdir(folder)):03d}-{os.getpid()}.txt"
        path.write_text("\n".join([title, *lines]) + "\n", encoding="utf-8")


def sections() -> dict[str, list[str]]:
    """Every section written in this run, its lines merged and sorted; the folder is removed."""
    folder = Path(os.environ.get(FOLDER, ""))
    merged: dict[str, set[str]] = {}
    if os.environ.get(FOLDER) and folder.is_dir():
        for path in sorted(folder.glob("*.txt")):
            title, *lines = path.read_text(encoding="utf-8").splitlines()
            merged.setdefault(title, set()).update(lines)
        shutil.rmtree(folder, ignore_errors=True)
    return {title: sorted(lines) for title, lines in merged.items()}
