"""Merge cell records (local results or downloaded artifacts) into a results folder with results.json.

Next to results.json, ``junit.xml``: every cell's steps as JUnit test cases (dtws.junit).

With ``--published`` (the published site's results.json, a URL or a path), every
cell this run has no record of keeps its published verdict, record and logs. An
as-of merge keeps from the published results of its own day
(``as-of/<date>/results.json`` of the site), never from today's.

Inputs that hold no result.json at all are refused (a wrong folder, or a download
that found nothing, would otherwise give results where every cell says "no
result"), unless ``--allow-empty`` says that is meant.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dtws import asof, published, record, results
from dtws.commands import Command
from dtws.commands.options import as_of_date
from dtws.merge import MergeError, merge
from dtws.reasons import terminal_text


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
    parser.add_argument(
        "--as-of",
        type=as_of_date,
        metavar="YYYY-MM-DD",
        help="merge the records of an as-of run of that date (default: today's records only)",
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=Path("."),
        help="the repository whose apps' files the review's answers show (default: .)",
    )
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="merge even when the folders hold no result.json (every cell then says 'no result', or is kept)",
    )


def _holds_records(folder: Path) -> bool:
    """A file given as an input is read as a record; a folder must hold a result.json somewhere."""
    return folder.is_file() or next(folder.rglob(record.FILENAME), None) is not None


def main(args: argparse.Namespace) -> int:
    missing = [str(folder) for folder in args.folders if not folder.exists()]
    if not (args.project / "manage.py").is_file():
        print(f"dtws merge: --project {args.project}: no manage.py there (the repository whose apps the answers show)")
        return 2
    if missing:
        print(f"dtws merge: no such folder: {', '.join(missing)}")
        return 2
    if not args.allow_empty and not any(_holds_records(folder) for folder in args.folders):
        folders = ", ".join(str(folder) for folder in args.folders)
        print(f"dtws merge: no {record.FILENAME} in {folders}; pass --allow-empty to merge nothing on purpose")
        return 2
    baseline, problem = None, None
    day = args.as_of.isoformat() if args.as_of else None
    if args.published:
        try:
            baseline = published.load(args.published)
        except published.NotPublished as why:
            print(terminal_text(f"dtws merge: nothing published yet, nothing to keep ({why})"))
        except (OSError, results.ResultsError) as error:
            problem = f"the published results ({args.published}) could not be read: {error}"
            print(terminal_text(f"dtws merge: {problem}; only this run's cells are in the results"))
        if baseline is not None and baseline.results.as_of != day:
            then = asof.said(baseline.results.as_of)
            problem = (
                f"the published results ({args.published}) are {then}, not {asof.said(day)}: nothing of them is kept"
            )
            print(terminal_text(f"dtws merge: {problem}"))
            baseline = None
    try:
        merged = merge(
            args.folders, args.out, baseline=baseline, as_of=day, baseline_problem=problem, project=args.project
        )
    except MergeError as error:
        print(f"dtws merge: {error}")
        return 2
    except OSError as error:
        print(f"dtws merge: {error.filename or args.out}: {error.strerror or error} (writing --out {args.out})")
        return 2
    have = sum(entry.record is not None for entry in merged.cells)
    kept = sum(entry.kept for entry in merged.cells)
    print(
        f"{have} of {len(merged.cells)} cells have a record ({merged.run.reran} from this run"
        + (f", {kept} kept from the published results" if baseline else "")
        + f"); results: {args.out / results.FILENAME}"
    )
    for entry in merged.cells:
        if entry.problem and "no record of this cell was found" not in entry.problem:
            print(terminal_text(f"  {entry.library} {entry.cell}: {entry.problem}"))
    for item in merged.problems:
        print(terminal_text(f"  {item}"))
    if merged.baseline_problem and merged.baseline_problem != problem:
        print(terminal_text(f"dtws merge: {merged.baseline_problem}: these results must not be published"))
    return 0


COMMAND = Command(
    name="merge",
    help="merge cell records into results.json",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
)
