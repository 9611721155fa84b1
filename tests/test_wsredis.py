"""django-websocket-redis under two uWSGIs on a real Redis: the cell passes, and fails or errs for the right reasons.

The session's run has the real cell (conftest.CELLS). The others run it again
as a user would: with its second uWSGI on another real Redis (the control:
the round trip must fail), with no C compiler on PATH or no OpenSSL headers
where the preprocessor looks (harness errors, never the library's ✗), and with
uWSGI's master and workers ignoring SIGTERM (nothing may be left).
The page is opened in Chromium here too, served by two uWSGIs from the env
the real cell installed: across one Redis it shows a second client's message,
across two it does not.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import TimeoutError as PageTimeout

from dtws import interpreters, procs, reaper
from dtws.libraries.wsredis import LIBRARY
from dtws.solutions.wsredis import PROBES
from dtws.steps.base import APART
from tests.conftest import PROJECT, dtws, dtws_args, processes_mentioning
from tests.test_cells import cell_record, log_of, verdicts
from tests.test_channelsredis import path_without

CELL = "py27-django111-wsredis"
UWSGI = "--gevent 100 --http-websockets --module chat_wsredis.wsgi"
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


@contextlib.contextmanager
def redis_server(log: Path) -> Iterator[str]:
    """A real redis-server of the test's own, on a free port of 127.0.0.1: its address."""
    port = procs.free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with open(log, "ab") as out, procs.Server(command, cwd=log.parent, env=dict(os.environ), log=out) as server:
        assert server.wait_for_port(port, time.monotonic() + 10), log.read_text()
        yield f"redis://127.0.0.1:{port}/0"


