"""Keep a student's copies of the lessons in my-work/, where ``git pull`` never touches them.

``make lab`` runs ``python scripts/my_work.py sync`` and then opens JupyterLab on
``my-work/``, a git-ignored folder beside ``notebooks/`` (at the same depth, so
the lessons' relative links such as ``../images/x.png`` still resolve). The
student edits the copies; the tracked lessons in ``notebooks/`` stay as the
course ships them, so ``git pull`` brings a new version of the course without
a conflict.

``sync``
    Makes ``my-work/`` if it is missing and copies into it every lesson of
    ``notebooks/`` (``NN_*.ipynb`` and ``demo_*.ipynb``) that it does not have.
    A copy is the lesson byte for byte (``--copies=lessons``, the default:
    worked answers included, collapsed as in the lesson) or the student copy
    without the answers (``--copies=student``, made by
    ``student_copies.student_notebook``). The choice is remembered in the
    manifest: later runs make copies the same way unless told otherwise.

    An existing copy is never overwritten. A lesson that changed in the course
    since its copy was made is reported with the command that takes the new
    version (``make update-lesson LESSON=NN_topic``). A copy the student
    deleted is copied again; a lesson the course removed leaves its copy where
    it is (said once); other files in ``my-work/`` are never touched.

``update NN_topic`` (or ``update all``: every lesson that changed in the course)
    Renames the student's copy to ``NN_topic.YYYYmmdd-HHMMSS.ipynb`` beside it
    (never over an existing file), writes a new copy of the lesson, and records
    it in the manifest.

The manifest, ``my-work/.course-manifest.json``::

    {
      "format": 1,
      "copies": "lessons",
      "lessons": {
        "04_relu_pooling_invariance.ipynb": {
          "sha256": "<sha256 of notebooks/04_relu_pooling_invariance.ipynb when copied>",
          "copies": "lessons",
          "time": "2025-01-31T09:15:00+00:00"
        }
      }
    }

``copies`` at the top is the remembered way of making copies; each entry
records the lesson file's sha256 that its copy was made from, how it was made
and when (UTC). A manifest that is not valid JSON or not of this shape is an
error that names the file and the problem; it is never rewritten silently.
Deleting it is safe: each copy already in ``my-work/`` then has no record, and
is *adopted* as made from the lesson as it is now. If the copy differs from
the copy that ``sync`` would make now (the student's edits, or an older
version of the lesson), ``sync`` says so once, with the command that takes the
current lesson.

The script needs only the standard library, and ``nbformat`` for student copies.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK_DIR = "my-work"
MANIFEST = ".course-manifest.json"
FORMAT = 1
MODES = {
    "lessons": "the lesson as it is, worked answers included",
    "student": "the student copy, without the answers",
}
DEFAULT_MODE = "lessons"
LESSON_PATTERNS = ("[0-9][0-9]_*.ipynb", "demo_*.ipynb")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PREFIX = "my-work: "


class MyWorkError(Exception):
    """A problem that stops ``sync`` or ``update``; its message says what to do."""


@dataclass
class Entry:
    """The manifest's record of one copy."""

    sha256: str
    copies: str
    time: str

    def as_json(self) -> dict[str, str]:
        """The entry as the manifest stores it."""
        return {"sha256": self.sha256, "copies": self.copies, "time": self.time}


@dataclass
class Manifest:
    """The remembered way of making copies and one record per copy, by file name."""

    copies: str = DEFAULT_MODE
    lessons: dict[str, Entry] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        """The manifest as it is written to the file."""
        return {
            "format": FORMAT,
            "copies": self.copies,
            "lessons": {name: self.lessons[name].as_json() for name in sorted(self.lessons)},
        }


def say(message: str) -> None:
    """Print one line of the report (stdout, so that ``make lab`` shows it in order)."""
    print(_PREFIX + message, flush=True)


def check_mode(mode: str) -> str:
    """``mode`` if it is a way of making copies, else an error naming the bad value."""
    if mode not in MODES:
        choices = "; ".join(f"COPIES={name} ({what})" for name, what in MODES.items())
        raise MyWorkError(
            f"{mode!r} is not a way of making copies (--copies={mode}, or make lab "
            f"COPIES={mode}). Use {choices}."
        )
    return mode


