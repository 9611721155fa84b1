"""The steps of a cell, in order: each module declares its own typed spec, ``STEP`` (dtws.steps.base.StepSpec)."""

from __future__ import annotations

from dtws.steps import browser, check, django_server, install, round_trip, test, websocket_server
from dtws.steps.base import StepName, StepSpec

STEPS: tuple[StepSpec, ...] = tuple(
    module.STEP for module in (install, check, test, django_server, websocket_server, round_trip, browser)
)
NAMES: tuple[StepName, ...] = tuple(step.name for step in STEPS)
