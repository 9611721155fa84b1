"""Running one cell: its env, then every step in order, each recorded even when an earlier one failed.

As pytest runs a test, in three parts: the setup (``_find`` the interpreter, ``_setup`` a ``CellRun``: the
cell's folders, env, host and services), the call (``_call``: each step, its attempts under the retry policy of
``_run_step``) and the report (a ``Recorder``, which writes the record at each change of state, so that a run
killed part-way leaves a record that says ``incomplete``). The install step returns its own evidence.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Literal

from dtws import (
    __version__,
    ahead,
    asof,
    changed,
    chromium,
    files,
    hosts,
    interpreters,
    junit,
    procs,
    reaper,
    reasons,
    record,
)
from dtws.libraries import library
from dtws.library import Library
from dtws.matrix import Cell
from dtws.services import Services
from dtws.steps import STEPS
from dtws.steps.base import Context, Outcome, StepName, StepSpec

_DROPPED_ENV = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "COVERAGE_FILE", "DTWS_DJANGO")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def cell_dir(results: Path, cell: Cell) -> Path:
    return results / cell.library / cell.env


def _git(project: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def head_commit(project: Path) -> str | None:
    return _git(project, "rev-parse", "HEAD")


def _provenance(project: Path, cell: Cell) -> record.Provenance:
    commit = head_commit(project)
    status = _git(project, "status", "--porcelain", "--untracked-files=no")
    server, repo, run_id = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    attempt = os.environ.get("GITHUB_RUN_ATTEMPT")
    return record.Provenance(
        platform=platform.platform(),
        commit=commit,
        commit_dirty=None if status is None else bool(status),
        run_id=run_id,
        run_attempt=int(attempt) if attempt and attempt.isdigit() else None,
        job_url=os.environ.get("DTWS_JOB_URL")
        or (f"{server}/{repo}/actions/runs/{run_id}" if server and repo and run_id else None),
        dtws_version=__version__,
        started_at=now(),
        project_hash=changed.cell_hash(project, cell.library),
        browser=chromium.version(),
    )


def cell_env(interpreter: interpreters.Interpreter) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _DROPPED_ENV}
    # The cell's interpreter first; then the harness's own tools (uv, which tox.ini's install_command runs).
    env["PATH"] = os.pathsep.join(
        [str(interpreter.executable.parent), str(Path(sys.executable).parent), env.get("PATH", "")]
    )
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _conclude(rec: record.CellRecord) -> None:
    for step in rec.steps:
        if step.verdict in ("fail", "timeout", "error"):
            rec.status = step.verdict
            if step.verdict == "timeout" and not step.error_line:
                why = f"timed out after {step.duration_s} s (limit {step.timeout_s:g} s)"
            elif step.verdict == "error":
                why = step.detail or step.error_line or f"exit code {step.exit_code}"
            else:
                why = step.error_line or step.detail or f"exit code {step.exit_code}"
            rec.reason = f"{step.name}: {why}"
            return
    unavailable = next((step for step in rec.steps if step.verdict == "unavailable"), None)
    if unavailable is not None and all(step.verdict in ("pass", "unavailable") for step in rec.steps):
        rec.status = "unavailable"
        rec.reason = f"{unavailable.name}: {unavailable.detail}"
        return
    if not all(step.verdict == "pass" for step in rec.steps):
        rec.status, rec.reason = "incomplete", None
        return
    retried = next((step for step in rec.steps if step.attempts), None)
    if retried is None:
        rec.status, rec.reason = "pass", None
        return
    first = retried.attempts[0]
    why = first.error_line or first.detail or f"exit code {first.exit_code}"
    rec.status = "flaky"
    rec.reason = f"{retried.name}: passed on attempt {len(retried.attempts) + 1}; attempt 1: {first.verdict}: {why}"


def _not_again(found: reasons.ErrorLine | None, number: int, retries: int) -> str | None:
    """Why an attempt that failed or timed out is not run again (a line for its log), or None when it is."""
    if number > retries:
        return f"not run again: {retries} retr{'y' if retries == 1 else 'ies'} done" if retries else "not run again"
    if found is not None and found.why:
        return f"not run again: a known cause, which repeats ({found.why})"
    return None


def _set_aside(step: record.Step, out: Path, number: int) -> record.Attempt:
    """Keep a failed attempt: its log (and screenshot) under ``<step>.attempt<N>``, its verdict as an Attempt."""
    assert step.log is not None
    log = out / step.log
    kept = log.with_name(f"{log.stem}.attempt{number}{log.suffix}")
    log.rename(kept)
    shot = log.with_suffix(".png")
    if shot.exists():
        shot.rename(kept.with_suffix(".png"))
    return record.Attempt(
        verdict=step.verdict,
        exit_code=step.exit_code,
        duration_s=step.duration_s,
        started_at=step.started_at,
        log=str(kept.relative_to(out)),
        error_line=step.error_line,
        detail=step.detail,
    )


class _CannotRun(Exception):
    """No interpreter for the cell (or no Django ahead of release): the record says why, and no step runs."""

    def __init__(self, verdict: Literal["unavailable", "error"], why: str) -> None:
        super().__init__(why)
        self.verdict, self.why = verdict, why


def _cannot_run(rec: record.CellRecord, verdict: Literal["unavailable", "error"], why: str) -> None:
    """Every step is unavailable, or (the host failed to give an interpreter) the first is a harness error."""
    for step in rec.steps:
        step.verdict, step.detail = verdict, why
        if verdict == "error" and step is not rec.steps[0]:
            step.verdict, step.detail = "skipped", f"needs {rec.steps[0].name}, which did not pass"
    rec.status = verdict
    rec.reason = why if verdict == "unavailable" else f"{rec.steps[0].name}: {why}"


@dataclass(frozen=True)
class Folders:
    """A cell's folder (its record), its logs, and its scratch (files that are not evidence, removed at its end)."""

    out: Path
    logs: Path
    scratch: Path

    @classmethod
    def fresh(cls, results: Path, cell: Cell) -> Folders:
        out = cell_dir(results.resolve(), cell)  # the cell's processes run in the project folder
        if out.exists():
            shutil.rmtree(out)
        folders = cls(out, out / "logs", out / ".scratch")
        folders.logs.mkdir(parents=True)
        folders.scratch.mkdir()
        return folders

    def log(self, step: str) -> Path:
        return self.logs / f"{step}.log"

    @property
    def host_log(self) -> Path:
        """Where the host's doings (the container's life) are told: the first step's log."""
        return self.log(STEPS[0].name)


