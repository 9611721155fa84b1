"""check: ``manage.py check``, Django's system checks (they import the URLconf)."""

from __future__ import annotations

from dtws.steps.base import Context, Outcome, from_finished

NEEDS = ("install",)
TIMEOUT_S = 120.0
SERVICES = True


def run(ctx: Context) -> Outcome:
    command = ctx.manage("check")
    finished = ctx.run(command)
    return from_finished(command, finished)
