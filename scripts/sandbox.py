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
  ``/tmp`` and ``/dev/shm`` that vanish with it; the homes, ``/run`` and the
  folders it is told to hide (the other submissions, the grades) empty,
  with the course and its Python put back read-only; its own process
  namespace, so that killing its first process ends everything it started,
  a kernel and its children included; no capability (it cannot mount,
  unmount or remount), a short list of environment variables, no core
  files, and no file larger than :data:`MAX_FILE_BYTES`. Before it runs the
  command it checks that no writable mount is left, and refuses to run it
  otherwise.

:func:`unavailable` says why the sandbox cannot run here (another OS, a
container that forbids namespaces), or None when it can.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil

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
# Covered by an empty folder in the jail: where people keep their files and
# secrets, and the sockets of the machine's services.
_HIDDEN = ["/root", "/home", "/run", "/mnt", "/media", "/srv"]
# The only environment variables a jailed command gets (no token, no key).
_PASSED_ON = [
    "PATH",
    "LANG",
    "LC_ALL",
    "TF_CPP_MIN_LOG_LEVEL",
    "TF_ENABLE_ONEDNN_OPTS",
    "OMP_NUM_THREADS",
    "KERAS_BACKEND",
    "PYTHONDONTWRITEBYTECODE",
]
# Flags that a user namespace may not drop when it remounts: kept as they are.
_KEPT_FLAGS = {"nosuid", "nodev", "noexec", "noatime", "nodiratime", "relatime", "strictatime"}


def _namespaces(pid: bool = False) -> list[str]:
    user = [] if (os.geteuid() == 0 and not pid) else ["--user", "--map-root-user"]
    extra = ["--pid", "--fork", "--kill-child", "--mount-proc"] if pid else []
    return ["unshare", *user, "--net", "--mount", *extra, "--propagation", "private"]


def offline_readonly(command: list[str]) -> list[str]:
    """``command`` run offline, in the repository made read-only."""
    return [*_namespaces(), "sh", "-c", _SETUP, "sh", str(ROOT), *command]


def jail(command: list[str], work: Path, hide: list[Path] = ()) -> list[str]:
    """``command`` run in the jail, with ``work`` (a folder) as its only writable place.

    The command runs in ``/tmp/work`` (:data:`JAIL_WORK`), which is ``work``; give
    it paths inside that folder relative to it. The folders in ``hide`` (the
    other students' submissions, the grades) are empty there, as are the
    homes and ``/run``. Its environment holds only the variables of
    ``_PASSED_ON``, with ``HOME`` and ``TMPDIR`` pointed into the work folder.
    """
    work = Path(work).resolve()
    if not work.is_dir():
        raise FileNotFoundError(f"the jail's work folder {work} does not exist")
    hidden = [str(Path(path).resolve()) for path in hide]
    setup = [sys.executable, str(Path(__file__).resolve()), "--jail-setup", str(work), *hidden]
    return [*_namespaces(pid=True), *setup, "--", *command]


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


def _bind_fd(folder: int, point: str) -> None:
    # --no-canonicalize: the fd, not a path of the same name that may now be another folder
    _run(
        "mount", "--no-canonicalize", "--bind", f"/proc/self/fd/{folder}", point, pass_fds=(folder,)
    )


def _read_only(point: str) -> None:
    """Remount ``point`` read-only, keeping the flags a user namespace may not drop."""
    options = dict(_mounts()).get(point, "")
    flags = [flag for flag in options.split(",") if flag in _KEPT_FLAGS]
    subprocess.run(
        ["mount", "-o", ",".join(["remount", "bind", "ro", *flags]), point], capture_output=True
    )


def _cover(point: str, options: str, kept: dict[str, int]) -> None:
    """An empty tmpfs over ``point``, with the ``kept`` folders under it put back, read-only."""
    _run("mount", "-t", "tmpfs", "-o", options, "tmpfs", point)
    for path, handle in kept.items():
        if Path(path).is_relative_to(point):
            os.makedirs(path, exist_ok=True)
            _bind_fd(handle, path)
            _read_only(path)


