"""Records that try to leak other files into the site, or to bloat it: symlinks out of their folder, huge logs.

The records are written here with ``dtws.record`` (no real cell runs), in the
layout ``dtws run`` writes: ``<root>/<library>/<cell>/result.json`` + ``logs/``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError

from dtws import bisect, matrix, pages, procs, published, record, results
from dtws.merge import merge
from dtws.pages import logs
from tests.conftest import PROJECT, dtws, dtws_args
from tests.test_site import site_project

# What must never reach the site: a line of /etc/passwd (a copy of it, so the test needs no such file).
SECRET = b"root:x:0:0:root:/root:/bin/bash\n"
STEPS = ("install", "check", "test", "browser")
HEAD, TAIL = b"head line of the big log\n", b"tail line of the big log\n"
BIG = 5_000_000


def secret(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere" / "passwd"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(SECRET)
    return path


def big_size(size: int = BIG) -> int:
    """The length of ``big_log(size)``: whole filler lines between its head and tail lines."""
    return len(HEAD) + len(TAIL) + (size - len(HEAD) - len(TAIL)) // 12 * 12


def big_log(size: int = BIG) -> bytes:
    return HEAD + b"filler line\n" * ((big_size(size) - len(HEAD) - len(TAIL)) // 12) + TAIL


def write_record(
    root: Path,
    env: str = "py27-django18",
    *,
    logs_: dict[str, bytes] | None = None,
    run_id: str | None = None,
    attempt: int | None = None,
    job_url: str | None = None,
) -> Path:
    """A record of the real cell ``env`` under ``root``, with a log per step (``logs_`` overrides their text)."""
    cell = matrix.get(env)
    folder = root / cell.library / cell.env
    rec = record.CellRecord(cell.library, cell.env, cell.python, cell.django, status="fail", reason="check: boom")
    rec.steps = [
        record.Step(name, [], verdict="fail", command=["true"], exit_code=1, duration_s=1.0, log=f"logs/{name}.log")
        for name in STEPS
    ]
    rec.provenance.run_id, rec.provenance.run_attempt, rec.provenance.job_url = run_id, attempt, job_url
    record.write(rec, folder)
    (folder / "logs").mkdir()
    for name in STEPS:
        (folder / "logs" / f"{name}.log").write_bytes((logs_ or {}).get(name, f"{name}: ok\n".encode()))
    return folder


def merged(roots: list[Path], out: Path, baseline: published.Published | None = None) -> results.Results:
    done = merge(roots, out, run=results.RunInfo(dtws_version="test"), baseline=baseline)
    results.write(done, out)
    return done


def docs_of(out: Path, docs: Path) -> Path:
    """The pages of the merged folder ``out`` that dtws writes: those mkdocs builds, and the cell pages."""
    docs.mkdir(parents=True, exist_ok=True)
    site = pages.plan(out, results.read(out / results.FILENAME))
    pages.write_docs(site, docs)
    pages.write_cells(site, docs, pages.shell.plain("dtws"))
    return docs


def leaked(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and b"root:x:0:0" in path.read_bytes()]


def cell_page(docs: Path, env: str = "py27-django18") -> str:
    return (docs / "cells" / "django-socketio" / env / "index.html").read_text(encoding="utf-8")


def test_merge_never_follows_a_symlink(tmp_path: Path) -> None:
    passwd = secret(tmp_path)
    folder = write_record(tmp_path / "run")
    (folder / "logs" / "check.log").unlink()
    (folder / "logs" / "check.log").symlink_to(passwd)
    (folder / "logs" / "browser.png").symlink_to(passwd)
    (folder / "etc").symlink_to(passwd.parent, target_is_directory=True)
    other = write_record(tmp_path / "elsewhere", "py27-django19")
    (tmp_path / "run" / "django-socketio" / "py27-django19").mkdir()
    (tmp_path / "run" / "django-socketio" / "py27-django19" / "result.json").symlink_to(other / "result.json")

    done = merged([tmp_path / "run"], tmp_path / "out")

    assert leaked(tmp_path / "out") == []
    assert [path for path in (tmp_path / "out").rglob("*") if path.is_symlink()] == []
    copy = tmp_path / "out" / "records" / "django-socketio" / "py27-django18"
    assert (copy / "logs" / "install.log").read_bytes() == b"install: ok\n"
    assert not (copy / "logs" / "check.log").exists() and not (copy / "etc").exists()
    for name in ("logs/check.log", "logs/browser.png", "etc"):
        assert any(str(folder / name) in problem and "symlink" in problem for problem in done.problems), name
    assert any("py27-django19/result.json" in problem and "symlink" in problem for problem in done.problems)
    assert next(e for e in done.cells if e.cell == "py27-django19").record is None


def test_pages_never_follow_a_symlink_in_the_results_folder(tmp_path: Path) -> None:
    """A results folder tampered with after the merge (or by an older merge) still cannot show other files."""
    passwd = secret(tmp_path)
    write_record(tmp_path / "run")
    write_record(tmp_path / "run", "py27-django19")
    merged([tmp_path / "run"], tmp_path / "out")
    first = tmp_path / "out" / "records" / "django-socketio" / "py27-django18" / "logs"
    (first / "check.log").unlink()
    (first / "check.log").symlink_to(passwd)
    (first / "browser.png").symlink_to(passwd)
    second = tmp_path / "out" / "records" / "django-socketio" / "py27-django19"
    (passwd.parent / "check.log").write_bytes(SECRET)
    for name in STEPS:
        (second / "logs" / f"{name}.log").unlink()
    (second / "logs").rmdir()
    (second / "logs").symlink_to(passwd.parent, target_is_directory=True)

    docs = docs_of(tmp_path / "out", tmp_path / "docs")

    assert leaked(docs) == []
    assert "The log logs/check.log is missing from this record." in cell_page(docs)
    assert not (docs / "cells" / "django-socketio" / "py27-django18" / "logs" / "browser.png").exists()
    assert "dtws-screenshot" not in cell_page(docs)
    assert "The log logs/check.log is missing from this record." in cell_page(docs, "py27-django19")
    assert (docs / "cells" / "django-socketio" / "py27-django18" / "logs" / "install.log").is_file()


def test_a_published_folder_is_never_read_through_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "logs").mkdir(parents=True)
    (outside / "logs" / "check.log").write_bytes(SECRET)
    site = tmp_path / "site"
    (site / "cells" / "django-socketio").mkdir(parents=True)
    (site / "cells" / "django-socketio" / "py27-django18").symlink_to(outside, target_is_directory=True)
    (site / "cells" / "channels").symlink_to(tmp_path, target_is_directory=True)
    there = published.Published(results.Results(generated_at="now"), str(site))

    assert not there.fetch("cells/django-socketio/py27-django18/logs/check.log", tmp_path / "got" / "check.log")
    assert not there.fetch("cells/channels/outside/logs/check.log", tmp_path / "got" / "check.log")
    assert not (tmp_path / "got" / "check.log").exists()
    (site / "cells" / "django-socketio" / "py27-django19" / "logs").mkdir(parents=True)
    (site / "cells" / "django-socketio" / "py27-django19" / "logs" / "check.log").write_bytes(b"fine\n")
    assert there.fetch("cells/django-socketio/py27-django19/logs/check.log", tmp_path / "got" / "check.log")
    assert (tmp_path / "got" / "check.log").read_bytes() == b"fine\n"


def test_the_built_site_has_no_other_file_and_no_whole_big_log(tmp_path: Path) -> None:
    """``dtws merge`` and ``dtws site`` as a user runs them: the built pages, downloads and search index."""
    passwd = secret(tmp_path)
    folder = write_record(tmp_path / "run", logs_={"test": big_log()}, run_id="77", attempt=1)
    (folder / "logs" / "check.log").unlink()
    (folder / "logs" / "check.log").symlink_to(passwd)
    (folder / "logs" / "browser.png").symlink_to(passwd)
    write_record(tmp_path / "run", "py27-django19", logs_={name: big_log() for name in STEPS})
    project = site_project(tmp_path)
    out = tmp_path / "results"
    merging = dtws(dtws_args("merge", str(tmp_path / "run"), "--out", str(out)))
    assert merging.returncode == 0, merging.stdout + merging.stderr
    building = dtws(dtws_args("site", str(out), "--project", str(project)))
    assert building.returncode == 0, building.stdout + building.stderr
    site = project / "build" / "site"

    assert leaked(site) == []
    copy = site / "cells" / "django-socketio" / "py27-django18" / "logs" / "test.log"
    assert copy.stat().st_size < 500_000
    assert copy.read_bytes().startswith(HEAD) and copy.read_bytes().endswith(TAIL)
    cells = sum(path.stat().st_size for path in (site / "cells").rglob("*") if path.is_file())
    shells = 20_000 * len(list((site / "cells").rglob("index.html")))  # the theme's shell around each cell page
    assert cells < 6 * 1_000_000 + shells  # five 5 MB logs, each cut to 400 kB, and their pages
    assert sum(path.stat().st_size for path in site.rglob("*") if path.is_file()) < cells + 10_000_000


def test_a_big_log_is_copied_cut_and_the_page_says_where_the_whole_one_is(tmp_path: Path) -> None:
    job = "https://github.com/owner/repo/actions/runs/4242/job/99"
    write_record(tmp_path / "run", logs_={"test": big_log()}, run_id="4242", attempt=2, job_url=job)
    write_record(tmp_path / "run", "py27-django19", logs_={"test": big_log()})
    write_record(tmp_path / "run", "py27-django111", logs_={"test": big_log()}, run_id="5", job_url="javascript:x()")
    merged([tmp_path / "run"], tmp_path / "out")

    docs = docs_of(tmp_path / "out", tmp_path / "docs")

    copy = (docs / "cells" / "django-socketio" / "py27-django18" / "logs" / "test.log").read_bytes()
    omitted = big_size() - 2 * logs.KEEP
    assert len(copy) < 500_000 and copy.startswith(HEAD) and copy.endswith(TAIL)
    cut = f"[… {omitted} bytes not shown here: the full log is in the artifact cell-django-socketio-py27-django18"
    assert cut.encode() in copy and b"attempt2 of run 4242 (https://github.com/owner/repo/actions/runs/4242)" in copy
    page = " ".join(cell_page(docs).split())
    assert (
        f'<a href="logs/test.log" download>Log</a> (cut: the middle {omitted} bytes are in the full log,'
        " in the artifact <code>cell-django-socketio-py27-django18-attempt2</code>"
        ' of <a href="https://github.com/owner/repo/actions/runs/4242">run 4242</a>' in page
    )
    assert '<a href="logs/install.log" download>Full log</a>' in page
    local = " ".join(cell_page(docs, "py27-django19").split())
    assert (
        f"(cut: the middle {omitted} bytes are in the full log,"
        " in the record folder <code>django-socketio/py27-django19</code>" in local
    )
    scripted = " ".join(cell_page(docs, "py27-django111").split())
    assert "javascript:" not in scripted
    assert "in the artifact <code>cell-django-socketio-py27-django111</code> of run 5" in scripted


def test_a_kept_cell_still_says_its_log_was_cut(tmp_path: Path) -> None:
    """A cell carried over from the published site has only the cut copy: its page still says so."""
    write_record(tmp_path / "run", logs_={"test": big_log()}, run_id="4242", attempt=1)
    merged([tmp_path / "run"], tmp_path / "out")
    site = docs_of(tmp_path / "out", tmp_path / "site")  # the published site has the same layout
    before = " ".join(cell_page(site).split())

    merged([], tmp_path / "again", baseline=published.load(str(site)))
    docs = docs_of(tmp_path / "again", tmp_path / "docs")

    omitted = big_size() - 2 * logs.KEEP
    after = " ".join(cell_page(docs).split())
    for page in (before, after):
        assert f"(cut: the middle {omitted} bytes are in the full log, in the artifact" in page
    copy = docs / "cells" / "django-socketio" / "py27-django18" / "logs" / "test.log"
    assert (
        copy.read_bytes() == (site / "cells" / "django-socketio" / "py27-django18" / "logs" / "test.log").read_bytes()
    )


def peak_memory(build: Callable[[], object]) -> int:
    """The most memory Python held at once while ``build`` ran, in bytes."""
    tracemalloc.start()
    try:
        build()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def shown_log(path: Path) -> logs.ShownLog:
    """A log as its page shows it, read as the pages read it (its head and tail only, when big)."""
    with path.open("rb") as data:
        return logs.show(logs.read(data))


def test_big_logs_are_never_read_whole_into_memory(tmp_path: Path) -> None:
    size = 40_000_000
    folder = write_record(tmp_path / "big" / "run", logs_={"test": big_log(size)})
    write_record(tmp_path / "small" / "run", logs_={"test": big_log(logs.LIMIT)})
    for name in ("big", "small"):
        merged([tmp_path / name / "run"], tmp_path / name / "out")

    loading = peak_memory(lambda: shown_log(folder / "logs" / "test.log"))
    small = peak_memory(lambda: docs_of(tmp_path / "small" / "out", tmp_path / "small" / "docs"))
    big = peak_memory(lambda: docs_of(tmp_path / "big" / "out", tmp_path / "big" / "docs"))

    assert loading < size / 4, loading
    assert big < small + size / 4, (big, small)  # a cut log costs no more than a whole one of LIMIT bytes
    shown = shown_log(folder / "logs" / "test.log")
    assert shown is not None and shown.size == big_size(size) and shown.omitted == shown.size - 2 * logs.KEEP
    assert shown.lines[0].text == HEAD.decode().strip() and shown.lines[-1].text == TAIL.decode().strip()


def test_the_cut_marker_of_a_small_log_is_only_read_where_dtws_puts_it(tmp_path: Path) -> None:
    """A log that merely quotes the marker is shown whole; only our own cut copies are read as cut."""
    quoted = b"x\n[\xe2\x80\xa6 99 bytes not shown here: the full log is in nowhere \xe2\x80\xa6]\n"
    path = tmp_path / "quoted.log"
    path.write_bytes(quoted)
    shown = shown_log(path)
    assert shown is not None and shown.omitted == 0 and shown.size == len(quoted)
    assert re.search(r"99 bytes not shown", "\n".join(line.text for line in shown.lines))


def test_hostile_records_render_inert_in_chromium(tmp_path: Path, browser: Browser) -> None:
    """The built pages of a symlinked and a huge log, opened as a reader opens them: in Chromium."""
    passwd = secret(tmp_path)
    folder = write_record(tmp_path / "run", logs_={"test": big_log()}, run_id="77", attempt=2)
    (folder / "logs" / "check.log").unlink()
    (folder / "logs" / "check.log").symlink_to(passwd)
    project = site_project(tmp_path)
    out = tmp_path / "results"
    assert dtws(dtws_args("merge", str(tmp_path / "run"), "--out", str(out))).returncode == 0
    assert dtws(dtws_args("site", str(out), "--project", str(project))).returncode == 0
    port = procs.free_port()
    site = project / "build" / "site"
    server = subprocess.Popen(dtws_args("preview", "--site", str(site), "--port", str(port)), cwd=PROJECT)
    try:
        page = browser.new_page()
        url = f"http://127.0.0.1:{port}/cells/django-socketio/py27-django18/"
        deadline = time.monotonic() + 30
        while True:
            try:
                page.goto(url)
                break
            except PlaywrightError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        text = page.inner_text("body")
        assert "root:x:0:0" not in text
        assert "The log logs/check.log is missing from this record." in text
        assert "cell-django-socketio-py27-django18-attempt2" in text and "bytes not shown here" in text
        download = page.request.get(url + "logs/test.log")
        assert download.ok and len(download.body()) < 500_000 and download.body().startswith(HEAD)
        search = page.request.get(f"http://127.0.0.1:{port}/search/search_index.json")
        assert search.ok and b"root:x:0:0" not in search.body()
        page.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_bad_bisect_is_left_out_and_a_kept_one_is_read_only_inside_its_site(tmp_path: Path) -> None:
    """One bad bisect.json never breaks the site; a published bisect is kept without following a link out."""
    passwd = secret(tmp_path)
    write_record(tmp_path / "run")
    project = site_project(tmp_path)
    out = tmp_path / "results"
    assert dtws(dtws_args("merge", str(tmp_path / "run"), "--out", str(out))).returncode == 0
    broken = tmp_path / "bisects" / "broken"
    broken.mkdir(parents=True)
    (broken / bisect.FILENAME).write_text("{not json")
    # The published site: its bisect index names a folder outside it, and a bisect whose probe's log is a link.
    before = tmp_path / "published"
    kept = before / "bisect" / "py27-django18-gevent"
    probe_page = kept / "1.0" / "cells" / "django-socketio" / "py27-django18"
    shutil.copytree(write_record(tmp_path / "probe"), probe_page)
    (probe_page / "logs" / "check.log").unlink()
    (probe_page / "logs" / "check.log").symlink_to(passwd)
    found = bisect.Bisect("py27-django18", "django-socketio", "gevent", "websocket-server", ["1.0", "1.1.1"])
    found.probes = [bisect.Probe("1.0", "bad", "fail", "fail", "check: boom", "1.0/django-socketio/py27-django18")]
    found.answer = "gevent: a kept answer"
    bisect.write(found, kept)
    (before / "bisect" / "index.json").write_text(json.dumps(["../../elsewhere", "py27-django18-gevent"]))
    shutil.copy(out / results.FILENAME, before / results.FILENAME)

    args = ["site", str(out), "--project", str(project), "--bisect", str(tmp_path / "bisects")]
    building = dtws(dtws_args(*args, "--previous", str(before / results.FILENAME)))
    assert building.returncode == 0, building.stdout + building.stderr
    assert f"--bisect {broken}: {broken / bisect.FILENAME}: not a bisect's answer" in building.stdout
    site = project / "build" / "site"
    assert leaked(site) == []
    assert "gevent: a kept answer" in (site / "bisect" / "py27-django18-gevent" / "index.html").read_text()
    assert json.loads((site / "bisect" / "index.json").read_text()) == ["py27-django18-gevent"]
    assert "the log check.log of its probe 1.0/django-socketio/py27-django18 could not be had" in building.stdout


def sound_bisect(root: Path, package: str = "gevent", name: str = "", published: bool = False) -> Path:
    """A bisect's folder as ``dtws bisect`` leaves it, or as a ``published`` site has it: answer, probe record.

    The probe's record is written here (no real run), where a run or a site puts it.
    """
    folder = root / (name or f"py27-django18-{package}")
    write_record(folder / "1.0" / ("cells" if published else ""))
    found = bisect.Bisect("py27-django18", "django-socketio", package, "websocket-server", ["1.0", "1.1.1"])
    found.probes = [bisect.Probe("1.0", "bad", "fail", "fail", "check: boom", "1.0/django-socketio/py27-django18")]
    found.answer = f"{package}: a sound answer"
    bisect.write(found, folder)
    return folder


def tampered(folder: Path, change: Callable[[dict[str, Any]], object]) -> Path:
    """``folder``'s bisect.json with ``change`` made to it."""
    data = json.loads((folder / bisect.FILENAME).read_text())
    change(data)
    (folder / bisect.FILENAME).write_text(json.dumps(data))
    return folder


