"""The course on JupyterHub on one machine: ``make hub`` starts it, the instructor grades.

``start`` (``make hub``)
    Starts JupyterHub on ``127.0.0.1`` (``--port``, 8000 by default) with
    ``hub/jupyterhub_config.py``: the dummy authenticator, one password for
    every name on the roster (printed; ``COURSE_HUB_PASSWORD`` sets it), the
    students of ``--students`` or ``--roster FILE`` (one name a line) and one
    instructor (``--instructor``, an admin). When a user's server starts, their
    folder ``STATE/users/NAME/`` gets links to the course's ``notebooks/``,
    ``images/`` and ``benchmarks/`` and its own working copy ``my-work/``, made
    and updated by ``scripts/my_work.py sync`` as ``make lab`` does it for one
    student: a student's copies are without the answers, the instructor's are
    the lessons as they are, with ``grade_the_class.ipynb`` beside them.
    Everything the hub writes is under ``STATE`` (``.hub/``, git-ignored).

``collect LESSON``
    Copies each student's ``my-work/LESSON.ipynb`` into
    ``STATE/submissions/LESSON/TIME/STUDENT/`` (a plain file only: a link, a
    folder or a file over 50 MiB is left out, and said) and prints the folder.

``grade LESSON``
    Collects, then grades the folder with ``scripts/grade.py`` (each notebook
    in the sandbox, the course's checkers judging); the grades go to
    ``STATE/grades/LESSON/TIME/grades.csv`` and ``index.html``. Run it from the
    instructor's ``grade_the_class.ipynb`` or as ``make hub-grade LESSON=01``.

LESSON is a lesson's file name (``01_convolution_math``) or its number (``01``).
The names on the roster are 1 to 32 lowercase letters, digits, ``-`` or ``_``,
starting with a letter: they become folder names and URL paths.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import secrets
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import my_work  # scripts/, beside this file
from grading import AnswerError, read_plain_file

ROOT = Path(__file__).resolve().parent.parent
PROXY = ROOT / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
CONFIG = ROOT / "hub" / "jupyterhub_config.py"
DEFAULT_STATE = ROOT / ".hub"
WORK_DIR = my_work.WORK_DIR
SHARED = ("notebooks", "images", "benchmarks")  # linked into every user's folder
GRADE_NOTEBOOK = "grade_the_class.ipynb"
MAX_NOTEBOOK_BYTES = 50 << 20
# A kernel's sockets over ipc are files RUNTIME/kernel-<36-character id>-ipc-<1 to 5>, and a
# Unix socket's path holds at most 107 bytes on Linux, 103 on macOS (sun_path, less its NUL).
SOCKET_PATH_MAX = 103 if sys.platform == "darwin" else 107
KERNEL_SOCKET_NAME = len("/kernel-") + 36 + len("-ipc-") + 1
NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_PREFIX = "make hub: "


class HubError(Exception):
    """A problem with the hub's arguments or folders, said in one sentence."""


def check_name(name: str, what: str = "user name") -> str:
    """``name`` if it can be a user's name (see the module doc), else :class:`HubError`."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise HubError(
            f"{what} {name!r} is not allowed: 1 to 32 lowercase letters, digits, '-' or '_', "
            "starting with a letter"
        )
    return name


@dataclass(frozen=True)
class Settings:
    """What one start of the hub needs; passed to hub/jupyterhub_config.py in the environment."""

    state: Path
    port: int
    hub_port: int
    proxy_api_port: int
    password: str
    students: tuple[str, ...]
    instructor: str

    def to_environment(self) -> dict[str, str]:
        return {
            "COURSE_HUB_STATE": str(self.state),
            "COURSE_HUB_PORT": str(self.port),
            "COURSE_HUB_INTERNAL_PORT": str(self.hub_port),
            "COURSE_HUB_PROXY_API_PORT": str(self.proxy_api_port),
            "COURSE_HUB_PASSWORD": self.password,
            "COURSE_HUB_STUDENTS": " ".join(self.students),
            "COURSE_HUB_INSTRUCTOR": self.instructor,
        }

    @classmethod
    def from_environment(cls, environ) -> Settings:
        try:
            return cls(
                state=Path(environ["COURSE_HUB_STATE"]),
                port=int(environ["COURSE_HUB_PORT"]),
                hub_port=int(environ["COURSE_HUB_INTERNAL_PORT"]),
                proxy_api_port=int(environ["COURSE_HUB_PROXY_API_PORT"]),
                password=environ["COURSE_HUB_PASSWORD"],
                students=tuple(environ["COURSE_HUB_STUDENTS"].split()),
                instructor=environ["COURSE_HUB_INSTRUCTOR"],
            )
        except KeyError as missing:
            raise HubError(
                f"{missing} is not set: start the hub with make hub (scripts/hub.py start)"
            ) from None


def runtime_dir(settings: Settings, name: str) -> Path:
    """``STATE/run/NAME``: the Jupyter runtime folder of a user's server and kernels."""
    return settings.state / "run" / check_name(name)