def sha256_of(path: Path) -> str:
    """The sha256 of a file's bytes, in hexadecimal."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lessons_in(root: Path) -> dict[str, Path]:
    """The lessons of ``root/notebooks`` by file name, in order (``NN_*.ipynb``, ``demo_*``)."""
    folder = root / "notebooks"
    if not folder.is_dir():
        raise MyWorkError(
            f"{folder} is not a folder: run this from the course's checkout, or give its "
            "folder with --root."
        )
    found = {path.name: path for pattern in LESSON_PATTERNS for path in folder.glob(pattern)}
    return {name: found[name] for name in sorted(found) if found[name].is_file()}


def copy_bytes(lesson: Path, mode: str) -> bytes:
    """The bytes of a copy of ``lesson`` made the ``mode`` way."""
    if mode == "lessons":
        return lesson.read_bytes()
    import nbformat  # only student copies need it

    try:
        from student_copies import student_notebook
    except ImportError as error:
        raise MyWorkError(
            "student copies need scripts/student_copies.py (student_notebook), which "
            f"could not be imported ({error}). Make copies of the lessons as they are "
            "instead: make lab COPIES=lessons"
        ) from error
    notebook = student_notebook(nbformat.read(lesson, as_version=4))
    return (nbformat.writes(notebook) + "\n").encode("utf-8")


def _entry_problem(name: object, entry: object) -> str | None:
    """What is wrong with one record of the manifest, or None."""
    where = f'"lessons" → {json.dumps(name)}'
    if not isinstance(name, str) or "/" in name or "\\" in name or not name.endswith(".ipynb"):
        return f"{where}: a key must be a notebook's file name, such as 01_topic.ipynb"
    if not isinstance(entry, dict):
        return f"{where} must be an object, got {json.dumps(entry)}"
    if set(entry) != {"sha256", "copies", "time"}:
        return (
            f'{where} must have exactly the keys "sha256", "copies" and "time", got {sorted(entry)}'
        )
    if not isinstance(entry["sha256"], str) or not _SHA256.match(entry["sha256"]):
        return (
            f'{where} → "sha256" must be 64 hexadecimal digits, got {json.dumps(entry["sha256"])}'
        )
    if entry["copies"] not in MODES:
        return (
            f'{where} → "copies" must be one of {sorted(MODES)}, got {json.dumps(entry["copies"])}'
        )
    if not isinstance(entry["time"], str):
        return f'{where} → "time" must be a string, got {json.dumps(entry["time"])}'
    return None


def _manifest_problem(data: object) -> str | None:
    """What is wrong with the shape of a manifest read from JSON, or None."""
    if not isinstance(data, dict):
        return f"it must be a JSON object, got {type(data).__name__}"
    if data.get("format") != FORMAT:
        return f'"format" must be {FORMAT}, got {json.dumps(data.get("format"))}'
    if data.get("copies") not in MODES:
        return f'"copies" must be one of {sorted(MODES)}, got {json.dumps(data.get("copies"))}'
    if not isinstance(data.get("lessons"), dict):
        return f'"lessons" must be an object, got {json.dumps(data.get("lessons"))}'
    extra = sorted(set(data) - {"format", "copies", "lessons"})
    if extra:
        return f"it has keys the course does not write: {extra}"
    problems = (_entry_problem(name, entry) for name, entry in data["lessons"].items())
    return next((problem for problem in problems if problem), None)


def read_manifest(work: Path) -> Manifest | None:
    """The manifest of ``work``, or None when there is none; an error if it is damaged."""
    path = work / MANIFEST
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        problem = f"it is not valid JSON ({error})"
    else:
        problem = _manifest_problem(data)
    if problem:
        raise MyWorkError(
            f"{path} is damaged: {problem}. It records which version of each lesson your "
            "copies were made from; nothing was changed. To go on, fix it or delete it "
            f"(rm {path}) and run make lab again: your notebooks in {work} are kept as they "
            "are, each is then taken as made from the lesson as it is now, and those that "
            "differ from it are listed once."
        )
    lessons = {name: Entry(**entry) for name, entry in data["lessons"].items()}
    return Manifest(copies=data["copies"], lessons=lessons)


def write_manifest(work: Path, manifest: Manifest) -> None:
    """Write the manifest whole, through a temporary file, so it is never half written."""
    path = work / MANIFEST
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(manifest.as_json(), indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _utc(now: datetime.datetime) -> str:
    return now.astimezone(datetime.UTC).isoformat(timespec="seconds")


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def write_copy(lesson: Path, target: Path, mode: str, now: datetime.datetime) -> Entry:
    """Write a new copy of ``lesson`` at ``target``, which must not exist; its manifest entry."""
    data = copy_bytes(lesson, mode)
    with target.open("xb") as sink:  # "x": never over an existing file
        sink.write(data)
    return Entry(sha256=sha256_of(lesson), copies=mode, time=_utc(now))


def update_command(name: str) -> str:
    """The command that takes the new version of a lesson."""
    return f"make update-lesson LESSON={Path(name).stem}"


def sync(
    root: Path = ROOT,
    copies: str | None = None,
    now: Callable[[], datetime.datetime] = _now,
) -> int:
    """Copy the missing lessons into ``root/my-work`` and report the changed ones; 0 when done.

    ``copies`` is ``"lessons"`` or ``"student"``; None takes the way the
    manifest remembers (``"lessons"`` at first).
    """
    if copies is not None:
        check_mode(copies)
    lessons = lessons_in(root)
    work = root / WORK_DIR
    if work.exists() and not work.is_dir():
        raise MyWorkError(f"{work} is a file; the course keeps your notebooks in a folder there.")
    manifest = read_manifest(work) if work.is_dir() else None
    if not work.is_dir():
        work.mkdir()
        say(f"made {WORK_DIR}/ for your copies of the lessons (git pull never changes it)")
    if manifest is None:
        manifest = Manifest()
    mode = copies or manifest.copies
    if mode != manifest.copies and manifest.lessons:
        say(
            f"new copies are now made as {MODES[mode]} (--copies={mode}); the copies you "
            "have are kept as they are"
        )
    manifest.copies = mode

    copied, again, changed, adopted, up_to_date = [], [], [], [], []
    for name, lesson in lessons.items():
        target = work / name
        entry = manifest.lessons.get(name)
        if not target.exists():
            manifest.lessons[name] = write_copy(lesson, target, mode, now())
            (again if entry else copied).append(name)
            if entry:
                say(f"copied {name} again: it was no longer in {WORK_DIR}/")
            else:
                say(f"copied {name} ({MODES[mode]})")
        elif entry is None:
            # A copy without a record (the manifest was deleted): adopted as made from
            # the lesson as it is now, and said once if it differs from a fresh copy.
            manifest.lessons[name] = Entry(sha256_of(lesson), mode, _utc(now()))
            if target.read_bytes() == copy_bytes(lesson, mode):
                up_to_date.append(name)
            else:
                adopted.append(name)
                say(
                    f"{name} has no record of the lesson version it was made from, and "
                    "differs from the lesson as it is now (your edits, or an older "
                    "version). It is kept as it is and taken as made from the current "
                    "lesson. To take the current lesson, with yours kept beside it "
                    f"under a dated name: {update_command(name)}"
                )
        elif entry.sha256 != sha256_of(lesson):
            changed.append(name)
            say(
                f"{name} changed in the course since your copy was made. Your copy is "
                "kept as it is; to take the new version, with yours kept beside it under "
                f"a dated name: {update_command(name)}"
            )
        else:
            up_to_date.append(name)

    for name in sorted(set(manifest.lessons) - set(lessons)):
        where = f"{WORK_DIR}/{name}" if (work / name).exists() else "your copy"
        say(f"{name} is no longer a lesson of the course; {where} is left as it is")
        del manifest.lessons[name]  # said once: from now on it is a file of yours

    write_manifest(work, manifest)
    parts = [f"{len(copied)} copied"]
    parts += [f"{len(again)} copied again"] if again else []
    parts += [f"{len(changed)} changed in the course" + (" (yours kept)" if changed else "")]
    parts += [f"{len(adopted)} differ from the lesson (kept)"] if adopted else []
    parts += [f"{len(up_to_date)} up to date"]
    say(f"{len(lessons)} lessons in {WORK_DIR}/: " + ", ".join(parts) + ".")
    return 0


def dated_name(target: Path, now: datetime.datetime) -> Path:
    """``NN_topic.YYYYmmdd-HHMMSS.ipynb`` beside ``target``, in local time."""
    stamp = now.astimezone().strftime("%Y%m%d-%H%M%S")
    return target.with_name(f"{target.stem}.{stamp}{target.suffix}")


def keep_aside(target: Path, now: datetime.datetime) -> Path:
    """Rename ``target`` to its dated name, never over an existing file; the new path.

    When the dated name is taken, ``-2``, ``-3``, ... is added to it. A hard link
    followed by removing the old name refuses an existing file at once; where
    the file system has no hard links, the name is checked, then renamed.
    """
    first = dated_name(target, now)
    for number in range(1, 1000):
        candidate = first if number == 1 else first.with_stem(f"{first.stem}-{number}")
        try:
            os.link(target, candidate)
        except FileExistsError:
            continue
        except OSError:  # no hard links here (some network or FAT file systems)
            if candidate.exists():
                continue
            os.rename(target, candidate)
            return candidate
        target.unlink()
        return candidate
    raise MyWorkError(f"could not find a free dated name for {target} beside it")


def _lesson_name(argument: str, lessons: dict[str, Path]) -> str:
    """The lesson file name that ``argument`` (``04_topic``, ``04_topic.ipynb``) names."""
    name = Path(argument).name
    name = name if name.endswith(".ipynb") else name + ".ipynb"
    if name not in lessons:
        known = ", ".join(Path(n).stem for n in lessons)
        raise MyWorkError(
            f"{argument!r} is not a lesson of the course. Name one of: {known} (or all)."
        )
    return name


def update(
    lesson: str,
    root: Path = ROOT,
    now: Callable[[], datetime.datetime] = _now,
) -> int:
    """Take the current version of a lesson (or of every changed one, ``"all"``); 0 when done.

    The student's copy is kept beside the new one under a dated name, byte for byte.
    """
    lessons = lessons_in(root)
    work = root / WORK_DIR
    if not work.is_dir():
        raise MyWorkError(f"there is no {work} yet: make lab makes it and your copies.")
    manifest = read_manifest(work) or Manifest()
    if lesson == "all":
        names = [
            name
            for name, entry in manifest.lessons.items()
            if name in lessons and entry.sha256 != sha256_of(lessons[name])
        ]
        if not names:
            say("no lesson changed in the course since your copies were made.")
            return 0
    else:
        names = [_lesson_name(lesson, lessons)]
    for name in sorted(names):
        target = work / name
        moment = now()
        kept = keep_aside(target, moment) if target.exists() else None
        manifest.lessons[name] = write_copy(lessons[name], target, manifest.copies, moment)
        write_manifest(work, manifest)
        if kept:
            say(f"your copy is kept as {WORK_DIR}/{kept.name}; {WORK_DIR}/{name} is the new lesson")
        else:
            say(f"{WORK_DIR}/{name} is the new lesson")
    return 0


def main(argv: list[str] | None = None) -> int:
    """The command line: ``sync [--copies=MODE]`` or ``update LESSON``, with ``--root``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the course's folder (default: this checkout)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    sync_parser = commands.add_parser("sync", help="copy missing lessons, report changed ones")
    sync_parser.add_argument(
        "--copies", help="lessons (as they are) or student (without answers); default: remembered"
    )
    update_parser = commands.add_parser("update", help="take the new version of a lesson")
    update_parser.add_argument("lesson", nargs="?", help="NN_topic, or all")
    args = parser.parse_args(argv)
    try:
        if args.command == "sync":
            return sync(args.root.resolve(), args.copies)
        if not args.lesson:
            raise MyWorkError(
                "name the lesson to update, e.g. make update-lesson "
                "LESSON=04_relu_pooling_invariance (or LESSON=all for every changed one)."
            )
        return update(args.lesson, args.root.resolve())
    except MyWorkError as error:
        print(f"{_PREFIX}error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