def victims(tmp_path: Path) -> tuple[Path, dict[Path, bytes]]:
    """Folders outside the site that a hostile bisect.json names, and what they hold, which must stay so."""
    elsewhere = tmp_path / "elsewhere"
    for name in ("victim-dir", "probe-victim"):
        (elsewhere / name).mkdir(parents=True)
        (elsewhere / name / "keep.txt").write_text(f"{name}'s own file\n")
    return elsewhere, {path: path.read_bytes() for path in elsewhere.rglob("*") if path.is_file()}


def hostile_changes(elsewhere: Path) -> dict[str, Callable[[dict[str, Any]], object]]:
    """By the field each one breaks: changes that once wrote outside the site, or crashed it."""

    def probe(key: str, value: object) -> Callable[[dict[str, Any]], object]:
        return lambda data: data["probes"][0].__setitem__(key, value)

    return {
        "cell": lambda data: data.update(cell=str(elsewhere / "victim"), package="dir"),
        "probes[0].version": probe("version", str(elsewhere / "probe-victim")),
        "probes[0].record": probe("record", 5),
        "releases": lambda data: data.update(releases=5),
    }


def test_a_hostile_bisect_json_is_left_out_and_never_writes_outside_the_site(tmp_path: Path) -> None:
    """`site --bisect`: a cell or a probe's version naming a folder elsewhere, a number for a path: each left out."""
    elsewhere, before = victims(tmp_path)
    write_record(tmp_path / "run")
    project = site_project(tmp_path)
    out = tmp_path / "results"
    assert dtws(dtws_args("merge", str(tmp_path / "run"), "--out", str(out))).returncode == 0
    sound_bisect(tmp_path / "bisects")
    hostile = {
        field: tampered(sound_bisect(tmp_path / "bisects" / str(number)), change)
        for number, (field, change) in enumerate(hostile_changes(elsewhere).items())
    }

    building = dtws(dtws_args("site", str(out), "--project", str(project), "--bisect", str(tmp_path / "bisects")))

    assert building.returncode == 0, building.stdout + building.stderr
    assert {path: path.read_bytes() for path in elsewhere.rglob("*") if path.is_file()} == before
    for field, folder in hostile.items():
        said = f"dtws site: --bisect {folder}: {folder / bisect.FILENAME}: {field}: "
        assert [line for line in building.stdout.splitlines() if line.startswith(said) and line.endswith("; left out")]
    site = project / "build" / "site"
    assert json.loads((site / "bisect" / "index.json").read_text()) == ["py27-django18-gevent"]
    assert "gevent: a sound answer" in (site / "bisect" / "py27-django18-gevent" / "index.html").read_text()
    assert sorted(path.name for path in (site / "bisect").iterdir()) == ["index.json", "py27-django18-gevent"]


