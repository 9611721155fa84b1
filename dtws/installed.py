"""What the install step put in a cell's env, read from the env after the step (record.Installed).

The harness reads the env's files: each distribution's metadata (``METADATA``
or ``PKG-INFO``), the files it lists (``RECORD``, or ``installed-files.txt``),
its wheel tags. The library's dependency tree is followed from the library's
declared deps through each distribution's ``Requires-Dist``, their markers
judged for the cell's Python; Django's own tree is left out (every cell has
it). Whether a distribution was built from source here: the index
(dtws.pypi) has no wheel of that release with the installed wheel's tags.
The library's test modules are parsed, never run, by the cell's own Python
(``COUNT``, stdlib code that runs on 2.7 and every 3.x): the interpreter that
installed them reads them as they are.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path, PurePosixPath

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement

from dtws import files, pypi
from dtws.record import Installed, Package
from dtws.versions import normalized

METADATA_LIMIT = 1_000_000
_DOC = re.compile(r"(^|/)(readme|changelog|changes|history)[^/]*$|(^|/)docs?/|\.(rst|md)$", re.IGNORECASE)
_TEST = re.compile(r"(^|/)(tests?/.*\.py|tests?\.py|test_[^/]*\.py|[^/]*_tests?\.py)$")

# Runs in the cell (Python 2.7 and every 3.x, stdlib only): reads file paths on stdin, prints one JSON object.
COUNT = r"""
import ast, json, sys
FUNCTIONS = tuple(getattr(ast, name) for name in ("FunctionDef", "AsyncFunctionDef") if hasattr(ast, name))
functions, assertions, unparsed = 0, 0, []
for path in sys.stdin.read().splitlines():
    try:
        with open(path, "rb") as source:
            tree = ast.parse(source.read(), path)
    except Exception:  # 2.7 raises TypeError for a NUL byte; deep nesting RecursionError: that file only
        unparsed.append(path if isinstance(path, type(u"")) else path.decode("utf-8", "replace"))
        continue
    for node in ast.walk(tree):
        if isinstance(node, FUNCTIONS) and node.name.startswith("test"):
            functions += 1
        elif isinstance(node, ast.Assert):
            assertions += 1
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr.startswith(("assert", "fail")) and node.func.attr != "failureException":
                assertions += 1
sys.stdout.write(json.dumps({"functions": functions, "assertions": assertions, "unparsed": unparsed}))
"""


@dataclass
class Dist:
    """A distribution installed in the env, as its metadata says."""

    name: str
    version: str
    folder: Path  # its .dist-info or .egg-info
    headers: dict[str, list[str]]
    description_chars: int
    files: list[str]  # relative to site-packages
    tags: set[str] = field(default_factory=set)  # the installed wheel's; empty for an egg-info

    def requires(self) -> list[str]:
        return self.headers.get("Requires-Dist", [])


def _read(path: Path) -> str | None:
    try:
        with path.open("rb") as data:
            return data.read(METADATA_LIMIT).decode("utf-8", "replace")
    except OSError:
        return None


def _files(folder: Path, site: Path) -> list[str]:
    if folder.suffix == ".dist-info":
        text = _read(folder / "RECORD") or ""
        return [line.rsplit(",", 2)[0] for line in text.splitlines() if line.strip()]
    text = _read(folder / "installed-files.txt") or ""
    return [
        os.path.relpath(os.path.normpath(folder / line.strip()), site) for line in text.splitlines() if line.strip()
    ]


def _egg_requires(folder: Path) -> list[str]:
    """An egg-info's requires.txt as Requires-Dist lines (its [extra] sections as markers)."""
    found, section = [], ""
    for line in (_read(folder / "requires.txt") or "").splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif line:
            extra, _, marker = section.partition(":")
            conditions = [f"extra == '{extra}'"] if extra else []
            conditions += [f"({marker})"] if marker else []
            found.append(line + (f"; {' and '.join(conditions)}" if conditions else ""))
    return found


def dists(site: Path) -> list[Dist]:
    found = []
    for folder in sorted([*site.glob("*.dist-info"), *site.glob("*.egg-info")]):
        text = _read(folder / ("METADATA" if folder.suffix == ".dist-info" else "PKG-INFO"))
        if text is None:
            continue
        parsed = HeaderParser().parsestr(text)
        headers: dict[str, list[str]] = {}
        for key, value in parsed.items():
            headers.setdefault(key, []).append(" ".join(str(value).split()))
        if folder.suffix == ".egg-info":
            headers["Requires-Dist"] = _egg_requires(folder)
        body = parsed.get_payload()
        description = (body if isinstance(body, str) else "") or " ".join(headers.get("Description", []))
        wheel = HeaderParser().parsestr(_read(folder / "WHEEL") or "") if folder.suffix == ".dist-info" else None
        tags = {" ".join(str(tag).split()) for tag in (wheel.get_all("Tag") or [])} if wheel else set()
        name, version = headers.get("Name", [""])[0], headers.get("Version", [""])[0]
        if name:
            found.append(Dist(name, version, folder, headers, len(description.strip()), _files(folder, site), tags))
    return found


def _environment(python: str) -> dict[str, str]:
    return {"python_version": python, "python_full_version": f"{python}.0", "implementation_name": "cpython"}


