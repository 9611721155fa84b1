"""What the package index lists for a project: its files, each with its version, upload time and Requires-Python.

Read from the index's JSON simple API (PEP 691, with PEP 700's upload
times), once per project and dtws process. Two facts come from it
(dtws.installed): whether a distribution installed in a cell was built there
from source (the index has no wheel of that release for the env), and how a
library is maintained (its newest release and its date, its releases of the
last two years, their Requires-Python). And a release's own requirements
(``requires``, once per release and process, for dtws.changed): its core
metadata file (PEP 658/714) where the index serves one, else the index's JSON
API (PyPI's ``/pypi/<name>/<version>/json``), else the METADATA of its
smallest wheel.
"""

from __future__ import annotations

import io
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.parser import HeaderParser

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from dtws.files import parse_json
from dtws.record import Release
from dtws.shapes import moment
from dtws.versions import normalized

INDEX = "https://pypi.org/simple/"
INDEX_ENV = "DTWS_INDEX_URL"  # another index with the JSON simple API: a mirror
TIMEOUT_S = 20
RECENT = timedelta(days=730)  # "releases in the last two years"
WHEEL_LIMIT = 30_000_000  # bytes: a bigger wheel is not downloaded for its METADATA


@dataclass(frozen=True)
class File:
    version: str
    wheel_tags: frozenset[str]  # its compatibility tags (py3-none-any), empty for an sdist
    uploaded: str | None  # ISO time
    requires_python: str | None
    yanked: bool = False  # PEP 592: an installer takes it only when pinned to it
    url: str = ""  # where it is, absolute
    core_metadata: bool = False  # PEP 658/714: the index serves its metadata at <url>.metadata
    size: int | None = None  # bytes (PEP 700)


@dataclass(frozen=True)
class Requires:
    """A release's own requirements, as its core metadata says."""

    requires_dist: tuple[str, ...]
    requires_python: str | None


class Unreadable(OSError):
    """The index could not be read for a project; the message says why."""


_CACHE: dict[str, list[File]] = {}  # by the index's URL and the project's name
_LOCK = threading.Lock()
_DOWN: list[str] = []  # why the index could not be reached, once it could not: it is not asked again
_REQUIRES: dict[str, Requires] = {}  # by the index's URL, the project's name and the version


def _index() -> str:
    return os.environ.get(INDEX_ENV) or INDEX


def _file(item: dict[str, object], page: str) -> File | None:
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
    uploaded, requires, size = item.get("upload-time"), item.get("requires-python"), item.get("size")
    said = (str(uploaded) if uploaded else None, str(requires) if requires else None)
    return File(
        str(version),
        found,
        *said,
        yanked=bool(item.get("yanked")),
        url=urllib.parse.urljoin(page, str(item.get("url", ""))),
        core_metadata=bool(item.get("core-metadata", item.get("dist-info-metadata"))),  # PEP 714, PEP 691/658
        size=size if isinstance(size, int) else None,
    )


def files(project: str) -> list[File]:
    """Every file the index lists for ``project``; Unreadable when it cannot be read.

    Once the index cannot be reached, it is not asked again by this process:
    a cell without a network waits once, not once per distribution.
    """
    key = normalized(project)
    index = _index()
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
    items = data.get("files", [])
    found = [file for item in items if isinstance(item, dict) and (file := _file(item, request.full_url)) is not None]
    with _LOCK:
        _CACHE[index + key] = found
    return found