def test_a_hostile_published_bisect_is_dropped_and_never_writes_outside_the_site(tmp_path: Path) -> None:
    """`site --previous`: the published site's bisect.json is data from elsewhere too, read as strictly."""
    elsewhere, before = victims(tmp_path)
    write_record(tmp_path / "run")
    project = site_project(tmp_path)
    out = tmp_path / "results"
    assert dtws(dtws_args("merge", str(tmp_path / "run"), "--out", str(out))).returncode == 0
    published_site = tmp_path / "published"
    published_site.mkdir()
    shutil.copy(out / results.FILENAME, published_site / results.FILENAME)
    sound_bisect(published_site / "bisect", published=True)
    for number, change in enumerate(hostile_changes(elsewhere).values()):
        tampered(sound_bisect(published_site / "bisect", f"package{number}", published=True), change)
    # A folder whose answer is another bisect's: kept under the name its answer gives, it would replace that one.
    other = sound_bisect(published_site / "bisect", "gevent", "py27-django18-other", published=True)
    names = sorted(path.name for path in (published_site / "bisect").iterdir())
    (published_site / "bisect" / "index.json").write_text(json.dumps(names))

    args = ["site", str(out), "--project", str(project), "--previous", str(published_site / results.FILENAME)]
    building = dtws(dtws_args(*args))

    assert building.returncode == 0, building.stdout + building.stderr
    assert {path: path.read_bytes() for path in elsewhere.rglob("*") if path.is_file()} == before
    for number, field in enumerate(hostile_changes(elsewhere)):
        said = f"dtws site: the published bisect py27-django18-package{number} is dropped: "
        assert [line for line in building.stdout.splitlines() if line.startswith(said) and f"json: {field}: " in line]
    assert f"the published bisect {other.name} is dropped: its answer is of py27-django18-gevent" in building.stdout
    site = project / "build" / "site"
    assert json.loads((site / "bisect" / "index.json").read_text()) == ["py27-django18-gevent"]
    assert "gevent: a sound answer" in (site / "bisect" / "py27-django18-gevent" / "index.html").read_text()


