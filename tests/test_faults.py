"""Fault drills: the test-only ``faults`` library's processes misbehave, the real runner copes.

Each drill runs ``python -m dtws cell py312-django52-faults`` as a user would,
with ``DTWS_FAULT`` naming what the step's process does (faults_app/faults.py):
flood its log with binary, hang, crash, ignore SIGTERM, leave a setsid child;
its socket server binds its port and never answers. Afterwards no process of
the run may be alive (the process table is read), and the record says what
happened.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from dtws import matrix, merge, pages, published, reaper, record
from dtws import results as results_module
from dtws.pages import view
from tests.conftest import PROJECT

CELL = "py312-django52-faults"
pytestmark = pytest.mark.cells


def command(results: Path, toxworkdir: Path, *timeouts: str, cell: str = CELL, retries: int = 0) -> list[str]:
    """The drill's `dtws cell`: a step that fails is not run again, unless the drill is of that."""
    limits = [item for timeout in timeouts for item in ("--timeout", timeout)]
    return [
        sys.executable,
        "-m",
        "dtws",
        "cell",
        cell,
        "--results",
        str(results),
        "--toxworkdir",
        str(toxworkdir),
        "--retries",
        str(retries),
        *limits,
    ]


def environment(fault: str, step: str = "check") -> dict[str, str]:
    return {**os.environ, "DTWS_FAULT": fault, "DTWS_FAULT_STEP": step}


