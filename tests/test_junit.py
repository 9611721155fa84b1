"""JUnit XML from real cells, valid against Jenkins' JUnit schema (junit-10.xsd), per cell and merged."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import xmlschema

from dtws import junit
from tests.conftest import dtws, dtws_args

LocalRun = tuple[subprocess.CompletedProcess[str], Path]


def cases(path: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(path).getroot()
    return {(suite.get("name", ""), case.get("name", "")): case for suite in root for case in suite.iter("testcase")}


def test_each_cell_writes_junit_that_validates(local_run: LocalRun, junit_schema: bytes, tmp_path: Path) -> None:
    _done, local = local_run
    schema = xmlschema.XMLSchema(junit_schema.decode())
    written = sorted(local.glob(f"*/*/{junit.FILENAME}"))
    assert len(written) == len(list(local.glob("*/*/result.json"))) > 0
    for path in written:
        schema.validate(str(path))

    found = cases(local / "django-socketio" / "py27-django18" / junit.FILENAME)
    failure = found[("django-socketio py27-django18", "websocket-server")].find("failure")
    assert failure is not None and failure.get("type") == "fail"
    assert (failure.get("message") or "").startswith("TypeError: handle_one_response() got an unexpected keyword")
    assert "Traceback (most recent call last)" in (failure.text or ""), "the log's lines up to the error"
    assert found[("django-socketio py27-django18", "install")].find("failure") is None
    skipped = found[("django-socketio py27-django18", "browser")].find("skipped")
    assert skipped is not None and "needs" in (skipped.get("message") or "")
    unavailable = cases(local / "django-socketio" / "py33-django18" / junit.FILENAME)
    assert all(case.find("skipped") is not None for case in unavailable.values())

    merged = tmp_path / "merged"
    done = dtws(dtws_args("merge", str(local), "--out", str(merged)))
    assert done.returncode == 0, done.stdout
    schema.validate(str(merged / junit.FILENAME))
    suites = ET.parse(merged / junit.FILENAME).getroot().findall("testsuite")
    assert {suite.get("name") for suite in suites} >= {
        "channels py312-django52-channels",
        "django-socketio py27-django18",
    }
    channels = next(suite for suite in suites if suite.get("name") == "channels py312-django52-channels")
    assert (channels.get("tests"), channels.get("failures"), channels.get("errors")) == ("7", "0", "0")
