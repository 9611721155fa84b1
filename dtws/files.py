"""The one writer and the one JSON reader of dtws.

Writes are atomic (a reader sees the old file or the new one, whole, and can
always read it) and never go through a link: a link planted where a file goes
is replaced, never followed, so nothing is written outside the folder given.
The many files of a folder this run has just made (a cell's page and its logs,
a merge's copy of a record: ``write_new``, ``copy_new``) are created anew
instead, without a temporary name each: what is there already, a link
included, is removed first, never followed.
Everything dtws reads as JSON (records, results.json, bench.json, a verdict,
a published site's files) is parsed by ``parse_json``: any problem is one
JSONError naming the file, never a traceback.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

T = TypeVar("T")

# Readable by everyone, whatever uid writes it: the runner user (uid 1001 on
# GitHub) uploads and merges what dtws wrote, whoever ran it (root, sudo, a container).
READABLE = 0o644
# One part of a path: a letter or digit, then letters, digits, "_", "." and "-" (so never "..", never a separator).
_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")


def part(name: str) -> str:
    """``name``, checked to be one part of a path: a name from data never reaches a folder outside the one it is in.

    ValueError, saying so in one line, for anything else (an absolute path, "..", a separator, a number).
    """
    if not isinstance(name, str) or not _PART.fullmatch(name):
        shown = repr(name)
        raise ValueError(f"{shown if len(shown) <= 80 else shown[:79] + '…'}: not one part of a path")
    return name


class JSONError(ValueError):
    """A file (or answer) that is not JSON dtws can read; the message names it, in one line."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number (JSON has no NaN or Infinity)")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is out of a number's range")
    return value


def parse_json(raw: bytes | str, where: str) -> Any:
    """``raw`` parsed as strict JSON: JSONError "<where>: <problem>" for anything else.

    Refused: text that is not UTF-8 or not JSON, NaN and Infinity (and floats
    that overflow to them), integers of more digits than Python converts
    (ValueError), nesting deeper than the parser's recursion (RecursionError).
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if not text.strip():
            raise JSONError(f"{where}: empty")
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except UnicodeDecodeError:
        raise JSONError(f"{where}: not UTF-8") from None
    except RecursionError:
        raise JSONError(f"{where}: nested too deeply to read") from None
    except json.JSONDecodeError as error:
        raise JSONError(f"{where}: not valid JSON (truncated?): {error.msg} at line {error.lineno}") from None
    except JSONError:
        raise
    except ValueError as error:  # a constant or float refused above; an int over sys.get_int_max_str_digits()
        said = str(error).split(":")[0] if "integer string conversion" in str(error) else str(error)
        raise JSONError(f"{where}: not JSON dtws reads: {said}") from None


def read_json(path: Path) -> Any:
    """The JSON file ``path``, parsed by ``parse_json``; JSONError when it is missing or unreadable too."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise JSONError(f"{path}: missing") from None
    except OSError as error:
        raise JSONError(f"{path}: unreadable ({error.strerror or error})") from None
    return parse_json(raw, str(path))


def read_as(path: Path, convert: Callable[[Any], T], problem: type[ValueError]) -> T:
    """``convert`` of the JSON file ``path``; ``problem``, one line naming the file, when either refuses it."""
    try:
        data = read_json(path)
    except JSONError as error:
        raise problem(str(error)) from None
    try:
        return convert(data)
    except problem as error:
        raise problem(f"{path}: {error}") from None


def write_with(target: Path, fill: Callable[[BinaryIO], object]) -> Path:
    """``target`` holds what ``fill`` writes into the file it is given, whole, readable by everyone.

    A link at ``target`` is replaced, never followed: ``fill`` writes a new
    file of a random name in ``target``'s folder (O_EXCL: never an existing
    file, never a link), which then takes ``target``'s name (a rename replaces
    a link there, never writes through it). When ``fill`` fails, ``target`` is
    as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name[:100]}-", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(handle, READABLE)  # mkstemp makes it 0600
        with os.fdopen(handle, "wb") as out:
            fill(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def write_new(target: Path, data: bytes) -> Path:
    """``data`` into the file ``target``, readable by everyone, in a folder this run has just made (a page of the
    built site, the logs beside it; a merge's new folder): nothing reads it before the run is done, so no
    temporary name nor fsync.

    Created with O_EXCL: never written through a link. One there already (a
    log of the same name written before it) is removed first, never followed.
    """
    with os.fdopen(_new(target), "wb") as out:
        out.write(data)
    return target


def copy_new(source: BinaryIO, target: Path) -> Path:
    """What is left to read of the open file ``source``, copied into ``target`` as ``write_new`` writes."""
    with os.fdopen(_new(target), "wb") as out:
        shutil.copyfileobj(source, out)
    return target


def _new(target: Path) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        handle = os.open(target, flags, READABLE)
    except FileExistsError:
        target.unlink()
        handle = os.open(target, flags, READABLE)
    os.fchmod(handle, READABLE)  # whatever the umask
    return handle


def write_bytes(target: Path, data: bytes) -> Path:
    """``write_with`` of ``data``."""
    return write_with(target, lambda out: out.write(data))


def write_text(target: Path, text: str) -> Path:
    """``write_bytes`` of ``text`` in UTF-8."""
    return write_bytes(target, text.encode("utf-8"))


def copy(source: Path, target: Path) -> Path:
    """The regular file ``source``, read through no link at its name, written to ``target`` by ``write_with``."""
    handle = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(handle, "rb") as data:
        if not stat.S_ISREG(os.fstat(data.fileno()).st_mode):
            raise OSError(f"{source}: not a regular file")
        return write_with(target, lambda out: shutil.copyfileobj(data, out))


def append_text(path: Path, text: str) -> None:
    """``text`` added at the end of ``path`` (made when missing), never through a link at its name."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    with os.fdopen(os.open(path, flags, READABLE), "a", encoding="utf-8") as out:
        out.write(text)


def drop_links(folder: Path) -> None:
    """Every link inside ``folder`` removed (never followed): what is then written there stays inside it."""
    for root, folders, names in os.walk(folder):  # a link to a folder is listed, never walked into
        for name in folders + names:
            if os.path.islink(os.path.join(root, name)):
                os.unlink(os.path.join(root, name))


def remove(path: Path) -> None:
    """``path`` gone, whatever it is: a link is removed itself (never what it points at), a folder with its files."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def write_json(target: Path, data: Any, *, compact: bool = False) -> Path:
    """Strict JSON (no NaN or Infinity), sorted keys, one trailing newline; indented unless ``compact``.

    ``compact`` is for big files that programs read: json's C encoder writes it several times faster.
    """
    layout: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 2}
    return write_text(target, json.dumps(data, sort_keys=True, allow_nan=False, **layout) + "\n")


def open_log(path: Path) -> BinaryIO:
    """A step's log, opened to append, never through a link.

    A cell's processes can write into the folders they share with the harness
    (in a container, as root): a link planted where a log goes, or in place of
    its folder, is removed, never followed.
    """
    for link in (path.parent, path):
        if link.is_symlink():
            link.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "ab", opener=lambda name, flags: os.open(name, flags | os.O_NOFOLLOW, READABLE))
