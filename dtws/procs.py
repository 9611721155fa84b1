"""Processes of a cell: each in its own process group, with a timeout, output to a log.

Every group started here is remembered until it is gone, so that a harness
that is told to stop (SIGTERM, Ctrl-C) can kill all of them: no process of a
cell outlives the cell.

What a process prints goes through a pump, never straight into its log: the
first HEAD_BYTES in full, then only the last TAIL_BYTES, with a line that says
how many bytes were dropped between. A step that prints without stopping can
fill neither the disk nor the harness's memory.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from dtws import reaper, reasons

_LIVE: set[int] = set()
_LOCK = threading.Lock()
_STOPPING = threading.Event()
GRACE_S = 3.0
HEAD_BYTES = 2 * 1024 * 1024  # what a process may write to its log in full
TAIL_BYTES = 512 * 1024  # past that, only its last bytes are kept
_DROPPED: dict[str, int] = {}  # log path -> bytes dropped from it
RUN_ID = uuid.uuid4().hex  # this harness's run: every process it starts carries it (dtws.reaper)
_WATCHED = threading.Event()  # this harness's watchdog is running
_BEGIN = threading.Lock()


class Stopped(Exception):
    pass


@dataclass(frozen=True)
class Finished:
    exit_code: int | None
    timed_out: bool
    duration_s: float


class _Pump(threading.Thread):
    """Copies a process's output into its log: the head in full, then only the tail; counts the rest."""

    def __init__(self, source: IO[bytes], log: IO[bytes]) -> None:
        super().__init__(daemon=True, name=f"pump {log.name}")
        self.source, self.log = source, log
        self.written = 0
        self.tail = bytearray()
        self.dropped = 0
        self.received = 0  # bytes read from the process so far

    def run(self) -> None:
        fd = self.source.fileno()
        while chunk := os.read(fd, 1 << 16):
            self.received += len(chunk)
            room = HEAD_BYTES - self.written
            if room > 0:
                self._write(chunk[:room])
                self.written += min(room, len(chunk))
                chunk = chunk[room:]
            if chunk:
                self.tail += chunk
                if len(self.tail) > TAIL_BYTES:
                    cut = len(self.tail) - TAIL_BYTES
                    del self.tail[:cut]
                    self.dropped += cut
        if self.dropped:
            with _LOCK:
                _DROPPED[str(self.log.name)] = _DROPPED.get(str(self.log.name), 0) + self.dropped
            self._write(
                f"\n[dtws] output cut: {self.dropped} bytes dropped here; the first {HEAD_BYTES} and the last"
                f" {len(self.tail)} bytes are kept\n".encode()
            )
        self._write(bytes(self.tail) + (b"\n" if self.dropped and not self.tail.endswith(b"\n") else b""))
        self.source.close()

    def _write(self, data: bytes) -> None:
        try:
            self.log.write(data)
            self.log.flush()
        except ValueError:  # the log was closed: an escaped process printed after its step ended
            pass


def dropped(log: IO[bytes]) -> int:
    """Bytes dropped from this log so far by the cap on what a process may write."""
    with _LOCK:
        return _DROPPED.get(str(log.name), 0)


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs; zombies (exited, not yet reaped) do not count."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    return any(
        len(fields) > 2 and int(fields[2]) == pgid and fields[0] not in ("Z", "X") for _pid, fields in each_stat()
    )


