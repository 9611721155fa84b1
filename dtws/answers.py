"""The review's questions, answered for every library from what its cells collected (``LibraryAnswers``).

The review of shared/reference answers, for its library and in this order:
*Easy to install? Integration into a Django project. Thin or heavy
architecture? Event-driven programming? Has a documentation? Has unit
tests?*; dtws adds *Still maintained?*, *Works on the newest Python and
Django?*, and what the bench and the conformance suite measured. ``QUESTIONS``
is that list as data: each question (the one hand-written part) with the
function that answers it from ``Facts``: the library's declaration, its cells'
records (the newest cell that installed it, ``record.Installed``), its code
(the files of its app the declaration names, which merge keeps in
results.json: ``integrations``), the bench's figures and the conformance
suite's cases. A question of the Compare page is one more
entry here.

The answers are computed once, where the site is built (``gather``, called by
dtws.sitedata's loader, which has every input: the bench and the conformance
suite run apart from the cells). Each answer is said twice from the same
figures, in the same function: in full (``short``, the library's card) and at
a glance (``mark``, ✓ ~ ✗ ?, and ``glance``, a few words: the Compare page's
cell). Its evidence is references (dtws.addresses.Ref: a cell, a step's log, a
part of the integration), never addresses: the pages link them where they
render them. The site publishes them as ``answers.json`` (``write``)::

    {"schema_version": 1,
     "libraries": [{"library",
                    "answers": [{"question": its key (QUESTIONS),
                                 "answered": false when it cannot be answered here,
                                 "short": the answer in one line, or why it cannot be,
                                 "evidence": [{"text", "ref": {"kind": "cell" or "installed", "library", "cell"}
                                               | {"kind": "log", "library", "cell", "step"}
                                               | {"kind": "code", "library", "index": in its "code"}
                                               | {"kind": "bench" or "protocol", "library"}
                                               | {"kind": "web", "url"}}],
                                 "value": the number it rests on, or null,
                                 "mark": "yes", "partly", "no", "unknown", or null for an
                                         answer that is a fact, not a yes or a no,
                                 "glance": the answer in a few words (the Compare page)} ...]} ...]}

A ``code`` reference's index is into the library's integration as the site read it
(dtws.results: results.json's ``code``; for results written before it, their own or the
project's files).

An answer that cannot be given (no cell installed the library here) says so
and why, never guesses.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from dtws import ahead, files, when
from dtws.addresses import CellRef, CodeRef, LogRef, MeasuredRef, Ref, WebRef
from dtws.bench import data as bench_data
from dtws.bench import explain
from dtws.conform import data as conform_data
from dtws.libraries import LIBRARIES
from dtws.library import Library
from dtws.marks import MARKS
from dtws.record import CellRecord, Installed, Package, Step, StepVerdict
from dtws.results import Code, Entry
from dtws.versions import series_key

NOT_JUDGED = ("unavailable", "error", "incomplete")
INSTALL_TRIED: tuple[StepVerdict, ...] = ("pass", "fail", "timeout")  # an install that ran: its own verdict
SAMPLE_PORT = 8000  # the port the socket server command is shown with
FILENAME = "answers.json"  # where the site publishes them, beside results.json
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Evidence:
    """What an answer rests on, and where it is (dtws.addresses.link makes it a link)."""

    text: str
    ref: Ref


# An answer at a glance: ✓, ~ (some cells, or with a cost), ✗, or ? (it cannot be answered here).
Glance = Literal["yes", "partly", "no", "unknown"]


@dataclass
class Answer:
    """One of the review's questions answered for a library."""

    question: str
    answered: bool
    short: str
    evidence: list[Evidence] = field(default_factory=list)
    value: float | None = None
    mark: Glance | None = None  # None: a fact (how many lines, processes), neither a yes nor a no
    glance: str = ""  # a few words ("2.9 s, 22 deps")


@dataclass
class LibraryAnswers:
    library: str
    answers: list[Answer] = field(default_factory=list)
    code: list[Code] = field(default_factory=list)

    def answer(self, question: str) -> Answer | None:
        return next((item for item in self.answers if item.question == question), None)


