"""``dtws bench``: real cells' servers under a real load, beside the bare protocol; its data, page and control."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from playwright.sync_api import Browser

from dtws import addresses, answers, pages
from dtws.bench import data, explain, report
from dtws.bench.run import Settings
from dtws.published import Published
from dtws.results import Entry, Results
from dtws.sitedata import SiteData, _bench
from tests.conftest import dtws, dtws_args, processes_mentioning
from tests.test_site import site_project

SMALL = ["--levels", "1,10", "--messages", "3", "--repeat", "2", "--level-seconds", "15"]
Benched = tuple[subprocess.CompletedProcess[str], Path]


@pytest.fixture(scope="module")
def benched(toxworkdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Benched:
    """The bench of two passing libraries' cells, small levels, as a user runs it."""
    out = tmp_path_factory.mktemp("bench")
    cells = ("py312-django52-channels", "py312-django52-tornado")
    done = dtws(dtws_args("bench", *cells, *SMALL, "--toxworkdir", str(toxworkdir), "--out", str(out)))
    return done, out


@pytest.fixture(scope="module")
def bench_site(benched: Benched, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site built with the bench's bench.json (and no cell: the bench page needs none)."""
    _done, out = benched
    folder = tmp_path_factory.mktemp("bench-site")
    (folder / "records").mkdir()
    merged = dtws(dtws_args("merge", str(folder / "records"), "--out", str(folder / "results"), "--allow-empty"))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    project = site_project(folder)
    built = dtws(
        dtws_args("site", str(folder / "results"), "--project", str(project), "--bench", str(out / data.FILENAME))
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert f"bench: {project / 'build' / 'site' / 'bench' / 'index.html'}" in built.stdout
    return project / "build" / "site"


def _faults(toxworkdir: Path, out: Path, switch: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "DTWS_FAULTS_CHAT"}
    if switch is not None:
        env["DTWS_FAULTS_CHAT"] = switch
    command = ["bench", "py312-django52-faults", "--toxworkdir", str(toxworkdir), "--out", str(out), *args]
    return dtws(dtws_args(*command), env=env)


def test_the_bench_prints_each_library_and_level_with_its_ratio_and_writes_bench_json(
    benched: Benched, toxworkdir: Path
) -> None:
    done, out = benched
    assert done.returncode == 0, done.stdout + done.stderr
    run = data.read(out / data.FILENAME).latest
    assert run is not None
    assert [lib.library for lib in run.libraries] == ["channels", "tornado"]
    for lib in run.libraries:
        assert (lib.status, lib.cell) == ("measured", f"py312-django52-{lib.library}") and lib.version
        assert f"{lib.library} ({lib.package} {lib.version}, cell {lib.cell}): measured" in done.stdout
        assert [level.connections for level in lib.levels] == [1, 10]
        for level in lib.levels:
            for side in (level.library, level.reference):
                assert side.outcome == "complete" and side.repetitions == 2, side
                assert side.delivered == side.expected == level.connections**2 * 3
                assert side.latency_ms["p50"] is not None and side.latency_ms["p50"] > 0
                assert side.server_peak_mb > 0 and 0 < side.client_peak_mb < 200
            assert level.ratio is not None and level.ratio_min is not None and level.ratio_max is not None
            assert 0 < level.ratio_min <= level.ratio <= level.ratio_max
            assert report.level_line(level) in done.stdout
    # Nothing outlives the bench: neither the cells' servers nor the reference.
    assert processes_mentioning(str(toxworkdir)) == []
    assert processes_mentioning("dtws.bench.reference") == []


def test_a_library_the_bench_cannot_load_is_reported_and_the_history_goes_on(benched: Benched, tmp_path: Path) -> None:
    _done, out = benched
    empty = tmp_path / "results"
    empty.mkdir()
    done = dtws(
        dtws_args(
            "bench",
            "django-socketio",
            "python-socketio",
            "--results",
            str(empty),
            "--out",
            str(tmp_path),
            "--previous",
            str(out / data.FILENAME),
        )
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "django-socketio (django-socketio ?, cell -): no load client" in done.stdout
    assert "no load client for Socket.IO 0.6" in done.stdout
    assert "python-socketio (python-socketio ?, cell -): no passing cell" in done.stdout
    assert "no passing cell of it in the records" in done.stdout
    bench = data.read(tmp_path / data.FILENAME)
    assert [[lib.library for lib in run.libraries] for run in bench.runs] == [
        ["channels", "tornado"],
        ["django-socketio", "python-socketio"],
    ]
    assert data.newest(bench, "channels") == bench.runs[0].libraries[0]  # the newest run that has it
    assert data.newest(bench, "python-socketio") == bench.runs[1].libraries[1]
    assert data.newest(bench, "no-such-library") is None
    assert data.from_dict(data.to_dict(bench)) == bench


def test_the_control_is_reported_with_its_loss_and_delay_not_as_fast(toxworkdir: Path, tmp_path: Path) -> None:
    args = ["--levels", "1,10", "--messages", "3", "--repeat", "1", "--level-seconds", "10"]
    dropping = _faults(toxworkdir, tmp_path / "drop", "drop=0.5", *args)
    assert dropping.returncode == 0, dropping.stdout + dropping.stderr
    (lib,) = data.read(tmp_path / "drop" / data.FILENAME).runs[-1].libraries
    ten = lib.levels[-1]
    assert ten.library.outcome == "lossy" and ten.library.delivered < 0.8 * ten.library.expected
    assert ten.reference.outcome == "complete"
    assert report.level_line(ten) in dropping.stdout and "lossy" in report.level_line(ten)

    delaying = _faults(toxworkdir, tmp_path / "delay", "delay=0.5", *args)
    assert delaying.returncode == 0, delaying.stdout + delaying.stderr
    (lib,) = data.read(tmp_path / "delay" / data.FILENAME).runs[-1].libraries
    for level in lib.levels:
        p50, ref_p50 = level.library.latency_ms["p50"], level.reference.latency_ms["p50"]
        assert level.library.outcome == "complete" and p50 is not None and p50 >= 500, level
        assert ref_p50 is not None and ref_p50 < 250
        assert level.ratio is not None and level.ratio < 0.5 and level.latency_ratio is not None
        assert level.latency_ratio > 2


def test_a_stalling_server_is_measured_as_stalling_within_its_bound(toxworkdir: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    done = _faults(toxworkdir, tmp_path, None, "--levels", "1,10", "--repeat", "1", "--level-seconds", "3")
    took = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    (lib,) = data.read(tmp_path / data.FILENAME).runs[-1].libraries
    assert [level.library.outcome for level in lib.levels] == ["stalled", "stalled"]
    assert lib.first_error is not None and "no connection within" in lib.first_error
    assert took < 60, f"two levels of 3 s took {took:.0f} s"
    assert processes_mentioning(str(toxworkdir / "py312-django52-faults")) == []


def _numbers(table: Tag) -> list[list[str]]:
    return [[cell.get_text(strip=True) for cell in tr.find_all("td")] for tr in table.find_all("tr")[1:]]


def _shown(value: float | int | None) -> str:
    return "-" if value is None else pages.number(value)


def test_the_charts_render_in_chromium_and_the_tables_hold_bench_jsons_numbers(
    benched: Benched, bench_site: Path, browser: Browser
) -> None:
    _done, out = benched
    bench = data.read(out / data.FILENAME)
    assert json.loads((bench_site / "bench" / data.FILENAME).read_text()) == data.to_dict(bench)
    front = BeautifulSoup((bench_site / "index.html").read_text(), "html.parser")
    assert front.find("a", href="bench/") is not None, "the front page links the bench"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto((bench_site / "bench" / "index.html").as_uri())
    charts = page.locator("svg.dtws-chart")
    assert charts.count() == 2 + 2 * 2  # compared, over time; each library's throughput and latency
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150
        assert charts.nth(index).locator("circle").count() > 0
    assert page.locator("table.dtws-table").first.evaluate("e => getComputedStyle(e).borderCollapse") == "collapse"
    page.close()
    soup = BeautifulSoup((bench_site / "bench" / "index.html").read_text(), "html.parser")
    run = bench.latest
    assert run is not None
    for lib in run.libraries:
        table = soup.find("table", attrs={"data-library": lib.library})
        assert isinstance(table, Tag)
        rows = _numbers(table)
        for level, row in zip(lib.levels, rows, strict=True):
            ours, ref = level.library, level.reference
            expected: list[float | None] = [
                level.connections,
                level.messages,
                ours.delivered,
                ours.expected,
                ours.late,
                ours.errors,
            ]
            expected += [ours.throughput, ref.throughput, level.ratio, level.ratio_min, level.ratio_max]
            expected += [ours.latency_ms[key] for key in ("p50", "p95", "p99")] + [ref.latency_ms["p50"]]
            expected += [ours.connect_ms["p50"], ours.server_peak_mb, ours.server_kb_per_connection]
            expected += [ours.client_peak_mb]
            assert row == [*map(_shown, expected), ours.outcome]
    compared = soup.find("table", id="compared-table")
    assert isinstance(compared, Tag)
    assert _numbers(compared) == [[_shown(level.ratio) for level in lib.levels] for lib in run.libraries]


def test_the_compare_pages_speed_row_is_the_benchs_newest_figure(benched: Benched) -> None:
    _done, out = benched
    bench = data.read(out / data.FILENAME)
    assert bench.latest is not None
    for lib in bench.latest.libraries:
        said = answers.speed(bench, lib.library)
        level = lib.headline
        if level is None or level.ratio is None:
            assert not said.answered and said.short.startswith("not measured: "), said
            continue
        assert said.answered and said.value == level.ratio, said
        assert said.short.startswith(f"{level.ratio:.0%} of the bare protocol's throughput at {level.connections} ")
        assert [item.ref for item in said.evidence] == [addresses.MeasuredRef("bench", lib.library)]
        assert [addresses.link(item.ref, "") for item in said.evidence] == [f"bench/#{lib.library}"]
    assert not answers.speed(None, "channels").answered
    assert not answers.speed(bench, "no-such-library").answered
    (found,) = answers.gather([Entry("channels", "py312-django52-channels", "3.12", "5.2")], {}, bench)
    assert found.answer("speed") == answers.speed(bench, "channels")  # the site's answers have it, computed once


def test_a_site_without_a_new_bench_keeps_the_published_one(bench_site: Path, tmp_path: Path) -> None:
    """A push builds the site without a bench: the published bench page and its bench.json are kept."""
    project = site_project(tmp_path)
    results = bench_site.parent.parent.parent / "results"
    built = dtws(dtws_args("site", str(results), "--project", str(project), "--previous", str(bench_site)))
    assert built.returncode == 0, built.stdout + built.stderr
    kept = project / "build" / "site" / "bench"
    assert (kept / data.FILENAME).read_bytes() == (bench_site / "bench" / data.FILENAME).read_bytes()
    assert (kept / "index.html").is_file()
    bench = data.read(bench_site / "bench" / data.FILENAME)
    before = Published(Results(generated_at="", cells=[]), str(bench_site))
    loaded = SiteData(tmp_path, Results(generated_at="", cells=[]), before=before)
    assert _bench(loaded, tmp_path / "no-such.json", tmp_path) == bench
    assert _bench(SiteData(tmp_path, Results(generated_at="", cells=[])), None, tmp_path) is None


def test_the_command_says_what_is_wrong_in_one_line(tmp_path: Path) -> None:
    for args, said in (
        (["no-such-library"], "dtws bench: 'no-such-library' is neither a library"),
        (["--levels", "0"], "each level is 1 to 2000 connections"),
    ):
        done = dtws(dtws_args("bench", *args, "--out", str(tmp_path)))
        assert done.returncode == 2 and said in done.stdout + done.stderr, done.stdout + done.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 99}')
    done = dtws(dtws_args("bench", "channels", "--previous", str(bad), "--out", str(tmp_path)))
    assert (done.returncode, done.stdout.count("\n")) == (2, 1), done.stdout
    assert "not a bench.json of schema version 1" in done.stdout


def test_the_biggest_levels_send_fewer_messages_within_the_budget() -> None:
    settings = Settings()
    assert [settings.messages_at(size) for size in (1, 10, 100, 500)] == [1000, 200, 2, 1]


def test_a_control_asked_for_wrongly_says_so(toxworkdir: Path, tmp_path: Path) -> None:
    done = _faults(toxworkdir, tmp_path, "lose=0.1", "--levels", "1", "--repeat", "1", "--level-seconds", "3")
    assert done.returncode == 1, done.stdout + done.stderr
    (lib,) = data.read(tmp_path / data.FILENAME).runs[-1].libraries
    assert (lib.status, lib.why) == ("error", "its socket server never listened (see its log)")
    assert "DTWS_FAULTS_CHAT: unknown fault 'lose'" in (tmp_path / "logs" / "faults.log").read_text()


def test_a_bench_json_of_the_wrong_shape_is_refused_in_one_line(tmp_path: Path) -> None:
    """The published bench.json is read back by the next site and bench: its shape is checked field by field."""
    settings = {"levels": [1], "messages": 1, "budget": 1, "repeat": 1, "level_s": 1.0}
    run = {"started_at": "", "finished_at": "", "commit": None, "run_id": None, "job_url": None, "platform": ""}
    library = {"library": "channels", "cell": None, "package": "channels", "version": None, "status": "fast"}
    path = tmp_path / data.FILENAME
    path.write_text(json.dumps({"schema_version": 1, "runs": [{**run, "cpus": 2, "settings": settings}]}))
    with pytest.raises(data.BenchError, match=r"bench\.json: runs\[0\]: missing field 'libraries'$"):
        data.read(path)
    path.write_text(
        json.dumps({"schema_version": 1, "runs": [{**run, "cpus": 2, "settings": settings, "libraries": [library]}]})
    )
    wrong = r"bench\.json: runs\[0\]\.libraries\[0\]\.status: 'fast' is not one of measured, "
    with pytest.raises(data.BenchError, match=wrong):
        data.read(path)


def _figures(connected: int, expected: int, delivered: int, late: int, outcome: data.Outcome) -> data.Figures:
    return data.Figures(
        connections=connected,
        connected=connected,
        messages=1,
        expected=expected,
        delivered=delivered,
        late=late,
        errors=0,
        first_error=None,
        outcome=outcome,
        duration_s=1.0,
        throughput=float(delivered),
        latency_ms={"p50": 28_000.0 if late else 5.0, "p95": None, "p99": None},
        connect_ms={"p50": 1.0, "max": 1.0},
        server_peak_mb=1.0,
        server_kb_per_connection=None,
        client_peak_mb=1.0,
    )


def test_each_level_says_whether_its_messages_were_late_lost_or_late_past_the_window() -> None:
    ref = _figures(10, 100, 100, 0, "complete")
    levels: list[tuple[data.Outcome, int, int]] = [("complete", 100, 7), ("lossy", 30, 0), ("stalled", 40, 40)]
    said = {
        outcome: explain.level(data.level([_figures(10, 100, got, late, outcome)], [ref]), 60.0, "channels")
        for outcome, got, late in levels
    }
    assert said["complete"] == "every message delivered, 7 of them late (over 1 s)"
    assert said["lossy"].startswith("lost: 70 of 100 never arrived (nothing came for 10 s after the last send)")
    assert said["stalled"].startswith("late past the window: every message that arrived was late (p50 28.0 s)")
    assert "60 s ended" in said["stalled"] and "in-memory channel layer" in said["lossy"]
    assert "Known cause" not in explain.level(data.level([_figures(10, 100, 30, 0, "lossy")], [ref]), 60.0, "tornado")
    never = explain.level(data.level([_figures(0, 0, 0, 0, "failed")], [ref]), 60.0, "tornado")
    assert never.startswith("never sent: no client connected")