class Recorder:
    """The cell's record, written to its folder at each change of state: a run killed part-way leaves one that says
    ``incomplete``."""

    def __init__(self, rec: record.CellRecord, out: Path) -> None:
        self.rec, self.out = rec, out

    def write(self) -> None:
        record.write(self.rec, self.out)

    def finish(self) -> None:
        """The record as the cell ended, and its JUnit report beside it."""
        self.rec.provenance.finished_at = now()
        self.write()
        junit.write([junit.suite(self.rec, self.out)], self.out / junit.FILENAME)


def _new_record(
    cell: Cell, project: Path, timeouts: Mapping[str, float], as_of: asof.Index | None
) -> record.CellRecord:
    rec = record.CellRecord(cell.library, cell.env, cell.python, cell.django, provenance=_provenance(project, cell))
    rec.steps = [record.Step(s.name, list(s.needs), timeout_s=timeouts.get(s.name, s.timeout_s)) for s in STEPS]
    rec.provenance.as_of = as_of.day.isoformat() if as_of else None
    return rec


def _interpreter(cell: Cell, host: hosts.Host, log: IO[bytes], required: bool) -> interpreters.Interpreter:
    """The cell's interpreter, where the host runs its processes; _CannotRun when there is none."""
    try:
        interpreter = host.interpreter(cell.python, log)
    except hosts.HostError as error:
        procs.note(log, str(error))
        raise _CannotRun("error", str(error)) from None
    if interpreter is None:
        why = f"no Python {cell.python} interpreter {host.where}"
        raise _CannotRun("error" if required else "unavailable", why)
    return interpreter


