"""What the commands that take each library's newest passing cell share (bench, conform): their arguments, and
the targets they name, told in one line when they name none (the command exits 2)."""

from __future__ import annotations

import argparse
from pathlib import Path

from dtws import published, results
from dtws.bench.run import Target, TargetError, published_records, records, targets
from dtws.commands.options import folder_problem
from dtws.reasons import terminal_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="*", metavar="LIBRARY", help="libraries or cells (default: every library)")
    parser.add_argument("--results", type=Path, help="a folder of cell records (default: results)")
    parser.add_argument(
        "--published", metavar="PATH_OR_URL", help="take the passing cells from a published results.json, not --results"
    )
    parser.add_argument("--project", type=Path, default=Path("."), help="folder of manage.py and tox.ini (default: .)")
    parser.add_argument("--toxworkdir", type=Path, default=None, help="the cells' envs (default: .tox of the project)")
    parser.add_argument(
        "--in-docker",
        action="store_true",
        help="a cell whose Python this machine lacks runs its processes in a container of python:X.Y, the official"
        " image of its Python, as the matrix's 2.7 and 3.6 cells run on GitHub (needs docker)",
    )


def chosen(args: argparse.Namespace, command: str) -> list[Target] | None:
    """The targets the arguments name, with --out checked; None once what is wrong is printed in one line."""
    if args.results is not None and not args.results.is_dir():
        print(terminal_text(f"dtws {command}: --results {args.results}: not a folder of cell records"))
        return None
    try:
        known = published_records(args.published) if args.published else records(args.results or Path("results"))
        found = targets(args.targets, known, args.in_docker)
    except (TargetError, published.NotPublished, results.ResultsError, OSError) as error:
        print(terminal_text(f"dtws {command}: {error}"))
        return None
    problem = folder_problem("--out", args.out)
    if problem:
        print(f"dtws {command}: {problem}")
        return None
    return found
