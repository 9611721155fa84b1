"""The GitHub Actions workflow: linted, its matrix equal to ours, and its data path rehearsed here.

GitHub Actions cannot run on this machine, so the rehearsal runs the exact
shell of the workflow's steps, lays their outputs out as
actions/download-artifact does (a re-run included: same artifact name, newer
attempt), runs the site job's steps, and reads the site.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from functools import partial
from itertools import chain, islice
from itertools import count as count_up
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

from dtws import ahead, cli, github, hosts, interpreters, matrix, pages, questions, record, results, review
from dtws.libraries import LIBRARIES, library
from tests.conftest import PROJECT, fake_docker

WORKFLOW = PROJECT / ".github" / "workflows" / "matrix.yml"
SHARDS = range(1, github.SHARDS + 1)
# The workflow's job of each shard: `cell`, then `cell-2`, `cell-3` ...
SHARD_JOBS = ["cell" if index == 1 else f"cell-{index}" for index in SHARDS]
RUN_CELL = "run the cell (in a container of its Python when IMAGE is set; as of a day when AS_OF is)"


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


def lint(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / command[0]), *command[1:]],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_actionlint_with_shellcheck_reports_nothing() -> None:
    assert shutil.which("shellcheck"), "actionlint checks the run: scripts with shellcheck (make test installs it)"
    done = lint("actionlint", "-shellcheck", str(shutil.which("shellcheck")))
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_jactionlint_reports_nothing() -> None:
    assert shutil.which("shellcheck")
    done = lint("jactionlint")
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_zizmor_pedantic_reports_nothing() -> None:
    done = lint("zizmor", "--offline", "--persona=pedantic", "--format", "plain", str(WORKFLOW.parent))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout


PLAN = "the cell and bisect jobs, from dtws/matrix.py and dtws/questions.py"


def plan_outputs(only: str, tmp_path: Path, event: str = "workflow_dispatch") -> dict[str, str]:
    output = tmp_path / "github_output"
    output.write_text("")
    env = {"ONLY": only, "GITHUB_OUTPUT": str(output), "GITHUB_EVENT_NAME": event}
    done = run_step("plan", PLAN, PROJECT, env)
    assert done.returncode == 0, done.stdout + done.stderr
    found = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert set(found) == set(workflow()["jobs"]["plan"]["outputs"]), "each output the plan job declares"
    return found


def cell_jobs(outputs: dict[str, str]) -> list[dict[str, Any]]:
    """Every cell job of a plan's outputs: its shards' matrices, in order."""
    return [job for index in SHARDS for job in json.loads(outputs[github.shard_output(index)])["include"]]


def plan(only: str, tmp_path: Path) -> list[dict[str, Any]]:
    return cell_jobs(plan_outputs(only, tmp_path))


def test_the_workflows_cells_equal_the_matrix(tmp_path: Path) -> None:
    jobs = plan("all", tmp_path)
    today = [job for job in jobs if not job["as_of"]]
    # A dispatched (or scheduled) run: the cells ahead of release too, after the matrix's.
    assert [job["cell"] for job in today] == [cell.env for cell in matrix.CELLS + ahead.CELLS]
    by_cell = {job["cell"]: job for job in today}
    assert by_cell["py312-django52"]["name"] == "py312 · Django 5.2"
    assert by_cell["py27-django18"]["docker"] is True and by_cell["py27-django18"]["image"] == "python:2.7"
    assert by_cell["py312-django52"]["docker"] is False and by_cell["py312-django52"]["image"] == ""
    assert by_cell["py312-django52-channels"]["name"] == "py312 · Django 5.2 · channels"
    # The Ubuntu packages of the library's services, which the job installs on the runner.
    assert by_cell["py312-django52-channelsredis"]["packages"] == "redis-server"
    assert by_cell["py27-django111-wsredis"]["packages"] == "redis-server"
    assert by_cell["py27-django111-wsredis"]["image"] == "python:2.7", "its image has gcc and Python's headers"
    assert {job["packages"] for job in today if not library(job["library"]).services} == {""}


SERVICES = "the services of the cell's library, from Ubuntu"


def test_a_cell_job_installs_its_librarys_services_before_the_cell_runs() -> None:
    install = step("cell", f"{SERVICES} (missing, the cell records a harness error)")
    assert install["if"] == "${{ matrix.packages != '' }}" and install["continue-on-error"] is True
    assert install["env"] == {"PACKAGES": "${{ matrix.packages }}"}
    assert 'apt-get install -y -qq --no-install-recommends "${packages[@]}"' in install["run"]
    names = [item.get("name") for item in workflow()["jobs"]["cell"]["steps"]]
    assert names.index(install["name"]) < names.index(RUN_CELL)
    bisect = step("bisect", SERVICES)
    assert (bisect["if"], bisect["env"], bisect["run"]) == (install["if"], install["env"], install["run"])


def test_a_full_run_runs_the_reviews_cells_as_of_its_day_and_the_bisects(tmp_path: Path) -> None:
    outputs = plan_outputs("all", tmp_path)
    then = [job for job in cell_jobs(outputs) if job["as_of"]]
    assert [job["cell"] for job in then] == list(review.TABLE) and outputs["as-of"] == review.DAY
    assert {job["as_of"] for job in then} == {review.DAY}
    assert then[0]["name"] == f"as of {review.DAY} · py27 · Django 1.8" and then[0]["image"] == "python:2.7"
    bisects = json.loads(outputs["bisects"])
    assert [(job["cell"], job["package"], job["step"], job["releases"], job["every"]) for job in bisects] == [
        ("py27-django18", "gevent", "websocket-server", "", True),
        ("py27-django18", "Django", "check", ">=1.8", False),
        ("py27-django111-geventsocketio", "Django", "django-server", "", False),  # its first question
        ("py36-django32-wsredis", "Django", "django-server", "", False),  # its first question
    ]
    assert [job["image"] for job in bisects] == ["python:2.7"] * 3 + ["python:3.6"]
    assert all(job["runner"] == "ubuntu-24.04" for job in bisects)
    # A push runs the cells and the as-of cells, not the bisects, which take longer than a push should,
    # nor the cells ahead of release.
    push = plan_outputs("all", tmp_path, "push")
    coming = {cell.env for cell in ahead.CELLS}
    assert cell_jobs(push) == [job for job in cell_jobs(outputs) if job["cell"] not in coming or job["as_of"]]
    assert push["bisects"] == "[]"
    assert plan_outputs("all", tmp_path, "schedule")["bisects"] == outputs["bisects"]
    triggers = yaml.safe_load(WORKFLOW.read_text().replace("\non:", '\n"on":'))["on"]
    assert triggers["schedule"] == [{"cron": "17 4 * * 1"}], "weekly"
    # A run of one cell runs that cell only: the site keeps the rest, as-of cells and bisects included.
    one = plan_outputs("py39-django32", tmp_path)
    assert [job["cell"] for job in cell_jobs(one)] == ["py39-django32"]
    assert one["bisects"] == "[]" and one["as-of"] == review.DAY
    jobs = workflow()["jobs"]
    assert "needs.plan.outputs.bisects != '[]'" in jobs["bisect"]["if"]
    assert jobs["site"]["needs"] == ["plan", *SHARD_JOBS, "bisect", "bench", "conform"]
    assert jobs["bisect"]["continue-on-error"] is True


def test_every_python_of_the_matrix_has_a_source_on_a_named_runner(tmp_path: Path) -> None:
    """ubuntu-latest moved to 26.04, where setup-python has no 3.8 or 3.9: every job names its runner."""
    for job in plan("all", tmp_path):
        assert job["runner"] == "ubuntu-24.04", job
        assert job["setup_python"] in github.SETUP_PYTHON + hosts.IN_DOCKER
        assert job["python"] == job["setup_python"] + ("t" if job["freethreaded"] else "")
        assert job["docker"] == (job["python"] in hosts.IN_DOCKER)
    assert set(github.SETUP_PYTHON) & set(hosts.IN_DOCKER) == set()
    assert set(matrix.pythons()) <= set(github.SETUP_PYTHON + hosts.IN_DOCKER)
    with pytest.raises(LookupError, match="no CI source for Python 3.2"):
        github.source("3.2")
    text = WORKFLOW.read_text()
    assert "-latest" not in text
    assert all(job.get("runs-on") in ("ubuntu-24.04", "${{ matrix.runner }}") for job in workflow()["jobs"].values())


def test_a_cell_ci_cannot_give_its_python_is_a_red_harness_error(tmp_path: Path) -> None:
    """What setup-python failing to give a Python (continue-on-error) leads to: loud, not a quiet 'unavailable'."""
    assert interpreters.find("3.3") is None, "this test needs a Python the machine lacks"
    checkout = tmp_path / "checkout"
    shutil.copytree(
        PROJECT, checkout, ignore=shutil.ignore_patterns(".tox", ".venv", "results", "build", "node_modules")
    )
    done = run_step("cell", RUN_CELL, checkout, {"CELL": "py33-django18", "IMAGE": "", "AS_OF": ""})
    assert done.returncode == 0, done.stdout + done.stderr
    rec = record.read(checkout / "results/django-socketio/py33-django18/result.json")
    assert rec.status == "error"
    assert rec.reason == "install: no Python 3.3 interpreter on this machine (looked in pyenv and on PATH)"
    summary = tmp_path / "summary"
    report = run_step(
        "cell",
        "verdict",
        checkout,
        {"RECORD": "results/django-socketio/py33-django18/result.json", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert report.returncode == 1
    assert report.stdout.startswith("::error title=django-socketio py33-django18: harness error::install: no Python")
    assert summary.read_text().startswith("- ⚠ **django-socketio py33-django18** harness error: `install: no Python")


def test_one_cell_from_workflow_dispatch(tmp_path: Path) -> None:
    assert [job["cell"] for job in plan("py39-django32", tmp_path)] == ["py39-django32"]
    done = run_step("plan", PLAN, PROJECT, {"ONLY": "py99-django99", "GITHUB_EVENT_NAME": "workflow_dispatch"})
    assert done.returncode != 0 and "unknown cell" in done.stdout


def test_a_pull_request_that_changes_no_cell_file_runs_only_the_plan(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    top = {".tox", ".venv", ".git", "results", "build", "node_modules"}  # what the project's root has beside its files

    def ignored(folder: str, names: list[str]) -> list[str]:
        return [name for name in names if name == "__pycache__" or (Path(folder) == PROJECT and name in top)]

    shutil.copytree(PROJECT, repo, ignore=ignored)
    git = partial(subprocess.run, cwd=repo, capture_output=True, check=True)
    git(["git", "init", "-q"])
    git(["git", "add", "-A"])
    git(["git", "-c", "user.name=dtws", "-c", "user.email=dtws@localhost", "commit", "-qm", "base"])
    (repo / "myapp" / "untracked.py").write_text("# beside the commits: never hashed\n")

    def plan(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "dtws", "github", "matrix", "--event", "pull_request", *args],
            cwd=repo,
            capture_output=True,
            text=True,
            check=False,
        )

    commit = ["git", "-c", "user.name=dtws", "-c", "user.email=dtws@localhost", "commit", "-qam", "change"]
    (repo / "README.md").write_text("a change to no cell file\n")
    git(commit)
    same = plan("--base", "HEAD~1")
    assert same.returncode == 0 and "no cell file changed since HEAD~1: only the plan runs" in same.stdout
    assert 'matrix={"include":[]}' in same.stdout and "runs=false" in same.stdout
    with (repo / "myapp" / "views.py").open("a") as views:
        views.write("# a change to a cell file\n")
    git(commit)
    changed = plan("--base", "HEAD~2")
    assert changed.returncode == 0 and "runs=true" in changed.stdout and "py312-django52" in changed.stdout
    missing = plan("--base", "0" * 40)
    assert missing.returncode == 2 and missing.stdout.startswith("::error title=dtws plan::'0000000000")
    assert "not a commit of the repository" in missing.stdout


# GitHub's limits (docs.github.com "Actions limits" and "Workflow syntax", read 2026-11-29): one
# job's matrix expands to at most 256 jobs in a run; a job's outputs are at most 1 MB, counted in UTF-16.
MATRIX_LIMIT = 256
OUTPUTS_LIMIT = 1024 * 1024
# What an empty shard's output holds, and what its job's `if:` skips on.
EMPTY = '{"include":[]}'


def cells_of(count: int) -> tuple[matrix.Cell, ...]:
    """The matrix's cells, then made-up ones, ``count`` in all: every library on every Python CI has, each
    with a Django series of its own (100.0, 101.0, ...), so no two share a name."""
    libraries = [lib.name for lib in LIBRARIES if not lib.test_only]
    pythons = github.SETUP_PYTHON + hosts.IN_DOCKER
    made = (matrix.Cell(libraries[n % len(libraries)], pythons[n % len(pythons)], f"{100 + n}.0") for n in count_up())
    return tuple(islice(chain(matrix.CELLS, made), count))


def planned(
    cells: tuple[matrix.Cell, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, dict[str, str]]:
    """The plan step's command (in this process), ``cells`` the matrix (none ahead), on the weekly schedule."""
    monkeypatch.setattr(matrix, "CELLS", cells)
    monkeypatch.setattr(ahead, "CELLS", ())
    output = tmp_path / "github_output"
    output.write_text("")
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    code = cli.main(["github", "matrix", "--only", "all", "--event", "schedule"])
    return code, dict(line.split("=", 1) for line in output.read_text().splitlines())


