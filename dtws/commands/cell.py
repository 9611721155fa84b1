"""Run one cell (a tox env name such as py312-django52) into the results folder."""

from __future__ import annotations

import argparse
import shlex
import subprocess

from dtws import docker, matrix, runner
from dtws.commands.options import add_run_options
from dtws.summary import print_table

# Stopped by SIGTERM or Ctrl-C, it kills the cells' processes and still writes their records.
RECORDS_ON_STOP = True
HELP = "run one cell"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cell", help="the cell's tox env name, e.g. py27-django18")
    add_run_options(parser)
    parser.add_argument(
        "--docker",
        metavar="IMAGE",
        help="run the cell inside `docker run IMAGE` (e.g. python:2.7); results under --project",
    )


def main(args: argparse.Namespace) -> int:
    try:
        cell = matrix.get(args.cell)
    except matrix.UnknownCell as error:
        print(f"dtws cell: {error.args[0]}")
        return 2
    if args.docker:
        try:
            command = docker.command(cell.env, args.docker, args.project, args.results)
        except (docker.NoUv, ValueError) as error:
            print(f"dtws cell: {error}")
            return 2
        print("$ " + shlex.join(command), flush=True)
        return subprocess.run(command, check=False).returncode
    rec = runner.run_cell(
        cell, args.results, project=args.project.resolve(), toxworkdir=args.toxworkdir, timeouts=dict(args.timeout)
    )
    print_table([rec])
    print(f"record: {runner.cell_dir(args.results, cell) / 'result.json'}")
    return 0 if rec.status != "incomplete" else 1
