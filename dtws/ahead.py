"""Cells ahead of release: Django's next pre-release, Django's main branch, and the next Python on GitHub.

Three kinds of column, each a cell of every library that runs beyond the review's cells (the workaround
stays the review's seven):

- ``pre-release``: when the index has a pre-release of Django newer than its newest final (6.2a1),
  a column of its own ("6.2 (pre-release)", the cells' Django is ``next``: ``py314-djangonext-channels``)
  on the Pythons its classifiers name, installing exactly that release. Read from the snapshot of the
  index that the matrix reads (dtws.django_series: a series marked ``prerelease``); at the final it is
  gone, and 6.2 is a series like any.
- ``main``: Django's main branch (``py314-djangomain-channels``) on the newest two Pythons Django
  supports, installed from the source archive of the branch (``ARCHIVE``, or ``$DTWS_DJANGO_MAIN``),
  which the harness fetches before the cell's steps: the commit it tested is read from the archive's
  pax header (as ``git get-tar-commit-id`` reads it). An archive that cannot be fetched makes the
  cell unavailable, with why, never the library's fail.
- ``python``: the next Python for the newest Django, on GitHub only (setup-python's pre-releases and
  its free-threaded builds): ``NEXT_PYTHONS`` where Django's own series does not name them.

Their failures never turn the gate red by default, and never open the regression issue: they have
an issue of their own (dtws.tell).
"""

from __future__ import annotations

import re
import shutil
import tarfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, TypeVar

from packaging.version import Version

from dtws import django_series, matrix
from dtws.libraries import LIBRARIES
from dtws.versions import series_key

Kind = Literal["pre-release", "main", "python"]
KINDS: tuple[Kind, ...] = ("pre-release", "main", "python")
MAIN = "main"  # the Django of a cell of Django's main branch
NEXT = "next"  # the Django of a cell of Django's next pre-release
ARCHIVE = "https://github.com/django/django/archive/main.tar.gz"
ARCHIVE_ENV = "DTWS_DJANGO_MAIN"  # another archive of the branch: a URL, or a file's path
COMMIT_URL = "https://github.com/django/django/commit/"
FETCH_TIMEOUT_S = 120
MAIN_PYTHONS = 2  # main runs on the newest this many Pythons Django supports
# The next Python on GitHub, for the newest Django: the newest pre-release setup-python has (allow-prereleases)
# and the free-threaded build of the newest final (freethreaded), as dtws.github.SETUP_PYTHON knows them.
NEXT_PYTHONS = ("3.15", "3.14t")


@dataclass(frozen=True)
class Prerelease:
    """Django's pre-release newer than its newest final: a column of its own."""

    version: str  # "6.2a1"
    pythons: tuple[str, ...]

    @property
    def series(self) -> str:
        return ".".join(str(part) for part in Version(self.version).release[:2])

    @property
    def label(self) -> str:
        return f"{self.series} (pre-release)"


def prerelease(snapshot: django_series.Snapshot) -> Prerelease | None:
    """The snapshot's newest pre-release newer than every final release of Django (its series marked so), or None."""
    found = max(snapshot.prereleases(), key=lambda item: series_key(item.series), default=None)
    return Prerelease(found.newest, found.pythons) if found is not None else None


PRERELEASE = prerelease(matrix.SNAPSHOT)


def newest_series() -> str:
    return max(matrix.DJANGO_PYTHONS, key=series_key)


def main_pythons(pre: Prerelease | None = PRERELEASE) -> tuple[str, ...]:
    """The newest Pythons Django main supports: those of its newest release (the pre-release's, once there is one)."""
    known = pre.pythons if pre is not None and pre.pythons else matrix.DJANGO_PYTHONS[newest_series()]
    return tuple(sorted(known, key=series_key)[-MAIN_PYTHONS:])


def libraries() -> list[str]:
    """Every library of the matrix that runs beyond the review's cells (not the workaround)."""
    return [lib.name for lib in LIBRARIES if not lib.test_only and not lib.review_only]


def next_pythons() -> tuple[str, ...]:
    """The next Pythons for the newest Django: those its own series does not already name."""
    return tuple(python for python in NEXT_PYTHONS if python not in matrix.DJANGO_PYTHONS[newest_series()])


def cells(pre: Prerelease | None = PRERELEASE) -> tuple[matrix.Cell, ...]:
    """Every ahead cell: the pre-release's (when there is one), main's, the next Pythons'."""
    found: list[matrix.Cell] = []
    for name in libraries():
        found += [matrix.Cell(name, python, NEXT) for python in (pre.pythons if pre is not None else ())]
        found += [matrix.Cell(name, python, MAIN) for python in main_pythons(pre)]
        found += [matrix.Cell(name, python, newest_series()) for python in next_pythons()]
    return tuple(found)


CELLS = cells()


def kind(python: str, django: str) -> Kind | None:
    """What kind of ahead cell (python, django) is, or None for a cell of the matrix."""
    if django == MAIN:
        return "main"
    if django == NEXT:
        return "pre-release"
    if python in NEXT_PYTHONS and python not in matrix.DJANGO_PYTHONS.get(django, ()):
        return "python"
    return None


