"""Processes of a cell: each in its own process group, with a timeout, output to a log.

Every group started here is remembered until it is gone, so that a harness
that is told to stop (SIGTERM, Ctrl-C) can kill all of them: no process of a
cell outlives the cell.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_LIVE: set[int] = set()
_LOCK = threading.Lock()
_STOPPING = threading.Event()
GRACE_S = 3.0


class Stopped(Exception):
    pass


@dataclass(frozen=True)
class Finished:
    exit_code: int | None
    timed_out: bool
    duration_s: float


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs; zombies (exited, not yet reaped) do not count."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def kill_group(pgid: int) -> None:
    """SIGTERM the whole group, then SIGKILL whatever is left after a short grace."""
    for sig, wait in ((signal.SIGTERM, GRACE_S), (signal.SIGKILL, GRACE_S)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _group_alive(pgid):
            time.sleep(0.05)
        if not _group_alive(pgid):
            break
    with _LOCK:
        _LIVE.discard(pgid)


def stopping() -> bool:
    return _STOPPING.is_set()


def stop_all() -> None:
    """Stop: no new process starts, and every group this process started is killed."""
    _STOPPING.set()
    kill_all()


def kill_all() -> None:
    """Kill every group this process started that may still be alive."""
    with _LOCK:
        groups = list(_LIVE)
    for pgid in groups:
        kill_group(pgid)


def note(log: IO[bytes], line: str) -> None:
    log.write(f"[dtws] {line}\n".encode("utf-8", "replace"))
    log.flush()


def _spawn(command: Sequence[str], cwd: Path, env: Mapping[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    if stopping():
        raise Stopped("the run is stopping")
    note(log, "$ " + shlex.join(command))
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    with _LOCK:
        _LIVE.add(process.pid)
    if stopping():
        kill_group(process.pid)
    return process


def run(command: Sequence[str], *, cwd: Path, env: Mapping[str, str], log: IO[bytes], timeout_s: float) -> Finished:
    """Run to the end or to the timeout; either way the whole group is gone afterwards."""
    started = time.monotonic()
    process = _spawn(command, cwd, env, log)
    timed_out = False
    try:
        process.wait(timeout=max(timeout_s, 0.0))
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        kill_group(process.pid)
        process.wait()
    duration = time.monotonic() - started
    if timed_out:
        note(log, f"timeout: killed the process group after {duration:.1f} s (limit {timeout_s:g} s)")
        return Finished(None, True, duration)
    note(log, f"exit code {process.returncode} after {duration:.1f} s")
    return Finished(process.returncode, False, duration)


class Server:
    """A server process of a step: started, probed on its port, then stopped with its group."""

    def __init__(self, command: Sequence[str], *, cwd: Path, env: Mapping[str, str], log: IO[bytes]) -> None:
        self.log = log
        self.started = time.monotonic()
        self.process = _spawn(command, cwd, env, log)

    def wait_for_port(self, port: int, deadline: float) -> bool:
        """True once 127.0.0.1:port accepts; False if the server exits or the deadline passes."""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                note(self.log, f"the server exited with code {self.process.returncode} before it listened")
                return False
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    note(self.log, f"127.0.0.1:{port} accepts connections")
                    return True
            except OSError:
                time.sleep(0.1)
        note(self.log, f"127.0.0.1:{port} did not accept connections in time")
        return False

    def stop(self) -> int | None:
        """Stop the group; the server's own exit code if it had already exited, else None."""
        own = self.process.poll()
        kill_group(self.process.pid)
        self.process.wait()
        if own is None:
            note(self.log, f"stopped the server after {time.monotonic() - self.started:.1f} s")
        return own

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
