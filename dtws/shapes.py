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

import copy
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
        return _build(typing.cast(type, kind), value, where, optional)
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
    Read by a checker made once for ``cls`` (``_checker``); only data it
    refuses is read again, field by field, to say where and why.
    """
    try:
        return typing.cast(T, _checker(typing.cast(Hashable, cls), None if optional is None else tuple(optional))(data))
    except _Refused:
        return _build(cls, data, where, optional)


def _build(cls: type[T], data: Any, where: str, optional: Collection[str] | None = None) -> T:
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


def plain(value: Any) -> Any:
    """A dataclass (or a list, tuple or dict of them) as JSON data: what ``dataclasses.asdict`` gives, without
    its deep copy of every value (a results.json of thousands of cells holds millions)."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is list:
        return [item if type(item) in _ATOMS else plain(item) for item in value]
    if kind is tuple:
        return tuple(plain(item) for item in value)
    if kind is dict:
        return {key: plain(item) for key, item in value.items()}
    if dataclasses.is_dataclass(kind):
        found = {}
        for name in _names(kind):  # most fields are text or numbers: no call for them
            item = getattr(value, name)
            found[name] = item if type(item) in _ATOMS else plain(item)
        return found
    return copy.deepcopy(value)  # as asdict gives any other value


_ATOMS = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(spec.name for spec in dataclasses.fields(cls))


class _Refused(Exception):
    """Data a checker refuses (``_checker``): ``_check`` reads it again to say where and why."""


Checker = Callable[[Any], Any]


@functools.cache
def _checker(kind: Hashable, optional: tuple[str, ...] | None) -> Checker:
    """``_check`` of ``kind`` made once into a function of the value alone: what it accepts and gives are the same,
    without a ``where`` made for each value; it raises ``_Refused`` for whatever ``_check`` would refuse."""
    origin = typing.get_origin(kind)
    if origin is Annotated:
        base, *checks = typing.get_args(kind)
        return _annotated(_checker(base, optional), checks)
    if origin in (typing.Union, types.UnionType):
        return _union(kind, optional)
    if origin is typing.Literal:
        return _literal(typing.get_args(kind))
    if origin is list:
        return _list(_checker(typing.get_args(kind)[0], optional))
    if origin is dict:
        return _dict(_checker(typing.get_args(kind)[1], optional))
    if dataclasses.is_dataclass(kind):
        return _dataclass(typing.cast(type, kind), optional)
    return _SCALARS.get(typing.cast(Any, kind), _refuse)


def _refuse(value: Any) -> Any:
    raise _Refused


def _annotated(base: Checker, checks: list[Check]) -> Checker:
    def check(value: Any) -> Any:
        value = base(value)
        for each in checks:
            if each(value):
                raise _Refused
        return value

    return check


def _union(kind: Any, optional: tuple[str, ...] | None) -> Checker:
    options = typing.get_args(kind)
    inner = [option for option in options if option is not type(None)]
    if all(typing.get_origin(option) is typing.Literal for option in inner):
        some = _literal(tuple(arg for option in inner for arg in typing.get_args(option)))
    elif len(inner) == 1:
        some = _checker(inner[0], optional)
    else:
        some = _refuse  # _check says why (a TypeError)
    if type(None) not in options:
        return lambda value: _refuse(value) if value is None else some(value)
    return lambda value: None if value is None else some(value)


def _literal(allowed: tuple[Any, ...]) -> Checker:
    def check(value: Any) -> Any:
        if value not in allowed or isinstance(value, bool):
            raise _Refused
        return value

    return check


def _list(item: Checker) -> Checker:
    def check(value: Any) -> Any:
        if not isinstance(value, list):
            raise _Refused
        return [item(each) for each in value]

    return check


def _dict(item: Checker) -> Checker:
    def check(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Refused
        return {_str(key): item(each) for key, each in value.items()}

    return check


def _dataclass(cls: type, optional: tuple[str, ...] | None) -> Checker:
    fields: list[tuple[str, Checker, bool]] | None = None  # made at the first value: a dataclass may hold its own

    def check(data: Any) -> Any:
        nonlocal fields
        if not isinstance(data, dict):
            raise _Refused
        if fields is None:
            fields = _fields(cls, optional)
        kwargs = {}
        for name, field_check, required in fields:
            if name in data:
                kwargs[name] = field_check(data[name])
            elif required:
                raise _Refused
        return cls(**kwargs)

    return check


def _fields(cls: type, optional: tuple[str, ...] | None) -> list[tuple[str, Checker, bool]]:
    """Each field ``build`` reads of ``cls``: its name, its checker, and whether the data must have it."""
    hints = _hints(typing.cast(Hashable, cls))
    found = []
    for spec in dataclasses.fields(cls):
        if spec.init:
            defaulted = spec.default is not dataclasses.MISSING or spec.default_factory is not dataclasses.MISSING
            required = not defaulted or (optional is not None and spec.name not in optional)
            found.append((spec.name, _checker(hints[spec.name], optional), required))
    return found


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise _Refused
    return value if value.isascii() else text(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Refused
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not -INT_MAX <= value < INT_MAX:
        raise _Refused
    return value


def _float(value: Any) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise _Refused
    if isinstance(value, int) and not -INT_MAX <= value <= INT_MAX:
        raise _Refused
    if not math.isfinite(value):
        raise _Refused
    return float(value)


_SCALARS: dict[Any, Checker] = {str: _str, bool: _bool, int: _int, float: _float}
