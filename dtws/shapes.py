"""The one typed loader of dtws's data: JSON read from a record, a results.json or a published site, checked.

Data read back (``result.json``, ``results.json``, a published site's files)
is input like any other: a hand-edited file, an older dtws's, or one served
by a site that is not ours. ``build`` turns a JSON value into a dataclass by
its annotations, or refuses it with one line that names the field and what
was wrong (``ShapeError``). What it checks, from the annotations alone:

- ``str``, ``int`` (never a bool; within 64 bits), ``float`` (an int too;
  finite: never NaN or Infinity), ``bool``, ``None``
  in a union, ``list[X]``, ``dict[str, X]``, ``Literal[...]`` (the value is
  one of them), nested dataclasses;
- ``Annotated[str, check]``: ``check`` says what is wrong with the text, or
  None; ``Name`` (a safe path part: names from data become folders),
  ``Timestamp`` (an ISO 8601 time with a date), ``Day`` (YYYY-MM-DD);
  ``Annotated[int, check]`` and ``Annotated[float, check]`` alike: ``Count``
  (a whole number from 0 to COUNT_MAX: a count or a size of evidence),
  ``Amount`` (a number from 0 up: a measured figure).

Every string read has its lone surrogates (``"\\ud83d"`` in JSON, which no
UTF-8 file can hold) replaced, so nothing read can crash a later write.
A field missing from the data takes its default when it has one (or, for a
schema that must be whole, only the fields it added later); fields the data
has and the class does not are ignored (a newer dtws's additions).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import types
import typing
from collections.abc import Callable, Collection, Hashable
from datetime import datetime, timezone
from typing import Annotated, Any, TypeVar

T = TypeVar("T")
Check = Callable[[Any], str | None]
INT_MAX = 2**63  # a whole number of the data is a 64-bit one: beyond, it is no count, size or code of dtws's
COUNT_MAX = 10**15  # a petabyte, or a quadrillion things: beyond, no evidence a cell gathers

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:?\d\d)?$")
_DAY = re.compile(r"^\d{4}-\d\d-\d\d$")
_SURROGATE = re.compile("[\ud800-\udfff]")


class ShapeError(ValueError):
    """A value that is not of the shape its field declares; the message names the field."""


def _name(text: str) -> str | None:
    ok = _NAME.match(text) and len(text) <= 200
    return None if ok else "not a name (letters, digits, '.', '_' and '-', not starting with '.' or '-')"


def _parses(text: str, shape: re.Pattern[str], what: str) -> str | None:
    if not shape.match(text):
        return f"not {what}"
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00") if len(text) > 10 else text)
    except ValueError:
        return f"not {what}"
    return None


def moment(text: str) -> datetime:
    """A Timestamp's time, in UTC when it names no offset."""
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _timestamp(text: str) -> str | None:
    return _parses(text, _TIMESTAMP, "an ISO 8601 time (YYYY-MM-DDTHH:MM:SS)")


def _day(text: str) -> str | None:
    return _parses(text, _DAY, "a date (YYYY-MM-DD)")


def _count(value: int) -> str | None:
    return None if 0 <= value <= COUNT_MAX else f"not a count (0 to {COUNT_MAX:.0e})"


def _amount(value: float) -> str | None:
    return None if value >= 0 else "not a figure (a number from 0 up)"


Name = Annotated[str, _name]  # used as a folder's name: cells/<library>/<cell>/
Timestamp = Annotated[str, _timestamp]
Day = Annotated[str, _day]
Count = Annotated[int, _count]
Amount = Annotated[float, _amount]


def version(data: Any, reads: Collection[int]) -> int | None:
    """``data``'s ``schema_version`` when it is one of ``reads`` and a whole number (never ``true``, never ``3.0``)."""
    found = data.get("schema_version") if isinstance(data, dict) else None
    return found if type(found) is int and found in reads else None