def each_stat() -> Iterator[tuple[int, list[str]]]:
    """Every process of /proc, with the fields of its stat after its command (state, parent, group, ...)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        yield int(entry.name), stat[stat.rfind(")") + 2 :].split()


def kill_group(pgid: int, *, term: bool = True) -> None:
    """SIGTERM the whole group, then SIGKILL whatever is left after a short grace (``term=False``: SIGKILL at once).

    Whether the group is gone is asked again after 2 ms, then twice as long each time up to 50 ms: a killed
    server is gone within a few ms, and a fixed 50 ms cost each stopped server that much (some 0.3 s a cell).
    """
    for sig, wait in ((signal.SIGTERM, GRACE_S), (signal.SIGKILL, GRACE_S))[0 if term else 1 :]:
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline, pause = time.monotonic() + wait, 0.002
        while time.monotonic() < deadline and _group_alive(pgid):
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
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


def begin() -> None:
    """Once per harness, before its first cell: end what earlier runs left, and start this run's watchdog.

    Its own lock: a stop signal handled meanwhile takes _LOCK (kill_all), which must never wait on this.
    """
    with _BEGIN:
        if not _WATCHED.is_set():
            for line in reaper.sweep():
                sys.stderr.write(f"dtws: ended what an earlier run left: {reasons.terminal_text(line)}\n")
            reaper.start_watchdog(RUN_ID)
            _WATCHED.set()


def marks() -> dict[str, str]:
    """The environment marks of this run's processes (dtws.reaper)."""
    begin()
    return {reaper.RUN: RUN_ID, reaper.RUN_PID: reaper.harness_mark()}


def _spawn(
    command: Sequence[str], cwd: Path, env: Mapping[str, str], log: IO[bytes], cleanup: bool = False
) -> tuple[subprocess.Popen[bytes], _Pump]:
    if stopping() and not cleanup:
        raise Stopped("the run is stopping")
    note(log, "$ " + shlex.join(command))
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env={**env, **marks()},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert process.stdout is not None
    pump = _Pump(process.stdout, log)
    pump.start()
    with _LOCK:
        _LIVE.add(process.pid)
    if stopping():
        kill_group(process.pid)
    return process, pump


def _drain(pump: _Pump) -> None:
    """Let the pump write what is left; a process that escaped the group may hold the pipe: do not wait for it."""
    pump.join(timeout=GRACE_S)


def run(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log: IO[bytes],
    timeout_s: float,
    cleanup: bool = False,
) -> Finished:
    """Run to the end or to the timeout; either way the whole group is gone afterwards.

    ``cleanup``: a command that cleans up after a cell, which runs even when the run is stopping.
    """
    started = time.monotonic()
    process, pump = _spawn(command, cwd, env, log, cleanup)
    timed_out = False
    try:
        process.wait(timeout=max(timeout_s, 0.0))
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        kill_group(process.pid)
        process.wait()
        _drain(pump)
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
        self.process, self.pump = _spawn(command, cwd, env, log)

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
                time.sleep(0.02)
        note(self.log, f"127.0.0.1:{port} did not accept connections in time")
        return False

    def settle(self, deadline: float, quiet_s: float = 0.2) -> None:
        """Wait until the server has printed nothing for ``quiet_s`` (or has exited), at most until ``deadline``."""
        seen, since = self.pump.received, time.monotonic()
        while time.monotonic() < deadline and self.process.poll() is None:
            time.sleep(0.02)
            if self.pump.received != seen:
                seen, since = self.pump.received, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return

    def stop(self) -> int | None:
        """Kill the group; the server's own exit code if it had already exited, else None.

        SIGKILL at once: the step has had what it needed of the server, and nothing the server printed is
        lost (its output is unbuffered). On SIGTERM, daphne and uvicorn took 0.1-0.5 s to shut down, and
        daphne now and then not at all, until the grace ran out.
        """
        own = self.process.poll()
        kill_group(self.process.pid, term=False)
        self.process.wait()
        _drain(self.pump)
        if own is None:
            note(self.log, f"stopped the server after {time.monotonic() - self.started:.1f} s")
        return own

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """``count`` free ports of 127.0.0.1, each a different one (all held open while they are picked)."""
    with contextlib.ExitStack() as held:
        ports = []
        for _ in range(count):
            probe = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            probe.bind(("127.0.0.1", 0))
            ports.append(int(probe.getsockname()[1]))
        return ports
