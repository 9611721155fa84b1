"""The GitHub Actions side of a run, one action per workflow step that needs dtws.

``matrix [--only CELL] [--event EVENT]``: prints ``matrix=<json>``, ``matrix-2=<json>`` ... of the
cell jobs, one matrix per copy of the workflow's cell job (dtws.github.shards), ``bisects=<json>`` of
the bisect jobs and ``as-of=<day>`` of the review's as-of run (and appends them to $GITHUB_OUTPUT).
A plan of more cell jobs than the copies hold fails, saying so.
``artifact CELL [--as-of DAY]``: ``name=`` the artifact of this attempt of the cell ($GITHUB_RUN_ATTEMPT).
``report RESULT_JSON``: one line in $GITHUB_STEP_SUMMARY, one annotation, exit 1 when the job must
show red (the library failed or timed out, the run was stopped, or the harness failed).
``pages-url``: ``url=`` the published site's root, for this repository ($GITHUB_REPOSITORY, or
$DTWS_SITE_URL for a site elsewhere).
``publish RESULTS_JSON``: ``publish=true`` only when deploying these results cannot make the
published site worse (see dtws.github.publishable); says why not otherwise.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from dtws import github, matrix, record, results
from dtws.commands import Command
from dtws.commands.options import as_of_date


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    plan = actions.add_parser("matrix", help="print matrix=<json> (and matrix-2= ...) of the cell jobs")
    plan.add_argument("--only", default="all", help="one cell, or 'all' (default)")
    plan.add_argument(
        "--event",
        default="workflow_dispatch",
        help="the run's event ($GITHUB_EVENT_NAME): a full run bisects when scheduled or dispatched, not on a push",
    )
    artifact = actions.add_parser("artifact", help="print name=<the cell's artifact for this attempt>")
    artifact.add_argument("cell", help="the cell's tox env name")
    artifact.add_argument("--as-of", type=as_of_date, help="the day of an as-of run (empty: today's)")
    report = actions.add_parser("report", help="job summary line, annotation and exit code of a cell")
    report.add_argument("record", type=Path, help="the cell's result.json")
    actions.add_parser("pages-url", help="print url=<the published site's root>")
    publish = actions.add_parser("publish", help="print publish=true|false for merged results")
    publish.add_argument("results", type=Path, help="the merged results.json")


def _output(line: str) -> None:
    print(line)
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def _matrix(args: argparse.Namespace) -> int:
    only = [] if args.only.strip() in ("", "all") else [args.only.strip()]
    for line in github.plan(only, args.event).outputs():
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
        with open(summary, "a", encoding="utf-8") as out:
            out.write(github.summary_line(rec))
    print(github.annotation(rec))
    return 1 if github.red(rec) else 0


def _pages_url(args: argparse.Namespace) -> int:
    _output(f"url={github.pages_url(os.environ.get('GITHUB_REPOSITORY', ''), os.environ.get('DTWS_SITE_URL', ''))}")
    return 0


def _publish(args: argparse.Namespace) -> int:
    ok, why = github.publishable(results.read(args.results))
    print(f"::notice title=dtws::publishing: {why}" if ok else f"::warning title=dtws::not publishing: {why}")
    _output(f"publish={'true' if ok else 'false'}")
    return 0


ACTIONS = {"matrix": _matrix, "artifact": _artifact, "report": _report, "pages-url": _pages_url, "publish": _publish}


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
