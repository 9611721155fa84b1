"""The GitHub Actions side of a run: ``matrix`` prints the cell jobs, ``report`` tells a cell's verdict.

``python -m dtws github matrix [--only CELL]`` prints ``matrix=<json>`` and appends it to $GITHUB_OUTPUT.
``python -m dtws github report RESULT_JSON`` appends one line to $GITHUB_STEP_SUMMARY, prints
one annotation, and exits 1 when the cell failed or timed out, so the job shows it and can be
re-run on its own (the job is continue-on-error: the run goes on).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from dtws import github, matrix, record

HELP = "the workflow's matrix and per-cell report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    plan = actions.add_parser("matrix", help="print matrix=<json> of the cell jobs")
    plan.add_argument("--only", default="all", help="one cell, or 'all' (default)")
    report = actions.add_parser("report", help="job summary line, annotation and exit code of a cell")
    report.add_argument("record", type=Path, help="the cell's result.json")


def main(args: argparse.Namespace) -> int:
    if args.action == "matrix":
        only = [] if args.only.strip() in ("", "all") else [args.only.strip()]
        try:
            line = github.output_line(only)
        except matrix.UnknownCell as error:
            print(f"::error title=dtws::{error.args[0]}")
            return 2
        print(line)
        output = os.environ.get("GITHUB_OUTPUT")
        if output:
            with open(output, "a", encoding="utf-8") as out:
                out.write(line + "\n")
        return 0
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
    return 1 if rec.status in ("fail", "timeout", "incomplete") else 0
