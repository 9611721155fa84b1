"""Locks on the folders two dtws commands may share: a merge's --out, which a site reads; the docs folder.

Two merges into one folder, or a site reading a results folder that a merge
is rewriting, would each see half of the other's files. A writer holds the
folder's lock alone, readers together (flock). The lock file lies beside the
folder (``.<name>.lock``), so that replacing the folder whole never drops it,
and stays there: removing it would let a third command lock a new file while
the second still holds the old one. A command that finds the lock held waits
for it, saying so once, up to WAIT_S.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

WAIT_S = 600.0


class LockError(Exception):
    """The lock could not be had; the message says why, in one line."""


def beside(folder: Path) -> Path:
    """The lock file of ``folder``: next to it, so that a folder replaced whole keeps its lock."""
    resolved = folder.resolve()
    return resolved.parent / f".{resolved.name}.lock"


def holder(fd: int) -> str:
    """ " (pid N)": the pid the holder of the lock file ``fd`` wrote into it, or "" when it wrote none."""
    try:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


def open_file(path: Path) -> int:
    """The lock file ``path``, opened (made when missing) through no link: LockError for a link or a non-regular file.

    A lock file lies in a folder others write into (a results folder that a
    docker cell's root writes into): a link planted at its name is refused,
    never followed (O_NOFOLLOW), and the file is never truncated before it is
    known to be a regular file, locked.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError as error:
        said = "a link, which a lock file never follows" if error.errno == errno.ELOOP else error.strerror or error
        raise LockError(f"cannot open the lock file {path}: {said}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LockError(f"cannot open the lock file {path}: not a regular file")
    return fd


def mark(fd: int) -> None:
    """Write this process's pid into the lock file ``fd``, which it holds alone (``holder`` reads it)."""
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)


@contextmanager
def hold(path: Path, *, shared: bool, what: str, told: Callable[[str], None] = print) -> Iterator[None]:
    """Hold the lock file ``path`` (shared: with other readers) while the body runs; wait for it, up to WAIT_S.

    ``what`` names the folder in the lines ``told`` hears (a wait) and LockError's.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = open_file(path)
    try:
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        deadline = time.monotonic() + WAIT_S
        waited = False
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockError(f"another dtws still holds {what}{holder(fd)} after {WAIT_S:.0f} s") from None
                if not waited:
                    told(f"waiting for another dtws, which holds {what}{holder(fd)}")
                    waited = True
                time.sleep(0.1)
            except OSError as error:  # e.g. a file system without locks
                raise LockError(f"cannot lock {path}: {error.strerror or error}") from None
        if not shared:
            mark(fd)
        yield
    finally:
        os.close(fd)
