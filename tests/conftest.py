"""Shared fixtures; each test is marked from the fixtures it uses, so the fast suite is one ``-m`` away.

A test that uses ``local_run`` or ``toxworkdir`` runs real cells (``cells``:
installs from the package index), one that uses ``browser`` drives Chromium
(``browser``), one that uses ``django_files`` asks PyPI (``network``); every
other test is ``fast``: ``pytest -m fast`` runs them in seconds.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import http.server
import io
import json
import os
import stat
import subprocess
import sys
import tarfile
import threading
import urllib.request
import warnings
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from dtws.chromium import FLAGS
from dtws.chromium import find as chromium

PROJECT = Path(__file__).resolve().parent.parent

FIXTURE_MARKS = {
    "local_run": "cells",
    "toxworkdir": "cells",
    "browser": "browser",
    "chromium_path": "browser",
    "django_files": "network",
    "junit_schema": "network",
}
HEAVY = ("cells", "browser", "network")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            if fixture in FIXTURE_MARKS:
                item.add_marker(FIXTURE_MARKS[fixture])
        if not any(item.get_closest_marker(mark) for mark in HEAVY):
            item.add_marker("fast")


# `python -m dtws ...` as a user runs it, from the project folder.
dtws = partial(subprocess.run, cwd=PROJECT, capture_output=True, text=True, check=False, timeout=1200)


def dtws_args(*args: str) -> list[str]:
    return [sys.executable, "-m", "dtws", *args]


def processes_mentioning(text: str) -> list[str]:
    """Command lines of the live processes that mention ``text`` (a cell's own folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{entry.name}: {cmdline}")
    return found


@pytest.fixture(scope="session")
def toxworkdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("toxworkdir")


# The real cells the tests run once per session: a ✗ of each kind the lab
# reaches here (a server step, a check, an install), one with no interpreter,
# the positive controls (Channels and python-socketio, ✓ on the cell where
# django-socketio is ✗), Tornado's chat on that cell too, Channels on a real Redis across two
# daphnes, django-websocket-redis under two uWSGIs (built from source) on a real Redis,
# the review's workaround, and gevent-socketio on its own (✓ on Python 2.7, ✗ at install on Python 3).
CELLS = (
    "py27-django18",
    "py27-django19",
    "py312-django52",
    "py33-django18",
    "py312-django52-channels",
    "py312-django52-pysocketio",
    "py312-django52-tornado",
    "py312-django52-channelsredis",
    "py27-django111-wsredis",
    "py27-django18-workaround",
    "py27-django18-geventsocketio",
    "py312-django52-geventsocketio",
)


@pytest.fixture(scope="session")
def local_run(
    tmp_path_factory: pytest.TempPathFactory, toxworkdir: Path
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """``python -m dtws run`` of CELLS, as a user runs it: its output and its results folder."""
    results = tmp_path_factory.mktemp("results")
    done = dtws(dtws_args("run", "--results", str(results), "--toxworkdir", str(toxworkdir), *CELLS))
    return done, results


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright (it downloads no browser)."""
    executable = chromium()
    if executable is None:
        pytest.fail("no Chromium: install Debian's chromium (apt-get install chromium), as make test does")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=list(FLAGS))
        yield launched
        launched.close()
    # Playwright's driver leaves an asyncio subprocess object that warns when
    # collected; collect it here, where that one warning is expected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The machine's Chromium, for a test whose command drives it itself (as a cell's browser step does)."""
    executable = chromium()
    if executable is None:
        pytest.fail("no Chromium: install Debian's chromium (apt-get install chromium), as make test does")
    return executable


@pytest.fixture(scope="session")
def django_files() -> list[dict[str, str]]:
    """Every file of Django on PyPI (its simple API, JSON)."""
    request = urllib.request.Request(
        "https://pypi.org/simple/django/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        files: list[dict[str, str]] = json.load(response)["files"]
    return files


# Jenkins' JUnit schema, as pytest validates its own junitxml with it: in pytest's sdist on PyPI.
PYTEST_SDIST = ("pytest-8.3.4.tar.gz", "965370d062bce11e73868e0335abac31b4d3de0e82f4007408d242b4f8610761")
JUNIT_XSD = "pytest-8.3.4/testing/example_scripts/junit-10.xsd"


@pytest.fixture(scope="session")
def junit_schema() -> bytes:
    """junit-10.xsd, from pytest's sdist on PyPI (its simple API), checked against the index's sha256."""
    request = urllib.request.Request(
        "https://pypi.org/simple/pytest/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        found = next(f for f in json.load(response)["files"] if f["filename"] == PYTEST_SDIST[0])
    assert found["hashes"]["sha256"] == PYTEST_SDIST[1]
    with urllib.request.urlopen(found["url"], timeout=120) as response:
        data = response.read()
    assert hashlib.sha256(data).hexdigest() == PYTEST_SDIST[1]
    with tarfile.open(fileobj=io.BytesIO(data)) as sdist:
        member = sdist.extractfile(JUNIT_XSD)
        assert member is not None
        return member.read()


class _Index(http.server.BaseHTTPRequestHandler):
    """An index's JSON simple API (PEP 691): ``/<project>/`` answers its page from ``pages``, else 404; a page
    that is bytes is a file (a wheel, a metadata file: PEP 658), answered as it is."""

    pages: dict[str, object] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        page = self.pages.get(self.path.strip("/"))
        body = page if isinstance(page, bytes) else json.dumps(page).encode()
        self.send_response(200 if page is not None else 404)
        kind = "application/octet-stream" if isinstance(page, bytes) else "application/vnd.pypi.simple.v1+json"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        return


@contextlib.contextmanager
def serving_index(pages: dict[str, object]) -> Iterator[str]:
    """A real index on 127.0.0.1 that answers ``pages`` (project -> its JSON page), for DTWS_INDEX_URL."""
    handler = type("Index", (_Index,), {"pages": pages})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def index_page(name: str, versions: list[str]) -> dict[str, object]:
    """An index's page of ``name`` with one sdist of each of ``versions`` (no Requires-Python)."""
    files = [{"filename": f"{name}-{version}.tar.gz", "url": "", "hashes": {}} for version in versions]
    return {"meta": {"api-version": "1.1"}, "name": name, "files": files}


def fake_docker(tmp_path: Path, answer: str) -> Path:
    """A `docker` that knows no image and cannot pull one, as on a runner whose registry refuses."""
    script = tmp_path / "docker"
    script.write_text(f"#!/bin/sh\necho '{answer}' >&2\nexit 1\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def table_cells(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The front page's table.json (dtws.pages.table) read as javascripts/table.js reads it: each cell by its name."""

    def shared(kind: str, value: Any) -> Any:
        return data[kind][value] if isinstance(value, int) else value

    cells = {}
    for item in data["cells"]:
        library, name, python, django = data["libraries"][item[0]], item[1], item[2], item[3]
        made = f"py{python.replace('.', '')}-django{django.replace('.', '')}{data['suffixes'][item[0]]}"
        cells[name or made] = {
            "library": library,
            "python": python,
            "django": django,
            "versions": [shared("versions", value) for value in item[4:7]],
            "columns": [data["statuses"][index] for index in data["verdicts"][item[7]]],
            "reason": None if item[9] is None else data["reasons"][item[9]],
            "since": item[11],
            "claim": shared("claims_keys", item[12]),
        }
    return cells
