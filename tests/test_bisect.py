"""Bisect over real releases of a real package, each probe a real, recorded run of the cell."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dtws import bisect, matrix, pages, record
from dtws.steps import NAMES
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
    py27 = matrix.get("py27-django18")
    lines = bisect.left_out_lines("Django", bisect.chosen(py27, "Django", ">=1.8")[1])
    assert lines[0].startswith("left out ") and "releases of Django (2.0 to " in lines[0], "one line per reason"
    assert lines[0].endswith("): no file for Python 2.7") and any("4.2.12" in line for line in lines[1:])
    series, _ = bisect.chosen(py27, "Django", ">=1.8,<1.9")
    assert series == ["1.8", *(f"1.8.{n}" for n in range(1, 20))]
    assert bisect.chosen(py27, "Django", "1.9, 1.8.19") == (["1.9", "1.8.19"], {})
    with pytest.raises(bisect.BisectError, match="not a version range"):
        bisect.chosen(py27, "Django", ">=1.8,=<2")


@pytest.mark.network
def test_by_default_a_bisect_of_django_considers_the_series_the_matrix_has_and_after() -> None:
    """Django 1.1.3 is no release django-socketio's cells run on: the oldest series of its matrix on 2.7 is 1.8."""
    versions, left_out = bisect.chosen(matrix.get("py27-django19"), "Django")
    assert (versions[0], versions[-1], len(versions)) == ("1.8", "1.11.29", 72)
    older = "older than 1.8, the oldest Django series of django-socketio's cells on Python 2.7"
    assert left_out["1.1.3"] == left_out["1.7.11"] == older
    assert any(line.endswith(f"(1.1.3 to 1.7.11): {older}") for line in bisect.left_out_lines("Django", left_out))
    assert bisect.chosen(matrix.get("py312-django52-pysocketio"), "Django")[0][0] == "4.2", "3.2 is not run on 3.12"
    assert "1.1.3" in bisect.chosen(matrix.get("py27-django19"), "Django", ">=1.0")[0], "a range is as given"
    assert bisect.chosen(matrix.get("py27-django19"), "gevent")[0][0] == "0.9.2", "another package: every release"


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
        bisect.chosen(matrix.get("py27-django18"), "Django", given)


@pytest.mark.cells
@pytest.mark.network
def test_the_natural_bisect_of_django_finds_the_release_that_broke_the_cell(tmp_path: Path) -> None:
    """`bisect py27-django19 --package Django`, as a user first types it: no range, no step.

    The cell fails its check under its own release (1.9.13): django.utils.importlib
    is gone. A probe is bad only when the check fails so; 1.8.x pass the check
    (their cell fails later, at the websocket server: not this failure).
    """
    results = tmp_path / "bisect"
    args = ["bisect", "py27-django19", "--package", "Django", "--results", str(results)]
    done = dtws(dtws_args(*args, "--toxworkdir", str(tmp_path / "tox")))
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.loads((results / bisect.FILENAME).read_text())
    cause = "django.utils.importlib was removed in Django 1.9"
    assert (found["good"], found["bad"]) == ("1.8.19", "1.9")
    assert (
        found["answer"].startswith("Django: last good 1.8.19, first bad 1.9 — check: ImportError")
        and cause in found["answer"]
    )
    assert (found["step"], found["reference"], found["failure"]["step"], found["failure"]["cause"]) == (
        None,
        "1.9.13",
        "check",
        cause,
    )
    assert (found["releases"][0], found["releases"][-1]) == ("1.8", "1.11.29")
    assert found["probes"][0]["version"] == "1.9.13", "the cell's own release first: it says how the cell fails"
    for probe in found["probes"]:
        rec = record.read(results / probe["record"] / record.FILENAME)
        assert rec.provenance.django_version == probe["version"]
        if probe["verdict"] == "bad":
            assert cause in (rec.step("check").error_line or "")
        else:
            assert (probe["verdict"], rec.step("check").verdict) == ("good", "pass")
            assert rec.status == "fail", "the cell fails later under 1.8.x: good is the cell's failure gone"
    assert len(found["probes"]) <= 8, "a binary search between 1.8 and 1.9.13, not a walk down from 1.11.29"
    assert "  Django 1.9.13 (the cell's own): bad (check fail); the cell: check: ImportError" in done.stdout
    assert f"  bad when check fails so, good when it passes, unusable when it fails otherwise ({cause})" in done.stdout
    assert "releases of Django (1.1.3 to 1.7.11): older than 1.8" in done.stdout


