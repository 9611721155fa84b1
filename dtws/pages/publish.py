"""The site's pages as registries: each entry says what it gathers from the loaded data and how it renders it.

``build`` renders the ``DOCS`` entries into the docs folder, runs ``mkdocs
build --strict`` into the output folder, takes the theme's shell from it
(dtws.pages.shell; the one place the theme is resolved), then renders the
``SITE`` entries into the built site, each given that theme (``Built``). An
entry whose ``gather`` gives None has no page on this site (no bench run, no
as-of day). Adding a page is adding one ``Page`` to ``DOCS`` or ``SITE``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from dtws import addresses, bisect, files, pages, questions, review, when
from dtws.bench import data as bench_data
from dtws.conform import data as conform_data
from dtws.pages import Links, Site, shell
from dtws.sitedata import SiteData

T = TypeVar("T")
W = TypeVar("W", bound="Where")


class BuildError(Exception):
    """mkdocs did not build the site; its output says why."""

    def __init__(self, output: str, code: int) -> None:
        super().__init__(f"mkdocs build --strict failed (exit code {code})")
        self.output = output


@dataclass(frozen=True)
class Build:
    """The loaded data and the sites planned from it (today's and each as-of day's)."""

    data: SiteData
    site: Site
    days: list[Site]


@dataclass(frozen=True)
class Where:
    """Where a page is rendered (the docs folder, before mkdocs), and how it says what it did."""

    folder: Path
    say: Callable[[str], None]


@dataclass(frozen=True)
class Built(Where):
    """The built site (after mkdocs), and the theme's shell every page written into it is put in."""

    theme: shell.Shell


@dataclass(frozen=True)
class Page(Generic[T, W]):
    name: str
    gather: Callable[[Build], T | None]  # what the page shows; None: the site has no such page
    render: Callable[[T, W], None]


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


def _write_review(given: tuple[Site, list[bisect.Bisect], Site], where: Built) -> None:
    day, bisects, today = given
    pages.write_review(day, where.folder, where.theme, bisects, today.answers)


def _bisects(build: Build) -> tuple[Build, list[str]]:
    return build, sorted(build.data.bisects)


def _write_bisects(given: tuple[Build, list[str]], where: Built) -> None:
    build, names = given
    written = []
    for name in names:
        item = build.data.bisects[name]
        try:
            pages.write_bisect(item.folder, item.found, where.folder, build.site.site_name, where.theme)
        except ValueError as error:  # a name that is no path's part: never written, and never breaks the site
            where.say(f"bisect {name}: {error}; left out")
            continue
        written.append(name)
    pages.write_bisect_index(written, where.folder)


def _bench(build: Build) -> tuple[bench_data.Bench, Site] | None:
    bench = build.data.bench
    return None if bench is None or bench.latest is None else (bench, build.site)


def _write_bench(given: tuple[bench_data.Bench, Site], where: Built) -> None:
    bench, site = given
    if pages.write_bench(bench, where.folder, site.site_name, where.theme):
        where.say(f"bench: {where.folder / addresses.bench() / 'index.html'}")


def _conformance(build: Build) -> tuple[conform_data.Conformance, Path | None, Site] | None:
    found = build.data.conformance
    return None if found is None or found.latest is None else (found, build.data.conformance_dir, build.site)


def _write_conformance(given: tuple[conform_data.Conformance, Path | None, Site], where: Built) -> None:
    found, source, site = given
    if pages.write_conformance(found, source, where.folder, site.site_name, where.theme):
        where.say(f"protocol: {where.folder / addresses.conformance() / 'index.html'}")


def _write_days(days: list[Site], where: Built) -> None:
    for day in days:
        pages.write_as_of(day, where.folder, where.theme)


# The pages mkdocs builds: rendered into the docs folder.
DOCS: list[Page[Any, Where]] = [
    Page(
        "docs",
        lambda build: (build.site, links(build)),
        lambda got, where: pages.write_docs(got[0], where.folder, got[1]),
    ),
]
# The pages written into the built site after mkdocs, in the theme's shell.
SITE: list[Page[Any, Built]] = [
    Page("tables", lambda build: build.site, lambda site, where: pages.reveal_tables(site, where.folder)),
    Page("cells", lambda build: build.site, lambda site, where: pages.write_cells(site, where.folder, where.theme)),
    Page("runs", lambda build: build.site, lambda site, where: pages.write_runs(site, where.folder, where.theme)),
    Page("as-of", lambda build: build.days or None, _write_days),
    Page("review", _review, _write_review),
    Page("bisects", _bisects, _write_bisects),
    Page("bench", _bench, _write_bench),
    Page("conformance", _conformance, _write_conformance),
]


def render(build: Build, registry: Sequence[Page[Any, W]], where: W) -> None:
    """Every page of ``registry``: gathered, then rendered (unless the site has none)."""
    for page in registry:
        if (gathered := page.gather(build)) is not None:
            page.render(gathered, where)


def build(data: SiteData, project: Path, docs: Path, out: Path, site_name: str, say: Callable[[str], None]) -> None:
    """The site of ``data``: the docs pages, mkdocs into ``out``, then the pages in its theme's shell.

    BuildError when mkdocs fails; shell.ShellError when it built no shell.
    """
    planned = plan(data, site_name)
    render(planned, DOCS, Where(docs, say))
    _mkdocs(project, out)
    render(planned, SITE, Built(out, say, shell.take(out)))


def plan(data: SiteData, site_name: str) -> Build:
    """What the site of ``data`` shows, its time taken now: one for every page, which each "since" is told from."""
    built_at = datetime.now(when.UTC)
    return Build(
        data,
        pages.plan(data.results_dir, data.current, data.previous, site_name, data.earlier, built_at, data.answers),
        [pages.plan(day.folder, day.results, site_name=site_name, built_at=built_at) for day in data.days],
    )


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
