"""``results.json``: every cell of the matrix, each with its newest record or why it has none.

Data only (no display fields). Schema (``schema_version`` 4)::

    {
      "schema_version": 4,
      "generated_at": ISO time,
      "run": {"dtws_version", "run_id", "run_number", "run_attempt", "commit", "run_url",
              "reran": how many cells have a record of this run},  # of the merge
      "baseline": the "run" of the published results this one carries cells from, or null,
      "baseline_problem": why the published results could not be read, or null,
      "cells": [{"library", "cell", "python", "django",
                 "record": <result.json, schema in dtws/record.py> or null,
                 "record_dir": "records/<library>/<cell>" or null,
                 "problem": why there is no record, or null,
                 "attempts_seen": how many records of this cell were found,
                 "attempts": the run attempts they came from,
                 "kept": true when this run did not re-run the cell and its record
                         is the published one, carried forward,
                 "history": [{"status", "finished_at", "run_id", "run_attempt",
                              "run_url", "commit", "python_version",
                              "django_version", "library_version"} ...],
                         # the cell's verdict in each run, oldest first, the
                         # last HISTORY_LIMIT runs (this one last, when it ran the cell)
                 "since": when the cell's current status first appeared, in an
                          unbroken line of runs up to this one (ISO time), or null,
                 "since_run": the run it first appeared in (its id), or null}],
      "problems": [anything found that is no cell's: unknown cells, unplaced files],
      "code": {"<library>": [{"role", "path", "text", "lines"} ...]},
               # each library's integration as the merged project has it: the files of
               # its app its declaration names, and the commands that serve it (dtws.answers.code)
      "as_of": the date of an as-of run (``--as-of``), or null for today's
    }

Fields added since the first sites (run_number, reran, baseline, attempts,
kept) are optional when read, so a published results.json of an older dtws
still merges. Version 1 (no history) is read too, migrated: each cell's
history is its one record (``migrate``). Version 3 had the libraries'
answers (``libraries``: each one's answers and ``code``), computed at merge
with the site's addresses in them; since 4 the answers are computed where the
site is built, from the records, the code, the bench and the conformance
suite (dtws.answers, published as answers.json), so a 3's answers are not
read, its code is. A 1 or a 2 has no code: the site reads it from its project.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from dtws import declared, files, record, shapes
from dtws.shapes import Day, Name, Timestamp

Shown = record.Status | Literal["no-result"]  # what the site shows of a cell: its status, or that it has no record

SCHEMA_VERSION = 4
READS = (1, 2, 3, 4)  # the schema versions this dtws reads (1: migrated; of 3's libraries' answers, their code)
FILENAME = "results.json"
HISTORY_LIMIT = 30  # runs kept in a cell's history


class ResultsError(ValueError):
    pass


@dataclass
class RunInfo:
    dtws_version: str | None = None
    run_id: str | None = None
    run_attempt: int | None = None
    commit: str | None = None
    run_url: str | None = None
    run_number: int | None = None
    reran: int | None = None


@dataclass
class HistoryItem:
    """A cell's verdict in one run."""

    status: record.Status
    finished_at: Timestamp | None = None
    run_id: str | None = None
    run_attempt: int | None = None
    run_url: str | None = None
    commit: str | None = None
    python_version: str | None = None
    django_version: str | None = None
    library_version: str | None = None

    @classmethod
    def of(cls, rec: record.CellRecord) -> HistoryItem:
        provenance = rec.provenance
        return cls(
            status=rec.status,
            finished_at=provenance.finished_at,
            run_id=provenance.run_id,
            run_attempt=provenance.run_attempt,
            run_url=provenance.job_url,
            commit=provenance.commit,
            python_version=provenance.python_version,
            django_version=provenance.django_version,
            library_version=provenance.library_version,
        )


@dataclass
class Entry:
    library: Name
    cell: Name
    python: str
    django: str
    record: record.CellRecord | None = None
    record_dir: str | None = None
    problem: str | None = None
    attempts_seen: int = 0
    attempts: list[int] = field(default_factory=list)
    kept: bool = False
    history: list[HistoryItem] = field(default_factory=list)
    since: Timestamp | None = None
    since_run: str | None = None

    @property
    def status(self) -> Shown:
        """The cell's status, or ``no-result`` when it has no record."""
        return self.record.status if self.record is not None else "no-result"

    @property
    def claim(self) -> declared.ClaimMark | None:
        """What the library's metadata claims against what the cell found: the two cases a reader must know."""
        rec = self.record
        if rec is None:
            return None
        return declared.mark(rec.provenance.declared, self.python, self.django, rec.status)

    def verdict(self, step: str | None) -> str:
        """What a column of the table shows: the step's verdict (``not-run`` when it has none), or the status."""
        if self.record is None or step is None:
            return self.status
        return next((item.verdict for item in self.record.steps if item.name == step), "not-run")

    @property
    def ever_flaky(self) -> int:
        """In how many runs of its history the cell was flaky."""
        return sum(item.status == "flaky" for item in self.history)


