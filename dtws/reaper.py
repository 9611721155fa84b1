"""No process of a cell outlives its run, whatever happens to the harness.

Every process dtws starts carries marks in its environment (``DTWS_RUN``, the
run's id, and ``DTWS_RUN_PID``, the harness's pid and start time; the cell's
processes also ``DTWS_CELL``). A child inherits them, also one that calls ``setsid`` to leave
its process group, so the marks find what a process group cannot. A cell's service (a Redis,
dtws.services) carries ``DTWS_SERVICE`` (its cell) instead of ``DTWS_CELL``: it outlives
each step, not the cell, and not the run:

- after each step, the cell's own marked processes are killed (``end``);
- a watchdog process, started with the first process of a run, waits for the
  harness to die (even by SIGKILL or the OOM killer), then kills every process
  and removes every container of that run (``python -m dtws.reaper``);
- a new run first ends what an earlier run left, should even the watchdog have
  been killed, and says so (``sweep``).

Containers of the docker path carry the same marks as labels.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

RUN = "DTWS_RUN"
RUN_PID = "DTWS_RUN_PID"
CELL = "DTWS_CELL"
SERVICE = "DTWS_SERVICE"
MARKS = (RUN, RUN_PID, CELL, SERVICE)
POLL_S = 0.5


@dataclass(frozen=True)
class Marked:
    pid: int
    marks: dict[str, str]
    cmdline: str


def _environ(pid: str) -> dict[str, str]:
    try:
        raw = Path("/proc", pid, "environ").read_bytes()
    except OSError:
        return {}
    found = {}
    for item in raw.split(b"\0"):
        key, sep, value = item.partition(b"=")
        if sep and key.decode("ascii", "replace") in MARKS:
            found[key.decode()] = value.decode("utf-8", "replace")
    return found


def marked() -> Iterator[Marked]:
    """Every live process that carries a run's mark (zombies excluded)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        marks = _environ(entry.name)
        if RUN not in marks:
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            continue
        if stat[stat.rfind(")") + 2 :].split()[0] in ("Z", "X"):
            continue
        yield Marked(int(entry.name), marks, cmdline)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _started(pid: int) -> str | None:
    """When a process started (clock ticks since boot), which tells it from a later one given the same pid."""
    try:
        stat = Path("/proc", str(pid), "stat").read_text()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2 :].split()[19]


def _namespace() -> str:
    """This process's pid namespace: a pid means the same process only within one."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def harness_mark() -> str:
    """This process as the harness of a run: ``<pid>:<start time>:<pid namespace>``."""
    return f"{os.getpid()}:{_started(os.getpid())}:{_namespace()}"


def harness_alive(marks: dict[str, str]) -> bool:
    """Whether the harness that started a marked process still runs (same pid, same start time).

    A harness of another pid namespace (a dtws inside a container, seen from the host) cannot be
    judged from here by its pid: it counts as alive, and its processes are its own to end.
    """
    pid, _, rest = marks.get(RUN_PID, "").partition(":")
    started, _, namespace = rest.partition(":")
    if namespace != _namespace():
        return True
    return pid.isdigit() and _alive(int(pid)) and _started(int(pid)) == started


def kill(which: Callable[[Marked], bool], rounds: int = 5) -> list[Marked]:
    """SIGKILL every marked process ``which`` accepts, again until none is left (a fork may race a round)."""
    ended: dict[int, Marked] = {}
    for _ in range(rounds):
        found = [item for item in marked() if which(item)]
        if not found:
            break
        for item in found:
            try:
                os.kill(item.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                continue
            ended.setdefault(item.pid, item)
        time.sleep(0.1)
    return list(ended.values())


def end(run: str, cell: str) -> list[Marked]:
    """Kill what a cell left running in this run (a child that escaped its group with setsid)."""
    return kill(lambda item: item.marks.get(RUN) == run and item.marks.get(CELL) == cell)


def _containers(label_filter: str) -> list[str]:
    docker = shutil.which("docker")
    if docker is None:
        return []
    try:
        done = subprocess.run(
            [docker, "ps", "--all", "--filter", f"label={label_filter}", "--format", "{{.ID}} {{.Labels}}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    return done.stdout.split("\n") if done.returncode == 0 else []


def _remove_containers(ids: list[str]) -> None:
    docker = shutil.which("docker")
    if docker and ids:
        subprocess.run([docker, "rm", "--force", *ids], capture_output=True, timeout=120, check=False)


def _label(labels: str, name: str) -> str:
    for item in labels.split(","):
        key, _, value = item.partition("=")
        if key == name:
            return value
    return ""


def sweep() -> list[str]:
    """End what earlier runs left (their harness is gone); one line for each thing ended."""
    said = [
        f"pid {item.pid} of run {item.marks[RUN][:8]}: {item.cmdline[:120]}"
        for item in kill(lambda item: not harness_alive(item.marks))
    ]
    stale = []
    for line in _containers("dtws.run"):
        container, _, labels = line.strip().partition(" ")
        if container and not harness_alive({RUN_PID: _label(labels, "dtws.harness")}):
            stale.append(container)
    _remove_containers(stale)
    said += [f"container {container}" for container in stale]
    return said


def watch(harness: str, run: str) -> None:
    """Wait for the harness (``<pid>:<start time>``) to end, then end every process and container of its run."""
    while harness_alive({RUN_PID: harness}):
        time.sleep(POLL_S)
    kill(lambda item: item.marks.get(RUN) == run)
    _remove_containers([line.split(" ", 1)[0] for line in _containers(f"dtws.run={run}") if line.strip()])


def start_watchdog(run: str) -> None:
    """The watchdog of this harness, in a session of its own (what kills the harness's group spares it).

    It forks away from the process started here, which exits at once: the watchdog is no child of
    the harness, which has nothing to wait for.
    """
    env = {key: value for key, value in os.environ.items() if key not in MARKS}
    subprocess.run(
        [sys.executable, "-m", "dtws.reaper", harness_mark(), run],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        check=True,
        timeout=60,
    )


if __name__ == "__main__":
    if os.fork() == 0:
        watch(sys.argv[1], sys.argv[2])
