"""The review's questions answered for every library, from the records of real cells (dtws.answers)."""

from __future__ import annotations

import csv
import json
import subprocess
from dataclasses import asdict, replace
from pathlib import Path

from bs4 import BeautifulSoup

from dtws import addresses, answers, installed, pages, record, results, sitedata
from dtws.addresses import LogRef, WebRef
from dtws.answers import LibraryAnswers
from dtws.libraries import LIBRARIES, library
from dtws.merge import merge
from dtws.results import Entry
from tests.conftest import PROJECT

LocalRun = tuple[subprocess.CompletedProcess[str], Path]
SHOWN = [lib.name for lib in LIBRARIES if not lib.test_only]


def merged(local_run: LocalRun, tmp_path: Path) -> list[LibraryAnswers]:
    """The answers the site's loader computes from the merged results (written to results.json, and read back)."""
    _done, local = local_run
    merge([local], tmp_path / "out", project=PROJECT)
    return sitedata.load(sitedata.Sources(tmp_path / "out"), tmp_path / "kept", tmp_path / "no-project").answers


def gathered(entries: list[Entry]) -> list[LibraryAnswers]:
    return answers.gather(entries, answers.integrations(entries, PROJECT))


def test_every_library_has_an_answer_with_evidence_to_every_question(local_run: LocalRun, tmp_path: Path) -> None:
    found = {item.library: item for item in merged(local_run, tmp_path)}
    assert list(found) == SHOWN
    for name, item in found.items():
        assert [answer.question for answer in item.answers] == [question.key for question in answers.QUESTIONS]
        for answer in item.answers:
            assert answer.short, (name, answer.question)
            if answer.answered:
                assert answer.evidence, (name, answer.question)
            else:
                assert answer.short.startswith("cannot be answered: "), (name, answer.question, answer.short)
    # The review's workaround never installs here (gevent 0.13.6 needs libevent's headers): its card says so, and why.
    workaround = found["django-socketio-workaround"]
    for key in ("docs", "tests", "maintained"):
        said = workaround.answer(key)
        assert said is not None and not said.answered
        assert said.short == "cannot be answered: no cell installed it here"
    failing = workaround.answer("install")
    assert failing is not None and "fails on 1 of 1 cells" in failing.short and "event.h" in failing.short
    # Every other library was installed by a cell of this run: each question is answered, but the bench's and the
    # conformance suite's, which run apart from the cells (their figures join where the site is built).
    for name in SHOWN:
        if name != "django-socketio-workaround":
            apart = ("speed", "protocol")
            assert all(answer.answered for answer in found[name].answers if answer.question not in apart), name
        assert found[name].answer("speed") == answers.speed(None, name)
        assert found[name].answer("protocol") == answers.protocol(None, name)
    # Handlers as the apps have them: gevent-socketio's namespace class; ws4redis relays, so it has none.
    namespace, relay = found["gevent-socketio"].answer("events"), found["django-websocket-redis"].answer("events")
    assert namespace is not None and "class ChatNamespace(BaseNamespace, BroadcastMixin): on_chat" in namespace.short
    assert relay is not None and relay.value == 0 and relay.short.startswith("no: chat_wsredis/views.py")


