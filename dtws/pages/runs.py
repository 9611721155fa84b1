"""A stable page per run: ``runs/<key>/`` shows the verdicts of that run, whatever runs came after.

A cell's page (``cells/<library>/<cell>/``) is its permalink: it always shows
the latest verdict. A link to a run's page keeps meaning what it meant: each
build writes this run's page and carries the earlier runs' pages forward from
the published site (``runs/index.json`` and each run's ``table.json``, read
before mkdocs rebuilds the folder), the last RUNS_LIMIT runs. A run's key is
its GitHub Actions run id, or ``local-<time>`` for a local build.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any

from dtws import addresses, files, published, shapes
from dtws.results import Results
from dtws.shapes import Timestamp

RUNS = addresses.RUNS
INDEX = "index.json"
TABLE = "table.json"
RUNS_LIMIT = 100
TABLE_LIMIT = 5_000_000  # bytes of an earlier run's table.json carried forward
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")


def _key(text: str) -> str | None:
    return None if _KEY.match(text) else "not a run's key"


@dataclass(frozen=True)
class RunSummary:
    key: Annotated[str, _key]  # a folder's name: runs/<key>/
    generated_at: Timestamp
    run_id: str | None = None
    run_number: int | None = None
    run_attempt: int | None = None
    commit: str | None = None
    run_url: str | None = None
    counts: dict[str, int] = field(default_factory=dict)  # status -> cells


def key_of(results: Results) -> str:
    if results.run.run_id and _KEY.match(results.run.run_id):
        return results.run.run_id
    return "local-" + re.sub(r"[^0-9]", "", results.generated_at)[:14]


def summary_of(results: Results) -> RunSummary:
    counts = Counter(e.record.status if e.record is not None else "no-result" for e in results.cells)
    run = results.run
    return RunSummary(
        key_of(results),
        results.generated_at,
        run.run_id,
        run.run_number,
        run.run_attempt,
        run.commit,
        run.run_url,
        dict(counts),
    )


@dataclass
class Earlier:
    """The earlier runs of the published site, read before the site is rebuilt: their summaries and tables."""

    runs: list[RunSummary] = field(default_factory=list)
    tables: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _summary(item: Any) -> RunSummary | None:
    """A summary as read from a published index.json; None when it is not one (it is input like any other)."""
    try:
        return shapes.build(RunSummary, item, "run")
    except shapes.ShapeError:
        return None


def earlier(site: published.Published) -> Earlier:
    """The published site's runs (``runs/index.json``) and each one's table."""
    found = Earlier()
    with tempfile.TemporaryDirectory(prefix="dtws-runs-") as scratch:
        index = Path(scratch) / INDEX
        if not site.fetch(f"{RUNS}/{INDEX}", index):
            return found
        try:
            items = files.read_json(index)
        except (OSError, ValueError) as error:
            found.problems.append(f"{RUNS}/{INDEX} of the published site could not be read: {error}")
            return found
        for item in items if isinstance(items, list) else []:
            summary = _summary(item)
            if summary is None or len(found.runs) >= RUNS_LIMIT:
                continue
            table = Path(scratch) / summary.key / TABLE
            if site.fetch(f"{RUNS}/{summary.key}/{TABLE}", table) and table.stat().st_size <= TABLE_LIMIT:
                found.runs.append(summary)
                found.tables[summary.key] = table.read_bytes()
            else:
                found.problems.append(f"run {summary.key}: its published table could not be had; its page is dropped")
    return found


def listing(this: RunSummary, before: Earlier) -> list[RunSummary]:
    """This run first, then the earlier ones (another attempt of this run replaces it), at most RUNS_LIMIT."""
    return [this, *(run for run in before.runs if run.key != this.key)][:RUNS_LIMIT]


def index_json(runs: list[RunSummary]) -> str:
    return json.dumps([asdict(run) for run in runs], separators=(",", ":")) + "\n"