def kernels_over_ipc(settings: Settings) -> bool:
    """Whether every user's kernel sockets fit a Unix socket's path (see jupyterhub_config.py).

    False when the hub's folder lies too deep: its kernels then use TCP ports.
    """
    longest = max([*settings.students, settings.instructor], key=len)
    folder = os.fsencode(runtime_dir(settings, longest))
    return len(folder) + KERNEL_SOCKET_NAME <= SOCKET_PATH_MAX


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_roster(path: Path) -> list[str]:
    """The names in a roster file: one a line; blank lines and ``#`` comments skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise HubError(f"cannot read the roster {path}: {error.strerror}") from None
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def roster(students: list[str], instructor: str) -> tuple[tuple[str, ...], str]:
    """The checked roster: valid names, none twice, the instructor not among the students."""
    students = [check_name(name, "student name") for name in students]
    instructor = check_name(instructor, "instructor name")
    if not students:
        raise HubError("the roster names no student")
    twice = sorted({name for name in students if students.count(name) > 1})
    if twice:
        raise HubError(f"the roster names {', '.join(twice)} more than once")
    if instructor in students:
        raise HubError(f"the instructor {instructor!r} is also on the roster as a student")
    return tuple(students), instructor


# --- A user's folder ---


def prepare_user(settings: Settings, name: str, instructor: bool = False) -> Path:
    """Make (or update) ``STATE/users/NAME``: the course's links and the working copy.

    Nothing the user has is overwritten: the links are made only where the
    name is free, and ``my_work.sync`` copies only the lessons the user lacks.
    """
    folder = settings.state / "users" / check_name(name)
    folder.mkdir(parents=True, exist_ok=True)
    for shared in SHARED:
        link = folder / shared
        if not link.exists() and not link.is_symlink():
            link.symlink_to(ROOT / shared, target_is_directory=True)
    code = my_work.sync(folder, "lessons" if instructor else "student")
    if code != 0:
        raise HubError(f"could not make the working copy of {name} (my_work.sync said {code})")
    if instructor:
        notebook = folder / WORK_DIR / GRADE_NOTEBOOK
        if not notebook.exists():
            notebook.write_text(grade_notebook(settings.state), encoding="utf-8")
    return folder


def grade_notebook(state: Path) -> str:
    """The instructor's notebook: one cell collects and grades a lesson of the class."""
    code = (
        'LESSON = "01_convolution_math"  # or "01"\n\n'
        "import subprocess\n"
        "import sys\n\n"
        f"HUB = {str(ROOT / 'scripts' / 'hub.py')!r}\n"
        f"STATE = {str(state)!r}\n"
        'subprocess.run([sys.executable, HUB, "grade", LESSON, "--state", STATE], check=False)'
    )
    cells = [
        {
            "cell_type": "markdown",
            "id": "about",
            "metadata": {},
            "source": (
                "# Grade the class\n\n"
                "Set `LESSON` and run the cell: it copies each student's saved copy of the "
                "lesson into the hub's submissions folder, runs every copy in the grader's "
                "sandbox, and prints where `grades.csv` and `index.html` are "
                "(`scripts/hub.py grade`)."
            ),
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "grade",
            "metadata": {},
            "outputs": [],
            "source": code,
        },
    ]
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1) + "\n"


# --- Collecting and grading ---


def lesson_name(lesson: str) -> str:
    """``NN_topic`` for ``NN``, ``NN_topic`` or ``NN_topic.ipynb``, if the course has it."""
    stem = lesson.removesuffix(".ipynb")
    found = sorted(
        path.stem
        for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
        if path.stem == stem or path.stem.split("_")[0] == stem
    )
    if len(found) != 1:
        known = ", ".join(
            path.stem for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        )
        raise HubError(f"no lesson {lesson!r}; the lessons are {known}")
    return found[0]


