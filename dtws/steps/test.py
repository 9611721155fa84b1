"""test: myapp's Django tests under coverage, then ``coverage report`` for the total %.

The app's label (``myapp``, ``chat_channels``) keeps Django's discovery out of the harness's own
modules named test*.py, which live in the same folder.
"""

from __future__ import annotations

import os
import re
import time

from dtws.steps.base import Context, Outcome, StepSpec, from_finished

_TOTAL = re.compile(rb"^TOTAL\s.*?(\d+(?:\.\d+)?)%\s*$", re.MULTILINE)


def run(ctx: Context) -> Outcome:
    coverage = str(ctx.env_dir / "bin" / "coverage")
    app = ctx.solution.app
    command = [coverage, "run", f"--source=DjangoTestWebsockets,{app}", "manage.py", "test", app]
    env = dict(ctx.env, COVERAGE_FILE=str(ctx.scratch / ".coverage"))
    finished = ctx.run(command, env=env)
    outcome = from_finished(command, finished)
    if finished.timed_out:
        return outcome
    ctx.log.flush()
    start = os.path.getsize(ctx.log.name)
    ctx.run([coverage, "report"], env=env, timeout_s=max(ctx.deadline - time.monotonic(), 1.0))
    with open(ctx.log.name, "rb") as written:
        written.seek(start)
        total = _TOTAL.search(written.read())
    if total:
        outcome.facts["coverage_percent"] = float(total.group(1))
        outcome.detail = f"coverage {total.group(1).decode()}%"
    return outcome


STEP = StepSpec(name="test", needs=("install",), timeout_s=300.0, services=True, run=run)
