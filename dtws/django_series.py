"""Django's series and the Pythons each supports, as the package index says: a snapshot kept in the repository.

``dtws/django_series.json`` holds, for every series from 1.11 on, its newest
release on the index, the day it was uploaded, the Pythons its classifiers
name and its Requires-Python, and the day the snapshot was taken; a
pre-release newer than the newest final release (``6.2a1`` before 6.2.0) is
recorded too, marked as one. The matrix reads it (nothing here asks the
network but ``read_index``); ``python -m dtws django-series --refresh`` takes
it again, so a new Django release becomes cells without editing code.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import Version

from dtws import pypi
from dtws.versions import admits, series_key

SNAPSHOT = Path(__file__).with_name("django_series.json")
OLDEST = "1.11"  # the oldest series the matrix runs (beside the review's cells)
PAGE = "https://pypi.org/simple/django/"
TIMEOUT_S = 60
_PYTHON = re.compile(r"^Programming Language :: Python :: ([0-9]+\.[0-9]+)$")


class SnapshotError(ValueError):
    """The snapshot file cannot be read, or the index's answer cannot be; the message says why."""


@dataclass(frozen=True)
class Series:
    series: str  # X.Y
    newest: str  # its newest release on the index (a pre-release only when the series has no final release yet)
    uploaded: str  # when that release's first file was uploaded (ISO, UTC)
    prerelease: bool
    classifiers: tuple[str, ...]  # the Python X.Y its metadata's classifiers name
    requires_python: str | None

    @property
    def pythons(self) -> tuple[str, ...]:
        """The Pythons it supports: those its classifiers name that its Requires-Python admits."""
        return tuple(python for python in self.classifiers if admits(self.requires_python, python))

    @property
    def lts(self) -> bool:
        """A long-term support series: 1.11, then every X.2 (Django's release policy)."""
        major, minor = series_key(self.series)
        return self.series == "1.11" or (major >= 2 and minor == 2)


@dataclass(frozen=True)
class Snapshot:
    taken: str  # YYYY-MM-DD
    series: tuple[Series, ...]  # oldest first

    def finals(self) -> tuple[Series, ...]:
        return tuple(item for item in self.series if not item.prerelease)

    def prereleases(self) -> tuple[Series, ...]:
        return tuple(item for item in self.series if item.prerelease)

    def matrix(self) -> tuple[Series, ...]:
        """The series the matrix runs: every LTS, and every final series Django still supports, which is one with
        fewer than two final series after it (a feature release has security fixes until the one after next)."""
        finals = self.finals()
        return tuple(item for index, item in enumerate(finals) if item.lts or len(finals) - index <= 2)


def _series(data: Any) -> Series:
    requires = data.get("requires_python")
    return Series(
        series=str(data["series"]),
        newest=str(data["newest"]),
        uploaded=str(data["uploaded"]),
        prerelease=bool(data["prerelease"]),
        classifiers=tuple(str(python) for python in data["classifiers"]),
        requires_python=str(requires) if requires else None,
    )


def load(path: Path = SNAPSHOT) -> Snapshot:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Snapshot(taken=str(data["taken"]), series=tuple(_series(item) for item in data["series"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise SnapshotError(f"{path.name}: not a snapshot of Django's series ({error!r})") from None


def dumps(snapshot: Snapshot) -> str:
    """The snapshot's file: one line per series, so that a refresh's diff shows what changed."""
    items = [
        json.dumps(
            {
                "series": item.series,
                "newest": item.newest,
                "uploaded": item.uploaded,
                "prerelease": item.prerelease,
                "classifiers": list(item.classifiers),
                "requires_python": item.requires_python,
            }
        )
        for item in snapshot.series
    ]
    return f'{{"taken": {json.dumps(snapshot.taken)}, "series": [\n  ' + ",\n  ".join(items) + "\n]}\n"


def _get(url: str, accept: str | None = None) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            return bytes(answer.read())
    except OSError as error:
        raise SnapshotError(f"{url} could not be read: {error}") from None


def _metadata(url: str) -> str:
    """A wheel's METADATA: its PEP 658 file when the index serves one, else read from the wheel."""
    found = pypi.wheel_metadata(url)
    if isinstance(found, str):
        raise SnapshotError(found)
    return found.decode("utf-8", "replace")


def _wheels(files: list[dict[str, Any]]) -> dict[Version, tuple[str, str]]:
    """Each release's first wheel: its URL and upload time (the index's JSON simple API, PEP 691/700)."""
    found: dict[Version, tuple[str, str]] = {}
    for item in files:
        try:
            _, version, _, _ = parse_wheel_filename(str(item.get("filename", "")))
        except InvalidWheelFilename:
            continue
        if item.get("yanked") or version.is_devrelease or version < Version(OLDEST):
            continue
        uploaded = str(item.get("upload-time") or "")
        if version not in found or uploaded < found[version][1]:
            found[version] = (str(item["url"]), uploaded)
    return found


def newest_releases(files: list[dict[str, Any]]) -> dict[str, tuple[Version, str, str]]:
    """Each series' newest final release (URL, upload time), and each pre-release series newer than every final."""
    wheels = _wheels(files)
    by_series: dict[str, list[Version]] = {}
    for version in wheels:
        by_series.setdefault(f"{version.major}.{version.minor}", []).append(version)
    newest = {
        series: max([v for v in versions if not v.is_prerelease] or versions) for series, versions in by_series.items()
    }
    newest_final = max((v for v in newest.values() if not v.is_prerelease), default=Version("0"))
    return {
        series: (version, *wheels[version])
        for series, version in newest.items()
        if not version.is_prerelease or version > newest_final
    }


def series_of(version: Version, url: str, uploaded: str) -> Series:
    headers = HeaderParser().parsestr(_metadata(url))
    classifiers = [" ".join(str(item).split()) for item in headers.get_all("Classifier") or []]
    pythons = sorted({m[1] for c in classifiers if (m := _PYTHON.match(c))}, key=series_key)
    requires = headers.get("Requires-Python")
    return Series(
        series=f"{version.major}.{version.minor}",
        newest=str(version),
        uploaded=uploaded,
        prerelease=version.is_prerelease,
        classifiers=tuple(pythons),
        requires_python=" ".join(str(requires).split()) if requires else None,
    )


def read_index(today: date) -> Snapshot:
    """The snapshot as the index has it now (one page, then one metadata file per series)."""
    try:
        page = json.loads(_get(PAGE, "application/vnd.pypi.simple.v1+json"))
        files = list(page["files"])
    except (ValueError, KeyError, TypeError) as error:
        raise SnapshotError(f"{PAGE}: not the index's JSON page of Django ({error!r})") from None
    found = newest_releases(files)
    ordered = sorted(found, key=series_key)
    return Snapshot(taken=today.isoformat(), series=tuple(series_of(*found[series]) for series in ordered))


def told(snapshot: Snapshot) -> str:
    """The snapshot in lines: each series, its newest release and Pythons, and whether the matrix runs it."""
    runs = {item.series for item in snapshot.matrix()}
    lines = [f"Django's series on the index, {snapshot.taken} ({SNAPSHOT.name}):"]
    for item in snapshot.series:
        role = "pre-release" if item.prerelease else ("cells" if item.series in runs else "not run")
        lines.append(f"  {item.series:<5} {item.newest:<10} {role:<11} Python {', '.join(item.pythons) or 'none'}")
    return "\n".join(lines)
