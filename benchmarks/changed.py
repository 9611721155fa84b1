"""A nightly run: `dtws run --changed` right after a full `dtws run`, against that full run.

Runs every cell (or the ones named) into a fresh results and tox folder, then
`run --changed` on the same folders, and prints the wall time of both and how
many cells the second one kept. Usage, from the repository root:

    .venv/bin/python benchmarks/changed.py [CELL ...]
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def timed(command: list[str]) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=False)
    return time.monotonic() - started, done.stdout


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="dtws-changed-") as scratch:
        folders = ["--results", str(Path(scratch) / "results"), "--toxworkdir", str(Path(scratch) / "tox")]
        dtws = [sys.executable, "-m", "dtws", "run", *folders]
        full, _ = timed([*dtws, *sys.argv[1:]])
        print(f"dtws run (full):       {full:7.1f} s")
        nightly, said = timed([*dtws, "--changed", *sys.argv[1:]])
        print(f"dtws run --changed:    {nightly:7.1f} s")
    kept = re.search(r"^(\d+) of (\d+) cells unchanged \(checked in ([0-9.]+) s\)", said, re.MULTILINE)
    if kept:
        print(f"kept {kept.group(1)} of {kept.group(2)} cells; the check itself took {kept.group(3)} s")
    reasons = sorted({why for why in re.findall(r"^  runs: \S+ \((.*)\)$", said, re.MULTILINE)})
    print("ran again because: " + ("; ".join(reasons) if reasons else "nothing"))
    print("reproduce: .venv/bin/python benchmarks/changed.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