def test_the_answers_of_the_review_library(local_run: LocalRun, tmp_path: Path) -> None:
    socketio = next(item for item in merged(local_run, tmp_path) if item.library == "django-socketio")
    tests = socketio.answer("tests")
    assert tests is not None and tests.value == 6, "django_socketio/tests.py, parsed by Python 2.7: its 6 assertions"
    assert "django_socketio/tests.py" in tests.short
    install = socketio.answer("install")
    assert install is not None and "built from source (django-socketio" in install.short
    # From the newest cell that installed it (Python 2.7, Django 1.9 here); then where it fails to install.
    assert [item.ref for item in install.evidence] == [
        LogRef("django-socketio", "py27-django19", "install"),
        LogRef("django-socketio", "py312-django52", "install"),
    ]
    assert [addresses.link(item.ref, "../") for item in install.evidence] == [
        "../cells/django-socketio/py27-django19/logs/install.log",
        "../cells/django-socketio/py312-django52/logs/install.log",
    ]
    events = socketio.answer("events")
    assert events is not None and "@events.on_message(channel=CHANNEL_PATTERN) message" in events.short
    integration = socketio.answer("integration")
    code = {item.path: item for item in socketio.code}
    assert code["myapp/events.py"].text == (PROJECT / "myapp" / "events.py").read_text()  # as the app has it
    assert integration is not None and integration.value == sum(item.lines for item in code.values() if item.path)
    maintained = socketio.answer("maintained")
    assert maintained is not None and maintained.short.startswith("newest release 0.3.9 of 4 Jan 2014;")
    architecture = socketio.answer("architecture")
    assert architecture is not None and architecture.short.startswith(
        "2 processes: Django's runserver and a socket server; its tree 9"
    )


def test_the_numbers_agree_with_the_env(local_run: LocalRun, toxworkdir: Path) -> None:
    """Recomputed from the env the cell made: its distributions, and the library's bytes from its RECORD."""
    _done, local = local_run
    rec = record.read(local / "channels" / "py312-django52-channels" / record.FILENAME)
    assert rec.installed is not None
    site = next((toxworkdir / "py312-django52-channels").glob("lib/python3.12/site-packages"))
    assert rec.installed.env_packages == len(list(site.glob("*.dist-info")))
    dist_info = next(site.glob("channels-*.dist-info"))
    with (dist_info / "RECORD").open(newline="") as listing:
        paths = {row[0] for row in csv.reader(listing) if row}
    assert rec.installed.packages[0].name == "channels"
    assert rec.installed.packages[0].bytes == sum((site / path).stat().st_size for path in paths)
    assert rec.installed.packages[0].version == rec.provenance.library_version
    names = {package.name.lower() for package in rec.installed.packages}
    assert {"daphne", "twisted"} <= names and "django" not in names and "asgiref" not in names  # Django's own left out


def test_the_review_page_puts_its_answers_beside_the_measured_ones(local_run: LocalRun, tmp_path: Path) -> None:
    now = merged(local_run, tmp_path)
    site = pages.plan(tmp_path / "out", results.read(tmp_path / "out" / results.FILENAME))
    pages.write_review(site, tmp_path / "site", pages.shell.plain("dtws"), now=now)
    soup = BeautifulSoup((tmp_path / "site" / "review" / "index.html").read_text(), "html.parser")
    rows = {tr["data-question"]: tr for tr in soup.select("table.dtws-review-answers tbody tr")}
    assert list(rows) == ["install", "integration", "architecture", "events", "docs", "tests"]
    tests = rows["tests"].find_all("td")
    assert tests[0].get_text() == "Yes, about 6 assertions."
    assert "7 test functions, 6 assertions" in tests[1].get_text()
    assert rows["tests"]["data-agrees"] == "yes" and rows["docs"]["data-agrees"] == "yes"
    assert rows["install"]["data-agrees"] == "n/a" and tests[2].get_text() == "agree"


def test_a_library_with_no_installed_cell_says_why(tmp_path: Path) -> None:
    lib = library("tornado")
    entries = [Entry("tornado", "py312-django52-tornado", "3.12", "5.2", problem="no result: no record")]
    (found,) = gathered(entries)
    said = {answer.question: answer for answer in found.answers}
    for key in ("install", "docs", "tests", "maintained", "newest"):
        assert not said[key].answered and said[key].short.startswith("cannot be answered: "), key
    assert said["integration"].answered and said["events"].answered  # from the app's files, which need no cell
    assert (
        said["architecture"].short == "1 process: a socket server; its dependencies unknown: no cell installed it here"
    )
    assert [item.text for item in said["architecture"].evidence] == [f"python {' '.join(lib.server_args(8000))}"]


