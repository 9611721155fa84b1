"""What the bench page shows, gathered from bench.json: each chart's series and each table's rows.

Data only (numbers and names); dtws.pages.charts draws it, the template lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass

from dtws.bench import data, explain


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]


@dataclass(frozen=True)
class Chart:
    title: str
    x_label: str
    x: list[str]
    y_label: str
    series: list[Series]


@dataclass(frozen=True)
class LibraryFigures:
    bench: data.LibraryBench
    throughput: Chart | None
    latency: Chart | None
    explained: list[tuple[int, str]]  # (connections, what its figure means: dtws.bench.explain)


@dataclass(frozen=True)
class BenchPage:
    run: data.Run
    libraries: list[LibraryFigures]
    compared: Chart | None
    levels: list[int]
    ratios: dict[str, dict[int, float | None]]  # library -> connections -> ratio
    over_time: Chart | None
    history: list[tuple[str, dict[str, float | None]]]  # (finished_at, library -> headline ratio)
    runs: int


def _library(lib: data.LibraryBench, window_s: float) -> LibraryFigures:
    if not lib.levels:
        return LibraryFigures(lib, None, None, [])
    x = [str(level.connections) for level in lib.levels]
    throughput = Chart(
        f"{lib.library}: messages delivered per second",
        "connections",
        x,
        "messages/s",
        [
            Series(lib.library, [level.library.throughput for level in lib.levels]),
            Series("reference (websockets)", [level.reference.throughput for level in lib.levels]),
        ],
    )
    latency = Chart(
        f"{lib.library}: latency from send to receipt",
        "connections",
        x,
        "ms",
        [
            Series(f"{lib.library} p50", [level.library.latency_ms["p50"] for level in lib.levels]),
            Series(f"{lib.library} p99", [level.library.latency_ms["p99"] for level in lib.levels]),
            Series("reference p50", [level.reference.latency_ms["p50"] for level in lib.levels]),
        ],
    )
    explained = [(level.connections, explain.level(level, window_s, lib.library)) for level in lib.levels]
    return LibraryFigures(lib, throughput, latency, explained)


def page(bench: data.Bench) -> BenchPage | None:
    """The page of ``bench``'s newest run, with the history of every run; None when it has no run."""
    run = bench.latest
    if run is None:
        return None
    measured = [lib for lib in run.libraries if lib.levels]
    levels = sorted({level.connections for lib in measured for level in lib.levels})
    ratios = {lib.library: {level.connections: level.ratio for level in lib.levels} for lib in measured}
    compared = (
        Chart(
            "throughput as a share of the bare protocol's",
            "connections",
            [str(size) for size in levels],
            "ratio",
            [Series(name, [by_level.get(size) for size in levels]) for name, by_level in ratios.items()],
        )
        if measured
        else None
    )
    names = list(dict.fromkeys(lib.library for each in bench.runs for lib in each.libraries if lib.headline))
    history = [
        (each.finished_at, {lib.library: lib.headline.ratio if lib.headline else None for lib in each.libraries})
        for each in bench.runs
    ]
    over_time = (
        Chart(
            "each library's headline ratio, run by run",
            "run",
            [finished[:10] for finished, _ in history],
            "ratio",
            [Series(name, [by_library.get(name) for _, by_library in history]) for name in names],
        )
        if names
        else None
    )
    return BenchPage(
        run=run,
        libraries=[_library(lib, run.settings.level_s) for lib in run.libraries],
        compared=compared,
        levels=levels,
        ratios=ratios,
        over_time=over_time,
        history=history,
        runs=len(bench.runs),
    )
