"""Times as people read them (dtws.when), and no page of a built site that shows a raw ISO time."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

from bs4 import BeautifulSoup

from dtws import matrix, pages, record, results, when
from dtws.merge import merge
from tests.conftest import PROJECT

NOW = datetime(2026, 12, 8, 22, 0, tzinfo=timezone.utc)
RAW = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def test_a_time_reads_as_people_read_it() -> None:
    assert when.shown("2026-12-05T21:56:08+00:00") == "5 Dec 2026, 21:56 UTC"
    assert when.shown("2026-12-05T22:56:08+01:00") == "5 Dec 2026, 21:56 UTC"
    assert when.shown("2026-12-05T21:56:08Z") == "5 Dec 2026, 21:56 UTC"
    assert when.shown("2026-12-05") == "5 Dec 2026"
    assert when.shown("not a time") == "not a time"
    assert when.month("2025-11-20T10:00:00+00:00") == "Nov 2025"


def test_a_since_reads_as_how_long_before_the_build() -> None:
    assert when.ago("2026-12-05T21:56:08+00:00", NOW) == "3 days ago"
    assert when.ago("2026-12-08T21:00:00+00:00", NOW) == "1 hour ago"
    assert when.ago("2026-12-08T21:59:30+00:00", NOW) == "just now"
    assert when.ago("2025-10-01T00:00:00+00:00", NOW) == "1 year ago"
    assert when.ago("2026-12-10T22:00:00+00:00", NOW) == "in 2 days"  # a clock behind: said, not hidden


def test_the_iso_form_stays_in_the_tooltip() -> None:
    tag = str(when.time_tag("2026-12-05T21:56:08+00:00"))
    assert tag == (
        '<time datetime="2026-12-05T21:56:08+00:00" title="2026-12-05T21:56:08+00:00">5 Dec 2026, 21:56 UTC</time>'
    )
    assert str(when.since_tag("2026-12-05T21:56:08+00:00", NOW)).endswith(">3 days ago</time>")
    assert str(when.time_tag(None)) == "—"
    assert str(when.time_tag("<b>x</b>")) == "&lt;b&gt;x&lt;/b&gt;"  # no time: shown as the text it is, escaped


def _record(root: Path, env: str, finished: str, checked: str | None = None) -> None:
    cell = matrix.get(env)
    rec = record.CellRecord(cell.library, cell.env, cell.python, cell.django, status="fail", reason="check: boom")
    rec.steps = [record.Step("install", [], verdict="fail", duration_s=1.0, started_at=finished)]
    rec.provenance.started_at, rec.provenance.finished_at = finished, finished
    rec.provenance.checked_at = checked
    record.write(rec, root / cell.library / cell.env)


def visible(html: str) -> str:
    """What a page shows of its own: its text (spaces as they read), not its attributes, scripts or styles, nor the
    logs it quotes as they are (a server's own timestamps)."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in [*soup(["script", "style"]), *soup.select("pre.dtws-log")]:
        hidden.decompose()
    return " ".join(soup.get_text().split())


def test_no_page_shows_a_raw_iso_time(tmp_path: Path) -> None:
    """Every page dtws writes (those mkdocs builds, the cell pages, the runs'), and the table's data."""
    _record(tmp_path / "run", "py27-django18", "2026-12-05T21:56:08+00:00", checked="2026-12-06T08:00:00+00:00")
    _record(tmp_path / "run", "py312-django52-channels", "2026-12-01T10:00:00+00:00")
    done = merge([tmp_path / "run"], tmp_path / "out", run=results.RunInfo(dtws_version="test"), project=PROJECT)
    assert any(entry.since for entry in done.cells)
    site = pages.plan(tmp_path / "out", results.read(tmp_path / "out" / results.FILENAME), built_at=NOW)
    docs = tmp_path / "docs"
    pages.write_docs(site, docs)
    pages.write_cells(site, docs, pages.shell.plain("dtws"))
    pages.write_runs(site, docs, pages.shell.plain("dtws"))
    written = [path for path in docs.rglob("*") if path.suffix in (".md", ".html")]
    assert len(written) > 10
    for path in written:
        text = visible(path.read_text(encoding="utf-8"))
        assert not RAW.search(text), (path, RAW.findall(text))
    cell = visible((docs / "cells" / "django-socketio" / "py27-django18" / "index.html").read_text())
    assert "finished 5 Dec 2026, 21:56 UTC. Unchanged since" in cell and "checked again 6 Dec 2026, 08:00 UTC" in cell
    other = visible((docs / "cells" / "channels" / "py312-django52-channels" / "index.html").read_text())
    assert "finished 1 Dec 2026, 10:00 UTC. This page is the cell's permalink" in other
    assert "since 5 Dec 2026, 21:56 UTC (3 days ago)" in cell
    table = json.loads((docs / pages.TABLE).read_text())
    shown = [row[11] for row in table["cells"] if row[11]]  # [seconds since 1970, seconds before the build]
    assert sorted(when.said_ago(before) for _, before in shown) == ["1 week ago", "3 days ago"]
    moments = sorted(datetime.fromtimestamp(moment, when.UTC).isoformat() for moment, _ in shown)
    assert moments == ["2026-12-01T10:00:00+00:00", "2026-12-05T21:56:08+00:00"]
