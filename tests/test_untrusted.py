"""Faults, round three (issue 28): writes that followed a link out of their folder, one bad value that stopped a
whole publish, wrong exit codes and silent losses. Each test failed before its fix.

The records, results.json and bench.json are written here by hand (no real cell runs, no real bench level);
the GitHub API is a fake on 127.0.0.1 that answers what GitHub's never documents.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from dtws import answers, files, pages, record, results, review, shapes, sitedata, tell
from dtws.addresses import WebRef
from dtws.answers import Answer, Evidence, LibraryAnswers
from dtws.bench import data
from tests.conftest import PROJECT, dtws, dtws_args
from tests.test_site import site_project
from tests.test_unlucky import gate, merge, one_line, write_cell

A, B = "py312-django52-channels", "py313-django52-channels"
VICTIM = b"the victim's own text\n"


def victim(tmp_path: Path, name: str = "victim.txt") -> Path:
    path = tmp_path / "elsewhere" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(VICTIM)
    return path


def edited(path: Path, old: str, new: str) -> Path:
    text = path.read_text()
    assert old in text, text[:300]
    path.write_text(text.replace(old, new, 1))
    return path


def strict(path: Path) -> Any:
    """``path`` as a browser's JSON.parse reads it: no NaN, no Infinity."""
    return json.loads(path.read_text(), parse_constant=lambda name: pytest.fail(f"{path}: {name}"))


def merged(tmp_path: Path, *folders: Path, name: str = "out", extra: tuple[str, ...] = ()) -> Path:
    out = tmp_path / name
    done = merge(*map(str, folders), "--out", str(out), *extra)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    return out


def entry(out: Path, env: str) -> results.Entry:
    return next(item for item in results.read(out / results.FILENAME).cells if item.cell == env)


def bench_run(run_id: str | None = "7", **library: Any) -> dict[str, Any]:
    """A bench run as bench.json holds it: channels measured at one level, ``library`` changing its fields."""
    stats = {
        "repetitions": 1,
        "outcome": "complete",
        "connected": 1,
        "expected": 5,
        "delivered": 5,
        "late": 0,
        "errors": 0,
        "first_error": None,
        "throughput": 10.0,
        "throughput_min": 10.0,
        "throughput_max": 10.0,
        "latency_ms": {"p50": 1.0, "p95": 2.0, "p99": 2.0},
        "connect_ms": {"p50": 1.0, "max": 1.0},
        "server_peak_mb": 50.0,
        "server_kb_per_connection": None,
        "client_peak_mb": 40.0,
    }
    level: dict[str, Any] = {
        "connections": 1,
        "messages": 5,
        "library": stats,
        "reference": {**stats, "throughput": 20.0},
    }
    level |= {"ratio": 0.5, "ratio_min": 0.5, "ratio_max": 0.5, "latency_ratio": 1.0}
    lib = {"library": "channels", "cell": A, "package": "channels", "version": "4.3.2", "status": "measured"}
    settings = {"levels": [1], "messages": 5, "budget": 5, "repeat": 1, "level_s": 5.0}
    run: dict[str, Any] = {
        "started_at": "2026-12-01T10:00:00+00:00",
        "finished_at": "2026-12-01T10:01:00+00:00",
        "commit": None,
    }
    run |= {"run_id": run_id, "job_url": None, "platform": "Linux", "cpus": 2, "settings": settings}
    return {**run, "libraries": [{**lib, "levels": [level], **library}]}


def bench_json(path: Path, *runs: dict[str, Any], text: Callable[[str], str] = str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text(json.dumps({"schema_version": 1, "runs": list(runs)}, indent=1)))
    return path


