"""Resident memory from /proc: of a process and all its descendants, and of this process."""

from __future__ import annotations

import os
from pathlib import Path

from dtws import procs

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for pid, fields in procs.each_stat():
        tree.setdefault(int(fields[1]), []).append(pid)
    return tree


def rss(pid: int) -> int:
    """A process's resident bytes (0 once it is gone)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(roots: list[int]) -> int:
    """The resident bytes of ``roots`` and every descendant of theirs, summed."""
    tree, total, seen = _children(), 0, set()
    todo = list(roots)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss(pid)
        todo.extend(tree.get(pid, ()))
    return total


def own_rss() -> int:
    return rss(os.getpid())
