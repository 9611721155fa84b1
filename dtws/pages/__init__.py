"""results folder -> generated mkdocs pages in the docs folder (never committed).

Into the docs folder (``write_docs``): ``index.md`` (the summary, and the
table of every cell, which the page draws from ``table.json`` with
``javascripts/table.js``), ``libraries/<library>.md`` (each library's review
card, the files of its integration, its cells as a plain table, set aside
from mkdocs and shown in the built page by ``reveal_tables``: dtws.pages.aside),
``compare.md`` (a library a row, a question a column, each answer at a
glance with the whole of it in place: dtws.answers, computed by the loader),
``results.json``, ``answers.json`` and ``badges/<library>.json`` (shields.io
endpoints). Into the built site, after mkdocs (``write_cells``):
``cells/<library>/<cell>/index.html``, one page per cell with its logs beside
it, in the theme's shell (dtws.pages.shell: the theme's header, navigation and
search around its content), since a site of thousands of cells cannot wait for
mkdocs to render (and then copy) each; with them, each run's own page (``write_runs``:
``runs/<key>/``), an as-of run's table and cells (``write_as_of``:
``as-of/<date>/``), the review reproduced (``write_review``: ``review/``) and
each bisect's page (``write_bisect``: ``bisect/<cell>-<package>/``). What the
pages show is gathered first (``Site``, ``CellPage``), then only rendered;
which pages a site has, and from what, is dtws.pages.publish's registry.
Every address is dtws.addresses': an answer's evidence is a reference, made a
link where it is rendered (``addresses.link``). The pages written after mkdocs
are put in the theme's shell (``theme``), taken from what mkdocs built.
Templates autoescape: every text that came from a record or a log is escaped
before it reaches a page, and table.js puts text in as text.

Only a record's own files reach the site: a log or screenshot is read through
``published.open_inside``, never through a symlink nor from outside its
record folder. A log is copied whole up to ``logs.LIMIT`` bytes, else cut to
its head and tail, and its page says where the full log is (the cell's
artifact of its run, or its record folder for a local run).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

import jinja2
import markupsafe

from dtws import addresses, ahead, answers, bisect, files, forked, github, matrix, published, record, when
from dtws.answers import LibraryAnswers
from dtws.bench import data as bench_data
from dtws.bench import figures
from dtws.conform import data as conform_data
from dtws.marks import GLANCE_MARKS, MARKS
from dtws.pages import aside, charts, logs, runs, shell, view
from dtws.pages.shell import Shell
from dtws.results import FILENAME, Entry, Results, best_by
from dtws.versions import series_key

TABLE = "table.json"
BENCH = bench_data.SITE  # where the bench's page and its bench.json are on the site
CONFORMANCE = conform_data.SITE  # where the conformance pages, conformance.json and Autobahn's reports are
# What write_docs writes into the docs folder, cleared before it writes (``cells``: where older dtws wrote them).
GENERATED = (
    "index.md",
    "compare.md",
    answers.FILENAME,
    addresses.LIBRARIES,
    addresses.CELLS,
    "badges",
    FILENAME,
    TABLE,
    f"{shell.PAGE}.md",
)
FRONT_DATA = (TABLE, "javascripts/table.js")  # what the front page loads besides itself and the theme
# A browser screenshot is some 100 kB; a bigger "screenshot" is not one, and is not published.
SCREENSHOT_LIMIT = 5_000_000


@dataclass(frozen=True)
class Change:
    entry: Entry
    before: str
    after: str


@dataclass(frozen=True)
class FullLog:
    """Where the full logs of a cell are, for a page that shows a cut one: its run's artifact, or its folder."""

    artifact: str | None  # the artifact's name, when the record is of a GitHub Actions run
    run: str | None  # the run's id
    url: str | None  # the run's page (http or https only)
    folder: str  # the record folder, <library>/<cell>, for a local run

    def __str__(self) -> str:
        """As the line in the middle of a cut log says it (plain text: the log is a text file)."""
        if self.artifact is None:
            return _one_line(f"the record folder {self.folder}")
        return _one_line(f"the artifact {self.artifact} of run {self.run}" + (f" ({self.url})" if self.url else ""))