def tree(roots: Iterable[str], installed: dict[str, Dist], python: str) -> list[Dist]:
    """The installed distributions ``roots`` (requirement strings) need, the roots' first, in the order found."""
    seen: dict[str, Dist] = {}
    done: set[tuple[str, frozenset[str]]] = set()
    queue: list[tuple[str, frozenset[str]]] = []
    for root in roots:
        try:
            wanted = Requirement(root)
        except InvalidRequirement:
            continue
        queue.append((normalized(wanted.name), frozenset(wanted.extras)))
    while queue:
        name, extras = queue.pop(0)
        dist = installed.get(name)
        if dist is None or (name, extras) in done:
            continue
        done.add((name, extras))
        seen.setdefault(name, dist)
        for line in dist.requires():
            try:
                needed = Requirement(line)
                applies = needed.marker is None or any(
                    needed.marker.evaluate({**_environment(python), "extra": extra}) for extra in {"", *extras}
                )
            except (InvalidRequirement, InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
                continue
            if applies:
                queue.append((normalized(needed.name), frozenset(needed.extras)))
    return list(seen.values())


def _bytes(site: Path, files: Iterable[str]) -> int:
    total = 0
    for name in set(files):
        try:
            total += (site / name).lstat().st_size
        except OSError:
            continue
    return total


def env_bytes(site: Path) -> int:
    total = 0
    for folder, _dirs, names in os.walk(site):
        for name in names:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


def built_here(dist: Dist) -> bool | None:
    """Whether ``dist`` was built here: installed as an egg, or as a wheel that the index has not for this env."""
    if not dist.tags:
        return True  # an egg-info: setup.py install ran here
    platforms = {tag.rsplit("-", 1)[-1] for tag in dist.tags}
    if all(platform.startswith("linux_") for platform in platforms):
        return True  # the index takes no linux_* wheel: only a build here makes one
    if all(platform.startswith(("manylinux", "musllinux")) for platform in platforms):
        return False  # built elsewhere (auditwheel's tags): from the index
    try:
        return not pypi.has_wheel(pypi.files(dist.name), dist.version, dist.tags)
    except (pypi.Unreadable, ValueError):
        return None


def _each(judge: Callable[[Dist], bool | None], found: list[Dist]) -> list[bool | None]:
    """``judge`` of each distribution, asked at once: most ask the index, some 0.1-0.3 s each."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(judge, found))


def _urls(dist: Dist) -> dict[str, str]:
    found = {}
    for url in dist.headers.get("Home-page", []):
        if url.startswith(("http://", "https://")):
            found["Home-page"] = url
    for item in dist.headers.get("Project-URL", []):
        label, _, url = item.partition(",")
        if url.strip().startswith(("http://", "https://")):
            found[label.strip()] = url.strip()
    return found


def count_tests(command: list[str], env: dict[str, str], cwd: Path, found: Installed, site: Path) -> bool:
    """Count the test functions and assertions of ``found``'s test modules, parsed by ``command`` (the cell's COUNT).

    False when the command could not give a count (every module is then unparsed).
    """
    if not found.test_files:
        return True
    paths = "\n".join(str(site / module) for module in found.test_files)
    try:
        done = subprocess.run(
            command, input=paths, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        data = files.parse_json(done.stdout, "the test modules' count")
    except (OSError, subprocess.TimeoutExpired, ValueError):
        found.unparsed = list(found.test_files)
        return False
    found.test_functions, found.assertions = int(data.get("functions", 0)), int(data.get("assertions", 0))
    found.unparsed = [os.path.relpath(path, site) for path in data.get("unparsed", [])]
    return True


def site_packages(env_dir: Path) -> Path | None:
    return next(iter(sorted(env_dir.glob("lib/python*/site-packages"))), None)


def read(env_dir: Path, package: str, deps: Iterable[str], python: str, before: str | None) -> Installed | None:
    """What the env at ``env_dir`` holds of ``package`` (its declared ``deps`` followed); None when it is not there.

    ``python``: the cell's series (markers are judged for it); ``before``: the
    time (ISO) the library's releases are counted up to.
    """
    site = site_packages(env_dir)
    if site is None:
        return None
    found = dists(site)
    by_name = {normalized(dist.name): dist for dist in found}
    library = by_name.get(normalized(package))
    if library is None:
        return None
    django = {normalized(dist.name) for dist in tree(["Django"], by_name, python)}
    roots = [package, *deps]
    packages = [dist for dist in tree(roots, by_name, python) if dist is library or normalized(dist.name) not in django]
    shipped = [name for name in library.files if not PurePosixPath(name).parts[0].endswith((".dist-info", ".egg-info"))]
    return Installed(
        packages=[
            Package(dist.name, dist.version, _bytes(site, dist.files), built)
            for dist, built in zip(packages, _each(built_here, packages), strict=True)
        ],
        env_packages=len(found),
        env_bytes=env_bytes(site),
        urls=_urls(library),
        description_chars=library.description_chars,
        doc_files=sorted(name for name in shipped if _DOC.search(name) and not name.endswith(".pyc")),
        test_files=sorted(name for name in shipped if _TEST.search(name)),
        release=pypi.release(package, before),
    )
