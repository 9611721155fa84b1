"""Work shared among processes forked from this one: the machine's cores for a site of thousands of cell pages.

``each`` does a piece of work for every item of a list: split among
processes forked from this one when the list is long and the machine has
cores to spare (each sees this process's data as it is: nothing is sent to
it, and what the work gives comes back pickled), else here, one item after
the other. ``together`` does a few tasks at once alike (a merge's
results.json and its junit.xml). For work that writes files of its own (a
cell's page and its logs, a record's copy) and gives little back. Every
process forked is waited for before either returns or raises: none outlives
it.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")
MANY = 1000  # items below which forking costs more than it saves


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover (not Linux)
        return os.cpu_count() or 1


def each(work: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``work`` of every item, what each gives in the items' order; an exception of any process is raised here once
    all of them have ended."""
    workers = min(cores(), len(items) // (MANY // 2)) if len(items) >= MANY and _forkable() else 1
    done = _shared(work, [items[index::workers] for index in range(workers)])
    return [done[position % workers][position // workers] for position in range(len(items))]


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


def _shared(work: Callable[[T], R], shares: Sequence[Sequence[T]]) -> list[list[R]]:
    """``work`` of each item of each share, by share: the first share here, each other in a process forked from this
    one, which gives back what its work gave (pickled)."""
    if len(shares) > 1:
        sys.stdout.flush()
        sys.stderr.flush()
    children = [_fork(work, share) for share in shares[1:]]
    failure: BaseException | None = None
    done: list[list[R]] = []
    try:
        done.append([work(item) for item in shares[0]])
    except BaseException as error:  # the others are waited for all the same
        failure = error
    for pid, said in children:
        with os.fdopen(said, "rb") as reader:
            sent = reader.read()
        _, status = os.waitpid(pid, 0)
        answer = _answer(sent, status)
        if isinstance(answer, BaseException):
            failure = failure or answer
        else:
            done.append(answer)
    if failure is not None:
        raise failure
    return done


def _answer(sent: bytes, status: int) -> list[Any] | BaseException:
    """What a worker process gave, from what it ``sent`` (its exception: why it gave nothing)."""
    if not sent:
        return ChildProcessError(f"a worker process ended with {status} and said nothing")
    try:
        worked, given = pickle.loads(sent)
    except Exception as error:  # what it sent cannot be read back (an exception unpickling refuses)
        return ChildProcessError(f"a worker process's answer could not be read: {error!r}")
    return cast(list[Any], given) if worked else cast(BaseException, given)


def _fork(work: Callable[[T], R], share: Sequence[T]) -> tuple[int, int]:
    """A process doing ``work`` of each of ``share``; its id, and the pipe by which (True, what its work gave) or
    (False, its exception) comes, pickled."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid:
        os.close(writer)
        return pid, reader
    os.close(reader)  # pragma: no cover (the child)
    code = 0
    try:
        sent = pickle.dumps((True, [work(item) for item in share]))
    except BaseException as error:
        code = 1
        try:
            sent = pickle.dumps((False, error))
        except Exception:  # an exception pickle cannot carry: its words
            sent = pickle.dumps((False, RuntimeError(f"{type(error).__name__}: {error}")))
    try:
        with os.fdopen(writer, "wb") as out:
            out.write(sent)
    finally:
        os._exit(code)  # no exit handler of this process's parent runs here (its temporary folders stay)
