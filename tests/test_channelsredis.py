"""Channels on a real Redis, across two daphne processes: the cell passes, and fails or errs for the right reasons.

The session's run has the real cell (conftest.CELLS). The others run it again
as a user would: with the in-memory layer (the control: the round trip must
fail), with no ``redis-server`` on PATH (a harness error, nothing left
running), and with the harness or the Redis killed with SIGKILL part-way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dtws import reaper, record
from tests.conftest import PROJECT, dtws, dtws_args, processes_mentioning
from tests.test_cells import cell_record, log_of, verdicts

CELL = "py312-django52-channelsredis"
# Without its Redis, each step after install that would run is a harness error; those that need one of them skip.
WITHOUT_REDIS = {
    "install": "pass",
    **dict.fromkeys(("check", "test", "django-server", "websocket-server"), "error"),
    **dict.fromkeys(("round-trip", "browser"), "skipped"),
}
pytestmark = pytest.mark.cells


def cell_command(tmp_path: Path, *more: str) -> list[str]:
    common = ["--results", str(tmp_path / "results"), "--toxworkdir", str(tmp_path / "tox"), "--retries", "0"]
    return dtws_args("cell", CELL, *common, *more)


def left_running(tmp_path: Path, after_s: float = 5.0) -> list[str]:
    """Marked processes of the cell run in ``tmp_path``, its Redis included, still alive a moment after it ended."""
    deadline = time.monotonic() + after_s
    while True:
        found = [
            f"{item.pid}: {item.cmdline}"
            for item in reaper.marked()
            if CELL in (item.marks.get(reaper.CELL), item.marks.get(reaper.SERVICE)) and str(tmp_path) in item.cmdline
        ]
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_channels_on_redis_passes_every_step_across_two_daphnes(
    local_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _done, results = local_run
    rec = cell_record(results, CELL)
    assert set(verdicts(rec).values()) == {"pass"}, rec.reason
    assert rec.provenance.library_version is not None and rec.provenance.library_version.startswith("4.")
    (redis,) = rec.services
    assert (redis.name, redis.log, redis.error) == ("redis", "logs/redis.log", None)
    assert redis.address is not None and redis.address.startswith("redis://127.0.0.1:")
    served = (results / rec.library / rec.cell / "logs" / "redis.log").read_text()
    assert "answered PING: PONG" in served and "[dtws] stopped the server after " in served
    assert (
        rec.step("websocket-server").detail
        == "WebSocket handshake on /ws/chat/: 101 Switching Protocols (each of 2 processes)"
    )
    trip = log_of(results, rec, "round-trip")
    assert trip.count(" chat_channels.asgi:application") == 2, "two daphne processes"
    assert "client A on process 1 (port " in trip and "back from its own daphne" in trip
    assert rec.step("round-trip").detail == (
        "client A's message reached client B, on the other daphne process, through the /ws/chat/ group"
    )
    browser = log_of(results, rec, "browser")
    assert "the page from process 1 (port " in browser and "the second client on process 2 (port " in browser
    shown = next(line for line in browser.splitlines() if "the page shows: " in line)
    assert "a browser joined" in shown and "dtws-browser-" in shown
    declared = rec.provenance.declared
    assert declared is not None and (declared.pythons, declared.djangos) == ([], []), "it names no classifier"
    assert processes_mentioning(str(results / rec.library / rec.cell)) == []


def test_with_the_in_memory_layer_the_round_trip_fails(tmp_path: Path) -> None:
    """The control: each daphne has its own layer, so B, on the other process, never gets A's message."""
    done = dtws(cell_command(tmp_path), env={**os.environ, "DTWS_CHANNEL_LAYER": "memory"})
    assert done.returncode == 0, done.stdout + done.stderr
    rec = cell_record(tmp_path / "results", CELL)
    assert verdicts(rec)["websocket-server"] == "pass"
    assert verdicts(rec)["round-trip"] == "fail" and verdicts(rec)["browser"] == "skipped"
    detail = rec.step("round-trip").detail
    assert detail is not None and detail.startswith("AssertionError: client B, on the other daphne, did not get ")
    assert detail.endswith("the channel layer does not reach across processes")
    assert "back from its own daphne" in log_of(tmp_path / "results", rec, "round-trip"), "A's own process had it"
    assert rec.status == "fail"
    assert left_running(tmp_path) == []


