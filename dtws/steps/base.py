"""What a step is (StepSpec), what it gets (Context) and gives back (Outcome)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

from dtws import procs
from dtws.hosts import Host
from dtws.interpreters import Interpreter
from dtws.library import Library, Probes
from dtws.matrix import Cell
from dtws.record import Declared, Installed, StepVerdict, Tried
from dtws.solutions import probes

StepName = Literal["install", "check", "test", "django-server", "websocket-server", "round-trip", "browser"]
Installer = Literal["uv", "pip"]


@dataclass
class Context:
    cell: Cell
    solution: Library
    interpreter: Interpreter
    project: Path  # where manage.py and tox.ini are
    toxworkdir: Path
    scratch: Path  # per-cell files that are not evidence (coverage data)
    env: dict[str, str]  # environment of every process of the cell
    log: IO[bytes]
    deadline: float  # time.monotonic() by which the step must be done
    host: Host  # where the cell's processes run: here, or in its container
    as_of: str | None = None  # the day (ISO) of the dated index the cell installs from (dtws.asof)

    @property
    def probes(self) -> Probes:
        """How the steps talk to the library's servers (dtws/solutions/)."""
        return probes(self.solution)

    @property
    def env_dir(self) -> Path:
        return self.toxworkdir / self.cell.env

    @property
    def python(self) -> Path:
        return self.env_dir / "bin" / "python"

    def manage(self, *args: str) -> list[str]:
        return [str(self.python), "manage.py", *args]

    def note(self, line: str) -> None:
        procs.note(self.log, line)

    def run(
        self, command: list[str], *, env: Mapping[str, str] | None = None, timeout_s: float | None = None
    ) -> procs.Finished:
        """Run a process of the cell (where the host puts it) to its end, or to the step's deadline."""
        spawn, spawn_env = self.host.wrap(command, self.project, self.env if env is None else env)
        limit = self.deadline - time.monotonic() if timeout_s is None else timeout_s
        return procs.run(spawn, cwd=self.project, env=spawn_env, log=self.log, timeout_s=limit)

    def server(self, command: list[str], *, env: Mapping[str, str] | None = None) -> procs.Server:
        """Start a server of the cell (where the host puts it); it listens on 127.0.0.1 of this machine."""
        spawn, spawn_env = self.host.wrap(command, self.project, self.env if env is None else env)
        return procs.Server(spawn, cwd=self.project, env=spawn_env, log=self.log)


@dataclass
class Evidence:
    """What the install put in the env, read right after it (dtws.steps.evidence), for the cell's record."""

    packages: dict[str, str]  # as the installer's freeze names them
    django_version: str | None
    library_version: str | None
    declared: Declared | None  # what the library's metadata claims
    installed: Installed | None  # its tree, docs and tests: read after an install that passed only


@dataclass
class Outcome:
    verdict: StepVerdict  # pass, fail, timeout, unavailable (what it needs is not here), error (harness error)
    command: list[str] | None = None
    exit_code: int | None = None
    detail: str | None = None
    facts: dict[str, float] = field(default_factory=dict)
    installer: Installer | None = None  # the install step's: what installed the env's packages
    tried: list[Tried] = field(default_factory=list)  # the install step's: what it resolved or tried to (dtws.tried)
    evidence: Evidence | None = None  # the install step's: what it put in the env


@dataclass(frozen=True)
class StepSpec:
    """A step of every cell, declared by its module as ``STEP`` (dtws.steps lists them in order)."""

    name: StepName
    needs: tuple[StepName, ...]  # the steps that must have passed
    timeout_s: float
    services: bool  # whether it runs with its library's services (dtws.services) up
    run: Callable[[Context], Outcome]


def from_finished(command: list[str], finished: procs.Finished, detail: str | None = None) -> Outcome:
    if finished.timed_out:
        return Outcome("timeout", command, None, detail)
    verdict: StepVerdict = "pass" if finished.exit_code == 0 else "fail"
    return Outcome(verdict, command, finished.exit_code, detail)


@dataclass(frozen=True)
class Launch:
    """A server a step starts: its command, the port it must listen on, its environment."""

    command: list[str]
    port: int
    env: dict[str, str]


# A control of dtws's tests: the last of several socket server processes gets this Redis instead of the
# cell's, so that what crosses between them through Redis cannot (tests/test_wsredis.py).
APART = "DTWS_REDIS_APART"


def socket_launches(ctx: Context, ports: list[int]) -> list[Launch]:
    """The library's socket server processes, one on each port (its settings read DTWS_SOCKETIO_PORT)."""
    launches = [
        Launch([str(ctx.python), *ctx.solution.server_args(port)], port, dict(ctx.env, DTWS_SOCKETIO_PORT=str(port)))
        for port in ports
    ]
    apart = ctx.env.get(APART)
    if apart and len(launches) > 1:
        ctx.note(f"{APART}: the last process on {apart}, not on the cell's Redis")
        launches[-1].env["DTWS_REDIS_URL"] = apart
    return launches


class Servers:
    """A step's servers: started together, each waited for on its port, stopped together with their groups."""

    def __init__(self, ctx: Context, launches: list[Launch]) -> None:
        self.ctx, self.launches = ctx, launches
        self.servers: list[procs.Server] = []
        try:
            for launch in launches:
                self.servers.append(ctx.server(launch.command, env=launch.env))
        except BaseException:
            self.stop()
            raise

    def listening(self, said: str) -> Outcome | None:
        """None once every server listens; else the step's outcome (``said``: its detail)."""
        for server, launch in zip(self.servers, self.launches, strict=True):
            if not server.wait_for_port(launch.port, self.ctx.deadline):
                code = server.stop()
                return Outcome("timeout" if code is None else "fail", launch.command, code, said)
        return None

    def settle(self) -> None:
        """What a failure prints (a traceback) may still be on its way: wait until the servers are quiet."""
        until = min(self.ctx.deadline, time.monotonic() + 2.0)
        for server in self.servers:
            server.settle(deadline=until)

    def stop(self) -> tuple[list[str], int | None]:
        """Stop them all; the command and own exit code of the first that had exited, else the first's and None."""
        codes = [server.stop() for server in self.servers]
        exited = next((index for index, code in enumerate(codes) if code is not None), 0)
        return self.launches[exited].command, codes[exited] if codes else None

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def with_socket_servers(ctx: Context, probe: Callable[[list[int]], str]) -> Outcome:
    """Start the library's socket server processes (``processes`` of them, each on a free port), probe them, stop them.

    ``probe`` gets their ports, in the order they were started.
    """
    ports = procs.free_ports(ctx.solution.processes)
    with Servers(ctx, socket_launches(ctx, ports)) as servers:
        never = servers.listening("the server never listened")
        if never is not None:
            return never
        try:
            detail = probe(ports)
        except Exception as error:  # a probe's every failure is the step's evidence
            ctx.note(f"probe failed: {type(error).__name__}: {error}")
            verdict: StepVerdict = "timeout" if isinstance(error, TimeoutError) else "fail"
            servers.settle()
            command, code = servers.stop()
            return Outcome(verdict, command, code, f"{type(error).__name__}: {error}")
        ctx.note(detail)
        command, code = servers.stop()
        return Outcome("pass", command, code, detail)
