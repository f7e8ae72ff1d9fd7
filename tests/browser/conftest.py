"""Fixtures for the browser tests: a JupyterLab server and a headless Chromium.

The server runs from the course environment on a free localhost port with a
random token, on a temporary copy of ``notebooks/`` (JupyterLab saves what the
browser runs, and the checkout must stay as it is), with its settings and
workspaces in temporary folders too. It is shut down at the end of the session
whatever happens.

Chromium is Debian's (``/usr/bin/chromium``, or the path in ``COURSE_CHROMIUM``);
Playwright's own browser download is not used. Without Chromium the tests are
skipped with a message that says so, unless ``COURSE_REQUIRE_BROWSER=1`` (set by
``.ci/run``), which makes a missing browser an error.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from chromium import chromium_or_skip  # tests/browser/chromium.py
from session_reports import report_section  # scripts/

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
SERVER_START_TIMEOUT = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_server(url: str, token: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(
        f"JupyterLab did not answer within {SERVER_START_TIMEOUT} s:\n{log.read_text()}"
    )


def stop(process: subprocess.Popen) -> None:
    """Stop the server and its kernels (its process group), politely first."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    return chromium_or_skip("the browser tests are")


@pytest.fixture(scope="session")
def lab(chromium_path, tmp_path_factory):
    """A running JupyterLab on a copy of the notebooks: yields (base url, token, root)."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = base / "settings"
    # Render every cell, not only those on screen, so that every output can be checked.
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    # No "notified about news?" toast over the screenshots, and no request for news.
    apputils = settings / "@jupyterlab" / "apputils-extension"
    notification = apputils / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false"}))
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
    }
    log = base / "jupyterlab.log"
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--ServerApp.allow_root=True")
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_server(url, token, process, log)
        yield url, token, root
    finally:
        stop(process)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


_EXECUTED = pytest.StashKey[dict]()
_AXE = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def axe_counts(request) -> dict:
    """Lesson name -> what axe-core found on its prose and outputs in JupyterLab."""
    return request.config.stash.setdefault(_AXE, {})


@pytest.fixture(scope="session")
def executed_cells(request) -> dict:
    """Lesson name -> (code cells the browser executed, code cells in the lesson)."""
    return request.config.stash.setdefault(_EXECUTED, {})


def pytest_sessionfinish(session):
    """What the browser tests found, for the summary at the end of the run (``conftest.py``)."""
    found = session.config.stash.get(_AXE, {})
    if found:
        report_section(
            "axe-core in JupyterLab: the lessons' prose and outputs",
            [
                f"{name:38} {', '.join(f'{r} {n}' for r, n in rules.items()) or 'no violations'}"
                for name, rules in sorted(found.items())
            ],
        )
    executed = session.config.stash.get(_EXECUTED, {})
    if executed:
        report_section(
            "code cells the browser tests executed (nbval ran them all)",
            [f"{name:38} {run:3} of {total:3}" for name, (run, total) in sorted(executed.items())],
        )


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
