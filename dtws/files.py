"""The one atomic writer: a reader sees the old file or the new one, whole, and can always read it."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

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


def write_text(target: Path, text: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}-", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(handle, READABLE)  # mkstemp makes it 0600
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


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
