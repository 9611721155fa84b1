"""The hand-written review (shared/reference, 2016-04-19) reproduced: its table beside dtws's cells as of that day.

The review's own table is data here, as it printed it: seven cells of
django-socketio 0.3.9, three columns. Beside each of its marks stands the
verdict of the same cell run with ``--as-of 2016-04-19`` (the releases a user
installing on the review's day got), and where the two differ, why: an
interpreter this machine lacks, an error that moved to another step, another
first error.

The bisects that answer the review's questions are data here too
(``BISECTS``): ``make review`` runs them here, and the workflow weekly and
on a dispatch of all cells (its full runs also run the review's cells as of
its day).
"""

from __future__ import annotations

from dataclasses import dataclass

from dtws import bisect, matrix
from dtws.answers import Answer, LibraryAnswers, question
from dtws.marks import MARKS
from dtws.results import Entry, Results

DAY = "2016-04-19"  # the review's runserver output is dated so
LIBRARY = "django-socketio"
# (heading, the step it is, or None for the whole cell), as the review's columns.
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Django server works?", "django-server"),
    ("Websockets server works?", "websocket-server"),
    ("Does it work?", None),
)
# The review's table: for each of its cells, its three marks (True: ✓ Yes, False: ✗ No).
TABLE: dict[str, tuple[bool, bool, bool]] = {
    "py27-django18": (True, False, False),
    "py27-django19": (False, False, False),
    "py33-django18": (False, False, False),
    "py33-django19": (False, False, False),
    "py34-django18": (False, False, False),
    "py34-django19": (False, False, False),
    "py35-django19": (False, False, False),
}


@dataclass(frozen=True)
class Question:
    """A bisect that answers one of the review's questions: ``dtws bisect CELL --package P --step S --releases R``."""

    asks: str
    cell: str
    package: str
    step: str  # the step judged ("" for the whole cell)
    releases: str  # "" for every release on the index, a range (">=1.8"), or a list
    every: bool  # probe every release (does any pass?), not a binary search

    @property
    def name(self) -> str:
        return bisect.name(self.cell, self.package)


BISECTS: tuple[Question, ...] = (
    Question(
        "Which gevent release first makes the socket server fail, and does any installable gevent"
        " make the round trip pass?",
        "py27-django18",
        "gevent",
        "websocket-server",
        "",
        every=True,
    ),
    Question(
        "Which Django release first fails for django-socketio on Python 2.7, and why?",
        "py27-django18",
        "Django",
        "check",
        ">=1.8",
        every=False,
    ),
)


@dataclass(frozen=True)
class Said:
    """The review's own answer to one of its questions (dtws.answers), as it printed it."""

    question: str
    said: str
    # The fact it gives that a measurement can check: a number (its "about 6 assertions"), True for a plain
    # "Yes" (the measured value is above 0), or None when it gives none.
    fact: float | bool | None


ANSWERS: tuple[Said, ...] = (
    Said("install", "Looks easy to install, but in fact it do not works. :-)", None),
    Said("integration", "Easy, but I said django-socketio do not works.", None),
    Said("architecture", "Who cares? It do not works. (but it's thin!)", None),
    Said("events", "Yes, good point, but still do not works!", True),
    Said("docs", "Yes, a nice written one.", True),
    Said("tests", "Yes, about 6 assertions.", 6),
)


@dataclass(frozen=True)
class Beside:
    """The review's answer beside the measured one, and whether the measurement agrees with the fact it gives."""

    asks: str
    said: Said
    measured: Answer | None
    agrees: bool | None  # None: nothing to check (the review gives no fact, or nothing was measured)


def _agrees(said: Said, measured: Answer | None) -> bool | None:
    if said.fact is None or measured is None or not measured.answered or measured.value is None:
        return None
    if isinstance(said.fact, bool):
        return (measured.value > 0) == said.fact
    return measured.value == said.fact


def beside(answered: LibraryAnswers | None) -> list[Beside]:
    """The review's answers for django-socketio beside those measured (``answered``: the library's, or None)."""
    found = []
    for said in ANSWERS:
        measured = answered.answer(said.question) if answered is not None else None
        found.append(Beside(question(said.question).asks, said, measured, _agrees(said, measured)))
    return found


@dataclass(frozen=True)
class Mark:
    review: bool
    ours: str  # the status key dtws shows in that column
    same: bool
    why: str | None  # what explains a difference, or what the verdict rests on


@dataclass(frozen=True)
class Row:
    cell: str
    python: str
    django: str
    entry: Entry | None
    marks: list[Mark]

    @property
    def versions(self) -> str:
        rec = self.entry.record if self.entry is not None else None
        if rec is None or not rec.provenance.packages:
            return "—"
        wanted = ("Django", "django-socketio", "gevent", "gevent-socketio", "gevent-websocket", "greenlet")
        found = {name.lower(): version for name, version in rec.provenance.packages.items()}
        return ", ".join(f"{name} {found[name.lower()]}" for name in wanted if name.lower() in found)


def _explain(entry: Entry | None, step: str | None, review: bool, ours: str) -> Mark:
    rec = entry.record if entry is not None else None
    if rec is None:
        return Mark(review, ours, False, "not run as of that day: no record of it")
    if rec.status == "unavailable":
        return Mark(review, ours, False, f"no Python {rec.python} on the machine that ran it: the review's had one")
    failed = next((s for s in rec.steps if s.verdict in ("fail", "timeout", "error")), None)
    if ours == "pass":
        return Mark(review, ours, review, None if review else "passes with the releases of that day")
    if ours in ("fail", "timeout"):
        why = rec.reason if step is None else f"{step}: {rec.step(step).error_line or rec.step(step).detail}"
        return Mark(review, ours, not review, why if not review else f"fails here: {why}")
    if ours == "skipped" and failed is not None:
        moved = f"not run: {failed.name}, an earlier step, failed ({failed.error_line or failed.detail})"
        return Mark(review, ours, False, moved + (": the error moved to an earlier step" if not review else ""))
    return Mark(review, ours, False, f"{MARKS[ours].word}: {rec.reason or ''}")


def compare(results: Results) -> list[Row]:
    """The review's rows beside ``results`` (an as-of run of its day), cell by cell."""
    by_cell = {entry.cell: entry for entry in results.cells if entry.library == LIBRARY}
    rows = []
    for cell, marks in TABLE.items():
        entry = by_cell.get(cell)
        known = matrix.get(cell)
        shown = []
        for (_heading, step), review in zip(COLUMNS, marks, strict=True):
            ours = entry.verdict(step) if entry is not None else "no-result"
            shown.append(_explain(entry, step, review, ours))
        rows.append(Row(cell, known.python, known.django, entry, shown))
    return rows
