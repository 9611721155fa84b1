"""Runs as of a date: every package the newest release the index had before that day, never mixed with today's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from dtws import asof, pages, record, results
from tests.conftest import PROJECT, dtws, dtws_args, table_cells

REVIEW_DAY = "2016-04-19"  # the day of shared/reference's review (its runserver output says so)
CELL = "py27-django18"


def test_the_index_as_of_a_date_lists_only_what_was_uploaded_before_it() -> None:
    project = {
        "name": "demo",
        "files": [
            {"filename": "demo-1.0.tar.gz", "url": "https://files.example/demo-1.0.tar.gz",
             "hashes": {"sha256": "aa"}, "upload-time": "2016-04-18T23:59:59.000000Z"},
            {"filename": "demo-2.0.tar.gz", "url": "https://files.example/demo-2.0.tar.gz",
             "hashes": {"sha256": "bb"}, "upload-time": "2016-04-19T00:00:00.000000Z", "requires-python": ">=3"},
            {"filename": "demo-0.9.tar.gz", "url": "https://files.example/demo-0.9.tar.gz", "hashes": {},
             "upload-time": "2015-01-01T00:00:00Z", "requires-python": "<4&>2", "yanked": "broken"},
        ],
    }  # fmt: skip
    page = asof.page(project, asof.cutoff(asof.parse(REVIEW_DAY)))
    assert '<a href="https://files.example/demo-1.0.tar.gz#sha256=aa">demo-1.0.tar.gz</a>' in page
    assert "demo-2.0" not in page, "uploaded on the day itself: after the run looks back from"
    assert 'data-requires-python="&lt;4&amp;&gt;2" data-yanked="broken">demo-0.9.tar.gz' in page
    with pytest.raises(asof.AsOfError, match="in the future"):
        asof.parse("2999-01-01")


@pytest.mark.cells
@pytest.mark.network
def test_the_reviews_cells_as_of_its_day(tmp_path: Path) -> None:
    """The review's cells with the releases of 2016-04-19: pip on Python 2.7, through the harness's dated index."""
    cells = (CELL, "py27-django19", "py33-django18")
    done = dtws(
        dtws_args("run", *cells, "--as-of", REVIEW_DAY, "--toxworkdir", str(tmp_path / "tox"), "--retries", "0")
        + ["--results", str(tmp_path / "results")]
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rec = record.read(tmp_path / "results" / "django-socketio" / CELL / record.FILENAME)
    assert rec.provenance.as_of == REVIEW_DAY
    packages = {name.lower(): version for name, version in rec.provenance.packages.items()}
    # The newest releases before 2016-04-19 (Django 1.8.12: 2016-04-01; gevent 1.1.1: 2016-04-04).
    assert packages["django"] == "1.8.12" and packages["gevent"] == "1.1.1"
    assert packages["django-socketio"] == "0.3.9" and packages["gevent-socketio"] == "0.2.1"
    assert rec.step("install").verdict == "pass"
    # As the review found that day: the socket server does not answer a websocket handshake.
    assert rec.step("websocket-server").verdict == "fail"
    assert "call_wsgi_app" in (rec.step("websocket-server").error_line or "")

    # Never mixed with today's: a plain merge leaves it out and says why; --as-of merges it.
    today = dtws(dtws_args("merge", str(tmp_path / "results"), "--out", str(tmp_path / "today")))
    assert f"a record as of {REVIEW_DAY}, not merged with the records of today" in today.stdout
    then = dtws(dtws_args("merge", str(tmp_path / "results"), "--out", str(tmp_path / "then"), "--as-of", REVIEW_DAY))
    assert then.returncode == 0, then.stdout
    merged = results.read(tmp_path / "then" / results.FILENAME)
    assert merged.as_of == REVIEW_DAY and sum(entry.record is not None for entry in merged.cells) == 3

    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(PROJECT / "mkdocs.yml", project)
    shutil.copytree(PROJECT / "site", project / "site", ignore=shutil.ignore_patterns(*pages.GENERATED))
    built = dtws(
        dtws_args("site", str(tmp_path / "today"), "--project", str(project), "--as-of", str(tmp_path / "then"))
    )
    assert built.returncode == 0, built.stdout
    site = project / "build" / "site"
    assert f'<a href="as-of/{REVIEW_DAY}/">as of {REVIEW_DAY}</a>' in (site / "index.html").read_text()
    table = json.loads((site / "as-of" / REVIEW_DAY / "table.json").read_text())
    row = table_cells(table)[CELL]
    assert row["versions"][1] == "1.8.12" and row["columns"][-1] == "fail"
    cell_page = (site / "as-of" / REVIEW_DAY / "cells" / "django-socketio" / CELL / "index.html").read_text()
    assert "1.8.12" in cell_page and "call_wsgi_app" in cell_page

    # The review reproduced: its table beside these cells, every difference explained.
    review = BeautifulSoup((site / "review" / "index.html").read_text(), "html.parser")
    rows = {tr["data-cell"]: tr for tr in review.select("table.dtws-review tbody tr")}
    assert len(rows) == 7
    marks = [td.get_text(" ", strip=True) for td in rows[CELL].find_all("td")[2:]]
    assert [mark.split(" ")[1] for mark in marks] == ["Yes", "Yes", "No", "No", "No", "No"]  # review, dtws, ...
    assert all(td["data-same"] == "yes" for td in rows[CELL].select("td[data-same]")), "as the review saw it"
    assert "call_wsgi_app" in marks[3]
    assert "django.utils.importlib was removed in Django 1.9" in rows["py27-django19"].get_text()
    unavailable = rows["py33-django18"].select("td[data-same]")[0]
    assert unavailable["data-same"] == "no" and "no Python 3.3 on the machine that ran it" in unavailable.get_text()
    assert "not run as of that day" in rows["py35-django19"].get_text()
    assert '<a href="review/">' in (site / "index.html").read_text()
    # Its other answers beside today's (this site's today has no cell that installed django-socketio).
    said = {tr["data-question"]: tr for tr in review.select("table.dtws-review-answers tbody tr")}
    assert said["tests"].find_all("td")[0].get_text() == "Yes, about 6 assertions."
    assert said["tests"].find_all("td")[1].get_text() == "cannot be answered: no cell installed it here"
    questions = {dd["data-bisect"]: dd.get_text(" ", strip=True) for dd in review.select("dd[data-bisect]")}
    assert questions == {
        "py27-django18-gevent": "Not bisected on this site yet.",
        "py27-django18-Django": "Not bisected on this site yet.",
    }


@pytest.mark.cells
@pytest.mark.network
def test_a_uv_cell_as_of_a_date(tmp_path: Path) -> None:
    """uv-installed envs look back too (UV_EXCLUDE_NEWER, which tox.ini passes to the install)."""
    cell = "py312-django52-channels"
    args = [
        "cell",
        cell,
        "--as-of",
        "2025-06-01",
        "--results",
        str(tmp_path / "r"),
        "--toxworkdir",
        str(tmp_path / "t"),
    ]
    done = dtws(dtws_args(*args))
    assert done.returncode == 0, done.stdout + done.stderr
    rec = record.read(tmp_path / "r" / "channels" / cell / record.FILENAME)
    packages = {name.lower(): version for name, version in rec.provenance.packages.items()}
    assert rec.provenance.installer == "uv" and rec.provenance.as_of == "2025-06-01"
    # The newest before 2025-06-01: Django 5.2.1 (5.2.2 came on 2025-06-04), channels 4.2.2, daphne 4.2.0.
    assert (packages["django"], packages["channels"], packages["daphne"]) == ("5.2.1", "4.2.2", "4.2.0")
    assert rec.status == "pass"
