"""The published site as an input: its results.json, and the files of a cell page, from a URL or a folder.

A run that re-ran only some cells carries every other cell forward from here,
so that a partial run never makes the published site worse. A local folder is
read through no symlink (``open_inside``, which the merge and the pages use
too): nothing outside the folder is ever read.
"""

from __future__ import annotations

import errno
import http.client
import os
import re
import stat
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeVar

from dtws import addresses, bisect, files, record, results

TIMEOUT_S = 60
MAX_FILE_BYTES = 50 * 1024 * 1024


class NotPublished(LookupError):
    """There is no published results.json there (yet): nothing to keep, nothing to degrade."""


class Unreadable(OSError):
    """A part of the published site is there but could not be read (an HTTP 503, a timeout, no permission).

    Unlike a file that is not there, this says nothing about the site: a
    build that went on without it would publish a site that lost it.
    """


@dataclass(frozen=True)
class Published:
    results: results.Results
    base: str  # the site's root: an http(s) URL ending in "/", or a local folder

    def fetch(self, relative: str, target: Path) -> bool:
        """Copy the site's file ``relative`` (a cell page's own file) to ``target``; False if it is not there.

        Unreadable when it may be there but could not be read: any HTTP answer
        but 404 and 410, a network error, a local file dtws may not read.
        """
        try:
            for part in relative.split("/"):
                files.part(part)
        except ValueError:
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            if is_url(self.base):
                with urllib.request.urlopen(
                    _fresh(urllib.parse.urljoin(self.base, relative)), timeout=TIMEOUT_S
                ) as answer:
                    _copy_capped(answer, target)
            else:
                with open_inside(Path(self.base), relative) as data:
                    _copy_capped(data, target)
        except urllib.error.HTTPError as error:
            target.unlink(missing_ok=True)
            if error.code in (404, 410):
                return False
            raise Unreadable(f"{relative}: HTTP {error.code}") from None
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError) as error:
            target.unlink(missing_ok=True)
            raise Unreadable(f"{relative}: {getattr(error, 'reason', None) or error}") from None
        except OSError as error:
            target.unlink(missing_ok=True)
            if error.errno in (None, errno.ENOENT, errno.ENOTDIR, errno.ELOOP):  # not there, or refused: a link
                return False
            raise Unreadable(f"{relative}: {error.strerror or error}") from None
        except ValueError:  # over MAX_FILE_BYTES: left out, as a file that is not a site's
            target.unlink(missing_ok=True)
            return False
        return True


def open_inside(root: Path, relative: str) -> BinaryIO:
    """The regular file ``root/relative`` ("/"-separated), opened without following a link on the way.

    A record or a site folder may hold symlinks (a log linked to /etc/passwd,
    a folder linked to /): a path through one, a path with "..", or a file that
    is not a regular one (a FIFO would block) is refused with OSError, so
    nothing outside ``root`` is ever read. Each folder is opened from the one
    before it with O_NOFOLLOW, so a folder swapped for a link meanwhile is
    refused too. ``root`` itself is the caller's, and may be a link.
    """
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise OSError(f"{relative}: not a path inside {root}")
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=folder)
            os.close(folder)
            folder = inner
        handle = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    finally:
        os.close(folder)
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise OSError(f"{relative}: not a regular file")
    return os.fdopen(handle, "rb")


def _fresh(url: str) -> urllib.request.Request:
    """A request past Pages' CDN, which may serve a copy from before the last deploy for minutes."""
    return urllib.request.Request(
        f"{url}?dtws={time.time_ns()}", headers={"Cache-Control": "no-cache", "Pragma": "no-cache"}
    )


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def is_url(where: str) -> bool:
    """Whether ``where`` is an http(s) URL, in any case (``HTTP://``); ``where`` is one ``checked_url`` gave."""
    return where.lower().startswith(("http://", "https://"))


