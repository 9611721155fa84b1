"""Records that try to leak other files into the site, or to bloat it: symlinks out of their folder, huge logs.

The records are written here with ``dtws.record`` (no real cell runs), in the
layout ``dtws run`` writes: ``<root>/<library>/<cell>/result.json`` + ``logs/``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

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
    pages.write_cells(site, docs)
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
    assert cells < 6 * 1_000_000  # five 5 MB logs, each cut to 400 kB, and their pages
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
