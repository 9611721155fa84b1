"""Merging real cell records laid out as download-artifact lays them, with bad ones among them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from dtws import record, results
from dtws.merge import merge
from tests.conftest import dtws, dtws_args

LocalRun = tuple[subprocess.CompletedProcess[str], Path]


def artifact(root: Path, local: Path, cell: str) -> Path:
    """``cell-<library>-<cell>/`` holding what the cell's job uploads, as download-artifact gives it."""
    target = root / f"cell-django-socketio-{cell}"
    shutil.copytree(local / "django-socketio" / cell, target)
    return target


def entry(merged: results.Results, cell: str) -> results.Entry:
    return next(e for e in merged.cells if e.cell == cell)


def test_the_local_layout(local_run: LocalRun, tmp_path: Path) -> None:
    _done, local = local_run
    merged = merge([local], tmp_path / "out")
    ok = entry(merged, "py27-django18")
    assert ok.record is not None and ok.record.status == "fail"
    assert ok.record_dir == "records/django-socketio/py27-django18"
    assert (tmp_path / "out" / ok.record_dir / "logs" / "install.log").is_file()
    assert entry(merged, "py310-django52").problem == "no result: no record of this cell was found"


def test_bad_records_become_cells_that_say_why(local_run: LocalRun, tmp_path: Path) -> None:
    _done, local = local_run
    downloaded = tmp_path / "artifacts"
    artifact(downloaded, local, "py27-django18")
    truncated = artifact(downloaded, local, "py27-django19") / "result.json"
    truncated.write_text(truncated.read_text()[:200])
    (artifact(downloaded, local, "py312-django52") / "result.json").write_text("")
    future = artifact(downloaded, local, "py33-django18") / "result.json"
    future.write_text(json.dumps({**json.loads(future.read_text()), "schema_version": 99}))
    (downloaded / "cell-django-socketio-py36-django22").mkdir()
    (downloaded / "cell-django-socketio-py36-django22" / "result.json").write_bytes(b"\xff\x00\x81")

    merged = merge([downloaded], tmp_path / "out")

    assert entry(merged, "py27-django18").record is not None
    assert "not valid JSON" in str(entry(merged, "py27-django19").problem)
    assert "empty" in str(entry(merged, "py312-django52").problem)
    assert "unknown schema_version 99" in str(entry(merged, "py33-django18").problem)
    assert "not UTF-8" in str(entry(merged, "py36-django22").problem)
    for cell in ("py27-django19", "py312-django52", "py33-django18", "py36-django22"):
        assert entry(merged, cell).record is None
        assert str(entry(merged, cell).problem).startswith("no result: ")


def test_the_newest_attempt_wins(local_run: LocalRun, tmp_path: Path) -> None:
    _done, local = local_run
    first = artifact(tmp_path / "run-attempt-1", local, "py27-django18")
    second = artifact(tmp_path / "run-attempt-2", local, "py27-django18")
    runs: tuple[tuple[Path, int, record.Status], ...] = ((first, 1, "fail"), (second, 2, "timeout"))
    for folder, attempt, status in runs:
        rec = record.read(folder / "result.json")
        rec.provenance.run_attempt = attempt
        rec.status = status
        record.write(rec, folder)
    for order in ([second.parent, first.parent], [first.parent, second.parent]):
        merged = merge(order, tmp_path / "out")
        chosen = entry(merged, "py27-django18")
        assert chosen.record is not None and chosen.record.status == "timeout"
        assert chosen.attempts_seen == 2


def test_missing_folders_and_strays_are_listed_not_fatal(tmp_path: Path) -> None:
    stray = tmp_path / "stray"
    stray.mkdir()
    (stray / "result.json").write_text("{}")
    merged = merge([tmp_path / "nowhere", stray], tmp_path / "out")
    assert any("nowhere: no such folder" in problem for problem in merged.problems)
    assert any("belongs to no cell" in problem for problem in merged.problems)
    assert all(e.record is None for e in merged.cells)


def test_results_json_round_trips(local_run: LocalRun, tmp_path: Path) -> None:
    _done, local = local_run
    merged = merge([local], tmp_path / "out")
    path = results.write(merged, tmp_path / "out")
    assert results.read(path) == merged
    data = json.loads(path.read_text())
    assert data["schema_version"] == results.SCHEMA_VERSION
    assert "symbol" not in path.read_text()
    with pytest.raises(results.ResultsError, match="unknown schema_version"):
        results.from_dict({**data, "schema_version": 99})


def test_an_output_folder_that_overlaps_an_input_is_refused(local_run: LocalRun, tmp_path: Path) -> None:
    _done, local = local_run
    from dtws.merge import MergeError

    with pytest.raises(MergeError, match="overlaps the input"):
        merge([local], local / "out")
    with pytest.raises(MergeError, match="overlaps the input"):
        merge([local], local)
    assert (local / "django-socketio" / "py27-django18" / "result.json").is_file()


def test_an_as_of_merge_keeps_nothing_of_todays_published_results(local_run: LocalRun, tmp_path: Path) -> None:
    """The site job merges the as-of cells over the published as-of results; today's are never taken for them."""
    _done, local = local_run
    today = dtws(dtws_args("merge", str(local), "--out", str(tmp_path / "today")))
    assert today.returncode == 0, today.stdout
    (tmp_path / "none").mkdir()
    args = ["merge", str(tmp_path / "none"), "--as-of", "2016-04-19", "--allow-empty", "--out", str(tmp_path / "then")]
    then = dtws(dtws_args(*args, "--published", str(tmp_path / "today" / "results.json")))
    assert then.returncode == 0, then.stdout
    assert "are of today, not as of 2016-04-19: nothing of them is kept" in then.stdout
    merged = results.read(tmp_path / "then" / "results.json")
    assert merged.as_of == "2016-04-19" and not any(e.record for e in merged.cells)
