"""How many students the course's JupyterHub holds on this machine, measured, not guessed.

Usage (from the repository root, on an otherwise quiet machine)::

    .venv/bin/python benchmarks/hub_load.py [--counts 10 20 40 80 160] [--waves 60]

For each class size N of ``--counts`` it starts the hub of ``make hub``
(``scripts/hub.py start``, a temporary state folder, students ``s001`` to
``sNNN``) and lets the N students work as a class that starts together
does, all at once. Each student, in a thread of this process:

1. logs in: the name and the hub's password to JupyterHub's token API
   (``POST /hub/api/users/NAME/tokens`` with ``{"auth": ...}``, which asks
   the dummy authenticator, as the login form does) gives the student's token;
2. starts their server (``POST /hub/api/users/NAME/server``) and waits for it
   on the hub's progress stream: the hub makes the student's working copy
   (``my-work/``, the lessons without the answers) before the server starts;
3. opens ``my-work/01_convolution_math.ipynb`` (the contents API, then a
   session with a new kernel, as JupyterLab does) and runs every code cell
   in order over the kernel's websocket (``execute_request``; a cell is done
   at its ``execute_reply`` and its idle status), stopping at an error.

A request that gets no answer within a minute (two for a new kernel) fails
the student, naming the step: a student who waits longer has given up.

Measured per student: **spawn** (from the login to the server ready),
**first output** (from opening the notebook to the first output the lesson
shows: code cell 1's printout, after the Setup cell has imported TensorFlow;
TensorFlow's start-up log lines on stderr do not count) and **lesson**
(from the first cell sent to the last cell's reply). Every 0.5 s a sampler
adds up the resident memory (RSS) of each student's processes, their
single-user server and its kernel, found as the hub's children, and keeps
each student's peak and CPU seconds, the hub's own (with the proxy), and
the machine's memory available. RSS counts the libraries that processes
share once per process, so the users' sum is an upper bound; the machine's
drop in available memory (its peak against the start) is what the class
really took, other programs' changes included.

A class size the machine would not hold is not tried: before each N, the
per-student cost of the last class (the machine's drop per student: the
largest class measures it best) must leave ``--reserve`` (2 GiB) available;
if not, the largest class that would is run instead, and is the last.
During a run, available memory below the reserve stops it at once (the
kernels are killed) and is reported as where it breaks; so are a failed
spawn, a timeout, a cell's error or a dead kernel: the first failure is
named, and no larger class is tried; the class that broke (other than on
memory) is tried again with its students arriving one by one over
``--waves`` seconds (60), as a class that comes in over a minute does.
Then each lesson that trains a model (``--training``: 05, 07 to 12) runs
for one student alone, for its peak memory (what the users' memory limit
must hold).

Before each run it waits until no other test, hub or grading run is busy
(``benchmarks/quiet.py``: ``pytest``, ``jupyterhub``, ``grade.py``), polling
every 20 s for up to 20 minutes (``--wait``), then runs anyway; the table
says which. The hub is
stopped at the end of each run whatever happens, every process it started
is ended, and the temporary folder is removed (``--keep`` keeps it, with the
hub's log). It prints a table and writes ``results/hub_load.md`` and
``.csv``; the md ends with the Zero to JupyterHub resources that follow from
the results (:func:`z2jh_resources`, which ``hub/z2jh/config.yaml`` must
hold: ``tests/test_hub_config.py`` checks it).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil
import requests
import websocket

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import sandbox  # noqa: E402 (scripts/sandbox.py: resident_bytes)

import hub  # noqa: E402 (scripts/hub.py: the hub of make hub)
from benchmarks._results import write_tables  # noqa: E402
from benchmarks.lesson_times import machine as cores_and_cpu  # noqa: E402
from benchmarks.quiet import WAIT_S, wait_until_quiet  # noqa: E402

LESSON = "01_convolution_math"
# The lessons that train a model (a .fit( or .apply_gradients( call: tests/test_lessons.py).
TRAINING = ("05", "07", "08", "09", "10", "11", "12")
RESULTS = ROOT / "benchmarks" / "results" / "hub_load"
MIB = 1 << 20
SAMPLE_S = 0.5
HTTP_TIMEOUT_S = 60  # a page that takes longer than a minute: the student has given up
OUTPUT_TYPES = {"stream", "display_data", "execute_result", "error"}  # stderr aside

# What hub/z2jh/config.yaml's resources are made of (z2jh_resources).
MARGIN = 1.25  # on every measured memory peak, rounded up to the next 256 MiB
ROUND_MIB = 256
LAPTOP_CORES = 2  # the course's measure: lesson_times_avx2.md, 2 cores
CLASS_MINUTE_S = 60  # a class that starts lesson 01 together runs it within a minute


# --- The Zero to JupyterHub numbers that follow from a measurement ---


def round_up(mib: float) -> int:
    """``mib`` times the margin, rounded up to the next multiple of 256 MiB."""
    return math.ceil(mib * MARGIN / ROUND_MIB) * ROUND_MIB


def z2jh_resources(rows: list[dict]) -> dict[str, float]:
    """singleuser.memory and .cpu for Zero to JupyterHub from the rows of hub_load.csv.

    memory guarantee: the largest median peak per student of lesson 01 in a
    class that all succeeded, with the margin; memory limit: the largest peak
    of a training lesson, with the margin; cpu guarantee: the median CPU
    seconds a student of lesson 01 used, spread over a minute, rounded up to
    0.05 core; cpu limit: the 2 cores the lessons' times are measured on.
    """
    ok = [row for row in rows if row["status"] == "ok"]
    lesson = [row for row in ok if row["lesson"] == LESSON]
    training = [row for row in ok if row["lesson"] != LESSON]
    if not lesson or not training:
        raise ValueError("the results need a class of lesson 01 and a training lesson that ran")
    cpu = max(float(row["cpu_user_median_s"]) for row in lesson) / CLASS_MINUTE_S
    return {
        "memory_guarantee_mib": round_up(max(float(row["peak_user_median_mib"]) for row in lesson)),
        "memory_limit_mib": round_up(max(float(row["peak_user_max_mib"]) for row in training)),
        "cpu_guarantee": math.ceil(round(cpu * 20, 6)) / 20,
        "cpu_limit": float(LAPTOP_CORES),
    }


# --- A quiet machine ---


def quiet_note(limit_min: float) -> str:
    """Wait for a quiet machine (benchmarks/quiet.py), at most ``limit_min``; say how it went."""
    waited, running = wait_until_quiet(limit_s=limit_min * 60)
    if running:
        return f"ran anyway after {waited / 60:.0f} min: {len(running)} busy ({running[0][:40]})"
    return f"quiet (waited {waited:.0f} s)"


# --- Memory: the sampler ---


@dataclass
class Memory:
    """What the sampler saw: each student's peak RSS and CPU seconds, the hub's, the machine's."""

    peak: dict[str, int] = field(default_factory=dict)
    cpu: dict[str, dict[int, float]] = field(default_factory=dict)
    users_peak: int = 0
    hub_peak: int = 0
    available_start: int = 0
    available_min: int = 0
    stopped: str = ""