def _django(cell: Cell, scratch: Path, log: IO[bytes], rec: record.CellRecord) -> ahead.Source | None:
    """A cell ahead of release: its Django from main's archive (fetched here) or the pre-release; _CannotRun without."""
    try:
        django = ahead.source(cell, scratch, os.environ)
    except ahead.Unavailable as why:
        procs.note(log, str(why))
        raise _CannotRun("unavailable", str(why)) from None
    if django is not None:
        procs.note(log, f"Django: {django.requirement}" + (f" (from {django.archive})" if django.archive else ""))
        rec.provenance.django_commit, rec.provenance.django_archive = django.commit, django.archive
    return django


def _find(
    cell: Cell, host: hosts.Host, folders: Folders, rec: record.CellRecord, required: bool
) -> tuple[interpreters.Interpreter, ahead.Source | None] | None:
    """The cell's interpreter and its Django ahead of release, told in the host's log; None: the record says why."""
    with files.open_log(folders.host_log) as log:
        try:
            return _interpreter(cell, host, log, required), _django(cell, folders.scratch, log, rec)
        except _CannotRun as cannot:
            _cannot_run(rec, cannot.verdict, cannot.why)
            host.close(log)
            return None


def _not_run(recorder: Recorder, folders: Folders) -> record.CellRecord:
    """The record of a cell that cannot run, its host's log kept if the host said anything."""
    if folders.host_log.stat().st_size:
        recorder.rec.steps[0].log = str(folders.host_log.relative_to(folders.out))
    else:
        folders.host_log.unlink()
    recorder.finish()
    shutil.rmtree(folders.scratch)
    return recorder.rec


def _pin(env: dict[str, str], pins: Mapping[str, str], scratch: Path) -> None:
    """A bisect's pins into the install's constraints (pip's and uv's); Django's into DTWS_DJANGO, its own requirement
    (one series: tox.ini takes its release from there)."""
    others = {name: version for name, version in pins.items() if name.lower() != "django"}
    for name, version in pins.items():
        if name.lower() == "django":
            env["DTWS_DJANGO"] = f"Django=={version}"
    constraints = scratch / "constraints.txt"
    files.write_text(constraints, "".join(f"{name}=={version}\n" for name, version in others.items()))
    env.update(PIP_CONSTRAINT=str(constraints), UV_CONSTRAINT=str(constraints))


@dataclass
class CellRun:
    """What the steps of a cell share: the cell, its library, folders, interpreter, env, host and services."""

    cell: Cell
    solution: Library
    interpreter: interpreters.Interpreter
    project: Path
    toxworkdir: Path
    folders: Folders
    env: dict[str, str]  # of every process of the cell; the services' addresses join it once they are up
    host: hosts.Host
    services: Services  # started before the first step that needs them, ended with the cell
    as_of: str | None  # the day of the dated index, if any

    def context(self, step: StepName, number: int, log: IO[bytes], deadline: float) -> Context:
        """What attempt ``number`` of ``step`` gets."""
        return Context(
            cell=self.cell,
            solution=self.solution,
            interpreter=self.interpreter,
            project=self.project,
            toxworkdir=self.toxworkdir,
            scratch=self.folders.scratch,
            env=dict(self.env, DTWS_STEP=step, DTWS_ATTEMPT=str(number)),
            log=log,
            deadline=deadline,
            host=self.host,
            as_of=self.as_of,
        )

    def take_install(self, rec: record.CellRecord, outcome: Outcome) -> None:
        """The install's evidence into the record; whether the cell's processes write bytecode from now on."""
        rec.provenance.installer = outcome.installer
        rec.provenance.tried = outcome.tried
        evidence = outcome.evidence
        if evidence is not None:
            rec.provenance.packages = evidence.packages
            rec.provenance.django_version = evidence.django_version
            rec.provenance.library_version = evidence.library_version
            rec.provenance.declared = evidence.declared
            rec.installed = evidence.installed
        # pip compiled every module it installed, uv none: the processes of an env uv made write the bytecode
        # of what they import, so that each one after the first starts from it (as tox.ini's set_env says).
        self.env["PYTHONDONTWRITEBYTECODE"] = "" if outcome.installer == "uv" else "1"


