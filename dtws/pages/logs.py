"""A step's log as a page shows it and as the site offers it: ANSI codes removed, bad UTF-8 replaced, big ones cut.

A log of at most LIMIT bytes is shown and copied whole; a larger one by its
head and tail (KEEP bytes each), read by seeking, never whole into memory: a
60 MB log once made a 66 MB site, and GitHub Pages sites are limited to 1 GB.
Between the two a line says how many bytes were left out and where the
full log is. A copy cut here is recognised when it is read again (a cell
carried over from the published site), so its page still says it was cut.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dtws import files, reasons

LIMIT = 300_000  # bytes shown and copied in full; a larger log is cut to its head and tail
KEEP = 100_000  # bytes of the head and of the tail of a larger log
SOMEWHERE = "its record folder"  # where the full log is, when the caller does not say

# The line between the head and the tail of a cut log, as ``marker`` writes it
# (a log that merely quotes one elsewhere is not taken for a cut copy).
_MARKER = re.compile(rb"\n\[\xe2\x80\xa6 ([0-9]{1,15}) bytes not shown here: [^\n]{0,1000}\xe2\x80\xa6\]\n")


@dataclass(frozen=True)
class Line:
    text: str
    error: bool


@dataclass(frozen=True)
class ShownLog:
    lines: list[Line]
    size: int  # bytes of the full log
    omitted: int  # bytes left out of the middle
    error: reasons.ErrorLine | None


@dataclass(frozen=True)
class Ends:
    """A log as read: whole when small, else its head and tail."""

    head: bytes  # the whole log when nothing was omitted
    tail: bytes
    omitted: int  # bytes of the full log between head and tail

    @property
    def size(self) -> int:
        """Bytes of the full log (of the original one, for a copy cut before)."""
        return len(self.head) + self.omitted + len(self.tail)


def marker(omitted: int, where: str) -> str:
    """The line that stands for the middle of a cut log, in the page and in the copy."""
    return f"[… {omitted} bytes not shown here: the full log is in {where} …]"


def read(data: BinaryIO) -> Ends:
    """Read ``data`` (a seekable file) whole if it is at most LIMIT bytes, else its head and tail only."""
    size = data.seek(0, io.SEEK_END)
    data.seek(0)
    if size <= LIMIT:
        return _uncut(data.read(LIMIT))
    head = data.read(KEEP)
    data.seek(size - KEEP)
    tail = data.read(KEEP)
    return Ends(head, tail, size - len(head) - len(tail))


def _uncut(whole: bytes) -> Ends:
    """A small log, or a copy this module cut before: then its head, the bytes it says it left out, its tail."""
    found = _MARKER.match(whole, KEEP)
    if found is None:
        return Ends(whole, b"", 0)
    return Ends(whole[:KEEP], whole[found.end() :], int(found.group(1)))


def show(ends: Ends, where: str = SOMEWHERE) -> ShownLog:
    """The log as the page shows it: cleaned lines, the first error marked."""
    if ends.omitted:
        text = f"{reasons.clean(ends.head)}\n{marker(ends.omitted, where)}\n{reasons.clean(ends.tail)}"
    else:
        text = reasons.clean(ends.head)
    error = reasons.first_error(text)
    lines = [Line(line, error is not None and index == error.index) for index, line in enumerate(text.splitlines())]
    return ShownLog(lines, ends.size, ends.omitted, error)


def copy(ends: Ends, target: Path, where: str = SOMEWHERE) -> None:
    """Write the log the site offers for download: whole if small, else head, the marker line, tail."""
    cut = b"\n" + marker(ends.omitted, where).encode("utf-8") + b"\n" + ends.tail if ends.omitted else b""
    files.write_bytes(target, ends.head + cut)
