"""What the GitHub Actions workflow needs from the matrix and the records, as data and text.

The workflow's steps stay thin: each calls a ``dtws`` command built on this.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from dtws import ahead, asof, hosts, matrix, questions, review, services
from dtws.libraries import LIBRARIES, library
from dtws.marks import MARKS
from dtws.reasons import terminal_text
from dtws.record import CellRecord
from dtws.results import Results, RunInfo

# Every job names its runner: `ubuntu-latest` moves (to Ubuntu 26.04 on
# 2026-11-19, where setup-python has nothing older than 3.10).
RUNNER = "ubuntu-24.04"
# The Pythons setup-python has for ubuntu-24.04 x64, from the versions manifest
# of actions/python-versions (August 2026): 3.8 to 3.14, and 3.15 as a
# pre-release. 3.7 is built for ubuntu-22.04 only, a runner deprecated and
# due to go in April 2027; 3.3 to 3.6 and 2.7 for no current runner.
SETUP_PYTHON = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15")
# The others (hosts.IN_DOCKER) run their cell's processes in a container of Docker
# Hub's official image of that Python (`dtws cell --docker`), the harness on the runner.


@dataclass(frozen=True)
class Source:
    """Where a cell job gets its Python in CI."""

    runner: str
    image: str  # a docker image of the Python, or "" for setup-python on the runner


def source(python: str) -> Source:
    """A free-threaded build (``3.14t``) is setup-python's too (its ``freethreaded`` input)."""
    if python.removesuffix("t") in SETUP_PYTHON:
        return Source(RUNNER, "")
    if python in hosts.IN_DOCKER:
        return Source(RUNNER, f"python:{python}")
    where = "SETUP_PYTHON in dtws/github.py or IN_DOCKER in dtws/hosts.py"
    raise LookupError(f"no CI source for Python {python}: add it to {where}")


Job = dict[str, str | bool]


def _runs_on(cell: matrix.Cell) -> Job:
    """A job's runner, the docker image of its Python ("" for setup-python's), and the Debian packages of
    its library's services (dtws.services), which the job installs on the runner ("" for none)."""
    where = source(cell.python)
    packages = " ".join(services.PACKAGES[name] for name in library(cell.library).services)
    return {
        "docker": bool(where.image),
        "image": where.image,
        "runner": where.runner,
        "packages": packages,
        # What setup-python is asked for: the version, and whether its free-threaded build (a "t" cell: dtws.ahead).
        "setup_python": cell.python.removesuffix("t"),
        "freethreaded": cell.python.endswith("t"),
    }


def bench_packages() -> str:
    """The Debian packages of every library's services: the bench job runs them all on its one runner."""
    wanted = {services.PACKAGES[name] for lib in LIBRARIES if not lib.test_only for name in lib.services}
    return " ".join(sorted(wanted))


def job(cell: matrix.Cell, as_of: str = "") -> Job:
    """A cell job: today's releases, or (``as_of``, a date) those the index had before that day."""
    return {
        "cell": cell.env,
        "library": cell.library,
        "python": cell.python,
        "django": cell.django,
        "as_of": as_of,
        "name": (f"as of {as_of} · " if as_of else "")
        + f"py{cell.python.replace('.', '')} · Django "
        + (ahead.label(cell.python, cell.django) if cell.django == ahead.NEXT else cell.django)
        + ("" if cell.library == matrix.LIBRARY else f" · {cell.library}"),
        **_runs_on(cell),
    }


def bisect_job(question: review.Question) -> Job:
    cell = matrix.get(question.cell)
    return {
        "name": f"bisect {question.package} · {cell.env}",
        "bisect": question.name,
        "cell": cell.env,
        "python": cell.python,
        "package": question.package,
        "step": question.step,
        "releases": question.releases,
        "every": question.every,
        **_runs_on(cell),
    }


# GitHub expands one job's matrix to at most 256 jobs in a run (its "Job Matrix"
# limit; past it the run fails). The workflow has SHARDS copies of the cell job, each
# expanding one output of the plan; a plan fills them in order, MAX_JOBS each, so a
# plan of up to 256 jobs is shard 1 alone. tests/test_workflow.py plans 600 cells
# through them.
MAX_JOBS = 256
SHARDS = 4