IMPORTLIB = "django.utils.importlib was removed in Django 1.9"
PATTERNS = "django.conf.urls.patterns was removed in Django 1.10"


def probe_record(django: str, verdicts: dict[str, record.StepVerdict], errors: dict[str, str]) -> record.CellRecord:
    """A record of py27-django19 under ``django``, as a probe's: each step's verdict, and its first error."""
    cell = matrix.get("py27-django19")
    rec = record.CellRecord(cell.library, cell.env, cell.python, cell.django, status="pass")
    rec.provenance.packages = {"Django": django}
    rec.steps = [
        record.Step(name, [], verdict=verdicts.get(name, "pass"), error_line=errors.get(name)) for name in NAMES
    ]
    failed = next((step for step in rec.steps if step.verdict in ("fail", "timeout")), None)
    if failed is not None:
        rec.status = "fail" if failed.verdict == "fail" else "timeout"
        rec.reason = f"{failed.name}: {failed.error_line}"
    return rec


def judged(rec: record.CellRecord, version: str, failure: bisect.Failure | None) -> tuple[str, str | None]:
    probe = bisect.judge(rec, f"{version}/django-socketio/py27-django19", "Django", version, None, failure)
    return probe.verdict, probe.why


def test_a_probe_is_bad_only_when_it_fails_as_the_cell_does() -> None:
    """The cell's own failure (its release's probe) is what a bad probe repeats: another failure cannot judge."""
    error = f"ImportError: No module named importlib (django_socketio/urls.py line 4) — {IMPORTLIB}"
    own = probe_record("1.9.13", {"check": "fail"}, {"check": error})
    failure = bisect.failure_of(own, None)
    assert failure == bisect.Failure("check", "fail", error, IMPORTLIB)
    assert judged(own, "1.9.13", failure) == ("bad", None)
    # The same known cause in other words (Python 3's ModuleNotFoundError), or the same error elsewhere: bad.
    py3 = (
        f"ModuleNotFoundError: No module named 'django.utils.importlib' (django_socketio/urls.py line 4) — {IMPORTLIB}"
    )
    assert judged(probe_record("1.9", {"check": "fail"}, {"check": py3}), "1.9", failure) == ("bad", None)
    unknown = bisect.Failure("check", "fail", "KeyError: 'x' (a/b.py line 3)", None)
    assert (
        judged(probe_record("1.9", {"check": "fail"}, {"check": "KeyError: 'x' (a/b.py line 9)"}), "1.9", unknown)[0]
        == "bad"
    )
    # The cell's failure gone: good, though the cell fails later for another reason.
    later = probe_record("1.8.19", {"websocket-server": "fail"}, {"websocket-server": "TypeError: call_wsgi_app"})
    assert judged(later, "1.8.19", failure) == ("good", None)
    # Another failure of the step, an earlier step's failure, a pin that did not hold: cannot judge, saying why.
    patterns = f"ImportError: cannot import name patterns (django_socketio/urls.py line 1) — {PATTERNS}"
    assert judged(probe_record("1.10", {"check": "fail"}, {"check": patterns}), "1.10", failure) == (
        "unusable",
        "check fails otherwise than the cell does: not the failure bisected",
    )
    timeout = probe_record("1.9.1", {"check": "timeout"}, {"check": error})
    assert judged(timeout, "1.9.1", failure)[0] == "unusable"
    skipped = probe_record("1.1.3", {"install": "fail", "check": "skipped"}, {"install": "exit code 1"})
    assert judged(skipped, "1.1.3", failure) == ("unusable", "check skipped: an earlier step failed")
    assert judged(own, "1.9.12", failure) == ("unusable", "the pin did not hold: Django 1.9.13 installed")
    # With no failure to repeat (the cell passes under its own release), a probe is judged by its own verdict.
    assert judged(probe_record("1.10", {"check": "fail"}, {"check": patterns}), "1.10", None) == ("bad", None)
    assert bisect.failure_of(later, "check") is None
