"""The `docker run` a cell job uses for Pythons the runner lacks (no Docker engine here: its command line)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from dtws import docker
from dtws.cli import main


@pytest.fixture
def uv_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    uv = tmp_path / "bin" / "uv"
    uv.parent.mkdir()
    uv.write_text("#!/bin/sh\n")
    uv.chmod(uv.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{uv.parent}{os.pathsep}{os.environ['PATH']}")
    return uv


def test_the_cell_runs_in_the_official_image_with_the_harness_brought_in(uv_on_path: Path, tmp_path: Path) -> None:
    project = tmp_path / "repo"
    project.mkdir()
    command = docker.command("py27-django18", "python:2.7", project, project / "results")
    assert command[:3] == ["docker", "run", "--rm"]
    assert f"{project.resolve()}:/src" in command
    assert f"{uv_on_path}:/usr/local/bin/uv:ro" in command
    assert "DTWS_CELL=py27-django18" in command and "DTWS_RESULTS=/src/results" in command
    assert command[-4:-2] == ["python:2.7", "sh"]
    assert 'python -m dtws cell "$DTWS_CELL" --results "$DTWS_RESULTS" --project /src' in command[-1]
    for name in ("GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "DTWS_JOB_URL"):
        assert command[command.index(name) - 1] == "-e"


def test_without_uv_the_error_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["cell", "py27-django18", "--docker", "python:2.7"]) == 2
    assert "needs the uv binary on PATH" in capsys.readouterr().out