def escape(value: object) -> markupsafe.Markup:
    """HTML-escape, and also the characters Markdown acts on before raw HTML is set aside.

    Python-Markdown's fenced-code preprocessor runs on the whole page before
    raw HTML blocks are stashed, so a log line of three backticks or tildes
    would open a code block inside our <pre>. Entities keep them inert.
    """
    if isinstance(value, markupsafe.Markup):
        return value
    text = markupsafe.escape("" if value is None else value)
    if "`" not in text and "~" not in text:
        return text
    return markupsafe.Markup(str(text).replace("`", "&#96;").replace("~", "&#126;"))


def log_html(log: logs.ShownLog) -> markupsafe.Markup:
    """A shown log's lines, escaped, each ending in a newline, with its first error line marked (for a cell page,
    which mkdocs never sees).

    Escaped a block at a time: a site of thousands of cells has millions of log lines.
    """
    before, error, after = log.parts()
    if error is None:
        return markupsafe.escape(before)
    return (
        markupsafe.escape(before)
        + markupsafe.Markup('<mark class="dtws-error">')
        + markupsafe.escape(error)
        + markupsafe.Markup("</mark>\n")
        + markupsafe.escape(after)
    )


def link(url: str | None) -> str | None:
    """A URL from a record, if it is one a link may point at (http or https), else None."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


_RUN_PAGE = re.compile(r"^(https?://[^?#]*/actions/runs/[0-9]+)(?:[/?#]|$)", re.IGNORECASE)


def run_page(job_url: str | None) -> str | None:
    """The page of the run of a job (where its artifacts are listed), from the job's URL; only http(s)."""
    url = link(job_url)
    found = _RUN_PAGE.match(url or "")
    return found.group(1) if found else url


def _one_line(text: str) -> str:
    """Text from a record as one line: the line in the middle of a cut log must stay one line."""
    return " ".join(text.split())


def full_log(entry: Entry) -> FullLog:
    """Where the full logs of ``entry``'s record are: the artifact its cell job uploaded, or its record folder."""
    folder = f"{entry.library}/{entry.cell}"
    rec = entry.record
    if rec is None or not rec.provenance.run_id:
        return FullLog(None, None, None, folder)
    cell = next((c for c in matrix.CELLS if c.library == entry.library and c.env == entry.cell), None)
    attempt = rec.provenance.run_attempt or 1
    name = github.artifact_name(cell, attempt) if cell else f"cell-{entry.library}-{entry.cell}"
    return FullLog(name, rec.provenance.run_id, run_page(rec.provenance.job_url), folder)


def number(value: float) -> str:
    """A figure of bench.json as its table shows it: the same number, no digit added or lost."""
    return str(value) if isinstance(value, int) else f"{value:.3f}".rstrip("0").rstrip(".")


def shown(value: object) -> object:
    """A value as a page written after mkdocs shows it (the template's autoescape escapes it): None as nothing."""
    return "" if value is None else value


