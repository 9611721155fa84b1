"""What a level's figure means where it looks broken: its messages late, lost, late past the window or never sent.

From the figures alone (dtws.bench.data) and the library's declaration
(``Load.drops``: what its chat is known to do to messages under load), never
from the load itself: reading bench.json loads no bench.
"""

from __future__ import annotations

from dtws.bench import data
from dtws.libraries import LIBRARIES

LATE_S = 1  # dtws.bench.load.LATE_MS, in seconds
QUIET_S = 10  # dtws.bench.load.QUIET_S


def known(library: str) -> str | None:
    """What the library's chat is known to do to messages under load (its declaration's ``Load.drops``)."""
    found = next((lib for lib in LIBRARIES if lib.name == library), None)
    return found.load.drops if found is not None and found.load is not None else None


def _seconds(ms: float | None) -> str:
    return "-" if ms is None else f"{ms / 1000:.1f} s"


def level(item: data.Level, window_s: float, library: str) -> str:
    """One level of the library's figures in words: every message delivered (some late), or where the rest went."""
    stats = item.library
    missing = stats.expected - stats.delivered
    if stats.connected == 0:
        return f"never sent: no client connected ({stats.first_error or 'no error told'})"
    if stats.outcome == "complete":
        late = f", {stats.late} of them late (over {LATE_S} s)" if stats.late else ""
        return f"every message delivered{late}"
    if stats.first_error and stats.first_error.startswith("send"):
        said = f"never sent: a client's send failed ({stats.first_error}), and it sent no more; {missing} not delivered"
    elif stats.outcome == "lossy":
        said = f"lost: {missing} of {stats.expected} never arrived (nothing came for {QUIET_S} s after the last send)"
        if stats.late:
            said += f", and {stats.late} of the {stats.delivered} that did were late (over {LATE_S} s)"
    elif stats.delivered and stats.late >= stats.delivered:
        said = (
            f"late past the window: every message that arrived was late (p50 {_seconds(stats.latency_ms['p50'])}),"
            f" and {missing} had not arrived when the level's {window_s:g} s ended"
        )
    else:
        said = (
            f"late past the window, or lost: {missing} of {stats.expected} had not arrived when the level's"
            f" {window_s:g} s ended, while messages were still due (a stall: the load cannot tell which)"
        )
    cause = known(library)
    return f"{said}. Known cause: {cause}" if cause else said
