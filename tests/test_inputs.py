"""Bad options and folders are one line and exit code 2 before any cell starts; what is printed is safe.

No test here runs a real cell: the cell runner is replaced, or the cell is
py33-django18, which has no interpreter here and so ends at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from dtws import interpreters, matrix, procs, record, runner
from dtws.cli import main
from dtws.commands.options import LOCK
from dtws.reasons import terminal_text
from dtws.summary import print_table
from tests.conftest import PROJECT, dtws, dtws_args

# What a record's reason may carry: clear the screen, retitle the terminal, a C1 CSI, a NUL, a
# backspace, a carriage return that would overwrite the line, and a newline that would forge one.
HOSTILE = "check: boom\x1b[2J\x1b]0;pwned\x07 and\nforged line\r\x9b31m\x00\x08\x7f\x85\u2028end\ttab"
UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(out: str, err: str) -> str:
    """The one line a refusal prints, on stdout or stderr; fails on more, or a traceback."""
    lines = (out + err).splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


def hostile_record(cell: str = "py312-django52", status: record.Status = "fail") -> record.CellRecord:
    rec = record.CellRecord("django-socketio", cell, "3.12", "5.2", status=status, reason=HOSTILE)
    rec.steps = [record.Step("install", [], verdict="pass"), record.Step("check", ["install"], verdict="fail")]
    return rec


@pytest.fixture
def no_cell_may_start(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> record.CellRecord:
        raise AssertionError("a cell started")

    monkeypatch.setattr(runner, "run_cell", refuse)


def run_args(tmp_path: Path, *more: str) -> list[str]:
    """Good --project, --results and --toxworkdir; ``more`` overrides them (argparse keeps the last)."""
    return [
        "--project",
        str(PROJECT),
        "--results",
        str(tmp_path / "results"),
        "--toxworkdir",
        str(tmp_path / "tox"),
        *more,
    ]


COMMANDS = (["cell", "py33-django18"], ["run", "py33-django18"])


@pytest.mark.usefixtures("no_cell_may_start")
@pytest.mark.parametrize("command", COMMANDS, ids=["cell", "run"])
def test_a_project_without_manage_py_and_tox_ini_is_one_line(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, *run_args(tmp_path, "--project", "/nonexistent")]) == 2
    line = one_line(*capsys.readouterr())
    assert line == (
        f"dtws {command[0]}: --project /nonexistent has no manage.py and tox.ini"
        " (run from the repository root or pass --project)"
    )
    (tmp_path / "manage.py").write_text("")
    assert main([*command, *run_args(tmp_path, "--project", str(tmp_path))]) == 2
    assert f"--project {tmp_path} has no tox.ini (" in one_line(*capsys.readouterr())


@pytest.mark.usefixtures("no_cell_may_start")
@pytest.mark.parametrize("command", COMMANDS, ids=["cell", "run"])
def test_results_that_is_a_file_or_cannot_be_made_is_one_line(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    assert main([*command, *run_args(tmp_path, "--results", str(a_file))]) == 2
    assert one_line(*capsys.readouterr()) == f"dtws {command[0]}: --results {a_file} is a file, not a folder"
    assert main([*command, *run_args(tmp_path, "--results", str(a_file / "under"))]) == 2
    line = one_line(*capsys.readouterr())
    assert line.startswith(f"dtws {command[0]}: --results {a_file / 'under'} cannot be made or written: ")
    assert a_file.read_text() == "not a folder"


@pytest.mark.usefixtures("no_cell_may_start")
def test_the_results_folder_is_made_and_its_probe_removed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "new" / "results"
    tox = tmp_path / "tox-file"
    tox.write_text("")
    assert (
        main(["cell", "py33-django18", *run_args(tmp_path, "--results", str(results), "--toxworkdir", str(tox))]) == 2
    )
    assert one_line(*capsys.readouterr()) == f"dtws cell: --toxworkdir {tox} is a file, not a folder"
    assert results.is_dir() and list(results.iterdir()) == []


@pytest.mark.usefixtures("no_cell_may_start")
@pytest.mark.parametrize("command", COMMANDS, ids=["cell", "run"])
def test_a_toxworkdir_that_is_a_file_is_one_line(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "tox"
    a_file.write_text("")
    assert main([*command, *run_args(tmp_path)]) == 2
    assert one_line(*capsys.readouterr()) == f"dtws {command[0]}: --toxworkdir {a_file} is a file, not a folder"


@pytest.mark.usefixtures("no_cell_may_start")
@pytest.mark.parametrize("seconds", ["nan", "inf", "-inf", "-1", "0"])
def test_a_timeout_must_be_positive_and_finite(
    seconds: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["cell", "py33-django18", *run_args(tmp_path, "--timeout", f"install={seconds}")])
    assert stopped.value.code == 2
    assert f"a timeout must be a positive, finite number of seconds: 'install={seconds}'" in capsys.readouterr().err


@pytest.mark.usefixtures("no_cell_may_start")
@pytest.mark.parametrize("jobs", ["0", "-3", "two"])
def test_jobs_must_be_a_positive_whole_number(jobs: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["run", "py33-django18", *run_args(tmp_path, "--jobs", jobs)])
    assert stopped.value.code == 2
    assert "argument --jobs:" in capsys.readouterr().err


def test_site_out_that_is_a_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results_dir = tmp_path / "results"
    results_dir.mkdir()
    (results_dir / "results.json").write_text(
        json.dumps(
            {"schema_version": 1, "generated_at": "2026-11-29T12:00:00+00:00", "run": {}, "cells": [], "problems": []}
        )
    )
    project = tmp_path / "project"
    project.mkdir()
    (project / "mkdocs.yml").write_text("site_name: x\ndocs_dir: docs\n")
    out = tmp_path / "site-file"
    out.write_text("")
    assert main(["site", str(results_dir), "--project", str(project), "--out", str(out)]) == 2
    assert one_line(*capsys.readouterr()) == f"dtws site: --out {out} is a file, not a folder"
    assert not (project / "docs").exists()  # refused before any page was written


def test_merge_of_folders_without_a_record_is_an_error_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "artifacts"
    (empty / "cell-django-socketio-py27-django18").mkdir(parents=True)
    out = tmp_path / "out"
    assert main(["merge", str(empty), "--out", str(out)]) == 2
    line = one_line(*capsys.readouterr())
    assert line == f"dtws merge: no result.json in {empty}; pass --allow-empty to merge nothing on purpose"
    assert not out.exists()
    assert main(["merge", str(empty), "--out", str(out), "--allow-empty"]) == 0
    assert (out / "results.json").is_file()
    capsys.readouterr()
    assert main(["merge", str(tmp_path / "nowhere"), "--out", str(out), "--allow-empty"]) == 2
    assert one_line(*capsys.readouterr()).startswith("dtws merge: no such folder: ")
    # The answers show the apps' files: a --project without them would answer nothing, so it is refused.
    assert main(["merge", str(empty), "--out", str(out), "--allow-empty", "--project", str(tmp_path)]) == 2
    said = f"dtws merge: --project {tmp_path}: no manage.py there (the repository whose apps the answers show)"
    assert one_line(*capsys.readouterr()) == said


def assert_safe(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text
    assert not UNSAFE.search(text), repr(text)


def test_terminal_text_is_one_safe_line() -> None:
    safe = terminal_text(HOSTILE)
    assert_safe(safe)
    assert "\n" not in safe
    assert safe.startswith("check: boom and forged line")
    assert safe.endswith("end tab")


def test_the_table_prints_a_hostile_reason_safely(capsys: pytest.CaptureFixture[str]) -> None:
    print_table([hostile_record(cell="py312-django52\x1b]0;pwned\x07")])
    out = capsys.readouterr().out
    assert_safe(out)
    header, row = out.splitlines()
    assert row.startswith("py312-django52  ") and "check: boom and forged line" in row


def test_merge_prints_hostile_problems_safely(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    artifacts = tmp_path / "artifacts"
    record.write(hostile_record(cell="py99-django99\x1b[2J\x07"), artifacts / "stray")
    broken = artifacts / "cell-django-socketio-py27-django18" / "\x1b]0;pwned\x07"
    broken.mkdir(parents=True)
    (broken / record.FILENAME).write_text("{")
    assert main(["merge", str(artifacts), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert_safe(out)
    assert "record.cell: 'py99-django99" in out and "is not a name" in out
    assert "django-socketio py27-django18: no result: " in out


@pytest.fixture
def every_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    """`run` believes every cell has an interpreter here; its cells are replaced by the tests."""
    monkeypatch.setattr(interpreters, "find", lambda series: interpreters.Interpreter(f"{series}.0", Path("/x")))


class Writes:
    """A stdout that keeps every write() call apart, to see how a line was written."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            self.calls.append(text)
        return len(text)

    def flush(self) -> None:
        pass


