"""A full run of the workflow on GitHub, estimated: the wall time of a push and of a scheduled run, and a
cell job's setup. Usage, from the repository root, after `make run` (which fills results/):

    .venv/bin/python benchmarks/ci.py [--results results] [--repeat 3]

Measured here, on this machine (its load is printed: on shared cores every time is an upper bound):

- the workflow's own `run:` steps, read from .github/workflows/matrix.yml and run in bash as a runner
  would, in a copy of the committed tree (what actions/checkout leaves), with a fresh venv of the
  harness's Python (HARNESS_PYTHON) first on PATH, as setup-python puts its Python: "install dtws" (from
  the package index, as on a runner), the artifact's name, the verdict, the plan; the median of
  --repeat runs; and the site job's steps (its mkdocs install, both merges, the build, the publish
  check) and the gate's on the records of results/, laid out as the site job downloads them;
- each cell's own time: its record's finished_at - started_at. A cell with no record of its own here
  (no such interpreter on this machine) takes the median of the recorded cells of its Python, else of
  all of them;
- a run's artifacts: each record folder zipped as upload-artifact zips it (deflate, level 6), the
  built site and its JUnit XML.

Not measurable here, assumed (GITHUB below, each with where its number comes from): a runner's
start-up, actions/checkout, setup-python, the cache restore and save, the artifact uploads and
downloads, docker's pull of a python:X.Y image, deploy-pages.

The model: the plan job; then every matrix job (the cell jobs, shard after shard, then the bisects)
queued on RUNNERS runners, each job to the first one free (list scheduling in the plan's order: GitHub
does not document its order, and a long bisect queued first would end sooner); then the site, gate
and deploy jobs, one after the other. A push runs the cells and the review's cells as of its day; a
scheduled run also the bisects of dtws/questions.py (the review's and each library's first), each
PROBES runs of its cell.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from dtws import github, interpreters, matrix, questions, record, review  # noqa: E402

WORKFLOW = PROJECT / ".github" / "workflows" / "matrix.yml"
# GitHub Free's concurrent jobs on standard hosted runners (docs.github.com "Actions limits", read
# 2026-11-29; Pro 40, Team 60).
RUNNERS = 20
# Seconds of what only a runner shows; assumed, not measured.
GITHUB = {
    "runner start-up": 15.0,  # an estimate, 10-20 s from queued to the first step (site/guide/github.md)
    "checkout": 2.0,  # one shallow commit of a small repository
    "setup-python": 3.0,  # a Python of the runner's tool cache takes about 1 s, one it downloads more
    "cache restore": 3.0,  # a cell's own pip and uv caches, some 100 MB unpacked
    "cache save": 1.0,  # the key is there already on every run but the first: a look-up
    "artifact upload": 2.0,  # one record folder, some kB to a MB zipped
    "artifact download": 5.0,  # download-artifact starts every download of a pattern at once
    "docker pull": 15.0,  # python:X.Y, some 300 MB compressed
    "deploy-pages": 20.0,  # it polls the deployment until Pages serves it
}
# The probes of each bisect, as the review's runs recorded them (site/guide/through-time.md): gevent every one of its
# 56 releases for Python 2.7, Django 8 of its 72 releases from 1.8 (a binary search: each Django bisect).
PROBES = {"gevent": 56, "Django": 8}
PLAN = "the cell and bisect jobs, from dtws/matrix.py and dtws/questions.py"
AS_OF_MERGE = "merge the cells as of ${{ needs.plan.outputs.as-of }} (those not run now kept from the published site)"
BUILD = "build the site (the published bisects this run did not make again kept, and its bench unless benched)"
GATE = "compare with the published results (red only when a passing cell broke)"


def workflow_step(job: str, name: str) -> str:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    for item in data["jobs"][job]["steps"]:
        if item.get("name") == name:
            return str(item["run"])
    raise KeyError(f"{job}: no step {name!r}")


@dataclass(frozen=True)
class Runner:
    """A copy of the committed tree and a venv of the harness's Python, as a job's runner has them."""

    checkout: Path
    venv: Path

    def run(self, job: str, name: str, **env: str) -> float:
        """The workflow step's own shell, timed; it must succeed."""
        full = {**os.environ, "PATH": f"{self.venv / 'bin'}{os.pathsep}{os.environ['PATH']}", **env}
        started = time.monotonic()
        done = subprocess.run(
            ["bash", "-e", "-c", workflow_step(job, name)],
            cwd=self.checkout,
            env=full,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode not in (0, 1):  # 1: a verdict step's red cell, the gate's regression
            sys.exit(f"ci: {job}: {name}: exit {done.returncode}\n{done.stdout}{done.stderr}")
        return time.monotonic() - started


def fresh(scratch: Path, python: Path) -> Runner:
    checkout = scratch / "checkout"
    shutil.rmtree(checkout, ignore_errors=True)
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=PROJECT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(checkout, filter="data")
    venv = scratch / "venv"
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([str(python), "-m", "venv", str(venv)], check=True)
    return Runner(checkout, venv)


def median_of(times: Sequence[float]) -> str:
    return f"median of {len(times)}: " + ", ".join(f"{t:.1f}" for t in times)


def zipped(path: Path) -> int:
    """Bytes of a file or folder zipped as upload-artifact zips it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for item in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if item.is_file():
                archive.write(item, item.relative_to(path.parent))
    return len(buffer.getvalue())


def cell_seconds(results: Path) -> dict[str, float]:
    """Each recorded cell's own time, by tox env name (a cell without an interpreter here has none)."""
    found = {}
    for path in results.glob(f"*/*/{record.FILENAME}"):
        rec = record.read(path)
        began, ended = rec.provenance.started_at, rec.provenance.finished_at
        if rec.status != "unavailable" and began and ended:
            found[rec.cell] = (datetime.fromisoformat(ended) - datetime.fromisoformat(began)).total_seconds()
    return found


@dataclass(frozen=True)
class Job:
    name: str
    seconds: float  # from the job's start on a runner to its end


def makespan(jobs: Sequence[Job], runners: int) -> float:
    """The jobs in order, each on the first runner free: when the last one ends."""
    free = [0.0] * runners
    for job in jobs:
        first = free.index(min(free))
        free[first] += job.seconds
    return max(free)


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=PROJECT / "results", help="records of a local `dtws run`")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measured setup step (default 3)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat: at least 1")
    recorded = cell_seconds(args.results)
    if not recorded:
        sys.exit(f"ci: no records in {args.results}: run `make run` first, or pass --results")
    harness = str(yaml.safe_load(WORKFLOW.read_text())["env"]["HARNESS_PYTHON"])
    found = interpreters.find(harness)
    if found is None:
        sys.exit(f"ci: no Python {harness} (the workflow's HARNESS_PYTHON) on this machine")
    print(f"{os.cpu_count()} cores, load average {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    sample = matrix.get("py312-django52-channels")
    with tempfile.TemporaryDirectory(prefix="dtws-ci-") as scratch:
        installs, names, plans = [], [], []
        for _ in range(args.repeat):
            runner = fresh(Path(scratch), found.executable)
            installs.append(runner.run("plan", "install dtws"))
            out = str(Path(scratch) / "github_output")
            names.append(runner.run("cell", "the artifact's name, with this attempt", CELL=sample.env, AS_OF=""))
            plans.append(runner.run("plan", PLAN, ONLY="all", GITHUB_EVENT_NAME="schedule", GITHUB_OUTPUT=out))
        install, name, plan = (statistics.median(times) for times in (installs, names, plans))
        rec = args.results / sample.library / sample.env / record.FILENAME
        verdict = runner.run("cell", "verdict", RECORD=str(rec))
        site_steps, gate_steps, sizes = site_and_gate(runner, args.results)

    setup = GITHUB["checkout"] + 2 * GITHUB["setup-python"] + GITHUB["cache restore"] + install + name
    print("\nA cell job's setup, before its cell runs (seconds):")
    for step_name, seconds, source in (
        ("checkout", GITHUB["checkout"], "assumed"),
        ("the cell's Python (setup-python)", GITHUB["setup-python"], "assumed; none for a docker cell"),
        ("the harness's Python (setup-python)", GITHUB["setup-python"], "assumed"),
        ("restore the pip and uv caches", GITHUB["cache restore"], "assumed"),
        ("install dtws", install, f"measured here, {median_of(installs)}"),
        ("the artifact's name", name, f"measured here, {median_of(names)}"),
    ):
        print(f"  {step_name:<38}{seconds:6.1f}  {source}")
    print(f"  {'total':<38}{setup:6.1f}  (a docker cell: {setup - GITHUB['setup-python']:.1f}, then its image's pull)")
    print(f"  {'and before it, the runner start-up':<38}{GITHUB['runner start-up']:6.1f}  assumed")

    post = GITHUB["artifact upload"] + verdict + GITHUB["cache save"]
    by_python: dict[str, list[float]] = {}
    for cell in matrix.CELLS:
        if cell.env in recorded:
            by_python.setdefault(cell.python, []).append(recorded[cell.env])
    overall = statistics.median(recorded.values())

    def typical(python: str) -> float:
        return statistics.median(by_python[python]) if python in by_python else overall

    def cell_job(name: str, python: str, seconds: float) -> Job:
        docker = github.source(python).image != ""
        fixed = GITHUB["runner start-up"] + setup - (GITHUB["setup-python"] if docker else 0.0)
        return Job(name, fixed + (GITHUB["docker pull"] if docker else 0.0) + seconds + post)

    today = [cell_job(c.env, c.python, recorded.get(c.env, typical(c.python))) for c in matrix.CELLS]
    reviewed = [matrix.get(name) for name in review.TABLE]
    then = [cell_job(f"{c.env} as of", c.python, recorded.get(c.env, typical(c.python))) for c in reviewed]
    bisects = []
    for question in questions.QUESTIONS:  # a cell job's steps, its cell PROBES times, and no verdict step
        cell = matrix.get(question.cell)
        probes = PROBES[question.package] * recorded.get(cell.env, typical(cell.python))
        bisects.append(Job(question.name, cell_job(question.name, cell.python, probes).seconds - verdict))

    harness_job = GITHUB["runner start-up"] + GITHUB["checkout"] + GITHUB["setup-python"] + install
    plan_job = harness_job + plan
    site = harness_job + 3 * GITHUB["artifact download"] + site_steps + 3 * GITHUB["artifact upload"]
    gate = harness_job + GITHUB["artifact download"] + gate_steps
    after = site + gate + GITHUB["runner start-up"] + GITHUB["deploy-pages"]
    print(
        f"\nCells: {len(matrix.CELLS)} of the matrix, {len(recorded)} with a record here"
        f" (median {overall:.1f} s, the longest {max(recorded.values()):.1f} s), the others their Python's median."
        f" A cell job in all, its cell included: median {statistics.median(j.seconds for j in today):.1f} s."
        f"\nThe plan job {plan_job:.0f} s; after the cells, the site job {site:.0f} s, the gate {gate:.0f} s,"
        f" deploy {GITHUB['runner start-up'] + GITHUB['deploy-pages']:.0f} s.\n"
    )
    print(f"Estimated wall time on GitHub, {RUNNERS} jobs at once (a free account), the jobs queued in the")
    print("plan's order (the bisects last), and at best (the longest first):")
    print(f"  {'run':<54}{'matrix jobs':>11}  {'per shard':<12}{'wall time':>13}{'at best':>13}")
    for label, jobs in (
        ("push, today's matrix", today + then),
        ("scheduled, today's matrix", today + then + bisects),
    ):
        cells = len([job for job in jobs if job not in bisects])
        shards = "/".join(str(len(shard)) for shard in github.shards([{}] * cells))
        wall = plan_job + makespan(jobs, RUNNERS) + after
        best = plan_job + makespan(sorted(jobs, key=lambda job: -job.seconds), RUNNERS) + after
        print(f"  {label:<54}{len(jobs):>11}  {shards:<12}{minutes(wall):>13}{minutes(best):>13}")
    longest = max(bisects, key=lambda job: job.seconds)
    print(f"  (a scheduled run waits for the longest bisect, {longest.name}: {minutes(longest.seconds)})")

    records = sum(sizes["cells"].values())
    typical_record = statistics.median(size for cell, size in sizes["cells"].items() if cell in recorded)
    per_run = records + typical_record * len(then) + 2 * sizes["site"] + sizes["junit"]
    print(
        f"\nA run's artifacts: {len(sizes['cells'])} record folders {records / 1e6:.1f} MB zipped (a cell that ran:"
        f" median {typical_record / 1e3:.0f} kB), the site {sizes['site'] / 1e6:.1f} MB (twice: for Pages too), JUnit"
        f" {sizes['junit'] / 1e3:.0f} kB: a push of today's matrix {per_run / 1e6:.1f} MB; kept 30 days, a run a"
        f" day: {30 * per_run / 1e6:.0f} MB"
    )
    return 0


def site_and_gate(runner: Runner, results: Path) -> tuple[float, float, dict[str, Any]]:
    """Seconds of the site job's and the gate job's own steps (run here, on the records of ``results`` laid
    out as the site job downloads them), and the sizes of a run's artifacts."""
    home = runner.checkout
    cells: dict[str, int] = {}
    for folder in sorted(path.parent for path in results.glob(f"*/*/{record.FILENAME}")):
        library, cell = folder.parent.name, folder.name
        shutil.copytree(folder, home / "artifacts" / f"cell-{library}-{cell}" / library / cell)
        cells[cell] = zipped(folder)
    (home / "as-of").mkdir()
    env = {
        "PUBLISHED": str(home / "nothing-published" / "results.json"),
        "DAY": review.DAY,
        "GITHUB_OUTPUT": str(home / "github_output"),
        "GITHUB_REPOSITORY": "dtws/dtws",
    }
    site = sum(
        runner.run("site", name, **env)
        for name in (
            "install what builds the site (mkdocs)",
            "the published site's address",
            "merge",
            AS_OF_MERGE,
            BUILD,
            "may this run publish",
        )
    )
    shutil.copytree(home / "build" / "site", home / "built")
    gate = runner.run("gate", "the published site's address", **env) + runner.run(
        "gate", GATE, PUBLISHED=str(home / "built" / "results.json"), SITE="https://dtws.github.io/dtws/"
    )
    sizes = {
        "cells": cells,
        "site": zipped(home / "build" / "site"),
        "junit": zipped(home / "build" / "results" / "junit.xml"),
    }
    return site, gate, sizes


if __name__ == "__main__":
    sys.exit(main())
