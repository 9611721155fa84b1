"""Merge cell records (local results or downloaded artifacts) into a results folder with results.json."""

from __future__ import annotations

import argparse
from pathlib import Path

from dtws import results
from dtws.merge import MergeError, merge

HELP = "merge cell records into results.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folders", nargs="+", type=Path, help="folders holding result.json files, in any layout")
    parser.add_argument(
        "--out", type=Path, default=Path("build/results"), help="results folder (default: build/results)"
    )


def main(args: argparse.Namespace) -> int:
    try:
        merged = merge(args.folders, args.out)
    except MergeError as error:
        print(f"dtws merge: {error}")
        return 2
    path = results.write(merged, args.out)
    have = sum(entry.record is not None for entry in merged.cells)
    print(f"{have} of {len(merged.cells)} cells have a record; results: {path}")
    for entry in merged.cells:
        if entry.problem and "no record of this cell was found" not in entry.problem:
            print(f"  {entry.library} {entry.cell}: {entry.problem}")
    for problem in merged.problems:
        print(f"  {problem}")
    return 0
