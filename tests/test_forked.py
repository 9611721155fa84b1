"""Work shared among forked processes (dtws.forked): every item done once, an error of any process raised."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from dtws import forked

pytestmark = pytest.mark.skipif(
    forked.cores() < 2 or threading.active_count() > 1, reason="forks only on a machine of cores, from one thread"
)


def test_every_item_is_done_once_by_some_process(tmp_path: Path) -> None:
    items = list(range(forked.MANY))

    def work(item: int) -> None:
        (tmp_path / str(item)).write_text(str(os.getpid()))

    forked.each(work, items)
    assert sorted(int(path.name) for path in tmp_path.iterdir()) == items
    writers = {path.read_text() for path in tmp_path.iterdir()}
    assert len(writers) == 2, "on a machine of cores, a forked process wrote half"


class Unreadable(Exception):
    """An exception pickle writes but cannot read back (its __init__ wants more than its args)."""

    def __init__(self, item: int, why: str) -> None:
        super().__init__(f"item {item}: {why}")


def test_an_answer_that_cannot_be_read_back_is_said_and_every_process_is_waited_for(tmp_path: Path) -> None:
    items = list(range(forked.MANY))

    def work(item: int) -> int:
        if item == forked.MANY - 1:
            raise Unreadable(item, "refused")
        return item

    with pytest.raises(ChildProcessError, match="answer could not be read"):
        forked.each(work, items)
    with pytest.raises(ChildProcessError):  # every child was waited for: none is left to wait for
        os.waitpid(-1, os.WNOHANG)


def test_an_error_in_any_process_is_raised_once_all_have_ended(tmp_path: Path) -> None:
    items = list(range(forked.MANY))

    def work(item: int) -> None:
        if item == forked.MANY - 1:  # the last share's: a forked process's on a machine of cores
            raise ValueError(f"item {item} refused")
        (tmp_path / str(item)).touch()

    with pytest.raises(ValueError, match=f"item {forked.MANY - 1} refused"):
        forked.each(work, items)
    assert len(list(tmp_path.iterdir())) == forked.MANY - 1
