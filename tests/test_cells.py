"""Real cells, end to end: real installs from the package index, real servers, real clients.

Nothing of the library is mocked: what these tests assert is what the site
will say, reached by running the cells.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from dtws import changed, interpreters, matrix, merge, pages, pypi, record, results, when
from dtws import results as results_module
from dtws.changed import CELL_FOLDERS
from tests.conftest import CELLS, PROJECT, dtws, dtws_args, processes_mentioning, serving_index

pytestmark = pytest.mark.cells


def cell_record(results: Path, cell: str) -> record.CellRecord:
    return record.read(next(results.glob(f"*/{cell}/result.json")))


def verdicts(rec: record.CellRecord) -> dict[str, str]:
    return {step.name: step.verdict for step in rec.steps}


def log_of(results: Path, rec: record.CellRecord, step: str) -> str:
    path = rec.step(step).log
    assert path is not None
    return (results / rec.library / rec.cell / path).read_text(encoding="utf-8")


def test_run_prints_the_table_of_every_cell(local_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, _results = local_run
    assert done.returncode == 0, done.stdout + done.stderr
    table = done.stdout.split("\n\n")[-2]
    assert table.splitlines()[0].split()[:8] == [
        "cell",
        "python",
        "install",
        "check",
        "test",
        "django-server",
        "websocket-server",
        "round-trip",
    ]
    for cell in CELLS:
        assert any(line.startswith(cell + " ") for line in table.splitlines()), cell


def test_py27_django18_serves_django_but_not_socketio(local_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _done, results = local_run
    rec = cell_record(results, "py27-django18")
    assert verdicts(rec) == {
        "install": "pass",
        "check": "pass",
        "test": "pass",
        "django-server": "pass",
        "websocket-server": "fail",
        "round-trip": "skipped",
        "browser": "skipped",
    }
    assert rec.status == "fail"
    assert rec.provenance.python_version is not None and rec.provenance.python_version.startswith("2.7.")
    assert rec.provenance.library_version == "0.3.9"
    assert rec.provenance.django_version is not None and rec.provenance.django_version.startswith("1.8.")
    assert rec.provenance.packages["gevent-socketio"] == "0.2.1"
    assert rec.coverage_percent is not None and rec.coverage_percent > 50
    server_log = log_of(results, rec, "django-server")
    assert "GET / -> HTTP 200" in server_log
    assert "GET /static/js/socket.io.js -> HTTP 200" in server_log
    # The review's error, reached over the bundled client's xhr-polling transport.
    socket_log = log_of(results, rec, "websocket-server")
    assert "AttributeError: 'SocketIOHandler' object has no attribute 'response_headers_list'" in socket_log
    assert rec.reason is not None and rec.reason.startswith("websocket-server: ")
    error_line = rec.step("websocket-server").error_line
    assert error_line is not None and error_line in rec.reason


def test_py27_django19_fails_on_django_utils_importlib(
    local_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _done, results = local_run
    rec = cell_record(results, "py27-django19")
    assert verdicts(rec)["install"] == "pass"
    assert verdicts(rec)["check"] == "fail"
    assert verdicts(rec)["django-server"] == "fail"
    assert "ImportError: No module named importlib" in log_of(results, rec, "check")
    assert rec.reason == (
        "check: ImportError: No module named importlib (django_socketio/urls.py line 4)"
        " — django.utils.importlib was removed in Django 1.9"
    )


def test_py312_django52_cannot_install(local_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _done, results = local_run
    rec = cell_record(results, "py312-django52")
    assert verdicts(rec) == {
        "install": "fail",
        "check": "skipped",
        "test": "skipped",
        "django-server": "skipped",
        "websocket-server": "skipped",
        "round-trip": "skipped",
        "browser": "skipped",
    }
    assert rec.status == "fail"
    install = log_of(results, rec, "install")
    assert "except IndexError, KeyError:" in install
    assert rec.step("install").error_line == (
        "SyntaxError: multiple exception types must be parenthesized (django_socketio/utils.py line 44)"
        " — Python 2 only code: django-socketio 0.3.9 was never ported to Python 3"
    )
    assert rec.provenance.python_version is not None and rec.provenance.python_version.startswith("3.12.")
    assert rec.step("install").attempts == [], "a failure of a known cause repeats: it is not run again"
    assert "not run again: a known cause, which repeats (Python 2 only code" in install


def test_channels_works_where_django_socketio_does_not(
    local_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    """The positive control: every column passes for real on the same Python and Django."""
    _done, results = local_run
    rec = cell_record(results, "py312-django52-channels")
    assert set(verdicts(rec).values()) == {"pass"}, rec.reason
    assert rec.status == "pass" and rec.reason is None
    assert rec.provenance.library_version is not None and rec.provenance.library_version.startswith("4.")
    assert "daphne" in rec.provenance.packages
    trip = log_of(results, rec, "round-trip")
    assert "A < HTTP/1.1 101 Switching Protocols" in trip and "B < HTTP/1.1 101 Switching Protocols" in trip
    assert rec.step("round-trip").detail == "client A's message reached client B through the /ws/chat/ group"
    assert rec.step("browser").detail == "the page, in chromium, showed a message a second client sent"
    shown = next(line for line in log_of(results, rec, "browser").splitlines() if "the page shows: " in line)
    assert "a browser joined" in shown and "dtws-browser-" in shown  # in the order the group delivered them
    assert cell_record(results, "py312-django52").status == "fail"


def test_what_each_library_claims_against_what_its_cells_found(
    local_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    """From each installed library's own metadata: Channels claims its cell, python-socketio claims no Django."""
    _done, results = local_run
    channels = cell_record(results, "py312-django52-channels").provenance.declared
    assert channels is not None and channels.package == "channels"
    assert channels.pythons == ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]
    assert channels.djangos == ["4.2", "5.1", "5.2", "6.0"]
    socketio = cell_record(results, "py312-django52-pysocketio").provenance.declared
    assert socketio is not None and socketio.djangos == [] and socketio.requires_python == ">=3.8"
    tornado = cell_record(results, "py312-django52-tornado").provenance.declared
    assert tornado is not None and tornado.package == "tornado" and tornado.djangos == [] and "3.12" in tornado.pythons
    old = cell_record(results, "py27-django18").provenance.declared
    assert old is not None and (old.package, old.version) == ("django-socketio", "0.3.9")
    assert (old.pythons, old.djangos) == ([], []), "django-socketio 0.3.9 claims no Python or Django version"
    assert cell_record(results, "py312-django52").provenance.declared is None, "it never installed"

    def claim(library: str, cell: str) -> str | None:
        known = matrix.get(cell)
        entry = results_module.Entry(library, cell, known.python, known.django, record=cell_record(results, cell))
        return entry.claim

    assert claim("channels", "py312-django52-channels") is None, "claims it, and works"
    assert claim("python-socketio", "py312-django52-pysocketio") == "works-unclaimed"
    assert claim("tornado", "py312-django52-tornado") == "works-unclaimed", "Tornado names no Django"
    assert claim("django-socketio", "py27-django18") is None, "claims nothing, and fails"


