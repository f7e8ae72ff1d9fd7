"""The lessons run with the network cut off, from a read-only checkout, in any order.

The sandbox is a Linux namespace (``unshare``): a network namespace with only
the loopback interface (the kernel talks to Jupyter over it) and a mount
namespace where the repository, ``.venv`` included, is bind-mounted read-only,
as in a read-only lab image. Inside it, every lesson runs under strict nbval
in reverse order, each in a fresh kernel: so each stands alone and none needs
the network, writes into the repository or depends on another having run.
Together with the normal nbval run of ``make test`` the notebooks run twice in
a row in the same checkout; ``conftest.py`` then checks that ``git status`` is
what it was before the session.

Where namespaces are not allowed (some laptops and containers), the tests are
skipped and say so; ``.ci/run`` sets ``COURSE_REQUIRE_SANDBOX=1`` to make that
an error instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# Bring loopback up, make the checkout read-only, then run the command given after it.
_SETUP = (
    'ip link set lo up && mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" '
    '&& cd "$1" && shift && exec "$@"'
)


def _sandbox_prefix() -> list[str]:
    user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    return ["unshare", *user, "--net", "--mount", "--propagation", "private"]


def sandboxed(command: list[str]) -> list[str]:
    """``command`` run offline, in the repository made read-only."""
    return [*_sandbox_prefix(), "sh", "-c", _SETUP, "sh", str(ROOT), *command]


def _sandbox_available() -> str | None:
    """None when the sandbox works here, else why not."""
    if not sys.platform.startswith("linux"):
        return f"Linux namespaces are needed, this is {sys.platform}"
    for tool in ("unshare", "ip", "mount"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            return f"{tool} is not installed"
    probe = subprocess.run(sandboxed(["true"]), capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        return f"unshare is not allowed here: {probe.stderr.strip()}"
    return None


@pytest.fixture(scope="module")
def sandbox():
    reason = _sandbox_available()
    if reason:
        message = f"offline/read-only sandbox SKIPPED: {reason}"
        if os.environ.get("COURSE_REQUIRE_SANDBOX") == "1":
            pytest.fail(message.replace("SKIPPED", "required (COURSE_REQUIRE_SANDBOX=1)"))
        pytest.skip(message)


PROBE = """
import socket
from pathlib import Path
try:
    socket.create_connection(("1.1.1.1", 443), timeout=3).close()
    print("network: reachable")
except OSError:
    print("network: cut off")
try:
    Path("notebooks/.write-probe").write_text("x")
    print("checkout: writable")
except OSError:
    print("checkout: read-only")
"""


def test_the_sandbox_is_offline_and_read_only(sandbox):
    result = subprocess.run(
        sandboxed([sys.executable, "-c", PROBE]), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["network: cut off", "checkout: read-only"]
    assert not (ROOT / "notebooks" / ".write-probe").exists()


def test_every_lesson_runs_offline_read_only_in_reverse_order(sandbox):
    assert len(LESSONS) >= 6
    lessons = [str(path.relative_to(ROOT)) for path in reversed(LESSONS)]
    command = [sys.executable, "-m", "pytest", "-q", "--no-header", "-p", "no:warnings", *lessons]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(sandboxed(command), capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