def _setup(
    cell: Cell,
    interpreter: interpreters.Interpreter,
    django: ahead.Source | None,
    folders: Folders,
    *,
    project: Path,
    toxworkdir: Path,
    host: hosts.Host,
    as_of: asof.Index | None,
    pins: Mapping[str, str] | None,
) -> CellRun:
    solution = library(cell.library)
    env = dict(cell_env(interpreter), DTWS_SOLUTION=solution.app, **{reaper.CELL: cell.env})
    if django is not None:
        env["DTWS_DJANGO"] = django.requirement
    if as_of is not None:
        env.update(as_of.env())
    if pins:
        _pin(env, pins, folders.scratch)
    services = Services(solution.services, cell.env, folders.out, folders.scratch)
    day = as_of.day.isoformat() if as_of else None
    return CellRun(cell, solution, interpreter, project, toxworkdir, folders, env, host, services, day)


_STOPPED = "the run was stopped during this step"
Ready = Literal["run", "skip", "stop"]


def _ready(run: CellRun, recorder: Recorder, spec: StepSpec, step: record.Step) -> Ready:
    """Whether the step runs: what it needs passed, and its services are up."""
    missing = [need for need in spec.needs if recorder.rec.step(need).verdict != "pass"]
    if missing:
        step.verdict = "skipped"
        step.detail = f"needs {', '.join(missing)}, which did not pass"
        recorder.write()
        return "skip"
    return _services_up(run, recorder, step) if spec.services else "run"


def _services_up(run: CellRun, recorder: Recorder, step: record.Step) -> Ready:
    """The services, started before the first step that needs them; without them a step is a harness error."""
    starting = not run.services.started
    try:
        problem = run.services.ready()
    except procs.Stopped:
        step.detail = _STOPPED
        return "stop"
    run.env.update(run.services.env)
    if starting:
        recorder.write()  # what runs beside the cell, for whoever reads the record meanwhile
    if problem is None:
        return "run"
    step.verdict, step.detail = "error", problem  # the step cannot judge the library without them
    recorder.write()
    return "skip"


def _guarded(spec: StepSpec, ctx: Context) -> Outcome | None:
    """The step's outcome; None when a process could not start (the run is stopping); dtws's own failure an error."""
    try:
        return spec.run(ctx)
    except procs.Stopped:
        return None
    except Exception as error:  # dtws's own failure: a harness error, never the library's
        ctx.log.write(traceback.format_exc().encode())
        return Outcome("error", None, None, f"dtws error: {type(error).__name__}: {error}")


def _attempt(run: CellRun, rec: record.CellRecord, spec: StepSpec, step: record.Step, number: int) -> Outcome | None:
    """One attempt of a step, into its log; None when a process could not start (the run is stopping)."""
    log_path = run.folders.log(spec.name)
    step.log = str(log_path.relative_to(run.folders.out))
    step.started_at = now()
    started = time.monotonic()
    with files.open_log(log_path) as log:
        try:
            outcome = _guarded(spec, run.context(spec.name, number, log, started + (step.timeout_s or spec.timeout_s)))
        finally:
            run.host.after_step(log, run.cell.env)
            step.log_dropped_bytes = procs.dropped(log)
    step.duration_s = round(time.monotonic() - started, 3)
    if outcome is not None and spec.name == "install":
        run.take_install(rec, outcome)
    return outcome


def _judge(
    run: CellRun, rec: record.CellRecord, spec: StepSpec, step: record.Step, outcome: Outcome
) -> reasons.ErrorLine | None:
    """The attempt's outcome into its step (a service that died makes a failure a harness error); its first error."""
    step.verdict, step.command, step.exit_code, step.detail = (
        outcome.verdict,
        outcome.command,
        outcome.exit_code,
        outcome.detail,
    )
    died = run.services.died() if spec.services else None
    if died is not None and step.verdict != "pass":
        step.verdict, step.detail = "error", died
    built = run.solution.built_without(run.folders.log(spec.name).read_bytes()) if step.verdict != "pass" else None
    if built is not None:
        step.verdict, step.detail = "error", built
    if "coverage_percent" in outcome.facts:
        rec.coverage_percent = outcome.facts["coverage_percent"]
    found = reasons.first_error_in(run.folders.log(spec.name)) if step.verdict != "pass" else None
    step.error_line = str(found) if found else None
    return found


