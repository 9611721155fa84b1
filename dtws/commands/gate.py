"""The regression gate: compare a run's results.json with a baseline; exit 1 only when something broke.

A cell that passed in the baseline (the published results.json, or a file)
and now fails, times out or is flaky is a regression. By default
(``--fail-on regression``) only a regression makes the exit code 1: known
failures keep the run green. ``--fail-on any``: 1 when any cell does not pass.
``--fail-on never``: 0, with the same report. A cell ahead of release (Django
main, its pre-release, the next Python: dtws.ahead) never makes it 1, unless
``--ahead-counts``: its changes and failures are listed apart. The report, a Markdown table of
the run's verdicts, every flip in both directions and the flaky cells, is
printed and appended to $GITHUB_STEP_SUMMARY; each regression is also an
error annotation. A baseline that cannot be read, a file that is not there,
a URL that is not of a site nor of its results.json, or results of another
day (an as-of run's against today's) is exit code 2: a gate that cannot see
must not say green. A site's URL with nothing published yet (HTTP 404) is a
first run: nothing can have regressed.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from dtws import asof, files, gate, published, results, tell
from dtws.commands import Command
from dtws.commands.options import file_problem
from dtws.conform import data as conform_data
from dtws.reasons import terminal_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", type=Path, help="this run's results.json (from `dtws merge`)")
    parser.add_argument(
        "--baseline", required=True, metavar="PATH_OR_URL", help="the results.json to compare with (the published one)"
    )
    parser.add_argument("--fail-on", choices=gate.FAIL_ON, default="regression", help="what makes the exit code 1")
    parser.add_argument(
        "--ahead-counts",
        action="store_true",
        help="judge the cells ahead of release (Django main, its pre-release, the next Python) as any other:"
        " by default they never turn the run red",
    )
    parser.add_argument("--site", metavar="URL", help="the published site's root, to link each cell in the report")
    parser.add_argument(
        "--verdict",
        type=Path,
        metavar="FILE",
        help="also write what the run has to tell (its regressions and flaky cells) as JSON, for `dtws github issue`",
    )
    parser.add_argument(
        "--conformance",
        type=Path,
        metavar="CONFORMANCE_JSON",
        help="this run's conformance.json (`dtws conform`), when it has one: a library whose failing cases grew is"
        " told with --verdict, as information (never a regression)",
    )


def _conformance(where: Path | None) -> conform_data.Conformance | None:
    """This run's conformance.json, when it has one (a push runs no suite); one that cannot be read is said."""
    if where is None or not where.is_file():
        return None
    try:
        return conform_data.read(where)
    except conform_data.ConformanceError as error:
        print(terminal_text(f"dtws gate: --conformance not told: {error}"))
        return None


def _blind(why: str) -> int:
    """A gate that cannot see: exit code 2, one line, and an error annotation that says why."""
    said = terminal_text(why)
    print(f"dtws gate: {said}")
    print(f"::error title=dtws gate::{said.replace('%', '%25')}")
    return 2


def main(args: argparse.Namespace) -> int:
    problem = file_problem("--verdict", args.verdict) if args.verdict else None
    if problem:
        print(terminal_text(f"dtws gate: {problem}"))
        return 2
    try:
        current = results.read(args.results)
    except results.ResultsError as error:
        print(terminal_text(f"dtws gate: {error}"))
        return 2
    try:
        baseline: results.Results | None = published.load(args.baseline).results
    except published.NotPublished as why:
        if not published.is_url(args.baseline):  # only a site may have nothing published yet; a file must be there
            return _blind(f"no such baseline: {why}")
        baseline = None
    except (OSError, ValueError) as error:
        return _blind(f"the baseline ({args.baseline}) could not be read: {error}")
    if baseline is not None and baseline.as_of != current.as_of:
        then, now = asof.said(baseline.as_of), asof.said(current.as_of)
        return _blind(f"the baseline ({args.baseline}) holds results {then}, these are {now}: they do not compare")
    site = args.site.rstrip("/") + "/" if args.site else None
    verdict = gate.compare(current, baseline, args.baseline, args.fail_on, args.ahead_counts)
    report = gate.markdown(verdict, site)
    print(report)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        files.append_text(Path(summary), report + "\n")
    if args.verdict:
        told = tell.of(verdict, current.run.run_url, site, _conformance(args.conformance))
        try:
            files.write_json(args.verdict, tell.as_data(told))
        except OSError as error:  # checked before: only a folder changed meanwhile comes here
            print(terminal_text(f"dtws gate: --verdict {args.verdict} cannot be written: {error.strerror or error}"))
            return 2
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
