"""Run every cell of the matrix whose interpreter this machine has, in parallel up to the core count.

Cells with no interpreter here get a record that says ``unavailable``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from dtws import asof, changed, interpreters, matrix, procs, record, runner
from dtws.commands import Command
from dtws.commands.options import add_run_options, checked_and_locked, positive_int
from dtws.reasons import terminal_text
from dtws.record import CellRecord
from dtws.summary import print_table

LINE_WIDTH = 200


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser)
    parser.add_argument(
        "--jobs", type=positive_int, default=os.cpu_count() or 1, help="cells at once (default: the core count)"
    )
    parser.add_argument(
        "--changed",
        action="store_true",
        help="run only the cells that could give another verdict: whose interpreter, files, services, browser or"
        " harness differ from their record's, or with a newer release on the index of anything their install tried",
    )
    parser.add_argument("--force", action="store_true", help="with --changed: run every cell given all the same")
    parser.add_argument("cells", nargs="*", help="only these cells (default: all)")


class Progress:
    """The lines printed while cells run, from every worker thread.

    Each line is one write of the whole line and its newline under one lock,
    so two threads' lines never share a line; the finished cells are counted
    under the same lock as their line is printed, so the counter never skips
    or repeats a number.
    """

    def __init__(self, total: int, started: float) -> None:
        self._lock = threading.Lock()
        self._total = total
        self._finished = 0
        self._started = started

    def say(self, line: str) -> None:
        with self._lock:
            self._write(line)

    def finished(self, cell: matrix.Cell, rec: CellRecord) -> None:
        with self._lock:
            self._finished += 1
            elapsed = time.monotonic() - self._started
            status, reason = terminal_text(rec.status), terminal_text(rec.reason or "")
            self._write(
                f"[{self._finished}/{self._total}] {cell.env:<16} {status:<11} {elapsed:6.0f}s  {reason}"[:LINE_WIDTH]
            )

    @staticmethod
    def _write(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def main(args: argparse.Namespace) -> int:
    """Refusals (a bad cell name or folder, a results folder in use) are one line and exit code 2."""
    try:
        # A cell named twice runs once (two threads must never share its folder).
        cells = [matrix.get(name) for name in dict.fromkeys(args.cells)] if args.cells else list(matrix.CELLS)
    except matrix.UnknownCell as error:
        print(f"dtws run: {error.args[0]}")
        return 2
    if args.changed and args.as_of:
        print("dtws run: --changed and --as-of do not go together: --changed asks the index for today's releases")
        return 2
    if args.force and not args.changed:
        print("dtws run: --force goes with --changed (without it, every cell given runs)")
        return 2
    return checked_and_locked("run", args, lambda: _run(cells, args))


def _record(results: Path, cell: matrix.Cell) -> CellRecord | None:
    try:
        return record.read(runner.cell_dir(results, cell) / record.FILENAME)
    except record.RecordError:
        return None


def _keep_unchanged(cells: list[matrix.Cell], args: argparse.Namespace) -> dict[str, CellRecord]:
    """``--changed``: the records of the cells that would give them again, marked as checked now, and why."""
    started = time.monotonic()
    found = {cell.env: _record(args.results, cell) for cell in cells}
    now = changed.here(args.project.resolve(), [rec for rec in found.values() if rec is not None])
    kept = {}
    for cell in cells:
        rec = found[cell.env]
        why = "--force" if args.force else changed.why_run(cell, rec, now)
        if why is None and rec is not None:
            rec.provenance.checked_at = runner.now()
            rec.provenance.kept_because = changed.kept_because(rec)
            record.write(rec, runner.cell_dir(args.results, cell))
            kept[cell.env] = rec
            print(f"  unchanged since {rec.provenance.finished_at}: {cell.env}")
        else:
            print(f"  runs: {cell.env} ({why})")
    print(f"{len(kept)} of {len(cells)} cells unchanged (checked in {time.monotonic() - started:.1f} s)")
    return kept


def _run(cells: list[matrix.Cell], args: argparse.Namespace) -> int:
    records: dict[str, CellRecord] = _keep_unchanged(cells, args) if args.changed else {}
    every = cells
    cells = [cell for cell in cells if cell.env not in records]
    here = [cell for cell in cells if interpreters.find(cell.python) is not None]
    print(f"{len(cells)} cells, {len(here)} with an interpreter on this machine, {args.jobs} at a time")
    for cell in cells:  # no record of an earlier run may pass for one of this run
        shutil.rmtree(runner.cell_dir(args.results, cell), ignore_errors=True)
    project = args.project.resolve()
    toxworkdir = args.toxworkdir.resolve() if args.toxworkdir else None
    started = time.monotonic()
    index = asof.Index(args.as_of) if args.as_of else None
    for cell in cells:
        if cell not in here:
            records[cell.env] = runner.run_cell(cell, args.results, project=project, toxworkdir=toxworkdir, as_of=index)
    timeouts = dict(args.timeout)
    progress = Progress(len(here), started)

    def start(cell: matrix.Cell) -> CellRecord:
        progress.say(f"  started {cell.env}")
        rec = runner.run_cell(
            cell,
            args.results,
            project=project,
            toxworkdir=toxworkdir,
            timeouts=timeouts,
            retries=args.retries,
            as_of=index,
        )
        progress.finished(cell, rec)
        return rec

    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(start, cell): cell for cell in here}
            for future in as_completed(futures):
                try:
                    records[futures[future].env] = future.result()
                except procs.Stopped:
                    continue
    finally:
        if index is not None:
            index.close()
    print()
    print_table(records[cell.env] for cell in every if cell.env in records)
    print(f"\nrecords: {args.results}/<library>/<cell>/result.json")
    missing = [cell.env for cell in cells if cell.env not in records]
    if missing or procs.stopping():
        print(f"stopped before these cells ran: {', '.join(missing) or 'none'}", file=sys.stderr)
        return 1
    return 0 if all(rec.status != "incomplete" for rec in records.values()) else 1


COMMAND = Command(
    name="run",
    help="run the whole local matrix",
    description=__doc__,
    add_arguments=add_arguments,
    main=main,
    records_on_stop=True,
)
