"""check: ``manage.py check``, Django's system checks (they import the URLconf)."""

from __future__ import annotations

from dtws.steps.base import Context, Outcome, StepSpec, from_finished


def run(ctx: Context) -> Outcome:
    command = ctx.manage("check")
    finished = ctx.run(command)
    return from_finished(command, finished)


STEP = StepSpec(name="check", needs=("install",), timeout_s=120.0, services=True, run=run)
