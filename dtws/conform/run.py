"""The conformance run: the suite against each library's echo, on its newest passing cell, and the reference's.

The cells are the bench's (dtws.bench.run.targets: a library's newest passing
cell whose Python is here, or with --in-docker in its image, or a cell named),
their envs and servers as the bench
has them (the env made when it is not there, the services started, the socket
server processes on free ports). The suite runs against the first process's echo
(``Library.echo``), then the servers stop; the bare ``websockets`` echo
(dtws.conform.reference) runs in the same run. Each server's suite is bounded
(SUITE_S), and whatever of a cell still runs afterwards is ended.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import IO

from dtws import files, hosts, procs, published, reaper, runner
from dtws.bench.run import Target, installed_version, now, ready
from dtws.conform import data, suite
from dtws.hosts import Host
from dtws.services import Services
from dtws.steps.base import Context, Servers, socket_launches

Say = Callable[[str], None]
START_S = 90.0  # how long the servers may take to listen
SUITE_S = 300.0  # the suite against one server: about 12 s; a server that makes every case wait is cut here


def _said(target: Target, status: data.Status, why: str | None, version: str | None = None) -> data.Endpoint:
    echo = target.library.echo
    return data.Endpoint(
        library=target.library.name,
        cell=target.cell.env if target.cell else None,
        package=target.library.package,
        version=version or target.version,
        path=echo.path if echo else None,
        status=status,
        why=why,
    )


class Conform:
    """One run into ``out``: the reference's echo, then every target's, each through the suite."""

    def __init__(
        self, tested: suite.Suite, cases: list[str], project: Path, toxworkdir: Path, out: Path, say: Say
    ) -> None:
        self.suite, self.cases, self.project, self.toxworkdir = tested, cases, project, toxworkdir
        self.out, self.say = out, say
        self.expected: list[str] | None = None  # the reference's cases, once it ran

    def _suite(self, endpoint: data.Endpoint, url: str, log: IO[bytes]) -> data.Endpoint:
        """``endpoint`` with its cases, the suite run against ``url``."""
        reports = self.out / "reports" / files.part(endpoint.library)
        self.say(f"  the suite against {url}")
        if not self.suite.run(endpoint.library, url, reports, log, SUITE_S, self.cases):
            return _replace(endpoint, "error", f"the suite did not finish within {SUITE_S:.0f} s (see its log)")
        try:
            cases = suite.cases(reports, endpoint.library, self.out)
        except suite.SuiteError as error:
            return _replace(endpoint, "error", str(error))
        report = reports / "index.html"
        shown = str(report.relative_to(self.out)) if report.is_file() else None
        return dataclasses.replace(endpoint, status="tested", why=self._stopped(cases), report=shown, cases=cases)

    def _stopped(self, cases: list[data.Case]) -> str | None:
        """Why the suite ran fewer cases than against the reference: it stops when the server no longer answers."""
        if self.expected is None or len(cases) >= len(self.expected):
            return None
        last = cases[-1].id if cases else "none"
        return (
            f"the suite stopped after {len(cases)} of {len(self.expected)} cases: the server no longer accepted"
            f" connections after case {last} (see its log)"
        )

    def reference(self) -> data.Endpoint:
        endpoint = data.Endpoint(
            library=data.REFERENCE,
            cell=None,
            package="websockets",
            version=metadata.version("websockets"),
            path="/",
            status="error",
        )
        port = procs.free_port()
        with (
            files.open_log(self.out / "logs" / f"{data.REFERENCE}.log") as log,
            procs.Server(
                [sys.executable, "-m", "dtws.conform.reference", "--port", str(port)],
                cwd=self.project,
                env=os.environ,
                log=log,
            ) as server,
        ):
            if not server.wait_for_port(port, time.monotonic() + START_S):
                return _replace(endpoint, "error", "the reference echo never listened (dtws's own failure)")
            tested = self._suite(endpoint, f"ws://127.0.0.1:{port}/", log)
            self.expected = [case.id for case in tested.cases] if tested.status == "tested" else None
            return tested

    def test(self, target: Target) -> data.Endpoint:
        lib, cell = target.library, target.cell
        if lib.echo is None:
            return _said(target, "no echo", "dtws declares no echo endpoint of it yet")
        if lib.echo.path is None:
            return _said(target, "no echo", lib.echo.missing)
        if cell is None:
            return _said(target, "no passing cell", target.why)
        log = self.out / "logs" / f"{files.part(lib.name)}.log"
        with ready(target, self.project, self.toxworkdir, log, self.say) as ctx:
            if isinstance(ctx, str):
                return _said(target, "error", ctx)
            version = target.version or installed_version(ctx.env_dir, lib.package)
            return self._served(ctx, _said(target, "error", None, version), lib.echo.path)

    def _served(self, ctx: Context, endpoint: data.Endpoint, path: str) -> data.Endpoint:
        services = Services(ctx.solution.services, ctx.cell.env, self.out / "services" / ctx.solution.name, ctx.scratch)
        try:
            problem = services.ready()
            if problem is not None:
                return _replace(endpoint, "error", problem)
            ctx.env.update(services.env)
            ctx.deadline = time.monotonic() + START_S
            ports = procs.free_ports(ctx.solution.processes)
            with Servers(ctx, socket_launches(ctx, ports)) as servers:
                if servers.listening("the server never listened") is not None:
                    return _replace(endpoint, "error", "its socket server never listened (see its log)")
                return self._suite(endpoint, f"ws://127.0.0.1:{ports[0]}{path}", ctx.log)
        finally:
            services.stop()


def previous(where: str) -> data.Conformance | None:
    """The conformance.json a new run carries on: the file, or a site's (a URL or a built site's folder), or None.

    Raises ConformanceError for one that is not one, published.Unreadable when the site's could not be read.
    """
    return published.previous_file(where, f"{data.SITE}/{data.FILENAME}", data.read)


def _replace(endpoint: data.Endpoint, status: data.Status, why: str | None) -> data.Endpoint:
    return dataclasses.replace(endpoint, status=status, why=why)


def conform(
    chosen: list[Target],
    *,
    project: Path,
    toxworkdir: Path,
    out: Path,
    previous: data.Conformance | None,
    say: Say,
    cases: list[str] = suite.CASES,
    image: str | None = None,
) -> data.Conformance:
    """The suite against the reference and every target in turn; the run, with the history, into out/conformance.json.

    ``image``: the suite runs in a container of it (an image with Python 2.7), not with this machine's Python 2.7.
    Raises suite.SuiteError when the suite cannot be installed or run (a harness error: nothing is written).
    """
    procs.begin()
    started = now()
    host: Host = hosts.Docker(image, [suite.cache_dir().parent, out]) if image else hosts.Local()
    with files.open_log(out / "logs" / "autobahn.log") as log:
        try:
            return _run(
                chosen,
                host,
                started,
                project=project,
                toxworkdir=toxworkdir,
                out=out,
                previous=previous,
                say=say,
                cases=cases,
                log=log,
            )
        finally:
            host.close(log)


def _run(
    chosen: list[Target],
    host: Host,
    started: str,
    *,
    project: Path,
    toxworkdir: Path,
    out: Path,
    previous: data.Conformance | None,
    say: Say,
    cases: list[str],
    log: IO[bytes],
) -> data.Conformance:
    tested = suite.install(log, host)
    sections = tested.sections(out, log)
    conformer = Conform(tested, cases, project, toxworkdir, out, say)
    say(f"{data.REFERENCE}: the reference echo")
    reference = conformer.reference()
    found = []
    for target in chosen:
        say(f"{target.library.name}: {target.cell.env if target.cell else 'no cell'}")
        try:
            found.append(conformer.test(target))
        except Exception as error:  # dtws's own failure on one library: its entry says so, the run goes on
            found.append(_said(target, "error", f"dtws error: {type(error).__name__}: {error}"))
        finally:  # whatever of its cell still runs (an install cut short included) ends with it
            if target.cell is not None:
                reaper.end(procs.RUN_ID, target.cell.env)
    run = data.Run(
        started_at=started,
        finished_at=now(),
        commit=runner.head_commit(project),
        run_id=os.environ.get("GITHUB_RUN_ID"),
        job_url=os.environ.get("DTWS_JOB_URL"),
        platform=platform.platform(),
        suite=suite.VERSION,
        cases=list(cases),
        excluded=list(suite.EXCLUDED),
        sections=sections,
        reference=reference,
        libraries=found,
    )
    result = data.with_history(run, previous)
    data.write(result, out / data.FILENAME)
    return result
