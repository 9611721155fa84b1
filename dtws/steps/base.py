"""What every step gets (Context) and gives back (Outcome)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from dtws import procs
from dtws.hosts import Host
from dtws.interpreters import Interpreter
from dtws.library import Library
from dtws.matrix import Cell
from dtws.record import StepVerdict


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
class Outcome:
    verdict: StepVerdict  # pass, fail, timeout, unavailable (what it needs is not here), error (harness error)
    command: list[str] | None = None
    exit_code: int | None = None
    detail: str | None = None
    facts: dict[str, float] = field(default_factory=dict)
    installer: str | None = None  # the install step's: what installed the env's packages


def from_finished(command: list[str], finished: procs.Finished, detail: str | None = None) -> Outcome:
    if finished.timed_out:
        return Outcome("timeout", command, None, detail)
    verdict: StepVerdict = "pass" if finished.exit_code == 0 else "fail"
    return Outcome(verdict, command, finished.exit_code, detail)


def with_socket_server(ctx: Context, probe: Callable[[int, float, Callable[[str], None]], str]) -> Outcome:
    """Start the library's socket server on a free port, run ``probe`` against it, stop it."""
    port = procs.free_port()
    command = [str(ctx.python), *ctx.solution.socket_server(port)]
    env = dict(ctx.env, DTWS_SOCKETIO_PORT=str(port))
    with ctx.server(command, env=env) as server:
        if not server.wait_for_port(port, ctx.deadline):
            code = server.stop()
            return Outcome("timeout" if code is None else "fail", command, code, "the server never listened")
        try:
            detail = probe(port, ctx.deadline, ctx.note)
        except Exception as error:  # a probe's every failure is the step's evidence
            ctx.note(f"probe failed: {type(error).__name__}: {error}")
            verdict: StepVerdict = "timeout" if isinstance(error, TimeoutError) else "fail"
            # The traceback behind a failure may still be on its way: wait until the server is quiet.
            server.settle(deadline=min(ctx.deadline, time.monotonic() + 2.0))
            return Outcome(verdict, command, server.stop(), f"{type(error).__name__}: {error}")
        ctx.note(detail)
        return Outcome("pass", command, server.stop(), detail)