class Sampler(threading.Thread):
    """Every SAMPLE_S: the RSS of each student's server and kernel, the hub's, the machine's.

    A student's server is a child of the hub (``jupyterhub-singleuser``, its
    ``JUPYTERHUB_USER`` names the student); its kernel is the server's child.
    Available memory under ``reserve`` stops the run: ``memory.stopped`` says
    so and every student's processes are killed.
    """

    def __init__(self, hub_pid: int, reserve: int):
        super().__init__(daemon=True)
        self.hub = psutil.Process(hub_pid)
        self.reserve = reserve
        self.roots: dict[int, str] = {}  # server pid -> student
        self.seen: dict[int, psutil.Process] = {}  # every student process seen, for the end
        self.memory = Memory()
        self.memory.available_start = self.memory.available_min = psutil.virtual_memory().available
        self.done = threading.Event()
        self.over = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(SAMPLE_S)

    def sample(self) -> None:
        try:
            children = self.hub.children()
        except psutil.Error:
            return
        hub_rss = sandbox.resident_bytes([self.hub])
        users = 0
        for child in children:
            name = self.roots.get(child.pid) or self.student_of(child)
            tree = sandbox.process_tree(child)
            if name is None:
                hub_rss += sandbox.resident_bytes(tree)  # the proxy
                continue
            self.seen.update((process.pid, process) for process in tree)
            used = sandbox.resident_bytes(tree)
            users += used
            self.memory.peak[name] = max(self.memory.peak.get(name, 0), used)
            for process in tree:
                try:
                    times = process.cpu_times()
                    self.memory.cpu.setdefault(name, {})[process.pid] = times.user + times.system
                except psutil.Error:
                    pass
        self.memory.users_peak = max(self.memory.users_peak, users)
        self.memory.hub_peak = max(self.memory.hub_peak, hub_rss)
        available = psutil.virtual_memory().available
        self.memory.available_min = min(self.memory.available_min, available)
        if available < self.reserve and not self.over.is_set():
            self.memory.stopped = (
                f"memory: {available / MIB:.0f} MiB available, under the reserve of "
                f"{self.reserve / MIB:.0f} MiB, with {len(self.memory.peak)} students' servers up"
            )
            self.over.set()
            self.kill_students()

    def student_of(self, process: psutil.Process) -> str | None:
        try:
            if not any("jupyterhub-singleuser" in part for part in process.cmdline()):
                return None
            name = process.environ().get("JUPYTERHUB_USER")
        except psutil.Error:
            return None
        if name:
            self.roots[process.pid] = name
        return name

    def kill_students(self) -> None:
        """Kill every student's server and kernel (all started by this run's hub)."""
        for pid in list(self.roots):
            try:
                self.seen.update((p.pid, p) for p in sandbox.process_tree(psutil.Process(pid)))
            except psutil.Error:
                pass
        for process in list(self.seen.values()):
            try:
                process.kill()
            except psutil.Error:
                pass


