"""The site at scale: merge, pages and the mkdocs build for 100, 1,000 and 5,000 synthetic cells.

The synthetic cells are of the matrix's libraries on made-up Python and Django
versions; each gets a copy of a real record and its logs (from a results
folder of `dtws run`, by default ``results/``), rewritten with
``dtws.record`` for its own cell, so every record is schema-valid and its logs
are real logs. The merge runs in a process of its own; the site in another,
as ``dtws site`` builds it (the results read once, the pages mkdocs builds,
mkdocs, then the pages written into the built site), split at mkdocs. Each
phase's wall time, CPU time (user + system) and peak memory are printed, then
the size of the front page (with the data its table loads) and of the search
index, and the time per cell of each size, to see whether it grows linearly.
Usage, from the repository root after `make run`:

    .venv/bin/python benchmarks/scale.py [--sizes 100,1000,5000] [--records results] [--scratch DIR]

The phases write tens of thousands of small files: on a slow or busy disk,
their time is the disk's (``--scratch /dev/shm`` takes the disk out).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from dtws import matrix, merge, pages, record, sitedata  # noqa: E402
from dtws.commands.site import docs_dir  # noqa: E402
from dtws.libraries import LIBRARIES  # noqa: E402
from dtws.pages import publish, shell  # noqa: E402

PHASES = ("merge", "site")  # each a process of its own
WHO = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
STAGES = "stages.json"  # the site process's figures of each of its stages
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
    """One process: the merge, or the site (the parent measures it); the site's stages measured here."""
    if name == "merge":  # writes results.json, as `dtws merge` does
        merge.merge([work / "records"], work / "results", cells=synthetic_cells(size))
        return
    # As `dtws site` does it, in one process: the loader (which reads the results once and answers the review),
    # the pages mkdocs builds, mkdocs, then the pages written into the built site, in the theme's shell it built.
    # Its registries of pages (dtws.pages.publish), split at mkdocs, which runs here to be measured with them.
    stages = Stages()
    data = sitedata.load(sitedata.Sources(work / "results"), work / "kept", PROJECT)
    planned = publish.plan(data, "dtws")
    publish.render(planned, publish.DOCS, publish.Where(docs_dir(work / "project"), quiet))
    from mkdocs.__main__ import cli

    arguments = ["build", "--strict", "--quiet", "-f", str(work / "project" / "mkdocs.yml"), "-d", str(work / "site")]
    cli(arguments, standalone_mode=False)  # returns, where it would exit
    stages.done("mkdocs")
    publish.render(planned, publish.SITE, publish.Built(work / "site", quiet, shell.take(work / "site")))
    stages.done("cells")
    (work / STAGES).write_text(json.dumps(stages.figures))


def quiet(_line: str) -> None:
    """What the site's pages say as they are written: not shown, the table of figures is."""


class Stages:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of each stage of this process, as each ends."""

    def __init__(self) -> None:
        self.figures: dict[str, tuple[float, float, float]] = {}
        self.wall, self.cpu = time.monotonic(), self._cpu()

    @staticmethod
    def _cpu() -> float:
        """This process's and its children's (the processes it forked to write pages: dtws.forked)."""
        return sum(usage.ru_utime + usage.ru_stime for usage in map(resource.getrusage, WHO))

    def done(self, name: str) -> None:
        wall, cpu = time.monotonic(), self._cpu()
        peak = max(resource.getrusage(who).ru_maxrss for who in WHO) / 1024  # the biggest process's so far
        self.figures[name] = (wall - self.wall, cpu - self.cpu, peak)
        self.wall, self.cpu = wall, cpu


def measured(name: str, size: int, work: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one phase run as a child process."""
    started = time.monotonic()
    pid = os.posix_spawn(
        sys.executable,
        [sys.executable, __file__, "--phase", name, "--size", str(size), "--work", str(work)],
        os.environ,
    )
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"scale: the {name} phase failed for {size} cells")
    return time.monotonic() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def figures_of(size: int, work: Path) -> dict[str, tuple[float, float, float]]:
    """Each phase's figures: the merge's process, then the site's, split at its stages (its start, the reading
    of the results and the imports, counts in the first: the process measured from outside is their sum)."""
    merged = measured("merge", size, work)
    wall, cpu, _ = measured("site", size, work)
    stages: dict[str, list[float]] = json.loads((work / STAGES).read_text())
    cells_wall, cells_cpu, cells_peak = stages["cells"]
    return {
        "merge": merged,
        "mkdocs": (wall - cells_wall, cpu - cells_cpu, stages["mkdocs"][2]),
        "cells": (cells_wall, cells_cpu, cells_peak),
    }


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
        f"{'cells':>6} {'merge':>22} {'mkdocs':>22} {'cell pages':>22} {'total':>8} {'cpu':>8} {'ms/cell':>8}"
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
            figures = figures_of(size, work)
            total = sum(seconds for seconds, _, _ in figures.values())
            cpu = sum(used for _, used, _ in figures.values())
            site = work / "site"
            front = size_of(site / "index.html")
            data = front + sum(size_of(site / name) for name in pages.FRONT_DATA)
            index = size_of(site / "search" / "search_index.json")
            shown = "".join(
                f" {seconds:6.1f} s {used:5.1f} cpu {peak:4.0f} MB" for seconds, used, peak in figures.values()
            )
            print(
                f"{size:>6}{shown} {total:6.1f} s {cpu:6.1f} s {1000 * total / size:8.2f}"
                f" {front / 1e3:8.0f} kB {data / 1e3:8.0f} kB {index / 1e6:10.2f} MB"
            )
    print(
        "(each phase: wall time, CPU time (user + system: the time a shared machine's load does not add), peak RSS;"
        " targets at 5,000 cells: total <= 15 s, front page < 500 kB,"
        " search index < 5 MB)"
    )
    print("reproduce: make run; .venv/bin/python benchmarks/scale.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
