"""The regression gate: compare a run's results.json with a baseline; exit 1 only when something broke.

A cell that passed in the baseline (the published results.json, or a file)
and now fails, times out or is flaky is a regression. By default
(``--fail-on regression``) only a regression makes the exit code 1: known
failures keep the run green. ``--fail-on any``: 1 when any cell does not pass.
``--fail-on never``: 0, with the same report. The report, a Markdown table of
the run's verdicts, every flip in both directions and the flaky cells, is
printed and appended to $GITHUB_STEP_SUMMARY; each regression is also an
error annotation. A baseline that cannot be read, or a file that is not
there, is exit code 2: a gate that cannot see must not say green. A URL with
nothing published yet (HTTP 404) is a first run: nothing can have regressed.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from dtws import gate, published, results
from dtws.commands import Command
from dtws.reasons import terminal_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", type=Path, help="this run's results.json (from `dtws merge`)")
    parser.add_argument(
        "--baseline", required=True, metavar="PATH_OR_URL", help="the results.json to compare with (the published one)"
    )
    parser.add_argument("--fail-on", choices=gate.FAIL_ON, default="regression", help="what makes the exit code 1")
    parser.add_argument("--site", metavar="URL", help="the published site's root, to link each cell in the report")


def main(args: argparse.Namespace) -> int:
    try:
        current = results.read(args.results)
    except results.ResultsError as error:
        print(f"dtws gate: {error}")
        return 2
    if "://" not in args.baseline and not Path(args.baseline).exists():
        print(terminal_text(f"dtws gate: no such baseline: {args.baseline}"))
        return 2
    try:
        baseline: results.Results | None = published.load(args.baseline).results
    except published.NotPublished:
        baseline = None
    except (OSError, ValueError) as error:
        why = terminal_text(f"the baseline ({args.baseline}) could not be read: {error}")
        print(f"dtws gate: {why}")
        print(f"::error title=dtws gate::{why.replace('%', '%25')}")
        return 2
    site = args.site.rstrip("/") + "/" if args.site else None
    verdict = gate.compare(current, baseline, args.baseline, args.fail_on)
    report = gate.markdown(verdict, site)
    print(report)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(report + "\n")
    for flip in verdict.of("regression"):
        print(
            terminal_text(f"::error title=dtws regression::{flip.library} {flip.cell}: {flip.before} -> {flip.after}")
        )
    return 1 if verdict.red else 0


COMMAND = Command(
    name="gate",
    help="compare results with a baseline; exit 1 when a passing cell broke",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
)
