"""A step's log as a page shows it: ANSI codes removed, bad UTF-8 replaced, head and tail of a big one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dtws import reasons

LIMIT = 1_000_000  # bytes shown in full; a larger log shows its head and tail
KEEP = 200_000  # bytes of the head and of the tail of a larger log

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Line:
    text: str
    error: bool


@dataclass(frozen=True)
class ShownLog:
    lines: list[Line]
    size: int
    omitted: int  # bytes left out of the middle
    error: reasons.ErrorLine | None


def clean(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _ANSI.sub("", text))


def load(path: Path) -> ShownLog | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    omitted = 0
    if len(data) > LIMIT:
        omitted = len(data) - 2 * KEEP
        head, tail = clean(data[:KEEP]), clean(data[-KEEP:])
        text = f"{head}\n[… {omitted} bytes not shown here: download the full log …]\n{tail}"
    else:
        text = clean(data)
    error = reasons.first_error(text)
    lines = [Line(line, error is not None and index == error.index) for index, line in enumerate(text.splitlines())]
    return ShownLog(lines, len(data), omitted, error)