def result(results: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((results / "faults" / CELL / "result.json").read_text())
    return data


def steps(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["name"]: step for step in data["steps"]}


def left_running(after_s: float = 5.0) -> list[str]:
    """Marked processes still alive a few seconds after a run ended (none, once the reaper did its work)."""
    deadline = time.monotonic() + after_s
    while True:
        found = [f"{item.pid}: {item.cmdline}" for item in reaper.marked() if item.marks.get(reaper.CELL) == CELL]
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def drill(tmp_path: Path, fault: str, step: str, *timeouts: str) -> tuple[dict[str, Any], int]:
    """Run the cell with the fault; its record and the harness's peak RSS in KiB."""
    results = tmp_path / "results"
    process = subprocess.Popen(
        command(results, tmp_path / "tox", *timeouts),
        cwd=PROJECT,
        env=environment(fault, step),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0
    return result(results), usage.ru_maxrss


def test_a_step_that_floods_its_log_is_cut_and_the_harness_stays_small(tmp_path: Path) -> None:
    data, peak_kib = drill(tmp_path, "flood", "check", "check=5", "websocket-server=3")
    check = steps(data)["check"]
    assert check["verdict"] == "timeout" and data["status"] == "timeout"
    assert check["log_dropped_bytes"] > 100_000_000, "it wrote far more than the log keeps"
    log = tmp_path / "results" / "faults" / CELL / "logs" / "check.log"
    assert log.stat().st_size < 4 * 1024 * 1024
    with log.open("rb") as text:
        assert any(b"[dtws] output cut: " in line for line in text)
    assert peak_kib < 300 * 1024, f"the harness (and its children) peaked at {peak_kib} KiB"
    assert left_running() == []


def test_a_server_that_never_answers_times_out_and_is_ended(tmp_path: Path) -> None:
    data, _ = drill(tmp_path, "", "none", "websocket-server=3")
    ws = steps(data)["websocket-server"]
    assert ws["verdict"] == "timeout" and ws["detail"] == "TimeoutError: timed out"
    assert data["reason"].startswith("websocket-server: ")
    assert steps(data)["check"]["verdict"] == "pass"
    assert left_running() == []
    # The cell installs a test package whose metadata claims Python 3.12 and Django 5.2: it claims, and fails.
    assert data["provenance"]["declared"] == {
        "package": "dtws-claims",
        "version": "1.0",
        "pythons": ["3.12"],
        "djangos": ["5.2"],
        "requires_python": ">=3.12",
    }
    cell = results_module.Entry("faults", CELL, "3.12", "5.2", record=record.from_dict(data))
    assert cell.claim == "claims-fails" and view.CLAIM_WORDS["claims-fails"] == "claims support, fails"


def test_a_crash_is_the_steps_failure_with_its_signal(tmp_path: Path) -> None:
    data, _ = drill(tmp_path, "crash", "check", "websocket-server=3")
    check = steps(data)["check"]
    assert (check["verdict"], check["exit_code"]) == ("fail", -signal.SIGSEGV)
    assert data["status"] == "fail"
    assert left_running() == []


def test_a_process_that_ignores_sigterm_is_killed_at_its_limit(tmp_path: Path) -> None:
    data, _ = drill(tmp_path, "ignore-term", "check", "check=4", "websocket-server=3")
    assert steps(data)["check"]["verdict"] == "timeout"
    assert left_running() == []


def test_a_child_that_escapes_with_setsid_is_ended_after_its_step(tmp_path: Path) -> None:
    data, _ = drill(tmp_path, "setsid-child", "check", "websocket-server=3")
    assert steps(data)["check"]["verdict"] == "pass"
    log = (tmp_path / "results" / "faults" / CELL / "logs" / "check.log").read_text()
    assert "which the step left running" in log
    assert left_running() == []


def start_hanging(tmp_path: Path) -> subprocess.Popen[bytes]:
    """A run whose check step hangs (ignoring SIGTERM), once that step has started."""
    results = tmp_path / "results"
    process = subprocess.Popen(
        command(results, tmp_path / "tox"),
        cwd=PROJECT,
        env=environment("ignore-term"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log = results / "faults" / CELL / "logs" / "check.log"
    deadline = time.monotonic() + 300
    while not (log.is_file() and "manage.py check" in log.read_text()):
        assert process.poll() is None and time.monotonic() < deadline, "the check step never started"
        time.sleep(0.2)
    while not any(item.marks.get(reaper.CELL) == CELL for item in reaper.marked()):
        time.sleep(0.1)
    return process


def test_kill_9_of_the_harness_leaves_nothing_running(tmp_path: Path) -> None:
    harness = start_hanging(tmp_path)
    harness.send_signal(signal.SIGKILL)
    harness.wait()
    assert left_running(after_s=5.0) == []
    data = result(tmp_path / "results")
    assert data["status"] == "incomplete" and steps(data)["check"]["verdict"] == "not-run"


def test_the_next_run_ends_what_a_run_left_when_even_its_watchdog_died(tmp_path: Path) -> None:
    harness = start_hanging(tmp_path)
    watchdogs = [item for item in Path("/proc").iterdir() if item.name.isdigit() and _watches(item, harness.pid)]
    assert watchdogs, "every run has a watchdog"
    for item in watchdogs:
        os.kill(int(item.name), signal.SIGKILL)
    harness.send_signal(signal.SIGKILL)
    harness.wait()
    time.sleep(1.0)
    assert left_running(after_s=0) != [], "with its watchdog gone, the hanging check outlives the run"
    done = subprocess.run(
        [sys.executable, "-m", "dtws", "cell", "py33-django18", "--results", str(tmp_path / "next")],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "dtws: ended what an earlier run left: pid " in done.stderr
    assert left_running(after_s=2.0) == []


def _watches(entry: Path, harness: int) -> bool:
    try:
        cmdline = (entry / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"dtws.reaper" in cmdline and any(arg.startswith(f"{harness}:".encode()) for arg in cmdline)


def test_a_step_that_fails_once_makes_the_cell_flaky_and_keeps_both_logs(tmp_path: Path) -> None:
    """A real passing cell (Channels) whose test step fails on its first attempt only: flaky, never a pass."""
    cell = "py312-django52-channels"
    results = tmp_path / "results"
    done = subprocess.run(
        command(results, tmp_path / "tox", cell=cell, retries=1),
        cwd=PROJECT,
        env=environment("fail-once", "test"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((results / "channels" / cell / "result.json").read_text())
    test = steps(data)["test"]
    assert data["status"] == "flaky"
    assert {step["name"]: step["verdict"] for step in data["steps"]} == dict.fromkeys(steps(data), "pass")
    assert [attempt["verdict"] for attempt in test["attempts"]] == ["fail"]
    first = test["attempts"][0]
    assert first["log"] == "logs/test.attempt1.log" and first["exit_code"] == 1
    assert "FlakyError: dtws's fail-once fault fails this step's first attempt" in first["error_line"]
    assert "FlakyError" in (results / "channels" / cell / "logs" / "test.attempt1.log").read_text()
    assert "FlakyError" not in (results / "channels" / cell / "logs" / "test.log").read_text()
    assert data["reason"].startswith("test: passed on attempt 2; attempt 1: fail: ")
    report = (results / "channels" / cell / "junit.xml").read_text()
    assert '<property name="status" value="flaky" />' in report and "run again after attempt 1: fail: " in report
    assert "FlakyError" in data["reason"]

    merged = merge.merge([results], tmp_path / "merged", cells=[matrix.get(cell)])
    results_module.write(merged, tmp_path / "merged")
    site = pages.plan(tmp_path / "merged", merged)
    pages.write_docs(site, tmp_path / "docs")
    pages.write_cells(site, tmp_path / "site", pages.shell.plain("dtws"))
    row = (tmp_path / "docs" / "libraries" / "channels.md").read_text()
    flaky = '<td class="dtws-verdict dtws-flaky" data-column="Does it work?">↻ Flaky<br><small class="dtws-since">'
    assert flaky in row
    page = (tmp_path / "site" / "cells" / "channels" / cell / "index.html").read_text()
    assert 'data-step="test" data-attempt="1">' in page and "then run again" in page
    assert (tmp_path / "site" / "cells" / "channels" / cell / "logs" / "test.attempt1.log").is_file()
    badge = json.loads((tmp_path / "docs" / "badges" / "channels.json").read_text())
    assert badge["message"] == "works on 0 of 1 cells"

    # Published, then carried forward by a run that did not re-run it: both attempts' logs come along.
    shutil.copy(tmp_path / "docs" / "results.json", tmp_path / "site" / "results.json")
    (tmp_path / "nothing-new").mkdir()
    carried = merge.merge(
        [tmp_path / "nothing-new"],
        tmp_path / "carried",
        baseline=published.load(str(tmp_path / "site")),
        cells=[matrix.get(cell)],
    )
    assert carried.cells[0].kept and carried.cells[0].record is not None
    assert carried.cells[0].record.status == "flaky"
    kept_logs = tmp_path / "carried" / "records" / "channels" / cell / "logs"
    assert "FlakyError" in (kept_logs / "test.attempt1.log").read_text() and (kept_logs / "test.log").is_file()


def test_a_step_that_fails_every_time_fails_with_every_attempt_kept(tmp_path: Path) -> None:
    results = tmp_path / "results"
    done = subprocess.run(
        command(results, tmp_path / "tox", "websocket-server=3", retries=1),
        cwd=PROJECT,
        env=environment("crash", "check"),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0
    data = result(results)
    check = steps(data)["check"]
    assert data["status"] == "fail" and check["verdict"] == "fail"
    assert [(a["verdict"], a["exit_code"]) for a in check["attempts"]] == [("fail", -signal.SIGSEGV)]
    log = (results / "faults" / CELL / "logs" / "check.log").read_text()
    assert "not run again: 1 retry done" in log
    assert steps(data)["websocket-server"]["attempts"] and not steps(data)["websocket-server"]["verdict"] == "pass"


def test_with_no_retries_a_step_that_fails_once_is_a_failure(tmp_path: Path) -> None:
    data, _ = drill(tmp_path, "fail-once", "check", "websocket-server=3")
    check = steps(data)["check"]
    assert check["verdict"] == "fail" and check["attempts"] == []
    assert "FlakyError: dtws's fail-once fault" in check["error_line"]
