"""Many cell records -> one results folder: ``results.json`` plus each chosen record's folder.

Reads folders in the layout ``dtws run`` writes (``<library>/<cell>/result.json``)
and in the layouts actions/download-artifact gives (one folder per artifact,
``cell-<library>-<cell>[-attempt<N>]/...``, or all merged into one). Keeps the
newest attempt of each cell: the highest attempt number, then the latest
finish. A record that is missing, empty, truncated, unreadable or of an
unknown schema version becomes a cell that says why; nothing stops the merge.

Nothing outside a record's own folder is read: a result.json that is a
symlink is not read, and a record folder's symlinks (and anything that is
neither a file nor a folder) are not copied; each is listed in ``problems``.
The pages trust what is copied here to be the record's own.

Given the published results (``published``), a cell this run has no good
record of keeps its published record and logs, marked ``kept``: a run that
re-ran one cell never makes the published site worse.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dtws import __version__, ahead, answers, asof, files, forked, junit, locks, matrix, published, record, results
from dtws.results import FILENAME, HISTORY_LIMIT, Entry, HistoryItem, Results, RunInfo
from dtws.shapes import moment

RECORDS = "records"


@dataclass
class Found:
    path: Path
    record: record.CellRecord | None
    error: str | None


_ATTEMPT = re.compile(r"-attempt[0-9]+$")


class _Owners:
    """The cells merged, by the folders a result.json of each may be found in.

    A cell's folder as `dtws run` names it (``<library>/<cell>``) and as its
    artifact is named (``cell-<library>-<cell>``).
    """

    def __init__(self, cells: Sequence[matrix.Cell]) -> None:
        self.by_folder = {(cell.library, cell.env): cell for cell in cells}
        self.by_artifact = {f"cell-{cell.library}-{cell.env}": cell for cell in cells}

    def of(self, path: Path, roots: Sequence[Path]) -> matrix.Cell | None:
        """The cell a result.json belongs to, from its folders."""
        for parent in path.parents:
            if parent in roots:
                break
            found = self.by_artifact.get(_ATTEMPT.sub("", parent.name)) or self.by_folder.get(
                (parent.parent.name, parent.name)
            )
            if found is not None:
                return found
        return None


def _newness(found: Found) -> tuple[int, str]:
    """The higher attempt wins (a re-run's clock may be behind); the later finish breaks a tie."""
    assert found.record is not None
    provenance = found.record.provenance
    return (provenance.run_attempt or 0, provenance.finished_at or provenance.started_at or "")


class MergeError(ValueError):
    pass


# What a merge writes into its --out: a folder that holds anything else is no merge's, and is never replaced.
MADE = (FILENAME, junit.FILENAME, RECORDS)


def _check_out(roots: Sequence[Path], out: Path) -> None:
    target = out.resolve()
    if target.exists() and not target.is_dir():
        raise MergeError(f"--out {out} is a file, not a folder")
    for root in roots:
        source = root.resolve()
        if target == source or target.is_relative_to(source) or source.is_relative_to(target):
            raise MergeError(f"--out {out} overlaps the input {root}: pick a folder of its own")
    if target.is_dir():
        strangers = sorted(item.name for item in target.iterdir() if item.name not in MADE)
        if strangers:
            named = ", ".join(strangers[:3]) + (f" and {len(strangers) - 3} more" if len(strangers) > 3 else "")
            raise MergeError(
                f"--out {out} holds what no merge wrote ({named}), which a merge would replace:"
                " give a new folder, or one a merge made"
            )


def _swap(new: Path, out: Path) -> None:
    """``new`` becomes ``out``; the old ``out`` goes only once the new one is whole in its place."""
    new.chmod(0o755)  # mkdtemp's 0700 would hide the records from the runner user that uploads them
    if not out.exists():
        new.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    out.rename(old / out.name)
    new.rename(out)
    shutil.rmtree(old)


def _scan(roots: Sequence[Path]) -> Iterable[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from sorted(root.rglob(record.FILENAME))


def _not_a_file(path: Path) -> str | None:
    """Why a found result.json is not read: a link may point anywhere, and a FIFO would block the reader."""
    if path.is_symlink():
        return "a symlink"
    if not path.is_file():
        return "not a regular file"
    return None


def _cells(cells: Sequence[matrix.Cell] | None, as_of: str | None) -> Sequence[matrix.Cell]:
    """The cells merged: those given, else the matrix's, and today's cells ahead of release (dtws.ahead)."""
    return cells if cells is not None else matrix.CELLS + (ahead.CELLS if as_of is None else ())


def merge(
    roots: Sequence[Path],
    out: Path,
    run: RunInfo | None = None,
    baseline: published.Published | None = None,
    cells: Sequence[matrix.Cell] | None = None,
    as_of: str | None = None,
    baseline_problem: str | None = None,
    project: Path = Path("."),
) -> Results:
    """Merge into ``out`` (``results.json``, ``junit.xml``, the records), keeping ``baseline``'s cells this run lacks.

    ``cells`` are the cells merged (default: the matrix, and today's cells ahead of
    release, dtws.ahead, those that ran; the scale benchmark gives a synthetic one). Only records
    of ``as_of`` (a date, or None: today's) are merged: an as-of run is never mixed with today's. ``baseline_problem``:
    why the published results could not be read, if so (then nothing may be
    published from a partial run); a part of the published site that could not
    be read is one too. The folder is built beside ``out`` and swapped in
    whole, under ``out``'s lock (dtws.locks): a merge that fails leaves the
    old one, and a site never reads half of one. MergeError if ``out`` is
    unusable, or holds what no merge wrote. ``project``: the repository whose
    apps' files are each library's integration, kept in the results for its answers (dtws.answers).
    """
    _check_out(roots, out)
    out.resolve().parent.mkdir(parents=True, exist_ok=True)
    try:
        with locks.hold(locks.beside(out), shared=False, what=f"the results folder {out}"):
            _check_out(roots, out)  # again: another merge may have made it meanwhile
            new = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.resolve().parent))
            try:
                merged = _merge(roots, new, run, baseline, _cells(cells, as_of), as_of)
                merged.code = answers.integrations(merged.cells, project)
                merged.baseline_problem = baseline_problem or merged.baseline_problem
                write(merged, new)
                _swap(new, out.resolve())
            finally:
                shutil.rmtree(new, ignore_errors=True)
    except locks.LockError as error:
        raise MergeError(str(error)) from None
    return merged


