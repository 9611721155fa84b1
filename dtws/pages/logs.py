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


# What str.splitlines breaks a line at that reasons.clean leaves in a text, besides "\n".
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")


@dataclass(frozen=True)
class ShownLog:
    text: str  # the log as shown: cleaned, the marker line in place of a cut middle
    size: int  # bytes of the full log
    omitted: int  # bytes left out of the middle
    error: reasons.ErrorLine | None

    @property
    def lines(self) -> list[Line]:
        """Its lines, the first error's marked."""
        at = self.error.index if self.error is not None else None
        return [Line(line, index == at) for index, line in enumerate(self.text.splitlines())]

    def parts(self) -> tuple[str, str | None, str]:
        """Its lines before the first error's, that line (None when it has none), and those after it: each line
        ending in a newline. Whole when it has no error (a big log's lines are not taken one by one)."""
        if self.error is None and not any(mark in self.text for mark in _OTHER_BREAKS):
            return (self.text if not self.text or self.text.endswith("\n") else self.text + "\n"), None, ""
        lines = self.text.splitlines()
        at = self.error.index if self.error is not None else len(lines)
        before, after = "".join(line + "\n" for line in lines[:at]), "".join(line + "\n" for line in lines[at + 1 :])
        return before, (lines[at] if at < len(lines) else None), after


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
    return ShownLog(text, ends.size, ends.omitted, reasons.first_error(text))


def copy(ends: Ends, target: Path, where: str = SOMEWHERE) -> None:
    """Write the log the site offers for download (into a page's folder being built, ``files.write_new``): whole if
    small, else head, the marker line, tail."""
    cut = b"\n" + marker(ends.omitted, where).encode("utf-8") + b"\n" + ends.tail if ends.omitted else b""
    files.write_new(target, ends.head + cut)
