"""Run every cell of the matrix whose interpreter this machine has, in parallel up to the core count.

Cells with no interpreter here get a record that says ``unavailable``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from dtws import interpreters, matrix, procs, runner
from dtws.commands.options import add_run_options
from dtws.record import CellRecord
from dtws.summary import print_table

# Stopped by SIGTERM or Ctrl-C, it kills the cells' processes and still writes their records.
RECORDS_ON_STOP = True
HELP = "run the whole local matrix"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="cells at once (default: the core count)")
    parser.add_argument("cells", nargs="*", help="only these cells (default: all)")


def main(args: argparse.Namespace) -> int:
    try:
        cells = [matrix.get(name) for name in args.cells] if args.cells else list(matrix.CELLS)
    except matrix.UnknownCell as error:
        print(f"dtws run: {error.args[0]}")
        return 2
    here = [cell for cell in cells if interpreters.find(cell.python) is not None]
    print(f"{len(cells)} cells, {len(here)} with an interpreter on this machine, {max(args.jobs, 1)} at a time")
    for cell in cells:  # no record of an earlier run may pass for one of this run
        shutil.rmtree(runner.cell_dir(args.results, cell), ignore_errors=True)
    records: dict[str, CellRecord] = {}
    project = args.project.resolve()
    started = time.monotonic()
    for cell in cells:
        if cell not in here:
            records[cell.env] = runner.run_cell(cell, args.results, project=project, toxworkdir=args.toxworkdir)
    timeouts = dict(args.timeout)

    def start(cell: matrix.Cell) -> CellRecord:
        print(f"  started {cell.env}", flush=True)
        return runner.run_cell(cell, args.results, project=project, toxworkdir=args.toxworkdir, timeouts=timeouts)

    with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        futures = {pool.submit(start, cell): cell for cell in here}
        for done, future in enumerate(as_completed(futures), start=1):
            cell = futures[future]
            try:
                rec = future.result()
            except procs.Stopped:
                continue
            records[cell.env] = rec
            elapsed = time.monotonic() - started
            print(
                f"[{done}/{len(here)}] {cell.env:<16} {rec.status:<11} {elapsed:6.0f}s  {rec.reason or ''}"[:200],
                flush=True,
            )
    print()
    print_table(records[cell.env] for cell in cells if cell.env in records)
    print(f"\nrecords: {args.results}/<library>/<cell>/result.json")
    missing = [cell.env for cell in cells if cell.env not in records]
    if missing or procs.stopping():
        print(f"stopped before these cells ran: {', '.join(missing) or 'none'}", file=sys.stderr)
        return 1
    return 0 if all(rec.status != "incomplete" for rec in records.values()) else 1
