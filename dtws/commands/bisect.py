"""Find the release of a package under which a cell's step stops passing: each probe a real run of the cell.

The package's releases come from the index (for the cell's Python; yanked and
unfit ones are reported and left out; of Django, those from the oldest series
the matrix runs the cell's library on), those of a range (``--releases
'>=1.8'``), or a list given (``--releases 1.0,1.1.1,1.2.2``). The release the
cell gets as the matrix pins it is probed first: when the step (or the cell)
fails under it, a probe is bad only when it fails so, and another failure
cannot judge. Then the oldest usable release, and the newest: when they agree
with it there is nothing to bisect, and it says so. Otherwise it
binary-searches for the last release that passes and the first that fails,
stepping around probes that cannot judge (the pinned release did not install,
an earlier step failed, the step failed otherwise), each reported with why.
Every probe is recorded like any cell, under ``<results>/<release>/``, and the
answer in ``<results>/bisect.json``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dtws import bisect, files, interpreters, matrix, reasons, record, runner
from dtws.commands import Command
from dtws.commands.options import add_docker_option, add_run_options, checked_and_locked, host
from dtws.reasons import terminal_text
from dtws.steps import NAMES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cell", help="the cell's tox env name, e.g. py27-django18")
    parser.add_argument("--package", required=True, help="the package whose releases are bisected, e.g. gevent")
    parser.add_argument(
        "--step", choices=("", *NAMES), default="", help="the step judged (default, or empty: the whole cell)"
    )
    parser.add_argument(
        "--releases",
        default="",
        help="the releases to consider: a range of the index's ('>=1.8,<2'), or a comma-separated list"
        " (default, or empty: every one on the index for the cell's Python; of Django, from the oldest series"
        " the matrix runs the cell's library on)",
    )
    parser.add_argument(
        "--every",
        action="store_true",
        help="probe every release, not a binary search: whether any release passes, and each flip",
    )
    add_run_options(parser)
    add_docker_option(parser)


def main(args: argparse.Namespace) -> int:
    try:
        cell = matrix.get(args.cell)
    except matrix.UnknownCell as error:
        print(f"dtws bisect: {error.args[0]}")
        return 2
    if args.as_of:
        print("dtws bisect: --as-of does not go with a bisect, which pins the package's releases itself")
        return 2
    if not args.docker.strip() and interpreters.find(cell.python) is None:
        print(f"dtws bisect: no Python {cell.python} on this machine, so {cell.env} cannot run here (see --docker)")
        return 2
    if args.results is None:
        args.results = Path("results-bisect") / bisect.name(cell.env, args.package)
    return checked_and_locked("bisect", args, lambda: _bisect(cell, args))


def _bisect(cell: matrix.Cell, args: argparse.Namespace) -> int:
    try:
        versions, left_out = bisect.chosen(cell, args.package, args.releases)
    except bisect.BisectError as error:
        print(terminal_text(f"dtws bisect: {error}"))
        return 2
    except OSError as error:
        print(terminal_text(f"dtws bisect: the index's releases of {args.package} could not be read: {error}"))
        return 2
    for line in bisect.left_out_lines(args.package, left_out):
        print(terminal_text(f"  {line}"))
    if len(versions) < 2:
        print(f"dtws bisect: {len(versions)} release(s) of {args.package} to try; a bisect needs two")
        return 2
    print(f"{len(versions)} releases of {args.package}: {versions[0]} to {versions[-1]}")
    project = args.project.resolve()
    toxworkdir = args.toxworkdir.resolve() if args.toxworkdir else None
    folder = args.results.resolve()

    def probe(version: str) -> tuple[record.CellRecord, str]:
        results = folder / files.part(version)
        rec = runner.run_cell(
            cell,
            results,
            project=project,
            toxworkdir=toxworkdir,
            timeouts=dict(args.timeout),
            host=host(args, project, toxworkdir or project / ".tox", runner.cell_dir(results, cell)),
            retries=0,
            pins={args.package: version},
        )
        return rec, str(runner.cell_dir(results, cell).relative_to(folder))

    def told(found: bisect.Bisect, probe: bisect.Probe) -> None:
        step = found.judged_step
        judged = f"{probe.verdict} ({step} {probe.step_verdict})" if step else probe.verdict
        own = " (the cell's own)" if probe.version == found.reference else ""
        said = (
            f"  {args.package} {probe.version}{own}: {judged}"
            + (f": {probe.why}" if probe.why else "")
            + (f"; the cell: {probe.reason}" if probe.reason else "")
        )
        print(terminal_text(said[:200]))
        if own and found.failure:
            failure, fails = found.failure, "times out" if found.failure.verdict == "timeout" else "fails"
            rule = f"  bad when {failure.step} {fails} so, good when it passes, unusable when it fails otherwise"
            print(terminal_text(f"{rule} ({failure.cause or reasons.bare(failure.error)})"[:200]))

    found = bisect.search(cell, args.package, args.step or None, versions, probe, every=args.every, told=told)
    found.left_out = left_out
    path = bisect.write(found, folder)
    print(terminal_text(found.answer))
    print(f"answer: {path}")
    if found.harness_errors:
        print(
            f"dtws bisect: the harness failed the probe of {', '.join(found.harness_errors)}: see each probe's record"
        )
        return 1
    return 0


COMMAND = Command(
    name="bisect",
    help="find the release of a package that breaks a cell",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
    records_on_stop=True,
)
