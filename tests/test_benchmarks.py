"""Every script of benchmarks/ in its smallest form (a cell or two, one repetition): a renamed step, a moved
function or a changed output fails here, not for the next person who measures.

Their figures are not judged (a test machine's load decides them): only that each script runs to its
end on real cells and records and prints what its README table is made of.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT

# Real cells (matrix.py, parallel_run.py: no fixture says so) and the package index (installs, --changed).
pytestmark = [pytest.mark.cells, pytest.mark.network]
# django-socketio on Python 3.12: its install fails within seconds, the same way in every run.
CELL = "py312-django52"
LocalRun = tuple[subprocess.CompletedProcess[str], Path]


def script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(PROJECT / "benchmarks" / name), *args]
    return subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=900, check=False)


def test_matrix_runs_tox_and_dtws_side_by_side_and_the_nightly_keeps_the_cell() -> None:
    done = script("matrix.py", CELL)
    assert done.returncode == 0, done.stdout + done.stderr
    for run in ("(a) tox -p, virtualenv + pip", "(b) tox -p, uv", "(c) dtws run", "(d) dtws run, pip envs", "(e) "):
        assert run in done.stdout, run
    assert "targets: (c)/(b) = " in done.stdout and "(a)/(c) = " in done.stdout
    assert "kept 1 of 1 cells" in done.stdout and "(e) ran again because: nothing" in done.stdout
    assert "(d)'s verdicts equal (c)'s on 1 of 1 cells" in done.stdout
    assert "django-socketio: 1 cells, install" in done.stdout


def test_parallel_run_times_one_job_against_the_default() -> None:
    done = script("parallel_run.py", CELL)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "--jobs 1 (one by one):" in done.stdout and "(the default):" in done.stdout


def test_scale_merges_and_builds_a_site_of_synthetic_cells(local_run: LocalRun, tmp_path: Path) -> None:
    done = script("scale.py", "--sizes", "20", "--records", str(local_run[1]), "--scratch", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    row = next(line for line in done.stdout.splitlines() if line.split()[:1] == ["20"])
    assert row.count(" s ") >= 4 and row.endswith("MB"), row


def test_ci_estimates_a_run_on_github_from_the_workflows_own_steps(local_run: LocalRun) -> None:
    done = script("ci.py", "--results", str(local_run[1]), "--repeat", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    for said in ("A cell job's setup", "install dtws", "Estimated wall time on GitHub", "A run's artifacts"):
        assert said in done.stdout, said


def test_bench_measures_its_overhead_and_its_stability(toxworkdir: Path, tmp_path: Path) -> None:
    small = ["--levels", "1", "--messages", "3", "--repeat", "1", "--level-seconds", "10"]
    done = script(
        "bench.py", "py312-django52-channels", *small, "--toxworkdir", str(toxworkdir), "--results", str(tmp_path)
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: a ratio moved more than the bound
    for said in ("1. the load clients' own CPU", "2. each library's ratio", "channels", "measured bound:"):
        assert said in done.stdout, said