def read_roster_file(state: Path) -> tuple[tuple[str, ...], str]:
    """The roster that ``start`` wrote to ``STATE/roster.json``."""
    try:
        record = json.loads((state / "roster.json").read_text(encoding="utf-8"))
        return roster(list(record["students"]), record["instructor"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise HubError(
            f"{state / 'roster.json'} is missing or unreadable ({error}): start the hub first"
        ) from None


def collect(state: Path, lesson: str, now: datetime.datetime | None = None) -> Path:
    """Copy each student's saved copy of ``lesson`` into a new submissions folder; return it."""
    name = lesson_name(lesson)
    students, _ = read_roster_file(state)
    stamp = (now or datetime.datetime.now(datetime.UTC)).strftime("%Y%m%d-%H%M%S")
    target = state / "submissions" / name / stamp
    target.mkdir(parents=True, exist_ok=False)
    for student in students:
        work = state / "users" / student / WORK_DIR
        if work.is_symlink() or not work.is_dir():
            print(f"{student}: no working copy (the student has not started a server)")
            continue
        try:
            data = read_plain_file(work / f"{name}.ipynb", MAX_NOTEBOOK_BYTES, "notebook")
        except FileNotFoundError:
            print(f"{student}: no {name}.ipynb in {WORK_DIR}/")
            continue
        except (AnswerError, OSError) as error:
            print(f"{student}: {name}.ipynb left out: {error}")
            continue
        (target / student).mkdir()
        (target / student / f"{name}.ipynb").write_bytes(data)
    print(f"collected {sum(1 for _ in target.iterdir())} of {len(students)} students into {target}")
    return target


def grade(state: Path, lesson: str, grade_args: list[str]) -> int:
    """Collect ``lesson``, then run scripts/grade.py on the submissions; its exit status."""
    submissions = collect(state, lesson)
    out = state / "grades" / submissions.parent.name / submissions.name
    command = [
        sys.executable,
        str(ROOT / "scripts" / "grade.py"),
        str(submissions),
        "--out",
        str(out),
    ]
    sys.stdout.flush()  # what collect said comes first, also through a pipe (the notebook's cell)
    result = subprocess.run([*command, *grade_args], check=False)
    print(f"grades: {out / 'grades.csv'} and {out / 'index.html'}")
    return result.returncode


# --- Starting the hub ---


def start(args: argparse.Namespace) -> int:
    """Write the roster, print how to log in, and run JupyterHub in place of this process."""
    if not PROXY.exists():
        raise HubError(
            f"the proxy is not installed ({PROXY}): make hub installs it (npm ci --prefix hub)"
        )
    names = read_roster(args.roster) if args.roster else args.students.split()
    students, instructor = roster(names, args.instructor)
    state = args.state.resolve()
    state.mkdir(parents=True, exist_ok=True)
    password = os.environ.get("COURSE_HUB_PASSWORD") or secrets.token_urlsafe(12)
    settings = Settings(
        state=state,
        port=args.port,
        hub_port=free_port(),
        proxy_api_port=free_port(),
        password=password,
        students=students,
        instructor=instructor,
    )
    record = {"students": list(students), "instructor": instructor}
    (state / "roster.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"{_PREFIX}open http://127.0.0.1:{args.port}/ and log in as one of:", flush=True)
    print(f"{_PREFIX}  students: {', '.join(students)}; instructor (admin): {instructor}")
    print(f"{_PREFIX}  the password of every user: {password}")
    print(f"{_PREFIX}its database, the users' folders and the grades: {state}")
    if not kernels_over_ipc(settings):
        print(
            f"{_PREFIX}note: {state} lies too deep for the kernels' Unix sockets "
            f"({SOCKET_PATH_MAX} bytes), so they use TCP ports; a shorter --state path avoids "
            "the rare kernel that loses its port to another process when many start at once"
        )
    print(f"{_PREFIX}Ctrl+C stops the hub and every user's server")
    jupyterhub = str(Path(sys.executable).parent / "jupyterhub")
    environment = {**os.environ, **settings.to_environment()}
    os.chdir(state)
    os.execve(jupyterhub, [jupyterhub, "-f", str(CONFIG)], environment)
    return 0  # not reached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", type=Path, default=DEFAULT_STATE, help="the hub's folder (.hub)")
    commands = parser.add_subparsers(dest="command", required=True)
    start_parser = commands.add_parser("start", help="start the hub on 127.0.0.1")
    start_parser.add_argument("--port", type=int, default=8000)
    start_parser.add_argument("--students", default="student1 student2 student3")
    start_parser.add_argument("--roster", type=Path, help="a file of student names, one a line")
    start_parser.add_argument("--instructor", default="instructor")
    subparsers = [start_parser]
    for command in ("collect", "grade"):
        subparsers.append(commands.add_parser(command, help=f"{command} a lesson's copies"))
        subparsers[-1].add_argument("lesson", help="NN or NN_topic")
    for sub in subparsers:  # --state before or after the command
        sub.add_argument("--state", type=Path, default=argparse.SUPPRESS, help="the hub's folder")
    args, rest = parser.parse_known_args(argv)
    if rest and args.command != "grade":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        if args.command == "start":
            return start(args)
        if args.command == "collect":
            collect(args.state.resolve(), args.lesson)
            return 0
        return grade(args.state.resolve(), args.lesson, rest)
    except HubError as error:
        print(f"{_PREFIX}error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
