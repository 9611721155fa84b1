"""check: ``manage.py check``, Django's system checks (they import the URLconf)."""

from __future__ import annotations

import time

from dtws import procs
from dtws.steps.base import Context, Outcome, from_finished

NEEDS = ("install",)
TIMEOUT_S = 120.0


def run(ctx: Context) -> Outcome:
    command = ctx.manage("check")
    finished = procs.run(command, cwd=ctx.project, env=ctx.env, log=ctx.log, timeout_s=ctx.deadline - time.monotonic())
    return from_finished(command, finished)
