"""A quiet machine for a benchmark: the other work that would share the cores, found and waited out.

A benchmark that times or loads the machine first waits until no test run,
hub or grader of someone else runs (:data:`BUSY`), and its table says how
long it waited and what still ran.
"""

from __future__ import annotations

import time

import psutil

BUSY = ("pytest", "jupyterhub", "grade.py")  # other runs that share the cores
WAIT_S = 20 * 60  # the longest wait
POLL_S = 20  # seconds between two looks


def busy(words: tuple[str, ...] = BUSY) -> list[str]:
    """Other processes whose command line holds one of ``words``, as ``"pid command"``.

    This process and its descendants (the benchmark's own hub, grader or
    kernels) do not count.
    """
    me = psutil.Process()
    mine = {me.pid, *(child.pid for child in me.children(recursive=True))}
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        line = " ".join(process.info["cmdline"] or [])
        if process.info["pid"] not in mine and any(word in line for word in words):
            found.append(f"{process.info['pid']} {line[:80]}")
    return found


def wait_until_quiet(
    words: tuple[str, ...] = BUSY, limit_s: float = WAIT_S, poll_s: float = POLL_S
) -> tuple[float, list[str]]:
    """Wait until :func:`busy` finds nothing, at most ``limit_s``: (seconds waited, still busy)."""
    start = time.monotonic()
    while True:
        running = busy(words)
        waited = time.monotonic() - start
        if not running or waited >= limit_s:
            return waited, running
        print(f"  waiting for the cores: {running[0]} ({waited:.0f} s)", flush=True)
        time.sleep(poll_s)
