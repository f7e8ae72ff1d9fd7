"""How fast ``make grade`` grades a class on this machine: notebooks a minute, per lesson.

Usage (from the repository root)::

    .venv/bin/python benchmarks/grade_throughput.py [--class 01:12 05:4 09:6] [--jobs auto]

For each ``LESSON:K`` it makes a class of K synthetic students in a temporary
folder, each with one notebook: the lesson's student copy with every exercise
cell answered by the lesson's own answer (as ``tests/test_grade.py`` makes its
full-marks student), so that every exercise passes, which the benchmark
checks in the grades. ``scripts/grade.py`` grades the class from the command
line, as ``make grade`` does, with ``--jobs`` (default ``auto``: the grader
chooses by cores and memory, and says how many). Reported, per lesson: the
wall seconds of the whole run (reading the course, the K notebooks, the
lesson's judge, the report), the seconds of the notebooks (from the first
notebook's start to the judge's) and of the judge, notebooks a minute over
the whole run and over the notebooks alone, the notebooks run side by side,
and the peak resident memory of the jail's processes (the sum over the
grader's child processes, sampled every 0.5 s). The temporary folder, the
grades with it, is removed afterwards.

The cores must be otherwise idle: before each lesson it waits until no
other ``pytest``, ``jupyterhub`` or ``grade.py`` runs (``benchmarks/quiet.py``:
a look every 20 s, at most 20 minutes), and measures anyway after that; it
also looks every 10 s during the run. The table's notes say when other work ran.

It prints a table and writes ``benchmarks/results/grade_throughput.md`` and
``.csv``, with the machine (the cores this process may use, the CPU, the
memory available). The jail passes no kernel limits such as
``ONEDNN_MAX_CPU_ISA`` on to the notebooks: they run the machine's own kernels.
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import nbformat  # noqa: E402
import psutil  # noqa: E402
import sandbox  # noqa: E402 (scripts/)
import student_copies  # noqa: E402 (scripts/)

from benchmarks._results import run_all, write_tables  # noqa: E402
from benchmarks.lesson_times import machine  # noqa: E402
from benchmarks.quiet import busy, wait_until_quiet  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
CLASSES = ["01:12", "05:4", "09:6"]  # lesson:students, each about 1-4 minutes on 2 cores
SAMPLE = 0.5  # seconds between two samples of the jail's memory
BUSY_SAMPLE = 10  # seconds between two looks for other work during a lesson


def full_marks(lesson: Path) -> nbformat.NotebookNode:
    """The lesson's student copy with each exercise cell answered by the lesson's own answer."""
    notebook = nbformat.read(lesson, as_version=4)
    student = student_copies.student_notebook(notebook)
    return student_copies.with_answers(student, student_copies.lesson_answers(notebook))


def make_class(folder: Path, lesson: Path, students: int) -> None:
    """``students`` folders in ``folder``, each with the full-marks notebook of ``lesson``."""
    notebook = full_marks(lesson)
    for number in range(students):
        (folder / f"student_{number:03d}").mkdir(parents=True)
        nbformat.write(notebook, folder / f"student_{number:03d}" / lesson.name)


def grade_class(lesson: Path, students: int, jobs: str) -> dict:
    """Grade a class of ``students`` full-marks notebooks of ``lesson``: one row of the table."""
    waited, still_busy = wait_until_quiet()
    with tempfile.TemporaryDirectory(prefix="grade_throughput_") as temporary:
        folder, out = Path(temporary) / "class", Path(temporary) / "grades"
        make_class(folder, lesson, students)
        command = [sys.executable, str(ROOT / "scripts" / "grade.py"), str(folder)]
        command += ["--out", str(out), "--jobs", jobs]
        lines: list[tuple[float, str]] = []
        start = time.monotonic()
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

        def read() -> None:
            for line in process.stdout:
                lines.append((time.monotonic() - start, line.rstrip("\n")))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        grader = psutil.Process(process.pid)
        peak, seen_busy, last_look = 0, set(), 0.0
        while process.poll() is None:
            peak = max(peak, sandbox.resident_bytes(sandbox.process_tree(grader, itself=False)))
            if time.monotonic() - last_look >= BUSY_SAMPLE:
                seen_busy.update(busy())
                last_look = time.monotonic()
            time.sleep(SAMPLE)
        seconds = time.monotonic() - start
        reader.join()
        output = "\n".join(line for _, line in lines)
        if process.returncode != 0:
            raise RuntimeError(f"grade.py failed on {lesson.name}:\n{output[-3000:]}")
        with (out / "grades.csv").open(encoding="utf-8") as handle:
            grades = list(csv.DictReader(handle))
    first = next(t for t, line in lines if re.match(r"grade: \S+ / ", line))
    judge = next(t for t, line in lines if line.startswith("grade: judging "))
    chosen = next(
        line for _, line in lines if re.match(r"grade: (\d+ notebooks?|1 notebook)", line)
    )
    notes = []
    if still_busy:
        notes.append(f"{still_busy[0][:60]} still ran after {waited / 60:.0f} min of waiting")
    if seen_busy - set(still_busy):
        notes.append(f"{sorted(seen_busy - set(still_busy))[0][:60]} ran during the run")
    return {
        "lesson": lesson.stem,
        "students": students,
        "jobs": int(re.match(r"grade: (\d+)", chosen).group(1)),
        "seconds": round(seconds, 1),
        "notebook_seconds": round(judge - first, 1),
        "judge_seconds": round(seconds - judge, 1),
        "per_minute": round(students / seconds * 60, 2),
        "per_minute_notebooks": round(students / (judge - first) * 60, 2),
        "peak_gib": round(peak / 2**30, 2),
        "passed": f"{sum(row['passed'] == 'yes' for row in grades)} of {len(grades)}",
        "waited_s": round(waited),
        "notes": "; ".join(notes) or "quiet",
        "jobs_line": chosen,
    }


def _lesson(prefix: str) -> Path:
    found = sorted((ROOT / "notebooks").glob(f"{prefix}_*.ipynb"))
    if len(found) != 1:
        raise SystemExit(f"grade_throughput.py: no single lesson {prefix}_*.ipynb in notebooks/")
    return found[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--class",
        dest="classes",
        nargs="+",
        default=CLASSES,
        help="LESSON:STUDENTS, e.g. 01:12 (default: 01:12 05:4 09:6)",
    )
    parser.add_argument("--jobs", default="auto", help="grade.py's --jobs (auto)")
    parser.add_argument("--output", type=Path, default=RESULTS / "grade_throughput")
    args = parser.parse_args(argv)
    plan = []
    for item in args.classes:
        prefix, _, students = item.partition(":")
        if not students.isdecimal() or int(students) <= 0:
            parser.error(f"--class takes LESSON:STUDENTS (01:12), not {item!r}")
        plan.append((_lesson(prefix), int(students)))
    where = f"{machine()}; {psutil.virtual_memory().available / 2**30:.1f} GiB of memory available"

    def write(rows: list[dict]) -> str:
        lines = [
            f"`make grade` on a class of full-marks students, one lesson at a time, on {where}.",
            "",
            "| lesson | students | side by side | wall s | notebooks s | judge s "
            "| notebooks a minute (all) | notebooks a minute (notebooks alone) "
            "| peak memory GiB | exercises passed | notes |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        lines += [
            f"| {row['lesson']} | {row['students']} | {row['jobs']} | {row['seconds']:.1f} "
            f"| {row['notebook_seconds']:.1f} | {row['judge_seconds']:.1f} "
            f"| {row['per_minute']:.2f} | {row['per_minute_notebooks']:.2f} "
            f"| {row['peak_gib']:.2f} | {row['passed']} | {row['notes']} |"
            for row in rows
        ]
        lines += [
            "",
            "Wall: from starting `scripts/grade.py` to its end (reading the course, the notebooks,",
            "the judge, the report). Notebooks: from the first notebook's start to the judge's.",
            "Judge: the lesson's judge, which runs once per class and lesson. Peak memory: the",
            "jail's processes together (every notebook side by side, or the judge).",
            f"The grader's choice: {'; '.join(sorted({row['jobs_line'] for row in rows}))}.",
        ]
        report = "\n".join(lines) + "\n"
        write_tables(rows, args.output, "Grading throughput", report)
        return report

    jobs = [
        (
            f"{lesson.name}: {students} students ...",
            lambda lesson=lesson, students=students: grade_class(lesson, students, args.jobs),
        )
        for lesson, students in plan
    ]
    run_all(jobs, write, args.output)


if __name__ == "__main__":
    main()
