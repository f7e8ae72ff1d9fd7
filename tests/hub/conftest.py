"""Fixtures for the hub test: the course's JupyterHub on loopback, and a headless Chromium.

The hub is ``scripts/hub.py start`` as ``make hub`` runs it, on a free port of
127.0.0.1, with three students and an instructor and one random password, in
its own session (a process group of its own). Everything it writes goes to a
temporary folder: its state (``--state``) and, through ``HOME`` and ``TMPDIR``,
what the hub, the proxy and the browser would otherwise put in the home folder
or ``/tmp``; each user's server runs with ``HOME`` in that user's folder under
the state (the spawner sets it).

At the end the browser is closed and the hub is sent SIGTERM, as Ctrl+C on
``make hub`` does: it stops the proxy and every user's server itself. Then no
process of the test may be left: neither a process the hub had started (each
user's server runs in a session of its own, so the process group alone does not
find them) nor any process whose working folder, command line or environment
points into the temporary folder. A process left is killed, and the test fails.

Chromium is Debian's, as for ``tests/browser`` (``/usr/bin/chromium`` or
``COURSE_CHROMIUM``; ``COURSE_REQUIRE_BROWSER=1`` makes its absence an error),
driven by Playwright from a thread of its own (:class:`Chromium`), since
``tests/browser`` may hold Playwright in the main thread of the same process.
The proxy is the pinned one in ``hub/node_modules`` (``npm ci --prefix hub``,
which ``make test`` runs when npm is there); without it the tests are skipped.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from chromium import CHROMIUM, chromium_or_skip  # tests/browser/chromium.py

import hub as course_hub  # scripts/hub.py

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = ("ann", "ben", "cal")
INSTRUCTOR = "teacher"
START_TIMEOUT = 90  # s, for /hub/login to answer
STOP_TIMEOUT = 60  # s, for the hub to stop its servers and the proxy
VIEWPORT = {"width": 1280, "height": 1000}


def proxy_or_skip() -> None:
    if not course_hub.PROXY.exists():
        pytest.skip(
            f"the hub's proxy is not installed ({course_hub.PROXY.relative_to(ROOT)}): the hub "
            "test is SKIPPED. Install it with: npm ci --prefix hub (make test runs it when npm "
            "is on the PATH)"
        )


@dataclass
class Hub:
    """A running hub: its address, its folders and the one password of every user."""

    url: str
    folder: Path  # the test's temporary folder: everything the hub writes is in it
    state: Path
    password: str
    process: subprocess.Popen
    log: Path
    students: tuple[str, ...] = STUDENTS
    instructor: str = INSTRUCTOR

    def log_tail(self, n: int = 60) -> str:
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(lines[-n:])


def _wait_for_login_page(hub: Hub) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            pytest.fail(f"the hub exited with {hub.process.returncode}:\n{hub.log_tail()}")
        try:
            with urllib.request.urlopen(f"{hub.url}/hub/login", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"/hub/login did not answer within {START_TIMEOUT} s:\n{hub.log_tail()}")


def _points_into(process: psutil.Process, folder: str) -> bool:
    """Whether the process works in, names or has HOME/TMPDIR in ``folder``."""
    try:
        with process.oneshot():
            if process.cwd().startswith(folder) or any(folder in a for a in process.cmdline()):
                return True
            environment = process.environ()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, OSError):
        return False
    return any(environment.get(key, "").startswith(folder) for key in ("HOME", "TMPDIR"))


def processes_of_the_test(folder: Path, known: list[psutil.Process]) -> list[psutil.Process]:
    """The processes still running of ``known`` and of those that point into ``folder``."""
    mine = {os.getpid(), *(parent.pid for parent in psutil.Process().parents())}
    found = {process.pid: process for process in known}
    for process in psutil.process_iter():
        if process.pid not in mine and _points_into(process, f"{folder}{os.sep}"):
            found.setdefault(process.pid, process)
    return [process for process in found.values() if _alive(process)]


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _describe(processes: list[psutil.Process]) -> str:
    lines = []
    for process in processes:
        try:
            lines.append(f"  {process.pid}: {' '.join(process.cmdline())[:160]}")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            lines.append(f"  {process.pid}")
    return "\n".join(lines)


def stop(hub: Hub) -> None:
    """SIGTERM to the hub; then nothing of the test may run (what is left is killed)."""
    started = []
    try:
        started = psutil.Process(hub.process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        pass
    problems = []
    if hub.process.poll() is None:
        hub.process.send_signal(signal.SIGTERM)
        try:
            hub.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(hub.process.pid, signal.SIGKILL)
            hub.process.wait(timeout=20)
            problems.append(f"the hub did not stop within {STOP_TIMEOUT} s of SIGTERM (killed)")
    # What the hub stops, it stops before it exits; a moment for the last ones to be reaped.
    deadline = time.monotonic() + 10
    while (left := processes_of_the_test(hub.folder, started)) and time.monotonic() < deadline:
        time.sleep(0.5)
    if left:
        problems.append(
            f"processes of the hub test were left running (now killed):\n{_describe(left)}"
        )
        for process in left:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(left, timeout=20)
    if problems:
        pytest.fail("\n".join(problems))


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Iterator[Hub]:
    """The course's hub on 127.0.0.1: the students ``STUDENTS``, the instructor ``INSTRUCTOR``."""
    chromium_or_skip("the hub test is")
    proxy_or_skip()
    folder = tmp_path_factory.mktemp("hub")
    for name in ("home", "tmp"):
        (folder / name).mkdir()
    port, password = course_hub.free_port(), secrets.token_urlsafe(12)
    environment = {
        **os.environ,
        "COURSE_HUB_PASSWORD": password,
        "HOME": str(folder / "home"),
        "TMPDIR": str(folder / "tmp"),
    }
    command = [sys.executable, str(ROOT / "scripts" / "hub.py"), "--state", str(folder / "state")]
    command += ["start", "--port", str(port), "--students", " ".join(STUDENTS)]
    command += ["--instructor", INSTRUCTOR]
    log = folder / "hub.log"
    with log.open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            command,
            cwd=folder,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Hub(f"http://127.0.0.1:{port}", folder, folder / "state", password, process, log)
    try:
        _wait_for_login_page(running)
        yield running
    finally:
        stop(running)