def test_one_chromium_serves_every_cell_of_a_run(local_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    """The run's browser steps open their pages in fresh contexts of one Chromium, started once."""
    _done, results = local_run
    launches = []
    for cell in ("py312-django52-channels", "py312-django52-pysocketio", "py312-django52-tornado"):
        log = log_of(results, cell_record(results, cell), "browser")
        launches += re.findall(r"in a fresh context of the run's Chromium \(launch ([0-9a-f]{12})\)", log)
    assert len(launches) == 3 and len(set(launches)) == 1, launches


def test_a_chromium_that_does_not_start_is_a_harness_error(toxworkdir: Path, tmp_path: Path) -> None:
    """Not the library's ✗: the browser is dtws's, and the cell says the harness failed."""
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'chromium: cannot open the profile' >&2\nexit 1\n")
    broken.chmod(0o755)
    cell = "py312-django52-channels"
    args = dtws_args("cell", cell, "--results", str(tmp_path / "results"), "--toxworkdir", str(toxworkdir))
    done = dtws(args, env={**os.environ, "DTWS_CHROMIUM": str(broken)})
    assert done.returncode == 0, done.stdout + done.stderr
    rec = cell_record(tmp_path / "results", cell)
    assert verdicts(rec)["round-trip"] == "pass" and verdicts(rec)["browser"] == "error"
    assert rec.status == "error"
    assert rec.reason is not None and rec.reason.startswith(f"browser: {broken} did not start: ")


def test_python_socketio_works_where_django_socketio_does_not(
    local_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _done, results = local_run
    rec = cell_record(results, "py312-django52-pysocketio")
    assert set(verdicts(rec).values()) == {"pass"}, rec.reason
    assert rec.provenance.library_version is not None and rec.provenance.library_version.startswith("5.")
    assert "B received ['chat', 'dtws-" in log_of(results, rec, "round-trip")
    assert "Engine.IO 4 handshake" in str(rec.step("websocket-server").detail)


def test_tornado_serves_its_chat_and_django_from_one_process(
    local_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    """Tornado's WebSocketHandler, and Django behind its WSGIContainer: every column passes, the browser's too."""
    _done, results = local_run
    rec = cell_record(results, "py312-django52-tornado")
    assert set(verdicts(rec).values()) == {"pass"}, rec.reason
    assert rec.status == "pass" and rec.reason is None
    assert rec.provenance.library_version is not None and rec.provenance.library_version.startswith("6.")
    assert rec.coverage_percent is not None and rec.coverage_percent > 50
    detail = "client A's message reached client B through Tornado's /ws/chat/ handler"
    assert rec.step("round-trip").detail == detail
    # Tornado's access log: the page and its JS came from Django through WSGIContainer, the socket from the handler.
    browser = log_of(results, rec, "browser")
    assert re.search(r" wsgi:\d+\] 200 GET / \(127\.0\.0\.1\)", browser), browser
    assert re.search(r" wsgi:\d+\] 200 GET /static/chat_tornado/chat\.js \(", browser), browser
    assert re.search(r" web:\d+\] 101 GET /ws/chat/ \(", browser), browser
    shown = next(line for line in browser.splitlines() if "the page shows: " in line)
    assert "a browser joined" in shown and "dtws-browser-" in shown


def test_gevent_socketio_on_its_own_works_on_python_2_with_django_18(
    local_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    """socketio.sdjango's namespace under its SocketIOServer: Socket.IO 0.9 from dtws's client and the page's."""
    _done, results = local_run
    rec = cell_record(results, "py27-django18-geventsocketio")
    assert set(verdicts(rec).values()) == {"pass"}, rec.reason
    packages = rec.provenance.packages
    assert (packages["gevent-socketio"], packages["gevent"], packages["gevent-websocket"]) == (
        "0.3.6",
        "1.0.2",
        "0.9.3",
    )
    assert str(rec.step("websocket-server").detail).startswith("Socket.IO 0.9 handshake: session ")
    # B joined /chat; A's event came back to B as the namespace's broadcast.
    trip = log_of(results, rec, "round-trip")
    assert "B < '1::/chat'" in trip and re.search(
        r"""B < '5::/chat:\{"args":\["dtws-[0-9a-f]{12}"\],"name":"chat"\}'""", trip
    )
    browser = log_of(results, rec, "browser")
    assert '"GET /static/socket.io-client-0.9/socket.io.min.js HTTP/1.1" 200' in browser
    shown = next(line for line in browser.splitlines() if "the page shows: " in line)
    assert "a browser joined" in shown and "dtws-browser-" in shown


def test_gevent_socketio_cannot_install_on_python_3(local_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    """Its gevent 1.0 is Python 2 only: on 3.12 its C extension does not compile; the compiler's first error says so."""
    _done, results = local_run
    rec = cell_record(results, "py312-django52-geventsocketio")
    assert rec.step("install").verdict == "fail" and rec.status == "fail"
    assert rec.reason is not None and rec.reason.startswith("install: error: ")
    assert "(gevent/gevent.core.c line " in rec.reason and rec.reason.endswith("does not compile against Python 3")


def test_the_reviews_workaround_records_what_its_pins_do(
    local_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _done, results = local_run
    rec = cell_record(results, "py27-django18-workaround")
    install = log_of(results, rec, "install")
    assert "gevent-socketio==0.2.1 gevent==0.13.6" in install
    # Here gevent 0.13.6 does not build: its C code needs libevent's headers.
    assert rec.step("install").verdict == "fail"
    assert rec.reason is not None and rec.reason.startswith("install: fatal error: event.h: No such file or directory")


def test_a_cell_with_no_interpreter_is_unavailable(local_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    if interpreters.find("3.3") is not None:
        pytest.skip("this machine has Python 3.3")
    _done, results = local_run
    rec = cell_record(results, "py33-django18")
    assert rec.status == "unavailable"
    assert set(verdicts(rec).values()) == {"unavailable"}
    assert rec.reason is not None and "no Python 3.3 interpreter" in rec.reason


def test_every_record_is_valid_json_with_a_schema_version(
    local_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _done, results = local_run
    for cell in CELLS:
        data = json.loads(next(results.glob(f"*/{cell}/result.json")).read_text())
        assert data["schema_version"] == record.SCHEMA_VERSION
        assert data["provenance"]["finished_at"]


def test_a_hanging_step_is_killed_at_its_timeout(tmp_path: Path) -> None:
    """The install step of a real cell, given 2 seconds: killed, recorded, nothing left behind."""
    workdir = tmp_path / "tox"
    started = time.monotonic()
    done = dtws(
        dtws_args(
            "cell", "py27-django18", "--results", str(tmp_path), "--toxworkdir", str(workdir), "--timeout", "install=2"
        )
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert time.monotonic() - started < 60
    rec = cell_record(tmp_path, "py27-django18")
    install = rec.step("install")
    assert install.verdict == "timeout"
    assert install.duration_s is not None and 2 <= install.duration_s < 2 + 2 * 3 + 2
    assert rec.status == "timeout"
    assert set(verdicts(rec).values()) == {"timeout", "skipped"}
    assert "timeout: killed the process group" in log_of(tmp_path, rec, "install")
    assert processes_mentioning(str(workdir)) == []


def test_a_run_stopped_part_way_leaves_an_incomplete_record(tmp_path: Path) -> None:
    workdir = tmp_path / "tox"
    result = tmp_path / "django-socketio" / "py27-django18" / "result.json"
    process = subprocess.Popen(
        dtws_args("cell", "py27-django18", "--results", str(tmp_path), "--toxworkdir", str(workdir)),
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (workdir / "py27-django18").exists():
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1, output
    rec = record.read(result)
    assert rec.status == "incomplete"
    assert rec.step("install").verdict == "not-run"
    assert rec.step("install").detail == "the run was stopped during this step"
    assert "[dtws] $ " in log_of(tmp_path, rec, "install")
    assert processes_mentioning(str(workdir)) == []


def test_the_record_says_which_installer_made_the_env(
    local_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    """uv for the Pythons it supports (3.8 on), pip (virtualenv's) for the older ones: tox.ini's install_command."""
    _done, results = local_run
    assert cell_record(results, "py312-django52-channels").provenance.installer == "uv"
    assert cell_record(results, "py312-django52").provenance.installer == "uv"
    assert cell_record(results, "py27-django18").provenance.installer == "pip"
    assert "install_deps> uv pip install --python " in log_of(
        results, cell_record(results, "py312-django52-channels"), "install"
    )


def test_a_cells_processes_start_from_bytecode(
    local_run: tuple[subprocess.CompletedProcess[str], Path], toxworkdir: Path
) -> None:
    """pip compiled its env at install; in uv's, the cell's processes wrote the bytecode of what they imported.

    The project's own modules got theirs in __pycache__ (Python 3), never a .pyc beside their sources (2.7's).
    """
    uv_env = toxworkdir / "py312-django52-channels" / "lib" / "python3.12" / "site-packages"
    assert (uv_env / "django" / "core" / "management" / "__pycache__" / "__init__.cpython-312.pyc").is_file()
    assert (uv_env / "daphne" / "__pycache__" / "server.cpython-312.pyc").is_file()
    pip_env = toxworkdir / "py27-django18" / "lib" / "python2.7" / "site-packages"
    assert (pip_env / "django" / "core" / "management" / "__init__.pyc").is_file()
    assert (PROJECT / "chat_channels" / "__pycache__" / "asgi.cpython-312.pyc").is_file()
    beside = [path for folder in CELL_FOLDERS for path in (PROJECT / folder).rglob("*.pyc")]
    assert [path for path in beside if path.parent.name != "__pycache__"] == []


def test_run_changed_keeps_what_would_not_change_and_runs_what_did(tmp_path: Path) -> None:
    """A nightly run: right after a full run nothing runs again; a changed project file runs the cell again."""
    project = tmp_path / "project"
    shutil.copytree(
        PROJECT, project, ignore=shutil.ignore_patterns(".tox", ".venv", "results", "build", "node_modules")
    )
    cell = "py312-django52-channels"
    common = ["--results", str(tmp_path / "results"), "--toxworkdir", str(tmp_path / "tox"), "--project", str(project)]
    first = dtws(dtws_args("run", *common, cell))
    assert first.returncode == 0, first.stdout + first.stderr
    before = cell_record(tmp_path / "results", cell)
    assert before.status == "pass" and before.provenance.project_hash and before.provenance.checked_at is None

    again = dtws(dtws_args("run", "--changed", *common, cell))
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"unchanged since {before.provenance.finished_at}: {cell}" in again.stdout
    assert "1 of 1 cells unchanged" in again.stdout and "started " not in again.stdout
    kept = cell_record(tmp_path / "results", cell)
    assert kept.provenance.finished_at == before.provenance.finished_at and kept.provenance.checked_at is not None
    merged = merge.merge([tmp_path / "results"], tmp_path / "merged")
    results.write(merged, tmp_path / "merged")
    pages.write_cells(pages.plan(tmp_path / "merged", merged), tmp_path / "site", pages.shell.plain("dtws"))
    page = (tmp_path / "site" / "cells" / "channels" / cell / "index.html").read_text()
    finished, checked = when.time_tag(before.provenance.finished_at), when.time_tag(kept.provenance.checked_at)
    assert f"Unchanged since {finished}: checked again {checked}" in page

    with (project / "tox.ini").open("a") as tox_ini:
        tox_ini.write("# a change to a file that runs in the cells\n")
    changed = dtws(dtws_args("run", "--changed", *common, cell))
    assert f"runs: {cell} (its files changed (tox.ini, its app or probes, the harness's steps))" in changed.stdout
    rerun = cell_record(tmp_path / "results", cell)
    assert rerun.provenance.finished_at != before.provenance.finished_at and rerun.provenance.checked_at is None


def index_of(records: list[record.CellRecord], newer: tuple[str, str] | None = None) -> dict[str, object]:
    """An index's answer, recorded from the records: exactly the releases their installs tried, each installable
    on the Pythons of the cells that took it (its Requires-Python excludes the others); and ``newer``'s release."""
    takers: dict[tuple[str, str], set[str]] = {}
    for rec in records:
        for item in rec.provenance.tried:
            takers.setdefault((item.name, item.version), set()).add(rec.python)
    if newer is not None:
        takers[newer] = set(matrix.pythons())
    series = [python for python in matrix.pythons() if re.fullmatch(r"\d+\.\d+", python)]
    pages: dict[str, list[dict[str, object]]] = {}
    for (name, version), pythons in sorted(takers.items()):
        excluded = ",".join(f"!={python}.*" for python in series if python not in pythons)
        sdist: dict[str, object] = {
            "filename": f"{name}-{version}.tar.gz",
            "url": "",
            "hashes": {},
            "requires-python": excluded or None,
        }
        pages.setdefault(name, []).append(sdist)
    return {name: {"meta": {"api-version": "1.1"}, "name": name, "files": files} for name, files in pages.items()}


def judged(project: Path, records: list[record.CellRecord], url: str, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The cells ``run --changed`` would run again, asking the index at ``url``."""
    monkeypatch.setenv(pypi.INDEX_ENV, url)
    now = changed.here(project, records)
    return {rec.cell for rec in records if changed.why_run(matrix.get(rec.cell), rec, now) is not None}


def test_run_changed_with_nothing_changed_keeps_every_cell(
    local_run: tuple[subprocess.CompletedProcess[str], Path], toxworkdir: Path, tmp_path: Path
) -> None:
    """Every cell: the failed installs (uv's and pip's), Python 2.7's, the one with no interpreter here; each kept
    record says why, and so does its page."""
    results_dir = tmp_path / "results"
    shutil.copytree(local_run[1], results_dir)
    records = [cell_record(results_dir, cell) for cell in CELLS]
    with serving_index(index_of(records)) as url:
        args = ["run", "--changed", "--results", str(results_dir), "--toxworkdir", str(toxworkdir), *CELLS]
        again = dtws(dtws_args(*args), env=dict(os.environ, **{pypi.INDEX_ENV: url}))
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{len(CELLS)} of {len(CELLS)} cells unchanged" in again.stdout, again.stdout
    assert "started " not in again.stdout
    failed = cell_record(results_dir, "py312-django52-geventsocketio")
    assert failed.step("install").verdict == "fail" and failed.provenance.checked_at is not None
    assert {"gevent", "greenlet"} <= {item.name for item in failed.provenance.tried}
    assert failed.provenance.kept_because is not None and "Python 3.12" in failed.provenance.kept_because
    merged = merge.merge([results_dir], tmp_path / "merged")
    results.write(merged, tmp_path / "merged")
    pages.write_cells(pages.plan(tmp_path / "merged", merged), tmp_path / "site", pages.shell.plain("dtws"))
    page = (tmp_path / "site" / "cells" / "gevent-socketio" / failed.cell / "index.html").read_text()
    assert f"checked again {when.time_tag(failed.provenance.checked_at)}, not run again: Python 3.12" in page


def test_run_changed_runs_again_only_what_a_change_reaches(
    local_run: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change to one library's app: only its cells; a new release of one distribution: only the cells whose
    install took or tried it (a failed install's and Python 2.7's too)."""
    records = [cell_record(local_run[1], cell) for cell in CELLS]
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns(".*", "node_modules", "results", "site", "tests"))
    with serving_index(index_of(records)) as url:
        assert judged(project, records, url, monkeypatch) == set()
        with (project / "chat_tornado" / "views.py").open("a") as views:
            views.write("# a change to Tornado's app\n")
        assert judged(project, records, url, monkeypatch) == {"py312-django52-tornado"}
    greenlet = {rec.cell for rec in records if any(item.name == "greenlet" for item in rec.provenance.tried)}
    assert {"py312-django52-geventsocketio", "py27-django18-geventsocketio"} <= greenlet < set(CELLS)
    with serving_index(index_of(records, newer=("greenlet", "100.0"))) as url:
        assert judged(PROJECT, records, url, monkeypatch) == greenlet
