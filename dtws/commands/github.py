"""The GitHub Actions side of a run, one action per workflow step that needs dtws.

``matrix [--only CELL] [--event EVENT] [--base REV] [--none]``: prints ``matrix=<json>``,
``matrix-2=<json>`` ... of the cell jobs, one matrix per copy of the workflow's cell job
(dtws.github.shards), ``bisects=<json>`` of the bisect jobs, ``as-of=<day>`` of the review's as-of
run and ``runs=true|false`` (and appends them to $GITHUB_OUTPUT). A plan of more cell jobs than the
copies hold fails, saying so. With ``--base`` (a pull request's base), no cell when no cell file
changed since it; with ``--none``, no job at all.
``artifact CELL [--as-of DAY]``: ``name=`` the artifact of this attempt of the cell ($GITHUB_RUN_ATTEMPT).
``report RESULT_JSON``: one line in $GITHUB_STEP_SUMMARY, one annotation, exit 1 when the job must
show red (the library failed or timed out, the run was stopped, or the harness failed).
``pages-url``: ``url=`` the published site's root, for this repository ($GITHUB_REPOSITORY, or
$DTWS_SITE_URL for a site elsewhere).
``publish RESULTS_JSON``: ``publish=true`` only when deploying these results cannot make the
published site worse (see dtws.github.publishable); says why not otherwise.
``issue VERDICT_JSON``: what ``gate --verdict`` wrote, told in the repository's issue (dtws.tell):
opened, commented on or closed; and what breaks ahead of release, in an issue of its own (opened, kept
current, closed); an API error is a warning, never a failed job.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from dtws import changed, files, github, matrix, record, results, tell
from dtws.commands import Command
from dtws.commands.options import as_of_date
from dtws.reasons import terminal_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    plan = actions.add_parser("matrix", help="print matrix=<json> (and matrix-2= ...) of the cell jobs")
    plan.add_argument("--only", default="all", help="one cell, or 'all' (default)")
    plan.add_argument(
        "--event",
        default="workflow_dispatch",
        help="the run's event ($GITHUB_EVENT_NAME): a full run bisects when scheduled or dispatched, not on a push",
    )
    plan.add_argument(
        "--base",
        default="",
        help="a pull request's base commit: when no cell file differs from it (run --changed's hashes), no cell runs",
    )
    plan.add_argument("--none", action="store_true", help="plan no job (a pull request whose push runs them)")
    artifact = actions.add_parser("artifact", help="print name=<the cell's artifact for this attempt>")
    artifact.add_argument("cell", help="the cell's tox env name")
    artifact.add_argument("--as-of", type=as_of_date, help="the day of an as-of run (empty: today's)")
    report = actions.add_parser("report", help="job summary line, annotation and exit code of a cell")
    report.add_argument("record", type=Path, help="the cell's result.json")
    actions.add_parser("pages-url", help="print url=<the published site's root>")
    actions.add_parser("bench-packages", help="print packages=<the Debian packages of every library's services>")
    publish = actions.add_parser("publish", help="print publish=true|false for merged results")
    publish.add_argument("results", type=Path, help="the merged results.json")
    issue = actions.add_parser("issue", help="open, comment on or close the issue of a run's regressions")
    issue.add_argument("verdict", type=Path, help="what the gate wrote with --verdict")


def _output(line: str) -> None:
    print(line)
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        files.append_text(Path(target), line + "\n")


def _matrix(args: argparse.Namespace) -> int:
    only = [] if args.only.strip() in ("", "all") else [args.only.strip()]
    plan = github.Plan.nothing() if args.none else github.plan(only, args.event)
    if args.base.strip() and not args.none:  # a pull request: its cells run only when a cell file changed
        try:
            cells_changed = changed.changed_since(Path("."), args.base.strip())
        except ValueError as error:
            print(terminal_text(f"::error title=dtws plan::{error}"))
            return 2
        if not cells_changed:
            print(f"::notice title=dtws::no cell file changed since {args.base.strip()[:12]}: only the plan runs")
            plan = github.Plan.nothing()
    for line in plan.outputs():
        _output(line)
    return 0


def _artifact(args: argparse.Namespace) -> int:
    cell = matrix.get(args.cell)
    attempt = os.environ.get("GITHUB_RUN_ATTEMPT", "1")
    number = int(attempt) if attempt.isdigit() else 1
    _output(f"name={github.artifact_name(cell, number, args.as_of.isoformat() if args.as_of else '')}")
    return 0


def _report(args: argparse.Namespace) -> int:
    try:
        rec = record.read(args.record)
    except record.RecordError as error:
        print(f"::error title=dtws::no record: {error}")
        return 1
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        files.append_text(Path(summary), github.summary_line(rec))
    print(github.annotation(rec))
    return 1 if github.red(rec) else 0


def _pages_url(args: argparse.Namespace) -> int:
    _output(f"url={github.pages_url(os.environ.get('GITHUB_REPOSITORY', ''), os.environ.get('DTWS_SITE_URL', ''))}")
    return 0


def _bench_packages(args: argparse.Namespace) -> int:
    _output(f"packages={github.bench_packages()}")
    return 0


def _publish(args: argparse.Namespace) -> int:
    ok, why = github.publishable(results.read(args.results))
    print(f"::notice title=dtws::publishing: {why}" if ok else f"::warning title=dtws::not publishing: {why}")
    _output(f"publish={'true' if ok else 'false'}")
    return 0


def _issue(args: argparse.Namespace) -> int:
    try:
        told = tell.read(files.read_json(args.verdict))
    except (OSError, ValueError) as error:
        print(terminal_text(f"::error title=dtws::no verdict to tell: {args.verdict}: {error}"))
        return 2
    for line in tell.information(told)[2:]:  # information, never a regression: a notice, whatever the issue
        print(terminal_text(f"::notice title=dtws protocol::{line[2:]}"))
    env = {name: os.environ.get(name, "") for name in ("GITHUB_API_URL", "GITHUB_REPOSITORY", "GITHUB_TOKEN")}
    missing = [name for name, value in env.items() if not value]
    if missing:
        print(f"::warning title=dtws::nobody told: {', '.join(missing)} not set")
        return 0
    api = tell.Api(env["GITHUB_API_URL"], env["GITHUB_REPOSITORY"], env["GITHUB_TOKEN"])
    try:
        said, number = tell.tell(told, api)
        print({"nothing": "no regression, and no issue open: nothing to tell"}.get(said, f"{said} issue #{number}"))
        said, number = tell.tell_ahead(told, api)
        print(
            {"nothing": "nothing breaks ahead of release, and no issue open"}.get(
                said, f"ahead: {said} issue #{number}"
            )
        )
    except tell.ApiError as error:  # telling is a courtesy: the run's verdict and its site stand without it
        print(terminal_text(f"::warning title=dtws::nobody told: {error}"))
    return 0


ACTIONS = {
    "matrix": _matrix,
    "artifact": _artifact,
    "report": _report,
    "pages-url": _pages_url,
    "bench-packages": _bench_packages,
    "publish": _publish,
    "issue": _issue,
}


def main(args: argparse.Namespace) -> int:
    """Every refusal is one ::error line and exit code 2 (a missing record in `report` is the job's red: 1)."""
    try:
        return ACTIONS[args.action](args)
    except matrix.UnknownCell as error:
        print(f"::error title=dtws::{error.args[0]}")
    except (results.ResultsError, ValueError) as error:
        print(f"::error title=dtws::{error}")
    return 2


COMMAND = Command(
    name="github",
    help="the workflow's matrix, per-cell report, Pages URL and publish check",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
)