# By field: a wrong value a bisect.json may hold. Each is refused by bisect.read with one line naming the field.
WRONG: dict[str, tuple[str, object]] = {
    "a cell that is a path": ("cell", "/tmp/victim"),
    "a cell of no matrix": ("cell", "py27-django99"),
    "a cell's number": ("cell", 18),
    "another library than the cell's": ("library", "channels"),
    "a package that is a path": ("package", "../x"),
    "a package with a space": ("package", "gevent socketio"),
    "a step of no cell": ("step", "deploy"),
    "releases that are a number": ("releases", 5),
    "a release that is a path": ("releases", ["1.0", "../../x"]),
    "a release that is a number": ("releases", [1.0]),
    "a left out release's why that is a list": ("left_out", {"0.1": ["x"]}),
    "probes that are an object": ("probes", {"version": "1.0"}),
    "a probe that is a string": ("probes", ["1.0"]),
    "a flag that is a string": ("every", "yes"),
    "an answer that is null": ("answer", None),
    "a good release that is a number": ("good", 1.1),
    "a reference that is a path": ("reference", "../1.9"),
    "a failure that is a string": ("failure", "check"),
    "a failure at no step": ("failure", {"step": "deploy", "verdict": "fail", "error": "E", "cause": None}),
    "a failure that passes": ("failure", {"step": "check", "verdict": "pass", "error": "E", "cause": None}),
}
WRONG_PROBE: dict[str, tuple[str, object]] = {
    "a version that is an absolute path": ("version", "/tmp/victim"),
    "a version that is no version": ("version", "latest"),
    "a version that is a number": ("version", 1.0),
    "a record that is a number": ("record", 5),
    "a record outside its folder": ("record", "1.0/../../../x"),
    "a record of another release": ("record", "1.1.1/django-socketio/py27-django18"),
    "a verdict of no bisect": ("verdict", "great"),
    "a step verdict of no step": ("step_verdict", "so-so"),
    "a status of no cell": ("status", "fine"),
    "a reason that is a number": ("reason", 3),
    "a why that is a list": ("why", ["x"]),
}


