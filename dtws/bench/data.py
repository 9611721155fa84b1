"""``bench.json``: the bench's runs, newest last, each with every library's figures per level.

Schema (``schema_version`` 1), documented in the site's guide (site/guide/bench.md):

- ``runs``: the history, oldest first, at most HISTORY_LIMIT; each run has ``started_at``,
  ``finished_at``, ``commit``, ``run_id``, ``job_url``, ``platform``, ``cpus``, ``settings``
  (levels, messages, repetitions, level seconds) and ``libraries``;
- a library: ``library``, ``cell``, ``package``, ``version``, ``status`` (``measured``, ``no load
  client``, ``no passing cell``, ``error``), ``why`` (one line, when not measured) and ``levels``;
- a level: ``connections``, ``messages`` (each client sends), ``library`` and ``reference``
  (Stats: medians over the repetitions), ``ratio`` (the median of the repetitions' library /
  reference throughput), ``ratio_min``, ``ratio_max`` (its spread) and ``latency_ratio`` (p50s).

A new run's file carries the history of the previous one (``with_history``), as the
site's results carry each cell's.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from dtws import addresses, files, history
from dtws.shapes import Amount, Count, Name

SCHEMA_VERSION = 1
FILENAME = "bench.json"
SITE = addresses.BENCH  # the site's folder of the bench's page and its bench.json
HISTORY_LIMIT = 104  # two years of weekly runs
Status = Literal["measured", "no load client", "no passing cell", "error"]
Outcome = Literal["complete", "lossy", "stalled", "failed"]  # one level of the load (dtws.bench.load)
_WORST: tuple[Outcome, ...] = ("failed", "stalled", "lossy", "complete")


class BenchError(ValueError):
    """A bench.json that is not one (one line)."""


@dataclass(frozen=True)
class Figures:
    """One level, one repetition, as measured."""

    connections: int  # asked for
    connected: int
    messages: int  # each client sends
    expected: int  # deliveries: every message to every connected client, the sender's own included
    delivered: int
    late: int  # delivered later than dtws.bench.load.LATE_MS
    errors: int
    first_error: str | None
    outcome: Outcome
    duration_s: float  # first send to last receipt (or to the end of the level)
    throughput: float  # deliveries per second
    latency_ms: dict[str, float | None]  # p50, p95, p99 from send to receipt
    connect_ms: dict[str, float | None]  # p50, max
    server_peak_mb: float
    server_kb_per_connection: float | None
    client_peak_mb: float


@dataclass(frozen=True)
class Stats:
    """One server at one level: the medians of its repetitions (the worst outcome; the peaks' maximum)."""

    repetitions: Count
    outcome: Outcome
    connected: Count
    expected: Count
    delivered: Count
    late: Count
    errors: Count
    first_error: str | None
    throughput: Amount
    throughput_min: Amount
    throughput_max: Amount
    latency_ms: dict[str, Amount | None]
    connect_ms: dict[str, Amount | None]
    server_peak_mb: Amount
    server_kb_per_connection: Amount | None
    client_peak_mb: Amount


@dataclass(frozen=True)
class Level:
    connections: Count
    messages: Count
    library: Stats
    reference: Stats
    ratio: Amount | None
    ratio_min: Amount | None
    ratio_max: Amount | None
    latency_ratio: Amount | None


@dataclass(frozen=True)
class LibraryBench:
    library: Name  # the site links its cell page: cells/<library>/<cell>/
    cell: Name | None
    package: str
    version: str | None
    status: Status
    why: str | None = None
    levels: list[Level] = field(default_factory=list)

    @property
    def first_error(self) -> str | None:
        return next((level.library.first_error for level in self.levels if level.library.first_error), None)

    @property
    def headline(self) -> Level | None:
        """The level of the most connections that has a ratio: the library's figure in one number."""
        rated = [level for level in self.levels if level.ratio is not None]
        return max(rated, key=lambda level: level.connections) if rated else None


@dataclass(frozen=True)
class RunSettings:
    levels: list[Count]
    messages: Count
    budget: Count
    repeat: Count
    level_s: Amount


@dataclass(frozen=True)
class Run:
    started_at: str
    finished_at: str
    commit: str | None
    run_id: str | None
    job_url: str | None
    platform: str
    cpus: Count
    settings: RunSettings
    libraries: list[LibraryBench]


@dataclass(frozen=True)
class Bench:
    runs: list[Run]
    schema_version: int = SCHEMA_VERSION

    @property
    def latest(self) -> Run | None:
        return self.runs[-1] if self.runs else None


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def _median_or_none(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return _median(known) if known else None


def stats(reps: list[Figures]) -> Stats:
    """The repetitions of one server at one level, as one Stats."""
    throughputs = [rep.throughput for rep in reps]
    return Stats(
        repetitions=len(reps),
        outcome=min((rep.outcome for rep in reps), key=_WORST.index),
        connected=int(statistics.median(rep.connected for rep in reps)),
        expected=int(statistics.median(rep.expected for rep in reps)),
        delivered=int(statistics.median(rep.delivered for rep in reps)),
        late=int(statistics.median(rep.late for rep in reps)),
        errors=int(statistics.median(rep.errors for rep in reps)),
        first_error=next((rep.first_error for rep in reps if rep.first_error), None),
        throughput=_median(throughputs),
        throughput_min=min(throughputs),
        throughput_max=max(throughputs),
        latency_ms={key: _median_or_none([rep.latency_ms[key] for rep in reps]) for key in ("p50", "p95", "p99")},
        connect_ms={key: _median_or_none([rep.connect_ms[key] for rep in reps]) for key in ("p50", "max")},
        server_peak_mb=max(rep.server_peak_mb for rep in reps),
        server_kb_per_connection=_median_or_none([rep.server_kb_per_connection for rep in reps]),
        client_peak_mb=max(rep.client_peak_mb for rep in reps),
    )


def level(library: list[Figures], reference: list[Figures]) -> Level:
    """A level's repetitions, each the library's beside the reference's of the same turn."""
    ratios = [lib.throughput / ref.throughput for lib, ref in zip(library, reference, strict=True) if ref.throughput]
    ours, theirs = stats(library), stats(reference)
    p50, ref_p50 = ours.latency_ms["p50"], theirs.latency_ms["p50"]
    return Level(
        connections=library[0].connections,
        messages=library[0].messages,
        library=ours,
        reference=theirs,
        ratio=_median(ratios) if ratios else None,
        ratio_min=round(min(ratios), 3) if ratios else None,
        ratio_max=round(max(ratios), 3) if ratios else None,
        latency_ratio=round(p50 / ref_p50, 3) if p50 is not None and ref_p50 else None,
    )


def newest(bench: Bench, library: str) -> LibraryBench | None:
    """``library`` in the newest run that has it (its headline level is its figure in one number)."""
    return next((lib for run in reversed(bench.runs) for lib in run.libraries if lib.library == library), None)


def with_history(run: Run, previous: Bench | None) -> Bench:
    """``previous``'s runs, then ``run``: in place of a run of the same ``run_id`` (a job run again), never twice."""
    return Bench(runs=history.joined(previous.runs if previous else [], run, HISTORY_LIMIT))


def to_dict(bench: Bench) -> dict[str, Any]:
    return {"schema_version": bench.schema_version, "runs": [asdict(run) for run in bench.runs]}


def write(bench: Bench, path: Path) -> None:
    """``path`` written whole by dtws.files (never through a link); strict JSON, which a browser's JSON.parse reads."""
    files.write_text(path, json.dumps(to_dict(bench), indent=1, allow_nan=False) + "\n")


def from_dict(data: object) -> Bench:
    return history.build(Bench, data, SCHEMA_VERSION, FILENAME, BenchError)


def read(path: Path) -> Bench:
    return files.read_as(path, from_dict, BenchError)
