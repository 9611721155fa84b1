"""The files that keep the history of a weekly job (bench.json, conformance.json): its runs, oldest first.

Each is a dataclass of ``runs`` and ``schema_version``; what they share is how
a new run joins the history and how the file is checked when it is read.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from dtws import shapes


class _Run(Protocol):
    @property
    def run_id(self) -> str | None: ...


R = TypeVar("R", bound=_Run)
T = TypeVar("T")


def joined(runs: list[R], run: R, limit: int) -> list[R]:
    """``runs``, then ``run``: in place of a run of the same ``run_id`` (a job run again), never twice; the newest
    ``limit``."""
    kept = [old for old in runs if run.run_id is None or old.run_id != run.run_id]
    return [*kept, run][-limit:]


def build(kind: type[T], data: object, version: int, filename: str, problem: type[ValueError]) -> T:
    """``data`` (parsed JSON) as a ``kind`` of schema ``version``, every field checked; ``problem`` (one line)
    when it is not one."""
    if shapes.version(data, (version,)) is None:
        raise problem(f"not a {filename} of schema version {version}")
    try:
        return shapes.build(kind, data, "")
    except shapes.ShapeError as error:
        raise problem(str(error)) from None