@pytest.mark.parametrize(("field", "value"), WRONG.values(), ids=WRONG.keys())
def test_a_bisect_json_of_the_wrong_shape_is_refused_naming_its_field(
    field: str, value: object, tmp_path: Path
) -> None:
    folder = tampered(sound_bisect(tmp_path), lambda data: data.__setitem__(field, value))
    with pytest.raises(bisect.BisectError) as refused:
        bisect.read(folder)
    assert re.match(rf"{re.escape(str(folder / bisect.FILENAME))}: {field}(\[[^\]]+\]|\.\w+)?: ", str(refused.value))
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(("field", "value"), WRONG_PROBE.values(), ids=WRONG_PROBE.keys())
def test_a_probe_of_the_wrong_shape_is_refused_naming_its_field(field: str, value: object, tmp_path: Path) -> None:
    folder = tampered(sound_bisect(tmp_path), lambda data: data["probes"][0].__setitem__(field, value))
    with pytest.raises(bisect.BisectError) as refused:
        bisect.read(folder)
    assert str(refused.value).startswith(f"{folder / bisect.FILENAME}: probes[0].{field}: ")
    assert "\n" not in str(refused.value)


def test_a_sound_bisect_json_reads_back_as_written(tmp_path: Path) -> None:
    folder = sound_bisect(tmp_path)
    written = dataclasses.replace(
        bisect.read(folder),
        reference="1.1.1",
        failure=bisect.Failure("check", "fail", "ImportError: boom (x.py line 1)", None),
        left_out={"0.9": "yanked", "not-a-version!": "not a version"},
    )
    written.probes.append(
        bisect.Probe("1.1.1", "unusable", "skipped", "fail", None, "1.1.1/django-socketio/py27-django18", "why not")
    )
    bisect.write(written, folder)
    assert bisect.read(folder) == written


