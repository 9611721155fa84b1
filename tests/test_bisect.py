"""Bisect over real releases of a real package, each probe a real, recorded run of the cell."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dtws import bisect, pages, record
from tests.conftest import PROJECT, dtws, dtws_args

CELL = "py312-django52-pysocketio"


@pytest.mark.cells
@pytest.mark.network
def test_the_release_of_websockets_that_todays_uvicorn_needs(tmp_path: Path) -> None:
    """uvicorn serves python-socketio's websockets; it needs websockets' ServerProtocol, which 10.4 lacks."""
    args = ["bisect", CELL, "--package", "websockets", "--releases", "8.1,10.4,15.0.1", "--step", "websocket-server"]
    done = dtws(
        dtws_args(*args, "--every", "--results", str(tmp_path / "bisect"), "--toxworkdir", str(tmp_path / "tox"))
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.loads((tmp_path / "bisect" / bisect.FILENAME).read_text())
    assert (found["good"], found["bad"], found["every"]) == ("15.0.1", "10.4", True)
    assert "ServerProtocol" in found["why"]
    assert found["answer"].startswith(
        "websockets: last bad 10.4, first good 15.0.1 (every one of 3 releases probed) — websocket-server: ImportError"
    )
    assert {probe["version"]: probe["verdict"] for probe in found["probes"]} == {
        "8.1": "bad",
        "15.0.1": "good",
        "10.4": "bad",
    }
    for probe in found["probes"]:  # each probe is a cell record like any, with the release it pinned
        rec = record.read(tmp_path / "bisect" / probe["record"] / record.FILENAME)
        assert rec.provenance.packages["websockets"] == probe["version"]
        assert (rec.status == "pass") == (probe["verdict"] == "good")

    # On the site: the bisect's page, each probe's cell page, and the answer on the library's page.
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(PROJECT / "mkdocs.yml", project)
    shutil.copytree(PROJECT / "site", project / "site", ignore=shutil.ignore_patterns(*pages.GENERATED))
    merged = dtws(dtws_args("merge", str(tmp_path / "bisect" / "15.0.1"), "--out", str(tmp_path / "merged")))
    assert merged.returncode == 0, merged.stdout
    built = dtws(
        dtws_args("site", str(tmp_path / "merged"), "--project", str(project), "--bisect", str(tmp_path / "bisect"))
    )
    assert built.returncode == 0, built.stdout
    site = project / "build" / "site"
    page = (site / "bisect" / f"{CELL}-websockets" / "index.html").read_text()
    assert found["answer"].split(" — ")[0] in page
    for version in ("8.1", "10.4", "15.0.1"):
        assert f'<a href="{version}/cells/python-socketio/{CELL}/">{version}</a>' in page
        probe_page = site / "bisect" / f"{CELL}-websockets" / version / "cells" / "python-socketio" / CELL
        assert f"websockets=={version}" in (probe_page / "index.html").read_text()
    library = (site / "libraries" / "python-socketio" / "index.html").read_text()
    assert f'<a href="../../bisect/{CELL}-websockets/">websockets: last bad 10.4, first good 15.0.1' in library


@pytest.mark.network
def test_the_releases_a_bisect_considers() -> None:
    versions, left_out = bisect.releases_of("gevent", "2.7")
    assert "1.1.1" in versions and "1.0.2" in versions and "22.10.2" in versions
    assert versions.index("1.0.2") < versions.index("1.1.1") < versions.index("22.10.2"), "oldest first, by version"
    assert not any("win" in version for version in versions + list(left_out))
    modern, unfit = bisect.releases_of("websockets", "3.12")
    assert unfit["4.0"] == "no file for Python 3.12" and "4.0" not in modern and "15.0.1" in modern
    # A range picks from the index's; a list is taken as given.
    lines = bisect.left_out_lines("Django", bisect.chosen("Django", "2.7", ">=1.8")[1])
    assert lines[0].startswith("left out ") and "releases of Django (2.0 to " in lines[0], "one line per reason"
    assert lines[0].endswith("): no file for Python 2.7") and any("4.2.12" in line for line in lines[1:])
    series, _ = bisect.chosen("Django", "2.7", ">=1.8,<1.9")
    assert series == ["1.8", *(f"1.8.{n}" for n in range(1, 20))]
    assert bisect.chosen("Django", "2.7", "1.9, 1.8.19") == (["1.9", "1.8.19"], {})
    with pytest.raises(bisect.BisectError, match="not a version range"):
        bisect.chosen("Django", "2.7", ">=1.8,=<2")


@pytest.mark.cells
@pytest.mark.network
def test_a_bisect_of_django_itself_names_the_release_across_series(tmp_path: Path) -> None:
    """Django is the cell's own requirement: the probe installs the release named, even of another series."""
    args = ["bisect", CELL, "--package", "Django", "--releases", "4.2.20,5.2.1", "--step", "install"]
    done = dtws(dtws_args(*args, "--results", str(tmp_path / "bisect"), "--toxworkdir", str(tmp_path / "tox")))
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.loads((tmp_path / "bisect" / bisect.FILENAME).read_text())
    assert found["answer"] == (
        "Django: install passes under the oldest and newest releases that could judge (4.2.20, 5.2.1):"
        " no flip to bisect"
    )
    for probe in found["probes"]:
        rec = record.read(tmp_path / "bisect" / probe["record"] / record.FILENAME)
        assert rec.provenance.django_version == probe["version"]


@pytest.mark.parametrize("given", ["1.8,../../x", "1.8,/tmp/victim", "1.8,latest"])
def test_a_release_given_that_is_no_release_is_refused(given: str) -> None:
    """A release names its probe's folder: one that is no version, or no single part of a path, is refused."""
    with pytest.raises(bisect.BisectError, match=f"^--releases: '{given.split(',')[1]}' is not a release"):
        bisect.chosen("Django", "2.7", given)
