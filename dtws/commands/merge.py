"""Merge cell records (local results or downloaded artifacts) into a results folder with results.json.

With ``--published`` (the published site's results.json, a URL or a path), every
cell this run has no record of keeps its published verdict, record and logs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dtws import published, results
from dtws.merge import MergeError, merge

HELP = "merge cell records into results.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folders", nargs="+", type=Path, help="folders holding result.json files, in any layout")
    parser.add_argument(
        "--out", type=Path, default=Path("build/results"), help="results folder (default: build/results)"
    )
    parser.add_argument(
        "--published",
        metavar="PATH_OR_URL",
        help="the published results.json: cells this run did not re-run keep their published record",
    )


def main(args: argparse.Namespace) -> int:
    missing = [str(folder) for folder in args.folders if not folder.exists()]
    if missing:
        print(f"dtws merge: no such folder: {', '.join(missing)}")
        return 2
    baseline, problem = None, None
    if args.published:
        try:
            baseline = published.load(args.published)
        except published.NotPublished as why:
            print(f"dtws merge: nothing published yet, nothing to keep ({why})")
        except (OSError, results.ResultsError) as error:
            problem = f"the published results ({args.published}) could not be read: {error}"
            print(f"dtws merge: {problem}; only this run's cells are in the results")
    try:
        merged = merge(args.folders, args.out, baseline=baseline)
    except MergeError as error:
        print(f"dtws merge: {error}")
        return 2
    merged.baseline_problem = problem
    path = results.write(merged, args.out)
    have = sum(entry.record is not None for entry in merged.cells)
    kept = sum(entry.kept for entry in merged.cells)
    print(
        f"{have} of {len(merged.cells)} cells have a record ({merged.run.reran} from this run"
        + (f", {kept} kept from the published results" if baseline else "")
        + f"); results: {path}"
    )
    for entry in merged.cells:
        if entry.problem and "no record of this cell was found" not in entry.problem:
            print(f"  {entry.library} {entry.cell}: {entry.problem}")
    for item in merged.problems:
        print(f"  {item}")
    return 0
