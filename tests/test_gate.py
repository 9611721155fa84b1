"""The regression gate on real runs: a passing cell that breaks turns it red; known failures do not."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from dtws import pages, results, when
from tests.conftest import dtws, dtws_args

LocalRun = tuple[subprocess.CompletedProcess[str], Path]
CHANNELS, KNOWN = "py312-django52-channels", "py312-django52"


def merged(tmp_path: Path, name: str, *folders: Path, published: Path | None = None) -> Path:
    """``dtws merge`` as CI does it: with the published results, the cells this run did not re-run are kept."""
    out = tmp_path / name
    extra = ["--published", str(published)] if published else []
    done = dtws(dtws_args("merge", *map(str, folders), "--out", str(out), *extra))
    assert done.returncode == 0, done.stdout + done.stderr
    return out / "results.json"


def gate(*args: str, summary: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary)} if summary else None
    return dtws(dtws_args("gate", *args), env=env)


@pytest.fixture(scope="module")
def broken(local_run: LocalRun, toxworkdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second real run of two cells: Channels with its check step crashing, django-socketio as always."""
    results = tmp_path_factory.mktemp("broken")
    args = ("run", CHANNELS, KNOWN, "--results", str(results), "--toxworkdir", str(toxworkdir), "--retries", "0")
    env = {**os.environ, "DTWS_FAULT": "crash", "DTWS_FAULT_STEP": "check"}
    done = dtws(dtws_args(*args), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return results


def test_a_passing_cell_that_breaks_turns_the_gate_red(local_run: LocalRun, broken: Path, tmp_path: Path) -> None:
    _done, local = local_run
    baseline = merged(tmp_path, "baseline", local)
    current = merged(tmp_path, "current", broken, published=baseline)
    summary = tmp_path / "summary.md"
    done = gate(str(current), "--baseline", str(baseline), "--site", "https://example.org/dtws", summary=summary)
    assert done.returncode == 1, done.stdout
    report = summary.read_text()
    assert report.startswith("## dtws: red: 1 cells that passed before do not pass now")
    assert "### Passed before, not now (1)" in report
    link = f"[channels {CHANNELS}](https://example.org/dtws/cells/channels/{CHANNELS}/)"
    assert f"| {link} | ✓ Yes | ✗ No | `check: " in report
    assert f"django-socketio {KNOWN}" not in report.split("### Passed before")[1], "a known failure is no flip"
    assert f"::error title=dtws regression::channels {CHANNELS}: pass -> fail" in done.stdout
    assert "Not judged" not in report, "the cells this run did not re-run were kept, not lost"

    # The other way round: the cell is fixed; nothing regressed, so the gate is green.
    fixed = gate(str(baseline), "--baseline", str(current))
    assert fixed.returncode == 0, fixed.stdout
    assert "### Did not pass before, passes now (1)" in fixed.stdout
    assert gate(str(current), "--baseline", str(baseline), "--fail-on", "never").returncode == 0


def test_known_failures_keep_the_gate_green(local_run: LocalRun, tmp_path: Path) -> None:
    _done, local = local_run
    results = merged(tmp_path, "run", local)
    same = gate(str(results), "--baseline", str(results))
    assert same.returncode == 0, same.stdout
    assert "## dtws: green: no cell that passed before fails now" in same.stdout
    assert "No cell changed its verdict." in same.stdout
    strict = gate(str(results), "--baseline", str(results), "--fail-on", "any")
    assert strict.returncode == 1 and "cells do not pass" in strict.stdout


def test_a_gate_that_cannot_see_its_baseline_is_not_green(local_run: LocalRun, tmp_path: Path) -> None:
    _done, local = local_run
    results = merged(tmp_path, "run", local)
    missing = gate(str(results), "--baseline", str(tmp_path / "nowhere.json"))
    assert missing.returncode == 2 and "no such baseline" in missing.stdout
    (tmp_path / "bad.json").write_text("{not json")
    bad = gate(str(results), "--baseline", str(tmp_path / "bad.json"))
    assert bad.returncode == 2 and "could not be read" in bad.stdout


def entry(data: results.Results, library: str, cell: str) -> results.Entry:
    return next(item for item in data.cells if (item.library, item.cell) == (library, cell))


def test_each_cell_keeps_its_history_across_runs(local_run: LocalRun, broken: Path, tmp_path: Path) -> None:
    _done, local = local_run
    baseline = merged(tmp_path, "baseline", local)
    first = results.read(baseline)
    current = merged(tmp_path, "current", broken, published=baseline)
    now = results.read(current)
    channels, known = entry(now, "channels", CHANNELS), entry(now, "django-socketio", KNOWN)
    assert [item.status for item in channels.history] == ["pass", "fail"]
    assert channels.record is not None and channels.since == channels.record.provenance.finished_at
    assert [item.status for item in known.history] == ["fail", "fail"]
    earlier = entry(first, "django-socketio", KNOWN).record
    assert earlier is not None and known.since == earlier.provenance.finished_at, "failing since the first run"
    kept = entry(now, "django-socketio", "py27-django18")
    assert kept.kept and [item.status for item in kept.history] == ["fail"]

    again = results.read(merged(tmp_path, "again", broken, published=current))
    assert [item.status for item in entry(again, "channels", CHANNELS).history] == ["pass", "fail"], "no run twice"

    # A site of the first schema (no history) still merges: each cell's record is its history.
    old = json.loads(baseline.read_text())
    old["schema_version"] = 1
    for cell in old["cells"]:
        for name in ("history", "since", "since_run"):
            cell.pop(name)
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "results.json").write_text(json.dumps(old))
    migrated = results.read(merged(tmp_path, "migrated", broken, published=tmp_path / "v1" / "results.json"))
    assert [item.status for item in entry(migrated, "channels", CHANNELS).history] == ["pass", "fail"]
    assert entry(migrated, "django-socketio", KNOWN).since == earlier.provenance.finished_at

    site = pages.plan(current.parent, now)
    pages.write_docs(site, tmp_path / "docs")
    pages.write_cells(site, tmp_path / "site", pages.shell.plain("dtws"))
    ago = when.since_tag(channels.since, site.built_at)  # "3 minutes ago", the ISO form its tooltip
    assert (
        f'✗ No<br><small class="dtws-since">since {ago}</small>'
        in (tmp_path / "docs/libraries/channels.md").read_text()
    )
    page = (tmp_path / "site" / "cells" / "channels" / CHANNELS / "index.html").read_text()
    assert (
        f"<strong>✗ No</strong> since {when.time_tag(channels.since)} ({ago}), over the last 2 runs of this cell."
        " Never flaky in them." in page
    )
    assert page.index('<tr data-status="fail">') < page.index('<tr data-status="pass">'), "newest first"
