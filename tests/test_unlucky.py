"""What hostile or unlucky input did to the fast commands (merge, site, gate, github, preview), each tried again.

Data lost or written where it must not be, wrong verdicts shown, crashes with
a traceback: each test here failed before its fix. The records are written
with ``dtws.record`` (no real cell runs); the published site is a real one,
built by ``dtws site`` and served over real HTTP on 127.0.0.1 by a server
that can answer 503 for a part of it.
"""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path

import pytest

from dtws import matrix, record, results
from tests.conftest import dtws, dtws_args
from tests.test_site import site_project

STEPS = ("install", "check", "test")


def when(days: float = 0) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days)).isoformat(timespec="seconds")


def write_cell(
    root: Path,
    env: str = "py312-django52-channels",
    status: record.Status = "pass",
    *,
    run_id: str | None = None,
    attempt: int | None = None,
    finished_at: str | None = None,
    reason: str | None = None,
    step: str = "check",
) -> Path:
    """A record of the real cell ``env`` under ``root`` (the layout `dtws run` writes), a log per step."""
    cell = matrix.get(env)
    folder = root / cell.library / cell.env
    rec = record.CellRecord(cell.library, cell.env, cell.python, cell.django, status=status, reason=reason)
    verdict: record.StepVerdict = "pass" if status == "pass" else "fail"
    rec.steps = [
        record.Step(name, [], verdict=verdict if name == "check" else "pass", log=f"logs/{name}.log") for name in STEPS
    ]
    rec.steps[1].name = step
    rec.provenance.run_id, rec.provenance.run_attempt = run_id, attempt
    rec.provenance.started_at = rec.provenance.finished_at = finished_at or when()
    record.write(rec, folder)
    (folder / "logs").mkdir(exist_ok=True)
    for name in STEPS:
        (folder / "logs" / f"{name}.log").write_text(f"{name}: the log\n")
    return folder


def merge(*args: str) -> subprocess.CompletedProcess[str]:
    return dtws(dtws_args("merge", *args))


def gate(*args: str) -> subprocess.CompletedProcess[str]:
    return dtws(dtws_args("gate", *args))


