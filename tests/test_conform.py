"""``dtws conform``: the Autobahn|Testsuite against echo endpoints; its controls, its data, its answer and pages.

The suite itself runs here on the reference echo only, in a short run (a few
cases, each a second or so), with the harness's own faults switched on: the
controls. Every library's figures come from a recorded run (conformance.json.gz
beside this file: ``dtws conform`` on py313-django60 cells of channels,
channels-redis, tornado and python-socketio, and a run before it).
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from dtws import addresses, answers, hosts, pages, procs, tell
from dtws.conform import data, suite
from dtws.conform.reference import FAULTS
from dtws.conform.run import conform
from dtws.libraries import library
from dtws.results import Entry
from tests.conftest import PROJECT, dtws, dtws_args

RECORDED = Path(__file__).with_name("conformance.json.gz")
SHORT = ["1.1.1", "1.1.6", "1.1.7", "1.1.8", "1.2.1", "1.2.7", "1.2.8"]


@pytest.fixture(scope="module")
def recorded() -> data.Conformance:
    return data.from_dict(json.loads(gzip.decompress(RECORDED.read_bytes())))


@pytest.fixture(scope="session")
def autobahn() -> None:
    """The suite installed into its cache folder (from the package index, the first time)."""
    with open("/dev/null", "ab") as log:
        suite.install(log, hosts.Local())


def _short_run(out: Path, fault: str | None, monkeypatch: pytest.MonkeyPatch) -> data.Endpoint:
    if fault is None:
        monkeypatch.delenv(FAULTS, raising=False)
    else:
        monkeypatch.setenv(FAULTS, fault)
    run = conform([], project=PROJECT, toxworkdir=out, out=out, previous=None, say=lambda line: None, cases=SHORT)
    assert run.latest is not None
    return run.latest.reference


def _failed(endpoint: data.Endpoint) -> list[str]:
    assert endpoint.status == "tested", endpoint.why
    assert [case.id for case in endpoint.cases] == SHORT
    return [case.id for case in endpoint.failed]


@pytest.mark.network
def test_the_clean_echo_passes_the_short_run(autobahn: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = _short_run(tmp_path, None, monkeypatch)
    assert _failed(endpoint) == []
    assert endpoint.counts() == {"OK": len(SHORT)}
    assert all(case.description and case.report for case in endpoint.cases)
    assert (tmp_path / data.FILENAME).is_file() and (tmp_path / str(endpoint.report)).is_file()


@pytest.mark.network
def test_an_echo_that_cuts_messages_fails_the_64_kib_cases(
    autobahn: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = _short_run(tmp_path, "truncate", monkeypatch)
    assert _failed(endpoint) == ["1.1.7", "1.1.8", "1.2.7", "1.2.8"]
    assert data.failures_why(endpoint.failed, {}) == "long messages cut"


@pytest.mark.network
def test_an_echo_that_drops_empty_messages_fails_their_cases(
    autobahn: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = _short_run(tmp_path, "drop-empty", monkeypatch)
    assert _failed(endpoint) == ["1.1.1", "1.2.1"]
    assert data.failures_why(endpoint.failed, {}) == "empty messages dropped"
    assert procs.RUN_ID  # the run's processes carried its marks; the reference echo ended with it


def test_the_recorded_run_has_every_case_of_each_stack_and_the_reference(recorded: data.Conformance) -> None:
    run = recorded.latest  # the run of every stack with a passing cell here (before it: two runs of some)
    assert run is not None and len(recorded.runs) == 3
    assert run.reference.library == "websockets" and run.excluded == ["9.*", "12.*", "13.*"]
    tested = {item.library: item for item in [run.reference, *run.libraries] if item.status == "tested"}
    whole = {"websockets", "channels", "channels-redis", "tornado", "python-socketio", "gevent-socketio"}
    assert set(tested) == {*whole, "django-websocket-redis"}
    for item in [tested[name] for name in whole]:
        assert len(item.cases) == 247 and all(case.description for case in item.cases), item.library
    # uWSGI (ws4redis' websocket) crashed on case 5.1, a fragmented ping: the suite could not go on.
    wsredis = tested["django-websocket-redis"]
    assert (
        len(wsredis.cases) == 45 and wsredis.cases[-1].id == "5.1" and "the suite stopped after 45" in str(wsredis.why)
    )
    # The issue's table: websockets 17.4, Tornado 6.6.1, daphne 4.2.3 + Channels 4.3.2.
    assert [case.id for case in tested["websockets"].failed] == ["7.1.5"]
    assert [case.id for case in tested["tornado"].failed] == [f"7.9.{n}" for n in range(1, 10)]
    # A few cases are OK or NON-STRICT by a race (the echo of a message before a protocol error): OK and NON-STRICT
    # together are the same from run to run.
    assert run.summary(tested["channels"]).endswith(" 3 informational, 4 failed: empty messages dropped")
    assert sum(tested["channels"].counts().get(key, 0) for key in ("OK", "NON-STRICT")) == 240
    assert [case.id for case in tested["channels"].failed] == ["1.1.1", "1.2.1", "6.1.1", "6.1.2"]
    assert run.summary(tested["tornado"]).endswith(
        "9 failed: Close frame structure: invalid close codes (fuzzer initiated)"
    )
    assert list(tested["tornado"].by_section("FAILED")) == ["7.9"]
    assert run.section_title("7.9").startswith("Close Handling › Close frame structure")


def test_the_compare_pages_protocol_row_is_the_newest_run_of_each_library(recorded: data.Conformance) -> None:
    said = answers.protocol(recorded, "channels")
    assert said.answered and said.short.startswith("231 OK, 9 non-strict, 3 informational, 4 failed: empty messages")
    assert "the bare websockets: 1 failed" in said.short
    assert [item.ref for item in said.evidence] == [addresses.MeasuredRef("protocol", "channels")]
    assert [addresses.link(item.ref, "../") for item in said.evidence] == ["../conformance/channels.html"]
    assert not answers.protocol(None, "channels").answered
    assert not answers.protocol(recorded, "no-such-library").answered
    no_echo = answers.protocol(recorded, "django-socketio")  # recorded before its cause was declared
    assert not no_echo.answered and no_echo.short.startswith("not tested: "), no_echo
    (found,) = answers.gather([Entry("channels", "py312-django52-channels", "3.12", "5.2")], {}, None, recorded)
    assert found.answer("protocol") == said  # the site's answers have it, from the one computation


def test_failures_that_grow_are_told_as_information_never_as_a_regression(recorded: data.Conformance) -> None:
    last = recorded.runs[-1]
    fewer = dataclasses.replace(last.reference, cases=[case for case in last.reference.cases if case.behavior == "OK"])
    earlier = dataclasses.replace(last, reference=fewer, libraries=[])
    grown = data.Conformance(runs=[earlier, last])
    change = data.change(grown, "websockets")
    assert change is not None and change.new == ["7.1.5"] and change.fixed == []
    told = tell.Told([], [], protocol=tell.protocol(grown))
    assert [item.library for item in told.protocol] == ["websockets"]
    text = tell.body(told)
    assert "No cell that passed before fails now." in text and "7.1.5" in text
    assert "Information, not a regression" in text
    assert tell.read(tell.as_data(told)) == told
    assert tell.read({"regressions": [], "flaky": []}).protocol == []  # a verdict of an older dtws


def test_the_tell_job_gives_what_grew_as_a_notice_whatever_the_issue(
    recorded: data.Conformance, tmp_path: Path
) -> None:
    grown = tell.Told([], [], protocol=[tell.Grown("channels", 4, 5, ["2.1"])])
    verdict = tmp_path / "verdict.json"
    verdict.write_text(json.dumps(tell.as_data(grown)))
    env = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    done = dtws(dtws_args("github", "issue", str(verdict)), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::notice title=dtws protocol::channels: 4 → 5 failed cases (failing now: 2.1)" in done.stdout
    assert "::warning title=dtws::nobody told" in done.stdout


def test_the_pages_group_failing_cases_by_section_and_link_autobahns_report(
    recorded: data.Conformance, tmp_path: Path
) -> None:
    run = recorded.latest
    assert run is not None
    source = tmp_path / "run"
    for item in [run.reference, *run.libraries]:
        for case in item.cases:
            if case.report:
                (source / case.report).parent.mkdir(parents=True, exist_ok=True)
                (source / case.report).write_text("<p>the suite's page</p>")
        if item.report:
            (source / item.report).write_text("<p>the suite's index</p>")
    (source / "reports" / "websockets" / "planted.html").symlink_to("/etc/hostname")
    out = tmp_path / "site"
    assert pages.write_conformance(recorded, source, out, "dtws", pages.shell.plain("dtws"))
    index = (out / "conformance" / "index.html").read_text()
    assert 'href="websockets.html"' in index and "reports/websockets/index.html" in index
    page = (out / "conformance" / "python-socketio.html").read_text()
    assert "Failed cases, by the suite's sections" in page and "Autobahn's report" in page
    assert not (out / "conformance" / "reports" / "websockets" / "planted.html").exists()
    assert data.read(out / "conformance" / data.FILENAME) == recorded
    assert pages.write_conformance(recorded, None, tmp_path / "bare", "dtws", pages.shell.plain("dtws"))
    assert "Autobahn's report not kept" in (tmp_path / "bare" / "conformance" / "websockets.html").read_text()


def test_reading_bench_json_or_conformance_json_loads_no_server_nor_load() -> None:
    code = (
        "import sys, dtws.bench.data, dtws.conform.data\n"
        "loaded = [m for m in ('dtws.bench.load', 'dtws.bench.clients', 'dtws.conform.run', 'dtws.conform.suite',"
        " 'websockets') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_each_library_declares_its_echo_or_why_it_has_none() -> None:
    for name in (
        "channels",
        "channels-redis",
        "tornado",
        "python-socketio",
        "gevent-socketio",
        "django-websocket-redis",
    ):
        echo = library(name).echo
        assert echo is not None and echo.path == "/ws/echo/", name
    for name in ("django-socketio", "django-socketio-workaround"):  # the same stack, other pins
        echo = library(name).echo
        assert echo is not None and echo.path is None and "runserver_socketio" in str(echo.missing)


def test_the_command_says_what_is_wrong_in_one_line(tmp_path: Path) -> None:
    done = dtws(dtws_args("conform", "no-such-thing", "--results", str(tmp_path)))
    assert done.returncode == 2 and done.stdout.count("\n") == 1, done.stdout + done.stderr
    assert "'no-such-thing' is neither a library" in done.stdout
    (tmp_path / "bad.json").write_text('{"schema_version": 1, "runs": [{"started_at": 3}]}')
    done = dtws(dtws_args("conform", "--previous", str(tmp_path / "bad.json"), "--results", str(tmp_path)))
    assert done.returncode == 2 and done.stdout.startswith("dtws conform: --previous: "), done.stdout
    assert done.stdout.count("\n") == 1


def test_the_pages_read_on_a_wide_and_a_narrow_screen(
    recorded: data.Conformance, tmp_path: Path, browser: Browser
) -> None:
    """No page wider than a phone's screen (the servers' table scrolls in its box), each case's row readable."""
    assert pages.write_conformance(recorded, None, tmp_path, "dtws", pages.shell.plain("dtws"))
    # the site's stylesheet, where a built site has it (the pages' own styles live there)
    shutil.copytree(PROJECT / "site" / "stylesheets", tmp_path / "stylesheets")
    for width in (1280, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        for name in ("index", "channels", "django-websocket-redis"):
            page.goto((tmp_path / "conformance" / f"{name}.html").as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        cases = page.locator('tr[data-case="6.1.2"]')
        assert cases.count() == 0  # the wsredis page: the suite stopped before 6.1.2
        page.goto((tmp_path / "conformance" / "channels.html").as_uri())
        row = page.locator('table[data-behaviour="FAILED"] tr[data-case="6.1.2"]')
        assert "never came back" in row.inner_text()
        box = row.bounding_box()
        assert box is not None and box["width"] <= width
        page.close()
