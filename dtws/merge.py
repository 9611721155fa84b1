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
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from dtws import __version__, asof, matrix, published, record
from dtws.results import HISTORY_LIMIT, Entry, HistoryItem, Results, RunInfo

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


def _check_out(roots: Sequence[Path], out: Path) -> None:
    target = out.resolve()
    if target.exists() and not target.is_dir():
        raise MergeError(f"--out {out} is a file, not a folder")
    for root in roots:
        source = root.resolve()
        if target == source or target.is_relative_to(source) or source.is_relative_to(target):
            raise MergeError(f"--out {out} overlaps the input {root}: pick a folder of its own")


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


def merge(
    roots: Sequence[Path],
    out: Path,
    run: RunInfo | None = None,
    baseline: published.Published | None = None,
    cells: Sequence[matrix.Cell] = matrix.CELLS,
    as_of: str | None = None,
) -> Results:
    """Merge into ``out`` (made anew), keeping ``baseline``'s cells this run has no record of.

    ``cells`` are the cells merged (default: the matrix; the scale benchmark
    gives a synthetic one). Only records of ``as_of`` (a date, or None: today's)
    are merged: an as-of run is never mixed with today's. MergeError if ``out``
    is unusable.
    """
    _check_out(roots, out)
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
        found.setdefault(cell, []).append(Found(path, rec, error))

    if out.exists():
        shutil.rmtree(out)
    (out / RECORDS).mkdir(parents=True)
    dropped: list[str] = []
    entries = []
    past = {(e.library, e.cell): e for e in baseline.results.cells} if baseline else {}
    kept = {key: e for key, e in past.items() if e.record is not None}
    for cell in cells:
        candidates = found.get(cell, [])
        good = [item for item in candidates if item.record is not None]
        entry = Entry(
            cell.library,
            cell.env,
            cell.python,
            cell.django,
            attempts_seen=len(candidates),
            attempts=sorted({item.record.provenance.run_attempt or 1 for item in good if item.record is not None}),
        )
        if good:
            newest = max(good, key=_newness)
            assert newest.record is not None
            target = out / RECORDS / cell.library / cell.env
            _copy_record(newest.path.parent, target, problems)
            entry.record = newest.record
            entry.record_dir = str(target.relative_to(out))
            _add_to_history(entry, newest.record, past.get((cell.library, cell.env)))
            dropped.extend(
                f"{item.path}: {item.error} (an older good record was used)"
                for item in candidates
                if item.record is None
            )
        elif baseline is not None and (cell.library, cell.env) in kept:
            entry = _keep(baseline, kept[(cell.library, cell.env)], out, problems)
            dropped.extend(f"{item.path}: {item.error} (the published record was kept)" for item in candidates)
        elif candidates:
            entry.problem = "no result: " + "; ".join(str(item.error) for item in candidates)
        else:
            entry.problem = "no result: no record of this cell was found"
        entries.append(entry)
    info = run or run_from_env()
    info.reran = sum(entry.record is not None and not entry.kept for entry in entries)
    return Results(
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        run=info,
        cells=entries,
        problems=problems + dropped,
        baseline=baseline.results.run if baseline else None,
        as_of=as_of,
    )


# What a cell's run leaves in its folder that is no part of its record.
_NOT_RECORD = (".scratch", ".*.tmp")


def _copy_record(source: Path, target: Path, problems: list[str], relative: str = "") -> None:
    """Copy the record folder ``source`` to ``target``, its own files and folders only.

    shutil.copytree follows symlinks: a record whose log is a link to
    /etc/passwd would put that file on the site. Here a link is never
    followed, nor anything but a regular file or a folder copied (a FIFO would
    block); each is left out and listed in ``problems``. Files are opened
    through ``published.open_inside``, so a folder swapped for a link meanwhile
    is refused too.
    """
    here = source / relative if relative else source
    (target / relative).mkdir(parents=True, exist_ok=True)
    try:
        with os.scandir(here) as listing:
            items = sorted(listing, key=lambda item: item.name)
    except OSError as error:
        problems.append(f"{here}: could not be listed ({error.strerror}), so its files were not copied")
        return
    for item in items:
        if any(fnmatch.fnmatchcase(item.name, pattern) for pattern in _NOT_RECORD):
            continue
        inner = f"{relative}/{item.name}" if relative else item.name
        if item.is_symlink():
            problems.append(f"{source / inner}: a symlink, not followed (left out of the record)")
        elif item.is_dir(follow_symlinks=False):
            _copy_record(source, target, problems, inner)
        elif not item.is_file(follow_symlinks=False):
            problems.append(f"{source / inner}: not a regular file (left out of the record)")
        else:
            try:
                with published.open_inside(source, inner) as data, (target / inner).open("wb") as out:
                    shutil.copyfileobj(data, out)
            except OSError as error:
                (target / inner).unlink(missing_ok=True)
                problems.append(f"{source / inner}: could not be copied ({error})")


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


def _keep(baseline: published.Published, old: Entry, out: Path, problems: list[str]) -> Entry:
    """The published entry of a cell this run did not re-run, with its record and logs copied into ``out``."""
    assert old.record is not None
    target = out / RECORDS / old.library / old.cell
    missing = published.copy_cell(baseline, old, target)
    if missing:
        problems.append(f"{old.library} {old.cell}: kept, but the published {', '.join(missing)} could not be had")
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
