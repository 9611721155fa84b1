"""What the GitHub Actions workflow needs from the matrix and the records, as data and text.

The workflow's steps stay thin: each calls a ``dtws`` command built on this.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from dtws import matrix
from dtws.record import CellRecord

# setup-python no longer provides these on current runners: their cells run
# inside ``docker run`` of the official python image on the host runner.
IN_DOCKER = ("2.7", "3.3", "3.4", "3.5", "3.6")
# The last GitHub-hosted Ubuntu runner that setup-python has Python 3.7 for.
OLD_RUNNER = {"3.7": "ubuntu-22.04"}
RUNNER = "ubuntu-latest"


def job(cell: matrix.Cell) -> dict[str, str | bool]:
    return {
        "cell": cell.env,
        "library": cell.library,
        "python": cell.python,
        "django": cell.django,
        "name": f"py{cell.python.replace('.', '')} · Django {cell.django}"
        + ("" if cell.library == matrix.LIBRARY else f" · {cell.library}"),
        "docker": cell.python in IN_DOCKER,
        "image": f"python:{cell.python}" if cell.python in IN_DOCKER else "",
        "runner": OLD_RUNNER.get(cell.python, RUNNER),
    }


def github_matrix(only: Sequence[str] = ()) -> dict[str, list[dict[str, str | bool]]]:
    """The ``strategy.matrix`` of the cell jobs: every cell, or the ``only`` ones."""
    cells = [matrix.get(name) for name in only] if only else list(matrix.CELLS)
    return {"include": [job(cell) for cell in cells]}


def output_line(only: Sequence[str] = ()) -> str:
    """``matrix=<json>`` for $GITHUB_OUTPUT."""
    return "matrix=" + json.dumps(github_matrix(only), separators=(",", ":"), ensure_ascii=False)


SYMBOL = {"pass": "✓", "fail": "✗", "timeout": "⏱", "unavailable": "—", "incomplete": "?"}


def _escape(text: str) -> str:
    """Workflow-command data: %, CR and LF must be encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def summary_line(rec: CellRecord) -> str:
    verdicts = ", ".join(f"{step.name} {step.verdict}" for step in rec.steps)
    reason = f": {rec.reason}" if rec.reason else ""
    return f"- {SYMBOL.get(rec.status, '?')} **{rec.library} {rec.cell}** {rec.status}{reason} ({verdicts})\n"


def annotation(rec: CellRecord) -> str:
    level = {"pass": "notice", "unavailable": "warning"}.get(rec.status, "error")
    title = _escape(f"{rec.library} {rec.cell}: {rec.status}").replace(",", "%2C").replace("::", "%3A%3A")
    return f"::{level} title={title}::{_escape(rec.reason or 'every step passed')}"
