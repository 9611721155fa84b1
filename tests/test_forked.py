"""Work shared among forked processes (dtws.forked): every item done once, an error of any process raised."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from dtws import forked


def test_every_item_is_done_once_by_some_process(tmp_path: Path) -> None:
    items = list(range(forked.MANY))

    def work(item: int) -> None:
        (tmp_path / str(item)).write_text(str(os.getpid()))

    forked.each(work, items)
    assert sorted(int(path.name) for path in tmp_path.iterdir()) == items
    writers = {path.read_text() for path in tmp_path.iterdir()}
    shared = forked.cores() > 1 and threading.active_count() == 1  # a process of threads forks none
    assert len(writers) == (2 if shared else 1), "on a machine of cores, a forked process wrote half"


def test_an_error_in_any_process_is_raised_once_all_have_ended(tmp_path: Path) -> None:
    items = list(range(forked.MANY))

    def work(item: int) -> None:
        if item == forked.MANY - 1:  # the last share's: a forked process's on a machine of cores
            raise ValueError(f"item {item} refused")
        (tmp_path / str(item)).touch()

    with pytest.raises(ValueError, match=f"item {forked.MANY - 1} refused"):
        forked.each(work, items)
    assert len(list(tmp_path.iterdir())) == forked.MANY - 1
