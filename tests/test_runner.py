"""How a cell's status follows from its steps' verdicts."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import IO

import pytest

from dtws import hosts, interpreters, matrix, record, runner
from dtws.libraries import library
from dtws.runner import _conclude
from dtws.steps import install
from dtws.steps.base import Context
from tests.conftest import PROJECT


def concluded(*verdicts: tuple[str, record.StepVerdict]) -> record.CellRecord:
    rec = record.CellRecord("channels", "py312-django52-channels", "3.12", "5.2")
    rec.steps = [record.Step(name, [], verdict=verdict, detail=f"{name} said so") for name, verdict in verdicts]
    _conclude(rec)
    return rec


def test_every_step_passed() -> None:
    rec = concluded(("install", "pass"), ("browser", "pass"))
    assert (rec.status, rec.reason) == ("pass", None)


def test_the_first_failing_step_names_the_reason() -> None:
    rec = concluded(("install", "pass"), ("check", "fail"), ("test", "timeout"))
    assert (rec.status, rec.reason) == ("fail", "check: check said so")


def test_a_step_whose_tool_is_missing_makes_the_cell_unavailable_not_failed() -> None:
    rec = concluded(("install", "pass"), ("round-trip", "pass"), ("browser", "unavailable"))
    assert (rec.status, rec.reason) == ("unavailable", "browser: browser said so")


def test_a_stopped_run_is_incomplete() -> None:
    rec = concluded(("install", "pass"), ("check", "not-run"))
    assert (rec.status, rec.reason) == ("incomplete", None)


def test_a_harness_error_is_its_own_status_never_the_librarys_failure() -> None:
    rec = concluded(("install", "error"), ("check", "skipped"))
    assert (rec.status, rec.reason) == ("error", "install: install said so")


def test_an_env_tox_cannot_make_is_a_harness_error(tmp_path: Path) -> None:
    """A real tox that fails before the library is installed (its work dir is a file): not the library's ✗."""
    if interpreters.find("3.12") is None:
        pytest.skip("no Python 3.12 on this machine")
    workdir = tmp_path / "not-a-folder"
    workdir.write_text("")
    rec = runner.run_cell(matrix.get("py312-django52"), tmp_path / "results", project=PROJECT, toxworkdir=workdir)
    assert rec.status == "error"
    assert rec.reason == f"install: tox made no env (no python in {workdir / 'py312-django52'})"
    assert [step.verdict for step in rec.steps[1:]] == ["skipped"] * (len(rec.steps) - 1)


def _pip_context(tmp_path: Path, log: IO[bytes], pip: bool) -> Context:
    """A cell whose env is a real venv of Python 3.12, with a pip that runs (its Python's own) or with none."""
    found = interpreters.find("3.12")
    if found is None:
        pytest.skip("no Python 3.12 on this machine")
    cell = matrix.get("py312-django52")
    env = tmp_path / "envs" / cell.env
    made = subprocess.run(
        [str(found.executable), "-m", "venv", "--without-pip", *(["--system-site-packages"] if pip else []), str(env)],
        capture_output=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    return Context(
        cell=cell,
        solution=library(cell.library),
        interpreter=found,
        project=PROJECT,
        toxworkdir=tmp_path / "envs",
        scratch=tmp_path,
        env=dict(os.environ),
        log=log,
        deadline=time.monotonic() + 60,
        host=hosts.Local(),
    )


@pytest.mark.parametrize("pip", [True, False])
def test_a_pip_that_printed_what_it_collected_runs_and_is_not_asked(tmp_path: Path, pip: bool) -> None:
    with (tmp_path / "install.log").open("wb") as log:
        ctx = _pip_context(tmp_path, log, pip)
        assert install._pip_runs(ctx, "py312-django52: install_deps> python -E -m pip install\nCollecting Django\n")
    assert "pip --version" not in (tmp_path / "install.log").read_text()


@pytest.mark.parametrize("pip", [True, False])
def test_a_pip_that_printed_nothing_of_its_own_is_asked(tmp_path: Path, pip: bool) -> None:
    with (tmp_path / "install.log").open("wb") as log:
        ctx = _pip_context(tmp_path, log, pip)
        assert install._pip_runs(ctx, "py312-django52: install_deps> python -E -m pip install\n") is pip
    assert "-m pip --version" in (tmp_path / "install.log").read_text()
