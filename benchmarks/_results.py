"""Writing a benchmark's results: the table as Markdown beside the runs as CSV."""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def write_tables(rows: list[dict], output: Path, title: str, report: str) -> None:
    """Write ``report`` under ``title`` to ``output``.md, with the command, and ``rows`` to .csv."""
    output.parent.mkdir(parents=True, exist_ok=True)
    command = " ".join(["python", *sys.argv])
    output.with_suffix(".md").write_text(
        f"# {title}\n\nCommand: `{command}`\n\n" + report, encoding="utf-8"
    )
    with open(output.with_suffix(".csv"), "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def run_all(jobs: list, write, output: Path) -> list[dict]:
    """Run each ``(label, job)`` of ``jobs`` in turn and return their rows.

    ``job()`` returns one row; ``write(rows)`` writes the results so far and
    returns the table, and is called after every run, so that an interrupted
    benchmark leaves the runs it finished.
    """
    rows = []
    for label, job in jobs:
        if label:
            print(label, flush=True)
        rows.append(job())
        print(f"  -> {rows[-1]}", flush=True)
        write(rows)
    print()
    print(write(rows))
    print(f"wrote {output.with_suffix('.md')} and .csv")
    return rows
