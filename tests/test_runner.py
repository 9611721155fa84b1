"""How a cell's status follows from its steps' verdicts."""

from __future__ import annotations

from dtws import record
from dtws.runner import _conclude


def concluded(*verdicts: tuple[str, str]) -> record.CellRecord:
    rec = record.CellRecord("channels", "py312-django52-channels", "3.12", "5.2")
    rec.steps = [record.Step(name, [], verdict=verdict, detail=f"{name} said so") for name, verdict in verdicts]
    _conclude(rec)
    return rec


def test_every_step_passed() -> None:
    rec = concluded(("install", "pass"), ("browser", "pass"))
    assert (rec.status, rec.reason) == ("pass", None)


def test_the_first_failing_step_names_the_reason() -> None:
    rec = concluded(("install", "pass"), ("check", "fail"), ("test", "timeout"))
    assert (rec.status, rec.reason) == ("fail", "check: check said so")


def test_a_step_whose_tool_is_missing_makes_the_cell_unavailable_not_failed() -> None:
    rec = concluded(("install", "pass"), ("round-trip", "pass"), ("browser", "unavailable"))
    assert (rec.status, rec.reason) == ("unavailable", "browser: browser said so")


def test_a_stopped_run_is_incomplete() -> None:
    rec = concluded(("install", "pass"), ("check", "not-run"))
    assert (rec.status, rec.reason) == ("incomplete", None)