def checked(where: str) -> str:
    """``where`` as dtws reads it: a path, or an http(s) URL of a site's root or its results.json, scheme lowered.

    Unreadable for any other URL (``file://``, ``htps://``) and for the URL
    of another file of a site (``junit.xml``): read as a site, either would
    find nothing there, and nothing found must never mean "nothing published".
    """
    scheme = _SCHEME.match(where)
    if scheme is None or len(scheme[1]) == 1:  # C:\... is a path
        return where
    if scheme[1].lower() not in ("http", "https") or not where[scheme.end() :].startswith("//"):
        raise Unreadable(f"{where}: not a path nor an http(s) URL")
    url = scheme[1].lower() + ":" + where[scheme.end() :]
    last = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]
    if "." in last and last != results.FILENAME:
        raise Unreadable(f"{where}: the URL of {last}, not of a site nor of its {results.FILENAME}")
    return url


T = TypeVar("T")


def previous_file(where: str, relative: str, read: Callable[[Path], T]) -> T | None:
    """A data file a new run carries on (bench.json, conformance.json): ``where`` is the file itself, or a site
    (a URL or a built site's folder) that has it at ``relative``; None when the site has none.

    Raises what ``read`` raises for a file that is not one; Unreadable for a local path that is neither a file
    nor a site's folder (a typo must not start the history again), or when the site's file is there but could
    not be read: a run that went on without it would publish a history that lost it. Only a site's URL may have
    nothing published yet (None).
    """
    path = Path(where)
    local = not is_url(checked(where))
    if local and path.is_file():
        return read(path)
    if local and not path.is_dir():
        raise Unreadable(f"{where}: no such file or folder")
    try:
        site = load(where)
    except NotPublished:
        if local:
            raise Unreadable(f"{where}: neither a {Path(relative).name} nor a built site (no results.json)") from None
        return None
    with tempfile.TemporaryDirectory(prefix="dtws-previous-") as kept:
        target = Path(kept) / Path(relative).name
        return read(target) if site.fetch(relative, target) else None


def _copy_capped(source: BinaryIO, target: Path) -> None:
    def fill(out: BinaryIO) -> None:
        copied = 0
        while chunk := source.read(1 << 16):
            copied += len(chunk)
            if copied > MAX_FILE_BYTES:
                raise ValueError(f"over {MAX_FILE_BYTES} bytes")
            out.write(chunk)

    files.write_with(target, fill)


def load(where: str) -> Published:
    """The results.json at ``where`` (a URL, a file, or a built site's folder) and its site's root.

    NotPublished when there is none; results.ResultsError or OSError when it cannot be read.
    """
    where = checked(where)
    if is_url(where):
        base = where.rsplit("/", 1)[0] + "/" if where.endswith(".json") else where.rstrip("/") + "/"
        url = urllib.parse.urljoin(base, results.FILENAME)
        try:
            with urllib.request.urlopen(_fresh(url), timeout=TIMEOUT_S) as answer:
                data = files.parse_json(answer.read(MAX_FILE_BYTES), url)
        except files.JSONError as error:
            raise results.ResultsError(str(error)) from None
        except urllib.error.HTTPError as error:
            if error.code == 404:
                raise NotPublished(f"{url}: not found (nothing published yet)") from None
            raise Unreadable(f"{url}: HTTP {error.code}") from None
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ValueError) as error:
            raise Unreadable(f"{url}: {error}") from None
        try:
            return Published(results.from_dict(data), base)
        except results.ResultsError as error:
            raise results.ResultsError(f"{url}: {error}") from None
    path = Path(where)
    if path.is_dir():
        path = path / results.FILENAME
    if not path.exists() and not path.is_symlink():
        raise NotPublished(f"{path}: missing (nothing published yet)")
    try:
        with open_inside(path.parent, path.name) as answer:
            data = files.parse_json(answer.read(MAX_FILE_BYTES), str(path))
    except files.JSONError as error:
        raise results.ResultsError(str(error)) from None
    try:
        return Published(results.from_dict(data), str(path.parent))
    except results.ResultsError as error:
        raise results.ResultsError(f"{path}: {error}") from None