def expanded(outputs: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """What GitHub runs of the workflow's cell jobs on these plan outputs: each job whose `if:` holds, its matrix."""
    ran = {}
    for name, job in workflow()["jobs"].items():
        matrix_of = str(job.get("strategy", {}).get("matrix"))
        reads = re.fullmatch(r"\$\{\{ fromJSON\(needs\.plan\.outputs\.([\w-]+)\) \}\}", matrix_of)
        if not reads:
            continue
        skips = re.fullmatch(r"\$\{\{ needs\.plan\.outputs\.([\w-]+) != '(.*)' \}\}", job["if"])
        assert skips is not None and skips.group(1) == reads.group(1), f"{name} skips when its own matrix is empty"
        if outputs[reads.group(1)] != skips.group(2):
            ran[name] = json.loads(outputs[reads.group(1)])["include"]
    return ran


def test_600_cells_fit_the_workflows_shards_each_cell_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past 256 cell jobs, the plan fills further copies of the cell job, none of them past GitHub's limit."""
    cells = cells_of(600)
    code, outputs = planned(cells, tmp_path, monkeypatch)
    assert code == 0
    ran = expanded(outputs)
    assert {name: len(jobs) for name, jobs in ran.items()} == {"cell": 256, "cell-2": 256, "cell-3": 95}
    assert outputs["matrix-4"] == EMPTY, "an empty shard's job is skipped, never an empty matrix (which GitHub fails)"
    jobs = [job for shard in ran.values() for job in shard]
    wanted = [(cell.env, "") for cell in cells] + [(name, review.DAY) for name in review.TABLE]
    assert Counter((job["cell"], job["as_of"]) for job in jobs) == Counter(wanted), "every cell exactly once"
    assert len({job["name"] for job in jobs}) == len(jobs), "one job per cell, named by the cell"
    assert [job["bisect"] for job in json.loads(outputs["bisects"])] == [q.name for q in questions.QUESTIONS]


def test_a_plan_fills_every_shard_and_no_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    room = github.SHARDS * MATRIX_LIMIT - len(review.TABLE)
    code, outputs = planned(cells_of(room), tmp_path, monkeypatch)
    assert code == 0 and [len(jobs) for jobs in expanded(outputs).values()] == [MATRIX_LIMIT] * github.SHARDS
    size = sum(len(f"{name}={value}\n".encode("utf-16-le")) for name, value in outputs.items())
    assert size < OUTPUTS_LIMIT, f"the plan job's outputs: {size} bytes"
    capsys.readouterr()
    code, outputs = planned(cells_of(room + 1), tmp_path, monkeypatch)
    said = capsys.readouterr().out
    assert (code, outputs) == (2, {})
    assert said == (
        f"::error title=dtws::{github.SHARDS * MATRIX_LIMIT + 1} cell jobs, more than the workflow's"
        f" {github.SHARDS} cell jobs of {MATRIX_LIMIT} each can run: raise SHARDS in dtws/github.py and add"
        " a copy of the cell job to .github/workflows/matrix.yml\n"
    )


def test_the_shards_are_one_cell_job(tmp_path: Path) -> None:
    """Each shard's job is the first one (YAML aliases: one list of steps) but for its matrix and its `if:`."""
    assert github.MAX_JOBS == MATRIX_LIMIT
    jobs = workflow()["jobs"]
    first = jobs[SHARD_JOBS[0]]
    for index, name in zip(SHARDS, SHARD_JOBS, strict=True):
        output = github.shard_output(index)
        job = jobs[name]
        assert jobs["plan"]["outputs"][output] == f"${{{{ steps.plan.outputs.{output} }}}}"
        assert job["strategy"] == {"fail-fast": False, "matrix": f"${{{{ fromJSON(needs.plan.outputs.{output}) }}}}"}
        assert job["if"] == f"${{{{ needs.plan.outputs.{output} != '{EMPTY}' }}}}"
        assert job["steps"] is first["steps"] and job["permissions"] is first["permissions"]
        assert {key: value for key, value in job.items() if key not in ("if", "strategy")} == {
            key: value for key, value in first.items() if key not in ("if", "strategy")
        }
    assert first["name"] == "${{ matrix.name }}" and first["needs"] == "plan"
    # A re-run of one cell's job re-runs the jobs after it: the site waits for every shard, the gate and deploy for it.
    assert set(SHARD_JOBS) <= set(jobs["site"]["needs"])
    # Today's full run fills the shards it needs in order, the others skipped.
    outputs = plan_outputs("all", tmp_path)
    needed = math.ceil((len(matrix.CELLS) + len(review.TABLE)) / github.MAX_JOBS)
    assert list(expanded(outputs)) == SHARD_JOBS[:needed]
    assert all(outputs[github.shard_output(i)] == EMPTY for i in SHARDS[needed:])


def test_the_bench_runs_weekly_and_when_dispatched_all_libraries_on_one_runner_into_the_site(tmp_path: Path) -> None:
    jobs = workflow()["jobs"]
    bench = jobs["bench"]
    assert bench["if"] == "${{ github.event_name == 'schedule' || github.event_name == 'workflow_dispatch' }}"
    assert "strategy" not in bench and bench["runs-on"] == "ubuntu-24.04", "one runner: the ratios compare"
    assert bench["continue-on-error"] is True and bench["permissions"] == {"contents": "read"}
    said = step("bench", "bench each library's newest passing cell on the published site")
    assert said["run"] == (
        'python -m dtws bench --published "${PUBLISHED}results.json" --previous "$PUBLISHED" --out bench \\\n'
        "  --in-docker\n"
    )
    assert said["env"]["PUBLISHED"] == "${{ steps.pages.outputs.url }}"
    upload = step("bench", "upload bench.json and the servers' logs")
    assert upload["with"]["path"] == "bench/" and upload["if"] == "${{ always() }}"
    download = step("site", "download the bench (none on a push)")
    assert re.fullmatch(download["with"]["pattern"].replace("*", ".*"), upload["with"]["name"])
    assert download["with"]["run-id"] == "${{ github.run_id }}"
    built = step("site", BUILD)
    assert f"--bench {download['with']['path']}/{upload['with']['name']}/bench.json" in built["run"]
    assert "bench" in jobs["site"]["needs"]
    # Its services: every library's, from their declarations.
    output = tmp_path / "out"
    done = run_step("bench", "the Debian packages of every library's services", PROJECT, {"GITHUB_OUTPUT": str(output)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert output.read_text() == f"packages={github.bench_packages()}\n" and "redis-server" in github.bench_packages()


def test_every_job_installs_dtws_one_way_out_of_the_caches_it_saves() -> None:
    """uv, from the index: the harness's packages never go into a cell's saved pip and uv caches."""
    jobs = workflow()["jobs"]
    installs = {name: item for name, job in jobs.items() for item in job["steps"] if item.get("name") == "install dtws"}
    assert set(installs) == set(jobs) - {"deploy"}
    assert all(item is installs["plan"] for item in installs.values()), "one step, aliased"
    assert installs["plan"]["run"].splitlines() == [
        "python -m pip install --no-cache-dir uv",
        'python -m uv pip install --no-cache --python "$(command -v python)" .',
    ]
    # mkdocs (the site extra), most of what took the install long, only where the site is built.
    extras = [item["run"] for job in jobs.values() for item in job["steps"] if ".[site]" in item.get("run", "")]
    assert extras == ['python -m uv pip install --no-cache --python "$(command -v python)" ".[site]"']
    assert step("site", "install what builds the site (mkdocs)")["run"] == extras[0]


def test_a_failed_plan_builds_and_deploys_nothing() -> None:
    """A mistyped dispatch fails the plan; the site job (and so deploy) must not run on `!cancelled()` alone."""
    jobs = workflow()["jobs"]
    assert "plan" in jobs["site"]["needs"]
    assert "needs.plan.result == 'success'" in jobs["site"]["if"]
    assert jobs["deploy"]["needs"] == ["site", "gate"]
    assert "needs.site.result == 'success'" in jobs["deploy"]["if"]
    assert "needs.site.outputs.publish == 'true'" in jobs["deploy"]["if"]
    assert "needs.gate" not in jobs["deploy"]["if"], "a red gate must not keep the site from showing what broke"


def test_the_run_is_red_only_when_the_gate_says_a_passing_cell_broke() -> None:
    """Cell jobs may fail (continue-on-error); the gate, after the site and before deploy, decides the run."""
    jobs = workflow()["jobs"]
    assert jobs["cell"]["continue-on-error"] is True
    assert "continue-on-error" not in jobs["gate"] and "continue-on-error" not in jobs["site"]
    assert jobs["gate"]["needs"] == ["plan", "site"] and "needs.site.result == 'success'" in jobs["gate"]["if"]
    run = step("gate", "compare with the published results (red only when a passing cell broke)")
    assert run["run"] == (
        'python -m dtws gate built/results.json --baseline "$PUBLISHED" --site "$SITE" --verdict gate/verdict.json \\\n'
        "  --conformance conform/conform-results/conformance.json\n"
    )
    assert run["env"]["PUBLISHED"] == "${{ steps.pages.outputs.url }}results.json"
    download = step("gate", "download this run's site")
    assert download["with"]["name"] == "site" and download["with"]["run-id"] == "${{ github.run_id }}"


def test_the_conformance_suite_runs_with_the_bench_into_the_site_and_the_gate() -> None:
    jobs = workflow()["jobs"]
    conform, bench = jobs["conform"], jobs["bench"]
    assert conform["if"] == bench["if"] and conform["needs"] == "plan", "weekly and when dispatched"
    assert conform["continue-on-error"] is True and conform["permissions"] == {"contents": "read"}
    said = step("conform", "the suite against each library's newest passing cell on the published site")
    assert "--in-docker --suite-docker python:2.7" in said["run"]
    assert '--previous "$PUBLISHED" --out conform' in said["run"]
    upload = step("conform", "upload conformance.json, Autobahn's reports and the servers' logs")
    assert upload["with"]["path"] == "conform/" and upload["if"] == "${{ always() }}"
    for job in ("site", "gate"):
        download = next(
            item for item in jobs[job]["steps"] if item.get("name", "").startswith("download the conformance")
        )
        assert download["with"]["pattern"] == "conform-*" and download["with"]["path"] == "conform"
    assert f"--conformance conform/{upload['with']['name']}/conformance.json" in step("site", BUILD)["run"]


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
    assert data["jobs"]["site"]["permissions"] == {"contents": "read", "actions": "read"}
    assert data["jobs"]["gate"]["permissions"] == {"contents": "read", "actions": "read"}
    assert all(
        "pages" not in job["permissions"] and "id-token" not in job["permissions"]
        for name, job in data["jobs"].items()
        if name != "deploy"
    )
    for name in SHARD_JOBS:
        cell = data["jobs"][name]
        assert cell["continue-on-error"] is True and cell["strategy"]["fail-fast"] is False
    # Pull requests, never with the target's token; only the job that tells people may write issues.
    triggers = yaml.safe_load(WORKFLOW.read_text().replace("\non:", '\n"on":'))["on"]
    assert "pull_request" in triggers and "pull_request_target" not in triggers
    assert data["jobs"]["tell"]["permissions"] == {"contents": "read", "actions": "read", "issues": "write"}
    assert all("issues" not in job["permissions"] for name, job in data["jobs"].items() if name != "tell")
    assert "github.event_name != 'pull_request'" in data["jobs"]["deploy"]["if"]
    assert "github.event_name == 'schedule'" in data["jobs"]["tell"]["if"]


@pytest.mark.parametrize(("own", "runs"), [("true", "false"), ("false", "true"), ("", "true")])
def test_a_pull_request_of_an_own_branch_runs_only_the_plan(own: str, runs: str, tmp_path: Path) -> None:
    """Its push ran the cells; a fork's pull request (or a push: OWN empty) plans them."""
    output = tmp_path / "out"
    env = {"ONLY": "all", "BASE": "", "OWN": own, "GITHUB_EVENT_NAME": "pull_request", "GITHUB_OUTPUT": str(output)}
    done = run_step("plan", "the cell and bisect jobs, from dtws/matrix.py and dtws/questions.py", PROJECT, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"runs={runs}\n" in output.read_text()
    assert ("its push runs the cells" in done.stdout) == (own == "true")


# Node 20 actions were removed from the runners on 2026-09-23; these majors run on Node 24.
CURRENT_MAJORS = {
    "actions/checkout": 7,
    "actions/setup-python": 7,
    "actions/cache/restore": 5,
    "actions/cache/save": 5,
    "actions/upload-artifact": 7,
    "actions/download-artifact": 8,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
}


def test_housekeeping() -> None:
    data = workflow()
    text = WORKFLOW.read_text()
    assert data["concurrency"]["group"] == "matrix-${{ github.ref }}"
    assert data["concurrency"]["cancel-in-progress"] == (
        "${{ github.ref_name != github.event.repository.default_branch }}"
    )
    for name, job in data["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), name
        for item in job["steps"]:
            if "uses" in item:
                action = item["uses"].split("@", 1)[0]
                assert action in CURRENT_MAJORS, action
                assert f"# v{CURRENT_MAJORS[action]}." in text.split(item["uses"], 1)[1].splitlines()[0], action
    upload = step("cell", "upload the record and logs")
    assert upload["with"]["name"] == "${{ steps.artifact.outputs.name }}"
    assert isinstance(upload["with"]["retention-days"], int)
    restore = step("cell", "restore the pip and uv caches")
    save = step("cell", "save the pip and uv caches (a failing cell's too)")
    assert restore["with"]["key"] == save["with"]["key"] and "matrix.library" in save["with"]["key"]
    assert save["if"] == "${{ always() }}"
    download = step("site", "download every attempt of every cell's record")
    assert download["with"]["run-id"] == "${{ github.run_id }}"
    assert download["with"]["github-token"] == "${{ github.token }}"
    job_url = step("cell", RUN_CELL)["env"]["DTWS_JOB_URL"]
    assert job_url.endswith("/actions/runs/${{ github.run_id }}/job/${{ job.check_run_id }}")


@pytest.mark.parametrize(
    ("repository", "site_url", "url"),
    [
        ("dtws/dtws", "", "https://dtws.github.io/dtws/"),
        ("Someone/Lab", "", "https://someone.github.io/Lab/"),
        ("someone/someone.github.io", "", "https://someone.github.io/"),
        ("Someone/someone.GitHub.io", "", "https://someone.github.io/"),
        ("dtws/dtws", "https://compat.example.org/lab", "https://compat.example.org/lab/"),
    ],
)
def test_the_published_sites_address(repository: str, site_url: str, url: str, tmp_path: Path) -> None:
    output = tmp_path / "out"
    env = {"GITHUB_REPOSITORY": repository, "DTWS_SITE_URL": site_url, "GITHUB_OUTPUT": str(output)}
    done = run_step("site", "the published site's address", PROJECT, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert output.read_text() == f"url={url}\n"


def merged(
    run_number: int | None,
    attempt: int,
    reran: int,
    baseline: results.RunInfo | None,
    missing: int = 0,
    run_id: str | None = None,
    **kw: Any,
) -> results.Results:
    """Results of a run that re-ran ``reran`` cells and has no record of ``missing`` others."""
    run = results.RunInfo(run_id=run_id, run_number=run_number, run_attempt=attempt, reran=reran)
    cells = [cell for cell in matrix.CELLS if cell.library == matrix.LIBRARY][: reran + missing]
    entries = [results.Entry(cell.library, cell.env, cell.python, cell.django) for cell in cells]
    for entry in entries[:reran]:
        entry.record = record.CellRecord(entry.library, entry.cell, entry.python, entry.django, status="pass")
    return results.Results("2026-11-29T12:00:00+00:00", run=run, cells=entries, baseline=baseline, **kw)


def test_what_may_be_published() -> None:
    assert github.publishable(merged(5, 1, 1, None))[0]
    assert github.publishable(merged(5, 1, 1, results.RunInfo(run_number=4, run_attempt=2)))[0]
    assert github.publishable(merged(5, 2, 1, results.RunInfo(run_number=5, run_attempt=1)))[0]
    older, why = github.publishable(merged(4, 3, 1, results.RunInfo(run_number=5, run_attempt=1)))
    assert not older and "run #5 (attempt 1), newer than this run #4 (attempt 3)" in why
    by_id, why = github.publishable(merged(None, 1, 1, results.RunInfo(run_id="105"), run_id="104"))
    assert not by_id and "run 105 (attempt 1), newer than this run 104" in why
    unread, why = github.publishable(merged(5, 1, 1, None, baseline_problem="the published results: HTTP 500"))
    assert not unread and why == "the published results: HTTP 500"
    assert not github.publishable(merged(5, 1, 0, None))[0]
    blind, why = github.publishable(merged(5, 1, 1, None, missing=30))
    assert not blind and "no record of 30 cells" in why and "only a run of every cell" in why
    assert github.publishable(merged(5, 1, 1, results.RunInfo(run_number=4), missing=30))[0]


def lay_out(artifacts: Path, results_dir: Path, library: str, cell: str, attempt: int) -> str:
    """What upload-artifact of results/ then download-artifact (pattern cell-*, run-id) leave: a folder per artifact."""
    output = artifacts.parent / f"artifact-name-{cell}-{attempt}"
    done = run_step(
        "cell",
        "the artifact's name, with this attempt",
        PROJECT,
        {"CELL": cell, "AS_OF": "", "GITHUB_RUN_ATTEMPT": str(attempt), "GITHUB_OUTPUT": str(output)},
    )
    assert done.returncode == 0, done.stdout
    name = output.read_text().strip().removeprefix("name=")
    assert not (artifacts / name).exists(), "one artifact per attempt: a re-run never overwrites one"
    shutil.copytree(results_dir / library / cell, artifacts / name / library / cell)
    return name


def text_of(path: Path) -> str:
    return BeautifulSoup(path.read_text(), "html.parser").get_text(" ", strip=True)


@pytest.mark.cells
def test_rehearsal_of_a_run_a_rerun_and_a_later_one_cell_run(tmp_path: Path) -> None:
    checkout = checkout_of(tmp_path)

    def run_cells(run_id: int, number: int, attempt: int, cells: list[str], artifacts: Path) -> None:
        for cell in cells:
            env = {
                **github_env(run_id, number, attempt),
                "CELL": cell,
                "IMAGE": "",
                "AS_OF": "",
                "DTWS_JOB_URL": f"https://github.com/dtws/dtws/actions/runs/{run_id}/job/{run_id}{attempt}",
            }
            done = run_step("cell", RUN_CELL, checkout, env)
            assert done.returncode == 0, done.stdout + done.stderr
            summary = tmp_path / f"summary-{run_id}-{attempt}-{cell}"
            report = run_step(
                "cell",
                "verdict",
                checkout,
                {"RECORD": f"results/django-socketio/{cell}/result.json", "GITHUB_STEP_SUMMARY": str(summary)},
            )
            assert report.returncode == 1 and report.stdout.startswith("::error title=django-socketio " + cell)
            assert summary.read_text().startswith(f"- ✗ **django-socketio {cell}** fail")
            lay_out(artifacts, checkout / "results", "django-socketio", cell, attempt)

    def site_job(run_id: int, number: int, attempt: int, artifacts: Path, published: Path) -> dict[str, str]:
        shutil.rmtree(checkout / "artifacts", ignore_errors=True)
        shutil.copytree(artifacts, checkout / "artifacts")
        return run_site_job(checkout, github_env(run_id, number, attempt), published.parent, tmp_path / "o")

    # Run 4242 (#1): two cells, then a re-run of one; both attempts' artifacts are there at once.
    first = tmp_path / "artifacts-4242"
    run_cells(4242, 1, 1, ["py312-django52", "py27-django19"], first)
    run_cells(4242, 1, 2, ["py312-django52"], first)
    assert sorted(p.name for p in first.iterdir()) == [
        "cell-django-socketio-py27-django19",
        "cell-django-socketio-py312-django52",
        "cell-django-socketio-py312-django52-attempt2",
    ]
    outputs = site_job(4242, 1, 2, first, tmp_path / "nothing-published-yet" / "results.json")
    assert outputs["publish"] == "false", "two cells never publish over a site that could not be read"
    built = checkout / "build" / "site"
    rerun = text_of(built / "cells/django-socketio/py312-django52/index.html")
    assert "run 4242, attempt 2" in rerun and "Attempts of this cell found: 1, 2; the highest is shown." in rerun
    assert "run 4242, attempt 1" in text_of(built / "cells/django-socketio/py27-django19/index.html")
    got = json.loads((built / "results.json").read_text())
    attempts = {c["cell"]: c["record"]["provenance"]["run_attempt"] for c in got["cells"] if c["record"]}
    assert attempts == {"py312-django52": 2, "py27-django19": 1}
    rec = record.read(checkout / "build/results/records/django-socketio/py27-django19/result.json")
    assert rec.provenance.job_url == "https://github.com/dtws/dtws/actions/runs/4242/job/42421"
    published = tmp_path / "published"  # from here on, as if a run of every cell had published this site
    shutil.copytree(built, published)

    # Run 4300 (#2): a one-cell dispatch. The published site keeps every other cell's verdict.
    second = tmp_path / "artifacts-4300"
    run_cells(4300, 2, 1, ["py27-django19"], second)
    outputs = site_job(4300, 2, 1, second, published / "results.json")
    assert outputs["publish"] == "true"
    front = text_of(built / "index.html")
    assert f"This run re-ran 1 of {len(matrix.CELLS)} cells. The other 1 with a verdict keep the one they had" in front
    kept = text_of(built / "cells/django-socketio/py312-django52/index.html")
    assert (
        "Not re-run by the run that built this page: this verdict is the one published before, from run 4242, attempt 2"
        in kept
    )
    assert (built / "cells/django-socketio/py312-django52/logs/install.log").read_text() == (
        published / "cells/django-socketio/py312-django52/logs/install.log"
    ).read_text()
    assert "This verdict comes from run 4300, attempt 1" in text_of(
        built / "cells/django-socketio/py27-django19/index.html"
    )
    got = json.loads((built / "results.json").read_text())
    status = {c["cell"]: (c["record"]["status"], c["kept"]) for c in got["cells"] if c["record"]}
    assert status == {"py312-django52": ("fail", True), "py27-django19": ("fail", False)}
    since = {c["cell"]: (c["since_run"], [h["run_id"] for h in c["history"]]) for c in got["cells"] if c["record"]}
    assert since == {"py312-django52": ("4242", ["4242"]), "py27-django19": ("4242", ["4242", "4300"])}
    # Each run keeps its own page; the cell page is the permalink to the latest.
    assert [run["key"] for run in json.loads((built / "runs/index.json").read_text())] == ["4300", "4242"]
    old_run = json.loads((built / "runs/4242/table.json").read_text())
    assert old_run == json.loads((published / "runs/4242/table.json").read_text()), "as it was published"
    assert "That run's own page: runs/4300/" in text_of(built / "cells/django-socketio/py27-django19/index.html")
    # The gate job on this run's site: known failures only, so green.
    shutil.rmtree(checkout / "built", ignore_errors=True)
    shutil.copytree(built, checkout / "built")
    gate_env = {"PUBLISHED": str(published / "results.json"), "SITE": "https://dtws.github.io/dtws/"}
    gate = run_step(
        "gate", "compare with the published results (red only when a passing cell broke)", checkout, gate_env
    )
    assert gate.returncode == 0, gate.stdout
    assert "## dtws: green: no cell that passed before fails now" in gate.stdout

    # A late re-run of run #1 must not publish over run #2.
    shutil.copytree(built, tmp_path / "published-2")
    outputs = site_job(4242, 1, 3, second, tmp_path / "published-2" / "results.json")
    assert outputs["publish"] == "false"


AS_OF_MERGE = "merge the cells as of ${{ needs.plan.outputs.as-of }} (those not run now kept from the published site)"
BUILD = "build the site (the published bisects this run did not make again kept, and its bench unless benched)"
BISECT = "bisect (each probe a real run of the cell, recorded)"


def run_site_job(checkout: Path, env: dict[str, str], published: Path, output: Path) -> dict[str, str]:
    """The site job's steps on what the download steps left in ``checkout``; the published site at ``published``."""
    output.write_text("")
    root = {**env, "PUBLISHED": str(published / "results.json"), "GITHUB_OUTPUT": str(output)}
    then = {**root, "DAY": review.DAY, "PUBLISHED": str(published / "as-of" / review.DAY / "results.json")}
    for name, step_env in (
        ("merge", root),
        (AS_OF_MERGE, then),
        (BUILD, {**root, "DAY": review.DAY}),
        ("may this run publish", root),
    ):
        done = run_step("site", name, checkout, step_env)
        assert done.returncode == 0, done.stdout + done.stderr
    return dict(line.split("=", 1) for line in output.read_text().splitlines())


def github_env(run_id: int, number: int, attempt: int) -> dict[str, str]:
    return {
        "GITHUB_RUN_ID": str(run_id),
        "GITHUB_RUN_NUMBER": str(number),
        "GITHUB_RUN_ATTEMPT": str(attempt),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "dtws/dtws",
    }


def checkout_of(tmp_path: Path) -> Path:
    """The repository as actions/checkout leaves it: no local results, envs or built site."""
    checkout = tmp_path / "checkout"
    shutil.copytree(
        PROJECT, checkout, ignore=shutil.ignore_patterns(".tox", ".venv", "results*", "build", "node_modules", "site")
    )
    shutil.copytree(PROJECT / "site", checkout / "site", ignore=shutil.ignore_patterns(*pages.GENERATED))
    return checkout


@pytest.mark.network
def test_rehearsal_of_a_full_runs_as_of_cell_and_bisect_then_a_one_cell_run(
    tmp_path: Path, local_run: tuple[subprocess.CompletedProcess[str], Path]
) -> None:
    """The review's cell as of its day and a bisect, as their jobs run them, on the site; a later run keeps them."""
    checkout = checkout_of(tmp_path)
    outputs = plan_outputs("all", tmp_path)
    job = next(job for job in cell_jobs(outputs) if job["as_of"] and job["cell"] == "py27-django18")
    env = {"CELL": job["cell"], "IMAGE": "", "AS_OF": job["as_of"], "DTWS_JOB_URL": "https://github.com/x/y/job/1"}
    done = run_step("cell", RUN_CELL, checkout, env)
    assert done.returncode == 0, done.stdout + done.stderr
    report = run_step("cell", "verdict", checkout, {"RECORD": "results/django-socketio/py27-django18/result.json"})
    assert report.returncode == 0, "the past's ✗ is a finding, not this run's red"
    assert report.stdout.startswith(f"::notice title=django-socketio py27-django18 as of {review.DAY}: fail::")
    name_file = tmp_path / "artifact-name"
    named = run_step(
        "cell", "the artifact's name, with this attempt", PROJECT, {**env, "GITHUB_OUTPUT": str(name_file)}
    )
    assert named.returncode == 0 and name_file.read_text() == f"name=asof-{review.DAY}-django-socketio-py27-django18\n"
    shutil.copytree(checkout / "results", checkout / "as-of" / name_file.read_text().strip().removeprefix("name="))
    shutil.rmtree(checkout / "results")

    # The bisect job of the Django question, over two of its releases (the workflow's is every one from 1.8).
    question = next(job for job in json.loads(outputs["bisects"]) if job["package"] == "Django")
    bisect_env = {
        **{key.upper(): str(question[key]) for key in ("cell", "package", "step")},
        "IMAGE": "",  # this machine has Python 2.7; CI's is in docker (tests/test_docker.py)
        "RELEASES": "1.8.19,1.9",
        "EVERY": "false",
        "NAME": question["bisect"],
    }
    done = run_step("bisect", BISECT, checkout, bisect_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Django: last good 1.8.19, first bad 1.9" in done.stdout
    # upload-artifact of bisects/, then download-artifact of bisect-* into bisects/: a folder per artifact.
    shutil.move(checkout / "bisects", tmp_path / "uploaded")
    shutil.copytree(tmp_path / "uploaded", checkout / "bisects" / f"bisect-{question['bisect']}")
    today = local_run[1] / "django-socketio" / "py312-django52"
    shutil.copytree(
        today, checkout / "artifacts" / "cell-django-socketio-py312-django52" / "django-socketio" / today.name
    )

    published = tmp_path / "nothing-published-yet"  # a run of some cells: built, never published
    assert run_site_job(checkout, github_env(5000, 7, 1), published, tmp_path / "o")["publish"] == "false"
    built = checkout / "build" / "site"
    then = built / "as-of" / review.DAY
    assert results.read(then / "results.json").as_of == review.DAY
    assert "call_wsgi_app" in text_of(then / "cells/django-socketio/py27-django18/index.html")
    assert "Django: last good 1.8.19, first bad 1.9" in text_of(built / "review/index.html")
    bisect_page = built / "bisect" / question["bisect"]
    assert "Django: last good 1.8.19, first bad 1.9" in text_of(bisect_page / "index.html")
    assert json.loads((built / "bisect/index.json").read_text()) == [question["bisect"]]
    shutil.copytree(built, tmp_path / "published")  # as if a run of every cell had published it

    # Run #8: one cell, dispatched. No as-of cell, no bisect ran: the published ones are kept, logs and all.
    for folder in ("as-of", "bisects", "build"):
        shutil.rmtree(checkout / folder)
    assert run_site_job(checkout, github_env(5100, 8, 1), tmp_path / "published", tmp_path / "o")["publish"] == "true"
    kept = results.read(then / "results.json")
    entry = next(entry for entry in kept.cells if entry.record is not None)
    assert entry.record is not None
    assert (entry.cell, entry.kept, entry.record.provenance.as_of) == ("py27-django18", True, review.DAY)
    page = "cells/django-socketio/py27-django18/logs/websocket-server.log"
    assert (then / page).read_text() == (tmp_path / "published" / "as-of" / review.DAY / page).read_text()
    assert "Django: last good 1.8.19, first bad 1.9" in text_of(bisect_page / "index.html")
    for version in ("1.8.19", "1.9"):
        probe = f"bisect/{question['bisect']}/{version}/cells/django-socketio/py27-django18"
        assert (built / probe / "logs/check.log").read_text() == (
            tmp_path / "published" / probe / "logs/check.log"
        ).read_text()
        assert record.read(built / probe / "result.json").provenance.packages["Django"] == version
    assert "Django: last good 1.8.19, first bad 1.9" in text_of(built / "libraries/django-socketio/index.html")
    assert "Django: last good 1.8.19, first bad 1.9" in text_of(built / "review/index.html")

    # Run #9: the bisect job runs, but docker fails every probe: the job is red, and the published answer stays.
    fake = tmp_path / "fake-docker"
    fake.mkdir()
    fake_docker(fake, "Error response from daemon: toomanyrequests: You have reached your pull rate limit")
    path = f"{fake}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    done = run_step("bisect", BISECT, checkout, {**bisect_env, "IMAGE": "python:2.7", "PATH": path})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "dtws bisect: the harness failed the probe of 1.8.19, 1.9: see each probe's record" in done.stdout
    shutil.move(checkout / "bisects", tmp_path / "uploaded-9")
    shutil.copytree(tmp_path / "uploaded-9", checkout / "bisects" / f"bisect-{question['bisect']}")
    shutil.copytree(built, tmp_path / "published-8")
    assert run_site_job(checkout, github_env(5200, 9, 1), tmp_path / "published-8", tmp_path / "o")["publish"] == "true"
    assert "Django: last good 1.8.19, first bad 1.9" in text_of(bisect_page / "index.html")
    assert "Django: last good 1.8.19, first bad 1.9" in text_of(built / "review/index.html")


def test_make_review_runs_what_the_workflow_runs() -> None:
    """`make review` and `make bisects` run what a full run of the workflow runs: the review's as-of cells and
    bisects (dtws/review.py), and each library's first question (dtws/questions.py)."""
    text = (PROJECT / "Makefile").read_text()
    assert f"\nREVIEW_DAY := {review.DAY}\n" in text
    assert f"\nREVIEW_CELLS := {' '.join(review.TABLE)}\n" in text
    for question in questions.QUESTIONS:
        command = (
            f"-m dtws bisect {question.cell} --package {question.package}"
            + (f" --step {question.step}" if question.step else "")
            + (f" --releases '{question.releases}'" if question.releases else "")
            + (" --every" if question.every else "")
        )
        assert command + "\n" in text, f"the Makefile (review or bisects) lacks: $(BIN)/python {command}"


def test_the_cells_ahead_of_release_run_when_scheduled_or_dispatched_never_on_a_push(tmp_path: Path) -> None:
    dispatched = {job["cell"]: job for job in plan("all", tmp_path)}
    pushed = {job["cell"] for job in cell_jobs(plan_outputs("all", tmp_path, event="push"))}
    assert {cell.env for cell in ahead.CELLS} <= set(dispatched) and not {cell.env for cell in ahead.CELLS} & pushed
    main = dispatched["py314-djangomain-channels"]
    assert main["name"] == "py314 · Django main · channels" and main["freethreaded"] is False
    free = dispatched["py314t-django61-channels"]
    assert (free["setup_python"], free["freethreaded"], free["docker"]) == ("3.14", True, False)
    steps = workflow()["jobs"]["cell"]["steps"]
    setup = next(step for step in steps if step.get("name", "").startswith("the cell's Python"))
    assert setup["with"] == {
        "python-version": "${{ matrix.setup_python }}",
        "allow-prereleases": True,
        "freethreaded": "${{ matrix.freethreaded }}",
    }