@dataclass(frozen=True)
class Facts:
    """What the answers of one library are computed from."""

    library: Library
    entries: list[Entry]
    code: list[Code]
    newest: tuple[str, str] | None  # the newest (Django, Python) any library's cell ran on here
    bench: bench_data.Bench | None = None  # the site's newest bench
    conformance: conform_data.Conformance | None = None  # the site's conformance runs

    @property
    def installed(self) -> Entry | None:
        """The newest cell (Django, then Python) whose record has what its install put in the env."""
        found = [e for e in self.entries if e.record is not None and e.record.installed is not None and installs(e)]
        return max(found, key=_order, default=None)

    @property
    def ran(self) -> list[Entry]:
        return [e for e in self.entries if e.record is not None and e.record.status not in NOT_JUDGED]


@dataclass(frozen=True)
class Question:
    key: str
    asks: str  # as the review heads it
    answer: Callable[[Facts], Answer]
    label: str  # the Compare page's column: a word or two


def _install_step(rec: CellRecord | None) -> Step | None:
    return next((step for step in rec.steps if step.name == "install"), None) if rec is not None else None


def _install_verdict(entry: Entry) -> StepVerdict | None:
    step = _install_step(entry.record)
    return step.verdict if step is not None else None


def installs(entry: Entry) -> bool:
    """Whether the cell's record has an install step, which passed."""
    return _install_verdict(entry) == "pass"


def _order(entry: Entry) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return series_key(entry.django), series_key(entry.python)


def cell_page(entry: Entry) -> CellRef:
    return CellRef(entry.library, entry.cell)


def env_of(entry: Entry) -> CellRef:
    return CellRef(entry.library, entry.cell, "installed")


def log_of(entry: Entry, step: str) -> LogRef:
    return LogRef(entry.library, entry.cell, step)


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{('es' if thing.endswith('s') else 's') * (number != 1)}"


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _unknown(question: str, why: str, glance: str, evidence: list[Evidence] | None = None) -> Answer:
    """An answer that cannot be given here: why, in full and in a few words."""
    return Answer(question, False, f"cannot be answered: {why}", evidence or [], mark="unknown", glance=glance)


def _no_install(facts: Facts, question: str) -> Answer:
    if facts.entries:
        return _unknown(question, "no cell installed it here", "not installed here")
    return _unknown(question, "it has no cell in the matrix", "no cell")


def _with_installed(question: str, answer: Callable[[Facts, Entry, Installed], Answer]) -> Callable[[Facts], Answer]:
    def answering(facts: Facts) -> Answer:
        entry = facts.installed
        if entry is None or entry.record is None or entry.record.installed is None:
            return _no_install(facts, question)
        return answer(facts, entry, entry.record.installed)

    return answering


def _install(facts: Facts) -> Answer:
    tried = [e for e in facts.entries if _install_verdict(e) in INSTALL_TRIED]
    if not tried:
        return _no_install(facts, "install")
    failed = [e for e in tried if not installs(e)]
    why = Counter(_install_error(e.record) for e in failed if e.record is not None)
    parts, evidence, glance = [], [], []
    works = len(tried) - len(failed)
    entry = facts.installed
    if entry is not None and entry.record is not None and entry.record.installed is not None:
        found, step = entry.record.installed, entry.record.step("install")  # there: installs(entry)
        built = [p.name for p in found.packages if p.built]
        pulled = len(found.packages) - 1
        glance += [f"{step.duration_s or 0:.1f} s", _count(pulled, "dep") if pulled else "no deps"]
        glance.append(f"{len(built)} built" if built else "wheels only" if not failed else "")
        parts.append(
            f"installs in {step.duration_s or 0:.1f} s on {entry.cell}: itself and {_count(pulled, 'more package')}"
            + "".join(f"{', ' if i else ' ('}{p.name} {p.version}" for i, p in enumerate(found.packages[1:]))
            + (")" if pulled else "")
            + f", {_mb(sum(p.bytes for p in found.packages))}; "
            + (f"{len(built)} built from source ({', '.join(built)}: a compiler or headers needed)" if built else "")
            + ("none built from source" if not built else "")
        )
        evidence.append(Evidence(f"the install of {entry.cell}", log_of(entry, "install")))
    if failed:
        top, count = why.most_common(1)[0]
        parts.append(f"fails on {len(failed)} of {len(tried)} cells ({count}: {top})")
        first = max((e for e in failed if _install_error(e.record) == top), key=_order)
        evidence.append(Evidence(f"the failing install of {first.cell}", log_of(first, "install")))
    else:
        parts.append(f"installs on all {len(tried)} cells tried")
    mark: Glance = "yes" if not failed and not any(p.built for p in _packages(entry)) else "partly" if works else "no"
    said = ", ".join(part for part in glance if part)
    if failed:
        said += f"; {works}/{len(tried)} cells" if works else f"fails on {len(tried)}/{len(tried)} cells"
    return Answer("install", True, "; ".join(parts), evidence, works / len(tried), mark, said)