CELLS = [cell.env for cell in matrix.CELLS if cell.library == "django-socketio"][:12]


def fake_cells(monkeypatch: pytest.MonkeyPatch, stopped: str) -> None:
    """Every cell ends at once with a hostile reason, after a random little while; ``stopped`` is never started."""

    def fake(cell: matrix.Cell, results: Path, **kwargs: Any) -> record.CellRecord:
        time.sleep(random.uniform(0, 0.01))
        if cell.env == stopped:  # as a stopping run refuses a cell it has not started yet
            raise procs.Stopped(f"{cell.env} not started")
        return hostile_record(cell=cell.env)

    monkeypatch.setattr(runner, "run_cell", fake)


@pytest.mark.usefixtures("every_interpreter")
def test_run_counts_finished_cells_without_a_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_cells(monkeypatch, stopped=CELLS[0])
    assert main(["run", *run_args(tmp_path, "--jobs", "1"), *CELLS]) == 1
    counted = re.findall(r"^\[(\d+)/(\d+)\] ", capsys.readouterr().out, re.MULTILINE)
    assert [(int(done), int(total)) for done, total in counted] == [(n, len(CELLS)) for n in range(1, len(CELLS))]


@pytest.mark.usefixtures("every_interpreter")
def test_run_progress_lines_are_whole_writes_in_order_and_safe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_cells(monkeypatch, stopped=CELLS[3])
    writes = Writes()
    monkeypatch.setattr(sys, "stdout", writes)  # here: pytest sets its own capture again before the test runs
    assert main(["run", *run_args(tmp_path, "--jobs", "6"), *CELLS]) == 1
    progress = [call for call in writes.calls if call.startswith(("[", "  started"))]
    assert len(progress) == 2 * len(CELLS) - 1
    for line in progress:  # each line is one write, with its newline
        assert line.endswith("\n") and line.count("\n") == 1, repr(line)
        assert_safe(line[:-1])
    numbers = [re.match(r"\[(\d+)/(\d+)\] ", line) for line in progress if line.startswith("[")]
    assert [(int(m[1]), int(m[2])) for m in numbers if m] == [(n, len(CELLS)) for n in range(1, len(CELLS))]


