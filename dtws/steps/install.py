"""install: ``tox run -e <cell> --notest``, a fresh env with the cell's deps from the package index."""

from __future__ import annotations

import sys
import time

from dtws import procs
from dtws.steps.base import Context, Outcome, from_finished

NEEDS: tuple[str, ...] = ()
TIMEOUT_S = 900.0


def run(ctx: Context) -> Outcome:
    command = [
        sys.executable,
        "-m",
        "tox",
        "run",
        "-e",
        ctx.cell.env,
        "--notest",
        "--recreate",
        "--workdir",
        str(ctx.toxworkdir),
    ]
    finished = procs.run(command, cwd=ctx.project, env=ctx.env, log=ctx.log, timeout_s=ctx.deadline - time.monotonic())
    outcome = from_finished(command, finished)
    if outcome.verdict == "pass" and not ctx.python.exists():
        return Outcome("fail", command, finished.exit_code, f"tox made no interpreter at {ctx.python.name}")
    return outcome