def test_the_bisect_page_writer_refuses_a_name_that_is_not_one_path_part(tmp_path: Path) -> None:
    """Defense in depth: a Bisect that never went through bisect.read still cannot name a folder elsewhere."""
    elsewhere, before = victims(tmp_path)
    folder = sound_bisect(tmp_path / "bisects")
    sound = bisect.read(folder)
    for found in (
        dataclasses.replace(sound, cell=str(elsewhere / "victim"), package="dir"),
        dataclasses.replace(
            sound, probes=[dataclasses.replace(sound.probes[0], version=str(elsewhere / "probe-victim"))]
        ),
    ):
        with pytest.raises(ValueError, match="not one part of a path"):
            pages.write_bisect(folder, found, tmp_path / "site", "dtws", pages.shell.plain("dtws"))
    assert {path: path.read_bytes() for path in elsewhere.rglob("*") if path.is_file()} == before


def test_a_bisect_page_says_what_it_judged_by_and_escapes_it(tmp_path: Path) -> None:
    """The cell's own failure and a probe's why come from records: on the page, they are text, never markup."""
    folder = sound_bisect(tmp_path / "bisects")
    found = dataclasses.replace(
        bisect.read(folder),
        step=None,
        reference="1.1.1",
        failure=bisect.Failure("check", "fail", "ValueError: <script>alert(1)</script>", None),
    )
    found.probes[0].why = "check fails otherwise <b>than</b> the cell does"
    pages.write_bisect(folder, found, tmp_path / "site", "dtws", pages.shell.plain("dtws"))
    page = (tmp_path / "site" / "bisect" / "py27-django18-gevent" / "index.html").read_text()
    assert "<script>" not in page and "<b>" not in page
    text = " ".join(BeautifulSoup(page, "html.parser").get_text().split())
    assert "Judged by the cell's own failure, at its check step." in text
    assert "Under gevent 1.1.1, the cell's check step fails: ValueError: <script>alert(1)</script>." in text
    assert "Cannot judge: check fails otherwise <b>than</b> the cell does. check: boom" in text