def test_a_run_holds_the_lock_with_its_pid_and_lets_it_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[str] = []

    def fake(cell: matrix.Cell, results: Path, **kwargs: Any) -> record.CellRecord:
        seen.append((results / LOCK).read_text())
        with open(results / LOCK) as other:  # another open file: flock refuses it while the run holds it
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return hostile_record(cell=cell.env, status="unavailable")

    monkeypatch.setattr(runner, "run_cell", fake)
    assert main(["cell", "py312-django52", *run_args(tmp_path)]) == 0
    assert seen == [f"{os.getpid()}\n"]
    with open(tmp_path / "results" / LOCK) as again:
        fcntl.flock(again, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released


@pytest.mark.parametrize("command", COMMANDS, ids=["cell", "run"])
def test_a_second_dtws_on_the_same_results_is_refused(command: list[str], tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    args = dtws_args(*command, "--results", str(results), "--toxworkdir", str(tmp_path / "tox"))
    with open(results / LOCK, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write(f"{os.getpid()}\n")
        held.flush()
        refused = dtws(args, timeout=120)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert one_line(refused.stdout, refused.stderr) == (
        f"dtws {command[0]}: another dtws is running on {results} (pid {os.getpid()});"
        " wait for it or use another --results"
    )
    assert not (results / "django-socketio").exists()  # no cell started
    done = dtws(args, timeout=120)  # the lock is free now: the cell runs, and ends at once without an interpreter
    assert done.returncode == 0, done.stdout + done.stderr
    assert record.read(results / "django-socketio" / "py33-django18" / record.FILENAME).status == "unavailable"
    assert (results / LOCK).read_text().strip().isdigit()