def requires(project: str, version: str, listed: list[File]) -> Requires:
    """The requirements of ``project``'s release ``version``, whose files are among ``listed``: from its core metadata
    file, else the JSON API, else its smallest wheel; Unreadable, saying why for each, when none can be read."""
    key = f"{_index()}{normalized(project)}=={version}"
    with _LOCK:
        cached = _REQUIRES.get(key)
        if cached is not None:
            return cached
        if _DOWN:
            raise Unreadable(f"the requirements of {project} {version} were not asked: {_DOWN[0]}")
    release = [file for file in listed if _same(file.version, version)]
    release.sort(key=lambda file: (not file.wheel_tags, file.size or 0))  # wheels first, the smallest first
    why = []
    for read in (_core_metadata, _json_api, _wheel):
        found = read(project, version, release)
        if isinstance(found, Requires):
            with _LOCK:
                _REQUIRES[key] = found
            return found
        why.append(found)
    raise Unreadable(f"the requirements of {project} {version} could not be read: " + "; ".join(why))


def _same(one: str, other: str) -> bool:
    try:
        return Version(one) == Version(other)
    except InvalidVersion:
        return one == other


def _get(url: str) -> bytes | str:
    """What ``url`` answers (at most WHEEL_LIMIT bytes), or why it could not be read."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url), timeout=TIMEOUT_S) as answer:
            body = answer.read(WHEEL_LIMIT + 1)
    except (OSError, ValueError) as error:
        return f"{url}: {error}"
    return bytes(body) if len(body) <= WHEEL_LIMIT else f"{url}: more than {WHEEL_LIMIT:,} bytes"


def _parsed(metadata: bytes) -> Requires:
    headers = HeaderParser().parsestr(metadata.decode("utf-8", "replace"))
    said = " ".join(str(headers.get("Requires-Python") or "").split())
    requires = tuple(" ".join(str(line).split()) for line in headers.get_all("Requires-Dist") or [])
    return Requires(requires, said or None)


def _core_metadata(_project: str, _version: str, release: list[File]) -> Requires | str:
    """PEP 658/714: the file the index serves beside a file of the release that declares it."""
    file = next((file for file in release if file.core_metadata), None)
    if file is None:
        return "no core metadata file on the index"
    body = _get(file.url + ".metadata")
    return _parsed(body) if isinstance(body, bytes) else body


def _json_api(project: str, version: str, _release: list[File]) -> Requires | str:
    """The JSON API of an index whose simple API is at ``.../simple/`` (PyPI's): ``.../pypi/<name>/<version>/json``."""
    index = urllib.parse.urlsplit(_index())
    path = index.path.rstrip("/")
    if not path.endswith("/simple"):
        return "no JSON API beside the index"
    url = index._replace(path=f"{path.removesuffix('simple')}pypi/{normalized(project)}/{version}/json").geturl()
    body = _get(url)
    if isinstance(body, str):
        return body
    try:
        info = parse_json(body, url)["info"]
        listed, said = info.get("requires_dist") or [], info.get("requires_python")
    except (ValueError, KeyError, AttributeError, TypeError) as error:
        return f"{url}: not the JSON API's answer ({error!r})"
    if not isinstance(listed, list):
        return f"{url}: its requires_dist is not a list"
    return Requires(tuple(str(line) for line in listed), str(said) if said else None)


def _wheel(_project: str, _version: str, release: list[File]) -> Requires | str:
    """The METADATA in the release's smallest wheel."""
    file = next((file for file in release if file.wheel_tags), None)
    if file is None:
        return "no wheel"
    body = wheel_metadata(file.url, beside=False)
    return _parsed(body) if isinstance(body, bytes) else body


def wheel_metadata(url: str, beside: bool = True) -> bytes | str:
    """The METADATA of the wheel at ``url``: with ``beside``, the index's PEP 658 file beside it when it serves one,
    else read from the wheel itself; why it could not be read."""
    if beside and isinstance(beside_it := _get(url + ".metadata"), bytes):
        return beside_it
    body = _get(url)
    if isinstance(body, str):
        return body
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as wheel:
            found = [name for name in wheel.namelist() if name.count("/") == 1 and name.endswith(".dist-info/METADATA")]
            return wheel.read(found[0])
    except (zipfile.BadZipFile, IndexError, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error):
        return f"{url}: a wheel without its METADATA, or one that cannot be read"


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
