"""What the package index lists for a project: its files, each with its version, upload time and Requires-Python.

Read from the index's JSON simple API (PEP 691, with PEP 700's upload
times), once per project and dtws process. Two facts come from it
(dtws.installed): whether a distribution installed in a cell was built there
from source (the index has no wheel of that release for the env), and how a
library is maintained (its newest release and its date, its releases of the
last two years, their Requires-Python).
"""

from __future__ import annotations

import os
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from dtws.files import parse_json
from dtws.record import Release
from dtws.shapes import moment
from dtws.versions import normalized

INDEX = "https://pypi.org/simple/"
INDEX_ENV = "DTWS_INDEX_URL"  # another index with the JSON simple API: a mirror
TIMEOUT_S = 20
RECENT = timedelta(days=730)  # "releases in the last two years"


@dataclass(frozen=True)
class File:
    version: str
    wheel_tags: frozenset[str]  # its compatibility tags (py3-none-any), empty for an sdist
    uploaded: str | None  # ISO time
    requires_python: str | None
    yanked: bool = False  # PEP 592: an installer takes it only when pinned to it


class Unreadable(OSError):
    """The index could not be read for a project; the message says why."""


_CACHE: dict[str, list[File]] = {}  # by the index's URL and the project's name
_LOCK = threading.Lock()
_DOWN: list[str] = []  # why the index could not be reached, once it could not: it is not asked again


def _file(item: dict[str, object]) -> File | None:
    name = str(item.get("filename", ""))
    try:
        if name.endswith(".whl"):
            _, version, _, tags = parse_wheel_filename(name)
            found = frozenset(str(tag) for tag in tags)
        else:
            _, version = parse_sdist_filename(name)
            found = frozenset()
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    uploaded, requires = item.get("upload-time"), item.get("requires-python")
    said = (str(uploaded) if uploaded else None, str(requires) if requires else None)
    return File(str(version), found, *said, yanked=bool(item.get("yanked")))


def files(project: str) -> list[File]:
    """Every file the index lists for ``project``; Unreadable when it cannot be read.

    Once the index cannot be reached, it is not asked again by this process:
    a cell without a network waits once, not once per distribution.
    """
    key = normalized(project)
    index = os.environ.get(INDEX_ENV) or INDEX
    with _LOCK:
        cached = _CACHE.get(index + key)
        if cached is not None:
            return cached
        if _DOWN:
            raise Unreadable(f"the index's page of {key} was not asked: {_DOWN[0]}")
    accept = {"Accept": "application/vnd.pypi.simple.v1+json"}
    request = urllib.request.Request(f"{index.rstrip('/')}/{key}/", headers=accept)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            data = parse_json(answer.read(), request.full_url)
    except (urllib.error.HTTPError, ValueError) as error:  # the index answered, but not with the page
        raise Unreadable(f"the index's page of {key} could not be read: {error}") from None
    except OSError as error:
        if not isinstance(error, TimeoutError) and not isinstance(getattr(error, "reason", None), TimeoutError):
            with _LOCK:  # unreachable (refused, no such host): not asked again; one slow answer is that page's only
                _DOWN.append(f"the index could not be reached ({error})")
        raise Unreadable(f"the index's page of {key} could not be read: {error}") from None
    if not isinstance(data, dict):
        raise Unreadable(f"the index's page of {key} is not a JSON object")
    found = [file for item in data.get("files", []) if isinstance(item, dict) and (file := _file(item)) is not None]
    with _LOCK:
        _CACHE[index + key] = found
    return found


def has_wheel(listed: list[File], version: str, tags: set[str]) -> bool:
    """Whether the index offers a wheel of ``version`` with one of ``tags`` (the installed wheel's)."""
    wanted = Version(version)
    return any(Version(file.version) == wanted and file.wheel_tags & tags for file in listed if file.wheel_tags)


def release(project: str, before: str | None) -> Release:
    """The newest release (not a pre-release) uploaded before ``before`` (ISO time; None: now), and the pace."""
    try:
        listed = files(project)
    except Unreadable as error:
        return Release(problem=str(error))
    limit = moment(before) if before else None
    first: dict[str, tuple[datetime, File]] = {}
    for file in listed:
        if file.uploaded is None or Version(file.version).is_prerelease:
            continue
        when = moment(file.uploaded)
        if limit is not None and when >= limit:
            continue
        if file.version not in first or when < first[file.version][0]:
            first[file.version] = (when, file)
    if not first:
        return Release(total=0)
    newest = max(first, key=Version)
    when, file = first[newest]
    end = limit or datetime.now(timezone.utc)
    return Release(
        newest=newest,
        newest_at=when.isoformat(timespec="seconds"),
        recent=sum(end - RECENT <= item[0] <= end for item in first.values()),
        total=len(first),
        requires_python=file.requires_python,
    )