def _again(run: CellRun, step: record.Step, found: reasons.ErrorLine | None, number: int, retries: int) -> bool:
    """Whether an attempt runs again: one that failed or timed out, unless ``_not_again`` (said in its log)."""
    if step.verdict not in ("fail", "timeout"):
        return False
    held = _not_again(found, number, retries)
    if held is not None and retries:
        with files.open_log(run.folders.log(step.name)) as log:
            procs.note(log, held)
    return held is None


def _run_step(run: CellRun, recorder: Recorder, spec: StepSpec, step: record.Step, retries: int) -> bool:
    """The step's attempts, until one passes or may not run again (``_not_again``); False when the run is stopping."""
    number = 1
    while True:
        outcome = _attempt(run, recorder.rec, spec, step, number)
        if outcome is None or procs.stopping():
            step.detail = _STOPPED
            recorder.write()
            return False
        found = _judge(run, recorder.rec, spec, step, outcome)
        if not _again(run, step, found, number, retries):
            recorder.write()
            return True
        step.attempts.append(_set_aside(step, run.folders.out, number))
        recorder.write()
        number += 1


def _call(run: CellRun, recorder: Recorder, retries: int) -> None:
    """Every step in order, each recorded even when an earlier one failed, until the run is stopping."""
    for spec, step in zip(STEPS, recorder.rec.steps, strict=True):
        if procs.stopping():
            return
        ready = _ready(run, recorder, spec, step)
        if ready == "stop" or (ready == "run" and not _run_step(run, recorder, spec, step, retries)):
            return


def _teardown(run: CellRun, recorder: Recorder) -> None:
    """The services and the host ended, the cell's verdict concluded and recorded, its scratch removed."""
    run.services.stop()
    with files.open_log(run.folders.host_log) as log:
        run.host.close(log)
    _conclude(recorder.rec)
    recorder.finish()
    shutil.rmtree(run.folders.scratch, ignore_errors=True)


def run_cell(
    cell: Cell,
    results: Path,
    *,
    project: Path,
    toxworkdir: Path | None = None,
    timeouts: Mapping[str, float] | None = None,
    host: hosts.Host | None = None,
    require_interpreter: bool = False,
    retries: int = 1,
    as_of: asof.Index | None = None,
    pins: Mapping[str, str] | None = None,
) -> record.CellRecord:
    """Run ``cell`` into ``results/<library>/<cell>/``; return its record.

    ``host`` is where the cell's processes run (default: here). With
    ``require_interpreter`` (CI, where the workflow provides each Python), a
    missing interpreter is a harness error, not "unavailable". A step that
    fails or times out runs again, up to ``retries`` times, unless its first
    error has a known cause (dtws/reasons.toml: a failure that repeats).
    With ``as_of``, every package installed is the newest the index had before its date.
    ``pins`` (package -> version) constrain the install (pip's and uv's constraints), for a bisect.

    Raises procs.Stopped, leaving no record, when the run is stopping before the cell starts.
    """
    if procs.stopping():
        raise procs.Stopped(f"{cell.env} not started: the run is stopping")
    procs.begin()
    folders = Folders.fresh(results, cell)
    recorder = Recorder(_new_record(cell, project, timeouts or {}, as_of), folders.out)
    host = host or hosts.Local()
    found = _find(cell, host, folders, recorder.rec, require_interpreter)
    if found is None:
        return _not_run(recorder, folders)
    interpreter, django = found
    recorder.rec.provenance.python_version = interpreter.version
    recorder.rec.provenance.python_build = interpreter.build or None
    recorder.rec.provenance.python_executable = str(interpreter.executable)
    recorder.write()
    run = _setup(
        cell,
        interpreter,
        django,
        folders,
        project=project,
        toxworkdir=toxworkdir or project / ".tox",
        host=host,
        as_of=as_of,
        pins=pins,
    )
    recorder.rec.services = run.services.entries
    try:
        _call(run, recorder, retries)
    finally:
        _teardown(run, recorder)
    return recorder.rec
