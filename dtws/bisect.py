"""Bisect: the last release of a package under which a cell's step passes, and the first under which it fails.

The releases come from the package index (its JSON simple API), oldest first,
without pre-releases, yanked releases, and releases with no file for the
cell's Python (Requires-Python, or only wheels for other Pythons): each left
out is reported with why. Each probe is a real run of the cell with the
package pinned (a constraint given to pip and uv: ``PIP_CONSTRAINT``,
``UV_CONSTRAINT``), recorded like any cell under the bisect's folder. A
probe is good when the step passed, bad when it failed or timed out, and
unusable otherwise (the pin did not install, an earlier step failed, a
harness error): unusable probes are stepped around, never counted as bad.
"""

from __future__ import annotations

import itertools
import json
import re
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from dtws import files, matrix, record
from dtws.versions import admits, normalized

INDEX = "https://pypi.org/simple/"
FILENAME = "bisect.json"
# Where a site has its bisects' pages (bisect/<name>/), and the list of them a later site keeps them by.
SITE = "bisect"
SITE_INDEX = "index.json"
_WHEEL = re.compile(r"-(?P<python>[^-]+)-(?P<abi>[^-]+)-(?P<platform>[^-]+)\.whl$")


class BisectError(ValueError):
    pass


@dataclass
class Probe:
    version: str
    verdict: str  # good, bad, or unusable
    step_verdict: str  # the step's own verdict
    status: str  # the cell's status
    reason: str | None
    record: str  # the probe's record, relative to the bisect's folder


@dataclass
class Bisect:
    cell: str
    library: str
    package: str
    step: str | None  # None: the cell's status
    releases: list[str]  # the releases considered, oldest first
    left_out: dict[str, str] = field(default_factory=dict)  # release -> why it was not considered
    probes: list[Probe] = field(default_factory=list)
    good: str | None = None  # of the two neighbouring releases that differ, the one that passes
    bad: str | None = None  # and the one that does not
    why: str | None = None  # the bad probe's reason
    answer: str = ""  # one line: what was found
    every: bool = False  # every release was probed (a scan), not only those a binary search picks

    @property
    def harness_errors(self) -> list[str]:
        """The releases whose probe the harness failed (dtws, tox, docker): the answer may be missing a verdict."""
        return [probe.version for probe in self.probes if probe.status == "error"]


def _version_of(filename: str, package: str) -> str | None:
    stem = re.sub(r"(\.tar\.gz|\.zip|\.tar\.bz2|\.whl|\.egg|\.exe|\.msi)$", "", filename)
    prefix = re.compile(rf"^{re.escape(normalized(package)).replace('-', '[-_.]')}-", re.IGNORECASE)
    found = prefix.match(stem)
    if not found:
        return None
    return stem[found.end() :].split("-")[0]


def _fits(filename: str, python: str) -> bool:
    """Whether a file of a release can install on Python ``python``: an sdist always may, a wheel by its tag."""
    wheel = _WHEEL.search(filename)
    if not wheel:
        return not filename.endswith((".exe", ".msi", ".egg"))
    major, minor = python.split(".")
    tags = wheel["python"].split(".")
    return any(
        tag in (f"py{major}", f"py{major}{minor}", f"cp{major}{minor}")
        or (tag.startswith("cp3") and wheel["abi"] == "abi3" and major == "3")
        for tag in tags
    )