def write(merged: Results, out: Path) -> None:
    """``results.json`` and ``junit.xml`` (every cell's steps, dtws.junit) into the results folder ``out``, at once
    on a machine of cores (dtws.forked)."""
    forked.together(
        lambda: results.write(merged, out),
        lambda: junit.write(
            (junit.suite(e.record, out / e.record_dir) for e in merged.cells if e.record and e.record_dir),
            out / junit.FILENAME,
        ),
    )


def _merge(
    roots: Sequence[Path],
    out: Path,
    run: RunInfo | None,
    baseline: published.Published | None,
    cells: Sequence[matrix.Cell],
    as_of: str | None,
) -> Results:
    owners = _Owners(cells)
    found: dict[matrix.Cell, list[Found]] = {}
    problems: list[str] = []
    for root in roots:
        if not root.exists():
            problems.append(f"{root}: no such folder")
    resolved_roots = [root.resolve() for root in roots]
    for path in _scan(roots):
        refused = _not_a_file(path)
        if refused:
            problems.append(f"{path}: {refused}, not read")
            continue
        cell = owners.of(path.resolve(), resolved_roots)
        try:
            rec: record.CellRecord | None = record.read(path)
            error = None
        except record.RecordError as failure:
            rec, error = None, str(failure)
        if rec is not None:
            known = owners.by_folder.get((rec.library, rec.cell))
            if known is None:
                problems.append(f"{path}: a record of {rec.library} {rec.cell}, which is not a cell of the matrix")
                continue
            cell = known
        if cell is None:
            problems.append(f"{path}: belongs to no cell of the matrix ({error})")
            continue
        if rec is not None and rec.provenance.as_of != as_of:
            merged = asof.said(as_of) + ("" if as_of else " (merge it with --as-of)")
            problems.append(f"{path}: a record {asof.said(rec.provenance.as_of)}, not merged with the records {merged}")
            continue
        if rec is not None and _from_the_future(rec):
            problems.append(
                f"{path}: finished at {rec.provenance.finished_at}, later than now: a clock ahead? not merged"
            )
            continue
        found.setdefault(cell, []).append(Found(path, rec, error))

    (out / RECORDS).mkdir(parents=True, exist_ok=True)
    unreadable: list[str] = []
    dropped: list[str] = []
    entries = []
    past = {(e.library, e.cell): e for e in baseline.results.cells} if baseline else {}
    kept = {key: e for key, e in past.items() if e.record is not None}
    copies: list[tuple[Path, Path, int]] = []  # each record folder to copy, and where in problems what it finds goes
    for cell in cells:
        candidates = found.get(cell, [])
        if not candidates and (cell.library, cell.env) not in past and ahead.kind(cell.python, cell.django):
            continue  # a cell ahead of release that has never run: not shown as one without a record
        good = [item for item in candidates if item.record is not None]
        entry = Entry(
            cell.library,
            cell.env,
            cell.python,
            cell.django,
            attempts_seen=len(candidates),
            attempts=sorted({item.record.provenance.run_attempt or 1 for item in good if item.record is not None}),
        )
        newest = max(good, key=_newness) if good else None
        older = _older(newest.record, past.get((cell.library, cell.env))) if newest and newest.record else None
        if newest is not None and older and (cell.library, cell.env) in kept:
            assert baseline is not None
            entry = _keep(baseline, kept[(cell.library, cell.env)], out, problems, unreadable)
            problems.append(f"{newest.path}: {older}: the published verdict stays")
        elif newest is not None:
            assert newest.record is not None
            target = out / RECORDS / cell.library / cell.env
            copies.append((newest.path.parent, target, len(problems)))
            entry.record = newest.record
            entry.record_dir = str(target.relative_to(out))
            _add_to_history(entry, newest.record, past.get((cell.library, cell.env)))
            dropped.extend(
                f"{item.path}: {item.error} (an older good record was used)"
                for item in candidates
                if item.record is None
            )
        elif baseline is not None and (cell.library, cell.env) in kept:
            entry = _keep(baseline, kept[(cell.library, cell.env)], out, problems, unreadable)
            dropped.extend(f"{item.path}: {item.error} (the published record was kept)" for item in candidates)
        elif candidates:
            entry.problem = "no result: " + "; ".join(str(item.error) for item in candidates)
        else:
            entry.problem = "no result: no record of this cell was found"
        entries.append(entry)
    _copy_records(copies, problems)
    info = run or run_from_env()
    info.reran = sum(entry.record is not None and not entry.kept for entry in entries)
    return Results(
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        run=info,
        cells=entries,
        problems=problems + dropped,
        baseline=baseline.results.run if baseline else None,
        baseline_problem=(
            f"the published site could not be read in full ({unreadable[0]}"
            + (f", and {len(unreadable) - 1} more" if len(unreadable) > 1 else "")
            + ")"
            if unreadable
            else None
        ),
        as_of=as_of,
    )


