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
