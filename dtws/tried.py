"""What an install resolved or tried to: each distribution, its version, and the specifiers that asked for it.

After an install that passed, the env's metadata says it (dtws.installed.dists: each distribution,
and the requirements of every other one that apply on the cell's Python). After one that failed,
the env holds nothing of it, and the installer's log says what it collected before it failed:

- pip: ``Collecting <requirement> (from <parent>)``, then the file it took
  (``Downloading``, ``Using cached``, ``Processing``: a wheel's or an sdist's name, its version;
  a wheel it built before, from its cache, with no ``Collecting`` line);
- uv, told to log its resolver (``RUST_LOG``, ``LOG``): ``Searching for a compatible version of
  <name> (<range>)`` then ``Selecting: <name>==<version>``, the build envs' own resolutions included.

tox prints ``<env>: install_deps> <command> <requirement> ...`` before it installs: the direct
requirements (tox.ini's deps) of either.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from pathlib import Path

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

from dtws.installed import dists
from dtws.record import Tried
from dtws.versions import normalized

# What uv is told, for the install step, to log of its resolver: the Searching and Selecting lines.
LOG = "uv_resolver::resolver=debug"
# What virtualenv seeds into every env (its own pinned wheels): an install keeps them when they satisfy the deps.
SEEDED = ("pip", "setuptools", "wheel")
_PIP_FILE = re.compile(r"^\s*(?:Downloading|Using cached|Processing|File was already downloaded)\s+(\S+)")
_UV_SEARCH = re.compile(r"Searching for a compatible version of ([A-Za-z0-9._-]+)(?:\[[^\]]*\])? \((.*)\)\s*$")
_UV_SELECT = re.compile(r"Selecting: ([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==(\S+)")
_VALUED = frozenset({"--python", "-p", "-c", "--constraint", "-i", "--index-url", "-f", "--find-links"})
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
_UV_UPPER = re.compile(r"<([^\s,|]+)\+")  # uv's "<1.0.2+": up to 1.0.2's local versions, so "<=1.0.2"


def _wants(specifiers: Iterable[str]) -> str:
    """The specifiers as one set (PEP 440), "" for any; one that does not parse asks for nothing."""
    found = SpecifierSet()
    for item in specifiers:
        try:
            found &= SpecifierSet(item)
        except InvalidSpecifier:
            continue
    return str(found)


def _requirement(text: str) -> Requirement | None:
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def direct(log: str, env: str) -> list[Requirement]:
    """The requirements of tox's install_deps line for ``env`` in ``log`` (its options and their values left out)."""
    for line in log.splitlines():
        command = line.partition(f"{env}: install_deps> ")[2]
        if command:
            return _installed(command)
    return []


def _installed(command: str) -> list[Requirement]:
    """The requirements an install command names (``pip install``'s, ``uv pip install``'s)."""
    words = shlex.split(command)
    if "install" not in words:
        return []
    found: list[Requirement] = []
    skip = False
    for word in words[words.index("install") + 1 :]:
        if skip or word.startswith("-"):
            skip = not skip and word in _VALUED
        elif (req := _requirement(word)) is not None:
            found.append(req)
    return found


def _file_version(path: str) -> tuple[str, str] | None:
    name = path.rstrip("/").rsplit("/", 1)[-1].split("#", 1)[0].split("?", 1)[0]
    try:
        if name.endswith(".whl"):
            project, version, _, _ = parse_wheel_filename(name)
        else:
            project, version = parse_sdist_filename(name)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return normalized(str(project)), str(version)


def from_log(log: str) -> list[Tried]:
    """What pip or uv collected, as ``log`` says (each distribution's last version, with what asked for it then)."""
    asked: dict[str, list[str]] = {}
    found: dict[str, Tried] = {}
    for line in _COLOUR.sub("", log).splitlines():
        if ": install_deps> " in line:  # tox's deps: pip names none it takes from its cache of built wheels
            for dep in _installed(line.partition(": install_deps> ")[2]):
                asked.setdefault(normalized(dep.name), []).append(str(dep.specifier))
        elif line.startswith("Collecting "):
            req = _requirement(line.removeprefix("Collecting ").split(" (from ", 1)[0].strip())
            if req is not None:
                asked.setdefault(normalized(req.name), []).append(str(req.specifier))
        elif (taken := _PIP_FILE.match(line)) and (named := _file_version(taken.group(1))):
            name, version = named
            found[name] = Tried(name, version, _wants(asked.get(name, [])))
        elif searching := _UV_SEARCH.search(line):
            name, spec = normalized(searching.group(1)), searching.group(2).strip()
            asked[name] = [] if spec == "*" or "|" in spec else [_UV_UPPER.sub(r"<=\1", spec)]
        elif selecting := _UV_SELECT.search(line):
            name = normalized(selecting.group(1))
            found[f"{name}=={selecting.group(2)}"] = Tried(name, selecting.group(2), _wants(asked.get(name, [])))
    return list(found.values())


def _environment(python: str, extra: str) -> dict[str, str]:
    return {"python_version": python, "python_full_version": f"{python}.0", "extra": extra}


def _applies(req: Requirement, python: str, extras: Iterable[str]) -> bool:
    if req.marker is None:
        return True
    try:
        return any(req.marker.evaluate(_environment(python, extra)) for extra in {"", *extras})
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
        return True


def from_env(site: Path, roots: Iterable[Requirement], python: str) -> list[Tried]:
    """What an install put in the env at ``site``: each distribution but the seeded ones, with every
    requirement on it (``roots``', and each distribution's that applies on ``python``)."""
    found = dists(site)
    owners: list[tuple[set[str], list[Requirement]]] = [(set(), list(roots))]
    for dist in found:
        owners.append(({normalized(dist.name)}, [req for line in dist.requires() if (req := _requirement(line))]))
    extras: dict[str, set[str]] = {}
    for _, requirements in owners:
        for req in requirements:
            extras.setdefault(normalized(req.name), set()).update(req.extras)
    asked: dict[str, list[str]] = {}
    for names, requirements in owners:
        mine = set().union(*(extras.get(name, set()) for name in names))
        for req in requirements:
            if _applies(req, python, mine):
                asked.setdefault(normalized(req.name), []).append(str(req.specifier))
    return [
        Tried(normalized(dist.name), dist.version, _wants(asked.get(normalized(dist.name), [])))
        for dist in found
        if normalized(dist.name) not in SEEDED  # the installer keeps the seeded one that fits: no release reaches it
    ]
