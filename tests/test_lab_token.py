"""`make lab` and `make demo` keep the login token on: a request without it is refused."""

from __future__ import annotations

import contextlib
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

import check_lab_args  # scripts/
import pytest

ROOT = Path(__file__).resolve().parent.parent

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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # report the redirect itself


def _status(url: str, follow_redirects: bool = True, timeout: float = 5) -> int:
    """The HTTP status of a GET; waits up to 30 s for the server to listen."""
    opener = urllib.request.build_opener(*([] if follow_redirects else [_NoRedirect]))
    deadline = time.monotonic() + 30
    while True:
        try:
            with opener.open(url, timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@contextlib.contextmanager
def _make_server(target: str, variable: str, args: str, tmp_path: Path, token: str):
    """``make target variable=args`` in its own session; yields the token matched by ``token``.

    Its output goes to a file, not a pipe that nobody would read once the token
    is found; the server is stopped at the end whatever happens.
    """
    log = tmp_path / f"make_{target}.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            ["make", "--no-print-directory", target, f"{variable}={args}"],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path)},
        )
    try:
        found = None
        deadline = time.monotonic() + 120
        while found is None and time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"make {target} exited with {process.returncode}:\n{log.read_text()}")
            found = re.search(token, log.read_text())
            time.sleep(0.2)
        assert found, f"make {target} printed no token:\n{log.read_text()}"
        yield found.group(1)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


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
    url_token = rf"http://127\.0\.0\.1:{port}/lab\?token=([0-9a-f]+)"
    with _make_server("lab", "LAB_ARGS", lab_args, tmp_path, url_token) as token:
        api = f"http://127.0.0.1:{port}/api/contents"
        assert _status(api) == 403
        assert _status(f"{api}?token=wrong{token}") == 403
        assert _status(f"{api}?token={token}") == 200


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
    printed = r"make demo: the login token is ([0-9a-f]+)"
    with _make_server("demo", "DEMO_ARGS", demo_args, tmp_path, printed) as token:
        page = f"http://127.0.0.1:{port}/"
        # Without the token, or with a wrong one, Voila sends to its login page, never the demo.
        # With it, Voila runs the notebook before it answers: a longer timeout.
        assert _status(page, follow_redirects=False) == 302
        assert _status(f"{page}?token=wrong{token}", follow_redirects=False) == 302
        assert _status(f"{page}?token={token}", follow_redirects=False, timeout=60) == 200