# How far ahead of this machine's clock a record may have finished (another machine's clock may run a little fast).
SKEW = timedelta(hours=1)


def _from_the_future(rec: record.CellRecord) -> bool:
    finished = rec.provenance.finished_at
    return finished is not None and moment(finished) > datetime.now(timezone.utc) + SKEW


def _older(rec: record.CellRecord, old: Entry | None) -> str | None:
    """Why ``rec`` is older than its cell's published verdict (which then stays), or None when it is not.

    Merges may come out of order (a late re-run's site job, a record merged
    again): a run older than the history's last, an attempt older than the
    last's of the same run, or a run the history already has further back,
    never becomes the cell's verdict. Runs are ordered by their GitHub run ids
    (which only grow), and by when they finished where they have none.
    """
    if old is None or not old.history:
        return None
    item, last = HistoryItem.of(rec), old.history[-1]
    if item.run_id is not None and item.run_id == last.run_id:
        if (item.run_attempt or 1) < (last.run_attempt or 1):
            return f"attempt {item.run_attempt or 1} of run {item.run_id}, older than its published attempt"
        return None
    if item.run_id is not None and any(past.run_id == item.run_id for past in old.history):
        return f"run {item.run_id}, older than the published run {last.run_id}"
    if item.run_id and last.run_id and item.run_id.isdigit() and last.run_id.isdigit():
        return (
            f"run {item.run_id}, older than the published run {last.run_id}"
            if int(item.run_id) < int(last.run_id)
            else None
        )
    if item.finished_at and last.finished_at and moment(item.finished_at) < moment(last.finished_at):
        return f"finished at {item.finished_at}, before the published verdict ({last.finished_at})"
    return None