def bench(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The bench of a library it has no passing cell of: nothing is loaded, bench.json is written at once."""
    return dtws(dtws_args("bench", "python-socketio", *args), env=env)


# 1. (and the test of every writer, at the end)


def test_the_bench_never_writes_through_a_link_at_its_files(tmp_path: Path) -> None:
    target = victim(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "bench.json.partial").symlink_to(target)
    (out / "bench.json").symlink_to(target)
    empty = tmp_path / "results"
    empty.mkdir()
    done = bench("--results", str(empty), "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert target.read_bytes() == VICTIM
    assert not (out / "bench.json").is_symlink() and data.read(out / "bench.json").runs


# 2.


def test_a_lock_file_that_is_a_link_is_refused_never_followed(tmp_path: Path) -> None:
    target = victim(tmp_path)
    (tmp_path / "l1").mkdir()
    (tmp_path / "l1" / ".out.lock").symlink_to(target)
    run = tmp_path / "run"
    write_cell(run)
    done = merge(str(run), "--out", str(tmp_path / "l1" / "out"))
    assert done.returncode == 2 and "a link" in one_line(done, "dtws merge:")
    assert target.read_bytes() == VICTIM and not (tmp_path / "l1" / "out").exists()

    fifo = tmp_path / "l2" / ".out.lock"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    done = merge(str(run), "--out", str(tmp_path / "l2" / "out"))
    assert done.returncode == 2 and "not a regular file" in one_line(done, "dtws merge:")

    folder = tmp_path / "results"
    folder.mkdir()
    (folder / ".dtws.lock").symlink_to(target)
    done = dtws(dtws_args("cell", "py312-django52", "--results", str(folder), "--toxworkdir", str(tmp_path / "t")))
    assert done.returncode == 2 and "a link" in one_line(done, "dtws cell:")
    assert target.read_bytes() == VICTIM


# 3.


def test_a_nan_in_one_record_is_that_cells_no_result_and_the_rest_is_published(tmp_path: Path) -> None:
    run = tmp_path / "run"
    write_cell(run, A)
    bad = write_cell(run, B) / record.FILENAME
    edited(bad, '"coverage_percent": null', '"coverage_percent": NaN')
    out = merged(tmp_path, run)
    assert strict(out / results.FILENAME)
    assert entry(out, A).record is not None
    said = entry(out, B).problem or ""
    assert entry(out, B).record is None and "NaN" in said and str(bad) in said

    # The same value in a results.json: one line each. The merge keeps nothing of it, and says these results
    # must not be published; the site and the gate refuse it (exit code 2).
    whole = (out / results.FILENAME).read_text()
    nan = tmp_path / "nan" / results.FILENAME
    nan.parent.mkdir()
    nan.write_text(whole.replace('"coverage_percent":null', '"coverage_percent":NaN', 1))
    again = merge(str(run), "--out", str(tmp_path / "again"), "--published", str(nan))
    assert again.returncode == 0 and "NaN" in one_line(again, "dtws merge: the published results")
    assert strict(tmp_path / "again" / results.FILENAME)["baseline_problem"]
    built = dtws(dtws_args("site", str(nan.parent), "--project", str(site_project(tmp_path))))
    assert built.returncode == 2 and "NaN" in one_line(built, "dtws site:")
    done = gate(str(out / results.FILENAME), "--baseline", str(nan))
    assert done.returncode == 2 and "NaN" in one_line(done, "dtws gate:")
    for infinite in ("Infinity", "-Infinity", "1e400"):
        with pytest.raises(results.ResultsError, match="results.json: not JSON dtws reads"):
            nan.write_text(whole.replace('"coverage_percent":null', f'"coverage_percent":{infinite}', 1))
            results.read(nan)
    with pytest.raises(shapes.ShapeError, match="expected a finite number, found nan"):
        shapes.build(record.Step, {"name": "x", "needs": [], "duration_s": float("nan")}, "step")


# 4.


def deep(path: Path, depth: int = 100_000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"schema_version": 3, "cells": ' + "[" * depth + "]" * depth + "}")
    return path


def test_a_huge_number_or_a_deep_nesting_is_one_line_naming_its_file(tmp_path: Path) -> None:
    run = tmp_path / "run"
    write_cell(run, A)
    huge = edited(write_cell(run, B) / record.FILENAME, '"run_attempt": null', '"run_attempt": ' + "9" * 5000)
    out = merged(tmp_path, run)
    said = entry(out, B).problem or ""
    assert entry(out, A).record is not None and str(huge) in said and "digits" in said

    nested = deep(tmp_path / "deep" / results.FILENAME)
    done = gate(str(out / results.FILENAME), "--baseline", str(nested))
    assert done.returncode == 2 and "nested too deeply" in one_line(done, "dtws gate:")
    done = gate(str(nested), "--baseline", str(out / results.FILENAME))
    assert done.returncode == 2 and f"{nested}: nested too deeply" in one_line(done, "dtws gate:")
    done = dtws(dtws_args("github", "publish", str(nested)))
    assert done.returncode == 2 and "nested too deeply" in one_line(done, "::error title=dtws::")
    done = dtws(dtws_args("site", str(nested.parent), "--project", str(site_project(tmp_path))))
    assert done.returncode == 2 and "nested too deeply" in one_line(done, "dtws site:")
    done = merge(str(run), "--out", str(tmp_path / "again"), "--published", str(nested))
    assert done.returncode == 0 and "nested too deeply" in one_line(done, "dtws merge: the published results")


# 5.


def test_an_answer_that_a_record_cannot_give_says_so_and_the_site_goes_on(tmp_path: Path) -> None:
    run = tmp_path / "run"
    folder = write_cell(run, A)
    rec = record.read(folder / record.FILENAME)
    rec.steps = []
    record.write(rec, folder)
    out = merged(tmp_path, run)
    loaded = sitedata.load(sitedata.Sources(out), tmp_path / "kept", PROJECT)
    found = next(item for item in loaded.answers if item.library == "channels")
    install = found.answer("install")
    assert install is not None and not install.answered and install.short.startswith("cannot be answered")

    rec = record.read(write_cell(tmp_path / "other", A) / record.FILENAME)
    rec.installed = record.Installed(packages=[record.Package("channels", "4.3.2", 10**400)], env_packages=3)
    item = results.Entry(rec.library, rec.cell, rec.python, rec.django, record=rec)
    (found,) = answers.gather([item], answers.integrations([item], PROJECT))
    for key in ("install", "architecture"):
        said = found.answer(key)
        assert said is not None and not said.answered and "cannot be answered from its records" in said.short
    assert [a.answered for a in found.answers if a.question in ("integration", "events")] == [True, True]


# 6.


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda text: text.replace('"throughput": 10.0', '"throughput": NaN', 1), "NaN is not a number"),
        (lambda text: text.replace('"ratio": 0.5', '"ratio": Infinity', 1), "Infinity is not a number"),
        (lambda text: text.replace('"ratio": 0.5', '"ratio": -0.5', 1), "ratio: -0.5 is not a figure"),
        (lambda text: text.replace('"delivered": 5', '"delivered": -5', 1), "delivered: -5 is not a count"),
        (lambda text: text.replace('"library": "channels"', '"library": "</text><script>x"', 1), "is not a name"),
        (lambda text: text.replace(f'"cell": "{A}"', '"cell": "../../../x"', 1), "is not a name"),
    ],
)
def test_a_bench_json_with_impossible_figures_or_names_is_refused(
    tmp_path: Path, change: Callable[[str], str], said: str
) -> None:
    path = bench_json(tmp_path / "bench.json", bench_run(), text=change)
    with pytest.raises(data.BenchError, match="bench.json: ") as error:
        data.read(path)
    assert said in str(error.value)
    done = bench("--previous", str(path), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and said in one_line(done, "dtws bench: --previous")
    run = tmp_path / "run"
    write_cell(run, A)
    out = merged(tmp_path, run)
    built = dtws(dtws_args("site", str(out), "--project", str(site_project(tmp_path)), "--bench", str(path)))
    assert built.returncode == 2 and said in one_line(built, "dtws site:")


# 7.


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("env_packages", -1),
        ("test_functions", -3),
        ("env_bytes", 10**24),
        ("release.recent", -1),
        ("packages[0].bytes", -1),
        ("description_chars", True),
    ],
)
def test_impossible_evidence_is_never_shown_as_fact(tmp_path: Path, where: str, value: object) -> None:
    folder = write_cell(tmp_path / "run", A)
    rec = record.read(folder / record.FILENAME)
    rec.installed = record.Installed(packages=[record.Package("channels", "4.3.2", 1000)])
    written = record.to_dict(rec)
    *path, last = where.replace("[0]", ".0").split(".")
    inner = written["installed"]
    for part in path:
        inner = inner[int(part)] if part.isdigit() else inner[part]
    inner[last] = value
    (folder / record.FILENAME).write_text(json.dumps(written))
    with pytest.raises(record.RecordError, match=re.escape(f"record.installed.{where}: ")):
        record.read(folder / record.FILENAME)


def test_a_link_refused_as_unsafe_is_text_not_a_link_to_the_page_itself() -> None:
    unsafe = [Evidence("its home", WebRef("javascript:alert(1)")), Evidence("its docs", WebRef("//elsewhere.example/"))]
    found = LibraryAnswers(review.LIBRARY, [Answer(key, True, "yes", unsafe) for key in ("docs", "install")])
    card = pages._environment().from_string('{% from "card.html.j2" import card %}{{ card(found, qs, "../") }}')
    beside = review.beside(found)
    page = pages._environment().get_template("review.html.j2")
    for html in (
        card.render(found=found, qs=answers.QUESTIONS),
        page.render(
            day=review.DAY, rows=[], columns=review.COLUMNS, marks={}, questions=[], beside=beside, site_name="x"
        ),
    ):
        soup = BeautifulSoup(html, "html.parser")
        assert [a["href"] for a in soup.find_all("a") if a.get_text() in ("its home", "its docs")] == []
        assert "its home" in soup.get_text() and "its docs" in soup.get_text()


# 8.


@pytest.mark.parametrize("version", ["true", "1.0", "3.0", '"1"'])
def test_a_schema_version_is_a_whole_number_and_nothing_else(tmp_path: Path, version: str) -> None:
    folder = write_cell(tmp_path / "run", A)
    edited(folder / record.FILENAME, '"schema_version": 1', f'"schema_version": {version}')
    with pytest.raises(record.RecordError, match="unknown schema_version"):
        record.read(folder / record.FILENAME)
    out = merged(tmp_path, write_cell(tmp_path / "good", A).parent.parent)
    edited(out / results.FILENAME, f'"schema_version":{results.SCHEMA_VERSION}', f'"schema_version":{version}')
    with pytest.raises(results.ResultsError, match="unknown schema_version"):
        results.read(out / results.FILENAME)
    path = bench_json(
        tmp_path / "bench.json",
        bench_run(),
        text=lambda t: t.replace('"schema_version": 1', f'"schema_version": {version}'),
    )
    with pytest.raises(data.BenchError, match="not a bench.json of schema version 1"):
        data.read(path)


# 9.


class Odd(http.server.BaseHTTPRequestHandler):
    """An API that answers 200 with what GitHub never answers: ``null`` to the issues' list, ``[]`` to a new issue."""

    answers: dict[str, bytes]

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        payload = self.answers[self.command]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def odd() -> Iterator[Callable[[dict[str, bytes]], str]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(answered: dict[str, bytes]) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), type("Odd", (Odd,), {"answers": answered}))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "answered",
    [
        {"GET": b"null"},
        {"GET": b"{}"},
        {"GET": b'[{"number": "1"}]'},
        {"GET": b"[]", "POST": b"[]"},
        {"GET": b"[]", "POST": b'{"number": null}'},
        {"GET": b"[]", "POST": b"NaN"},
    ],
)
def test_an_unexpected_api_answer_is_a_warning_never_a_failed_job(
    tmp_path: Path, odd: Callable[[dict[str, bytes]], str], answered: dict[str, bytes]
) -> None:
    told = tell.Told([tell.Cell("channels", A, "pass", "fail", "check: boom")], [])
    verdict = files.write_json(tmp_path / "verdict.json", tell.as_data(told))
    env = {**os.environ, "GITHUB_API_URL": odd(answered), "GITHUB_REPOSITORY": "dtws/dtws", "GITHUB_TOKEN": "t"}
    done = dtws(dtws_args("github", "issue", str(verdict)), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "/repos/dtws/dtws/issues" in one_line(done, "::warning title=dtws::nobody told:")


# 10.


def test_gate_verdict_that_cannot_be_written_is_exit_2_before_any_report(tmp_path: Path) -> None:
    out = merged(tmp_path, write_cell(tmp_path / "run", A).parent.parent)
    current = str(out / results.FILENAME)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    a_file = victim(tmp_path)
    for path, said in ((folder, "is a folder, not a file"), (a_file / "verdict.json", "is a file, not a folder")):
        done = gate(current, "--baseline", current, "--verdict", str(path))
        assert done.returncode == 2 and said in one_line(done, "dtws gate:")
        assert "## dtws" not in done.stdout
    assert a_file.read_bytes() == VICTIM


# 11.


def test_bench_refuses_a_previous_or_results_that_is_none(tmp_path: Path) -> None:
    out = tmp_path / "out"
    nosite = tmp_path / "nosite"
    nosite.mkdir()
    for args, said in (
        (["--previous", str(tmp_path / "prev.jsno")], "prev.jsno: no such file or folder"),
        (["--previous", str(nosite)], "neither a bench.json nor a built site"),
        (["--results", str(victim(tmp_path))], "not a folder of cell records"),
        (["--results", str(tmp_path / "no-such-folder")], "not a folder of cell records"),
    ):
        done = bench(*args, "--out", str(out))
        assert done.returncode == 2 and said in one_line(done, "dtws bench:")
    assert not (out / data.FILENAME).exists()


# 12.


def test_a_bench_run_again_replaces_its_history_entry(tmp_path: Path) -> None:
    previous = bench_json(tmp_path / "previous.json", bench_run("5"), bench_run("7"))
    empty = tmp_path / "results"
    empty.mkdir()
    env = {**os.environ, "GITHUB_RUN_ID": "7"}
    done = bench("--results", str(empty), "--previous", str(previous), "--out", str(tmp_path / "out"), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    found = data.read(tmp_path / "out" / data.FILENAME)
    assert [run.run_id for run in found.runs] == ["5", "7"]
    assert found.runs[-1].libraries[0].library == "python-socketio"


# 13.


def test_a_base_that_looks_like_an_option_never_reaches_git(tmp_path: Path) -> None:
    kept = victim(tmp_path)
    for base in (f"--output={kept}", "-o", "HEAD --output=x"):
        done = subprocess.run(
            [sys.executable, "-m", "dtws", "github", "matrix", "--event", "pull_request", f"--base={base}"],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 2 and "not a" in one_line(done, "::error title=dtws plan::")
    assert kept.read_bytes() == VICTIM
    assert "HEAD^{commit}" not in (PROJECT / "x").as_posix() and not (PROJECT / "x").exists()


# Done when: no writer follows a link or writes outside its folder.


def written(folder: Path) -> list[str]:
    """Every file under ``folder``, relative to it."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def planted(folder: Path, names: list[str], target: Path) -> list[Path]:
    """A link to ``target`` at each of ``names`` under ``folder`` (where dtws writes a file of that name)."""
    links = []
    for name in names:
        link = folder / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)
        links.append(link)
    return links


def test_no_writer_follows_a_link_at_any_file_it_writes(tmp_path: Path) -> None:
    target = victim(tmp_path)
    run = tmp_path / "run"
    write_cell(run, A)
    write_cell(run, B, "fail", reason="check: boom")

    # Where each command writes, learned from a first run of it.
    first = merged(tmp_path / "first", run)
    project = site_project(tmp_path / "first")
    bench_file = bench_json(tmp_path / "bench" / data.FILENAME, bench_run())
    built = dtws(dtws_args("site", str(first), "--project", str(project), "--bench", str(bench_file)))
    assert built.returncode == 0, built.stdout + built.stderr
    docs = [name for name in written(project / "site") if name.split("/")[0] in pages.GENERATED]
    site = written(project / "build" / "site")
    assert "cells/channels/" + A + "/index.html" in site and "bench/bench.json" in site and "runs/index.json" in site

    # Every one of those names a link, in a second run's folders.
    second = tmp_path / "second"
    links = planted(second / "out", written(first), target)
    assert "junit.xml" in [link.name for link in links]
    done = merge(str(run), "--out", str(second / "out"))
    assert done.returncode == 0, done.stdout + done.stderr
    project = site_project(second)
    linked = ("cells", "libraries")  # a folder dtws writes into, one mkdocs does: each a link to a folder
    aside = tmp_path / "elsewhere" / "folder"
    aside.mkdir()
    links += planted(project / "build" / "site", list(linked), aside)
    in_files = [name for name in site if name.split("/")[0] not in linked]
    links += planted(project / "site", docs, target) + planted(project / "build" / "site", in_files, target)
    built = dtws(dtws_args("site", str(second / "out"), "--project", str(project), "--bench", str(bench_file)))
    assert built.returncode == 0, built.stdout + built.stderr
    links += planted(second / "bench", [data.FILENAME], target)
    done = bench("--results", str(second / "out"), "--out", str(second / "bench"))
    assert done.returncode == 0, done.stdout + done.stderr
    links += planted(second, ["verdict.json"], target)
    current = str(second / "out" / results.FILENAME)
    done = gate(current, "--baseline", current, "--verdict", str(second / "verdict.json"))
    assert done.returncode == 0, done.stdout + done.stderr

    assert target.read_bytes() == VICTIM and list(aside.iterdir()) == []
    assert [str(link) for link in links if link.is_symlink()] == []
    assert (second / "out" / "junit.xml").read_bytes().startswith(b"<?xml")
    assert strict(project / "build" / "site" / "bench" / data.FILENAME) and strict(second / "verdict.json")

    # The locks: each refuses a link at its name, and writes nothing through it.
    lock = second / ".out.lock"
    lock.unlink()
    lock.symlink_to(target)
    done = merge(str(run), "--out", str(second / "out"))
    assert done.returncode == 2 and "a link" in one_line(done, "dtws merge:")
    lock = project / ".site.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(target)
    built = dtws(dtws_args("site", str(first), "--project", str(project)))
    assert built.returncode == 2 and "a link" in one_line(built, "dtws site:")
    assert target.read_bytes() == VICTIM
