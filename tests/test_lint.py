"""The harness is typed and linted; the code that runs inside a cell parses on every local interpreter."""

from __future__ import annotations

import subprocess
import sys
from functools import partial

import pytest

from dtws import interpreters, matrix
from dtws.libraries import LIBRARIES
from tests.conftest import PROJECT

run = partial(subprocess.run, cwd=PROJECT, capture_output=True, text=True, check=False)

IN_CELL = [
    "manage.py",
    *sorted(
        str(p.relative_to(PROJECT))
        for d in ("DjangoTestWebsockets", *sorted({lib.app for lib in LIBRARIES}))
        for p in (PROJECT / d).rglob("*.py")
    ),
]
COMPILE = "import sys\nfor name in sys.argv[1:]:\n    compile(open(name).read(), name, 'exec')\n"


def test_ruff() -> None:
    done = run([sys.executable, "-m", "ruff", "check", "."])
    assert done.returncode == 0, done.stdout


def test_mypy() -> None:
    done = run([sys.executable, "-m", "mypy"])
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("series", matrix.pythons())
def test_in_cell_code_parses_on_every_python_of_the_matrix(series: str) -> None:
    interpreter = interpreters.find(series)
    if interpreter is None:
        pytest.skip(f"no Python {series} on this machine")
    done = run([str(interpreter.executable), "-c", COMPILE, *IN_CELL])
    assert done.returncode == 0, done.stderr
