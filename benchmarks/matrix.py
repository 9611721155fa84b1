"""The local matrix side by side in one run: plain tox with pip, tox with uv, dtws in uv and in pip envs.

(a) ``tox run-parallel -p <cores> --recreate`` with virtualenv + pip installing every env
    (what the review's author ran: install, check, the app's tests, nothing else);
(b) the same tox run with tox.ini as it is: uv installs the deps of Python 3.8+ envs;
(c) ``python -m dtws run`` on the same cells: every step, its probes and the browser;
(d) the same ``dtws run`` with every env made as (a) makes it: tox.ini's install_command overridden
    to pip, exactly as in (a) (``TOX_OVERRIDE``, which the install step's tox reads), so that every
    step of (c) has the same step in a pip env beside it;
(e) ``python -m dtws run --changed`` on the records and envs of (c): a nightly run
    in which nothing changed.

Each into fresh folders, one after the other, with the package caches already warm (run it
twice to be sure). Prints the wall time of each and the targets' ratios; per library, the median
time of each step in (c)'s uv envs beside the same step in (d) (a step much slower in the uv
envs is marked); dtws's time per cell, of each library and beyond its steps; what (e) kept; and whether (c)'s
verdicts equal (d)'s and those of the records already in ``results/`` (from an earlier ``make
run``). Usage, from the repository root:

    .venv/bin/python benchmarks/matrix.py [CELL ...]     # default: every cell with a local interpreter
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from dtws import interpreters, matrix, record  # noqa: E402
from dtws.steps import NAMES  # noqa: E402

PIP = "python -E -m pip install {opts} {packages}"
RAN = ("pass", "fail", "timeout")  # a step that ran to a verdict of the library's (not skipped, not dtws's error)
SLOWER = 1.25  # a step of (c) this many times its time in (d), and 0.1 s more, is marked


def local_cells(names: list[str]) -> list[matrix.Cell]:
    cells = [matrix.get(name) for name in names] if names else list(matrix.CELLS)
    return [cell for cell in cells if interpreters.find(cell.python) is not None]


def cell_path(cells: list[matrix.Cell]) -> str:
    """PATH with every cell's interpreter on it, as dtws gives each cell its own."""
    folders = dict.fromkeys(str(interpreters.find(c.python).executable.parent) for c in cells)  # type: ignore[union-attr]
    return os.pathsep.join([*folders, str(Path(sys.executable).parent), os.environ["PATH"]])


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, check=False)
    return time.monotonic() - started, done.stdout


def tox_run(cells: list[matrix.Cell], work: Path, *overrides: str) -> float:
    env = dict(os.environ, PATH=cell_path(cells))
    command = [sys.executable, "-m", "tox", "run-parallel", "-p", str(os.cpu_count() or 1), "--recreate"]
    command += ["--workdir", str(work), "-e", ",".join(c.env for c in cells)]
    for override in overrides:
        command += ["--override", override]
    return timed(command, env)[0]


def dtws_run(
    cells: list[matrix.Cell], results: Path, work: Path, env: dict[str, str], *options: str
) -> tuple[float, str]:
    folders = ["--results", str(results), "--toxworkdir", str(work)]
    return timed([sys.executable, "-m", "dtws", "run", *folders, *options, *(c.env for c in cells)], env)


def records(results: Path, cells: list[matrix.Cell]) -> dict[str, record.CellRecord | None]:
    found: dict[str, record.CellRecord | None] = {}
    for cell in cells:
        try:
            found[cell.env] = record.read(results / cell.library / cell.env / record.FILENAME)
        except record.RecordError:
            found[cell.env] = None
    return found


def status(rec: record.CellRecord | None) -> str:
    return "no record" if rec is None else rec.status


def installer(rec: record.CellRecord | None) -> str | None:
    return None if rec is None else rec.provenance.installer


def step_times(rec: record.CellRecord | None) -> dict[str, float]:
    """The steps of a record that ran to a verdict, and their time."""
    if rec is None:
        return {}
    return {s.name: s.duration_s for s in rec.steps if s.verdict in RAN and s.duration_s is not None}


def step_table(
    cells: list[matrix.Cell], uv: dict[str, record.CellRecord | None], pip: dict[str, record.CellRecord | None]
) -> None:
    """Per library and step, the median time in (c) and in (d), over the cells uv installed in (c) that ran it in both.

    The cells pip installs in (c) too (Python 2.7-3.7) would compare pip with pip.
    """
    print("per library, each step's median over the cells that ran it in both: (c) in uv's envs, (d) in pip's")
    print(f"  {'library':<28}{'step':<18}{'cells':>5}{'(c)':>9}{'(d)':>9}{'(c)/(d)':>9}")
    for library in dict.fromkeys(cell.library for cell in cells):
        by_uv = [c for c in cells if c.library == library and installer(uv[c.env]) == "uv"]
        both = [(step_times(uv[c.env]), step_times(pip[c.env])) for c in by_uv]
        rows: list[tuple[str, list[tuple[float, float]]]] = [
            (name, [(ours[name], theirs[name]) for ours, theirs in both if name in ours and name in theirs])
            for name in NAMES
        ]
        # The cells whose every step ran in both: their steps after install, and all of them, summed.
        whole = [(ours, theirs) for ours, theirs in both if all(n in ours and n in theirs for n in NAMES)]
        rows.append(
            ("all but install", [(sum(o.values()) - o["install"], sum(t.values()) - t["install"]) for o, t in whole])
        )
        rows.append(("every step", [(sum(o.values()), sum(t.values())) for o, t in whole]))
        for name, pairs in rows:
            if not pairs:
                continue
            ours_s = statistics.median(o for o, _ in pairs)
            theirs_s = statistics.median(t for _, t in pairs)
            ratio = ours_s / theirs_s if theirs_s else float("inf")
            mark = "  slower in the uv envs" if ratio >= SLOWER and ours_s - theirs_s > 0.1 else ""
            print(f"  {library:<28}{name:<18}{len(pairs):>5}{ours_s:>8.2f}s{theirs_s:>8.2f}s{ratio:>9.2f}{mark}")
    print("  pip compiles every module at install, uv none: in (c), the first process to import a module compiles")
    print("  it for the later ones (check: Django; test: its runner, coverage; websocket-server: the server's library)")