def test_an_undeclared_app_shows_its_own_files(tmp_path: Path) -> None:
    """A library whose declaration names no files: every file of its app but its tests and __init__."""
    app = tmp_path / "chat_new"
    (app / "templates").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "tests.py").write_text("def test(): pass\n")
    (app / "integration.py").write_text('"""Doc\nstring."""\n# a comment\n\nINSTALLED_APPS = ["chat_new"]\n')
    (app / "templates" / "index.html").write_text("{# a comment #}\n<script>\n</script>\n")
    lib = library("tornado")
    shown = answers.code(replace(lib, app="chat_new", integration=()), tmp_path)
    assert [(item.role, item.path, item.lines) for item in shown if item.path] == [
        ("app", "chat_new/integration.py", 1),
        ("app", "chat_new/templates/index.html", 2),
    ]


def test_older_results_are_read_without_answers(tmp_path: Path) -> None:
    data = {"schema_version": 2, "generated_at": "2026-11-29T12:00:00+00:00", "run": {}, "cells": [], "problems": []}
    assert results.from_dict(data).code == {}
    assert results.from_dict({**data, "schema_version": 3}).schema_version == results.SCHEMA_VERSION


def test_evidence_is_a_reference_made_a_link_only_where_it_is_rendered() -> None:
    cell = addresses.CellRef("tornado", "py312-django52-tornado")
    assert addresses.link(cell, "../../") == "../../cells/tornado/py312-django52-tornado/"
    assert addresses.of(addresses.CellRef("tornado", "py3", "installed")) == "cells/tornado/py3/#installed"
    assert addresses.of(LogRef("tornado", "py3", "install")) == "cells/tornado/py3/logs/install.log"
    assert addresses.of(addresses.CodeRef("tornado", 2)) == "libraries/tornado/#code-2"
    assert addresses.of(addresses.MeasuredRef("bench", "tornado")) == "bench/#tornado"
    assert addresses.of(addresses.MeasuredRef("protocol", "tornado")) == "conformance/tornado.html"
    assert addresses.link(WebRef("https://pypi.org/project/tornado/"), "../") == "https://pypi.org/project/tornado/"
    for bad in ("javascript:alert(1)", "//evil.example/", "/etc/passwd", "data:text/html,x", "cells/x/y/"):
        assert addresses.link(WebRef(bad), "../") is None, bad  # a web page is one only when http(s)
    assert asdict(LogRef("tornado", "py3", "install")) == {
        "library": "tornado",
        "cell": "py3",
        "step": "install",
        "kind": "log",
    }


def test_no_answer_stores_an_address(tmp_path: Path) -> None:
    """Every answer's evidence is a reference, and answers.json, as the site publishes it, holds no address."""
    entries = [
        _channels("py313-django60-channels", "3.13", "6.0", "pass"),
        _channels("py38-django42-channels", "3.8", "4.2", "fail"),
    ]
    found = gathered(entries)
    evidence = [item for library in found for answer in library.answers for item in answer.evidence]
    kinds = {item.ref.kind for item in evidence}
    assert {"log", "installed", "code", "web"} <= kinds, kinds
    answers.write(found, tmp_path / answers.FILENAME)
    text = (tmp_path / answers.FILENAME).read_text()
    assert '"href"' not in text
    for folder in (addresses.CELLS, addresses.LIBRARIES, addresses.BENCH, addresses.CONFORMANCE):
        assert f'"{folder}/' not in text, folder
    data = json.loads(text)
    assert data["schema_version"] == answers.SCHEMA_VERSION
    first = data["libraries"][0]["answers"][0]
    assert first["question"] == "install" and first["evidence"][0]["ref"] == {
        "kind": "log",
        "library": "channels",
        "cell": "py313-django60-channels",
        "step": "install",
    }