def path_without(program: str, tmp_path: Path) -> str:
    """This PATH with no ``program`` on it: each folder that has it stands in as links to everything else in it."""
    folders = []
    for index, folder in enumerate(os.environ["PATH"].split(os.pathsep)):
        if not (Path(folder) / program).exists():
            folders.append(folder)
            continue
        links = tmp_path / f"path-{index}"
        links.mkdir()
        for item in Path(folder).iterdir():
            if item.name != program:
                (links / item.name).symlink_to(item)
        folders.append(str(links))
    return os.pathsep.join(folders)


def test_without_redis_server_the_cell_is_a_harness_error_and_nothing_is_left(tmp_path: Path) -> None:
    done = dtws(cell_command(tmp_path), env={**os.environ, "PATH": path_without("redis-server", tmp_path)})
    assert done.returncode == 0, done.stdout + done.stderr
    rec = cell_record(tmp_path / "results", CELL)
    said = "redis-server: not found on this machine (apt-get install redis-server)"
    assert verdicts(rec) == WITHOUT_REDIS
    assert {rec.step(name).detail for name, verdict in WITHOUT_REDIS.items() if verdict == "error"} == {said}
    assert rec.status == "error" and rec.reason == f"check: {said}"
    assert [(service.name, service.error) for service in rec.services] == [("redis", said)]
    folder = tmp_path / "results" / rec.library / rec.cell
    assert said in (folder / "logs" / "redis.log").read_text()
    report = (folder / "junit.xml").read_text()
    assert report.count(f'<error message="{said}" type="harness error" />') == 4, "JUnit: harness errors"
    assert left_running(tmp_path) == [] and processes_mentioning(str(tmp_path)) == []


@contextlib.contextmanager
def hanging(tmp_path: Path, fault: str) -> Iterator[tuple[subprocess.Popen[bytes], record.Service]]:
    """The cell with its check step hanging, once that step has started (its Redis answers); and that Redis.

    Whatever the test does, the harness is gone when it ends.
    """
    process = subprocess.Popen(
        cell_command(tmp_path, "--timeout", "check=8"),
        cwd=PROJECT,
        env={**os.environ, "DTWS_FAULT": fault, "DTWS_FAULT_STEP": "check"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    folder = tmp_path / "results" / "channels-redis" / CELL
    check = folder / "logs" / "check.log"
    deadline = time.monotonic() + 300
    try:
        while not (check.is_file() and "manage.py check" in check.read_text()):
            assert process.poll() is None and time.monotonic() < deadline, "the check step never started"
            time.sleep(0.2)
        (redis,) = record.read(folder / record.FILENAME).services
        yield process, redis
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def redis_pids(tmp_path: Path) -> list[int]:
    return [
        item.pid for item in reaper.marked() if item.marks.get(reaper.SERVICE) == CELL and str(tmp_path) in item.cmdline
    ]


def test_kill_9_of_the_harness_ends_the_cells_redis(tmp_path: Path) -> None:
    with hanging(tmp_path, "ignore-term") as (harness, redis):
        assert redis.address is not None and len(redis_pids(tmp_path)) == 1
        harness.send_signal(signal.SIGKILL)
        harness.wait()
    assert left_running(tmp_path) == [], "the run's watchdog ends the Redis too"
    assert processes_mentioning(str(tmp_path)) == []


def test_a_redis_killed_part_way_is_a_harness_error_not_the_librarys_failure(tmp_path: Path) -> None:
    with hanging(tmp_path, "hang") as (harness, _redis):
        (pid,) = redis_pids(tmp_path)
        os.kill(pid, signal.SIGKILL)
        assert harness.wait(timeout=300) == 0
    rec = cell_record(tmp_path / "results", CELL)
    said = "redis-server died during the cell (killed by SIGKILL)"
    assert verdicts(rec) == WITHOUT_REDIS
    assert rec.status == "error" and rec.reason == f"check: {said}"
    assert rec.services[0].error == said
    assert left_running(tmp_path) == []
