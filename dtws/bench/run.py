"""The bench's run: which cell of each library, its env and servers as the cell has them, the load, the figures.

A library is loaded from its declaration alone (``Library.load``, ``socket_server``,
``processes``, ``services``): a library the bench has no load client for, or
no passing cell of, is reported as such (its status and why), never skipped.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from dtws import files, hosts, interpreters, matrix, procs, published, reaper, record, runner
from dtws.bench import clients, data
from dtws.bench.data import Figures
from dtws.bench.load import level
from dtws.libraries import LIBRARIES, library
from dtws.library import Library
from dtws.matrix import Cell
from dtws.services import Services
from dtws.steps import install
from dtws.steps.base import Context, Servers, socket_launches
from dtws.versions import normalized, series_key

Say = Callable[[str], None]
_CELLS = {cell.env for cell in matrix.CELLS + matrix.TEST_CELLS}
START_S = 90.0  # how long the servers may take to listen
WARM_UP = (1, 5, 30.0)  # the level each server gets first, unmeasured: connections, messages each, seconds


@dataclass(frozen=True)
class Settings:
    levels: tuple[int, ...] = (1, 10, 100, 500)
    messages: int = 1000  # each client sends, at most
    budget: int = 20_000  # deliveries a level asks for: beyond it each client sends fewer (one at least)
    repeat: int = 3
    level_s: float = 60.0  # every level ends by then

    def messages_at(self, size: int) -> int:
        return max(1, min(self.messages, self.budget // (size * size)))


@dataclass(frozen=True)
class Target:
    """What the bench measures of a library: a cell of it, or why none."""

    library: Library
    cell: Cell | None
    version: str | None = None
    why: str | None = None
    image: str = ""  # its processes run in a container of this image ("": here)


class TargetError(ValueError):
    """An argument that names no library and no cell (one line)."""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def records(results: Path) -> list[record.CellRecord]:
    """The cell records of a results folder (``dtws run``'s), those that read."""
    found = []
    for path in sorted(results.glob(f"*/*/{record.FILENAME}")):
        try:
            found.append(record.read(path))
        except record.RecordError:
            continue
    return found


def published_records(where: str) -> list[record.CellRecord]:
    """The cell records of a published results.json (a URL or a file); raises what published.load raises."""
    return [entry.record for entry in published.load(where).results.cells if entry.record is not None]


def image(python: str, in_docker: bool) -> str | None:
    """Where a cell of ``python`` runs: "" here, the official image of its Python (``in_docker``, when this
    machine lacks it and it is one the cells run in: hosts.IN_DOCKER), or None: nowhere."""
    if interpreters.find(python) is not None:
        return ""
    return f"python:{python}" if in_docker and python in hosts.IN_DOCKER else None


def _newest_passing(
    name: str, known: list[record.CellRecord], in_docker: bool
) -> tuple[record.CellRecord | None, str | None]:
    """The library's newest passing cell whose Python this machine has (or, ``in_docker``, its image); else None
    and why."""
    passing = [rec for rec in known if rec.library == name and rec.status == "pass" and rec.cell in _CELLS]
    if not passing:
        return None, "no passing cell of it in the records (run one with `dtws run`, or name a cell)"
    here = [rec for rec in passing if image(rec.python, in_docker) is not None]
    if not here:
        pythons = ", ".join(sorted({rec.python for rec in passing}, key=series_key))
        return None, f"its passing cells need Python {pythons}, which this machine does not have"
    key = lambda rec: (series_key(rec.django), series_key(rec.python), rec.provenance.finished_at or "")  # noqa: E731
    return max(here, key=key), None


def targets(names: list[str], known: list[record.CellRecord], in_docker: bool = False) -> list[Target]:
    """Each argument a library (its newest passing cell of ``known``) or a cell; none: every library of the site.

    ``in_docker``: a cell whose Python this machine lacks runs in a container of its Python's official image.
    """
    chosen: list[Target] = []
    for name in names or [lib.name for lib in LIBRARIES if not lib.test_only]:
        try:
            lib = library(name)
        except KeyError:
            try:
                cell = matrix.get(name)
            except matrix.UnknownCell:
                libraries = ", ".join(item.name for item in LIBRARIES)
                raise TargetError(f"{name!r} is neither a library ({libraries}) nor a cell") from None
            chosen.append(Target(library(cell.library), cell, image=image(cell.python, in_docker) or ""))
            continue
        rec, why = _newest_passing(name, known, in_docker)
        if rec is None:
            chosen.append(Target(lib, None, why=why))
        else:
            where = image(rec.python, in_docker) or ""
            chosen.append(Target(lib, matrix.get(rec.cell), rec.provenance.library_version, image=where))
    return chosen


def previous(where: str) -> data.Bench | None:
    """The bench a new run carries on: a bench.json file, or a site's (a URL or a built site's folder), or None.

    Raises BenchError for a bench.json that is not one, published.Unreadable for a path that is neither a file
    nor a site, or when the site's could not be read.
    """
    return published.previous_file(where, f"{data.SITE}/{data.FILENAME}", data.read)


def installed_version(env_dir: Path, package: str) -> str | None:
    """The version of ``package`` in an env, from its dist-info folder's name."""
    wanted = normalized(package)
    for info in env_dir.glob("lib/python*/site-packages/*.dist-info"):
        name, _, version = info.name[: -len(".dist-info")].rpartition("-")
        if normalized(name) == wanted:
            return version
    return None


def cell_context(
    cell: Cell,
    lib: Library,
    interpreter: interpreters.Interpreter,
    project: Path,
    toxworkdir: Path,
    scratch: Path,
    log: IO[bytes],
    host: hosts.Host,
) -> Context:
    """A cell's context as its steps have it, its processes where ``host`` runs them, with the install's deadline
    (the servers set theirs)."""
    return Context(
        cell=cell,
        solution=lib,
        interpreter=interpreter,
        project=project,
        toxworkdir=toxworkdir,
        scratch=scratch,
        env=dict(runner.cell_env(interpreter), DTWS_SOLUTION=lib.app, **{reaper.CELL: cell.env}),
        log=log,
        deadline=time.monotonic() + install.STEP.timeout_s,
        host=host,
    )


@contextmanager
def ready(target: Target, project: Path, toxworkdir: Path, log: Path, say: Say) -> Iterator[Context | str]:
    """The target's context, here or in its container (``target.image``), its env made (``log``: its log), for as
    long as the block runs; or why not."""
    cell, lib = target.cell, target.library
    assert cell is not None
    with tempfile.TemporaryDirectory(prefix=f"dtws-{cell.env}-") as scratch, files.open_log(log) as opened:
        host: hosts.Host = (
            hosts.Docker(target.image, mounts=[project, toxworkdir, Path(scratch)]) if target.image else hosts.Local()
        )
        try:
            found = _interpreter(host, cell, opened)
            if isinstance(found, str):
                yield found
                return
            ctx = cell_context(cell, lib, found, project, toxworkdir, Path(scratch), opened, host)
            problem = make_env(ctx, say)
            yield ctx if problem is None else problem
        finally:
            host.close(opened)


def _interpreter(host: hosts.Host, cell: Cell, log: IO[bytes]) -> interpreters.Interpreter | str:
    """The cell's interpreter where ``host`` runs it (its container started); or why not (a harness error)."""
    try:
        interpreter = host.interpreter(cell.python, log)
    except hosts.HostError as error:
        return str(error)
    return interpreter or f"no Python {cell.python} interpreter {host.where}"


def make_env(ctx: Context, say: Say) -> str | None:
    """The cell's env, made the way `dtws run` makes it when it is not there; None, or why it is not."""
    if ctx.python.exists():
        ctx.note(f"the cell's env is there: {ctx.env_dir}")
        return None
    say(f"  {ctx.cell.env}: making its env (tox, as `dtws run` does)")
    outcome = install.make(ctx)
    if outcome.verdict != "pass":
        return f"its env could not be made ({outcome.verdict}: {outcome.detail or outcome.exit_code})"
    return None


def _said(
    target: Target,
    status: data.Status,
    why: str | None,
    version: str | None = None,
    levels: list[data.Level] | None = None,
) -> data.LibraryBench:
    return data.LibraryBench(
        library=target.library.name,
        cell=target.cell.env if target.cell else None,
        package=target.library.package,
        version=version or target.version,
        status=status,
        why=why,
        levels=levels or [],
    )


class Bench:
    """One bench run into ``out``: every target's servers, loaded beside the reference's."""

    def __init__(self, settings: Settings, project: Path, toxworkdir: Path, out: Path, say: Say) -> None:
        self.settings, self.project, self.toxworkdir, self.out, self.say = settings, project, toxworkdir, out, say

    def measure(self, target: Target) -> data.LibraryBench:
        lib, cell = target.library, target.cell
        missing = clients.missing(lib.load)
        if missing is not None:
            return _said(target, "no load client", missing)
        if cell is None:
            return _said(target, "no passing cell", target.why)
        with ready(target, self.project, self.toxworkdir, self.out / "logs" / f"{lib.name}.log", self.say) as ctx:
            if isinstance(ctx, str):
                return _said(target, "error", ctx)
            version = target.version or installed_version(ctx.env_dir, lib.package)
            levels, problem = self._served(ctx)
            ctx.log.flush()
            problem = problem or lib.built_without(Path(ctx.log.name).read_bytes())  # the machine's, not the library's
            if problem is not None:
                return _said(target, "error", problem, version)
            return _said(target, "measured", None, version, levels)

    def _served(self, ctx: Context) -> tuple[list[data.Level], str | None]:
        # Its services' logs: services/<library>/logs/ (a Redis's, say).
        services = Services(ctx.solution.services, ctx.cell.env, self.out / "services" / ctx.solution.name, ctx.scratch)
        try:
            problem = services.ready()
            if problem is not None:
                return [], problem
            ctx.env.update(services.env)
            ctx.deadline = time.monotonic() + START_S
            ports = procs.free_ports(ctx.solution.processes + 1)
            with (
                Servers(ctx, socket_launches(ctx, ports[1:])) as servers,
                files.open_log(self.out / "logs" / f"reference-{ctx.solution.name}.log") as ref_log,
                procs.Server(
                    [sys.executable, "-m", "dtws.bench.reference", "--port", str(ports[0])],
                    cwd=self.project,
                    env=os.environ,
                    log=ref_log,
                ) as reference,
            ):
                if servers.listening("the server never listened") is not None:
                    return [], "its socket server never listened (see its log)"
                if not reference.wait_for_port(ports[0], ctx.deadline):
                    return [], "the reference server never listened (dtws's own failure)"
                pids = ctx.host.measured([server.process.pid for server in servers.servers])
                return self._levels(ctx.solution, ports[1:], pids, ports[0], reference.process.pid), None
        finally:
            services.stop()
            ctx.host.after_step(ctx.log, ctx.cell.env)

    def _levels(self, lib: Library, ports: list[int], pids: list[int], ref_port: int, ref_pid: int) -> list[data.Level]:
        assert lib.load is not None
        load = lib.load
        ours: dict[int, list[Figures]] = {}
        theirs: dict[int, list[Figures]] = {}
        make = clients.MAKERS[load.wire]
        bare = clients.MAKERS["rfc6455"]
        reference_load = type(load)("rfc6455", "/")
        size, messages, most = WARM_UP  # what a server does once only (imports, first requests) is not measured
        seconds = min(most, self.settings.level_s)
        asyncio.run(level(lambda p, r: bare(p, reference_load, r), [ref_port], [ref_pid], size, messages, seconds))
        asyncio.run(level(lambda p, r: make(p, load, r), ports, pids, size, messages, seconds))
        for turn in range(self.settings.repeat):
            for size in self.settings.levels:
                messages, seconds = self.settings.messages_at(size), self.settings.level_s
                ref = asyncio.run(
                    level(lambda p, r: bare(p, reference_load, r), [ref_port], [ref_pid], size, messages, seconds)
                )
                mine = asyncio.run(level(lambda p, r: make(p, load, r), ports, pids, size, messages, seconds))
                theirs.setdefault(size, []).append(ref)
                ours.setdefault(size, []).append(mine)
                self.say(f"  {lib.name} turn {turn + 1}/{self.settings.repeat} C={size}: {_brief(mine, ref)}")
        return [data.level(ours[size], theirs[size]) for size in self.settings.levels]


def _brief(mine: Figures, ref: Figures) -> str:
    return (
        f"{mine.throughput:.0f} msg/s ({mine.outcome}, {mine.delivered}/{mine.expected}),"
        f" reference {ref.throughput:.0f} msg/s"
    )


def bench(
    chosen: list[Target],
    settings: Settings,
    *,
    project: Path,
    toxworkdir: Path,
    out: Path,
    previous: data.Bench | None,
    say: Say,
) -> data.Bench:
    """Measure every target in turn; the run, with the previous runs' history, written to ``out/bench.json``."""
    procs.begin()
    started = now()
    runner_ = Bench(settings, project, toxworkdir, out, say)
    measured = []
    for target in chosen:
        say(f"{target.library.name}: {target.cell.env if target.cell else 'no cell'}")
        try:
            measured.append(runner_.measure(target))
        except Exception as error:  # the bench's own failure on one library: its record says so, the run goes on
            measured.append(_said(target, "error", f"dtws error: {type(error).__name__}: {error}"))
        finally:  # whatever of its cell is still running (an install cut short included) ends with it
            if target.cell is not None:
                reaper.end(procs.RUN_ID, target.cell.env)
    commit = runner.head_commit(project)
    run = data.Run(
        started_at=started,
        finished_at=now(),
        commit=commit,
        run_id=os.environ.get("GITHUB_RUN_ID"),
        job_url=os.environ.get("DTWS_JOB_URL"),
        platform=platform.platform(),
        cpus=os.cpu_count() or 1,
        settings=data.RunSettings(
            levels=list(settings.levels),
            messages=settings.messages,
            budget=settings.budget,
            repeat=settings.repeat,
            level_s=settings.level_s,
        ),
        libraries=measured,
    )
    result = data.with_history(run, previous)
    data.write(result, out / data.FILENAME)
    return result