def summed(recs: dict[str, record.CellRecord | None]) -> tuple[float, float]:
    """Summed over the cells: the install steps' time, and every other step's."""
    install = other = 0.0
    for rec in recs.values():
        times = step_times(rec)
        install += times.get("install", 0.0)
        other += sum(times.values()) - times.get("install", 0.0)
    return install, other


def main() -> int:
    cells = local_cells(sys.argv[1:])
    if not cells:
        print("no cell has an interpreter on this machine")
        return 2
    before = records(PROJECT / "results", cells)
    cores = os.cpu_count() or 1
    print(f"{len(cells)} cells with a local interpreter, {cores} cores")
    with tempfile.TemporaryDirectory(prefix="dtws-bench-") as scratch:
        root = Path(scratch)
        plain = tox_run(cells, root / "tox-pip", f"testenv.install_command={PIP}")
        print(f"(a) tox -p, virtualenv + pip:            {plain:7.1f} s")
        with_uv = tox_run(cells, root / "tox-uv")
        print(f"(b) tox -p, uv for Python 3.8+:          {with_uv:7.1f} s")
        ours, _ = dtws_run(cells, root / "results", root / "tox-dtws", dict(os.environ))
        print(f"(c) dtws run, every step and probe:      {ours:7.1f} s")
        uv = records(root / "results", cells)
        pip_env = dict(os.environ, TOX_OVERRIDE=f"testenv.install_command={PIP}")
        in_pip, _ = dtws_run(cells, root / "results-pip", root / "tox-dtws-pip", pip_env)
        print(f"(d) dtws run, pip envs as in (a):        {in_pip:7.1f} s")
        pip = records(root / "results-pip", cells)
        nightly, said = dtws_run(cells, root / "results", root / "tox-dtws", dict(os.environ), "--changed")
        print(f"(e) dtws run --changed after (c):        {nightly:7.1f} s")
    print(f"targets: (c)/(b) = {ours / with_uv:.2f}x (<= 1.3)   (a)/(c) = {plain / ours:.2f}x (>= 1.5)")
    kept = re.search(r"^(\d+) of (\d+) cells unchanged \(checked in ([0-9.]+) s\)", said, re.MULTILINE)
    if kept:
        print(
            f"(e) <= 20 s, every cell kept: {nightly:.1f} s; kept {kept.group(1)} of {kept.group(2)} cells,"
            f" the check took {kept.group(3)} s"
        )
    reasons = sorted({why for why in re.findall(r"^  runs: \S+ \((.*)\)$", said, re.MULTILINE)})
    print("(e) ran again because: " + ("; ".join(reasons) if reasons else "nothing"))
    step_table(cells, uv, pip)
    for name, recs, wall in (("(c)", uv, ours), ("(d)", pip, in_pip)):
        install, other = summed(recs)
        overhead = (wall * cores - install - other) / len(cells)
        print(
            f"{name} per cell (summed step time): install {install / len(cells):.1f} s, every other step"
            f" {other / len(cells):.1f} s; beyond its steps (cores x wall - step time, at most): {overhead:.1f} s"
        )
    for library in dict.fromkeys(cell.library for cell in cells):  # (c)'s time per cell of each library
        mine = {cell.env: uv[cell.env] for cell in cells if cell.library == library}
        install, other = summed(mine)
        print(
            f"  {library}: {len(mine)} cells, install {install / len(mine):.1f} s,"
            f" the other steps {other / len(mine):.1f} s"
        )
    differ = {env: (status(pip[env]), status(uv[env])) for env in uv if status(pip[env]) != status(uv[env])}
    print(
        f"(d)'s verdicts equal (c)'s on {len(uv) - len(differ)} of {len(uv)} cells"
        + (f"; differ: {differ}" if differ else "")
    )
    compared = [env for env in uv if before[env] is not None]
    changed = {
        env: (status(before[env]), status(uv[env])) for env in compared if status(before[env]) != status(uv[env])
    }
    print(
        f"(c)'s verdicts equal results/ on {len(compared) - len(changed)} of {len(compared)} cells"
        + (f"; changed: {changed}" if changed else "")
    )
    print("reproduce: make run (fills results/), then .venv/bin/python benchmarks/matrix.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
