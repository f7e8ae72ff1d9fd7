"""The course's sandboxes: run a command offline, unable to change the checkout.

Both are Linux namespaces made with ``unshare``, and need no root: a user
namespace maps the caller to root inside, where it may mount.

- :func:`offline_readonly` runs the lessons in ``make test``
  (``tests/test_lessons.py``): a network namespace with only the loopback
  interface (a kernel talks to Jupyter over it) and the checkout bind-mounted
  read-only, as in a read-only lab image.
- :func:`jail` runs code nobody has checked: a student's submission, graded by
  ``scripts/grade.py``. Offline as above; *every* mount read-only except one
  work folder, which the command sees as ``/tmp/work``; a fresh, private
  ``/tmp`` and ``/dev/shm`` that vanish with it; its own process namespace,
  so that killing its first process (:data:`JAIL_PID1`) ends everything it
  started, a kernel and its children included; no core files, and no file
  larger than :data:`MAX_FILE_BYTES`. Before it runs the command it checks
  that no writable mount is left, and refuses to run it otherwise.

:func:`unavailable` says why the sandbox cannot run here (another OS, a
container that forbids namespaces), or None when it can.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Bring loopback up, make the checkout read-only, then run the command given after it.
_SETUP = (
    'ip link set lo up && mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" '
    '&& cd "$1" && shift && exec "$@"'
)

JAIL_WORK = "/tmp/work"
"""Where the jailed command finds its work folder, the one place it may write."""
MAX_FILE_BYTES = 1 << 30
"""The largest file a jailed command may write (RLIMIT_FSIZE), 1 GiB."""
_TMPFS_SIZE = "512m"
# Mounts that stay writable in the jail: the fresh ones it makes, and kernel ones
# that hold no files (/proc of its own process namespace, the pseudo-terminals).
_WRITABLE = {"/tmp", "/dev/shm", JAIL_WORK, "/proc", "/dev/pts"}
# Flags that a user namespace may not drop when it remounts: kept as they are.
_KEPT_FLAGS = {"nosuid", "nodev", "noexec", "noatime", "nodiratime", "relatime", "strictatime"}


def _namespaces(pid: bool = False) -> list[str]:
    user = [] if (os.geteuid() == 0 and not pid) else ["--user", "--map-root-user"]
    extra = ["--pid", "--fork", "--kill-child", "--mount-proc"] if pid else []
    return ["unshare", *user, "--net", "--mount", *extra, "--propagation", "private"]


def offline_readonly(command: list[str]) -> list[str]:
    """``command`` run offline, in the repository made read-only."""
    return [*_namespaces(), "sh", "-c", _SETUP, "sh", str(ROOT), *command]


def jail(command: list[str], work: Path) -> list[str]:
    """``command`` run in the jail, with ``work`` (a folder) as its only writable place.

    The command runs in ``/tmp/work`` (:data:`JAIL_WORK`), which is ``work``; give
    it paths inside that folder relative to it. Its environment is the caller's,
    with ``HOME`` and ``TMPDIR`` pointed into the work folder.
    """
    work = Path(work).resolve()
    if not work.is_dir():
        raise FileNotFoundError(f"the jail's work folder {work} does not exist")
    return [
        *_namespaces(pid=True),
        sys.executable,
        str(Path(__file__).resolve()),
        "--jail-setup",
        str(work),
        "--",
        *command,
    ]


def _mounts() -> list[tuple[str, str]]:
    """(mount point, options) of every mount, in the order the kernel lists them."""
    mounts = []
    with open("/proc/self/mountinfo", encoding="utf-8") as table:
        for line in table:
            fields = line.split()
            mounts.append((fields[4].replace("\\040", " "), fields[5]))
    return mounts


def _run(*command: str, **kwargs) -> None:
    subprocess.run(command, check=True, capture_output=True, **kwargs)


def _jail_setup(work: str, command: list[str]) -> None:
    """Inside the namespaces: make everything read-only but the work folder, then exec."""
    _run("ip", "link", "set", "lo", "up")
    folder = os.open(work, os.O_RDONLY | os.O_DIRECTORY)  # reachable after /tmp is covered
    for point, options in _mounts():
        if point.startswith("/proc") or point.startswith("/dev/pts"):
            continue
        flags = [flag for flag in options.split(",") if flag in _KEPT_FLAGS]
        subprocess.run(
            ["mount", "-o", ",".join(["remount", "bind", "ro", *flags]), point],
            capture_output=True,
        )
    _run("mount", "-t", "tmpfs", "-o", f"size={_TMPFS_SIZE},mode=1777", "tmpfs", "/tmp")
    _run("mount", "-t", "tmpfs", "-o", f"size={_TMPFS_SIZE}", "tmpfs", "/dev/shm")
    os.mkdir(JAIL_WORK)
    _run("mount", "--bind", f"/proc/self/fd/{folder}", JAIL_WORK, pass_fds=(folder,))
    os.close(folder)
    _run("mount", "-o", "remount,bind,rw", JAIL_WORK)
    top = dict(_mounts())  # the last line for a mount point is the mount on top
    writable = sorted(
        point
        for point, options in top.items()
        if options.split(",")[0] == "rw" and point not in _WRITABLE
    )
    if writable:
        sys.exit(f"sandbox: refusing to run, these mounts are still writable: {writable}")
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
    os.chdir(JAIL_WORK)
    os.environ.update(HOME=JAIL_WORK, TMPDIR="/tmp", JUPYTER_RUNTIME_DIR=f"{JAIL_WORK}/.runtime")
    os.execvp(command[0], command)


def unavailable() -> str | None:
    """None when both sandboxes work here, else why not."""
    if not sys.platform.startswith("linux"):
        return f"Linux namespaces are needed, this is {sys.platform}"
    for tool in ("unshare", "ip", "mount"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            return f"{tool} is not installed"
    probe = subprocess.run(offline_readonly(["true"]), capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        return f"unshare is not allowed here: {probe.stderr.strip()}"
    probe = subprocess.run(
        [*_namespaces(pid=True), "true"], capture_output=True, text=True, timeout=60
    )
    if probe.returncode != 0:
        return f"unshare cannot make a user and process namespace here: {probe.stderr.strip()}"
    return None


if __name__ == "__main__" and len(sys.argv) > 3 and sys.argv[1] == "--jail-setup":
    _jail_setup(sys.argv[2], sys.argv[sys.argv.index("--") + 1 :])