def _environment(built_at: datetime | None = None, finalize: Callable[[object], object] = shown) -> jinja2.Environment:
    """The pages' templates; ``built_at``: the site's build time, which a "since" is told from (``3 days ago``);
    ``finalize``: what each value goes through before it is put in (``escape`` for a page mkdocs builds)."""
    env = jinja2.Environment(
        finalize=finalize,
        loader=jinja2.PackageLoader("dtws.pages", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["link"] = link
    env.filters["log_html"] = log_html
    env.filters["svg"] = charts.svg
    env.filters["number"] = number
    env.filters["when"] = when.time_tag
    env.filters["day"] = when.day
    if built_at is not None:
        env.filters["since"] = lambda text: when.since_tag(text, built_at)
    env.globals["addresses"] = addresses
    env.globals["aside"] = aside
    env.tests["claimed_as"] = lambda entry, key: entry.claim == key
    return env


def changes(current: Results, previous: Results | None) -> list[Change]:
    if previous is None:
        return []
    before = {(e.library, e.cell): e.status for e in previous.cells}
    found = []
    for entry in current.cells:
        old = before.get((entry.library, entry.cell), "no-result")
        if old != entry.status:
            found.append(Change(entry, old, entry.status))
    return found


# Cells that say nothing about the library: no interpreter, a harness error, a stopped run.
_NOT_JUDGED = ("unavailable", "error", "incomplete")


def badge(library: str, entries: list[Entry]) -> dict[str, object]:
    ran = [e for e in entries if e.record is not None and e.record.status not in _NOT_JUDGED]
    working = sum(e.record is not None and e.record.status == "pass" for e in ran)
    color = "lightgrey" if not ran else "red" if working == 0 else "brightgreen" if working == len(ran) else "orange"
    return {"schemaVersion": 1, "label": library, "message": f"works on {working} of {len(ran)} cells", "color": color}


def _clear(docs: Path) -> None:
    for name in GENERATED:
        files.remove(docs / name)


def _copy_log(results_dir: Path, relative: str, page_dir: Path, where: FullLog) -> logs.ShownLog | None:
    """Copy a step's log beside its page (cut when big) and give it as shown; None if the record has no such file.

    ``relative`` (record folder + the record's log path) is read only if it is
    a regular file inside the record folder reached through no symlink.
    """
    try:
        with published.open_inside(results_dir, relative) as data:
            ends = logs.read(data)
    except OSError:
        return None
    (page_dir / addresses.LOGS).mkdir(exist_ok=True)
    logs.copy(ends, page_dir / addresses.LOGS / PurePosixPath(relative).name, str(where))
    return logs.show(ends, str(where))


def _copy_screenshot(results_dir: Path, log: str, page_dir: Path) -> str | None:
    """Copy the screenshot a step took (its log's name, .png), if it has one of its own; its name."""
    suffix = PurePosixPath(log).suffix
    relative = (log[: -len(suffix)] if suffix else log) + ".png"
    try:
        with published.open_inside(results_dir, relative) as data:
            image = data.read(SCREENSHOT_LIMIT + 1)
    except OSError:
        return None
    if len(image) > SCREENSHOT_LIMIT:
        return None
    (page_dir / addresses.LOGS).mkdir(exist_ok=True)
    name = PurePosixPath(relative).name
    files.write_new(page_dir / addresses.LOGS / name, image)
    return name


@dataclass(frozen=True)
class CellPage:
    """What a cell's page shows, gathered before it is rendered."""

    entry: Entry
    full_log: FullLog
    # By the record's log path (a step's, an earlier attempt's, a service's): the log as shown, None when missing.
    shown: dict[str, logs.ShownLog | None]
    screenshots: dict[str, str]  # by the record's log path: the screenshot's file name
    change: Change | None


def cell_page(results_dir: Path, entry: Entry, page_dir: Path, change: Change | None) -> CellPage:
    """Copy the cell's logs and screenshots beside its page; what the page shows of them."""
    shown: dict[str, logs.ShownLog | None] = {}
    screenshots: dict[str, str] = {}
    where = full_log(entry)
    if entry.record is not None and entry.record_dir is not None:
        for log in record.logs(entry.record):
            shown[log] = _copy_log(results_dir, f"{entry.record_dir}/{log}", page_dir, where)
            screenshot = _copy_screenshot(results_dir, f"{entry.record_dir}/{log}", page_dir)
            if screenshot is not None:
                screenshots[log] = screenshot
    return CellPage(entry, where, shown, screenshots, change)


def table(
    results: Results, changed_cells: dict[tuple[str, str], Change], built_at: datetime | None = None
) -> dict[str, object]:
    """The front page's table as compact JSON (``javascripts/table.js`` draws it): one short array per cell, every
    value that repeats (a library, a version, a row of verdicts, a reason, a claim) given once and named by its index.

    Each cell: its library's index, its name (null when it is the one its library, Python and Django make: table.js
    makes it as matrix.Cell.env does), Python, Django, the versions it ran (indices in ``versions``), its verdicts
    (an index in ``verdicts``), coverage, reason (an index in ``reasons``), the status it had before (an index in
    ``statuses``), since when (below), and its claim (an index in ``claims_keys``). Since: [its time (seconds since
    1970 when the ISO text is that time in UTC as dtws writes it, else the text), how it reads: how many seconds
    before ``built_at`` (table.js says it with ``units``: ``3 days ago``), or its day when none is given (a run's own
    page, which keeps showing that run)].
    """
    libraries = list(dict.fromkeys(entry.library for entry in results.cells))
    statuses = list(MARKS)
    claims = list(view.CLAIM_WORDS)
    shared: dict[str, dict[object, int]] = {"versions": {}, "verdicts": {}, "reasons": {}}

    def index(kind: str, value: object) -> int | None:
        return None if value is None or value == "" else shared[kind].setdefault(value, len(shared[kind]))

    rows = []
    for entry in results.cells:
        rec = entry.record
        provenance = rec.provenance if rec else None
        change = changed_cells.get((entry.library, entry.cell))
        claim = entry.claim
        rows.append(
            [
                libraries.index(entry.library),
                None if entry.cell == _cell_name(entry.library, entry.python, entry.django) else entry.cell,
                entry.python,
                entry.django,
                index("versions", provenance.python_version if provenance else None),
                index("versions", provenance.django_version if provenance else None),
                index("versions", provenance.library_version if provenance else None),
                index("verdicts", tuple(statuses.index(entry.verdict(step)) for _, step in view.COLUMNS)),
                round(rec.coverage_percent) if rec and rec.coverage_percent is not None else None,
                index("reasons", (rec.reason if rec else entry.problem) or ""),
                statuses.index(change.before) if change else None,
                _since(entry.since, built_at) if entry.since else None,
                claims.index(claim) if claim else None,
            ]
        )
    return {
        "libraries": libraries,
        "suffixes": [_suffix(library) for library in libraries],
        "statuses": statuses,
        "marks": {key: [mark.symbol, mark.word, mark.css] for key, mark in MARKS.items()},
        "columns": [heading for heading, _ in view.COLUMNS],
        "claims": view.CLAIM_WORDS,
        "claims_keys": claims,
        "units": when.UNITS,
        **{kind: list(values) for kind, values in shared.items()},
        "cells": rows,
        "address": addresses.cell("{library}", "{cell}"),  # each cell's page, relative to the site's root
    }


def _suffix(library: str) -> str | None:
    """What follows ``py<P>-django<D>`` in the name of a cell of ``library`` (matrix.Cell.env); None if not known."""
    try:
        return matrix.Cell(library, "", "").env.removeprefix("py-django")
    except KeyError:
        return None


def _cell_name(library: str, python: str, django: str) -> str | None:
    try:
        return matrix.Cell(library, python, django).env
    except KeyError:
        return None


def _since(text: str, built_at: datetime | None) -> list[object]:
    found = when.parse(text)
    if found is None:
        return [text, text]
    written = found.microsecond == 0 and found.isoformat() == text  # as dtws writes a time: table.js makes it again
    moment = int(found.timestamp()) if written else text
    return [moment, when.seconds_before(found, built_at) if built_at is not None else when.day(text)]


@dataclass(frozen=True)
class Site:
    """What the site shows, gathered once for all its pages."""

    results_dir: Path  # the merged results folder: results.json and the records' folders
    results: Results
    previous: Results | None
    changed: list[Change]
    site_name: str  # mkdocs.yml's, which the cell pages (not made by mkdocs) show too
    earlier: runs.Earlier  # the published site's earlier runs, carried forward
    built_at: datetime  # the site's build time, which a "since" is told from (3 days ago)
    answers: Sequence[LibraryAnswers]  # each library's answers to the review's questions (dtws.answers)

    @property
    def run(self) -> runs.RunSummary:
        return runs.summary_of(self.results)

    @property
    def listing(self) -> list[runs.RunSummary]:
        return runs.listing(self.run, self.earlier)

    @property
    def changed_cells(self) -> dict[tuple[str, str], Change]:
        return {(c.entry.library, c.entry.cell): c for c in self.changed}

    @property
    def libraries(self) -> dict[str, list[Entry]]:
        """Each library's cells of released Django and Pythons (its summary, page and badge); not those ahead."""
        by_library: dict[str, list[Entry]] = {}
        for entry in ahead.released(self.results.cells):
            by_library.setdefault(entry.library, []).append(entry)
        return by_library


def plan(
    results_dir: Path,
    results: Results,
    previous: Results | None = None,
    site_name: str = "dtws",
    earlier: runs.Earlier | None = None,
    built_at: datetime | None = None,
    answered: Sequence[LibraryAnswers] = (),
) -> Site:
    """What the site shows; ``built_at``: the time a "since" is told from (default: now); ``answered``: the
    libraries' answers (dtws.sitedata's; none for an as-of day's)."""
    return Site(
        results_dir,
        results,
        previous,
        changes(results, previous),
        site_name,
        earlier or runs.Earlier(),
        built_at or datetime.now(when.UTC),
        answered,
    )


@dataclass(frozen=True)
class Links:
    """The pages written after mkdocs that the front and library pages link, as the site has them."""

    as_of: dict[str, str] = field(default_factory=dict)  # the as-of tables (date -> address), on the front page
    reviewed: bool = False  # the review reproduced (``write_review``)
    # By library, the question (dtws.questions; "" for none), answer and address of each bisect page (``write_bisect``)
    bisects: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    benched: bool = False  # the bench's page (``write_bench``)
    conformed: bool = False  # the conformance pages (``write_conformance``)


def write_docs(site: Site, docs: Path, links: Links | None = None) -> None:
    """The pages mkdocs builds (the front page, one per library) and the files it publishes as they are;
    ``links``: the pages written after mkdocs that they link."""
    links = links or Links()
    docs.mkdir(parents=True, exist_ok=True)
    _clear(docs)
    env = _environment(site.built_at, escape)
    results, libraries, changed_cells = site.results, site.libraries, site.changed_cells
    counts = {library: Counter(e.status for e in entries) for library, entries in libraries.items()}
    front = env.get_template("index.md.j2").render(
        results=results,
        libraries=libraries,
        series={library: best_by(entries, lambda e: e.django) for library, entries in libraries.items()},
        djangos=sorted({e.django for e in ahead.released(results.cells)}, key=series_key),
        ahead={column: best_by(here, lambda e: e.library) for column, here in ahead.columns(results.cells).items()},
        counts=counts,
        changed=site.changed,
        changed_cells=changed_cells,
        view=view,
        previous=site.previous,
        table_file=TABLE,
        run_key=site.run.key,
        as_of_pages=links.as_of,
        reviewed=links.reviewed,
        benched=links.benched,
        conformed=links.conformed,
    )
    files.write_text(docs / "index.md", front)
    answered = {found.library: found for found in site.answers}
    compare = env.get_template("compare.md.j2").render(
        results=results, libraries=site.answers, questions=answers.QUESTIONS, glance_marks=GLANCE_MARKS
    )
    files.write_text(docs / "compare.md", compare)
    answers.write(site.answers, docs / answers.FILENAME)
    library_template = env.get_template("library.md.j2")
    (docs / "libraries").mkdir()
    for library, entries in libraries.items():
        page = library_template.render(
            answers=answered.get(library),
            questions=answers.QUESTIONS,
            library=library,
            entries=entries,
            counts=counts[library],
            changed_cells=changed_cells,
            results=results,
            view=view,
            bisects=links.bisects.get(library, []),
        )
        files.write_text(docs / "libraries" / f"{library}.md", page)
    front_table = table(results, changed_cells, site.built_at)
    files.write_text(docs / TABLE, json.dumps(front_table, separators=(",", ":")) + "\n")
    files.copy(site.results_dir / FILENAME, docs / FILENAME)  # published as merged
    (docs / "badges").mkdir()
    for library, entries in libraries.items():
        files.write_text(docs / "badges" / f"{library}.json", json.dumps(badge(library, entries)) + "\n")
    files.write_text(docs / f"{shell.PAGE}.md", shell.SOURCE)  # built by mkdocs, the theme of write_cells' pages


def reveal_tables(site: Site, out: Path) -> None:
    """Each library page's table of its cells, set aside from mkdocs (dtws.pages.aside), shown in the built site."""
    for library in site.libraries:
        aside.reveal(out / addresses.library(library) / "index.html")


def write_cells(site: Site, out: Path, theme: Shell, depth: int = 0) -> None:
    """Each cell's page, its logs and screenshots beside it, into ``out`` (the built site: mkdocs never sees them),
    in ``theme``.

    ``depth``: how many folders below the site's root ``out`` is (an as-of table's cells).
    """
    template = _environment(site.built_at).get_template("cell.html.j2")
    changed_cells = site.changed_cells
    run_keys = {run.key for run in site.listing}
    below = "../" * depth

    def write(entry: Entry) -> None:
        address = view.url(entry)
        page_dir = out / address
        files.remove(page_dir)
        page_dir.mkdir(parents=True)
        data = cell_page(site.results_dir, entry, page_dir, changed_cells.get((entry.library, entry.cell)))
        html = template.render(
            entry=entry,
            rec=entry.record,
            full_log=data.full_log,
            shown=data.shown,
            screenshots=data.screenshots,
            change=data.change,
            view=view,
            site_name=site.site_name,
            run_keys=run_keys,
            root=below + addresses.root(address),
        )
        title = f"{entry.library} · {entry.cell}"
        files.write_new(page_dir / "index.html", theme.wrap(below + address, title, html).encode("utf-8"))

    forked.each(write, site.results.cells)  # thousands of pages: on each core of the machine


def write_runs(site: Site, out: Path, theme: Shell) -> None:
    """This run's page, the earlier runs' pages carried forward, and the list of them, into the built site."""
    env = _environment()
    template = env.get_template("run.html.j2")
    folder = out / runs.RUNS
    files.remove(folder)
    listing = site.listing
    for run in listing:
        (folder / run.key).mkdir(parents=True)
        if run.key == site.run.key:
            data = json.dumps(table(site.results, site.changed_cells), separators=(",", ":")) + "\n"
            files.write_text(folder / run.key / runs.TABLE, data)
        else:
            files.write_bytes(folder / run.key / runs.TABLE, site.earlier.tables[run.key])
        title = f"Run {run.run_id}" + (f" (#{run.run_number})" if run.run_number else "") if run.run_id else run.key
        page = template.render(
            run=run, title=title, as_of=None, site_name=site.site_name, root="../../", links="../../", view=view
        )
        files.write_text(folder / run.key / "index.html", theme.wrap(addresses.run(run.key), title, page))
    every = template.render(
        run=None,
        title="Runs",
        as_of=None,
        listing=listing,
        limit=runs.RUNS_LIMIT,
        site_name=site.site_name,
        root="../",
        links="../",
        view=view,
    )
    files.write_text(folder / "index.html", theme.wrap(f"{addresses.RUNS}/", "Runs", every))
    files.write_text(folder / runs.INDEX, runs.index_json(listing))


def write_as_of(site: Site, out: Path, theme: Shell) -> None:
    """An as-of run's table and its cells' pages, under ``as-of/<date>/`` of the built site."""
    assert site.results.as_of is not None
    folder = out / addresses.as_of(site.results.as_of)
    files.remove(folder)
    folder.mkdir(parents=True)
    write_cells(site, folder, theme, depth=2)
    files.copy(site.results_dir / FILENAME, folder / FILENAME)  # what a later site keeps its cells from
    files.write_text(folder / TABLE, json.dumps(table(site.results, {}), separators=(",", ":")) + "\n")
    title = f"As of {site.results.as_of}"
    page = (
        _environment()
        .get_template("run.html.j2")
        .render(
            run=site.run,
            title=title,
            as_of=site.results.as_of,
            site_name=site.site_name,
            root="../../",
            links="",
            view=view,
        )
    )
    files.write_text(folder / "index.html", theme.wrap(addresses.as_of(site.results.as_of), title, page))


def write_review(
    then: Site, out: Path, theme: Shell, bisects: Sequence[bisect.Bisect] = (), now: Sequence[LibraryAnswers] = ()
) -> None:
    """The review of shared/reference beside the cells as of its day (dtws.review), at ``review/``.

    ``now``: today's answers to the review's questions, which stand beside the review's own.
    """
    from dtws import review  # here: dtws.review reads dtws.pages.view, and so this package

    found_by = {bisect.name(found.cell, found.package): found for found in bisects}
    folder = out / addresses.REVIEW
    files.remove(folder)
    folder.mkdir(parents=True)
    page = (
        _environment()
        .get_template("review.html.j2")
        .render(
            day=review.DAY,
            rows=review.compare(then.results),
            columns=review.COLUMNS,
            marks=MARKS,
            site_name=then.site_name,
            questions=[(question, found_by.get(question.name)) for question in review.BISECTS],
            beside=review.beside(next((f for f in now if f.library == review.LIBRARY), None)),
        )
    )
    title = f"The review of {review.DAY}, reproduced"
    files.write_text(folder / "index.html", theme.wrap(addresses.review(), title, page))


def write_bisect(folder: Path, found: bisect.Bisect, out: Path, site_name: str, theme: Shell) -> None:
    """A bisect's page (its answer, each probe linked to its cell page) under ``bisect/<cell>-<package>/``.

    ``found`` is the answer in ``folder`` (``bisect.read``). Every name of it
    that becomes a path is checked to be one part of one (``files.part``):
    ValueError, before anything is written, for any other. Each probe's
    record is read from ``<version>/<library>/<cell>``, where ``dtws bisect``
    writes it, and left out of the page unless it is of the bisect's cell.
    """
    address = addresses.bisect(files.part(bisect.name(found.cell, found.package)))
    target = out / address
    library, cell = files.part(found.library), files.part(found.cell)
    versions = [files.part(probe.version) for probe in found.probes]
    files.remove(target)
    target.mkdir(parents=True)
    for version in versions:
        try:
            rec = record.read(folder / version / library / cell / record.FILENAME)
        except record.RecordError:
            continue
        if (rec.library, rec.cell) != (library, cell):
            continue
        entry = Entry(library, cell, rec.python, rec.django, record=rec, record_dir=f"{library}/{cell}")
        results = Results(generated_at=rec.provenance.finished_at or "", cells=[entry])
        write_cells(plan(folder / version, results, site_name=site_name), target / version, theme, depth=3)
        record.write(rec, target / version / view.url(entry))  # what a later site keeps the probe from
    bisect.write(found, target)  # as read and checked, not the file as it may be now
    order = {version: index for index, version in enumerate(found.releases)}
    probes = sorted(found.probes, key=lambda probe: order.get(probe.version, len(order)))
    page = (
        _environment()
        .get_template("bisect.html.j2")
        .render(found=found, probes=probes, marks=MARKS, site_name=site_name)
    )
    title = f"{found.package} for {found.cell}, bisected"
    files.write_text(target / "index.html", theme.wrap(address, title, page))


def write_bisect_index(names: list[str], out: Path) -> None:
    """``bisect/index.json``: the bisects the site has, which a later site keeps (``published.copy_bisects``)."""
    (out / bisect.SITE).mkdir(parents=True, exist_ok=True)
    files.write_text(out / bisect.SITE / bisect.SITE_INDEX, json.dumps(sorted(names)) + "\n")


def write_bench(bench: bench_data.Bench, out: Path, site_name: str, theme: Shell) -> bool:
    """``bench/index.html`` (the charts, each with its table) and ``bench/bench.json``; False when it has no run."""
    page = figures.page(bench)
    if page is None:
        return False
    target = out / BENCH
    target.mkdir(parents=True, exist_ok=True)
    bench_data.write(bench, target / bench_data.FILENAME)
    html = _environment().get_template("bench.html.j2").render(page=page, site_name=site_name)
    wrapped = theme.wrap(addresses.bench(), "How fast each library is", html)
    files.write_text(target / "index.html", wrapped)
    return True


def _copy_reports(run: conform_data.Run, source: Path | None, target: Path) -> set[str]:
    """Autobahn's reports of ``run`` from beside its conformance.json (``source``): regular files only, never
    through a link; the paths (relative to ``target``) that are there."""
    kept: set[str] = set()
    for endpoint in [run.reference, *run.libraries]:
        if source is None or endpoint.report is None:
            continue
        folder = Path(endpoint.report).parent
        origin = source / folder
        if origin.is_symlink() or not origin.is_dir() or ".." in folder.parts or folder.is_absolute():
            continue
        (target / folder).mkdir(parents=True, exist_ok=True)
        for item in origin.iterdir():
            if item.is_file() and not item.is_symlink() and item.suffix == ".html":
                files.copy(item, target / folder / item.name)
                kept.add(str(folder / item.name))
    return kept


def write_conformance(
    conformance: conform_data.Conformance, source: Path | None, out: Path, site_name: str, theme: Shell
) -> bool:
    """``conformance/``: its index, a page per library, conformance.json and the newest run's Autobahn reports
    (from ``source``, the folder of the given conformance.json; None: not kept); False when it has no run."""
    run = conformance.latest
    if run is None:
        return False
    target = out / CONFORMANCE
    target.mkdir(parents=True, exist_ok=True)
    conform_data.write(conformance, target / conform_data.FILENAME)
    kept = _copy_reports(run, source, target)
    env = _environment()
    env.globals["kept"] = kept
    html = env.get_template("conformance_index.html.j2").render(
        run=run, runs=len(conformance.runs), site_name=site_name
    )
    title = "Does each library's websocket speak RFC 6455?"
    files.write_text(target / "index.html", theme.wrap(addresses.conformance(), title, html))
    library_page = env.get_template("conformance_library.html.j2")
    for endpoint in [run.reference, *run.libraries]:
        page = library_page.render(
            run=run, endpoint=endpoint, change=conform_data.change(conformance, endpoint.library), site_name=site_name
        )
        address = addresses.conformance(files.part(endpoint.library))
        files.write_text(out / address, theme.wrap(address, f"{endpoint.library}: RFC 6455", page))
    return True