def _packages(entry: Entry | None) -> list[Package]:
    found = entry.record.installed if entry is not None and entry.record is not None else None
    return found.packages if found is not None else []


def _install_error(rec: CellRecord | None) -> str:
    step = _install_step(rec)
    return (step.error_line or step.detail or f"exit code {step.exit_code}") if step is not None else "no record"


def _integration(facts: Facts) -> Answer:
    name = facts.library.name
    files = [item for item in facts.code if item.path is not None]
    if not files:
        return _unknown("integration", "none of the project's files is named for it", "no files named")
    lines = sum(item.lines for item in files)
    said = ", ".join(f"{item.role} {item.lines}" for item in files)
    run = "; ".join(item.text for item in facts.code if item.path is None)
    evidence = [
        Evidence(f"{item.role}: {item.path or item.text}", CodeRef(name, i)) for i, item in enumerate(facts.code)
    ]
    return Answer(
        "integration",
        True,
        f"{lines} lines of code in {len(files)} files ({said}); runs: {run}",
        evidence,
        value=lines,
        glance=f"{lines} lines, {_count(len(files), 'file')}",
    )


def _processes(library: Library) -> list[str]:
    found = [] if library.serves_page else ["Django's runserver"]
    found.append("a socket server" if library.processes == 1 else f"{library.processes} socket servers")
    return found + [f"a {service} server" for service in library.services]


def _deployed(library: Library) -> str:
    """What a deployment runs, in a few words: ``runserver + socket server``, ``2 socket servers + Redis``."""
    servers = "socket server" if library.processes == 1 else f"{library.processes} socket servers"
    found = ([] if library.serves_page else ["runserver"]) + [servers]
    return " + ".join(found + [service.capitalize() for service in library.services])


def _architecture(facts: Facts) -> Answer:
    processes = _processes(facts.library)
    count = len(processes) + facts.library.processes - 1
    said = (
        f"{_count(count, 'process')}: {', '.join(processes[:-1])}{' and ' if len(processes) > 1 else ''}{processes[-1]}"
    )
    glance = _deployed(facts.library)
    name = facts.library.name
    commands = [Evidence(item.text, CodeRef(name, i)) for i, item in enumerate(facts.code) if item.path is None]
    entry = facts.installed
    if entry is None or entry.record is None or entry.record.installed is None:
        unknown = "; its dependencies unknown: no cell installed it here"
        return Answer("architecture", True, said + unknown, commands, value=count, glance=glance)
    found = entry.record.installed
    return Answer(
        "architecture",
        True,
        f"{said}; its tree {_count(len(found.packages), 'distribution')}, {_mb(sum(p.bytes for p in found.packages))};"
        f" the whole env {found.env_packages} distributions, {_mb(found.env_bytes)}",
        [*commands, Evidence(f"the env of {entry.cell}", env_of(entry))],
        value=count,
        glance=f"{glance}, {_count(len(found.packages), 'dist')}",
    )