def _jail_setup(work: str, hide: list[str], command: list[str]) -> None:
    """Inside the namespaces: hide, make everything read-only but the work folder, then exec.

    The homes, ``/run`` and the folders in ``hide`` are covered by empty
    folders, and ``/tmp`` and ``/dev/shm`` by fresh ones; the course and its
    Python, if they live there, are put back, read-only. The command runs
    without any capability (the bounding set emptied, ``no_new_privs``), so
    it cannot mount, unmount or remount.
    """
    _run("ip", "link", "set", "lo", "up")
    folder = os.open(work, os.O_RDONLY | os.O_DIRECTORY)  # reachable once /tmp is covered
    python = Path(os.path.realpath(sys.executable)).parent.parent
    needed = {str(path) for path in (ROOT, Path(sys.prefix), Path(sys.base_prefix), python)}
    kept = {path: os.open(path, os.O_RDONLY | os.O_DIRECTORY) for path in sorted(needed)}
    for point in [*_HIDDEN, *hide]:
        if os.path.isdir(point) and not os.path.islink(point):
            _cover(point, "size=1m,mode=755", kept)
    for point, _ in _mounts():
        if not (point.startswith("/proc") or point.startswith("/dev/pts")):
            _read_only(point)
    _cover("/tmp", f"size={_TMPFS_SIZE},mode=1777", kept)
    _cover("/dev/shm", f"size={_TMPFS_SIZE}", kept)
    for handle in kept.values():
        os.close(handle)
    os.mkdir(JAIL_WORK)
    _bind_fd(folder, JAIL_WORK)
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
    environment = {name: os.environ[name] for name in _PASSED_ON if name in os.environ}
    environment.update(HOME=JAIL_WORK, TMPDIR="/tmp", JUPYTER_RUNTIME_DIR=f"{JAIL_WORK}/.runtime")
    drop = ["--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    os.execvpe("setpriv", ["setpriv", *drop, "--", *command], environment)


def _own_cgroup(controller: str) -> Path | None:
    """The folder of this process's cgroup for a cgroup-v1 ``controller``, or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, names, path = line.split(":", 2)
        base = Path("/sys/fs/cgroup") / controller
        if controller in names.split(",") and base.is_dir():
            return base / path.lstrip("/")
    return None


class Limits:
    """A memory and a process limit for a jail, in cgroups of its own, where the machine allows.

    Linux's cgroups count what polling the resident memory cannot see (files
    in a tmpfs, memfd) and stop a fork bomb: ``memory.limit_in_bytes`` and
    ``pids.max`` (cgroup v1, which needs the right to make a cgroup: root, or
    a delegated hierarchy). Where no cgroup can be made, :attr:`active` is
    empty and the caller's own polling is the only limit.
    """

    def __init__(self, memory_bytes: int, pids: int = 1024) -> None:
        self.active: list[Path] = []
        name = f"course-jail-{os.getpid()}-{time.monotonic_ns()}"
        for controller, limit, value in (
            ("memory", "memory.limit_in_bytes", memory_bytes),
            ("pids", "pids.max", pids),
        ):
            parent = _own_cgroup(controller)
            if parent is None:
                continue
            folder = parent / name
            try:
                folder.mkdir()
                (folder / limit).write_text(str(value))
            except OSError:
                with contextlib.suppress(OSError):
                    folder.rmdir()
                continue
            self.active.append(folder)

    def wrap(self, command: list[str]) -> list[str]:
        """``command``, started inside the cgroups (a shell moves itself in, then execs it)."""
        if not self.active:
            return command
        folders = " ".join(shlex.quote(str(folder / "cgroup.procs")) for folder in self.active)
        script = f'for g in {folders}; do echo $$ > "$g" || exit 97; done; exec "$@"'
        return ["sh", "-c", script, "sh", *command]

    def hit_memory(self) -> bool:
        """Whether the kernel stopped a process of the jail for its memory limit."""
        for folder in self.active:
            with contextlib.suppress(OSError):
                for line in (folder / "memory.oom_control").read_text().splitlines():
                    name, _, value = line.partition(" ")
                    if name == "oom_kill" and value.strip() not in ("", "0"):
                        return True
        return False

    def remove(self) -> None:
        """Kill whatever is left in the cgroups, and remove them."""
        for folder in self.active:
            for _ in range(50):
                with contextlib.suppress(OSError, ValueError):
                    for pid in (folder / "cgroup.procs").read_text().split():
                        os.kill(int(pid), 9)
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)


def process_tree(root: psutil.Process, itself: bool = True) -> list[psutil.Process]:
    """``root`` and its descendants (``itself=False``: without it); [] if ``root`` has ended."""
    try:
        children = root.children(recursive=True)
    except psutil.Error:
        return []
    return [root, *children] if itself else children


def resident_bytes(processes: list[psutil.Process]) -> int:
    """The resident memory (RSS) of ``processes`` together, one of :func:`process_tree`.

    What the grader holds a submission to, and what the benchmarks measure
    (a jail and its kernel, a student's server and kernel). RSS counts the
    pages that processes share once per process, so the sum is an upper
    bound. A process that has ended meanwhile counts 0.
    """
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            pass
    return total


def unavailable() -> str | None:
    """None when both sandboxes work here, else why not."""
    if not sys.platform.startswith("linux"):
        return f"Linux namespaces are needed, this is {sys.platform}"
    for tool in ("unshare", "ip", "mount", "setpriv"):
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
    _end = sys.argv.index("--")
    _jail_setup(sys.argv[2], sys.argv[3:_end], sys.argv[_end + 1 :])