def test_the_dependency_tree_follows_extras_and_markers(tmp_path: Path) -> None:
    site = tmp_path / "lib" / "python3.12" / "site-packages"
    for name, requires in (
        ("lib", ["dep", "extra-dep; extra == 'more'", "old-dep; python_version < '3'"]),
        ("dep", ["django"]),
        ("extra-dep", []),
        ("old-dep", []),
        ("django", ["asgiref"]),
        ("asgiref", []),
    ):
        folder = site / f"{name}-1.0.dist-info"
        folder.mkdir(parents=True)
        lines = [f"Name: {name}", "Version: 1.0", *(f"Requires-Dist: {item}" for item in requires)]
        (folder / "METADATA").write_text("\n".join(lines) + "\n\n")
        (folder / "RECORD").write_text(f"{name}.py,,\n")
        (site / f"{name}.py").write_text("x = 1\n" * (len(name)))
    found = installed.dists(site)
    by_name = {dist.name: dist for dist in found}
    assert [dist.name for dist in installed.tree(["lib[more]"], by_name, "3.12")] == [
        "lib",
        "dep",
        "extra-dep",
        "django",
        "asgiref",
    ]
    assert [dist.name for dist in installed.tree(["lib"], by_name, "2.7")] == [
        "lib",
        "dep",
        "old-dep",
        "django",
        "asgiref",
    ]


def test_built_from_source_by_the_installed_wheels_tags(tmp_path: Path) -> None:
    """The index takes no linux_* wheel and builds none tagged manylinux: those need no question to it."""

    def dist(tags: set[str]) -> installed.Dist:
        return installed.Dist("x", "1.0", tmp_path, {}, 0, [], tags)

    assert installed.built_here(dist(set())) is True  # an egg-info: setup.py install ran here
    assert installed.built_here(dist({"cp27-cp27mu-linux_x86_64"})) is True
    manylinux = {"cp312-cp312-manylinux_2_17_x86_64", "cp312-cp312-manylinux2014_x86_64"}
    assert installed.built_here(dist(manylinux)) is False


def test_every_file_a_library_names_for_its_integration_is_shown_from_the_project() -> None:
    for lib in LIBRARIES:
        for role, path in lib.integration:
            assert (PROJECT / path).is_file(), (lib.name, role, path)
        shown = [(item.role, item.path) for item in answers.code(lib, PROJECT) if item.path]
        assert shown == list(lib.integration) or not lib.integration, lib.name


def _channels(cell: str, python: str, django: str, install: record.StepVerdict, status: str = "pass") -> Entry:
    """A record as a Channels cell writes it: its install step, and what the install put in the env."""
    packages = [record.Package("channels", "4.3.2", 500_000), record.Package("daphne", "4.2.3", 300_000)]
    packages += [record.Package(f"dep{i}", "1.0", 100_000, built=False) for i in range(20)]
    found = record.Installed(
        packages=packages,
        env_packages=29,
        env_bytes=77_900_000,
        urls={"Home-page": "https://github.com/django/channels"},
        description_chars=3018,
        release=record.Release("4.3.2", "2025-11-20T10:00:00+00:00", recent=5, total=72),
    )
    rec = record.CellRecord(
        "channels",
        cell,
        python,
        django,
        status="pass" if install == "pass" and status == "pass" else "fail",
        steps=[record.Step("install", [], install, duration_s=2.7, error_line=None if install == "pass" else "boom")],
        installed=found if install == "pass" else None,
    )
    return Entry("channels", cell, python, django, record=rec)


