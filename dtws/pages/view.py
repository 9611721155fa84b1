"""What the pages show for the data (symbols and words come from dtws.marks). Display only, never stored."""

from __future__ import annotations

from dtws.marks import MARKS, Mark
from dtws.record import CellRecord
from dtws.results import Entry

# The review's columns: (heading, the step it shows, or None for the whole cell).
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Installs?", "install"),
    ("Django server works?", "django-server"),
    ("WebSocket server works?", "websocket-server"),
    ("Does it work?", None),
)


# Which status a summary shows when a Django series has several Pythons: the best one.
BEST_FIRST = ("pass", "flaky", "timeout", "fail", "incomplete", "error", "unavailable", "no-result")


def best(entries: list[Entry]) -> str:
    return min((status(e) for e in entries), key=BEST_FIRST.index, default="no-result")


def series_key(django: str) -> tuple[int, ...]:
    return tuple(int(part) for part in django.split("."))


def status(entry: Entry) -> str:
    return entry.record.status if entry.record is not None else "no-result"


def column_key(entry: Entry, step: str | None) -> str:
    """The status a column of the table shows: the step's verdict, or (``step`` None) the cell's."""
    if entry.record is None:
        return "no-result"
    if step is None:
        return entry.record.status
    return _verdict(entry.record, step)


def column(entry: Entry, step: str | None) -> Mark:
    return MARKS[column_key(entry, step)]


def _verdict(rec: CellRecord, step: str) -> str:
    for item in rec.steps:
        if item.name == step:
            return item.verdict
    return "not-run"


def url(entry: Entry) -> str:
    """The cell page's address, relative to the site root."""
    return f"cells/{entry.library}/{entry.cell}/"


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"