def releases_of(package: str, python: str, index: str = INDEX) -> tuple[list[str], dict[str, str]]:
    """The package's releases for Python ``python``, oldest first, and those left out with why."""
    request = urllib.request.Request(
        f"{index}{normalized(package)}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        data = json.load(answer)
    by_version: dict[str, list[dict[str, object]]] = {}
    for item in data.get("files", []):
        if str(item.get("filename", "")).endswith((".exe", ".msi", ".egg")):  # installers pip never takes
            continue
        version = _version_of(str(item.get("filename", "")), package)
        if version:
            by_version.setdefault(version, []).append(item)
    kept, left_out = [], {}
    for version, items in by_version.items():
        try:
            parsed = Version(version)
        except InvalidVersion:
            left_out[version] = "not a version"
            continue
        if parsed.is_prerelease or parsed.is_devrelease:
            continue
        if all(item.get("yanked") for item in items):
            left_out[version] = "yanked"
            continue
        fitting = [
            item
            for item in items
            if _fits(str(item.get("filename")), python) and admits(str(item.get("requires-python") or ""), python)
        ]
        if not fitting:
            left_out[version] = f"no file for Python {python}"
            continue
        kept.append(version)
    return sorted(kept, key=Version), left_out


def name(cell: str, package: str) -> str:
    """A bisect's name: its folder under the results, and its page's under ``bisect/``."""
    return f"{cell}-{package}"


def is_range(releases: str) -> bool:
    """Whether ``--releases`` is a version range (``>=1.8``), not a list of releases."""
    return releases.strip()[:1] in ("<", ">", "=", "!", "~")


def chosen(package: str, python: str, releases: str = "", index: str = INDEX) -> tuple[list[str], dict[str, str]]:
    """The releases a bisect considers, oldest first, and those of the index left out with why.

    ``releases``: empty, every release on the index for ``python``; a range
    (``>=1.8,<2``), those of them in it; else a comma-separated list, as given.
    BisectError for a range that is not one; OSError when the index cannot be read.
    """
    if releases.strip() and not is_range(releases):
        return [item.strip() for item in releases.split(",") if item.strip()], {}
    try:
        wanted = SpecifierSet(releases.strip())
    except InvalidSpecifier:
        raise BisectError(f"--releases {releases!r}: not a version range such as '>=1.8,<2'") from None
    versions, left_out = releases_of(package, python, index)
    return [version for version in versions if Version(version) in wanted], {
        version: why for version, why in left_out.items() if not _parses(version) or Version(version) in wanted
    }


def left_out_lines(package: str, left_out: dict[str, str]) -> list[str]:
    """The releases left out, one line per reason: a range of 200 Django releases is one line, not 200."""
    by_why: dict[str, list[str]] = {}
    for version, why in left_out.items():
        by_why.setdefault(why, []).append(version)
    lines = []
    for why, versions in by_why.items():
        versions.sort(key=lambda version: (Version(version),) if _parses(version) else (Version("0"), version))
        if len(versions) <= 3:
            lines.append(f"left out {package} {', '.join(versions)}: {why}")
        else:
            lines.append(f"left out {len(versions)} releases of {package} ({versions[0]} to {versions[-1]}): {why}")
    return lines


def _parses(version: str) -> bool:
    try:
        Version(version)
    except InvalidVersion:
        return False
    return True


def judge(rec: record.CellRecord, package: str, version: str, step: str | None) -> tuple[str, str]:
    """good, bad or unusable, and the step's (or cell's) own verdict."""
    installed = {normalized(name): value for name, value in rec.provenance.packages.items()}
    verdict = rec.step(step).verdict if step else rec.status
    if installed.get(normalized(package)) != version:
        return "unusable", verdict
    if verdict == "pass":
        return "good", verdict
    if verdict in ("fail", "timeout", "flaky"):
        return "bad", verdict
    return "unusable", verdict


Runner = Callable[[str], tuple[record.CellRecord, str]]  # version -> the probe's record, and where it is


_DOES = {"pass": "passes", "fail": "fails", "timeout": "times out", "flaky": "is flaky"}


def search(
    cell: matrix.Cell,
    package: str,
    step: str | None,
    versions: list[str],
    probe: Runner,
    every: bool = False,
    told: Callable[[Probe], None] = lambda _: None,
) -> Bisect:
    """Probe the oldest and newest usable releases; if they differ, binary-search between, stepping around.

    With ``every``, probe every release instead: the answer then says whether
    any release passes, and where each flip between neighbours is. ``told``
    hears of each probe as it is judged.
    """
    found = Bisect(cell.env, cell.library, package, step, list(versions), every=every)
    tried: dict[str, Probe] = {}

    def run(index: int) -> Probe:
        version = versions[index]
        if version not in tried:
            rec, where = probe(version)
            verdict, own = judge(rec, package, version, step)
            tried[version] = Probe(version, verdict, own, rec.status, rec.reason, where)
            found.probes.append(tried[version])
            told(tried[version])
        return tried[version]

    def usable(indexes: range) -> int | None:
        for index in indexes:
            if run(index).verdict != "unusable":
                return index
        return None

    if every:
        return _scan(found, [run(index) for index in range(len(versions))])
    low = usable(range(len(versions)))
    high = usable(range(len(versions) - 1, (low if low is not None else -1), -1))
    if low is None or high is None:
        found.answer = f"{package}: no release of those tried gave {step or 'the cell'} a verdict"
        return found
    if run(low).verdict == run(high).verdict:
        found.answer = (
            f"{package}: {step or 'the cell'} {_DOES.get(run(low).step_verdict, run(low).step_verdict)}"
            f" under the oldest and newest releases that could judge ({versions[low]}, {versions[high]}):"
            " no flip to bisect"
            + (f"; the {high - low - 1} between were not probed (--every probes each)" if high - low > 1 else "")
        )
        return found
    while high - low > 1:
        middle = (low + high) // 2
        # Step around unusable releases: the nearest usable one between, on either side.
        order = sorted(range(low + 1, high), key=lambda index: (abs(index - middle), index))
        pick = next((index for index in order if run(index).verdict != "unusable"), None)
        if pick is None:
            break
        if run(pick).verdict == run(low).verdict:
            low = pick
        else:
            high = pick
    good, bad = (low, high) if run(low).verdict == "good" else (high, low)
    found.good, found.bad = versions[good], versions[bad]
    found.why = run(bad).reason
    between = [versions[index] for index in range(low + 1, high)]
    direction = "last good" if good < bad else "first good"
    other = "first bad" if good < bad else "last bad"
    found.answer = (
        f"{package}: {direction} {versions[good]}, {other} {versions[bad]}"
        + (f" (between them, {', '.join(between)} could not be judged)" if between else "")
        + (f" — {found.why}" if found.why else "")
    )
    return found


def _scan(found: Bisect, probes: list[Probe]) -> Bisect:
    """The answer of a scan: the flips between neighbouring releases that judged, or the one verdict of them all."""
    step = found.step or "the cell"
    judged = [probe for probe in probes if probe.verdict != "unusable"]
    unusable = len(probes) - len(judged)
    could_not = f"; {unusable} could not judge (see each probe)" if unusable else ""
    if not judged:
        found.answer = f"{found.package}: no release of the {len(probes)} gave {step} a verdict"
        return found
    flips = [(before, after) for before, after in itertools.pairwise(judged) if before.verdict != after.verdict]
    if not flips:
        verdict = judged[0].step_verdict
        found.answer = (
            f"{found.package}: {step} {_DOES.get(verdict, verdict)} under every one of the {len(judged)} releases"
            f" that could judge ({judged[0].version} to {judged[-1].version}){could_not}"
        )
        return found
    before, after = flips[-1]
    good, bad = (before, after) if before.verdict == "good" else (after, before)
    found.good, found.bad, found.why = good.version, bad.version, bad.reason
    said = "; ".join(
        f"last good {b.version}, first bad {a.version}"
        if b.verdict == "good"
        else f"last bad {b.version}, first good {a.version}"
        for b, a in flips
    )
    found.answer = f"{found.package}: {said} (every one of {len(judged)} releases probed){could_not}" + (
        f" — {found.why}" if found.why else ""
    )
    return found


def write(found: Bisect, folder: Path) -> Path:
    return files.write_json(folder / FILENAME, asdict(found))


def read(folder: Path) -> Bisect:
    """A bisect's answer as written; BisectError when it is not one."""
    try:
        data = json.loads((folder / FILENAME).read_text(encoding="utf-8"))
        probes = [Probe(**item) for item in data.pop("probes")]
        found = Bisect(**data, probes=probes)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise BisectError(f"{folder / FILENAME}: not a bisect's answer ({error})") from None
    for probe in found.probes:
        if not all(part and part not in (".", "..") for part in probe.record.split("/")):
            raise BisectError(f"{folder / FILENAME}: a probe's record outside its folder: {probe.record!r}")
    return found
