"""Write the SVG diagrams of utils.diagrams, drawn from the course's own functions, into images/.

Usage (from the repository root)::

    .venv/bin/python scripts/make_diagrams.py          # write every diagram
    .venv/bin/python scripts/make_diagrams.py --check  # write nothing; exit 1 if one is stale

Only the files named in ``utils.diagrams.DIAGRAMS`` are written (the kernel
sliding over lesson 01's worked example, stride 1 and 2 for lesson 02, LeNet-5
for lesson 07); nothing else in ``images/`` is touched. Each diagram is the
same bytes on every run, so ``--check`` (which ``tests/test_diagrams.py``
runs) fails only when a diagram's function, or a course function it draws
from, has changed since the files were written: run the script again then,
and commit the files it writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from utils.diagrams import DIAGRAMS, IMAGES  # noqa: E402


def stale(images: Path = IMAGES) -> list[str]:
    """The file names of DIAGRAMS that are missing from ``images`` or differ from their function."""
    found = []
    for name, draw in DIAGRAMS.items():
        path = images / name
        if not path.is_file() or path.read_text(encoding="utf-8") != draw():
            found.append(name)
    return found


def write(images: Path = IMAGES) -> list[tuple[Path, int]]:
    """Write every diagram into ``images``; return each path and its size in bytes."""
    images.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in DIAGRAMS.items():
        path = images / name
        data = draw().encode("utf-8")
        path.write_bytes(data)
        written.append((path, len(data)))
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and list the diagrams that are missing or differ",
    )
    args = parser.parse_args(argv)
    if args.check:
        names = stale()
        for name in names:
            print(f"{(IMAGES / name).relative_to(ROOT)}: missing or out of date")
        if names:
            print("run `python scripts/make_diagrams.py` and commit the files it writes")
            return 1
        print(f"{len(DIAGRAMS)} diagrams in {IMAGES.relative_to(ROOT)}/ are up to date")
        return 0
    for path, size in write():
        print(f"{path.relative_to(ROOT)}: {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