# Which cell stands for several (a Django series on several Pythons, a column ahead of release): the best.
BEST_FIRST: tuple[Shown, ...] = ("pass", "flaky", "timeout", "fail", "incomplete", "error", "unavailable", "no-result")


def best_by(entries: Iterable[Entry], key: Callable[[Entry], str]) -> dict[str, Entry]:
    """For each value of ``key`` among ``entries``, its entry of the best status (the first of them)."""
    found: dict[str, Entry] = {}
    for entry in entries:
        held = found.get(key(entry))
        if held is None or BEST_FIRST.index(entry.status) < BEST_FIRST.index(held.status):
            found[key(entry)] = entry
    return found


@dataclass
class Code:
    """A part of a library's integration, as the project has it: a file of its app, or a command to run."""

    role: str
    path: str | None  # the project's file; None for a command
    text: str
    lines: int  # its lines of code: no blank line, comment or docstring


@dataclass
class _Answered:
    """A library of a version 3's ``libraries``, of which its code is read (its answers are computed anew)."""

    library: Name
    code: list[Code] = field(default_factory=list)


@dataclass
class _Libraries:
    libraries: list[_Answered]


@dataclass
class Results:
    generated_at: Timestamp
    run: RunInfo = field(default_factory=RunInfo)
    cells: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    baseline: RunInfo | None = None
    baseline_problem: str | None = None
    schema_version: int = SCHEMA_VERSION
    as_of: Day | None = None  # the date of an as-of run's results (YYYY-MM-DD); None for today's
    code: dict[Name, list[Code]] = field(default_factory=dict)  # by library: its integration (dtws.answers.code)

    @property
    def partial(self) -> bool:
        """Whether some cell's verdict is not of this run (kept from the published site, or missing)."""
        return any(entry.kept or entry.record is None for entry in self.cells)


def write(results: Results, directory: Path) -> Path:
    return files.write_json(directory / FILENAME, shapes.plain(results), compact=True)


def from_dict(data: Any) -> Results:
    """Results as read, every field of the shape its dataclass declares (dtws.shapes); ResultsError otherwise."""
    if not isinstance(data, dict):
        raise ResultsError("not a JSON object")
    version = shapes.version(data, READS)
    if version is None:
        said = shapes.shown(data.get("schema_version"))
        raise ResultsError(f"unknown schema_version {said} (this dtws reads {', '.join(map(str, READS))})")
    try:
        found = shapes.build(Results, {**data, "cells": [], "schema_version": SCHEMA_VERSION}, "results")
        cells = data.get("cells")
        if not isinstance(cells, list):
            raise shapes.ShapeError(f"results.cells: expected a list, found {type(cells).__name__}")
        for index, item in enumerate(cells):
            where = f"results.cells[{index}]"
            entry = shapes.build(Entry, {**item, "record": None} if isinstance(item, dict) else item, where)
            if item.get("record") is not None:
                entry.record = record.from_dict(item["record"])
            if version == 1:
                migrate(entry)
            found.cells.append(entry)
        if version == 3:
            found.code = _code_of(data.get("libraries", []))
    except (shapes.ShapeError, record.RecordError) as error:
        raise ResultsError(f"malformed results: {error}") from None
    return found


def _code_of(libraries: Any) -> dict[str, list[Code]]:
    """The code of each library of a version 3's answers."""
    found = shapes.build(_Libraries, {"libraries": libraries}, "results")
    return {item.library: item.code for item in found.libraries}


def migrate(entry: Entry) -> None:
    """A cell of a version 1 results.json: its history is its record, its status dates from that run."""
    if entry.record is not None and not entry.history:
        entry.history = [HistoryItem.of(entry.record)]
        entry.since = entry.record.provenance.finished_at
        entry.since_run = entry.record.provenance.run_id


def read(path: Path) -> Results:
    return files.read_as(path, from_dict, ResultsError)
