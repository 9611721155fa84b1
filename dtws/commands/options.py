"""Options shared by the commands that run cells, their checks, and the lock on a results folder.

Every problem of these options or of the folders they name is found before
any cell starts and told in one line (the command exits 2): a cell run that
dies part-way on a bad folder would leave half a record and a traceback.
"""

from __future__ import annotations

import argparse
import fcntl
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from dtws import asof, hosts, locks
from dtws.steps import NAMES

LOCK = ".dtws.lock"
PROJECT_FILES = ("manage.py", "tox.ini")


def _timeout(text: str) -> tuple[str, float]:
    name, sep, seconds = text.partition("=")
    if not sep or name not in NAMES:
        raise argparse.ArgumentTypeError(f"expected STEP=SECONDS with STEP one of {', '.join(NAMES)}; got {text!r}")
    try:
        value = float(seconds)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {seconds!r}") from None
    if not math.isfinite(value) or value <= 0:  # float() takes "nan" and "inf", which no deadline can use
        raise argparse.ArgumentTypeError(f"a timeout must be a positive, finite number of seconds: {text!r}")
    return name, value


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (``--jobs 0`` would start no cell and wait forever)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def retries(text: str) -> int:
    """An argparse type: how many times a failed step runs again, 0 to 5."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= 5:
        raise argparse.ArgumentTypeError(f"must be 0 to 5: {text!r}")
    return value


def as_of_date(text: str) -> date | None:
    """An argparse type: an ``--as-of`` date; empty is none (today's releases), as a CI matrix passes it."""
    if not text.strip():
        return None
    try:
        return asof.parse(text)
    except asof.AsOfError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        help="folder of the cell records (default: results; results-as-of-<date> with --as-of)",
    )
    parser.add_argument("--project", type=Path, default=Path("."), help="folder of manage.py and tox.ini (default: .)")
    parser.add_argument(
        "--toxworkdir", type=Path, default=None, help="tox's work dir for the cell envs (default: .tox of the project)"
    )
    parser.add_argument(
        "--timeout",
        type=_timeout,
        action="append",
        default=[],
        metavar="STEP=SECONDS",
        help="override a step's timeout (repeatable)",
    )
    parser.add_argument(
        "--retries",
        type=retries,
        default=1,
        metavar="N",
        help="run a step that failed or timed out again, up to N times (default 1; 0: never);"
        " failed, then passed makes the cell flaky. A failure of a known cause is not run again",
    )
    parser.add_argument(
        "--as-of",
        type=as_of_date,
        metavar="YYYY-MM-DD",
        help="install, for every package, the newest release the index had before that day"
        " (default --results: results-as-of-<date>, never today's folder; empty: today's releases)",
    )


def add_docker_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--docker",
        metavar="IMAGE",
        default="",
        help="run the cell's processes in a container of IMAGE (e.g. python:2.7), the harness and browser here"
        " (empty: here, as a CI matrix passes it)",
    )


def host(args: argparse.Namespace, project: Path, toxworkdir: Path, cell_dir: Path) -> hosts.Host:
    """Where a cell's processes run: here, or in a container of ``--docker`` that sees the cell's folders."""
    if not args.docker.strip():
        return hosts.Local()
    return hosts.Docker(args.docker.strip(), mounts=[project, toxworkdir, cell_dir.resolve() / ".scratch"])


def folder_problem(option: str, path: Path) -> str | None:
    """Why ``path`` cannot be the folder ``option`` names, or None.

    The folder is made when missing, and a probe file is written in it and
    removed: only doing so proves it writable (permissions, read-only mounts,
    a file on the way), where asking os.access would not.
    """
    if path.exists() and not path.is_dir():
        return f"{option} {path} is a file, not a folder"
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".dtws-probe-"):
            pass
    except OSError as error:
        return f"{option} {path} cannot be made or written: {error.strerror or error}"
    return None


def file_problem(option: str, path: Path) -> str | None:
    """Why ``path`` cannot be the file ``option`` names (a folder; a folder of it that cannot be made or written)."""
    if path.is_dir():
        return f"{option} {path} is a folder, not a file"
    return folder_problem(f"{option}'s folder", path.parent)


def run_options_problem(args: argparse.Namespace) -> str | None:
    """The first problem of --project, --results and --toxworkdir, in one line, or None."""
    project: Path = args.project
    missing = [name for name in PROJECT_FILES if not (project / name).is_file()]
    if missing:
        where = f"--project {project}" if project != Path(".") else f"this folder ({Path.cwd()})"
        return f"{where} has no {' and '.join(missing)} (run from the repository root or pass --project)"
    return folder_problem("--results", args.results) or folder_problem(
        "--toxworkdir", args.toxworkdir or project / ".tox"
    )


class LockError(Exception):
    """The results folder cannot be locked for this run; the message says why, in one line."""


@contextmanager
def results_lock(results: Path) -> Iterator[None]:
    """Hold ``results/.dtws.lock`` (flock, exclusive) while the body runs; LockError at once if another dtws holds it.

    Two runs on one results folder would delete and rewrite each other's
    cell folders. The holder's pid is written into the file to name it to the
    refused run. The file stays (removing it would let a third run lock a new
    file while the second still holds the old one); the lock goes with its
    descriptor, when the body ends or the process dies, and the descriptor is
    not inherited by the cells' processes.
    """
    path = results / LOCK
    try:
        fd = locks.open_file(path)
    except locks.LockError as error:
        raise LockError(str(error)) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockError(
                f"another dtws is running on {results}{locks.holder(fd)}; wait for it or use another --results"
            ) from None
        except OSError as error:  # e.g. a file system without locks
            raise LockError(f"cannot lock {path}: {error.strerror or error}") from None
        locks.mark(fd)
        yield
    finally:
        os.close(fd)


def checked_and_locked(command: str, args: argparse.Namespace, run: Callable[[], int]) -> int:
    """``run`` once the run options are sound and the results folder is ours; else one line, exit code 2."""
    if args.results is None:  # an as-of run never writes into today's records
        args.results = Path(f"results-as-of-{args.as_of.isoformat()}" if args.as_of else "results")
    problem = run_options_problem(args)
    if problem:
        print(f"dtws {command}: {problem}")
        return 2
    try:
        with results_lock(args.results):
            return run()
    except LockError as error:
        print(f"dtws {command}: {error}")
        return 2
