"""The local matrix three ways, side by side in one run: plain tox with pip, tox with uv, and dtws.

(a) ``tox run-parallel -p <cores> --recreate`` with virtualenv + pip installing every env
    (what the review's author ran: install, check, the app's tests, nothing else);
(b) the same tox run with tox.ini as it is: uv installs the deps of Python 3.8+ envs;
(c) ``python -m dtws run`` on the same cells: every step, its probes and the browser.

Each into fresh folders, one after the other, with the package caches already warm (run it
twice to be sure). Prints the wall time of each, the ratios, dtws's time per cell (in all, and
for each library) beyond its install step, and whether (c)'s verdicts equal those of the records
already in ``results/`` (from an earlier ``make run``). Usage, from the repository root:

    .venv/bin/python benchmarks/matrix.py [CELL ...]     # default: every cell with a local interpreter
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from dtws import interpreters, matrix, record  # noqa: E402

PIP = "python -E -m pip install {opts} {packages}"


def local_cells(names: list[str]) -> list[matrix.Cell]:
    cells = [matrix.get(name) for name in names] if names else list(matrix.CELLS)
    return [cell for cell in cells if interpreters.find(cell.python) is not None]


def cell_path(cells: list[matrix.Cell]) -> str:
    """PATH with every cell's interpreter on it, as dtws gives each cell its own."""
    folders = dict.fromkeys(str(interpreters.find(c.python).executable.parent) for c in cells)  # type: ignore[union-attr]
    return os.pathsep.join([*folders, str(Path(sys.executable).parent), os.environ["PATH"]])


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    subprocess.run(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.monotonic() - started


def tox_run(cells: list[matrix.Cell], work: Path, *overrides: str) -> float:
    env = dict(os.environ, PATH=cell_path(cells))
    command = [sys.executable, "-m", "tox", "run-parallel", "-p", str(os.cpu_count() or 1), "--recreate"]
    command += ["--workdir", str(work), "-e", ",".join(c.env for c in cells)]
    for override in overrides:
        command += ["--override", override]
    return timed(command, env)


def verdicts(results: Path, cells: list[matrix.Cell]) -> dict[str, str]:
    found = {}
    for cell in cells:
        try:
            found[cell.env] = record.read(results / cell.library / cell.env / record.FILENAME).status
        except record.RecordError:
            found[cell.env] = "no record"
    return found


def install_seconds(results: Path, cells: list[matrix.Cell]) -> tuple[float, float]:
    """Summed over the cells: the install steps' time, and every other step's."""
    install = other = 0.0
    for cell in cells:
        try:
            data = json.loads((results / cell.library / cell.env / record.FILENAME).read_text())
        except (OSError, ValueError):
            continue
        for step in data["steps"]:
            seconds = step["duration_s"] or 0.0
            install, other = (install + seconds, other) if step["name"] == "install" else (install, other + seconds)
    return install, other


def main() -> int:
    cells = local_cells(sys.argv[1:])
    if not cells:
        print("no cell has an interpreter on this machine")
        return 2
    before = verdicts(PROJECT / "results", cells)
    print(f"{len(cells)} cells with a local interpreter, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="dtws-bench-") as scratch:
        root = Path(scratch)
        plain = tox_run(cells, root / "tox-pip", f"testenv.install_command={PIP}")
        print(f"(a) tox -p, virtualenv + pip:       {plain:7.1f} s")
        with_uv = tox_run(cells, root / "tox-uv")
        print(f"(b) tox -p, uv for Python 3.8+:     {with_uv:7.1f} s")
        results = root / "results"
        command = [
            sys.executable,
            "-m",
            "dtws",
            "run",
            "--results",
            str(results),
            "--toxworkdir",
            str(root / "tox-dtws"),
        ]
        ours = timed([*command, *(c.env for c in cells)], dict(os.environ))
        print(f"(c) dtws run, every step and probe: {ours:7.1f} s")
        after = verdicts(results, cells)
        install, other = install_seconds(results, cells)
        libraries = {lib: [c for c in cells if c.library == lib] for lib in dict.fromkeys(c.library for c in cells)}
        by_library = {lib: (len(mine), *install_seconds(results, mine)) for lib, mine in libraries.items()}
    print(f"(a)/(c) = {plain / ours:.2f}x   (c)/(b) = {ours / with_uv:.2f}x")
    per_cell = f"install {install / len(cells):.1f} s, every other step {other / len(cells):.1f} s"
    print(f"dtws per cell (summed step time): {per_cell}")
    for lib, (count, lib_install, lib_other) in by_library.items():
        print(f"  {lib}: {count} cells, install {lib_install / count:.1f} s, the other steps {lib_other / count:.1f} s")
    overhead = (ours * (os.cpu_count() or 1) - install - other) / len(cells)
    print(f"dtws's overhead per cell beyond its steps (cores x wall - step time, an upper bound): {overhead:.1f} s")
    changed = {
        env: (before[env], after[env]) for env in after if before[env] != "no record" and before[env] != after[env]
    }
    compared = sum(status != "no record" for status in before.values())
    print(
        f"verdicts equal to results/ on {compared - len(changed)} of {compared} cells"
        + (f"; changed: {changed}" if changed else "")
    )
    print("reproduce: make run (fills results/), then .venv/bin/python benchmarks/matrix.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
