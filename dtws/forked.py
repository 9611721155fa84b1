"""Work shared among processes forked from this one: the machine's cores for a site of thousands of cell pages.

``each`` does a piece of work for every item of a list: split among
processes forked from this one when the list is long and the machine has
cores to spare (each sees this process's data as it is: nothing is sent to
it, and only an exception comes back), else here, one item after the other.
``together`` does a few tasks at once alike (a merge's results.json and its
junit.xml). For work that writes files of its own (a cell's page and its
logs) and gives nothing back. Every process forked is waited for before ``each``
returns or raises: none outlives it.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
MANY = 1000  # items below which forking costs more than it saves


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover (not Linux)
        return os.cpu_count() or 1


def each(work: Callable[[T], object], items: Sequence[T]) -> None:
    """``work`` of every item; an exception of any process is raised here once all of them have ended."""
    workers = min(cores(), len(items) // (MANY // 2)) if len(items) >= MANY and _forkable() else 1
    _shared(work, [items[index::workers] for index in range(workers)])


def together(*tasks: Callable[[], object]) -> None:
    """Each of ``tasks`` at once (each but the first in a process forked from this one) on a machine of cores, else
    one after the other; an exception of any is raised here once all of them have ended."""
    if cores() < 2 or not _forkable():
        for task in tasks:
            task()
        return
    _shared(lambda task: task(), [[task] for task in tasks])


def _forkable() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1  # a fork copies no other thread


def _shared(work: Callable[[T], object], shares: Sequence[Sequence[T]]) -> None:
    """``work`` of each item of each share: the first share here, each other in a process forked from this one."""
    if len(shares) > 1:
        sys.stdout.flush()
        sys.stderr.flush()
    children = [_fork(work, share) for share in shares[1:]]
    failure: BaseException | None = None
    try:
        for item in shares[0]:
            work(item)
    except BaseException as error:  # the others are waited for all the same
        failure = error
    for pid, said in children:
        with os.fdopen(said, "rb") as reader:
            raised = reader.read()
        _, status = os.waitpid(pid, 0)
        if failure is None and (raised or os.waitstatus_to_exitcode(status) != 0):
            failure = pickle.loads(raised) if raised else ChildProcessError(f"a worker process ended with {status}")
    if failure is not None:
        raise failure


def _fork(work: Callable[[T], object], share: Sequence[T]) -> tuple[int, int]:
    """A process doing ``work`` of each of ``share``; its id, and the pipe its exception (pickled) comes by."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid:
        os.close(writer)
        return pid, reader
    os.close(reader)  # pragma: no cover (the child)
    code = 0
    try:
        for item in share:
            work(item)
    except BaseException as error:
        code = 1
        with contextlib.suppress(Exception), os.fdopen(writer, "wb") as out:
            try:
                out.write(pickle.dumps(error))
            except Exception:  # an exception pickle cannot carry: its words
                out.write(pickle.dumps(RuntimeError(f"{type(error).__name__}: {error}")))
    finally:
        os._exit(code)  # no exit handler of this process's parent runs here (its temporary folders stay)
