"""The regression gate: this run's results against a baseline, cell by cell.

A regression is a cell that passed in the baseline and now fails, times out
or is flaky: only those turn a run red by default. A known failure (a cell
that failed before and fails now) never does. A cell that went to a harness
error, or to no result, could not be judged this run: it is listed, and turns
the run red only with ``--fail-on any``.

A cell ahead of release (dtws.ahead: Django main, its pre-release, the next
Python) never turns the run red, whatever ``--fail-on`` says, unless
``ahead_counts``: its flips are listed apart, and its breakage is told in an
issue of its own (dtws.tell).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from dtws import addresses, ahead
from dtws.github import markdown_code
from dtws.marks import MARKS
from dtws.results import Entry, Results, Shown

BROKEN = ("fail", "timeout", "flaky")  # what a passing cell must not become
FailOn = Literal["regression", "any", "never"]
FAIL_ON: tuple[FailOn, ...] = ("regression", "any", "never")


@dataclass(frozen=True)
class Flip:
    library: str
    cell: str
    before: str
    after: str
    reason: str | None  # the cell's reason now
    ahead: bool = False  # a cell ahead of release (dtws.ahead), counted only when the gate is told to

    @property
    def kind(self) -> str:
        """regression, fixed, otherwise (failing both times), unjudged (in either run), or ahead (of release)."""
        if self.ahead:
            return "ahead"
        if self.before == "pass" and self.after in BROKEN:
            return "regression"
        if self.before in BROKEN and self.after == "pass":
            return "fixed"
        if self.before in BROKEN and self.after in BROKEN:
            return "otherwise"
        return "unjudged"


@dataclass(frozen=True)
class Verdict:
    """What the gate found: every flip, this run's counts, and whether the run is red."""

    flips: list[Flip]
    counts: Counter[Shown]
    flaky: list[Entry]
    baseline: str | None  # where the baseline came from, or None when nothing was published
    red: bool
    why: str
    broken_ahead: list[Entry] = field(default_factory=list)  # the cells ahead of release that fail or time out

    def of(self, kind: str) -> list[Flip]:
        return [flip for flip in self.flips if flip.kind == kind]


def _ahead(entry: Entry, counted: bool) -> bool:
    """Whether the gate sets ``entry`` apart: a cell ahead of release, unless it was told to count them."""
    return not counted and ahead.kind(entry.python, entry.django) is not None


def compare(
    current: Results, baseline: Results | None, where: str | None, fail_on: FailOn, ahead_counts: bool = False
) -> Verdict:
    before = {(e.library, e.cell): e for e in baseline.cells} if baseline else {}
    flips = []
    for entry in current.cells:
        old = before.pop((entry.library, entry.cell), None)
        now = entry.status
        if old is not None and old.status != now:
            reason = entry.record.reason if entry.record is not None else entry.problem
            flips.append(Flip(entry.library, entry.cell, old.status, now, reason, _ahead(entry, ahead_counts)))
    for (library, cell), old in before.items():  # a cell this run's results do not have at all
        flips.append(
            Flip(library, cell, old.status, "no-result", "not in this run's results", _ahead(old, ahead_counts))
        )
    judged = [e for e in current.cells if not _ahead(e, ahead_counts)]
    counts = Counter(e.status for e in judged)
    flaky = [e for e in judged if e.status == "flaky"]
    broken_ahead = [e for e in current.cells if _ahead(e, ahead_counts) and e.status in ("fail", "timeout")]
    regressions = [flip for flip in flips if flip.kind == "regression"]
    failing = sum(count for key, count in counts.items() if key != "pass")
    if fail_on == "never":
        red, why = False, "--fail-on never: the gate never turns the run red"
    elif fail_on == "any":
        red = failing > 0
        why = f"{failing} cells do not pass" if red else "every cell that ran passes"
    else:
        red = bool(regressions)
        if red:
            why = f"{len(regressions)} cells that passed before do not pass now"
        elif baseline is None:
            why = "nothing published to compare with: nothing can have regressed"
        else:
            why = "no cell that passed before fails now"
    return Verdict(flips, counts, flaky, where if baseline else None, red, why, broken_ahead)


def _code(text: str | None) -> str:
    """Record text in a Markdown table: as a job summary line has it, and no "|" that would end the cell."""
    return markdown_code(text[:300]).replace("|", "\\|") if text else ""


def _cell(flip: Flip | Entry, site: str | None) -> str:
    name = f"{flip.library} {flip.cell}"
    return f"[{name}]({site}{addresses.cell(flip.library, flip.cell)})" if site else name


def markdown(verdict: Verdict, site: str | None) -> str:
    """The job summary: the run's counts by verdict, every flip in both directions, the flaky cells."""
    lines = [f"## dtws: {'red' if verdict.red else 'green'}: {verdict.why}", ""]
    lines += ["| verdict | cells |", "|---|---|"]
    order = list(MARKS)
    counts = sorted(verdict.counts.items(), key=lambda item: order.index(item[0]))
    lines += [f"| {MARKS[key].symbol} {MARKS[key].word} | {count} |" for key, count in counts]
    lines.append("")
    if verdict.baseline is None:
        lines += ["No published results to compare with.", ""]
    else:
        lines += [f"Compared with {_code(verdict.baseline)}.", ""]
    titles = {
        "regression": "Passed before, not now",
        "fixed": "Did not pass before, passes now",
        "otherwise": "Did not pass before, and still does not, otherwise",
        "unjudged": "Not judged in one of the two runs (harness error, no interpreter, no result)",
        "ahead": "Ahead of release (Django main, its pre-release, the next Python): changed, never red",
    }
    for kind, title in titles.items():
        flips = verdict.of(kind)
        if not flips:
            continue
        folded = kind == "unjudged"  # say nothing about the libraries: folded away
        head = f"{title} ({len(flips)})"
        lines += [f"<details><summary>{head}</summary>" if folded else f"### {head}", ""]
        lines += ["| cell | before | now | why |", "|---|---|---|---|"]
        for flip in flips:
            was, now = MARKS[flip.before], MARKS[flip.after]
            lines.append(
                f"| {_cell(flip, site)} | {was.symbol} {was.word} | {now.symbol} {now.word} | {_code(flip.reason)} |"
            )
        lines += ["", "</details>", ""] if folded else [""]
    if not verdict.flips and verdict.baseline is not None:
        lines += ["No cell changed its verdict.", ""]
    lines += _listed(f"Ahead of release, failing ({len(verdict.broken_ahead)}; never red)", verdict.broken_ahead, site)
    lines += _listed(f"Flaky ({len(verdict.flaky)})", verdict.flaky, site)
    return "\n".join(lines)


def _listed(title: str, entries: list[Entry], site: str | None) -> list[str]:
    """A section of the summary: each cell with its reason; nothing when there is none."""
    if not entries:
        return []
    lines = [f"### {title}", ""]
    for entry in entries:
        reason = entry.record.reason if entry.record is not None else None
        lines.append(f"- {_cell(entry, site)}: {_code(reason)}")
    return [*lines, ""]
