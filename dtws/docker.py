"""Running a cell inside ``docker run`` of the official python image, for Pythons the runner lacks.

The image gives the cell's interpreter; the harness (Python 3.10+) comes into
the container by the host's ``uv`` binary, which makes a Python 3.12 venv and
installs dtws from the mounted repository. The record lands in the mounted
results folder, as it would on the host.
"""

from __future__ import annotations

import shutil
from pathlib import Path

HARNESS_PYTHON = "3.12"
PASSED_ENV = (
    "GITHUB_RUN_ID",
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY",
    "GITHUB_SHA",
    "DTWS_JOB_URL",
)
INNER = (
    "set -e; "
    f"uv venv /tmp/harness --python {HARNESS_PYTHON} --quiet; "
    "uv pip install --python /tmp/harness/bin/python --quiet /src; "
    'exec /tmp/harness/bin/python -m dtws cell "$DTWS_CELL" --results "$DTWS_RESULTS" --project /src'
)


class NoUv(RuntimeError):
    pass


def command(cell: str, image: str, project: Path, results: Path) -> list[str]:
    """The ``docker run`` command line that runs ``cell`` in ``image``."""
    uv = shutil.which("uv")
    if uv is None:
        raise NoUv("--docker needs the uv binary on PATH (pip install uv) to bring the harness into the container")
    project = project.resolve()
    inside = Path("/src") / results.resolve().relative_to(project)
    env = [item for name in PASSED_ENV for item in ("-e", name)]
    return [
        "docker",
        "run",
        "--rm",
        "-v",
        f"{project}:/src",
        "-w",
        "/src",
        "-v",
        f"{uv}:/usr/local/bin/uv:ro",
        "-e",
        f"DTWS_CELL={cell}",
        "-e",
        f"DTWS_RESULTS={inside}",
        *env,
        image,
        "sh",
        "-c",
        INNER,
    ]
