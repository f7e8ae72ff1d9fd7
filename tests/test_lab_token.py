"""`make lab` and `make demo` keep the login token on: a request without it is refused."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("check_lab_args", ROOT / "scripts/check_lab_args.py")
check_lab_args = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_lab_args)

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@pytest.mark.parametrize(
    "args",
    [
        ["--ServerApp.token="],
        ["--ServerApp.token=''"],
        ["--IdentityProvider.token", ""],
        ["--NotebookApp.token", "''"],
        ["--port=8890", "--ServerApp.password="],
        ["--ServerApp.disable_check_xsrf=True"],
        ["--ServerApp.allow_unauthenticated_access"],
    ],
)
def test_options_that_switch_the_token_off_are_found(args):
    assert check_lab_args.problems(args) != []


@pytest.mark.parametrize(
    "args",
    [["--Voila.auto_token=False"], ["--token="], ["--token=''"], ["--Voila.token="]],
)
def test_voila_options_that_switch_the_token_off_are_found(args):
    assert check_lab_args.problems(args) != []


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--port", "8890", "--no-browser"],
        ["--token=mysecret"],
        ["--IdentityProvider.token=mysecret"],
        ["--ServerApp.token", "mysecret"],
    ],
)
def test_other_options_pass(args):
    assert check_lab_args.problems(args) == []


def _status(url: str) -> int:
    """The HTTP status of a GET; waits up to 30 s for the server to listen."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@needs_make
def test_make_lab_refuses_to_switch_the_token_off():
    result = subprocess.run(
        ["make", "--no-print-directory", "lab", "LAB_ARGS=--ServerApp.token= --no-browser"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "would switch JupyterLab's token off (--ServerApp.token=)" in result.stderr


@needs_make
def test_make_lab_refuses_requests_without_the_token(tmp_path):
    port = _free_port()
    lab_args = f"--no-browser --port={port} --ServerApp.port_retries=0 --ServerApp.ip=127.0.0.1"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        lab_args += " --ServerApp.allow_root=True"
    process = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_ARGS={lab_args}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path)},
    )
    try:
        token = None
        deadline = time.monotonic() + 120
        while token is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                pytest.fail(f"make lab exited with {process.returncode}")
            match = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=([0-9a-f]+)", line)
            token = match.group(1) if match else None
        assert token, "make lab printed no URL with a token"
        api = f"http://127.0.0.1:{port}/api/contents"
        assert _status(api) == 403
        assert _status(f"{api}?token=wrong{token}") == 403
        assert _status(f"{api}?token={token}") == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        process.stdout.close()


@needs_make
def test_make_demo_refuses_to_switch_the_token_off():
    result = subprocess.run(
        ["make", "--no-print-directory", "demo", "DEMO_ARGS=--Voila.auto_token=False --no-browser"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "make demo: DEMO_ARGS would switch Voila's token off" in result.stderr


@needs_make
def test_make_demo_refuses_requests_without_the_token(tmp_path):
    port = _free_port()
    demo_args = f"--no-browser --port={port} --Voila.ip=127.0.0.1"
    process = subprocess.Popen(
        ["make", "--no-print-directory", "demo", f"DEMO_ARGS={demo_args}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path)},
    )
    try:
        token = None
        deadline = time.monotonic() + 120
        while token is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                pytest.fail(f"make demo exited with {process.returncode}")
            match = re.search(r"make demo: the login token is ([0-9a-f]+)", line)
            token = match.group(1) if match else None
        assert token, "make demo printed no token"
        page = f"http://127.0.0.1:{port}/"
        # Without the token, or with a wrong one, Voila sends to its login page, never the demo.
        assert _status_no_redirect(page) == 302
        assert _status_no_redirect(f"{page}?token=wrong{token}") == 302
        assert _status_no_redirect(f"{page}?token={token}") == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        process.stdout.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # report the 302 itself


def _status_no_redirect(url: str) -> int:
    """The HTTP status of a GET, redirects not followed; waits up to 30 s for the server."""
    opener = urllib.request.build_opener(_NoRedirect)
    deadline = time.monotonic() + 30
    while True:
        try:
            with opener.open(url, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
