"""Everything a site is built from, read once into one ``SiteData``: the pages only gather from it and render.

``load`` reads today's results, the published site before (``--previous``:
its results, runs and bisects), the as-of runs, the bisects, the bench and
the conformance suite's runs, then answers the review's questions for every
library once, from all of them (dtws.answers: the records, their code, the
bench's speed, the protocol's cases). An input that
cannot be built from is a ``LoadError`` (the command's exit 2); one that is
left out while the rest is built (a bad bisect, an unreadable previous site)
is said in ``problems``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dtws import answers, bisect, published, results
from dtws.bench import data as bench_data
from dtws.conform import data as conform_data
from dtws.pages import runs


class LoadError(Exception):
    """An input the site cannot be built from; said in one line."""


@dataclass(frozen=True)
class Sources:
    """What a site is built from, as given (``dtws site``'s arguments)."""

    results: Path  # the merged results folder
    previous: str | None = None  # an earlier site (URL or folder) or results.json
    as_of: Sequence[Path] = ()  # results folders of as-of runs
    bisects: Sequence[Path] = ()  # bisect folders, or folders of them
    bench: Path | None = None  # a bench.json
    conformance: Path | None = None  # a conformance.json, Autobahn's reports beside it


@dataclass(frozen=True)
class Day:
    """An as-of run: its results folder and results."""

    folder: Path
    results: results.Results


@dataclass(frozen=True)
class Bisected:
    """A bisect's folder and its answer."""

    folder: Path
    found: bisect.Bisect


@dataclass
class SiteData:
    """Everything the pages gather from."""

    results_dir: Path
    current: results.Results
    previous: results.Results | None = None
    before: published.Published | None = None
    earlier: runs.Earlier = field(default_factory=runs.Earlier)
    days: list[Day] = field(default_factory=list)
    bisects: dict[str, Bisected] = field(default_factory=dict)
    bench: bench_data.Bench | None = None
    conformance: conform_data.Conformance | None = None
    conformance_dir: Path | None = None  # beside the given conformance.json: Autobahn's reports
    problems: list[str] = field(default_factory=list)
    answers: list[answers.LibraryAnswers] = field(default_factory=list)  # today's, every question of every library


def load(sources: Sources, kept: Path, project: Path) -> SiteData:
    """Read everything once, then answer the review's questions from it; ``kept``: a folder for what is fetched
    from the published site (its bisects, bench); ``project``: the repository whose apps' files are the code of
    results that do not keep it (before schema 3).

    LoadError for an input the site cannot be built from; published.Unreadable when the previous site is
    there but could not be read in full (building on would lose what it has).
    """
    try:
        data = SiteData(sources.results, results.read(sources.results / results.FILENAME))
    except results.ResultsError as error:
        raise LoadError(f"{error}; make it with `python -m dtws merge`") from error
    if sources.previous:
        _previous(data, sources.previous)
    data.days = [day for folder in sources.as_of if (day := _day(data, folder)) is not None]
    for given in sources.bisects:
        _bisects(data, given)
    _published_bisects(data, kept)
    try:
        data.bench = _bench(data, sources.bench, kept)
        data.conformance, data.conformance_dir = _conformance(data, sources.conformance, kept)
    except (bench_data.BenchError, conform_data.ConformanceError) as error:
        raise LoadError(str(error)) from error
    codes = data.current.code or answers.integrations(data.current.cells, project)  # results before 3 have none
    data.answers = answers.gather(data.current.cells, codes, data.bench, data.conformance)
    return data


def _previous(data: SiteData, previous: str) -> None:
    # Its results.json unreadable, the site is built without it: merge said so in the results, which
    # are then never published. Read but the rest of it (runs/, bisect/) not, it is not built at all.
    try:
        data.before = published.load(previous)
        data.previous = data.before.results
    except published.NotPublished as why:
        data.problems.append(f"no previous results, nothing is marked as changed ({why})")
    except (OSError, ValueError) as error:
        data.problems.append(
            f"the previous results ({previous}) could not be read, so nothing is marked as changed: {error}"
        )
    if data.before is not None:
        data.earlier = runs.earlier(data.before)
        data.problems.extend(data.earlier.problems)


def _day(data: SiteData, folder: Path) -> Day | None:
    try:
        then = results.read(folder / results.FILENAME)
    except results.ResultsError as error:
        raise LoadError(f"--as-of {folder}: {error}") from error
    if then.as_of is None:
        raise LoadError(f"--as-of {folder}: today's results, not an as-of run's (dtws merge --as-of)")
    if not any(entry.record for entry in then.cells):
        data.problems.append(f"--as-of {folder}: no cell has a record, so it has no table")
        return None
    return Day(folder, then)


def _bisects(data: SiteData, given: Path) -> None:
    if (given / bisect.FILENAME).is_file():
        folders = [given]
    else:
        folders = sorted(path.parent for path in given.glob(f"**/{bisect.FILENAME}"))
    if not folders:
        data.problems.append(f"--bisect {given}: no {bisect.FILENAME} there (nothing bisected)")
    for folder in folders:
        try:
            found = bisect.read(folder)
        except bisect.BisectError as error:  # one bad bisect never breaks the site: the others are on it
            data.problems.append(f"--bisect {folder}: {error}; left out")
            continue
        data.bisects[bisect.name(found.cell, found.package)] = Bisected(folder, found)


def _published_bisects(data: SiteData, kept: Path) -> None:
    """The published site's bisects this run has not answered anew (or whose new answer the harness failed)."""
    if data.before is None:
        return
    sound = [name for name, item in data.bisects.items() if not item.found.harness_errors]
    carried, problems = published.copy_bisects(data.before, kept, leave=sound)
    data.problems.extend(problems)
    for folder, found in carried:
        if folder.name in data.bisects:  # a harness failure never replaces a published answer
            failed = ", ".join(data.bisects[folder.name].found.harness_errors)
            data.problems.append(f"bisect {folder.name}: the harness failed probes ({failed}); kept the published")
        data.bisects[folder.name] = Bisected(folder, found)


def _bench(data: SiteData, given: Path | None, kept: Path) -> bench_data.Bench | None:
    """This run's bench (``--bench``), else the published one (a run without a bench keeps its figures), else None."""
    if given is not None and given.is_file():
        return bench_data.read(given)
    target = kept / bench_data.FILENAME
    if data.before is None or not data.before.fetch(f"{bench_data.SITE}/{bench_data.FILENAME}", target):
        return None
    try:
        return bench_data.read(target)
    except bench_data.BenchError as error:
        data.problems.append(f"the published bench is not kept: {error}")
        return None


def _conformance(data: SiteData, given: Path | None, kept: Path) -> tuple[conform_data.Conformance | None, Path | None]:
    """This run's conformance.json and its folder, else the published one (no reports), else None."""
    if given is not None and given.is_file():
        return conform_data.read(given), given.parent
    target = kept / conform_data.FILENAME
    if data.before is None or not data.before.fetch(f"{conform_data.SITE}/{conform_data.FILENAME}", target):
        return None, None
    try:
        return conform_data.read(target), None
    except conform_data.ConformanceError as error:
        data.problems.append(f"the published conformance is not kept: {error}")
        return None, None
