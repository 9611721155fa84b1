"""A cell's services (dtws.services): a real Redis, started, answering PING, ended; one that cannot be had; its page.

These drive Debian's real ``redis-server`` (``make test`` installs it); the
ones that cannot be had are a ``redis-server`` on PATH that exits, or never
answers, in place of the real one.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from dtws import __version__, changed, interpreters, matrix, merge, pages, procs, published, reaper, record, results
from dtws.services import Services, versions
from dtws.steps import STEPS

CELL = "dtws-test-services"  # as DTWS_SERVICE marks the Redis: no cell of a real run


def services_of(tmp_path: Path) -> Services:
    out = tmp_path / "cell"
    (out / ".scratch").mkdir(parents=True)
    return Services(("redis",), CELL, out, out / ".scratch")


def ping(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"*1\r\n$4\r\nPING\r\n")
        return connection.recv(64)


def port_of(address: str) -> int:
    return int(address.removeprefix("redis://127.0.0.1:").split("/")[0])


def left_running(after_s: float = 5.0) -> list[str]:
    """This run's marked processes of the cell, a cell process or a service of it, still alive after a moment."""
    deadline = time.monotonic() + after_s
    while True:
        found = [
            f"{item.pid}: {item.cmdline}"
            for item in reaper.marked()
            if CELL in (item.marks.get(reaper.CELL), item.marks.get(reaper.SERVICE))
        ]
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_real_redis_answers_on_its_own_port_and_ends_with_the_cell(tmp_path: Path) -> None:
    services = services_of(tmp_path)
    try:
        assert services.ready() is None
        (entry,) = services.entries
        assert entry.address == services.env["DTWS_REDIS_URL"] and entry.error is None
        assert ping(port_of(entry.address)) == b"+PONG\r\n"
        said = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, check=True).stdout
        assert entry.version is not None and f"v={entry.version} " in said
        (marked,) = [item for item in reaper.marked() if item.marks.get(reaper.SERVICE) == CELL]
        assert marked.marks[reaper.RUN] == procs.RUN_ID and reaper.CELL not in marked.marks
        assert reaper.end(procs.RUN_ID, CELL) == [], "what ends a step's leftovers spares the cell's Redis"
        assert services.ready() is None and services.died() is None
    finally:
        services.stop()
    assert left_running() == []
    with pytest.raises(ConnectionRefusedError):
        ping(port_of(entry.address))
    log = (tmp_path / "cell" / "logs" / "redis.log").read_text()
    assert entry.log == "logs/redis.log" and "Ready to accept connections" in log and "answered PING: PONG" in log
    assert "--save '' --appendonly no" in log
    assert list((tmp_path / "cell" / ".scratch").iterdir()) == [], "no persistence: no dump, no append-only file"


def test_a_redis_killed_during_the_cell_is_said_to_have_died(tmp_path: Path) -> None:
    services = services_of(tmp_path)
    try:
        assert services.ready() is None
        os.kill(services.running[0].server.process.pid, signal.SIGKILL)
        services.running[0].server.process.wait(timeout=10)
        said = "redis-server died during the cell (killed by SIGKILL)"
        assert services.died() == said and services.ready() == said and services.entries[0].error == said
    finally:
        services.stop()
    assert said in (tmp_path / "cell" / "logs" / "redis.log").read_text()


