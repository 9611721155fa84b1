"""``results.json``: every cell of the matrix, each with its newest record or why it has none.

Data only (no display fields). Schema (``schema_version`` 1)::

    {
      "schema_version": 1,
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
                         is the published one, carried forward}],
      "problems": [anything found that is no cell's: unknown cells, unplaced files]
    }

Fields added since the first sites (run_number, reran, baseline, attempts,
kept) are optional when read, so a published results.json of an older dtws
still merges.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dtws import files, record

SCHEMA_VERSION = 1
FILENAME = "results.json"


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
class Entry:
    library: str
    cell: str
    python: str
    django: str
    record: record.CellRecord | None = None
    record_dir: str | None = None
    problem: str | None = None
    attempts_seen: int = 0
    attempts: list[int] = field(default_factory=list)
    kept: bool = False


@dataclass
class Results:
    generated_at: str
    run: RunInfo = field(default_factory=RunInfo)
    cells: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    baseline: RunInfo | None = None
    baseline_problem: str | None = None
    schema_version: int = SCHEMA_VERSION

    @property
    def partial(self) -> bool:
        """Whether some cell's verdict is not of this run (kept from the published site, or missing)."""
        return any(entry.kept or entry.record is None for entry in self.cells)


def write(results: Results, directory: Path) -> Path:
    return files.write_json(directory / FILENAME, asdict(results), compact=True)


def from_dict(data: Any) -> Results:
    if not isinstance(data, dict):
        raise ResultsError("not a JSON object")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ResultsError(f"unknown schema_version {data.get('schema_version')!r} (this dtws reads {SCHEMA_VERSION})")
    try:
        cells = []
        for item in data["cells"]:
            rec = record.from_dict(item["record"]) if item["record"] is not None else None
            cells.append(Entry(**{**item, "record": rec}))
        baseline = data.get("baseline")
        return Results(
            generated_at=data["generated_at"],
            run=RunInfo(**data["run"]),
            cells=cells,
            problems=list(data["problems"]),
            baseline=RunInfo(**baseline) if baseline is not None else None,
            baseline_problem=data.get("baseline_problem"),
        )
    except (KeyError, TypeError, record.RecordError) as error:
        raise ResultsError(f"malformed results: {error}") from None


def read(path: Path) -> Results:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ResultsError(f"{path}: unreadable: {error}") from None
    try:
        return from_dict(data)
    except ResultsError as error:
        raise ResultsError(f"{path}: {error}") from None
