"""Protocol clients of the probes. Every network wait is bounded by the step's deadline."""

from __future__ import annotations

import time


def left(deadline: float) -> float:
    """Seconds until ``deadline`` (a time.monotonic() value); TimeoutError once it has passed."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("the step's time is up")
    return remaining
