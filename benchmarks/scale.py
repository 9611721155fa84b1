"""The site at scale: merge, pages and the mkdocs build for 100, 1,000 and 5,000 synthetic cells.

The synthetic cells are of the matrix's libraries on made-up Python and Django
versions; each gets a copy of a real record and its logs (from a results
folder of `dtws run`, by default ``results/``), rewritten with
``dtws.record`` for its own cell, so every record is schema-valid and its logs
are real logs. Each phase runs in a process of its own, whose wall time and
peak memory are printed, then the size of the front page (with the data its
table loads) and of the search index, and the time per cell of each size, to
see whether it grows linearly. Usage, from the repository root after `make run`:

    .venv/bin/python benchmarks/scale.py [--sizes 100,1000,5000] [--records results] [--scratch DIR]

The phases write tens of thousands of small files: on a slow or busy disk,
their time is the disk's (``--scratch /dev/shm`` takes the disk out).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from dtws import matrix, merge, pages, record, results, sitedata  # noqa: E402
from dtws.commands.site import docs_dir  # noqa: E402
from dtws.libraries import LIBRARIES  # noqa: E402
from dtws.pages import shell  # noqa: E402

PHASES = ("merge", "mkdocs", "cells")
PER_SERIES = 50  # synthetic Pythons per synthetic Django series


def synthetic_cells(size: int) -> list[matrix.Cell]:
    """``size`` cells over the matrix's libraries, each on its own made-up (Python, Django) pair."""
    libraries = [lib.name for lib in LIBRARIES if not lib.test_only]
    cells = []
    for index in range(size):
        nth = index // len(libraries)
        python = f"3.{20 + nth % PER_SERIES}"
        django = f"{10 + nth // PER_SERIES}.0"
        cells.append(matrix.Cell(libraries[index % len(libraries)], python, django))
    return cells


def write_records(cells: list[matrix.Cell], source: Path, into: Path) -> None:
    """Give each cell a copy of a real record (cycling through ``source``'s), rewritten for the cell."""
    templates = sorted(path.parent for path in source.glob(f"*/*/{record.FILENAME}"))
    if not templates:
        sys.exit(f"scale: no records in {source}; run `make run` first, or pass --records")
    for index, cell in enumerate(cells):
        template = templates[index % len(templates)]
        target = into / cell.library / cell.env
        shutil.copytree(template, target)
        rec = record.read(template / record.FILENAME)
        record.write(
            dataclasses.replace(rec, library=cell.library, cell=cell.env, python=cell.python, django=cell.django),
            target,
        )


def phase(name: str, size: int, work: Path) -> None:
    """One phase, in this process (the parent measures it)."""
    cells = synthetic_cells(size)
    if name == "merge":
        merged = merge.merge([work / "records"], work / "results", cells=cells)
        results.write(merged, work / "results")
    elif name == "mkdocs":  # as `dtws site` does it: the loader (which answers the review), the pages mkdocs builds
        data = sitedata.load(sitedata.Sources(work / "results"), work / "kept", PROJECT)
        site = pages.plan(data.results_dir, data.current, answered=data.answers)
        pages.write_docs(site, docs_dir(work / "project"))
        from mkdocs.__main__ import cli

        cli(["build", "--strict", "--quiet", "-f", str(work / "project" / "mkdocs.yml"), "-d", str(work / "site")])
    else:  # then the cell pages, into the built site, in the theme's shell that mkdocs built
        theme = shell.take(work / "site")
        site = pages.plan(work / "results", results.read(work / "results" / results.FILENAME))
        pages.write_cells(site, work / "site", theme)


def measured(name: str, size: int, work: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one phase run as a child process."""
    started = time.monotonic()
    pid = os.posix_spawn(
        sys.executable,
        [sys.executable, __file__, "--phase", name, "--size", str(size), "--work", str(work)],
        os.environ,
    )
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"scale: the {name} phase failed for {size} cells")
    return time.monotonic() - started, usage.ru_maxrss / 1024


def size_of(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--records", type=Path, default=PROJECT / "results")
    parser.add_argument("--scratch", type=Path, help="where to build (default: the system's temp folder)")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(args.phase, args.size, args.work)
        return 0
    print(
        f"{'cells':>6} {'merge':>14} {'mkdocs':>14} {'cell pages':>14} {'total':>8} {'ms/cell':>8}"
        f" {'front page':>11} {'+ its data':>11} {'search index':>13}"
    )
    for size in (int(part) for part in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="dtws-scale-", dir=args.scratch) as scratch:
            work = Path(scratch)
            write_records(synthetic_cells(size), args.records, work / "records")
            (work / "project").mkdir()
            shutil.copy(PROJECT / "mkdocs.yml", work / "project")
            shutil.copytree(
                docs_dir(PROJECT), docs_dir(work / "project"), ignore=shutil.ignore_patterns(*pages.GENERATED)
            )
            figures = {name: measured(name, size, work) for name in PHASES}
            total = sum(seconds for seconds, _ in figures.values())
            site = work / "site"
            front = size_of(site / "index.html")
            data = front + sum(size_of(site / name) for name in pages.FRONT_DATA)
            index = size_of(site / "search" / "search_index.json")
            shown = "".join(f" {seconds:6.1f} s {peak:4.0f} MB" for seconds, peak in figures.values())
            print(
                f"{size:>6}{shown} {total:6.1f} s {1000 * total / size:8.2f}"
                f" {front / 1e3:8.0f} kB {data / 1e3:8.0f} kB {index / 1e6:10.2f} MB"
            )
    print(
        "(each phase: wall time, peak RSS; targets at 5,000 cells: total <= 15 s, front page < 500 kB,"
        " search index < 5 MB)"
    )
    print("reproduce: make run; .venv/bin/python benchmarks/scale.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