# What a cell's run leaves in its folder that is no part of its record.
_NOT_RECORD = (".scratch", ".*.tmp")


def _copy_records(copies: list[tuple[Path, Path, int]], problems: list[str]) -> None:
    """Each record folder copied (on the machine's cores: dtws.forked), what each copy found put in ``problems`` where
    it was when the copy was asked for, as if each had been copied then."""
    found = forked.each(lambda copy: _copied(copy[0], copy[1]), copies)
    for (_, _, at), said in reversed(list(zip(copies, found, strict=True))):
        problems[at:at] = said


def _copied(source: Path, target: Path) -> list[str]:
    problems: list[str] = []
    _copy_record(source, target, problems)
    return problems


def _copy_record(source: Path, target: Path, problems: list[str]) -> None:
    """Copy the record folder ``source`` to ``target``, its own files and folders only.

    shutil.copytree follows symlinks: a record whose log is a link to
    /etc/passwd would put that file on the site. Here a link is never
    followed, nor anything but a regular file or a folder copied (a FIFO would
    block); each is left out and listed in ``problems``. Each folder is opened
    from the one before it with O_NOFOLLOW, and each file from its folder, so
    a folder swapped for a link meanwhile is refused too (as
    ``published.open_inside`` reads). ``target`` is inside the merge's new
    folder, which no one else writes (files.write_new).
    """
    _copy_folder(lambda: os.open(source, os.O_RDONLY | os.O_DIRECTORY), source, target, "", problems)


def _copy_folder(opened: Callable[[], int], source: Path, target: Path, relative: str, problems: list[str]) -> None:
    """The files and folders of the folder ``opened`` gives (``source/relative``) into ``target/relative``."""
    (target / relative).mkdir(parents=True, exist_ok=True)
    try:
        folder, items = _listed(opened)
    except OSError as error:
        here = source / relative if relative else source
        problems.append(f"{here}: could not be listed ({error.strerror}), so its files were not copied")
        return
    try:
        for item in items:
            _copy_item(folder, item, source, target, f"{relative}/{item.name}" if relative else item.name, problems)
    finally:
        os.close(folder)


def _listed(opened: Callable[[], int]) -> tuple[int, list[os.DirEntry[str]]]:
    """The folder ``opened`` gives, and its items by name; OSError when it cannot be opened or listed."""
    folder = opened()
    try:
        with os.scandir(folder) as listing:
            return folder, sorted(listing, key=lambda item: item.name)
    except OSError:
        os.close(folder)
        raise