def label(python: str, django: str, pre: Prerelease | None = PRERELEASE) -> str:
    """A column's name: "main", "6.2 (pre-release)", or the series; a Python's, with its Python."""
    if django == NEXT:
        return pre.label if pre is not None else "pre-release"
    if django == MAIN:
        return MAIN
    return f"{django} on Python {python}" if kind(python, django) == "python" else django


class _Placed(Protocol):
    @property
    def python(self) -> str: ...
    @property
    def django(self) -> str: ...


P = TypeVar("P", bound=_Placed)


def released(entries: Iterable[P]) -> list[P]:
    """The cells of ``entries`` that are the matrix's: on released Django and Pythons (what a library's summary,
    badge and answers rest on)."""
    return [entry for entry in entries if kind(entry.python, entry.django) is None]


def columns(entries: Iterable[P]) -> dict[str, list[P]]:
    """The cells of ``entries`` ahead of release, by their column: the pre-release's, main's, then the Pythons'."""
    found = [entry for entry in entries if kind(entry.python, entry.django) is not None]
    found.sort(key=lambda entry: KINDS.index(kind(entry.python, entry.django) or "python"))
    by_column: dict[str, list[P]] = {}
    for entry in found:
        by_column.setdefault(label(entry.python, entry.django), []).append(entry)
    return by_column


_NAME = re.compile(r"^py(?P<python>\d)(?P<minor>\d+)(?P<t>t?)-django(?P<django>main|next)(?:-(?P<factor>\w+))?$")


def parse(name: str) -> matrix.Cell | None:
    """An ahead cell by its tox env name: the matrix's, or main's or the pre-release's on another Python
    the matrix knows (a local run of Django main on this machine's Python)."""
    for cell in CELLS:
        if cell.env == name:
            return cell
    found = _NAME.match(name)
    if found is None:
        return None
    python = f"{found['python']}.{found['minor']}{found['t']}"
    for lib in LIBRARIES:
        if lib.factor == (found["factor"] or "") and lib.name in libraries() and python in matrix.pythons():
            return matrix.Cell(lib.name, python, found["django"])
    return None


class Unavailable(Exception):
    """Django's source for an ahead cell cannot be had here: the cell is unavailable, with this reason."""


@dataclass(frozen=True)
class Source:
    """Where an ahead cell's Django comes from: what tox installs (DTWS_DJANGO), and the commit of main."""

    requirement: str
    commit: str | None = None
    archive: str | None = None  # the URL or path it was fetched from


def archive_commit(path: Path) -> str | None:
    """The commit a GitHub (or ``git archive``) tarball was made from: its pax global header's comment."""
    try:
        with tarfile.open(path) as archive:
            comment = archive.pax_headers.get("comment", "")
    except (OSError, tarfile.TarError):
        return None
    return comment if re.fullmatch(r"[0-9a-f]{40}", comment) else None


def _fetch(where: str, into: Path) -> None:
    """The archive at ``where`` (a URL or a file's path) into ``into``; Unavailable when it cannot be had."""
    try:
        if re.match(r"^[a-z][a-z0-9+.-]*://", where):
            with urllib.request.urlopen(where, timeout=FETCH_TIMEOUT_S) as answer, into.open("wb") as out:
                shutil.copyfileobj(answer, out)
        else:
            shutil.copyfile(where, into)
    except (OSError, ValueError) as error:
        raise Unavailable(f"Django main's archive ({where}) could not be fetched: {error}") from None


def source(cell: matrix.Cell, scratch: Path, env: Mapping[str, str]) -> Source | None:
    """What an ahead cell installs as Django (None for any other cell): main's archive, fetched into
    ``scratch`` first (Unavailable when it cannot be), or the pre-release, exactly."""
    if cell.django == NEXT:
        if PRERELEASE is None:
            raise Unavailable("the index snapshot has no pre-release of Django newer than its newest final")
        return Source(f"Django=={PRERELEASE.version}")
    if cell.django != MAIN:
        return None
    where = env.get(ARCHIVE_ENV) or ARCHIVE
    target = scratch / "django-main.tar.gz"
    _fetch(where, target)
    if not tarfile.is_tarfile(target):
        raise Unavailable(f"Django main's archive ({where}) is not a tar archive")
    return Source(f"Django @ {target.resolve().as_uri()}", archive_commit(target), where)


def installed_version(site_packages: Path | None) -> str | None:
    """The version of Django an env has installed, from its dist-info (a pip freeze names a URL install by its URL)."""
    if site_packages is None:
        return None
    for info in sorted(site_packages.glob("[Dd]jango-*.dist-info")):
        return info.name.removesuffix(".dist-info").split("-", 1)[1]
    return None


def commit_url(commit: str) -> str:
    return COMMIT_URL + commit


def tox_args(cell: matrix.Cell) -> list[str]:
    """What tox must be told of a cell's Python beyond its env's name: tox 4.5 reads no free-threaded ``t`` there."""
    return ["-x", f"testenv.base_python=python{cell.python}"] if cell.python.endswith("t") else []