def shard_output(index: int) -> str:
    """The plan's output of shard ``index``'s matrix: ``matrix``, then ``matrix-2``, ``matrix-3`` ..."""
    return "matrix" if index == 1 else f"matrix-{index}"


class TooManyJobs(ValueError):
    pass


def shards(jobs: Sequence[Job]) -> list[list[Job]]:
    """``jobs`` in order, MAX_JOBS a shard: always SHARDS shards, the ones not needed empty."""
    if len(jobs) > SHARDS * MAX_JOBS:
        raise TooManyJobs(
            f"{len(jobs)} cell jobs, more than the workflow's {SHARDS} cell jobs of {MAX_JOBS} each can run:"
            " raise SHARDS in dtws/github.py and add a copy of the cell job to .github/workflows/matrix.yml"
        )
    return [list(jobs[start : start + MAX_JOBS]) for start in range(0, SHARDS * MAX_JOBS, MAX_JOBS)]


@dataclass(frozen=True)
class Plan:
    """What one run of the workflow runs.

    A full run: every cell of the matrix and the review's cells as of its day;
    and, when it is scheduled or dispatched (not on a push, which must answer
    fast), the bisects of dtws.questions (the review's, each library's first).
    A run of one cell (dispatched from the Actions UI): that cell only. The
    site keeps everything else from the published one. The cells ahead of
    release (dtws.ahead: Django main, its pre-release, the next Python) run
    with the bisects: in a scheduled or dispatched full run.
    """

    shards: list[list[Job]]  # the cell jobs, SHARDS lists of at most MAX_JOBS
    bisects: list[Job]

    @classmethod
    def nothing(cls) -> Plan:
        """A run that plans no job: every shard empty."""
        return cls(shards([]), [])

    def outputs(self) -> list[str]:
        """``name=<json>`` lines for $GITHUB_OUTPUT: each shard's matrix (an empty one ``{"include":[]}``,
        which its job skips on), the bisect jobs' list, the review's day and whether any cell runs."""
        return [
            *(f"{shard_output(index)}=" + _compact({"include": shard}) for index, shard in enumerate(self.shards, 1)),
            "bisects=" + _compact(self.bisects),
            f"as-of={review.DAY}",
            f"runs={'true' if any(self.shards) else 'false'}",
        ]


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# The events whose full runs bisect: a push runs the cells and keeps the published bisects.
BISECT_ON = ("schedule", "workflow_dispatch")


def plan(only: Sequence[str] = (), event: str = "workflow_dispatch") -> Plan:
    """The jobs of a run of ``event``: everything, or the ``only`` cells (cells of the matrix only)."""
    cells = [matrix.get(name) for name in only] if only else list(matrix.CELLS)
    for cell in cells:
        if cell not in matrix.CELLS + ahead.CELLS:
            raise matrix.UnknownCell(f"{cell.env} is a test-only cell (dtws's own tests run it), not one of the matrix")
    if only:
        return Plan(shards([job(cell) for cell in cells]), [])
    then = [job(matrix.get(name), review.DAY) for name in review.TABLE]
    full = event in BISECT_ON
    bisects = [bisect_job(question) for question in questions.QUESTIONS] if full else []
    coming = [job(cell) for cell in ahead.CELLS] if full else []
    return Plan(shards([job(cell) for cell in cells] + coming + then), bisects)


def _said(status: str) -> str:
    """A status as the job summary says it: its own name, but a harness error is never just "error"."""
    return "harness error" if status == "error" else status