def fake_redis(tmp_path: Path, then: str) -> str:
    """PATH with a `redis-server` first that gives its version, then does ``then``."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "redis-server"
    script.write_text(f'#!/bin/sh\n[ "$1" = --version ] && echo "Redis server v=7.0.15 sha=0" && exit 0\n{then}\n')
    script.chmod(0o755)
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


def test_a_redis_server_that_exits_is_a_harness_error_naming_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", fake_redis(tmp_path, 'echo "# Can\'t handle RDB format version 12"; exit 1'))
    services = services_of(tmp_path)
    try:
        said = services.ready()
    finally:
        services.stop()
    assert said == "redis-server (exit code 1) did not answer PING: # Can't handle RDB format version 12"
    assert services.entries[0].error == said and services.env == {}
    assert left_running() == []


def test_a_redis_server_that_never_answers_is_ended_at_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", fake_redis(tmp_path, "exec sleep 600"))
    monkeypatch.setattr("dtws.services.READY_S", 1.0)
    services = services_of(tmp_path)
    try:
        said = services.ready()
    finally:
        services.stop()
    assert said is not None and said.startswith("redis-server did not answer PING on 127.0.0.1:")
    assert said.endswith(" within 1 s")
    assert left_running() == []


def test_a_services_log_is_on_the_cell_page_and_comes_along_when_the_cell_is_kept(tmp_path: Path) -> None:
    """A record's service (its log, version, address or why it could not be had): shown escaped, and carried."""
    cell = matrix.get("py312-django52-channels")
    rec = record.CellRecord(cell.library, cell.env, cell.python, cell.django, status="error")
    rec.steps = [record.Step(spec.name, list(spec.needs), verdict="pass") for spec in STEPS]
    rec.services = [record.Service("redis", version="7.0.15", log="logs/redis.log", error="redis-server died <b>x</b>")]
    rec.provenance.finished_at = "2026-11-29T12:00:00+00:00"
    folder = tmp_path / "results" / cell.library / cell.env
    record.write(rec, folder)
    (folder / "logs").mkdir()
    (folder / "logs" / "redis.log").write_text("Ready to accept connections <script>window.__pwned=1</script>\n")
    merged = merge.merge([tmp_path / "results"], tmp_path / "merged", cells=[cell])
    results.write(merged, tmp_path / "merged")
    site = pages.plan(tmp_path / "merged", merged)
    pages.write_docs(site, tmp_path / "docs")
    pages.write_cells(site, tmp_path / "site", pages.shell.plain("dtws"))
    page_dir = tmp_path / "site" / "cells" / cell.library / cell.env
    page = (page_dir / "index.html").read_text()
    assert '<h3 id="service-redis" class="dtws-service">redis 7.0.15:' in page
    assert "⚠ redis-server died &lt;b&gt;x&lt;/b&gt;" in page
    assert '<pre class="dtws-log" data-service="redis">' in page and "&lt;script&gt;window.__pwned" in page
    assert "<script>window" not in page and (page_dir / "logs" / "redis.log").is_file()

    shutil.copy(tmp_path / "docs" / "results.json", tmp_path / "site" / "results.json")
    (tmp_path / "nothing-new").mkdir()
    carried = merge.merge(
        [tmp_path / "nothing-new"], tmp_path / "carried", baseline=published.load(str(tmp_path / "site")), cells=[cell]
    )
    assert carried.cells[0].kept and carried.cells[0].record is not None
    assert carried.cells[0].record.services == rec.services
    kept = tmp_path / "carried" / "records" / cell.library / cell.env / "logs" / "redis.log"
    assert "Ready to accept connections" in kept.read_text()


def test_run_changed_runs_a_cell_again_when_this_machines_redis_is_another_release() -> None:
    """A cell's verdict depends on its Redis too: ``run --changed`` compares the record's with this machine's."""
    cell = matrix.get("py312-django52-channels")
    here = interpreters.find(cell.python)
    if here is None:
        pytest.skip(f"no Python {cell.python} on this machine")
    rec = record.CellRecord(cell.library, cell.env, cell.python, cell.django, status="pass")
    rec.provenance.python_version, rec.provenance.python_build = here.version, here.build
    rec.provenance.project_hash, rec.provenance.dtws_version = "hash", __version__
    rec.provenance.tried = [record.Tried("channels-redis", "4.2.1")]
    rec.services = [record.Service("redis", version="7.0.15")]
    now = changed.Here({cell.library: "hash"}, {"redis": "7.0.15"}, None, {"channels-redis": []})
    assert changed.why_run(cell, rec, now) is None
    now.services = {"redis": "7.2.4"}
    assert changed.why_run(cell, rec, now) == "another redis (7.2.4, was 7.0.15)"
    now.services = {"redis": None}
    assert changed.why_run(cell, rec, now) == "another redis (none here, was 7.0.15)"
    said = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, check=True).stdout
    assert versions() == {"redis": said.split("v=", 1)[1].split()[0]}, "this machine's, as --changed compares it"
