"""``run --changed``: which cells would give their last record again, and so need not run.

A cell's verdict depends on its interpreter, the project's files that run in it
or probe it, the releases its env installs and the services it ran with (a
Redis). A cell is unchanged when its interpreter is the same release as its
record's, the project's cell files hash the same as when the record was made,
uv resolves its deps (tox.ini's, for its Python) to exactly the versions its
record's env had, and this machine has the same release of each of its services. Whatever cannot be
told (no record, a record that did not finish, a Python uv cannot resolve for:
2.7 and 3.3-3.5, a failed resolution) runs.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dtws import interpreters, matrix, record
from dtws.libraries import LIBRARIES
from dtws.versions import normalized

# What runs in a cell or probes it: a change in any of these may change a verdict.
CELL_FILES = ("tox.ini", "manage.py", "package-lock.json")
# The project's Django package, each library's app (from its declaration), and the harness that probes them.
CELL_FOLDERS = ("DjangoTestWebsockets", *sorted({lib.app for lib in LIBRARIES}), "dtws")
_SUFFIXES = (".py", ".html", ".js", ".css", ".toml", ".j2", ".ini", ".json", ".txt")
# uv resolves for these Pythons, with the cell's own interpreter: from 3.8 on, tox.ini installs
# their deps with uv too; for 3.6 and 3.7 it is pip that installs, and pip picks the same
# newest releases that fit (uv refuses to resolve for Python older than 3.6).
RESOLVABLE = ("3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15")
# What virtualenv seeds into every env: an install keeps the seeded release when it satisfies the deps.
SEEDED = ("pip", "setuptools", "wheel")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)")


def project_hash(project: Path) -> str:
    """sha256 of the project's cell files, by path and content."""
    digest = hashlib.sha256()
    paths = [project / name for name in CELL_FILES]
    for folder in CELL_FOLDERS:
        paths.extend(
            path
            for path in (project / folder).rglob("*")
            if path.suffix in _SUFFIXES and "__pycache__" not in path.parts
        )
    for path in sorted(paths):
        if path.is_file():
            digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def changed_since(project: Path, base: str, head: str = "HEAD") -> bool:
    """Whether a cell file differs between the commits ``base`` and ``head`` of ``project`` (by project_hash).

    The commits' own files, not the working tree's (where an install leaves
    files git ignores). ValueError, in one line, when git cannot give them.
    """
    return _commit_hash(project, base) != _commit_hash(project, head)


def commit(project: Path, revision: str) -> str:
    """The commit ``revision`` names in ``project``'s git; ValueError, in one line, when it names none.

    A value that looks like an option (``--output=FILE``) is never one: it
    never reaches git but after ``--end-of-options``.
    """
    if not revision or revision.startswith("-"):
        raise ValueError(f"{revision!r}: not a revision")
    found = subprocess.run(
        ["git", "-C", str(project), "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if found.returncode != 0 or not found.stdout.strip():
        raise ValueError(f"{revision!r}: not a commit of the repository")
    return found.stdout.strip()


def _commit_hash(project: Path, revision: str) -> str:
    sha = commit(project, revision)
    with tempfile.TemporaryDirectory(prefix="dtws-commit-") as folder:
        archive = subprocess.run(
            ["git", "-C", str(project), "archive", "--format=tar", "--", sha],
            capture_output=True,
            check=False,
            timeout=120,
        )
        if archive.returncode != 0:
            said = archive.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ValueError(f"git archive {revision}: {said[-1] if said else f'exit code {archive.returncode}'}")
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as files:
            files.extractall(folder, filter="data")
        return project_hash(Path(folder))


def _deps(cells: Iterable[matrix.Cell], project: Path) -> dict[str, list[str]]:
    """Each cell's tox.ini deps, from one `tox config`."""
    envs = [cell.env for cell in cells]
    if not envs:
        return {}
    done = subprocess.run(
        [sys.executable, "-m", "tox", "config", "-e", ",".join(envs), "-k", "deps"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    sections = dict(re.findall(r"\[testenv:([^\]]+)\]\ndeps =\n((?:  .*\n?)+)", done.stdout))
    return {env: [line.strip() for line in text.splitlines() if line.strip()] for env, text in sections.items()}


def _resolve(python: str, deps: list[str], project: Path) -> dict[str, str] | None:
    """What uv would install for ``deps`` with the cell's own interpreter (its exact version and markers)."""
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    interpreter = interpreters.find(python)
    if interpreter is None:
        return None
    try:
        done = subprocess.run(
            [uv, "pip", "compile", "-", "--python", str(interpreter.executable), "--no-header", "--no-annotate"]
            + ["--quiet", "--no-python-downloads"],
            cwd=project,
            input="\n".join(deps) + "\n",
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return {normalized(m.group(1)): m.group(2) for line in done.stdout.splitlines() if (m := _PIN.match(line.strip()))}


def resolve(cells: list[matrix.Cell], project: Path, jobs: int) -> dict[str, dict[str, str] | None]:
    """What each cell's env would install now (name -> version), or None where uv cannot tell."""
    resolvable = [cell for cell in cells if cell.python in RESOLVABLE]
    deps = _deps(resolvable, project)
    found: dict[str, dict[str, str] | None] = {cell.env: None for cell in cells}
    with ThreadPoolExecutor(max_workers=max(jobs, 1) * 2) as pool:
        answers = {
            cell.env: pool.submit(_resolve, cell.python, deps[cell.env], project)
            for cell in resolvable
            if cell.env in deps
        }
        for env, answer in answers.items():
            found[env] = answer.result()
    return found


def why_run(
    cell: matrix.Cell,
    rec: record.CellRecord | None,
    resolved: dict[str, str] | None,
    project: str,
    services: Mapping[str, str | None],
) -> str | None:
    """Why the cell must run again, or None when it would give its record again.

    ``services``: the version of each service this machine has now (dtws.services.versions).
    """
    if rec is None:
        return "no record"
    if rec.status not in ("pass", "fail", "timeout"):
        return f"its record says {rec.status}"
    if rec.provenance.project_hash != project:
        return "the project's cell files changed"
    here = interpreters.find(cell.python)
    if here is None or here.version != rec.provenance.python_version:
        return "another interpreter"
    for service in rec.services:
        if services.get(service.name) != service.version:
            return f"another {service.name} ({services.get(service.name) or 'none here'}, was {service.version})"
    if resolved is None:
        return "its deps cannot be resolved ahead" if cell.python in RESOLVABLE else "no resolver for its Python"
    installed = {normalized(name): version for name, version in rec.provenance.packages.items()}
    moved = sorted(name for name, version in resolved.items() if name not in SEEDED and installed.get(name) != version)
    if moved:
        return "new releases: " + ", ".join(f"{name} {resolved[name]}" for name in moved[:5])
    return None
