"""The docker path: the harness here, the cell's processes in a container of its Python.

There is no Docker engine in the tests: what a container run does is rehearsed
under act (../shared/rehearse, the guide's "On GitHub Actions", site/guide/github.md). Here: the command
lines the host builds, and that every way the plumbing fails leaves a record
that says so, as a harness error, never the library's ✗.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dtws import hosts, interpreters, matrix, record, runner
from dtws.bench import data
from dtws.bench.run import targets
from dtws.cli import main
from tests.conftest import PROJECT, fake_docker


def test_a_cells_command_runs_in_its_container_with_the_harnesss_variables_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RUNNER_ONLY", "stays on the runner")
    host = hosts.Docker("python:2.7", mounts=[PROJECT], name="dtws-test")
    env = dict(os.environ, DTWS_SOLUTION="channels", PATH="/somewhere:" + os.environ["PATH"])
    command, spawn_env = host.wrap(["/env/bin/python", "manage.py", "check"], PROJECT, env)
    assert command[:4] == ["docker", "exec", "-w", str(PROJECT)]
    assert command[-4:] == ["dtws-test", "/env/bin/python", "manage.py", "check"]
    passed = command[4:-4]
    assert passed == ["-e", "DTWS_SOLUTION=channels"], "only what the harness set, never PATH or the runner's own"
    assert spawn_env == dict(os.environ)
    assert host.tox() == [f"{hosts.TOX_VENV}/bin/python", "-m", "tox"]


def test_an_image_that_cannot_be_pulled_leaves_a_record_that_says_why(tmp_path: Path) -> None:
    answer = "Error response from daemon: manifest for python:3.3 not found: manifest unknown"
    host = hosts.Docker("python:3.3", mounts=[tmp_path], docker=str(fake_docker(tmp_path, answer)))
    cell = matrix.get("py33-django18")
    rec = runner.run_cell(cell, tmp_path / "results", project=PROJECT, host=host)
    assert rec.status == "error"
    assert rec.reason == f"install: image python:3.3 could not be pulled: {answer}"
    assert [step.verdict for step in rec.steps] == ["error"] + ["skipped"] * (len(rec.steps) - 1)
    on_disk = record.read(runner.cell_dir(tmp_path / "results", cell) / "result.json")
    assert on_disk.status == "error"
    log = runner.cell_dir(tmp_path / "results", cell) / "logs" / "install.log"
    assert answer in log.read_text() and on_disk.steps[0].log == "logs/install.log"


def test_no_docker_on_the_runner_is_a_harness_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    results = tmp_path / "results"
    assert main(["cell", "py27-django18", "--docker", "python:2.7", "--results", str(results)]) == 0
    rec = record.read(results / "django-socketio" / "py27-django18" / "result.json")
    assert (rec.status, rec.reason) == ("error", "install: docker is not on PATH, so the image python:2.7 cannot run")
    assert "ERROR" in capsys.readouterr().out


def _passed(env: str) -> record.CellRecord:
    cell = matrix.get(env)
    return record.CellRecord(cell.library, cell.env, cell.python, cell.django, status="pass")


KNOWN = [_passed("py35-django22-channels"), _passed("py315-django61-channels")]


@pytest.fixture
def python35_missing() -> None:
    if interpreters.find("3.5") is not None or interpreters.find("3.15") is not None:
        pytest.skip("this machine has Python 3.5 or 3.15: the cells of these tests would run here")


@pytest.mark.usefixtures("python35_missing")
def test_a_cell_whose_python_is_not_here_runs_in_its_image_only_when_asked() -> None:
    """As on GitHub for the libraries that pass on 2.7 and 3.6 only: the bench and the suite take the newest passing
    cell whose Python is here or (--in-docker) in the image the cell jobs use; a pre-release has none."""
    [here] = targets(["channels"], KNOWN)
    assert here.cell is None and "need Python 3.5, 3.15, which this machine does not have" in str(here.why)
    [there] = targets(["channels"], KNOWN, in_docker=True)
    assert there.cell is not None and (there.cell.env, there.image) == ("py35-django22-channels", "python:3.5")
    [named] = targets(["py312-django52-channels"], KNOWN, in_docker=True)
    assert named.image == "", "a Python this machine has runs here"


@pytest.mark.usefixtures("python35_missing")
def test_a_bench_whose_image_cannot_be_pulled_says_why_as_the_benchs_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = "Error response from daemon: pull access denied for python, repository does not exist"
    fake_docker(tmp_path, answer)
    monkeypatch.setenv("PATH", str(tmp_path))
    out = tmp_path / "bench"
    argv = ["bench", "py35-django22-channels", "--in-docker", "--out", str(out), "--levels", "1", "--repeat", "1"]
    assert main(argv) == 1
    [entry] = data.read(out / data.FILENAME).runs[-1].libraries
    assert (entry.status, entry.why) == ("error", f"image python:3.5 could not be pulled: {answer}")
    assert answer in (out / "logs" / "channels.log").read_text()