def _escape(text: str) -> str:
    """Workflow-command data: %, CR and LF must be encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def markdown_code(text: str) -> str:
    """Record text for a job summary (Markdown): one line, as code, so nothing in it is markup."""
    return "`" + terminal_text(text).replace("`", "'") + "`"


def _then(rec: CellRecord) -> str:
    return f" {asof.said(rec.provenance.as_of)}" if rec.provenance.as_of else ""


def summary_line(rec: CellRecord) -> str:
    verdicts = ", ".join(f"{step.name} {step.verdict}" for step in rec.steps)
    reason = f": {markdown_code(rec.reason)}" if rec.reason else ""
    cell = f"{rec.library} {rec.cell}{_then(rec)}"
    return f"- {MARKS[rec.status].symbol} **{cell}** {_said(rec.status)}{reason} ({verdicts})\n"


def annotation(rec: CellRecord) -> str:
    level = {"pass": "notice", "unavailable": "warning", "flaky": "warning"}.get(rec.status, "error")
    if rec.provenance.as_of and not red(rec):  # a finding about the past: told, not an error of this run
        level = "notice"
    title = (
        _escape(f"{rec.library} {rec.cell}{_then(rec)}: {_said(rec.status)}")
        .replace(",", "%2C")
        .replace("::", "%3A%3A")
    )
    return f"::{level} title={title}::{_escape(terminal_text(rec.reason or 'every step passed'))}"


def artifact_name(cell: matrix.Cell, attempt: int, as_of: str = "") -> str:
    """One artifact per attempt of a cell: re-runs never share a name (download-artifact keeps one per name).

    The first attempt keeps the plain name ``cell-<library>-<cell>``; re-run N adds ``-attempt<N>``.
    A cell run as of a day is ``asof-<day>-<library>-<cell>``: never merged with today's.
    """
    prefix = f"asof-{as_of}" if as_of else "cell"
    return f"{prefix}-{cell.library}-{cell.env}" + (f"-attempt{attempt}" if attempt > 1 else "")


# A cell job is red when the library failed, timed out, passed only when run
# again (flaky) or was stopped, and when the harness failed (error): the job
# can then be re-run on its own.
# A cell run as of a day is red only when the harness failed or the run was
# stopped: its ✗ is a finding about the past, not a regression to re-run.
RED = ("fail", "flaky", "timeout", "error", "incomplete")
RED_AS_OF = ("error", "incomplete")


# A cell ahead of release (dtws.ahead) is red, too, only when the harness failed or the run was stopped:
# its ✗ is news about what is coming, never a regression.


def red(rec: CellRecord) -> bool:
    return rec.status in (RED_AS_OF if rec.provenance.as_of or ahead.kind(rec.python, rec.django) else RED)


def pages_url(repository: str, site_url: str = "") -> str:
    """The root of the repository's GitHub Pages site, ending in "/".

    ``<owner>.github.io`` repositories are served at the root of that host;
    others under ``/<repo>/``. A custom domain answers there too (github.io
    redirects to it), or is named with ``site_url``.
    """
    if site_url.strip():
        return site_url.strip().rstrip("/") + "/"
    owner, _, name = repository.partition("/")
    if not owner or not name:
        raise ValueError(f"GITHUB_REPOSITORY: expected OWNER/NAME, got {repository!r}")
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if name.lower() == host else f"https://{host}/{name}/"


def _newer(base: RunInfo, ours: RunInfo) -> bool:
    """Whether run ``base`` came after run ``ours``: by their numbers, else by their ids (both only grow)."""
    if base.run_number is not None and ours.run_number is not None:
        return (base.run_number, base.run_attempt or 1) > (ours.run_number, ours.run_attempt or 1)
    if base.run_id and ours.run_id and base.run_id.isdigit() and ours.run_id.isdigit():
        return (int(base.run_id), base.run_attempt or 1) > (int(ours.run_id), ours.run_attempt or 1)
    return False


def _named(run: RunInfo) -> str:
    return f"#{run.run_number}" if run.run_number is not None else str(run.run_id)


def publishable(merged: Results) -> tuple[bool, str]:
    """Whether deploying ``merged`` can only make the published site better, and why (not)."""
    if merged.run.reran == 0:
        return False, "this run has no record of any cell"
    if merged.baseline_problem:
        return False, merged.baseline_problem
    base, ours = merged.baseline, merged.run
    if base is None and merged.partial:
        missing = sum(entry.record is None for entry in merged.cells)
        return False, (
            f"no published results were read, and this run has no record of {missing} cells:"
            " only a run of every cell may publish over a site it could not read"
        )
    if base is not None and _newer(base, ours):
        return False, (
            f"the published site comes from run {_named(base)} (attempt {base.run_attempt or 1}),"
            f" newer than this run {_named(ours)} (attempt {ours.run_attempt or 1})"
        )
    return True, f"{ours.reran} cells of this run" + (", the others kept from the published site" if base else "")
