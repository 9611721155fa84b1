"""How much `dtws run --jobs N` (the default, N = cores) saves over running the cells one by one.

Runs the same real cells twice in one go, `--jobs 1` (the plain alternative)
then `--jobs <cores>`, each into a fresh results and tox folder, and prints
the wall-clock time of both. Usage (from the repository root):

    .venv/bin/python benchmarks/parallel_run.py [CELL ...]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_CELLS = [
    "py38-django42",
    "py39-django42",
    "py310-django42",
    "py311-django42",
    "py312-django42",
    "py27-django18",
]


def timed_run(cells: list[str], jobs: int) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            sys.executable,
            "-m",
            "dtws",
            "run",
            "--jobs",
            str(jobs),
            "--results",
            f"{scratch}/results",
            "--toxworkdir",
            f"{scratch}/tox",
            *cells,
        ]
        started = time.perf_counter()
        subprocess.run(command, cwd=PROJECT, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - started


def main(argv: list[str]) -> int:
    cells = argv or DEFAULT_CELLS
    cores = os.cpu_count() or 1
    print(f"{len(cells)} cells: {' '.join(cells)}")
    sequential = timed_run(cells, 1)
    print(f"--jobs 1 (one by one):   {sequential:6.1f} s")
    parallel = timed_run(cells, cores)
    print(f"--jobs {cores} (the default): {parallel:6.1f} s   ({sequential / parallel:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