@dataclass
class Copied:
    """What of a record's files its published page did not give: not there, or there but unreadable."""

    missing: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # each with why (an HTTP 503, a timeout)


def copy_cell(published: Published, entry: results.Entry, target: Path) -> Copied:
    """The kept cell's record and the logs and screenshots its published page had; what could not be had."""
    assert entry.record is not None
    record.write(entry.record, target)
    return _copy_logs(published, entry.record, addresses.cell(entry.library, entry.cell), target)


def _copy_logs(published: Published, rec: record.CellRecord, page: str, target: Path) -> Copied:
    """The logs and screenshots of ``rec`` that its published page (``page``, "/"-ended) had, into ``target``."""
    copied = Copied()
    for log in record.logs(rec):  # each step's log, its earlier attempts' (a flaky cell's), each service's
        name = log.rsplit("/", 1)[-1]
        wanted = [name] + ([name[: -len(".log")] + ".png"] if name.endswith(".log") else [])
        for file in wanted:  # a screenshot is there only for a browser step's log
            try:
                fetched = published.fetch(f"{page}{addresses.LOGS}/{file}", target / addresses.LOGS / file)
                if not fetched and file == name:
                    copied.missing.append(name)
            except Unreadable as error:
                copied.unreadable.append(str(error))
    return copied


def copy_bisects(
    published: Published, target: Path, leave: Collection[str] = ()
) -> tuple[list[tuple[Path, bisect.Bisect]], list[str]]:
    """The published site's bisects (but ``leave``, names this run has anew) as bisect folders under ``target``.

    The site lists them (``bisect/index.json``); a bisect page carries its
    answer (``bisect.json``) and each probe's record (``result.json``) beside
    its probe's page, with the logs: a site built from a run that did not
    bisect keeps them all. Returns each folder with its answer, and what is
    not there; Unreadable when a part that is there could not be read.
    """
    problems: list[str] = []
    index = target / bisect.SITE_INDEX
    if not published.fetch(f"{bisect.SITE}/{bisect.SITE_INDEX}", index):
        return [], problems
    try:
        names = files.read_json(index)
    except (OSError, ValueError) as error:
        return [], [f"{bisect.SITE}/{bisect.SITE_INDEX} of the published site could not be read: {error}"]
    found = []
    for name in names if isinstance(names, list) else []:
        if not isinstance(name, str) or name in leave:
            continue
        try:
            folder = target / files.part(name)
        except ValueError:
            continue
        page = addresses.bisect(name)
        if not published.fetch(page + bisect.FILENAME, folder / bisect.FILENAME):
            problems.append(f"bisect {name}: its published answer could not be had; its page is dropped")
            continue
        try:
            answer = bisect.read(folder)
        except bisect.BisectError as error:
            problems.append(f"the published bisect {name} is dropped: {error}")
            continue
        if bisect.name(answer.cell, answer.package) != name:  # kept by its name, it would be another's page
            said = bisect.name(answer.cell, answer.package)
            problems.append(f"the published bisect {name} is dropped: its answer is of {said}")
            continue
        found.append((folder, answer))
        for probe in answer.probes:  # bisect.read checked each record is <release>/<library>/<cell>
            probe_page = f"{page}{probe.version}/{addresses.cell(answer.library, answer.cell)}"
            if not published.fetch(probe_page + record.FILENAME, folder / probe.record / record.FILENAME):
                problems.append(f"bisect {name}: the record of its probe {probe.record!r} could not be had")
                continue
            try:
                rec = record.read(folder / probe.record / record.FILENAME)
            except record.RecordError as error:
                problems.append(f"bisect {name}: {error}")
                continue
            copied = _copy_logs(published, rec, probe_page, folder / probe.record)
            if copied.unreadable:
                raise Unreadable(copied.unreadable[0])
            for log in copied.missing:
                problems.append(f"bisect {name}: the log {log} of its probe {probe.record} could not be had")
    return found, problems