def _copy_item(
    folder: int, item: os.DirEntry[str], source: Path, target: Path, inner: str, problems: list[str]
) -> None:
    if any(fnmatch.fnmatchcase(item.name, pattern) for pattern in _NOT_RECORD):
        return
    if item.is_symlink():
        problems.append(f"{source / inner}: a symlink, not followed (left out of the record)")
    elif item.is_dir(follow_symlinks=False):
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
        _copy_folder(lambda: os.open(item.name, flags, dir_fd=folder), source, target, inner, problems)
    elif not item.is_file(follow_symlinks=False):
        problems.append(f"{source / inner}: not a regular file (left out of the record)")
    else:
        try:
            _copy_file(folder, item.name, target / inner)
        except OSError as error:
            (target / inner).unlink(missing_ok=True)
            problems.append(f"{source / inner}: could not be copied ({error})")


def _copy_file(folder: int, name: str, target: Path) -> None:
    """The regular file ``name`` of the open folder ``folder``, never through a link, into the new file ``target``."""
    with os.fdopen(os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder), "rb") as data:
        if not stat.S_ISREG(os.fstat(data.fileno()).st_mode):
            raise OSError(f"{name}: not a regular file")
        files.copy_new(data, target)


def _add_to_history(entry: Entry, rec: record.CellRecord, old: Entry | None) -> None:
    """The cell's history: the published one, this run's verdict last; and since when its status holds.

    A record already in the history (the same run, or the same local run merged
    again) replaces its item rather than adding one. Since: the first of the
    unbroken line of runs with the current status; when that line fills the
    whole (bounded) history, the published ``since``, which remembers further back.
    """
    item = HistoryItem.of(rec)
    history = list(old.history) if old is not None else []
    if history and (history[-1].run_id, history[-1].finished_at) == (item.run_id, item.finished_at):
        history.pop()
    elif history and item.run_id is not None and history[-1].run_id == item.run_id:
        history.pop()  # another attempt of the same run
    history.append(item)
    entry.history = history[-HISTORY_LIMIT:]
    first = len(entry.history) - 1
    while first > 0 and entry.history[first - 1].status == item.status:
        first -= 1
    if first == 0 and old is not None and old.since and old.history and old.history[-1].status == item.status:
        entry.since, entry.since_run = old.since, old.since_run
    else:
        entry.since, entry.since_run = entry.history[first].finished_at, entry.history[first].run_id


def _keep(baseline: published.Published, old: Entry, out: Path, problems: list[str], unreadable: list[str]) -> Entry:
    """The published entry of a cell this run did not re-run, with its record and logs copied into ``out``.

    A log the published site has but did not give (``published.Unreadable``)
    goes into ``unreadable``: the results must then not be published.
    """
    assert old.record is not None
    target = out / RECORDS / old.library / old.cell
    copied = published.copy_cell(baseline, old, target)
    if copied.missing:
        problems.append(f"{old.library} {old.cell}: kept, but the published {', '.join(copied.missing)} are not there")
    for why in copied.unreadable:
        unreadable.append(why)
        problems.append(f"{old.library} {old.cell}: kept, but the published {why} could not be read")
    return Entry(
        old.library,
        old.cell,
        old.python,
        old.django,
        record=old.record,
        record_dir=str(target.relative_to(out)),
        attempts_seen=old.attempts_seen,
        attempts=old.attempts,
        kept=True,
        history=old.history,
        since=old.since,
        since_run=old.since_run,
    )


def _head() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def run_from_env() -> RunInfo:
    """The GitHub Actions run doing the merge, when there is one."""
    server, repo, run_id = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    attempt, number = os.environ.get("GITHUB_RUN_ATTEMPT"), os.environ.get("GITHUB_RUN_NUMBER")
    return RunInfo(
        dtws_version=__version__,
        run_id=run_id,
        run_number=int(number) if number and number.isdigit() else None,
        run_attempt=int(attempt) if attempt and attempt.isdigit() else None,
        commit=os.environ.get("GITHUB_SHA") or _head(),
        run_url=f"{server}/{repo}/actions/runs/{run_id}" if server and repo and run_id else None,
    )
