"""A step's log as a page shows it: ANSI codes removed, bad UTF-8 replaced, head and tail of a big one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dtws import reasons

LIMIT = 1_000_000  # bytes shown in full; a larger log shows its head and tail
KEEP = 200_000  # bytes of the head and of the tail of a larger log


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


def load(path: Path) -> ShownLog | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    omitted = 0
    if len(data) > LIMIT:
        omitted = len(data) - 2 * KEEP
        head, tail = reasons.clean(data[:KEEP]), reasons.clean(data[-KEEP:])
        text = f"{head}\n[… {omitted} bytes not shown here: download the full log …]\n{tail}"
    else:
        text = reasons.clean(data)
    error = reasons.first_error(text)
    lines = [Line(line, error is not None and index == error.index) for index, line in enumerate(text.splitlines())]
    return ShownLog(lines, len(data), omitted, error)
