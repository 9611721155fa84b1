"""Bisect: the last release of a package under which a cell's step passes, and the first under which it fails.

The releases come from the package index (its JSON simple API), oldest first,
without pre-releases, yanked releases, and releases with no file for the
cell's Python (Requires-Python, or only wheels for other Pythons): each left
out is reported with why. Of Django, by default, only those from the oldest
series the matrix runs the cell's library on (an older release is not one the
project supports). Each probe is a real run of the cell with the package
pinned (a constraint given to pip and uv: ``PIP_CONSTRAINT``,
``UV_CONSTRAINT``), recorded like any cell under the bisect's folder.

The release the cell gets as the matrix pins it is probed first. When the
step (or the cell) fails under it, that failure is the one bisected: a probe
is bad only when the step fails so (the same known cause, or the same first
error), good when it passes, and unusable when it fails otherwise. Else a
probe is good when the step passed, bad when it failed or timed out. A probe
is unusable too when the pin did not install, an earlier step failed or the
harness failed: unusable probes are reported with why, stepped around, never
counted as bad. A scan (``every``) judges each probe by its own verdict: it
answers whether any release passes.

A ``bisect.json`` is read back field by field (``read``): its names become
folders, so none is trusted.
"""

from __future__ import annotations

import itertools
import re
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from dtws import addresses, files, matrix, reasons, record, shapes
from dtws.record import Status, StepVerdict
from dtws.versions import admits, normalized, series_key

INDEX = "https://pypi.org/simple/"
FILENAME = "bisect.json"
# Where a site has its bisects' pages (bisect/<name>/), and the list of them a later site keeps them by.
SITE = addresses.BISECT
SITE_INDEX = "index.json"
_WHEEL = re.compile(r"-(?P<python>[^-]+)-(?P<abi>[^-]+)-(?P<platform>[^-]+)\.whl$")
# A distribution's name, as PEP 508 spells it.
_PACKAGE = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE)

Verdict = Literal["good", "bad", "unusable"]


class BisectError(ValueError):
    pass


@dataclass
class Probe:
    version: Release
    verdict: Verdict
    step_verdict: StepVerdict | Status  # the step's own verdict, or the cell's status when the whole cell is judged
    status: Status  # the cell's status
    reason: str | None
    record: str  # the probe's record, relative to the bisect's folder: <version>/<library>/<cell>
    why: str | None = None  # why it could not judge, when unusable


Failed = Literal["fail", "timeout"]


@dataclass(frozen=True)
class Failure:
    """How the cell fails as the matrix pins it: a probe is bad only when its step fails so."""

    step: StepName
    verdict: Failed
    error: str  # the step's first error line, as its record has it (or what the step said, when it has none)
    cause: str | None  # the error's known cause (dtws/reasons.toml), when it has one

    def repeated_by(self, step: record.Step) -> bool:
        """Whether ``step`` (this step of a probe) fails so: its verdict, and its known cause or its first error."""
        error = _error_of(step)
        same_cause = self.cause is not None and reasons.cause_of(error) == self.cause
        return step.verdict == self.verdict and (same_cause or reasons.bare(error) == reasons.bare(self.error))


@dataclass
class Bisect:
    cell: CellName
    library: str
    package: Package
    step: StepName | None  # None: the cell's status
    releases: list[Release]  # the releases considered, oldest first
    left_out: dict[str, str] = field(default_factory=dict)  # release -> why it was not considered
    probes: list[Probe] = field(default_factory=list)
    good: Release | None = None  # of the two neighbouring releases that differ, the one that passes
    bad: Release | None = None  # and the one that does not
    why: str | None = None  # the bad probe's reason
    answer: str = ""  # one line: what was found
    every: bool = False  # every release was probed (a scan), not only those a binary search picks
    reference: Release | None = None  # the release the cell gets as the matrix pins it, probed first
    failure: Failure | None = None  # how the cell fails under it: what a bad probe repeats

    @property
    def judged_step(self) -> str | None:
        """The step a probe is judged by: the one asked for, else the one the cell fails at; None: the cell's status."""
        return self.step or (self.failure.step if self.failure else None)

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
        data = files.parse_json(answer.read(), request.full_url)
    by_version: dict[str, list[dict[str, object]]] = {}
    for item in data.get("files", []):
        if str(item.get("filename", "")).endswith((".exe", ".msi", ".egg")):  # installers pip never takes
            continue
        version = _version_of(str(item.get("filename", "")), package)
        if version:
            by_version.setdefault(version, []).append(item)
    kept, left_out = [], {}
    for version, items in by_version.items():
        if not is_release(version):
            left_out[version] = "not a version"
            continue
        parsed = Version(version)
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