def one_line(done: subprocess.CompletedProcess[str], prefix: str) -> str:
    """The one line a refusal prints: no traceback, the command's name first."""
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, done.stdout
    return lines[0]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real published site: three passing cells, built by `dtws site`, with its runs/ and a bisect."""
    tmp = tmp_path_factory.mktemp("published")
    run = tmp / "run"
    for env in ("py312-django52-channels", "py313-django52-channels", "py312-django52-pysocketio"):
        write_cell(run, env, run_id="105", attempt=1, finished_at=when(-1))
    assert merge(str(run), "--out", str(tmp / "results")).returncode == 0
    project = site_project(tmp)
    built = dtws(dtws_args("site", str(tmp / "results"), "--project", str(project), "--out", str(tmp / "site")))
    assert built.returncode == 0, built.stdout + built.stderr
    return tmp / "site"


class Site(http.server.SimpleHTTPRequestHandler):
    """A published site, but every path under one of ``failing`` answers 503, as Pages does in a bad minute."""

    failing: tuple[str, ...] = ()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].lstrip("/")
        if path.startswith(self.failing):
            self.send_error(503)
            return
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[partial[str]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path, failing: tuple[str, ...] = ()) -> str:
        handler = type("Failing", (Site,), {"failing": failing})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield partial(start)
    for server in servers:
        server.shutdown()
        server.server_close()


# 2. merge --out


def test_merge_never_empties_a_folder_it_did_not_make(tmp_path: Path, published: Path) -> None:
    run = tmp_path / "run"
    write_cell(run)
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / "notes.txt").write_text("mine")
    refused = merge(str(run), "--out", str(home))
    assert refused.returncode == 2
    assert "holds what no merge wrote (.ssh, notes.txt)" in one_line(refused, "dtws merge:")
    assert (home / "notes.txt").read_text() == "mine" and (home / ".ssh").is_dir()

    # The published site inside --out: refused before anything of it is touched.
    holder = tmp_path / "x"
    shutil.copytree(published, holder / "site")
    before = sorted(path.relative_to(holder) for path in holder.rglob("*"))
    refused = merge(str(run), "--out", str(holder), "--published", str(holder / "site" / "results.json"))
    assert refused.returncode == 2 and "holds what no merge wrote (site)" in refused.stdout
    assert sorted(path.relative_to(holder) for path in holder.rglob("*")) == before

    # A folder a merge made is made anew.
    out = tmp_path / "out"
    assert merge(str(run), "--out", str(out)).returncode == 0
    (out / "records" / "stale").mkdir()
    assert merge(str(run), "--out", str(out)).returncode == 0
    assert not (out / "records" / "stale").exists() and (out / "results.json").is_file()


# 3. a brief 503


def test_a_published_site_that_answers_503_is_never_published_over(
    tmp_path: Path, published: Path, serve: partial[str]
) -> None:
    url = serve(published, failing=("cells/", "runs/", "bisect/"))
    run = tmp_path / "run"
    write_cell(run, "py312-django52-pysocketio", run_id="106", attempt=1)
    out = tmp_path / "out"
    merged = merge(str(run), "--out", str(out), "--published", url + "results.json")
    assert merged.returncode == 0, merged.stdout
    line = one_line(merged, "dtws merge:")
    assert "could not be read in full" in line and "HTTP 503" in line and "must not be published" in line
    kept = results.read(out / "results.json")
    assert sum(entry.kept for entry in kept.cells) == 2 and kept.baseline_problem

    output = tmp_path / "output"
    said = dtws(dtws_args("github", "publish", str(out / "results.json")), env={"GITHUB_OUTPUT": str(output)})
    assert output.read_text() == "publish=false\n" and "could not be read in full" in said.stdout

    project = site_project(tmp_path)
    site = tmp_path / "site"
    built = dtws(dtws_args("site", str(out), "--project", str(project), "--out", str(site), "--previous", url))
    assert built.returncode == 2
    assert "runs/index.json: HTTP 503" in one_line(built, "dtws site:") and not site.exists()


def test_a_published_results_json_that_answers_503_builds_a_site_never_published(
    tmp_path: Path, published: Path, serve: partial[str]
) -> None:
    url = serve(published, failing=("results.json",))
    run = tmp_path / "run"
    write_cell(run, "py312-django52-pysocketio", run_id="106", attempt=1)
    out = tmp_path / "out"
    assert merge(str(run), "--out", str(out), "--published", url + "results.json").returncode == 0
    assert "HTTP 503" in str(results.read(out / "results.json").baseline_problem)
    output = tmp_path / "output"
    dtws(dtws_args("github", "publish", str(out / "results.json")), env={"GITHUB_OUTPUT": str(output)})
    assert output.read_text() == "publish=false\n"
    project = site_project(tmp_path)
    site = tmp_path / "site"
    built = dtws(dtws_args("site", str(out), "--project", str(project), "--out", str(site), "--previous", url))
    assert built.returncode == 0, built.stdout  # the run's own site, to look at; never published
    assert "could not be read, so nothing is marked as changed" in one_line(built, "dtws site: the previous")


# 4. a partial run over a site it could not read


@pytest.mark.parametrize("where", ["404", "missing", "capitals"])
def test_a_partial_run_publishes_only_over_what_it_read(
    tmp_path: Path, published: Path, serve: partial[str], where: str
) -> None:
    url = serve(published)
    given = {
        "404": url + "nothing/here/",
        "missing": str(tmp_path / "no-site" / "results.json"),
        "capitals": url.replace("http://", "HTTP://") + "results.json",
    }[where]
    run = tmp_path / "run"
    write_cell(run, "py312-django52-pysocketio", run_id="106", attempt=1)
    out = tmp_path / "out"
    assert merge(str(run), "--out", str(out), "--published", given).returncode == 0
    output = tmp_path / "output"
    dtws(dtws_args("github", "publish", str(out / "results.json")), env={"GITHUB_OUTPUT": str(output)})
    read = results.read(out / "results.json")
    if where == "capitals":  # an http URL, whatever the case of its scheme
        assert sum(entry.kept for entry in read.cells) == 2
        assert output.read_text() == "publish=true\n"
    else:
        assert output.read_text() == "publish=false\n"


# 5. concurrent runs


def test_two_merges_into_one_folder_leave_one_whole_results_folder(tmp_path: Path) -> None:
    runs = []
    for number in range(2):
        run = tmp_path / f"run{number}"
        for cell in matrix.CELLS:
            write_cell(run, cell.env, run_id=str(200 + number))
        runs.append(run)
    out = tmp_path / "out"
    for _ in range(3):
        both = [
            subprocess.Popen(dtws_args("merge", str(run), "--out", str(out)), stdout=subprocess.DEVNULL) for run in runs
        ]
        assert [process.wait(timeout=300) for process in both] == [0, 0]
        merged = results.read(out / "results.json")
        dirs = [entry.record_dir for entry in merged.cells if entry.record_dir]
        assert len(dirs) == len(matrix.CELLS) and all((out / folder / "result.json").is_file() for folder in dirs)
        assert not [path for path in tmp_path.iterdir() if ".new-" in path.name or ".old-" in path.name]


def test_sites_wait_for_merges_and_for_each_other(tmp_path: Path) -> None:
    run = tmp_path / "run"
    for cell in matrix.CELLS:
        write_cell(run, cell.env)
    out = tmp_path / "results"
    assert merge(str(run), "--out", str(out)).returncode == 0
    project = site_project(tmp_path)
    sites = [
        subprocess.Popen(
            dtws_args("site", str(out), "--project", str(project), "--out", str(tmp_path / f"site{number}")),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for number in range(2)
    ]
    while any(site.poll() is None for site in sites):  # the results rewritten again and again meanwhile
        assert merge(str(run), "--out", str(out)).returncode == 0
    for number, site in enumerate(sites):
        output, _ = site.communicate(timeout=300)
        assert site.returncode == 0, output
        logs = list((tmp_path / f"site{number}" / "cells").glob("*/*/logs/check.log"))
        assert len(logs) == len(matrix.CELLS)


# 6, 7, 10: the gate


def test_the_gate_is_never_green_when_it_cannot_see(tmp_path: Path, published: Path, serve: partial[str]) -> None:
    run = tmp_path / "run"
    write_cell(run)
    out = tmp_path / "out"
    assert merge(str(run), "--out", str(out)).returncode == 0
    url = serve(published)
    (tmp_path / "empty").mkdir()
    (tmp_path / "named" / "results.json").mkdir(parents=True)
    for baseline in (
        str(tmp_path / "empty"),
        str(tmp_path / "named" / "results.json"),
        "file://" + str(published / "results.json"),
        url.replace("http://", "htps://") + "results.json",
        url + "junit.xml",
    ):
        done = gate(str(out / "results.json"), "--baseline", baseline)
        assert done.returncode == 2, (baseline, done.stdout)
        one_line(done, "dtws gate:")
    assert gate(str(out / "results.json"), "--baseline", url.replace("http://", "HTTP://")).returncode == 0
    # Nothing published yet, at a site's address: a first run.
    assert gate(str(out / "results.json"), "--baseline", url + "nothing/").returncode == 0


def test_the_gate_lists_a_passing_cell_the_run_lacks(tmp_path: Path, published: Path) -> None:
    run = tmp_path / "run"
    write_cell(run)
    out = tmp_path / "out"
    assert merge(str(run), "--out", str(out)).returncode == 0
    data = json.loads((out / "results.json").read_text())
    data["cells"] = [cell for cell in data["cells"] if cell["cell"] != "py313-django52-channels"]
    (out / "results.json").write_text(json.dumps(data))
    done = gate(str(out / "results.json"), "--baseline", str(published / "results.json"))
    assert "channels py313-django52-channels | ✓ Yes | ? No result | `not in this run's results`" in done.stdout


def test_fail_on_any_is_red_when_no_cell_passes(tmp_path: Path) -> None:
    run = tmp_path / "run"
    for cell in matrix.CELLS:
        write_cell(run, cell.env, status="unavailable")
    out = tmp_path / "out"
    assert merge(str(run), "--out", str(out)).returncode == 0
    done = gate(str(out / "results.json"), "--baseline", str(out / "results.json"), "--fail-on", "any")
    assert done.returncode == 1 and "cells do not pass" in done.stdout


def test_the_gate_never_compares_today_with_another_day(tmp_path: Path, published: Path) -> None:
    day = tmp_path / "then" / "results.json"
    day.parent.mkdir()
    day.write_text(json.dumps({**json.loads((published / "results.json").read_text()), "as_of": "2016-04-19"}))
    run = tmp_path / "run"
    write_cell(run, status="fail")
    out = tmp_path / "out"
    assert merge(str(run), "--out", str(out)).returncode == 0
    done = gate(str(out / "results.json"), "--baseline", str(day))
    assert done.returncode == 2
    assert "results as of 2016-04-19, these are of today" in one_line(done, "dtws gate:")


# 8, 9: merges out of order, clocks


def history(out: Path, env: str = "py312-django52-channels") -> list[tuple[str | None, int | None]]:
    entry = next(e for e in results.read(out / "results.json").cells if e.cell == env)
    return [(item.run_id, item.run_attempt) for item in entry.history]


def test_an_older_run_or_attempt_never_becomes_the_verdict(tmp_path: Path) -> None:
    published = tmp_path / "published"
    for number, (run_id, attempt) in enumerate((("101", 1), ("105", 2))):
        run = tmp_path / f"run-{run_id}"
        write_cell(run, run_id=run_id, attempt=attempt, finished_at=when(-3 + number))
        base = ["--published", str(published / "results.json")] if number else []
        out = tmp_path / f"merged-{run_id}"
        assert merge(str(run), "--out", str(out), *base).returncode == 0
        shutil.rmtree(published, ignore_errors=True)
        shutil.copytree(out, published)
    assert history(published) == [("101", 1), ("105", 2)]
    for run_id, attempt in (("104", 1), ("105", 1), ("101", 3)):
        late = tmp_path / f"late-{run_id}-{attempt}"
        write_cell(late, status="fail", reason="check: late", run_id=run_id, attempt=attempt, finished_at=when())
        out = tmp_path / f"out-{run_id}-{attempt}"
        done = merge(str(late), "--out", str(out), "--published", str(published / "results.json"))
        assert "the published verdict stays" in done.stdout, done.stdout
        assert history(out) == [("101", 1), ("105", 2)]
        entry = next(e for e in results.read(out / "results.json").cells if e.cell == "py312-django52-channels")
        assert entry.kept and entry.record is not None and entry.record.status == "pass"


def test_a_record_from_the_future_or_of_no_time_is_refused(tmp_path: Path) -> None:
    run = tmp_path / "run"
    write_cell(run, finished_at="2099-01-01T00:00:00+00:00")
    write_cell(run, "py313-django52-channels")
    bad = write_cell(run, "py312-django52-pysocketio")
    data = json.loads((bad / "result.json").read_text())
    data["provenance"]["finished_at"] = "yesterday-ish"
    (bad / "result.json").write_text(json.dumps(data))
    out = tmp_path / "out"
    done = merge(str(run), "--out", str(out))
    assert "finished at 2099-01-01T00:00:00+00:00, later than now" in done.stdout
    assert "'yesterday-ish' is not an ISO 8601 time" in done.stdout
    merged = {e.cell: e for e in results.read(out / "results.json").cells}
    assert merged["py312-django52-channels"].record is None and merged["py312-django52-pysocketio"].record is None
    assert merged["py313-django52-channels"].since is not None
    assert not merged["py313-django52-channels"].since.startswith("2099")


# 12, 13, 14: what published data may hold


def test_a_lone_surrogate_never_crashes_a_merge_or_a_site(tmp_path: Path) -> None:
    run = tmp_path / "run"
    folder = write_cell(run, status="fail")
    data = (folder / "result.json").read_text().replace('"reason": null', '"reason": "check: \\ud83d boom"')
    (folder / "result.json").write_text(data)
    first = tmp_path / "first"
    assert merge(str(run), "--out", str(first)).returncode == 0
    assert "\ufffd boom" in (first / "junit.xml").read_text()
    # Kept in a published record: every later merge and site still work.
    (first / "results.json").write_text(
        (first / "results.json")
        .read_text()
        .replace("\\ufffd boom", "\\ud83d boom")
        .replace("\ufffd boom", "\\ud83d boom")
    )
    later = tmp_path / "later"
    write_cell(tmp_path / "other", "py313-django52-channels")
    kept = merge(str(tmp_path / "other"), "--out", str(later), "--published", str(first / "results.json"))
    assert kept.returncode == 0, kept.stdout + kept.stderr
    project = site_project(tmp_path)
    built = dtws(dtws_args("site", str(later), "--project", str(project), "--previous", str(first / "results.json")))
    assert built.returncode == 0, built.stdout + built.stderr


def test_control_characters_never_make_the_junit_xml_malformed(tmp_path: Path) -> None:
    run = tmp_path / "run"
    write_cell(run, status="fail", step="check\x01\x1b[2J")
    out = tmp_path / "out"
    assert merge(str(run), "--out", str(out)).returncode == 0
    names = [case.get("name") for case in ET.parse(out / "junit.xml").iter("testcase")]
    assert "check[2J" in names


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("library", ["x"], "results.cells[0].library: expected text, found ['x']"),
        ("since", 5, "results.cells[0].since: expected text, found 5"),
        ("cell", "../../etc", "results.cells[0].cell: '../../etc' is not a name"),
    ],
)
def test_wrong_shapes_in_published_results_are_refused_in_one_line(
    tmp_path: Path, published: Path, field: str, value: object, said: str
) -> None:
    data = json.loads((published / "results.json").read_text())
    data["cells"][0][field] = value
    baseline = tmp_path / "baseline" / "results.json"
    baseline.parent.mkdir()
    baseline.write_text(json.dumps(data))
    run = tmp_path / "run"
    write_cell(run, status="fail")
    out = tmp_path / "out"
    merged = merge(str(run), "--out", str(out), "--published", str(baseline))
    assert merged.returncode == 0 and said in one_line(merged, "dtws merge:")
    done = gate(str(out / "results.json"), "--baseline", str(baseline))
    assert done.returncode == 2 and said in one_line(done, "dtws gate:")
    project = site_project(tmp_path)
    built = dtws(dtws_args("site", str(out), "--project", str(project), "--previous", str(baseline)))
    assert built.returncode == 0 and said in one_line(built, "dtws site:")


# 15


def test_preview_refuses_a_port_that_is_none(tmp_path: Path) -> None:
    done = dtws(dtws_args("preview", "--port", "99999"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "'99999' is not a port (0 to 65535" in done.stderr
