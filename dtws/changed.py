"""``run --changed``: which cells would give their last record again, and so need not run.

A cell's verdict depends on its interpreter (its exact version and build), the distributions
its install resolved or tried to (a failed install's too: dtws.tried), the files it runs or is
probed with (``cell_hash``: the project's shared files, its library's app and probes, the harness
that runs the steps), the services it ran with (a Redis), the browser and the harness's version.
A cell is unchanged when each is as its record says, and the index (dtws.pypi, asked once per
distribution for the whole run) has no newer release of anything its install tried that the
install would take now (dtws.resolution: allowed by what asked for it, installable on its Python,
and whose own requirements the cell can meet, asked once per release for the whole run): on
Python 2.7 as on 3.13, whether its install passed or failed. Whatever cannot be told (no record,
one that did not finish, one of an --as-of day, Django's main branch, an index that cannot be
read, a newer release whose requirements cannot be read) runs. A cell still without an
interpreter here keeps its "unavailable".
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from dtws import __version__, ahead, chromium, interpreters, matrix, pypi, record, resolution, services
from dtws.libraries import LIBRARIES, library
from dtws.tried import SEEDED

# What runs in a cell or probes it: a change in any of these may change a verdict.
CELL_FILES = ("tox.ini", "manage.py", "package-lock.json")
# The project's Django package, each library's app (from its declaration), and the harness that probes them.
CELL_FOLDERS = ("DjangoTestWebsockets", *sorted({lib.app for lib in LIBRARIES}), "dtws")
_SUFFIXES = (".py", ".html", ".js", ".css", ".toml", ".j2", ".ini", ".json", ".txt")
# What every cell runs, whatever its library: tox.ini, manage.py, the project's settings, and the
# harness's modules that run a cell (those dtws.runner and dtws.steps import, but the libraries').
SHARED_FILES = ("tox.ini", "manage.py")
SHARED_FOLDERS = ("DjangoTestWebsockets",)
HARNESS = ("dtws.runner", "dtws.steps")
HARNESS_DATA = ("dtws/*.toml", "dtws/*.json")  # what its modules read: the reasons, the index's Django series
LIBRARY_PACKAGES = ("dtws.libraries.", "dtws.solutions.")


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


def _module_file(project: Path, module: str) -> Path | None:
    path = project.joinpath(*module.split("."))
    for found in (path.with_suffix(".py"), path / "__init__.py"):
        if found.is_file():
            return found
    return None


def _imports(project: Path, path: Path) -> set[str]:
    """The dtws modules ``path`` imports (anywhere in it: a function's import too); ``from dtws.a import b``:
    ``dtws.a.b`` when that is a module, else ``dtws.a``."""
    stat = path.stat()
    found: set[str] = set()
    for module, names in _named(path, stat.st_mtime_ns, stat.st_size):
        modules = {f"{module}.{name}" for name in names if _module_file(project, f"{module}.{name}") is not None}
        found |= modules if names and len(modules) == len(names) else {module, *modules}
    return {name for name in found if _module_file(project, name) is not None}


@cache
def _named(path: Path, _mtime_ns: int, _size: int) -> frozenset[tuple[str, tuple[str, ...]]]:
    """What a module's imports of dtws name (``import a``: (a, ()); ``from a import b, c``: (a, (b, c))), parsed
    once per version of the file."""
    found: set[tuple[str, tuple[str, ...]]] = set()
    for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
        if isinstance(node, ast.Import):
            found.update((alias.name, ()) for alias in node.names if alias.name.split(".")[0] == "dtws")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "dtws":
                found.add((node.module, tuple(alias.name for alias in node.names)))
    return frozenset(found)


def _closure(project: Path, roots: Iterable[str], stop: tuple[str, ...] = ()) -> set[Path]:
    """The files of ``roots`` and of every dtws module they import, in turn; not into the modules under ``stop``."""
    seen: set[str] = set()
    queue = [root for root in roots if _module_file(project, root) is not None]
    while queue:
        module = queue.pop()
        if module in seen:
            continue
        seen.add(module)
        path = _module_file(project, module)
        if path is not None:
            queue += [name for name in _imports(project, path) if not name.startswith(stop)]
    files = {_module_file(project, module) for module in seen}
    return {path for path in files if path is not None}


def _built(part: str) -> bool:
    """A folder an interpreter or an install writes into the tree (bytecode, a path dependency's egg-info)."""
    return part == "__pycache__" or part.endswith(".egg-info")


def _folder(project: Path, name: str) -> list[Path]:
    return [
        path
        for path in (project / name).rglob("*")
        if path.suffix in _SUFFIXES and not any(_built(part) for part in path.parts) and path.is_file()
    ]


def _apps(project: Path, app: str) -> list[str]:
    """A library's app, and the project's other apps it names (Channels on Redis runs chat_channels' consumers)."""
    others = {lib.app for lib in LIBRARIES} - {app}
    text = "\n".join(path.read_text("utf-8", "replace") for path in _folder(project, app) if path.suffix == ".py")
    return [app, *sorted(other for other in others if re.search(rf"\b{re.escape(other)}\b", text))]


def cell_files(project: Path, name: str) -> list[Path]:
    """The files a cell of library ``name`` runs or is probed with: a change in any may change its verdict."""
    lib = library(name)
    found = {project / file for file in SHARED_FILES} | _closure(project, HARNESS, LIBRARY_PACKAGES)
    found |= {path for pattern in HARNESS_DATA for path in project.glob(pattern)}
    found |= _closure(project, [f"dtws.libraries.{lib.module}", f"dtws.solutions.{lib.module}"])
    found |= {path for folder in [*SHARED_FOLDERS, *_apps(project, lib.app)] for path in _folder(project, folder)}
    if lib.npm_file is not None:
        found.add(project / "package-lock.json")
    return sorted(path for path in found if path.is_file())


def cell_hash(project: Path, name: str) -> str:
    """sha256 of ``cell_files``, by path and content."""
    digest = hashlib.sha256()
    for path in cell_files(project, name):
        digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass
class Here:
    """What this machine, its project and the index have now, which a record's inputs are compared with."""

    hashes: dict[str, str]  # library -> cell_hash
    services: Mapping[str, str | None]  # dtws.services.versions
    browser: str | None  # chromium.version
    index: dict[str, list[pypi.File] | str] = field(default_factory=dict)  # distribution -> its files, or why not
    # (distribution, version) -> that release's requirements, or why they could not be read
    requires: dict[tuple[str, str], pypi.Requires | str] = field(default_factory=dict)
    candidates: dict[tuple[str, ...], list[str]] = field(default_factory=dict)  # dtws.resolution.Install's, shared


def _listed(name: str) -> list[pypi.File] | str:
    try:
        return pypi.files(name)
    except pypi.Unreadable as error:
        return str(error)


def _requires(release: tuple[str, str]) -> pypi.Requires | str:
    try:
        return pypi.requires(*release, pypi.files(release[0]))
    except pypi.Unreadable as error:
        return str(error)


def here(project: Path, records: Iterable[record.CellRecord]) -> Here:
    """What ``records`` are compared with: each library's files, the services, the browser, the index's page of
    every distribution any of them tried, and the requirements of the newer releases among them that the records
    with no other change need told (each asked once)."""
    records = list(records)
    found = Here(
        {name: cell_hash(project, name) for name in sorted({rec.library for rec in records})},
        services.versions(),
        chromium.version(),
    )
    names = sorted({tried.name for rec in records for tried in rec.provenance.tried} | set(SEEDED))
    with ThreadPoolExecutor(max_workers=8) as pool:
        found.index = dict(zip(names, pool.map(_listed, names), strict=True))
        cells = [(cell, rec) for rec in records if _inputs(cell := _cell(rec), rec, found) is None]
        while unasked := sorted(_unasked(cells, found)):  # a release ruled out: the one before it, in the next round
            found.requires |= dict(zip(unasked, pool.map(_requires, unasked), strict=True))
    return found


def _cell(rec: record.CellRecord) -> matrix.Cell:
    return matrix.Cell(rec.library, rec.python, rec.django)


def _unasked(cells: list[tuple[matrix.Cell, record.CellRecord]], now: Here) -> set[tuple[str, str]]:
    """The releases whose requirements must be read before the ``cells`` can be told (each record's install's)."""
    found = set()
    for cell, rec in cells:
        judged = _install(cell, rec, now, rec.provenance.python_version or "")
        found |= {release for tried in rec.provenance.tried if (release := judged.taken(tried).unasked) is not None}
    return found


def _install(cell: matrix.Cell, rec: record.CellRecord, now: Here, version: str) -> resolution.Install:
    """The record's install against the index, on the interpreter release ``version``."""
    pinned = resolution.Pinned.of(cell, version, rec.provenance)
    return resolution.Install(rec.provenance.tried, pinned, now.index, now.requires, now.candidates)


def _releases(cell: matrix.Cell, rec: record.CellRecord, now: Here, version: str) -> str | None:
    """Why the index's releases run the cell again (one that could not be read, or newer ones), or None."""
    moved = []
    judged = _install(cell, rec, now, version)
    for tried in rec.provenance.tried:
        found = judged.taken(tried)
        if found.version is None and found.why:
            return found.why
        if found.unasked is not None:
            return f"the requirements of {' '.join(found.unasked)} were not asked"
        if found.version is not None:
            why = f"; {found.why}" if found.why else ""
            moved.append(f"{tried.name} {found.version} (was {tried.version}{why})")
    return "new releases: " + ", ".join(moved[:5]) if moved else None


def why_run(cell: matrix.Cell, rec: record.CellRecord | None, now: Here) -> str | None:
    """Why the cell must run again, or None when it would give its record again."""
    if rec is None:
        return "no record"
    interpreter = interpreters.find(cell.python)
    if rec.status == "unavailable" and rec.provenance.python_version is None and interpreter is None:
        return None
    why = _inputs(cell, rec, now)
    if why is not None or interpreter is None:
        return why
    return _releases(cell, rec, now, interpreter.version)


def _inputs(cell: matrix.Cell, rec: record.CellRecord, now: Here) -> str | None:
    """Why the cell must run again for any input but the index's releases, or None."""
    if rec.status not in ("pass", "fail", "timeout"):
        return f"its record says {rec.status}"
    if rec.provenance.as_of or cell.django == ahead.MAIN:
        return f"its record is of {rec.provenance.as_of}" if rec.provenance.as_of else "Django's main branch moves"
    if rec.provenance.dtws_version != __version__:
        return f"another dtws ({__version__}, was {rec.provenance.dtws_version})"
    if rec.provenance.project_hash != now.hashes.get(cell.library):
        return "its files changed (tox.ini, its app or probes, the harness's steps)"
    interpreter = interpreters.find(cell.python)
    if interpreter is None or (interpreter.version, interpreter.build or None) != (
        rec.provenance.python_version,
        rec.provenance.python_build,
    ):
        now_here = interpreter.build if interpreter else "none here"
        return f"another interpreter ({now_here}, was {rec.provenance.python_build})"
    for service in rec.services:
        if now.services.get(service.name) != service.version:
            return f"another {service.name} ({now.services.get(service.name) or 'none here'}, was {service.version})"
    if _browsed(rec) and rec.provenance.browser != now.browser:
        return f"another browser ({now.browser or 'none here'}, was {rec.provenance.browser})"
    if not rec.provenance.tried:
        return "its record names nothing its install tried"
    return None


def _browsed(rec: record.CellRecord) -> bool:
    return any(step.name == "browser" and step.verdict not in ("skipped", "not-run") for step in rec.steps)


def kept_because(rec: record.CellRecord) -> str:
    """What ``why_run`` found the same, in one line (for the cell's page)."""
    if rec.provenance.python_version is None:
        return f"still no Python {rec.python} interpreter here"
    kept = [f"Python {rec.provenance.python_version} (the same build)", f"dtws {rec.provenance.dtws_version}"]
    kept += ["the same files (tox.ini, its app and probes, the harness's steps)"]
    kept += [f"{service.name} {service.version}" for service in rec.services]
    kept += [rec.provenance.browser] if _browsed(rec) and rec.provenance.browser else []
    tried = len(rec.provenance.tried)
    newer = f"no newer release on the index that its install would take, of the {tried} distributions it tried"
    return ", ".join(kept) + f"; {newer}"
