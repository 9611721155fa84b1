"""Running one cell: its env, then every step in order, each recorded even when an earlier one failed.

The record is written before the first step and again after each one, so a
run that is killed part-way leaves a record that says ``incomplete``.
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
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from dtws import (
    __version__,
    ahead,
    asof,
    changed,
    chromium,
    declared,
    files,
    hosts,
    installed,
    interpreters,
    junit,
    procs,
    reaper,
    reasons,
    record,
)
from dtws.libraries import library
from dtws.matrix import Cell
from dtws.services import Services
from dtws.steps import STEPS, StepSpec
from dtws.steps.base import Context, Outcome
from dtws.versions import normalized

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


def _freeze(ctx: Context, installer: str | None) -> dict[str, str]:
    """The env's packages and versions: from uv where uv installed them (some 30 ms), else from pip (about 1 s).

    uv gives names normalized (``django``), pip as each distribution spells
    them (``Django``); whoever reads them compares normalized names.
    """
    if not os.path.lexists(ctx.python):
        return {}
    if installer == "uv":
        freeze = ["uv", "pip", "freeze", "--python", str(ctx.python)]
    else:
        freeze = [str(ctx.python), "-m", "pip", "freeze", "--all"]
    command, env = ctx.host.wrap(freeze, ctx.project, ctx.env)
    try:
        done = subprocess.run(
            command,
            cwd=ctx.project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    packages = {}
    for line in done.stdout.splitlines():
        name, sep, version = line.partition("==")
        if sep and not line.startswith("-"):
            packages[name.strip()] = version.strip()
    return packages


def _installed(ctx: Context, as_of: str | None) -> record.Installed | None:
    """What the install put in the env (dtws.installed), the library's test modules parsed by the cell's Python."""
    found = installed.read(ctx.env_dir, ctx.solution.package, ctx.solution.deps, ctx.cell.python, asof.cutoff_of(as_of))
    site = installed.site_packages(ctx.env_dir)
    if found is not None and site is not None:
        command, env = ctx.host.wrap([str(ctx.python), "-c", installed.COUNT], ctx.project, ctx.env)
        installed.count_tests(command, env, ctx.project, found, site)
    return found


def _evidence(ctx: Context, as_of: str | None, log_path: Path) -> record.Installed | None:
    """``_installed``; its failure (an index answering nonsense, say) is noted in the install's log, not the cell's."""
    try:
        return _installed(ctx, as_of)
    except Exception as error:  # evidence for the review's questions only: the cell's verdicts stand without it
        with files.open_log(log_path) as log:
            procs.note(log, f"what the install put in the env could not be read: {type(error).__name__}: {error}")
        return None


def _lookup(packages: Mapping[str, str], name: str) -> str | None:
    wanted = normalized(name)
    for package, version in packages.items():
        if normalized(package) == wanted:
            return version
    return None


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


def _no_interpreter(rec: record.CellRecord, verdict: Literal["unavailable", "error"], why: str) -> None:
    """No interpreter: every step is unavailable, or (the host failed to give one) the first is a harness error."""
    for step in rec.steps:
        step.verdict, step.detail = verdict, why
        if verdict == "error" and step is not rec.steps[0]:
            step.verdict, step.detail = "skipped", f"needs {rec.steps[0].name}, which did not pass"
    rec.status = verdict
    rec.reason = why if verdict == "unavailable" else f"{rec.steps[0].name}: {why}"


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
    out = cell_dir(results.resolve(), cell)  # the cell's processes run in the project folder
    if out.exists():
        shutil.rmtree(out)
    logs = out / "logs"
    logs.mkdir(parents=True)
    scratch = out / ".scratch"
    scratch.mkdir()
    limits = dict(timeouts or {})
    rec = record.CellRecord(cell.library, cell.env, cell.python, cell.django, provenance=_provenance(project, cell))
    rec.steps = [record.Step(s.name, list(s.needs), timeout_s=limits.get(s.name, s.timeout_s)) for s in STEPS]
    rec.provenance.as_of = as_of.day.isoformat() if as_of else None

    host = host or hosts.Local()
    host_log = logs / f"{STEPS[0].name}.log"  # the container's life is told in the first step's log
    with files.open_log(host_log) as log:
        try:
            interpreter = host.interpreter(cell.python, log)
        except hosts.HostError as error:
            procs.note(log, str(error))
            interpreter = None
            _no_interpreter(rec, "error", str(error))
        else:
            if interpreter is None:
                why = f"no Python {cell.python} interpreter {host.where}"
                _no_interpreter(rec, "error" if require_interpreter else "unavailable", why)
        try:  # a cell ahead of release: its Django from main's archive (fetched here) or the pre-release
            django = ahead.source(cell, scratch, os.environ) if interpreter is not None else None
        except ahead.Unavailable as why:
            procs.note(log, str(why))
            interpreter, django = None, None
            _no_interpreter(rec, "unavailable", str(why))
        if django is not None:
            procs.note(log, f"Django: {django.requirement}" + (f" (from {django.archive})" if django.archive else ""))
            rec.provenance.django_commit, rec.provenance.django_archive = django.commit, django.archive
        if interpreter is None:
            host.close(log)
    if interpreter is None:
        if host_log.stat().st_size:
            rec.steps[0].log = str(host_log.relative_to(out))
        else:
            host_log.unlink()
        rec.provenance.finished_at = now()
        record.write(rec, out)
        junit.write([junit.suite(rec, out)], out / junit.FILENAME)
        shutil.rmtree(scratch)
        return rec

    rec.provenance.python_version = interpreter.version
    rec.provenance.python_build = interpreter.build or None
    rec.provenance.python_executable = str(interpreter.executable)
    record.write(rec, out)
    solution = library(cell.library)
    env = dict(cell_env(interpreter), DTWS_SOLUTION=solution.app, **{reaper.CELL: cell.env})
    if django is not None:
        env["DTWS_DJANGO"] = django.requirement
    if as_of is not None:
        env.update(as_of.env())
    if pins:
        # Django is the cell's own requirement (one series): tox.ini takes its release from DTWS_DJANGO.
        others = {name: version for name, version in pins.items() if name.lower() != "django"}
        for name, version in pins.items():
            if name.lower() == "django":
                env["DTWS_DJANGO"] = f"Django=={version}"
        constraints = scratch / "constraints.txt"
        files.write_text(constraints, "".join(f"{name}=={version}\n" for name, version in others.items()))
        env.update(PIP_CONSTRAINT=str(constraints), UV_CONSTRAINT=str(constraints))
    workdir = toxworkdir or project / ".tox"
    # Started before the first step that needs them, ended with the cell; their addresses go into env.
    services = Services(solution.services, cell.env, out, scratch)
    rec.services = services.entries

    def attempt(spec: StepSpec, step: record.Step, number: int) -> tuple[Outcome | None, Path]:
        """One attempt of a step, into its log; None when a process could not start (the run is stopping)."""
        log_path = logs / f"{spec.name}.log"
        step.log = str(log_path.relative_to(out))
        step.started_at = now()
        started = time.monotonic()
        with files.open_log(log_path) as log:
            ctx = Context(
                cell=cell,
                solution=solution,
                interpreter=interpreter,
                project=project,
                toxworkdir=workdir,
                scratch=scratch,
                env=dict(env, DTWS_STEP=spec.name, DTWS_ATTEMPT=str(number)),
                log=log,
                deadline=started + (step.timeout_s or spec.timeout_s),
                host=host,
            )
            outcome: Outcome | None
            try:
                outcome = spec.run(ctx)
            except procs.Stopped:  # a process could not start: the run is stopping
                outcome = None
            except Exception as error:  # dtws's own failure: a harness error, never the library's
                log.write(traceback.format_exc().encode())
                outcome = Outcome("error", None, None, f"dtws error: {type(error).__name__}: {error}")
            finally:
                host.after_step(log, cell.env)
                step.log_dropped_bytes = procs.dropped(log)
        step.duration_s = round(time.monotonic() - started, 3)
        if outcome is not None and spec.name == "install":
            packages = _freeze(ctx, outcome.installer)
            rec.provenance.packages = packages
            rec.provenance.django_version = _lookup(packages, "Django") or (
                ahead.installed_version(installed.site_packages(ctx.env_dir)) if django is not None else None
            )
            rec.provenance.library_version = _lookup(packages, solution.package)
            rec.provenance.installer = outcome.installer
            rec.provenance.tried = outcome.tried
            rec.provenance.declared = declared.read(ctx.env_dir, solution.package)
            if outcome.verdict == "pass":
                rec.installed = _evidence(ctx, rec.provenance.as_of, log_path)
            # pip compiled every module it installed, uv none: the processes of an env uv made write the bytecode
            # of what they import, so that each one after the first starts from it (as tox.ini's set_env says).
            env["PYTHONDONTWRITEBYTECODE"] = "" if outcome.installer == "uv" else "1"
        return outcome, log_path

    try:
        for spec, step in zip(STEPS, rec.steps, strict=True):
            if procs.stopping():
                break
            missing = [need for need in spec.needs if rec.step(need).verdict != "pass"]
            if missing:
                step.verdict = "skipped"
                step.detail = f"needs {', '.join(missing)}, which did not pass"
                record.write(rec, out)
                continue
            if spec.services:
                starting = not services.started
                try:
                    problem = services.ready()
                except procs.Stopped:
                    step.detail = "the run was stopped during this step"
                    break
                env.update(services.env)
                if starting:
                    record.write(rec, out)  # what runs beside the cell, for whoever reads the record meanwhile
                if problem is not None:  # a harness error: the step cannot judge the library without them
                    step.verdict, step.detail = "error", problem
                    record.write(rec, out)
                    continue
            number = 1
            while True:
                outcome, log_path = attempt(spec, step, number)
                if outcome is None or procs.stopping():
                    step.detail = "the run was stopped during this step"
                    break
                step.verdict, step.command, step.exit_code, step.detail = (
                    outcome.verdict,
                    outcome.command,
                    outcome.exit_code,
                    outcome.detail,
                )
                died = services.died() if spec.services else None
                if died is not None and step.verdict != "pass":
                    step.verdict, step.detail = "error", died
                if "coverage_percent" in outcome.facts:
                    rec.coverage_percent = outcome.facts["coverage_percent"]
                found = reasons.first_error_in(log_path) if step.verdict != "pass" else None
                step.error_line = str(found) if found else None
                if step.verdict not in ("fail", "timeout"):
                    break
                held = _not_again(found, number, retries)
                if held is not None:
                    if retries:
                        with files.open_log(log_path) as log:
                            procs.note(log, held)
                    break
                step.attempts.append(_set_aside(step, out, number))
                record.write(rec, out)
                number += 1
            record.write(rec, out)
            if outcome is None or procs.stopping():
                break
    finally:
        services.stop()
        with files.open_log(host_log) as log:
            host.close(log)
        _conclude(rec)
        rec.provenance.finished_at = now()
        record.write(rec, out)
        junit.write([junit.suite(rec, out)], out / junit.FILENAME)
        shutil.rmtree(scratch, ignore_errors=True)
    return rec
