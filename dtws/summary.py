"""The plain-text table printed at the end of ``cell`` and ``run``, and text made safe for a terminal."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dtws import reasons
from dtws.marks import MARKS
from dtws.record import CellRecord
from dtws.steps import NAMES

REASON_WIDTH = 110
# Whatever breaks a line (in a terminal or for str.splitlines), and tabs: one space each run.
_BREAKS = re.compile(r"[\t\n\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029]+")
# Every C0 and C1 control character and DEL, and the bidi overrides that reorder what a terminal shows,
# once reasons.clean has taken the escape sequences out.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """``text`` from a record or a log, safe to print as one line: no escape sequence, no control character.

    A record can come from anywhere (a downloaded artifact, a library's
    output quoted in a reason): printed raw, its escape sequences could clear
    the screen, retitle the terminal or forge lines of the output.
    """
    one_line = _BREAKS.sub(" ", text)
    return _CONTROL.sub("", reasons.clean(one_line.encode("utf-8", "replace")))


def rows(records: Iterable[CellRecord]) -> list[list[str]]:
    table = [["cell", "python", *NAMES, "status", "reason"]]
    for rec in records:
        verdicts = {step.name: MARKS[step.verdict].terminal for step in rec.steps}
        reason = terminal_text(rec.reason or "")
        if len(reason) > REASON_WIDTH:
            reason = reason[: REASON_WIDTH - 1] + "…"
        table.append(
            [
                terminal_text(rec.cell),
                terminal_text(rec.provenance.python_version or "-"),
                *(verdicts.get(n, "?") for n in NAMES),
                terminal_text(rec.status),
                reason,
            ]
        )
    return table


def print_table(records: Iterable[CellRecord]) -> None:
    table = rows(records)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]) - 1)]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