def _handlers(text: str) -> list[str]:
    """The event handlers a module declares: decorated functions, and classes with their methods."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            found.append(" ".join(f"@{ast.unparse(d)}" for d in node.decorator_list) + f" {node.name}")
        elif isinstance(node, ast.ClassDef) and node.bases:
            methods = [item.name for item in node.body if isinstance(item, ast.FunctionDef)]
            bases = ", ".join(ast.unparse(base) for base in node.bases)
            found.append(f"class {node.name}({bases}): {', '.join(methods)}")
    return found


def _events(facts: Facts) -> Answer:
    index = next((i for i, item in enumerate(facts.code) if item.role == "handlers"), None)
    if index is None:
        return _unknown("events", "no file of its app is named as its handlers", "no handlers file named")
    item = facts.code[index]
    handlers = _handlers(item.text)
    evidence = [Evidence(f"{item.path}", CodeRef(facts.library.name, index))]
    if not handlers:  # ws4redis: the server relays what clients publish; the app only publishes from a view
        said = f"no: {item.path}, its handlers' file, has no decorated handler or handler class (shown as it is)"
        return Answer("events", True, said, evidence, value=0, mark="no", glance="no handlers")
    decorated = sum(handler.startswith("@") for handler in handlers)
    classes = len(handlers) - decorated
    glance = ", ".join(
        ([_count(decorated, "decorated handler")] if decorated else [])
        + ([_count(classes, "handler class")] if classes else [])
    )
    said = f"{item.path}: {'; '.join(handlers)}"
    return Answer("events", True, said, evidence, value=len(handlers), mark="yes", glance=glance)


def _docs(facts: Facts, entry: Entry, found: Installed) -> Answer:
    urls = [Evidence(label, WebRef(url)) for label, url in found.urls.items()]
    parts = [f"its metadata's description {found.description_chars:,} characters" if found.description_chars else ""]
    parts.append(f"links {', '.join(found.urls)}" if found.urls else "no project link in its metadata")
    parts.append(f"ships {len(found.doc_files)} documentation files" if found.doc_files else "ships no docs folder")
    has = bool(found.description_chars or found.doc_files or found.urls)
    short = ("yes: " if has else "no: ") + "; ".join(part for part in parts if part)
    glance = [f"{_chars(found.description_chars)} description"] if found.description_chars else []
    glance.append(_count(len(found.urls), "link") if found.urls else "no links")
    glance += [_count(len(found.doc_files), "doc file")] if found.doc_files else []
    evidence = [*urls, Evidence(f"as installed in {entry.cell}", env_of(entry))]
    return Answer("docs", True, short, evidence, float(has), "yes" if has else "no", ", ".join(glance))


def _chars(count: int) -> str:
    """``7-char``, ``14k-char``: a length in a few characters."""
    return f"{count}-char" if count < 1000 else f"{round(count / 1000)}k-char"


def _tests(facts: Facts, entry: Entry, found: Installed) -> Answer:
    evidence = [Evidence(f"as installed in {entry.cell}", env_of(entry))]
    if not found.test_files:
        return Answer(
            "tests", True, "its distribution ships no tests", evidence, value=0, mark="no", glance="none shipped"
        )
    unparsed = f"; {len(found.unparsed)} not parsed by Python {entry.python}" if found.unparsed else ""
    short = (
        f"ships {len(found.test_files)} test module{'s' * (len(found.test_files) != 1)}"
        f" ({', '.join(found.test_files[:3])}{', …' if len(found.test_files) > 3 else ''}):"
        f" {found.test_functions} test functions, {found.assertions} assertions{unparsed}"
    )
    glance = f"{_count(len(found.test_files), 'module')}, {found.assertions:,} asserts"
    return Answer("tests", True, short, evidence, value=found.assertions, mark="yes", glance=glance)


def _maintained(facts: Facts, entry: Entry, found: Installed) -> Answer:
    release = found.release
    declared = entry.record.provenance.declared if entry.record is not None else None
    claims = ""
    if declared is not None:
        pythons = ", ".join(declared.pythons) or "none"
        djangos = ", ".join(declared.djangos) or "none"
        claims = f"; its classifiers: Python {pythons}, Django {djangos}"
    if release.problem or release.newest is None:
        short = f"its releases unknown ({release.problem or 'none on the index'}){claims}"
        return Answer(
            "maintained", False, short, [Evidence(entry.cell, env_of(entry))], None, "unknown", "releases unknown"
        )
    requires = f"Requires-Python {release.requires_python}" if release.requires_python else "no Requires-Python"
    short = (
        f"newest release {release.newest} of {when.day(release.newest_at or '')};"
        f" {_count(release.recent, 'release')} in the two years before the run, {release.total} in all;"
        f" {requires}{claims}"
    )
    page = f"https://pypi.org/project/{facts.library.package}/#history"
    return Answer(
        "maintained",
        True,
        short,
        [Evidence("its releases", WebRef(page)), Evidence(entry.cell, env_of(entry))],
        release.recent,
        "yes" if release.recent else "no",
        f"last {when.month(release.newest_at or '')}, {release.recent} in 2 years",
    )


def _newest(facts: Facts) -> Answer:
    ran = facts.ran
    if facts.newest is None or not ran:
        return _unknown("newest", "no cell of it ran here", "no cell ran")
    django, python = facts.newest
    target = next((e for e in ran if (e.django, e.python) == (django, python)), None)
    if target is not None and target.record is not None:
        works = target.record.status == "pass"
        said = f"{'yes' if works else 'no'}: {target.record.status} on Python {python} with Django {django}"
        glance = f"Python {python}, Django {django}" if works else f"{target.record.status} on {python}/{django}"
        evidence = [Evidence(target.cell, cell_page(target))]
        return Answer("newest", True, said, evidence, float(works), "yes" if works else "no", glance)
    best = max(ran, key=_order)
    assert best.record is not None
    said = f"no: it has no cell of Python {python} with Django {django}; its newest, {best.cell}: {best.record.status}"
    missing = [f"Python {python}"] * all(e.python != python for e in ran) + [f"Django {django}"] * all(
        e.django != django for e in ran
    )
    lacks = missing[0] if len(missing) == 1 else f"{python}/{django}"
    glance = f"no {lacks} cell; newest {MARKS[best.record.status].symbol}"
    return Answer("newest", True, said, [Evidence(best.cell, cell_page(best))], 0.0, "no", glance)


QUESTIONS: tuple[Question, ...] = (
    Question("install", "Easy to install?", _install, "Install"),
    Question("integration", "Integration into a Django project", _integration, "Integration"),
    Question("architecture", "Thin or heavy architecture?", _architecture, "Architecture"),
    Question("events", "Event-driven programming?", _events, "Events"),
    Question("docs", "Has a documentation?", _with_installed("docs", _docs), "Docs"),
    Question("tests", "Has unit tests?", _with_installed("tests", _tests), "Tests"),
    Question("maintained", "Still maintained?", _with_installed("maintained", _maintained), "Maintained"),
    Question("newest", "Works on the newest Python and Django?", _newest, "Newest"),
    # The bench and the conformance suite run apart from the cells: the site's newest of each.
    Question("speed", "How fast under a chat load?", lambda facts: speed(facts.bench, facts.library.name), "Speed"),
    Question(
        "protocol", "Protocol (RFC 6455)", lambda facts: protocol(facts.conformance, facts.library.name), "Protocol"
    ),
)


def _not_benched() -> Answer:
    return _unknown("speed", "the site has no bench figures (dtws bench)", "not benched")


def speed(bench: bench_data.Bench | None, library: str) -> Answer:
    """The bench's newest figure of ``library``: its throughput against the bare protocol's, at its headline level."""
    if bench is None:
        return _not_benched()
    found = bench_data.newest(bench, library)
    if found is None:
        return _unknown("speed", "no run of the bench had it", "not benched")
    link = [Evidence(f"the bench of {found.cell or library}", MeasuredRef("bench", library))]
    level = found.headline
    if level is None or level.ratio is None:
        return Answer(
            "speed", False, f"not measured: {found.why or found.status}", link, None, "unknown", "not measured"
        )
    stats = level.library
    said = (
        f"{level.ratio:.0%} of the bare protocol's throughput at {_count(level.connections, 'connection')}"
        f" ({stats.throughput:,.0f} msg/s; {stats.delivered}/{stats.expected} delivered, {stats.outcome})"
    )
    window = next((run.settings.level_s for run in reversed(bench.runs) if found in run.libraries), None)
    if stats.outcome != "complete" and window is not None:
        said += f"; {explain.level(level, window, library)}"
    glance = f"{level.ratio:.0%} of bare, {stats.throughput:,.0f} msg/s" + (
        f", {stats.outcome}" if stats.outcome != "complete" else ""
    )
    return Answer("speed", True, said, link, value=level.ratio, glance=glance)


def _not_conformed() -> Answer:
    return _unknown("protocol", "the site has no conformance run (dtws conform)", "not tested")


def protocol(conformance: conform_data.Conformance | None, library: str) -> Answer:
    """The conformance suite's newest cases of ``library``'s echo: its counts, and what its failures share."""
    latest = conformance.latest if conformance is not None else None
    if conformance is None or latest is None:
        return _not_conformed()
    link = [Evidence("its cases", MeasuredRef("protocol", library))]
    found = conform_data.newest(conformance, library)
    if found is None:
        entry = next((item for item in latest.libraries if item.library == library), None)
        if entry is None:
            return _unknown("protocol", "no conformance run had it", "not tested")
        return Answer(
            "protocol", False, f"not tested: {entry.why or entry.status}", link, None, "unknown", "not tested"
        )
    run, endpoint = found
    reference = run.reference
    beside = f"{len(reference.failed)} failed" if reference.status == "tested" else reference.status
    said = (
        f"{run.summary(endpoint)} ({len(endpoint.cases)} cases of the Autobahn|Testsuite on"
        f" {endpoint.package} {endpoint.version or '?'}; the bare {reference.package}: {beside})"
    )
    ok = sum(case.behavior in ("OK", "NON-STRICT", "INFORMATIONAL") for case in endpoint.cases)
    total = len(endpoint.cases)
    mark: Glance = "unknown" if not total else "yes" if ok == total else "partly" if ok else "no"
    return Answer("protocol", True, said, link, ok / total if total else None, mark, f"{ok}/{total} cases pass")


def question(key: str) -> Question:
    return next(item for item in QUESTIONS if item.key == key)


def lines_of_code(path: str, text: str) -> int:
    """Lines that are code: not blank, not a comment, not the module's docstring."""
    skip: set[int] = set()
    if path.endswith(".py"):
        try:
            body = ast.parse(text).body
        except SyntaxError:
            body = []
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            skip = set(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    comments = ("#", "//", "{#", "<!--")
    return sum(
        1
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip() and number not in skip and not line.strip().startswith(comments)
    )


def _app_files(library: Library, project: Path) -> list[tuple[str, str]]:
    """What a library's declaration names of the project, or every file of its app but its tests."""
    if library.integration:
        return list(library.integration)
    app = project / library.app
    found = sorted(p for p in app.rglob("*") if p.is_file() and p.suffix in (".py", ".html", ".js"))
    return [("app", str(p.relative_to(project))) for p in found if p.name not in ("tests.py", "__init__.py")]


def code(library: Library, project: Path) -> list[Code]:
    """The files of the project a library's integration is, as they are, and the commands that serve it."""
    found = []
    for role, path in _app_files(library, project):
        try:
            text = (project / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        found.append(Code(role, path, text, lines_of_code(path, text)))
    commands = [] if library.serves_page else ["python manage.py runserver"]
    commands += [f"python {' '.join(library.server_args(SAMPLE_PORT + i))}" for i in range(library.processes)]
    commands += ["redis-server" for service in library.services if service == "redis"]
    return found + [Code("command", None, command, 1) for command in commands]


def _newest_ran(entries: Sequence[Entry]) -> tuple[str, str] | None:
    ran = [e for e in entries if e.record is not None and e.record.status not in NOT_JUDGED]
    best = max(ran, key=_order, default=None)
    return (best.django, best.python) if best is not None else None


def _libraries(entries: Sequence[Entry], libraries: Sequence[Library]) -> list[tuple[Library, list[Entry]]]:
    """Each library of ``entries`` (in the declarations' order) with its cells of released Django and Python (not
    those ahead of release: dtws.ahead)."""
    by_name: dict[str, list[Entry]] = {}
    for entry in ahead.released(entries):
        by_name.setdefault(entry.library, []).append(entry)
    return [(lib, by_name[lib.name]) for lib in libraries if lib.name in by_name]


def integrations(
    entries: Sequence[Entry], project: Path, libraries: Sequence[Library] = LIBRARIES
) -> dict[str, list[Code]]:
    """The code of each library of ``entries`` in ``project`` (what results.json keeps of it, at merge)."""
    return {lib.name: code(lib, project) for lib, _ in _libraries(entries, libraries)}


def gather(
    entries: Sequence[Entry],
    codes: dict[str, list[Code]],
    bench: bench_data.Bench | None = None,
    conformance: conform_data.Conformance | None = None,
    libraries: Sequence[Library] = LIBRARIES,
) -> list[LibraryAnswers]:
    """Every library of ``entries`` (in the declarations' order), each question answered once: from its cells of
    released Django and Python, its code (``codes``, by library: ``integrations``), and the site's ``bench`` and
    ``conformance`` runs (None: the site has none)."""
    newest = _newest_ran(ahead.released(entries))
    found = []
    for library, mine in _libraries(entries, libraries):
        facts = Facts(library, mine, codes.get(library.name, []), newest, bench, conformance)
        found.append(LibraryAnswers(library.name, [_answered(q, facts) for q in QUESTIONS], facts.code))
    return found


def _answered(question: Question, facts: Facts) -> Answer:
    """``question`` answered from ``facts``; when its records cannot answer it (records are input), says so.

    A record that passed the loader may still hold what no answer can be made
    from (numbers too big to show): that library's answer says why, the
    other answers and the site go on.
    """
    try:
        return question.answer(facts)
    except (ArithmeticError, LookupError, TypeError, ValueError) as error:
        why = f"{type(error).__name__}: {error}"
        return Answer(
            question.key,
            False,
            f"cannot be answered from its records ({why[:200]})",
            [],
            None,
            "unknown",
            "unreadable records",
        )


def write(found: Sequence[LibraryAnswers], path: Path) -> Path:
    """The answers as the site publishes them (the module's docstring has the schema)."""
    libraries = [{"library": item.library, "answers": [asdict(answer) for answer in item.answers]} for item in found]
    return files.write_json(path, {"schema_version": SCHEMA_VERSION, "libraries": libraries})
