"""What a cell's install would take now instead of what it tried, as the index has it (for dtws.changed).

A newer release counts when the specifiers that asked for what it replaces allow it, it installs
on the cell's Python (its Requires-Python, its wheels' tags) and the cell can meet its own
requirements (its core metadata: dtws.pypi.requires). They rule it out only when its
Requires-Python excludes the cell's Python, or one of them that applies on that Python (asked for
no extra) admits no release the cell can have of a distribution it bounds:

- one the cell pins: tox.ini's Django series, its library's deps that name versions, and, where
  uv installed, the pip, setuptools and wheel its env was seeded with (uv keeps them: it took
  zope.event 5.1, not 6.0, which needs setuptools>=75.8.2, beside the seeded setuptools 67.6.1 on
  Python 3.9; pip would take 6.0 and upgrade setuptools);
- one its install took of which no newer release would be taken, by the same rule in turn: none
  newer than it took (channels-redis 4.3.0 needs channels>=4.2.2, which needs Django>=4.2, on a
  Django 3.2 cell).

Anything else, or what cannot be told (a cycle, a requirement that does not parse, a marker that
cannot be evaluated), meets it: a release counts unless it is ruled out. One whose requirements
could not be read counts too, and says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from packaging import tags
from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from dtws import matrix, pypi, record
from dtws.libraries import library
from dtws.tried import SEEDED
from dtws.versions import normalized

Release = tuple[str, str]  # a distribution and a version of it


@cache
def _tags(python: str) -> frozenset[str]:
    """The wheel tags a CPython of series ``python`` ("2.7", "3.14t") installs on this machine."""
    major, minor = (int(part) for part in python.removesuffix("t").split("."))
    abi = f"cp{major}{minor}" + ("t" if python.endswith("t") else "")
    abis = [abi, f"{abi}m", f"{abi}mu"] if (major, minor) < (3, 8) else [abi]
    platforms = list(tags.platform_tags())
    found = [*tags.cpython_tags((major, minor), abis, platforms)]
    found += tags.compatible_tags((major, minor), abi[:4], platforms)
    return frozenset(str(tag) for tag in found)


@cache
def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


@cache
def _specifiers(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def _admits(specifiers: str, version: str) -> bool:
    found = _specifiers(specifiers)
    return found is None or found.contains(version, prereleases=True)


@cache
def installs(file: pypi.File, python: str, version: str) -> bool:
    """Whether ``file`` installs on the interpreter of series ``python``, release ``version``."""
    if file.yanked or (file.wheel_tags and not file.wheel_tags & _tags(python)):
        return False
    return file.requires_python is None or _admits(file.requires_python, version)


def candidates(tried: record.Tried, listed: list[pypi.File], python: str, version: str) -> list[str]:
    """The releases on the index the install could take now instead of ``tried``, the newest first: newer, allowed by
    what asked for it, installable on the interpreter (series ``python``, release ``version``). InvalidVersion or
    InvalidSpecifier when ``tried`` cannot be read."""
    current, wants = Version(tried.version), SpecifierSet(tried.wants)
    pre = current.is_prerelease or bool(wants.prereleases)  # a pre-release only where one is asked for
    found = set()
    for file in listed:
        candidate = _version(file.version)
        if candidate is None or candidate <= current or (candidate.is_prerelease and not pre):
            continue
        if candidate not in found and wants.contains(candidate, prereleases=pre) and installs(file, python, version):
            found.add(candidate)
    return [str(candidate) for candidate in sorted(found, reverse=True)]


@dataclass(frozen=True)
class Pinned:
    """What a cell holds whatever the index has: its Python (series and release) and the distributions it pins."""

    python: str  # "3.12", "3.14t"
    version: str  # "3.12.1"
    pins: Mapping[str, SpecifierSet]  # tox.ini's Django series, its library's deps that name versions, the seeded

    @classmethod
    def of(cls, cell: matrix.Cell, version: str, provenance: record.Provenance) -> Pinned:
        """``provenance``: the record's, whose env's seeded pip, setuptools and wheel uv keeps."""
        deps = [*library(cell.library).deps, *([cell.django_requirement] if cell.django[0].isdigit() else [])]
        if provenance.installer == "uv":
            deps += [f"{name}=={provenance.packages[name]}" for name in SEEDED if name in provenance.packages]
        pins: dict[str, SpecifierSet] = {}
        for dep in deps:
            try:
                req = Requirement(dep)
            except InvalidRequirement:  # a path (the fault drills' package): it pins nothing
                continue
            if req.specifier:
                pins[normalized(req.name)] = pins.get(normalized(req.name), SpecifierSet()) & req.specifier
        return cls(cell.python, version, pins)


@dataclass(frozen=True)
class Taken:
    """What the install would take now instead of what it tried."""

    version: str | None = None  # a newer release; None: none
    why: str = ""  # what is known beyond that (the index's page or its requirements could not be read)
    unasked: Release | None = None  # a release whose requirements must be read before it can be told


_CYCLE = Taken(why="a cycle of requirements")  # while a distribution is judged: a requirement back on it is met


class Install:
    """One cell's install, against the index: what it would take now of each distribution it tried.

    ``index``: each distribution's files, or why they could not be read; ``requires``: the requirements
    of each release read so far, or why they could not be.
    """

    def __init__(
        self,
        tried: Iterable[record.Tried],
        pinned: Pinned,
        index: Mapping[str, list[pypi.File] | str],
        requires: Mapping[Release, pypi.Requires | str],
        known: dict[tuple[str, ...], list[str]] | None = None,
    ) -> None:
        """``known``: the ``candidates`` found so far (by distribution, version, wants, Python), to share."""
        self.pinned, self.index, self.requires = pinned, index, requires
        self.known = {} if known is None else known
        self.took: dict[str, record.Tried | None] = {}  # by name; None: it took several versions (a build env's)
        for item in tried:
            self.took[item.name] = item if self.took.get(item.name, item) == item else None
        self._judged: dict[tuple[str, str, str], Taken] = {}

    def taken(self, tried: record.Tried) -> Taken:
        """The newest of the ``candidates`` whose requirements the cell meets."""
        key = (tried.name, tried.version, tried.wants)
        if key not in self._judged:
            self._judged[key] = _CYCLE
            self._judged[key] = self._taken(tried)
        return self._judged[key]

    def _taken(self, tried: record.Tried) -> Taken:
        listed = self.index.get(tried.name, f"the index's page of {tried.name} was not asked")
        if isinstance(listed, str):
            return Taken(why=listed)
        key = (tried.name, tried.version, tried.wants, self.pinned.python, self.pinned.version)
        try:
            found = self.known[key] if key in self.known else candidates(tried, listed, *key[3:])
        except (InvalidVersion, InvalidSpecifier):
            return Taken(tried.version, "not a version dtws reads") if tried.version else Taken()
        self.known[key] = found
        pin = self.pinned.pins.get(tried.name, SpecifierSet())
        for candidate in (candidate for candidate in found if pin.contains(candidate, prereleases=True)):
            said = self.requires.get((tried.name, candidate))
            if said is None:
                return Taken(unasked=(tried.name, candidate))
            if isinstance(said, str):
                return Taken(candidate, said)
            ruled_out = self.excluded(said)
            if isinstance(ruled_out, tuple):
                return Taken(unasked=ruled_out)
            if ruled_out is None:
                return Taken(candidate)
        return Taken()

    def excluded(self, requires: pypi.Requires) -> str | Release | None:
        """What of a release's requirements the cell cannot meet; None: nothing; a release whose requirements must
        be read first."""
        if requires.requires_python and not _admits(requires.requires_python, self.pinned.version):
            return f"Requires-Python {requires.requires_python}"
        for line in requires.requires_dist:
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue
            name = normalized(req.name)
            listed = self.index.get(name)
            if not isinstance(listed, list) or not self._applies(req):
                continue
            bound = self._bound(name)
            if isinstance(bound, tuple):
                return bound
            if bound is not None and not self._meets(req.specifier, bound, listed):
                return f"{name}{req.specifier} (the cell's {bound})"
        return None

    def _meets(self, wanted: SpecifierSet, bound: SpecifierSet, listed: list[pypi.File]) -> bool:
        """Whether a release in ``listed`` that installs here is within both ``wanted`` and ``bound``."""
        for file in listed:
            version = _version(file.version)
            if version is None or not installs(file, self.pinned.python, self.pinned.version):
                continue
            if bound.contains(version, prereleases=True) and wanted.contains(version, prereleases=True):
                return True
        return False

    def _bound(self, name: str) -> SpecifierSet | Release | None:
        """The versions of ``name`` the cell can have: its pin; else, when its install took one of which no newer
        release would be taken, none newer; None: any; a release whose requirements must be read first."""
        if name in self.pinned.pins:
            return self.pinned.pins[name]
        took = self.took.get(name)
        if took is None or _version(took.version) is None:
            return None
        # Whether a newer one would be taken is asked of any newer release, not only of those the old
        # requirements wanted: the release being judged may want one they excluded.
        found = self.taken(dataclasses.replace(took, wants=""))
        if found.unasked is not None:
            return found.unasked
        return SpecifierSet(f"<={took.version}") if found == Taken() else None

    def _applies(self, req: Requirement) -> bool:
        """Whether ``req`` applies on the cell's Python, asked for no extra (one that cannot be told does not)."""
        if req.marker is None:
            return True
        full = self.pinned.version
        env = {"python_version": self.pinned.python.removesuffix("t"), "python_full_version": full}
        try:
            return req.marker.evaluate({**env, "implementation_version": full, "extra": ""})
        except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
            return False
