"""dtws.shapes reads data two ways: a checker made once per type (fast), and field by field to say what is wrong.

Both must accept exactly the same data, and build the same value from it: a
value the fast one let through that the other refuses would be read unchecked.
"""

from __future__ import annotations

import copy
import typing
from collections.abc import Iterator
from typing import Any

from dtws import matrix, record, shapes

ODD: list[Any] = [None, "", "x/../y", "\ud83d", -1, 2**70, 1.5, float("nan"), True, [], {}, [1], {"a": 1}]


def a_record() -> dict[str, Any]:
    """A record with a value in every kind of field: steps, attempts, services, provenance, tried."""
    cell = matrix.get("py312-django52-channels")
    rec = record.CellRecord(cell.library, cell.env, cell.python, cell.django, status="fail", reason="check: no")
    rec.steps = [
        record.Step("install", ["Django"], verdict="pass", log="logs/install.log", duration_s=1.5),
        record.Step("check", [], verdict="fail", log="logs/check.log", duration_s=0.25),
    ]
    rec.provenance.started_at = rec.provenance.finished_at = "2026-12-06T07:00:00+00:00"
    rec.provenance.packages = {"django": "5.2.1"}
    rec.provenance.tried = [record.Tried("django", "5.2.1", "<5.3,>=5.2")]
    return record.to_dict(rec)


def mutations(data: Any) -> Iterator[Any]:
    """``data`` with one value anywhere in it replaced by an odd one, or one key of an object taken out."""
    if isinstance(data, dict):
        for key in data:
            yield {k: v for k, v in data.items() if k != key}
            for odd in ODD:
                yield {**data, key: odd}
            for inner in mutations(data[key]):
                yield {**data, key: inner}
    elif isinstance(data, list):
        for index, item in enumerate(data):
            for odd in ODD:
                yield [*data[:index], odd, *data[index + 1 :]]
            for inner in mutations(item):
                yield [*data[:index], inner, *data[index + 1 :]]


def read(data: Any) -> tuple[str, Any]:
    optional = tuple(record._ADDED)
    try:
        fast: tuple[str, Any] = ("accepted", shapes._checker(typing.cast(Any, record.CellRecord), optional)(data))
    except shapes._Refused:
        fast = ("refused", None)
    try:
        slow: tuple[str, Any] = ("accepted", shapes._build(record.CellRecord, copy.deepcopy(data), "record", optional))
    except shapes.ShapeError:
        slow = ("refused", None)
    assert fast == slow, f"the checker {fast[0]}, field by field {slow[0]}: {data!r}"
    return fast


def test_both_readers_accept_and_refuse_the_same_records() -> None:
    assert read(a_record())[0] == "accepted"
    seen = [read(mutated)[0] for mutated in mutations(a_record())]
    assert seen.count("refused") > 100 and seen.count("accepted") > 10, "the mutations reach both outcomes"
