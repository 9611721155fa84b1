"""Times as people read them: ``5 Dec 2026, 21:56 UTC``, and ``3 days ago`` for a "since".

The data keeps ISO 8601 (a record's ``finished_at``, results.json's ``generated_at``); only pages
show these forms, with the ISO one beside them in ``<time datetime=… title=…>``. "Ago" is always
relative to a time given (the site's build), never to the clock of whoever reads the page, so a
page says the same whenever it is built from the same data at the same time.
"""

from __future__ import annotations

from datetime import datetime, timezone

import markupsafe

UTC = timezone.utc

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# (seconds in the unit, its name), largest first: "ago" says the largest unit that fits at least once.
UNITS = (
    (365 * 86400, "year"),
    (30 * 86400, "month"),
    (7 * 86400, "week"),
    (86400, "day"),
    (3600, "hour"),
    (60, "minute"),
)


def parse(text: str) -> datetime | None:
    """An ISO time or date as an aware UTC time (a naive one is taken as UTC); None if it is neither."""
    try:
        given = text.strip()
        found = datetime.fromisoformat(given[:-1] + "+00:00" if given.endswith("Z") else given)  # 3.10 has no Z
    except (ValueError, TypeError, AttributeError):
        return None
    return (found if found.tzinfo else found.replace(tzinfo=UTC)).astimezone(UTC)


def _is_date(text: str) -> bool:
    return len(text.strip()) == 10


def day(text: str) -> str:
    """``5 Dec 2026``: the day of an ISO time or date; the text itself when it is neither."""
    found = parse(text)
    return _day(found) if found is not None else text


def _day(found: datetime) -> str:
    return f"{found.day} {MONTHS[found.month - 1]} {found.year}"


def month(text: str) -> str:
    """``Dec 2026``: the month of an ISO time or date; the text itself when it is neither."""
    found = parse(text)
    return f"{MONTHS[found.month - 1]} {found.year}" if found is not None else text


def shown(text: str) -> str:
    """``5 Dec 2026, 21:56 UTC`` (a date alone: ``5 Dec 2026``); the text itself when it is no ISO time."""
    found = parse(text)
    return _shown(text, found) if found is not None else text


def _shown(text: str, found: datetime) -> str:
    return _day(found) if _is_date(text) else f"{_day(found)}, {found.hour:02d}:{found.minute:02d} UTC"


def ago(text: str, now: datetime) -> str:
    """``3 days ago`` (``just now`` under a minute, ``in 2 hours`` after ``now``); the text itself when no time."""
    found = parse(text)
    return _ago(found, now) if found is not None else text


def _ago(found: datetime, now: datetime) -> str:
    return said_ago(seconds_before(found, now))


def seconds_before(found: datetime, now: datetime) -> int:
    """How many whole seconds ``found`` (a parsed time) is before ``now`` (negative: after it)."""
    return int((now.astimezone(UTC) - found).total_seconds())


def said_ago(seconds: int) -> str:
    """``3 days ago`` for a time ``seconds`` before now (``in 2 hours`` for one after it); the front page's table
    says it alike (javascripts/table.js, with UNITS)."""
    for size, unit in UNITS:
        count = abs(seconds) // size
        if count:
            said = f"{count} {unit}{'s' * (count != 1)}"
            return f"{said} ago" if seconds > 0 else f"in {said}"
    return "just now"


def _tag(text: str, visible: str) -> markupsafe.Markup:
    iso = markupsafe.escape(text.strip())
    return markupsafe.Markup(f'<time datetime="{iso}" title="{iso}">{markupsafe.escape(visible)}</time>')


def time_tag(text: str | None) -> markupsafe.Markup:
    """A page's ``<time>`` of an ISO time: shown as people read it, the ISO form its tooltip; ``—`` for none."""
    if not text:
        return markupsafe.Markup("—")
    found = parse(text)
    return _tag(text, _shown(text, found)) if found is not None else markupsafe.escape(text)


def since_tag(text: str | None, now: datetime) -> markupsafe.Markup:
    """A page's ``<time>`` of a "since": how long before ``now`` (``3 days ago``), the ISO form its tooltip."""
    if not text:
        return markupsafe.Markup("—")
    found = parse(text)
    return _tag(text, _ago(found, now)) if found is not None else markupsafe.escape(text)