def chosen(cell: matrix.Cell, package: str, releases: str = "", index: str = INDEX) -> tuple[list[str], dict[str, str]]:
    """The releases a bisect of ``cell`` considers, oldest first, and those of the index left out with why.

    ``releases``: a range (``>=1.8,<2``), those on the index for the cell's
    Python in it; a comma-separated list, as given; empty, every one on the
    index for the cell's Python, but of Django only those of the oldest series
    the matrix has for the cell's library on its Python and after
    (``matrix.djangos``): an older one is not one the project supports, and
    is left out saying so.
    BisectError for a range or a release that is not one; OSError when the index cannot be read.
    """
    if releases.strip() and not is_range(releases):
        given = [item.strip() for item in releases.split(",") if item.strip()]
        for version in given:
            if not is_release(version):
                raise BisectError(f"--releases: {version!r} is not a release, such as 1.8.19")
        return given, {}
    try:
        wanted = SpecifierSet(releases.strip())
    except InvalidSpecifier:
        raise BisectError(f"--releases {releases!r}: not a version range such as '>=1.8,<2'") from None
    versions, left_out = releases_of(package, cell.python, index)
    older: dict[str, str] = {}
    if not releases.strip() and normalized(package) == "django":
        oldest = matrix.djangos(cell.library, cell.python)[0]
        wanted = SpecifierSet(f">={oldest}")
        why = f"older than {oldest}, the oldest Django series of {cell.library}'s cells on Python {cell.python}"
        older = {version: why for version in versions if Version(version) not in wanted}
    return [version for version in versions if Version(version) in wanted], {
        **older,
        **{version: why for version, why in left_out.items() if not _parses(version) or Version(version) in wanted},
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


def failure_of(rec: record.CellRecord, step: str | None) -> Failure | None:
    """How ``rec`` fails: at ``step``, or at the first step that failed; None when it does not fail there."""
    failed = next(
        (item for item in rec.steps if item.verdict in ("fail", "timeout") and step in (None, item.name)), None
    )
    if failed is None:
        return None
    error = _error_of(failed)
    return Failure(failed.name, "fail" if failed.verdict == "fail" else "timeout", error, reasons.cause_of(error))


def _error_of(step: record.Step) -> str:
    """A failed step's first error, as its record says it (as the cell's reason does)."""
    return step.error_line or step.detail or f"exit code {step.exit_code}"


# Why a step's verdict (or the cell's status) cannot say whether the release is good or bad.
_CANNOT: dict[str, str] = {
    "skipped": "an earlier step failed",
    "unavailable": "no interpreter for the cell",
    "error": "the harness failed (dtws, tox or docker)",
    "not-run": "the run stopped before it",
    "incomplete": "the run stopped before the cell's end",
}


def judge(
    rec: record.CellRecord, where: str, package: str, version: str, step: str | None, failure: Failure | None = None
) -> Probe:
    """The probe of ``version`` whose record is ``rec`` (at ``where``): good, bad or unusable, why, and on what.

    Without ``failure``: good when the step (or the cell) passed, bad when it
    failed or timed out. With it, the step judged is ``step`` or the one the
    cell fails at, and a probe is bad only when that step fails as the cell
    does (``Failure.repeated_by``): another failure cannot judge.
    """
    judged = step or (failure.step if failure else None)
    installed = {normalized(name): value for name, value in rec.provenance.packages.items()}
    own: StepVerdict | Status = rec.step(judged).verdict if judged else rec.status
    status = rec.status
    said = judged or "the cell"

    def probe(verdict: Verdict, why: str | None = None) -> Probe:
        return Probe(version, verdict, own, status, rec.reason, where, why)

    got = installed.get(normalized(package))
    if got != version:
        return probe("unusable", f"the pin did not hold: {f'{package} {got}' if got else f'no {package}'} installed")
    if own == "pass":
        return probe("good")
    if own not in ("fail", "timeout", "flaky"):
        return probe("unusable", f"{said} {own}: {_CANNOT[own]}")
    if failure is None or failure.repeated_by(rec.step(step or failure.step)):
        return probe("bad")
    return probe("unusable", f"{said} fails otherwise than the cell does: not the failure bisected")


Runner = Callable[[str], tuple[record.CellRecord, str]]  # version -> the probe's record, and where it is


_DOES = {"pass": "passes", "fail": "fails", "timeout": "times out", "flaky": "is flaky"}


def reference(cell: matrix.Cell, package: str, versions: list[str]) -> str:
    """The release the cell gets as the matrix pins it: of Django, the newest of its series there; else the newest."""
    series = [version for version in versions if Version(version).release[:2] == series_key(cell.django)]
    if normalized(package) == "django" and series:
        return max(series, key=Version)
    return max(versions, key=Version)


def search(
    cell: matrix.Cell,
    package: str,
    step: str | None,
    versions: list[str],
    probe: Runner,
    every: bool = False,
    told: Callable[[Bisect, Probe], None] = lambda *_: None,
) -> Bisect:
    """Probe the cell's own release, then the oldest and newest usable; binary-search where two differ.

    The cell's own release (``reference``) is probed first: when the step (or
    the cell) fails under it, that failure is what a bad probe must repeat
    (``judge``), so that a release that fails for a reason of its own cannot
    pass for the flip. Then the oldest usable release, and if it agrees the
    newest: where either differs from the cell's own, a binary search between
    them, stepping around probes that cannot judge. With ``every``, probe every
    release instead, each judged by its own verdict: the answer then says
    whether any release passes, and where each flip between neighbours is.
    ``told`` hears of each probe as it is judged.
    """
    found = Bisect(cell.env, cell.library, package, step, list(versions), every=every)
    tried: dict[str, Probe] = {}

    def run(index: int) -> Probe:
        version = versions[index]
        if version not in tried:
            rec, where = probe(version)
            judged = judge(rec, where, package, version, step, found.failure)
            if version == found.reference and judged.verdict == "bad":
                found.failure = failure_of(rec, step)
                judged = judge(rec, where, package, version, step, found.failure)
            tried[version] = judged
            found.probes.append(judged)
            told(found, judged)
        return tried[version]

    def usable(indexes: range) -> int | None:
        for index in indexes:
            if run(index).verdict != "unusable":
                return index
        return None

    if every:
        return _scan(found, [run(index) for index in range(len(versions))])
    found.reference = reference(cell, package, versions)
    own = versions.index(found.reference)
    anchor = own if run(own).verdict != "unusable" else usable(range(len(versions)))
    said = found.judged_step or "the cell"
    if anchor is None:
        found.answer = f"{package}: no release of those tried gave {said} a verdict"
        return found
    low = usable(range(anchor))
    if low is not None and run(low).verdict != run(anchor).verdict:
        return _narrow(found, versions, run, low, anchor)
    high = usable(range(len(versions) - 1, anchor, -1))
    if high is not None and run(high).verdict != run(anchor).verdict:
        return _narrow(found, versions, run, anchor, high)
    oldest, newest = (anchor if low is None else low), (anchor if high is None else high)
    verdict = run(anchor).step_verdict
    unprobed = sum(1 for index in range(oldest + 1, newest) if versions[index] not in tried)
    found.answer = (
        f"{package}: {said} {_DOES.get(verdict, verdict)}"
        + (
            f" under the oldest and newest releases that could judge ({versions[oldest]}, {versions[newest]})"
            if oldest != newest
            else f" under {versions[anchor]}, the one release that could judge"
        )
        + (f" and under {versions[anchor]}, the cell's own" if oldest < anchor < newest else "")
        + ": no flip to bisect"
        + (f"; the {unprobed} between were not probed (--every probes each)" if unprobed else "")
    )
    return found


def _narrow(found: Bisect, versions: list[str], run: Callable[[int], Probe], low: int, high: int) -> Bisect:
    """Binary-search between ``low`` and ``high``, whose verdicts differ, for the two neighbours that differ."""
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
        f"{found.package}: {direction} {versions[good]}, {other} {versions[bad]}"
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
    """A bisect's answer as written, every field checked; BisectError, one line naming the file and the field.

    Its names become paths (its page's folder, each probe's), so each is
    checked for what it must be, not only for its type: the cell one of the
    matrix, of its library; the package a name as PEP 508 has them; each
    release a version that is one part of a path; each probe's record
    exactly ``<version>/<library>/<cell>``.
    """
    path = folder / FILENAME
    try:
        data = files.read_json(path)
    except (OSError, ValueError) as error:
        raise BisectError(f"{path}: not a bisect's answer ({error})") from None
    try:
        found = shapes.build(Bisect, data, "")
    except shapes.ShapeError as error:
        raise BisectError(f"{path}: {error}") from None
    library = matrix.get(found.cell).library
    if found.library != library:
        raise BisectError(f"{path}: library: {found.library!r} is not {found.cell}'s library, {library!r}")
    for index, probe in enumerate(found.probes):
        where = f"{probe.version}/{library}/{found.cell}"
        if probe.record != where:
            raise BisectError(f"{path}: probes[{index}].record: {probe.record!r} is not the probe's record, {where!r}")
    return found


def is_release(version: str) -> bool:
    """Whether ``version`` is a release a bisect can name, and name a folder by: a version, one part of a path."""
    try:
        files.part(version)
    except ValueError:
        return False
    return _parses(version)


def _release(text: str) -> str | None:
    return None if is_release(text) else "not a release (a version, one part of a path)"


def _cell(text: str) -> str | None:
    try:
        matrix.get(text)
    except matrix.UnknownCell:
        return "not a cell of the matrix"
    return None


def _package(text: str) -> str | None:
    return None if _PACKAGE.fullmatch(text) else "not a package's name (PEP 508)"


def _step(text: str) -> str | None:
    from dtws.steps import NAMES  # here: the steps bring the runner's machinery, which reading an answer never needs

    return None if text in NAMES else "not a step of a cell"


# What bisect.json's names must be: they become paths (a bisect's page, each probe's) and are checked as read.
Release = Annotated[str, _release]
CellName = Annotated[str, _cell]
Package = Annotated[str, _package]
StepName = Annotated[str, _step]
