from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

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
# django-socketio is ✗)
# and the review's workaround.
CELLS = (
    "py27-django18",
    "py27-django19",
    "py312-django52",
    "py33-django18",
    "py312-django52-channels",
    "py312-django52-pysocketio",
    "py27-django18-workaround",
)


@pytest.fixture(scope="session")
def local_run(
    tmp_path_factory: pytest.TempPathFactory, toxworkdir: Path
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """``python -m dtws run`` of CELLS, as a user runs it: its output and its results folder."""
    results = tmp_path_factory.mktemp("results")
    done = dtws(dtws_args("run", "--results", str(results), "--toxworkdir", str(toxworkdir), *CELLS))
    return done, results