def text(value: str) -> str:
    """``value`` with its lone surrogates replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def shown(value: Any) -> str:
    """``value`` as an error line quotes it: its repr, cut to 60 characters."""
    said = repr(value)
    return said if len(said) <= 60 else said[:57] + "..."


def _wrong(where: str, wanted: str, value: Any) -> ShapeError:
    return ShapeError(f"{where}: expected {wanted}, found {shown(value)}")


def _check(kind: Any, value: Any, where: str, optional: Collection[str] | None) -> Any:
    origin = typing.get_origin(kind)
    if origin is Annotated:
        base, *checks = typing.get_args(kind)
        value = _check(base, value, where, optional)
        for check in checks:
            problem = check(value)
            if problem:
                raise ShapeError(f"{where}: {shown(value)} is {problem}")
        return value
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if value is None:
            if type(None) in options:
                return None
            raise _wrong(where, "a value", None)
        inner = [option for option in options if option is not type(None)]
        if all(typing.get_origin(option) is typing.Literal for option in inner):  # one of several Literal sets
            return _check(
                typing.Literal[tuple(arg for option in inner for arg in typing.get_args(option))],
                value,
                where,
                optional,
            )
        if len(inner) != 1:  # dtws's data has no other union but "X | None"
            raise TypeError(f"{where}: the loader reads X | None and unions of Literals, not {kind}")
        return _check(inner[0], value, where, optional)
    if origin is typing.Literal:
        if value not in typing.get_args(kind) or isinstance(value, bool):
            allowed = ", ".join(map(str, typing.get_args(kind)))
            raise ShapeError(f"{where}: {shown(value)} is not one of {allowed}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise _wrong(where, "a list", value)
        (item,) = typing.get_args(kind)
        return [_check(item, each, f"{where}[{index}]", optional) for index, each in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise _wrong(where, "an object", value)
        _, item = typing.get_args(kind)
        return {text(key): _check(item, each, f"{where}[{key!r}]", optional) for key, each in value.items()}
    if dataclasses.is_dataclass(kind):
        return build(typing.cast(type, kind), value, where, optional)
    if kind is str:
        if not isinstance(value, str):
            raise _wrong(where, "text", value)
        return text(value)
    if kind is bool:
        if not isinstance(value, bool):
            raise _wrong(where, "true or false", value)
        return value
    if kind is int:
        if not isinstance(value, int) or isinstance(value, bool) or not -INT_MAX <= value < INT_MAX:
            raise _wrong(where, "a whole number (64 bits)", value)
        return value
    if kind is float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise _wrong(where, "a number", value)
        if isinstance(value, int) and not -INT_MAX <= value <= INT_MAX:
            raise _wrong(where, "a number (64 bits)", value)
        if not math.isfinite(value):
            raise _wrong(where, "a finite number", value)
        return float(value)
    raise TypeError(f"{where}: the loader has no rule for {kind}")


@functools.cache
def _hints(cls: Hashable) -> dict[str, Any]:
    """A dataclass's field types, resolved once: resolving them is most of the time a read would take."""
    return typing.get_type_hints(cls, include_extras=True)


def build(cls: type[T], data: Any, where: str, optional: Collection[str] | None = None) -> T:
    """``data`` (parsed JSON) as a ``cls``, every field checked; ShapeError naming ``where`` (may be "") and the field.

    A field the data lacks takes its default; with ``optional``, only the
    fields named there may be missing (a schema that added them later).
    """
    if not isinstance(data, dict):
        raise _wrong(where, "an object", data)
    hints = _hints(typing.cast(Hashable, cls))
    kwargs: dict[str, Any] = {}
    for spec in dataclasses.fields(typing.cast(Any, cls)):
        if not spec.init:
            continue
        if spec.name not in data:
            defaulted = spec.default is not dataclasses.MISSING or spec.default_factory is not dataclasses.MISSING
            if not defaulted or (optional is not None and spec.name not in optional):
                raise ShapeError(f"{where or 'the file'}: missing field {spec.name!r}")
            continue
        kwargs[spec.name] = _check(
            hints[spec.name], data[spec.name], f"{where}.{spec.name}" if where else spec.name, optional
        )
    return cls(**kwargs)
