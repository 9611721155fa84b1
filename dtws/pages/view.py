"""What the pages show for the data (symbols and words come from dtws.marks). Display only, never stored."""

from __future__ import annotations

from dtws import addresses, ahead, declared
from dtws.marks import MARKS, Mark
from dtws.record import Declared
from dtws.results import Entry
from dtws.versions import release_key, series_key

django_commit_url = ahead.commit_url  # the cell page's link to the commit of Django main it tested

# The review's columns: (heading, the step it shows, or None for the whole cell).
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Installs?", "install"),
    ("Django server works?", "django-server"),
    ("WebSocket server works?", "websocket-server"),
    ("Does it work?", None),
)


def column(entry: Entry, step: str | None) -> Mark:
    return MARKS[entry.verdict(step)]


def url(entry: Entry) -> str:
    """The cell page's address, relative to the site root."""
    return addresses.cell(entry.library, entry.cell)


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


CLAIM_WORDS = declared.MARK_WORDS


def _named(said: Declared) -> str:
    pythons = f"Python {', '.join(said.pythons)}" if said.pythons else "no Python version"
    djangos = f"Django {', '.join(said.djangos)}" if said.djangos else "no Django version"
    requires = f"; Requires-Python {said.requires_python}" if said.requires_python else ""
    return f"{said.package} {said.version or ''}: its classifiers name {pythons} and {djangos}{requires}"


def claims(entry: Entry) -> str | None:
    """What the installed library claims, in words, for the cell page."""
    rec = entry.record
    said = rec.provenance.declared if rec is not None else None
    if said is None:
        return None
    here = (
        f"Python {entry.python}: {declared.python_claim(said, entry.python).replace('-', ' ')}; "
        f"Django {entry.django}: {declared.django_claim(said, entry.django).replace('-', ' ')}"
    )
    return f"{_named(said)}. Here, {here}."


def library_claims(entries: list[Entry]) -> str | None:
    """What the newest release of the library that a cell installed claims, or None when no cell installed it."""
    said = [e.record.provenance.declared for e in entries if e.record is not None and e.record.provenance.declared]
    if not said:
        return None
    return _named(max(said, key=lambda item: release_key(item.version))) + "."


def ordered(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Counts by status, in the order of the table of marks (pass first)."""
    order = list(MARKS)
    return sorted(counts.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))


def _newest(entries: list[Entry]) -> Entry:
    return max(entries, key=lambda e: (series_key(e.django), series_key(e.python)))


def works_with(library: str, entries: list[Entry]) -> str:
    """The newest set of releases under which the library works (its newest passing cell), or what was tried."""
    passing = [e for e in entries if e.record is not None and e.record.status == "pass"]
    if passing:
        best = _newest(passing)
        assert best.record is not None
        provenance = best.record.provenance
        return (
            f"Works with {library} {provenance.library_version or '?'}, Django {provenance.django_version or '?'}"
            f" and Python {provenance.python_version or best.python} ({best.cell}, its newest passing cell)"
        )
    ran = [e for e in entries if e.record is not None and e.record.status not in ("unavailable", "error")]
    if not ran:
        return "No cell of it ran here, so no set of releases under which it works is known"

    def span(versions: set[str]) -> str:
        ordered = sorted(versions, key=series_key)
        return ordered[0] if len(ordered) == 1 else f"{ordered[0]}–{ordered[-1]}"

    return (
        f"No set of releases found under which it works: tried {len(ran)} cells,"
        f" Python {span({e.python for e in ran})} with Django {span({e.django for e in ran})}"
    )
