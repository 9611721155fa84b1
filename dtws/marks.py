"""The one table of how a status or a step verdict is shown: on pages, in the terminal, on GitHub."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mark:
    symbol: str  # the table's cell
    word: str  # what the symbol means, in words
    css: str  # the pages' CSS class
    terminal: str  # the plain-text table of `cell` and `run`


MARKS: dict[str, Mark] = {
    "pass": Mark("✓", "Yes", "pass", "pass"),
    # Failed, then passed when run again: never counted as passing.
    "flaky": Mark("↻", "Flaky", "flaky", "FLAKY"),
    "fail": Mark("✗", "No", "fail", "FAIL"),
    "timeout": Mark("⏱", "Timeout", "timeout", "TIMEOUT"),
    "skipped": Mark("—", "Skipped", "skipped", "-"),
    "unavailable": Mark("—", "Unavailable", "unavailable", "n/a"),
    # dtws, tox, docker or the CI plumbing failed: says nothing about the library.
    "error": Mark("⚠", "Harness error", "error", "ERROR"),
    "not-run": Mark("—", "Not run", "skipped", "?"),
    "incomplete": Mark("?", "Incomplete", "incomplete", "?"),
    "no-result": Mark("?", "No result", "noresult", "?"),
}


# An answer at a glance (dtws.results.Glance), on the Compare page: its symbol, and the word its tooltip says.
GLANCE_MARKS: dict[str, Mark] = {
    "yes": Mark("✓", "yes", "glance-yes", "yes"),
    "partly": Mark("~", "partly: on some cells, or at a cost", "glance-partly", "partly"),
    "no": Mark("✗", "no", "glance-no", "no"),
    "unknown": Mark("?", "cannot be answered here", "glance-unknown", "?"),
}
