"""The steps of a cell, in order. The module name, with ``-`` for ``_``, is the step's name.

Each step module declares ``NEEDS`` (the steps that must have passed), ``TIMEOUT_S`` and
``SERVICES``: whether it runs with its library's services (dtws.services) up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from dtws.steps import browser, check, django_server, install, round_trip, test, websocket_server
from dtws.steps.base import Context, Outcome


@dataclass(frozen=True)
class StepSpec:
    name: str
    needs: tuple[str, ...]
    timeout_s: float
    services: bool
    run: Callable[[Context], Outcome]


def _spec(module: ModuleType) -> StepSpec:
    return StepSpec(
        name=module.__name__.rsplit(".", 1)[1].replace("_", "-"),
        needs=module.NEEDS,
        timeout_s=module.TIMEOUT_S,
        services=module.SERVICES,
        run=module.run,
    )


STEPS: tuple[StepSpec, ...] = tuple(
    _spec(module) for module in (install, check, test, django_server, websocket_server, round_trip, browser)
)
NAMES: tuple[str, ...] = tuple(step.name for step in STEPS)
