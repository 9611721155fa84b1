"""Run one cell (a tox env name such as py312-django52) into the results folder."""

from __future__ import annotations

import argparse

from dtws import matrix, runner
from dtws.commands.options import add_run_options
from dtws.summary import print_table

# Stopped by SIGTERM or Ctrl-C, it kills the cells' processes and still writes their records.
RECORDS_ON_STOP = True
HELP = "run one cell"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cell", help="the cell's tox env name, e.g. py27-django18")
    add_run_options(parser)


def main(args: argparse.Namespace) -> int:
    try:
        cell = matrix.get(args.cell)
    except matrix.UnknownCell as error:
        print(f"dtws cell: {error.args[0]}")
        return 2
    rec = runner.run_cell(cell, args.results, toxworkdir=args.toxworkdir, timeouts=dict(args.timeout))
    print_table([rec])
    print(f"record: {runner.cell_dir(args.results, cell) / 'result.json'}")
    return 0 if rec.status != "incomplete" else 1