def test_each_answer_at_a_glance_says_the_same_figures_as_in_full() -> None:
    """The Compare page's mark and few words come from the figures the library's card says in full."""
    entries = [
        _channels("py313-django60-channels", "3.13", "6.0", "pass"),
        _channels("py38-django42-channels", "3.8", "4.2", "fail"),
        Entry(
            "tornado",
            "py313-django61-tornado",
            "3.13",
            "6.1",
            record=record.CellRecord("tornado", "py313-django61-tornado", "3.13", "6.1", status="pass"),
        ),
    ]
    found = {item.library: item for item in gathered(entries)}
    said = {answer.question: answer for answer in found["channels"].answers}
    install = said["install"]
    assert (install.mark, install.glance) == ("partly", "2.7 s, 21 deps; 1/2 cells")
    assert "installs in 2.7 s" in install.short and "itself and 21 more packages" in install.short
    assert "fails on 1 of 2 cells" in install.short
    assert (said["architecture"].mark, said["architecture"].glance) == (None, "socket server, 22 dists")
    assert said["architecture"].short.startswith("1 process: a socket server; its tree 22 distributions")
    assert (said["events"].mark, said["events"].glance) == ("yes", "1 handler class")
    assert (said["docs"].mark, said["docs"].glance) == ("yes", "3k-char description, 1 link")
    assert "3,018 characters" in said["docs"].short
    assert (said["tests"].mark, said["tests"].glance) == ("no", "none shipped")
    assert (said["maintained"].mark, said["maintained"].glance) == ("yes", "last Nov 2025, 5 in 2 years")
    assert said["maintained"].short.startswith("newest release 4.3.2 of 20 Nov 2025; 5 releases")
    assert (said["newest"].mark, said["newest"].glance) == ("no", "no Django 6.1 cell; newest ✓")
    assert said["integration"].glance.endswith(f"{len([c for c in found['channels'].code if c.path])} files")
    for answer in [*said.values(), *found["tornado"].answers]:
        assert answer.glance and len(answer.glance) <= 40, answer
        assert (answer.mark == "unknown") == (not answer.answered), answer
    unknown = {answer.question: answer for answer in found["tornado"].answers}
    assert (unknown["install"].mark, unknown["install"].glance) == ("unknown", "not installed here")
    assert (unknown["newest"].mark, unknown["newest"].glance) == ("yes", "Python 3.13, Django 6.1")
    assert (unknown["speed"].mark, unknown["speed"].glance) == ("unknown", "not benched")


def test_the_code_is_kept_in_results_json_and_a_version_3s_answers_are_answered_anew(tmp_path: Path) -> None:
    """A results.json of schema 3 (answers computed at merge, with addresses in them): its code is read, its
    answers are not; the site's loader answers its records, as any results'."""
    entries = [_channels("py313-django60-channels", "3.13", "6.0", "pass")]
    codes = answers.integrations(entries, PROJECT)
    now = asdict(results.Results(generated_at="2026-12-05T21:56:08+00:00", cells=entries, code=codes))
    older = {key: value for key, value in now.items() if key != "code"}
    was = {"question": "install", "answered": True, "short": "installs", "value": 1.0}
    hrefs = [{"text": "the install", "href": "cells/channels/py313-django60-channels/logs/install.log"}]
    older |= {"schema_version": 3, "libraries": [{"library": "channels", "answers": [was | {"evidence": hrefs}]}]}
    older["libraries"][0]["code"] = now["code"]["channels"]
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / results.FILENAME).write_text(json.dumps(older))
    read = results.read(folder / results.FILENAME)
    assert read.code == codes and read.schema_version == results.SCHEMA_VERSION
    loaded = sitedata.load(sitedata.Sources(folder), tmp_path / "kept", tmp_path / "no-project")
    assert loaded.answers == gathered(entries)  # the code of the results, not of a project
    install = loaded.answers[0].answer("install")
    assert install is not None and (install.mark, install.glance) == ("yes", "2.7 s, 21 deps, wheels only")
    assert [item.ref for item in install.evidence] == [LogRef("channels", "py313-django60-channels", "install")]
    pages.write_docs(pages.plan(folder, loaded.current, answered=loaded.answers), tmp_path / "docs")  # its site
    compare = BeautifulSoup((tmp_path / "docs" / "compare.md").read_text(), "html.parser")
    cell = compare.select_one('tr[data-library="channels"] td[data-question="install"]')
    assert cell is not None and cell.summary is not None and cell.summary.get_text() == "✓ 2.7 s, 21 deps, wheels only"
    links = [a["href"] for a in cell.select("a")]
    assert links == ["../cells/channels/py313-django60-channels/logs/install.log"]
    schema_2 = {key: value for key, value in older.items() if key != "libraries"} | {"schema_version": 2}
    (folder / results.FILENAME).write_text(json.dumps(schema_2))  # no code kept: the site's project has it
    loaded = sitedata.load(sitedata.Sources(folder), tmp_path / "kept", PROJECT)
    assert loaded.answers == gathered(entries)
