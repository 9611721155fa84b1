"""Run one cell (a tox env name such as py312-django52) into the results folder."""

from __future__ import annotations

import argparse

from dtws import asof, matrix, runner
from dtws.commands import Command
from dtws.commands.options import add_docker_option, add_run_options, checked_and_locked, host
from dtws.summary import print_table


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cell", help="the cell's tox env name, e.g. py27-django18")
    add_run_options(parser)
    add_docker_option(parser)
    parser.add_argument(
        "--require-interpreter",
        action="store_true",
        help="no interpreter for the cell is a harness error, not 'unavailable' (CI, which provides each Python)",
    )


def main(args: argparse.Namespace) -> int:
    """Refusals (a bad cell name or folder, a results folder in use) are one line and exit code 2."""
    try:
        cell = matrix.get(args.cell)
    except matrix.UnknownCell as error:
        print(f"dtws cell: {error.args[0]}")
        return 2
    return checked_and_locked("cell", args, lambda: _run(cell, args))


def _run(cell: matrix.Cell, args: argparse.Namespace) -> int:
    project = args.project.resolve()
    toxworkdir = (args.toxworkdir or project / ".tox").resolve()
    index = asof.Index(args.as_of) if args.as_of else None
    try:
        rec = runner.run_cell(
            cell,
            args.results,
            project=project,
            toxworkdir=toxworkdir,
            timeouts=dict(args.timeout),
            host=host(args, project, toxworkdir, runner.cell_dir(args.results, cell)),
            require_interpreter=args.require_interpreter,
            retries=args.retries,
            as_of=index,
        )
    finally:
        if index is not None:
            index.close()
    print_table([rec])
    print(f"record: {runner.cell_dir(args.results, cell) / 'result.json'}")
    return 0 if rec.status != "incomplete" else 1


COMMAND = Command(
    name="cell",
    help="run one cell",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
    records_on_stop=True,
)