def test_ws4redis_passes_every_step_under_two_uwsgis_on_the_cells_redis(
    local_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _done, results = local_run
    rec = cell_record(results, CELL)
    assert set(verdicts(rec).values()) == {"pass"}, rec.reason
    assert rec.provenance.library_version == "0.6.0"
    assert rec.provenance.packages is not None and "uWSGI" in rec.provenance.packages
    install = log_of(results, rec, "install")
    assert "will be built with " in install and "; cpp finds openssl/ssl.h" in install, "looked for first"
    assert "'\"'\"'" not in install, "the check's command is in the log as written, with no quote escaped"
    (redis,) = rec.services
    assert redis.address is not None and redis.address.startswith("redis://127.0.0.1:")
    assert rec.step("django-server").detail == (
        "GET / -> 200, GET /static/js/ws4redis.js -> 200 (4386 bytes); runserver itself: WebSocket handshake on"
        " /ws/chat?subscribe-broadcast&publish-broadcast: 101 Switching Protocols"
    )
    trip = log_of(results, rec, "round-trip")
    assert trip.count(UWSGI) == 2 and trip.count("--http 127.0.0.1:") == 2, "two uWSGIs, as ws4redis' docs run one"
    assert "*** running gevent loop engine" in trip
    assert "which the view published" in trip and "POST /publish/ text=" in trip
    assert rec.step("round-trip").detail == (
        "client A's message reached client B, on the other uWSGI, through Redis; so did a RedisPublisher's"
    )
    browser = log_of(results, rec, "browser")
    assert "GET /static/jquery/jquery.min.js" in browser and "GET /static/js/ws4redis.js" in browser
    shown = next(line for line in browser.splitlines() if "the page shows: " in line)
    assert "dtws-browser-" in shown
    declared = rec.provenance.declared
    assert declared is not None and declared.pythons == ["2.7", "3.3", "3.4", "3.5", "3.6"]
    assert processes_mentioning(str(results / rec.library / rec.cell)) == []


def test_with_the_second_uwsgi_on_another_redis_the_round_trip_fails(tmp_path: Path) -> None:
    """The control: a message crosses between the two uWSGIs only through the Redis they share."""
    with redis_server(tmp_path / "other-redis.log") as other:
        done = dtws(cell_command(tmp_path, "--timeout", "round-trip=30"), env={**os.environ, APART: other})
    assert done.returncode == 0, done.stdout + done.stderr
    rec = cell_record(tmp_path / "results", CELL)
    assert verdicts(rec)["websocket-server"] == "pass"
    assert verdicts(rec)["round-trip"] == "fail" and verdicts(rec)["browser"] == "skipped"
    detail = rec.step("round-trip").detail
    assert detail is not None and detail.startswith("AssertionError: client B, on the other uWSGI, did not get ")
    assert f"{APART}: the last process on {other}" in log_of(tmp_path / "results", rec, "round-trip")
    assert rec.status == "fail"
    assert left_running(tmp_path) == []


def page_shows(browser: Browser, python: Path, redis: tuple[str, str], tmp_path: Path) -> bool:
    """The page from one uWSGI (on the first Redis); whether it shows what a second client sends to the other."""
    ports = procs.free_ports(2)
    log = tmp_path / "uwsgi.log"
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(open(log, "ab"))
        for port, url in zip(ports, redis, strict=True):
            env = {**os.environ, "DTWS_SOLUTION": LIBRARY.app, "DTWS_REDIS_URL": url}
            server = stack.enter_context(
                procs.Server([str(python), *LIBRARY.server_args(port)], cwd=PROJECT, env=env, log=out)
            )
            assert server.wait_for_port(port, time.monotonic() + 60), log.read_text()
        page = browser.new_page()
        stack.callback(page.close)
        page.goto(f"http://127.0.0.1:{ports[0]}/")
        page.wait_for_function("document.getElementById('status').textContent === 'connected'", timeout=15000)
        text = f"hello across {'one Redis' if redis[0] == redis[1] else 'two Redis servers'}"
        PROBES.send(ports[1], text, time.monotonic() + 15, lambda line: None)
        try:
            page.locator("#messages li", has_text=text).wait_for(timeout=5000)
            shown = True
        except PageTimeout:
            shown = False
    return shown


def test_the_page_shows_a_second_clients_message_only_across_one_redis(
    browser: Browser, local_run: tuple[subprocess.CompletedProcess[str], Path], toxworkdir: Path, tmp_path: Path
) -> None:
    python = toxworkdir / CELL / "bin" / "python"
    assert python.exists(), f"the {CELL} cell made no env"
    with redis_server(tmp_path / "first.log") as first, redis_server(tmp_path / "second.log") as second:
        assert page_shows(browser, python, (first, first), tmp_path)
        assert not page_shows(browser, python, (first, second), tmp_path), "the page's client got it without Redis"
    assert processes_mentioning(str(toxworkdir / CELL)) == []


def test_without_a_c_compiler_the_install_is_a_harness_error(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "CC"}
    env["PATH"] = path_without("gcc", tmp_path)
    done = dtws(cell_command(tmp_path), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    rec = cell_record(tmp_path / "results", CELL)
    said = "no C compiler (gcc) on this machine, and uWSGI is built from source (apt-get install gcc)"
    assert rec.step("install").verdict == "error" and rec.step("install").detail == said
    assert set(verdicts(rec).values()) == {"error", "skipped"}
    assert rec.status == "error" and rec.reason == f"install: {said}"
    assert left_running(tmp_path) == []


def path_finding_no_headers(tmp_path: Path) -> str:
    """PATH with a cpp first on it whose sysroot is an empty folder: where it looks, no header is."""
    empty, tools = tmp_path / "sysroot", tmp_path / "tools"
    empty.mkdir()
    tools.mkdir()
    (tools / "cpp").write_text(f'#!/bin/sh\nexec /usr/bin/cpp --sysroot={empty} "$@"\n')
    (tools / "cpp").chmod(0o755)
    return f"{tools}{os.pathsep}{os.environ['PATH']}"


def test_without_openssl_headers_the_install_is_a_harness_error(tmp_path: Path) -> None:
    """A preprocessor that finds no openssl/ssl.h (here: a cpp first on PATH whose sysroot is an empty folder).

    uWSGI's build asks cpp where headers are: without OpenSSL's it builds all the same, and answers every
    websocket handshake with HTTP 500 (the library's ✗ in the websocket-server step, for a fault of the
    machine). The install step says so before it builds anything.
    """
    done = dtws(cell_command(tmp_path), env={**os.environ, "PATH": path_finding_no_headers(tmp_path)})
    assert done.returncode == 0, done.stdout + done.stderr
    rec = cell_record(tmp_path / "results", CELL)
    said = (
        "no openssl/ssl.h where the C preprocessor (cpp) looks: uWSGI builds without SSL, and its websocket"
        " handshake needs it (apt-get install libssl-dev)"
    )
    assert rec.step("install").verdict == "error" and rec.step("install").detail == said
    assert set(verdicts(rec).values()) == {"error", "skipped"}
    assert rec.status == "error" and rec.reason == f"install: {said}"
    assert not (tmp_path / "tox" / CELL).exists(), "the install built something before it said so"
    assert left_running(tmp_path) == []


def test_a_uwsgi_built_without_ssl_is_a_harness_error_not_the_librarys_failure(tmp_path: Path) -> None:
    """A uWSGI wheel built where cpp found no OpenSSL headers, as one such a machine leaves in pip's cache.

    This machine has the headers, so the install's check passes; pip takes the wheel PIP_FIND_LINKS offers
    (over building the sdist). Its websocket-server step fails on uWSGI's "you need to build uWSGI with SSL
    support", which is the build's fault: a harness error, with why, never the library's ✗.
    """
    interpreter = interpreters.find("2.7")
    assert interpreter is not None, "no Python 2.7: make test needs pyenv's"
    venv = tmp_path / "builder"  # pip, setuptools and wheel as virtualenv seeds them for 2.7, as in the cell's env
    made = [sys.executable, "-m", "virtualenv", "-q", "-p", str(interpreter.executable), str(venv)]
    subprocess.run(made, check=True, capture_output=True)
    wheels = tmp_path / "wheels"
    build = [str(venv / "bin" / "python"), "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "--no-binary", ":all:"]
    env = {**os.environ, "PATH": path_finding_no_headers(tmp_path)}
    built = subprocess.run([*build, "-w", str(wheels), "uWSGI"], env=env, capture_output=True, text=True, check=False)
    assert built.returncode == 0 and list(wheels.glob("uWSGI-*.whl")), built.stdout + built.stderr
    links = f"{wheels} {os.environ.get('PIP_FIND_LINKS', '')}".strip()
    done = dtws(cell_command(tmp_path), env={**os.environ, "PIP_FIND_LINKS": links})
    assert done.returncode == 0, done.stdout + done.stderr
    rec = cell_record(tmp_path / "results", CELL)
    said = (
        "uWSGI says 'you need to build uWSGI with SSL support': it was built without openssl/ssl.h (a machine"
        " without libssl-dev, or a wheel such a build left in pip's or uv's cache)"
    )
    assert rec.step("install").verdict == "pass"
    assert rec.step("websocket-server").verdict == "error" and rec.step("websocket-server").detail == said
    assert rec.status == "error" and rec.reason == f"websocket-server: {said}"
    assert "you need to build uWSGI with SSL support" in log_of(tmp_path / "results", rec, "websocket-server")
    assert left_running(tmp_path) == []


def test_uwsgi_master_and_workers_that_ignore_sigterm_leave_nothing_running(tmp_path: Path) -> None:
    """uWSGI reloads on SIGTERM; here its master forks two workers, each ignoring SIGTERM: the step still ends them."""
    env = {
        **os.environ,
        "DTWS_UWSGI_WORKERS": "2",
        "DTWS_FAULT": "ignore-term",
        "DTWS_FAULT_STEP": "websocket-server",
    }
    started = time.monotonic()
    done = dtws(cell_command(tmp_path, "--timeout", "websocket-server=15"), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    rec = cell_record(tmp_path / "results", CELL)
    step = rec.step("websocket-server")
    assert step.verdict == "timeout" and step.duration_s is not None and step.duration_s < 20
    log = log_of(tmp_path / "results", rec, "websocket-server")
    assert "--master --workers 2 --lazy-apps" in log and "spawned uWSGI worker 2" in log
    assert left_running(tmp_path) == [] and processes_mentioning(str(tmp_path)) == []
    assert time.monotonic() - started < 600
