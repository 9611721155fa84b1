"""Does each library's websocket speak RFC 6455: the Autobahn|Testsuite against its echo, into conformance.json.

Each LIBRARY gets its newest passing cell in --results (a cell's name picks that
cell; none: every library of the site), as the bench picks it. Its servers start
as the cell starts them, and the suite's fuzzing client (cases 1-7 and 10) runs
against the echo endpoint its declaration names, after the bare `websockets` echo
(the reference). Every case's behaviour, with the suite's description, goes to
OUT/conformance.json after the history of --previous, Autobahn's HTML reports to
OUT/reports/. The suite (Python 2.7 code) is installed once into ~/.cache/dtws/.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dtws import published, results
from dtws.commands import Command, targets
from dtws.conform import data, report, suite
from dtws.conform.run import conform, previous
from dtws.reasons import terminal_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    targets.add_arguments(parser)
    parser.add_argument("--out", type=Path, default=Path("conformance"), help="where conformance.json goes")
    parser.add_argument(
        "--previous",
        metavar="PATH_OR_URL",
        help="an earlier conformance.json, or a site (URL or folder) whose conformance/conformance.json this run's"
        " history carries on",
    )
    parser.add_argument(
        "--suite-docker",
        metavar="IMAGE",
        help="run the suite in a container of IMAGE (python:2.7), for a machine without Python 2.7 (needs docker)",
    )
    parser.add_argument(
        "--cases", default=",".join(suite.CASES), help="the suite's case patterns, comma-separated (default: *)"
    )


def main(args: argparse.Namespace) -> int:
    """Bad input is one line and exit code 2; a suite that cannot run here (a harness error), or a library
    the run failed to test (its status ``error``), 1. A library with no echo or no passing cell is no failure."""
    try:
        before = previous(args.previous) if args.previous else None
    except (data.ConformanceError, published.Unreadable, results.ResultsError) as error:
        print(terminal_text(f"dtws conform: --previous: {error}"))
        return 2
    chosen = targets.chosen(args, "conform")
    if chosen is None:
        return 2
    project = args.project.resolve()
    try:
        written = conform(
            chosen,
            project=project,
            toxworkdir=(args.toxworkdir or project / ".tox").resolve(),
            out=args.out.resolve(),
            previous=before,
            say=lambda line: print(terminal_text(line), flush=True),
            cases=[item.strip() for item in args.cases.split(",") if item.strip()],
            image=args.suite_docker,
        )
    except suite.SuiteError as error:
        print(terminal_text(f"dtws conform: harness error: {error}"))
        return 1
    run = written.latest
    assert run is not None
    for line in report.lines(run):
        print(terminal_text(line))
    print(f"\nconformance.json: {args.out / data.FILENAME}")
    return 1 if any(item.status == "error" for item in [run.reference, *run.libraries]) else 0


COMMAND = Command(
    name="conform",
    help="run the Autobahn|Testsuite against each library's echo endpoint, beside the bare protocol's",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
)
