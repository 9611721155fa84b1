"""The site's pages as a registry: each entry says what it gathers from the loaded data and how it renders it.

``build`` renders the ``docs`` entries into the docs folder, runs ``mkdocs
build --strict`` into the output folder, takes the theme's shell from it
(dtws.pages.shell), then renders the ``site`` entries into the built site.
An entry whose ``gather`` gives None has no page on this site (no bench
run, no as-of day). Adding a page is adding one ``Page`` to ``PAGES``.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from dtws import addresses, bisect, files, pages, questions, review, when
from dtws.bench import data as bench_data
from dtws.conform import data as conform_data
from dtws.pages import Links, Site, shell
from dtws.sitedata import SiteData

T = TypeVar("T")
Stage = Literal["docs", "site"]  # into the docs folder, before mkdocs; into the built site, after it


class BuildError(Exception):
    """mkdocs did not build the site; its output says why."""

    def __init__(self, output: str, code: int) -> None:
        super().__init__(f"mkdocs build --strict failed (exit code {code})")
        self.output = output


@dataclass(frozen=True)
class Build:
    """The loaded data and the sites planned from it (today's and each as-of day's), in the theme's shell."""

    data: SiteData
    site: Site
    days: list[Site]

    def with_shell(self, theme: shell.Shell) -> Build:
        return Build(
            self.data,
            dataclasses.replace(self.site, shell=theme),
            [dataclasses.replace(day, shell=theme) for day in self.days],
        )


@dataclass(frozen=True)
class Where:
    """Where a page is rendered (the docs folder or the built site), and how it says what it did."""

    folder: Path
    say: Callable[[str], None]


@dataclass(frozen=True)
class Page(Generic[T]):
    name: str
    stage: Stage
    gather: Callable[[Build], T | None]  # what the page shows; None: the site has no such page
    render: Callable[[T, Where], None]


def links(build: Build) -> Links:
    """The pages the front and library pages link, as the site has them."""
    data = build.data
    found_for: dict[str, list[tuple[str, str, str]]] = {}
    for name, item in sorted(data.bisects.items()):
        found_for.setdefault(item.found.library, []).append(
            (questions.ASKED.get(name, ""), item.found.answer, addresses.bisect(name))
        )
    return Links(
        as_of={str(day.results.as_of): addresses.as_of(str(day.results.as_of)) for day in build.days},
        reviewed=_review_day(build) is not None,
        bisects=found_for,
        benched=_bench(build) is not None,
        conformed=_conformance(build) is not None,
    )


def _review_day(build: Build) -> Site | None:
    return next((day for day in build.days if day.results.as_of == review.DAY), None)


def _review(build: Build) -> tuple[Site, list[bisect.Bisect], Site] | None:
    day = _review_day(build)
    return None if day is None else (day, [item.found for item in build.data.bisects.values()], build.site)


def _bisects(build: Build) -> tuple[Build, list[str]]:
    return build, sorted(build.data.bisects)


def _write_bisects(given: tuple[Build, list[str]], where: Where) -> None:
    build, names = given
    written = []
    for name in names:
        item = build.data.bisects[name]
        try:
            pages.write_bisect(item.folder, item.found, where.folder, build.site.site_name, build.site.shell)
        except ValueError as error:  # a name that is no path's part: never written, and never breaks the site
            where.say(f"bisect {name}: {error}; left out")
            continue
        written.append(name)
    pages.write_bisect_index(written, where.folder)


def _bench(build: Build) -> tuple[bench_data.Bench, Site] | None:
    bench = build.data.bench
    return None if bench is None or bench.latest is None else (bench, build.site)


def _write_bench(given: tuple[bench_data.Bench, Site], where: Where) -> None:
    bench, site = given
    if pages.write_bench(bench, where.folder, site.site_name, site.shell):
        where.say(f"bench: {where.folder / addresses.bench() / 'index.html'}")


def _conformance(build: Build) -> tuple[conform_data.Conformance, Path | None, Site] | None:
    found = build.data.conformance
    return None if found is None or found.latest is None else (found, build.data.conformance_dir, build.site)


def _write_conformance(given: tuple[conform_data.Conformance, Path | None, Site], where: Where) -> None:
    found, source, site = given
    if pages.write_conformance(found, source, where.folder, site.site_name, site.shell):
        where.say(f"protocol: {where.folder / addresses.conformance() / 'index.html'}")


def _write_days(days: list[Site], where: Where) -> None:
    for day in days:
        pages.write_as_of(day, where.folder)


PAGES: list[Page[Any]] = [
    Page(
        "docs",
        "docs",
        lambda build: (build.site, links(build)),
        lambda got, where: pages.write_docs(got[0], where.folder, got[1]),
    ),
    Page("tables", "site", lambda build: build.site, lambda site, where: pages.reveal_tables(site, where.folder)),
    Page("cells", "site", lambda build: build.site, lambda site, where: pages.write_cells(site, where.folder)),
    Page("runs", "site", lambda build: build.site, lambda site, where: pages.write_runs(site, where.folder)),
    Page("as-of", "site", lambda build: build.days or None, _write_days),
    Page(
        "review", "site", _review, lambda got, where: pages.write_review(got[0], where.folder, got[1], got[2].results)
    ),
    Page("bisects", "site", _bisects, _write_bisects),
    Page("bench", "site", _bench, _write_bench),
    Page("conformance", "site", _conformance, _write_conformance),
]


def render(build: Build, stage: Stage, where: Where) -> None:
    """Every registered page of ``stage``: gathered, then rendered (unless the site has none)."""
    for page in PAGES:
        if page.stage == stage and (gathered := page.gather(build)) is not None:
            page.render(gathered, where)


def build(data: SiteData, project: Path, docs: Path, out: Path, site_name: str, say: Callable[[str], None]) -> None:
    """The site of ``data``: the docs pages, mkdocs into ``out``, then the pages in its theme's shell.

    BuildError when mkdocs fails; shell.ShellError when it built no shell.
    """
    built_at = datetime.now(when.UTC)  # one time for every page, which each "since" is told from
    planned = Build(
        data,
        pages.plan(data.results_dir, data.current, data.previous, site_name, data.earlier, built_at),
        [pages.plan(day.folder, day.results, site_name=site_name, built_at=built_at) for day in data.days],
    )
    render(planned, "docs", Where(docs, say))
    _mkdocs(project, out)
    render(planned.with_shell(shell.take(out)), "site", Where(out, say))


def _mkdocs(project: Path, out: Path) -> None:
    files.drop_links(out)  # mkdocs --clean leaves a link to a folder, and would write through it; so would dtws
    config = str(project / "mkdocs.yml")
    with tempfile.TemporaryFile() as log:
        done = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-f", config, "-d", str(out)],
            cwd=project,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    if done.returncode != 0:
        raise BuildError(output, done.returncode)
