"""The plain-text table printed at the end of ``cell`` and ``run``."""

from __future__ import annotations

from collections.abc import Iterable

from dtws.marks import MARKS
from dtws.reasons import terminal_text
from dtws.record import CellRecord
from dtws.steps import NAMES

REASON_WIDTH = 110


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
