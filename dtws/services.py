"""A cell's services: servers beside Django that its library declares (``Library.services``), run by dtws.

A Redis is Debian's ``redis-server``, which ``make`` installs as it installs
chromium (on GitHub, the workflow installs it on the runner): one per cell that
needs it, on a free port of 127.0.0.1, with no persistence, ready when it
answers PING. It runs on this machine, also for a cell whose processes run in
a container: the container shares this machine's network. Every process of the
cell gets its address (``DTWS_REDIS_URL``).

It starts before the first step that needs it (every step after install) and
is ended with the cell. It carries the run's marks (dtws.reaper), with
``DTWS_SERVICE`` naming its cell instead of ``DTWS_CELL``: what ends a step's
leftovers spares it, the run's watchdog and the next run's sweep do not. Its
output is a log of the cell (``logs/redis.log``), which the record names.

A service that cannot be had (no ``redis-server`` here, one that exits or does
not answer PING in time, one that dies during a step) is a harness error of
every step that needs it, never the library's failure.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from dtws import files, procs, reaper, record
from dtws.library import Service

READY_S = 10.0  # how long a service may take to answer
# The Debian (and Ubuntu) package of each service: what `make` and the workflow's cell jobs install.
PACKAGES: dict[Service, str] = {"redis": "redis-server"}
_VERSION = re.compile(r"\bv=(\S+)")


class Unavailable(RuntimeError):
    """A service that could not be had: one line, the harness's failure."""


@dataclass
class Running:
    """A started service: its record, its process and the variables that give its address to the cell."""

    entry: record.Service
    program: str  # as a reason names it: ``redis-server``
    server: procs.Server
    env: dict[str, str]


def _exited(code: int) -> str:
    return f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"


def _env(cell: str) -> dict[str, str]:
    """This harness's environment, marked as a service of ``cell`` (procs adds the run's marks)."""
    env = {key: value for key, value in os.environ.items() if key not in reaper.MARKS}
    env[reaper.SERVICE] = cell
    return env


def _said(log: IO[bytes], since: int) -> str:
    """The last line the service printed since ``since`` (not dtws's own), for a one-line reason."""
    log.flush()
    with open(log.name, "rb") as written:
        written.seek(since)
        lines = [line.strip() for line in written.read().decode("utf-8", "replace").splitlines()]
    said = [line for line in lines if line and not line.startswith("[dtws]")]
    return said[-1][:200] if said else "no output"


def _ping(port: int, timeout: float) -> bytes:
    """Redis's PING, as its protocol (RESP) sends it; what it answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(b"*1\r\n$4\r\nPING\r\n")
        return connection.recv(64)


def _redis_version(executable: str, env: Mapping[str, str]) -> tuple[str, str | None]:
    """What ``redis-server --version`` says (a line), and the version in it."""
    done = subprocess.run([executable, "--version"], env=env, capture_output=True, text=True, timeout=30, check=False)
    said = done.stdout.strip() or done.stderr.strip()
    found = _VERSION.search(said)
    return said, found.group(1) if found else None


def _redis_here() -> str | None:
    executable = shutil.which("redis-server")
    if executable is None:
        return None
    try:
        return _redis_version(executable, os.environ)[1]
    except (OSError, subprocess.TimeoutExpired):
        return None


def _redis(cell: str, log: IO[bytes], folder: Path) -> Running:
    executable = shutil.which("redis-server")
    if executable is None:
        raise Unavailable(f"redis-server: not found on this machine (apt-get install {PACKAGES['redis']})")
    try:
        said, version = _redis_version(executable, {**_env(cell), **procs.marks()})
    except (OSError, subprocess.TimeoutExpired) as error:
        raise Unavailable(f"redis-server --version failed: {error}") from None
    procs.note(log, f"{executable} --version: {said}")
    port = procs.free_port()
    address = f"redis://127.0.0.1:{port}/0"
    entry = record.Service("redis", version=version, address=address)
    command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    # Redis writes its process title over its environment, where the reaper reads the run's marks: not here.
    command += ["--daemonize", "no", "--set-proc-title", "no", "--dir", str(folder)]
    log.flush()
    since = os.path.getsize(log.name)
    try:
        server = procs.Server(command, cwd=folder, env=_env(cell), log=log)
    except OSError as error:
        raise Unavailable(f"redis-server did not start: {error}") from None
    deadline = time.monotonic() + READY_S
    while True:
        if server.process.poll() is not None:
            code = server.stop()
            assert code is not None
            raise Unavailable(f"redis-server ({_exited(code)}) did not answer PING: {_said(log, since)}")
        try:
            answer = _ping(port, timeout=0.5)
        except OSError:
            answer = b""
        if answer.startswith(b"+PONG"):
            procs.note(log, f"127.0.0.1:{port} answered PING: PONG")
            return Running(entry, "redis-server", server, {"DTWS_REDIS_URL": address})
        if time.monotonic() > deadline:
            server.stop()
            raise Unavailable(f"redis-server did not answer PING on 127.0.0.1:{port} within {READY_S:g} s")
        time.sleep(0.05)


_START: dict[Service, Callable[[str, IO[bytes], Path], Running]] = {"redis": _redis}
_HERE: dict[Service, Callable[[], str | None]] = {"redis": _redis_here}


def versions() -> dict[str, str | None]:
    """The version of each service this machine would run now (None: it has none), which a record's may differ from."""
    return {name: here() for name, here in _HERE.items()}


class Services:
    """A cell's services: none started until a step needs them (``ready``), all ended by ``stop``."""

    def __init__(self, names: Sequence[Service], cell: str, out: Path, scratch: Path) -> None:
        self.names, self.cell, self.out, self.scratch = names, cell, out, scratch
        self.started = False
        self.running: list[Running] = []
        self.entries: list[record.Service] = []  # what the record says of each
        self.logs: list[IO[bytes]] = []
        self.problem: str | None = None

    def ready(self) -> str | None:
        """Start them the first time; then None while every one runs, else why not (one line).

        Raises procs.Stopped when the run is stopping.
        """
        if not self.started:
            self.started = True
            for name in self.names:
                path = self.out / "logs" / f"{name}.log"
                log = files.open_log(path)
                self.logs.append(log)
                try:
                    running = _START[name](self.cell, log, self.scratch)
                except Unavailable as error:
                    procs.note(log, str(error))
                    self.entries.append(record.Service(name, log=str(path.relative_to(self.out)), error=str(error)))
                    self.problem = str(error)
                    break
                running.entry.log = str(path.relative_to(self.out))
                self.entries.append(running.entry)
                self.running.append(running)
        return self.problem or self.died()

    @property
    def env(self) -> dict[str, str]:
        """The addresses of the running services, for every process of the cell."""
        return {key: value for running in self.running for key, value in running.env.items()}

    def died(self) -> str | None:
        """Why a started service no longer runs (it died: a harness error), or None."""
        for running in self.running:
            code = running.server.process.poll()
            if code is not None and running.entry.error is None:
                running.entry.error = f"{running.program} died during the cell ({_exited(code)})"
                procs.note(running.server.log, running.entry.error)
            if running.entry.error is not None:
                return running.entry.error
        return None

    def stop(self) -> None:
        """End every service (each with its process group), and close their logs."""
        for running in self.running:
            running.server.stop()
        for log in self.logs:
            log.close()