# --- The hub ---


class Hub:
    """``scripts/hub.py start`` for ``students`` in a temporary folder; ``stop`` ends it all."""

    def __init__(self, students: list[str], keep: bool):
        self.state = Path(tempfile.mkdtemp(prefix="hub_load_"))
        self.keep = keep
        self.port = hub.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.password = secrets.token_urlsafe(12)
        self.log = open(self.state / "hub.log", "wb")  # noqa: SIM115 (closed by stop)
        command = [sys.executable, str(ROOT / "scripts" / "hub.py"), "--state", str(self.state)]
        command += ["start", "--port", str(self.port), "--students", " ".join(students)]
        command += ["--instructor", "teacher"]
        environment = {**os.environ, "COURSE_HUB_PASSWORD": self.password}
        self.process = subprocess.Popen(
            command,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.left: list[psutil.Process] = []  # the students' processes the sampler saw

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.process.returncode}): {self.tail()}")
            try:
                if requests.get(f"{self.url}/hub/api", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the hub did not answer within {timeout:.0f} s: {self.tail()}")

    def tail(self, lines: int = 5) -> str:
        self.log.flush()
        text = (self.state / "hub.log").read_text(encoding="utf-8", errors="replace")
        return " | ".join(text.strip().splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM (the hub stops every server), then kill whatever of this run is left."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # The servers run in sessions of their own, so not in the hub's process group; a
        # kernel whose server ended first is no longer its child. psutil's kill checks that
        # the pid still names the process seen (not a new one that reuses it).
        for process in self.left:
            try:
                process.kill()
            except psutil.Error:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the proxy, if the hub left it
        except ProcessLookupError:
            pass
        self.log.close()
        if self.keep:
            print(f"  kept {self.state}", flush=True)
        else:
            shutil.rmtree(self.state, ignore_errors=True)


# --- A student ---


@dataclass
class Student:
    name: str
    spawn_s: float | None = None
    first_output_s: float | None = None
    lesson_s: float | None = None
    step: str = "log in"  # what the student is doing: a failure names it
    failure: str = ""
    failed_at: float = math.inf


def message(msg_type: str, content: dict, session: str, name: str) -> dict:
    header = {
        "msg_id": uuid.uuid4().hex,
        "msg_type": msg_type,
        "session": session,
        "username": name,
        "version": "5.4",
        "date": datetime.now(UTC).isoformat(),
    }
    return {
        "header": header,
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }


def attend(student: Student, site: Hub, lesson: str, timeout: float, stop: threading.Event) -> None:
    """Log in, start the server, run every code cell of ``my-work/LESSON.ipynb``; times kept."""
    web = requests.Session()
    start = time.monotonic()
    deadline = start + timeout
    name = student.name
    auth = {"username": name, "password": site.password}
    users = f"{site.url}/hub/api/users/{name}"
    reply = web.post(f"{users}/tokens", json={"auth": auth}, timeout=HTTP_TIMEOUT_S)
    reply.raise_for_status()
    web.headers["Authorization"] = f"token {reply.json()['token']}"
    student.step = "start the server"
    web.post(f"{users}/server", timeout=HTTP_TIMEOUT_S).raise_for_status()
    student.step = "wait for the server"
    with web.get(f"{users}/server/progress", stream=True, timeout=(10, timeout)) as events:
        for line in events.iter_lines(chunk_size=None, decode_unicode=True):
            if not line or not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            if event.get("failed"):
                raise RuntimeError(f"spawn failed: {event.get('message', '')[:120]}")
            if event.get("ready"):
                break
        else:
            raise RuntimeError("spawn: the hub's progress stream ended without ready")
    student.spawn_s = time.monotonic() - start

    api = f"{site.url}/user/{name}/api"
    opened = time.monotonic()
    student.step = "open the notebook"
    notebook = web.get(f"{api}/contents/{lesson}.ipynb", timeout=HTTP_TIMEOUT_S)
    notebook.raise_for_status()
    cells = [cell for cell in notebook.json()["content"]["cells"] if cell["cell_type"] == "code"]
    model = {"path": f"{lesson}.ipynb", "name": f"{lesson}.ipynb", "type": "notebook"}
    student.step = "start the kernel"
    session = web.post(
        f"{api}/sessions", json={**model, "kernel": {"name": "python3"}}, timeout=2 * HTTP_TIMEOUT_S
    )  # the kernel's start is in it
    session.raise_for_status()
    kernel = session.json()["kernel"]["id"]
    session_id = uuid.uuid4().hex
    url = f"ws://127.0.0.1:{site.port}/user/{name}/api/kernels/{kernel}/channels"
    student.step = "connect to the kernel"
    channel = websocket.create_connection(
        f"{url}?session_id={session_id}",
        header=[f"Authorization: {web.headers['Authorization']}"],
        timeout=HTTP_TIMEOUT_S,
    )
    try:
        student.step = "run the cells"
        begun = time.monotonic()
        for index, cell in enumerate(cells):
            source = "".join(cell["source"])
            content = {"code": source, "silent": False, "store_history": True}
            content |= {"user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
            request = message("execute_request", content, session_id, name)
            channel.send(json.dumps(request))
            run_cell(channel, request["header"]["msg_id"], index, student, opened, deadline, stop)
        student.lesson_s = time.monotonic() - begun
    finally:
        channel.close()


def run_cell(channel, msg_id, index, student, opened, deadline, stop) -> None:
    """Read the kernel's messages until cell ``index`` has replied and gone idle."""
    replied = idle = False
    while not (replied and idle):
        if stop.is_set():
            raise RuntimeError("stopped with the run")
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"in code cell {index}")
        channel.settimeout(min(left, 1.0))
        try:
            frame = channel.recv()
        except websocket.WebSocketTimeoutException:
            continue
        except websocket.WebSocketConnectionClosedException:
            raise RuntimeError(f"the kernel's connection closed in code cell {index}") from None
        if not isinstance(frame, str):
            continue  # binary buffers (widgets): nothing to wait for
        msg = json.loads(frame)
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] in ("dead", "restarting"):
            raise RuntimeError(f"the kernel died in code cell {index} (out of memory?)")
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        shown = kind in OUTPUT_TYPES and msg["content"].get("name") != "stderr"
        if shown and student.first_output_s is None:
            student.first_output_s = time.monotonic() - opened
        if kind == "execute_reply":
            replied = True
            if msg["content"]["status"] != "ok":
                error = msg["content"].get("ename", msg["content"]["status"])
                raise RuntimeError(f"code cell {index} raised {error}")
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            idle = True


def failure_of(error: BaseException) -> str:
    """One line: what went wrong (requests' messages without their connection pool)."""
    text = str(error).split("): ")[-1] or type(error).__name__
    if isinstance(error, TimeoutError | requests.Timeout | websocket.WebSocketTimeoutException):
        return f"timeout: {text}"
    return text


# --- A class ---


def median_max(values: list[float]) -> tuple[float | None, float | None]:
    return (statistics.median(values), max(values)) if values else (None, None)


def run_class(count: int, lesson: str, args, quiet: str, arrival: float = 0.0) -> dict:
    """N students through a fresh hub, all at once or over ``arrival`` s; one row of the table."""
    names = [f"s{index:03d}" for index in range(1, count + 1)]
    students = [Student(name) for name in names]
    site = Hub(names, args.keep)
    sampler = None
    stop = threading.Event()
    try:
        try:
            site.wait_ready()
        except RuntimeError as error:
            for student in students:
                student.failure = f"the hub did not start: {error}"
            return row_of(lesson, students, Memory(), quiet, arrival)
        sampler = Sampler(site.process.pid, args.reserve << 20)
        sampler.start()

        def attend_one(student: Student, delay: float) -> None:
            time.sleep(delay)
            try:
                attend(student, site, lesson, args.timeout, stop)
            except Exception as error:  # noqa: BLE001 (every failure is a result)
                student.failure = f"{student.step}: {failure_of(error)}"
                student.failed_at = time.monotonic()

        threads = [
            threading.Thread(target=attend_one, args=(s, arrival * i / count), daemon=True)
            for i, s in enumerate(students)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + args.timeout + arrival + 30
        while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
            if sampler.over.is_set():
                stop.set()
            time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join(5)
        sampler.sample()  # the last look, with every kernel still up
        return row_of(lesson, students, sampler.memory, quiet, arrival)
    finally:
        if sampler is not None:
            sampler.done.set()
            site.left = list(sampler.seen.values())
        site.stop()


def row_of(lesson, students: list[Student], memory: Memory, quiet: str, arrival: float) -> dict:
    done = [s for s in students if not s.failure and s.lesson_s is not None]
    failed = sorted((s for s in students if s.failure), key=lambda s: s.failed_at)
    spawn = median_max([s.spawn_s for s in students if s.spawn_s is not None])
    first = median_max([s.first_output_s for s in students if s.first_output_s is not None])
    whole = median_max([s.lesson_s for s in done])
    peaks = median_max([memory.peak[s.name] / MIB for s in students if s.name in memory.peak])
    cpu = [sum(memory.cpu.get(s.name, {}).values()) for s in students if s.name in memory.cpu]
    status = "ok" if len(done) == len(students) else "failed"
    if memory.stopped:
        status = "stopped"
    first_failure = memory.stopped or (f"{failed[0].name}: {failed[0].failure}" if failed else "")

    def number(value, digits=1):
        return "" if value is None else round(value, digits)

    return {
        "lesson": lesson,
        "students": len(students),
        "arrival_s": arrival,
        "status": status,
        "succeeded": len(done),
        "spawn_median_s": number(spawn[0]),
        "spawn_max_s": number(spawn[1]),
        "first_output_median_s": number(first[0]),
        "first_output_max_s": number(first[1]),
        "lesson_median_s": number(whole[0]),
        "lesson_max_s": number(whole[1]),
        "peak_user_median_mib": number(peaks[0], 0),
        "peak_user_max_mib": number(peaks[1], 0),
        "cpu_user_median_s": number(statistics.median(cpu) if cpu else None),
        "users_peak_mib": round(memory.users_peak / MIB),
        "hub_peak_mib": round(memory.hub_peak / MIB),
        "machine_peak_mib": round((memory.available_start - memory.available_min) / MIB),
        "min_available_mib": round(memory.available_min / MIB),
        "first_failure": first_failure,
        "quiet": quiet,
    }


# --- The table ---


def machine() -> str:
    total = psutil.virtual_memory().total / (1 << 30)
    return (
        f"{cores_and_cpu()}; {total:.1f} GiB of memory, no swap in use "
        f"({psutil.swap_memory().used / MIB:.0f} MiB); "
        f"JupyterHub {version('jupyterhub')}, TensorFlow {version('tensorflow')}"
    )


def version(package: str) -> str:
    from importlib import metadata

    return metadata.version(package)


def report(rows: list[dict], where: str, notes: list[str]) -> str:
    def cell(row, key):
        return "" if row[key] == "" else f"{row[key]:g}"

    def pair(row, name, unit):
        median, largest = cell(row, f"{name}_median_{unit}"), cell(row, f"{name}_max_{unit}")
        return f"{median} / {largest}" if median else "-"

    lines = [
        f"Students of a class, each in their own server and kernel, on {where}.",
        "",
        "arrive: 0, all at once; else one by one over that many seconds. spawn: from the "
        "login to the server ready; first output: from opening the notebook "
        "to its first output (stderr aside); lesson: from the first code cell sent to the last "
        "one's reply (median / max, seconds). Peak per student: the RSS of their server and kernel "
        "(median / max, MiB); CPU: their CPU seconds (median). Users / hub: the peak of the "
        "students' RSS summed, and of the hub with its proxy. Machine: the peak drop in "
        "available memory (MiB).",
        "",
        "| lesson | students | arrive s | status | ok | spawn s | first output s | lesson s "
        "| peak per student MiB | CPU s | users MiB | hub MiB | machine MiB | first failure "
        "| quiet |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['lesson']} | {row['students']} | {row['arrival_s']:g} | {row['status']} "
            f"| {row['succeeded']} "
            f"| {pair(row, 'spawn', 's')} | {pair(row, 'first_output', 's')} "
            f"| {pair(row, 'lesson', 's')} | {pair(row, 'peak_user', 'mib')} "
            f"| {cell(row, 'cpu_user_median_s') or '-'} | {row['users_peak_mib']} "
            f"| {row['hub_peak_mib']} | {row['machine_peak_mib']} "
            f"| {row['first_failure'] or '-'} | {row['quiet']} |"
        )
    lines += ["", *notes]
    try:
        numbers = z2jh_resources(rows)
        lines += [
            "",
            "For hub/z2jh/config.yaml (z2jh_resources: memory peaks x "
            f"{MARGIN:g}, rounded up to {ROUND_MIB} MiB): singleuser.memory.guarantee "
            f"{numbers['memory_guarantee_mib']}M, limit {numbers['memory_limit_mib']}M; "
            f"singleuser.cpu.guarantee {numbers['cpu_guarantee']:g}, "
            f"limit {numbers['cpu_limit']:g}.",
        ]
    except ValueError as error:
        lines += ["", f"No Zero to JupyterHub numbers: {error}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[10, 20, 40, 80, 160])
    parser.add_argument(
        "--training", nargs="*", default=list(TRAINING), help="lessons, one student"
    )
    parser.add_argument("--waves", type=float, default=60.0, help="s: the class that broke, again")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per student")
    parser.add_argument("--reserve", type=int, default=2048, help="MiB that must stay available")
    parser.add_argument("--wait", type=float, default=WAIT_S / 60, help="minutes, at most")
    parser.add_argument("--keep", action="store_true", help="keep each run's folder and hub log")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the hub is stopped
    where = machine()
    rows: list[dict] = []
    notes: list[str] = []

    def record(row: dict) -> None:
        rows.append(row)
        print(f"  -> {row}", flush=True)
        write_tables(rows, args.output, "Hub load", report(rows, where, notes))

    per_student = 0.0  # the machine's MiB per student in the last class
    for count in sorted(args.counts):
        if rows and rows[-1]["status"] != "ok":
            break
        quiet = quiet_note(args.wait)
        available = psutil.virtual_memory().available / MIB - args.reserve
        if per_student and count * per_student > available:
            fits = int(available // per_student)
            notes.append(
                f"{count} students were not tried: at {per_student:.0f} MiB each they would take "
                f"{count * per_student / 1024:.1f} GiB, and {available / 1024:.1f} GiB was "
                f"available above the reserve of {args.reserve} MiB; {fits} would fit."
            )
            if fits <= rows[-1]["students"]:
                break
            count = fits
        print(f"{count} students, {LESSON} ...", flush=True)
        row = run_class(count, LESSON, args, quiet)
        # What the machine lost per student (if other programs freed more meanwhile: the RSS).
        drop = row["machine_peak_mib"] / count
        per_student = drop if drop > 0 else row["peak_user_median_mib"] or 0
        record(row)
        if count not in args.counts:
            break
    last = rows[-1] if rows else None
    if last and last["status"] != "ok":
        notes.append(f"Where it breaks: {last['students']} students: {last['first_failure']}.")
    if last and last["status"] == "failed" and args.waves:
        count = last["students"]
        print(f"{count} students over {args.waves:g} s, {LESSON} ...", flush=True)
        record(run_class(count, LESSON, args, quiet_note(args.wait), args.waves))
        notes.append(
            f"The same {count} students arriving one by one over {args.waves:g} s: "
            f"{rows[-1]['status']}, {rows[-1]['succeeded']} of {count} ran the lesson."
        )
    for number in args.training:
        name = hub.lesson_name(number)
        print(f"1 student, {name} ...", flush=True)
        record(run_class(1, name, args, quiet_note(args.wait)))
    if rows:
        write_tables(rows, args.output, "Hub load", report(rows, where, notes))
    print()
    print(report(rows, where, notes))
    print(f"wrote {args.output.with_suffix('.md')} and .csv")


if __name__ == "__main__":
    main()
