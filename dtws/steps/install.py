"""install: ``tox run -e <cell> --notest``, a fresh env with the cell's deps from the package index.

A library whose page needs an npm package (python-socketio's JS client) also
gets the project's npm packages (``npm ci``), once per dtws process.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time

from dtws import procs
from dtws.steps.base import Context, Outcome, from_finished

NEEDS: tuple[str, ...] = ()
TIMEOUT_S = 900.0
_NPM = threading.Lock()


def _npm(ctx: Context) -> Outcome | None:
    """None when the npm file is there (or was made); a failed Outcome otherwise."""
    assert ctx.solution.npm_file is not None
    with _NPM:
        if (ctx.project / ctx.solution.npm_file).is_file():
            ctx.note(f"{ctx.solution.npm_file} is there")
            return None
        npm = shutil.which("npm")
        if npm is None:
            return Outcome("fail", None, None, f"npm is not on PATH, and the page needs {ctx.solution.npm_file}")
        command = [npm, "ci", "--no-audit", "--no-fund"]
        finished = procs.run(
            command, cwd=ctx.project, env=ctx.env, log=ctx.log, timeout_s=ctx.deadline - time.monotonic()
        )
    outcome = from_finished(command, finished)
    return None if outcome.verdict == "pass" else outcome


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
    if outcome.verdict == "pass" and ctx.solution.npm_file is not None:
        return _npm(ctx) or outcome
    return outcome
