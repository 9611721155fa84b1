"""Bisect over a short list of real releases of a real package, each probe a real, recorded run of the cell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dtws import bisect, record
from tests.conftest import dtws, dtws_args

CELL = "py312-django52-pysocketio"

pytestmark = [pytest.mark.cells, pytest.mark.network]


def test_the_release_of_websockets_that_todays_uvicorn_needs(tmp_path: Path) -> None:
    """uvicorn serves python-socketio's websockets; it needs websockets' ServerProtocol, which 10.4 lacks."""
    args = ["bisect", CELL, "--package", "websockets", "--releases", "8.1,10.4,15.0.1", "--step", "websocket-server"]
    done = dtws(dtws_args(*args, "--results", str(tmp_path / "bisect"), "--toxworkdir", str(tmp_path / "tox")))
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.loads((tmp_path / "bisect" / bisect.FILENAME).read_text())
    assert (found["good"], found["bad"]) == ("15.0.1", "10.4")
    assert "ServerProtocol" in found["why"]
    assert found["answer"].startswith("websockets: first good 15.0.1, last bad 10.4 — websocket-server: ImportError")
    assert {probe["version"]: probe["verdict"] for probe in found["probes"]} == {
        "8.1": "bad",
        "15.0.1": "good",
        "10.4": "bad",
    }
    for probe in found["probes"]:  # each probe is a cell record like any, with the release it pinned
        rec = record.read(tmp_path / "bisect" / probe["record"] / record.FILENAME)
        assert rec.provenance.packages["websockets"] == probe["version"]
        assert (rec.status == "pass") == (probe["verdict"] == "good")


def test_the_releases_a_bisect_considers() -> None:
    versions, left_out = bisect.releases("gevent", "2.7")
    assert "1.1.1" in versions and "1.0.2" in versions and "22.10.2" in versions
    assert versions.index("1.0.2") < versions.index("1.1.1") < versions.index("22.10.2"), "oldest first, by version"
    assert not any("win" in version for version in versions + list(left_out))
    modern, unfit = bisect.releases("websockets", "3.12")
    assert unfit["4.0"] == "no file for Python 3.12" and "4.0" not in modern and "15.0.1" in modern