class Chromium:
    """Chromium, driven by Playwright's sync API in a thread of its own.

    Playwright allows one sync API per thread, and ``tests/browser`` keeps one
    open in the main thread for the whole session (its ``browser`` fixture), so
    every call on this browser, its contexts and its pages goes through
    :meth:`run`, which runs it in the browser's thread and returns its result.
    Its home and temporary files (the profiles) are in the hub's folder.
    """

    def __init__(self, folder: Path):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-chromium")
        self._playwright = self._browser = None
        try:
            self.run(self._start, folder)
        except BaseException:
            self.close()
            raise

    def _start(self, folder: Path) -> None:
        from playwright.sync_api import sync_playwright

        with pytest.MonkeyPatch.context() as patch:
            # Playwright's driver, started here, makes the browser's profiles in its TMPDIR.
            patch.setenv("HOME", str(folder / "home"))
            patch.setenv("TMPDIR", str(folder / "tmp"))
            self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )

    def run(self, function: Callable, *args):
        """``function(*args)`` in the browser's thread."""
        return self._thread.submit(function, *args).result()

    def new_page(self):
        """A page in a fresh context: its own cookies, as another person's browser."""
        return self.run(lambda: self._browser.new_context(viewport=VIEWPORT).new_page())

    def _stop(self) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._playwright is not None:
                self._playwright.stop()

    def close(self) -> None:
        try:
            self.run(self._stop)
        finally:
            self._thread.shutdown()


@pytest.fixture(scope="module")
def chromium(hub) -> Iterator[Chromium]:
    browser = Chromium(hub.folder)
    try:
        yield browser
    finally:
        browser.close()
