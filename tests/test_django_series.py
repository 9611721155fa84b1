"""Django's series from the snapshot of the index (dtws.django_series): what it holds, how it is read and taken."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dtws import django_series
from dtws.django_series import Series, Snapshot
from tests.conftest import dtws, dtws_args

BASE = "https://files.example/django/"


def wheel(version: str, uploaded: str = "2026-01-01T00:00:00Z", yanked: bool = False) -> dict[str, Any]:
    """A file of the index's JSON page of Django (PEP 691), as it answers."""
    name = f"django-{version}-py3-none-any.whl"
    return {"filename": name, "url": BASE + name, "upload-time": uploaded, "yanked": yanked}


def test_the_snapshot_file_is_in_the_form_a_refresh_writes() -> None:
    text = django_series.SNAPSHOT.read_text(encoding="utf-8")
    snapshot = django_series.load()
    assert django_series.dumps(snapshot) == text
    assert len(snapshot.taken) == 10 and snapshot.series[0].series == django_series.OLDEST


def test_each_series_newest_final_and_a_pre_release_newer_than_every_final() -> None:
    """A recorded answer: finals win in their series, a pre-release counts only past the newest final."""
    files: list[dict[str, Any]] = [
        wheel("1.10.8"),  # older than the oldest series
        wheel("6.0.9"),
        wheel("6.0.10", "2026-11-03T15:21:43Z"),
        wheel("6.1rc1"),
        wheel("6.1.3", "2026-11-03T15:21:19Z"),
        wheel("6.1.4", yanked=True),
        wheel("6.2a1", "2027-01-20T10:00:00Z"),
        wheel("6.2.dev20270101"),
        {"filename": "Django-6.1.3.tar.gz", "url": BASE + "Django-6.1.3.tar.gz", "upload-time": "x"},
    ]
    found = django_series.newest_releases(files)
    assert {series: str(version) for series, (version, _, _) in found.items()} == {
        "6.0": "6.0.10",
        "6.1": "6.1.3",
        "6.2": "6.2a1",
    }
    assert found["6.2"][1:] == (BASE + "django-6.2a1-py3-none-any.whl", "2027-01-20T10:00:00Z")
    # Before 6.1.0, its release candidate stands for the series (a pre-release); once 6.1.0 is out, the final does.
    assert django_series.newest_releases([wheel("6.0.10"), wheel("6.1rc1")])["6.1"][0].is_prerelease
    assert not django_series.newest_releases([wheel("6.1.3"), wheel("6.1rc1")])["6.1"][0].is_prerelease


def _series(name: str, pythons: tuple[str, ...], prerelease: bool = False) -> Series:
    return Series(name, name + ".0", "2027-01-01T00:00:00Z", prerelease, pythons, None)


def test_the_matrix_runs_each_lts_and_every_final_series_django_still_supports() -> None:
    snapshot = Snapshot(
        "2027-01-20",
        (
            _series("1.11", ("2.7",)),
            _series("2.0", ("3.5",)),
            _series("5.1", ("3.10",)),
            _series("5.2", ("3.10",)),
            _series("6.0", ("3.12",)),
            _series("6.1", ("3.12",)),
            _series("6.2", ("3.12", "3.13"), prerelease=True),
        ),
    )
    assert [item.series for item in snapshot.matrix()] == ["1.11", "5.2", "6.0", "6.1"]
    assert [item.series for item in snapshot.prereleases()] == ["6.2"]
    # 6.2.0 out: a new series of cells, from the data alone; 6.0's support ends with it, 6.1's goes on until 7.0.
    final = replace(snapshot, series=(*snapshot.series[:-1], _series("6.2", ("3.12", "3.13"))))
    assert [item.series for item in final.matrix()] == ["1.11", "5.2", "6.1", "6.2"]
    later = replace(final, series=(*final.series, _series("7.0", ("3.12", "3.13"))))
    assert [item.series for item in later.matrix()] == ["1.11", "5.2", "6.2", "7.0"]


def test_a_series_supports_the_pythons_its_classifiers_name_that_requires_python_admits() -> None:
    item = Series("4.0", "4.0.10", "2023-02-14T08:25:32Z", False, ("3.7", "3.8", "3.9"), ">=3.8")
    assert item.pythons == ("3.8", "3.9")
    assert replace(item, requires_python=None).pythons == ("3.7", "3.8", "3.9")


@pytest.mark.parametrize("text", ["", "{}", '{"taken": "2026-12-05", "series": [{"series": "6.1"}]}', "[1]"])
def test_a_file_that_is_no_snapshot_is_one_line_naming_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "django_series.json"
    path.write_text(text)
    with pytest.raises(django_series.SnapshotError, match=r"^django_series\.json: not a snapshot") as error:
        django_series.load(path)
    assert "\n" not in str(error.value)


def test_the_command_prints_the_snapshot_and_the_series_the_matrix_runs() -> None:
    done = dtws(dtws_args("django-series"))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Django's series on the index, ") and "django_series.json" in lines[0]
    assert any(line.split()[:3] == ["5.2", django_series.load().series[12].newest, "cells"] for line in lines)
    assert any(line.split()[:3] == ["2.0", "2.0.13", "not"] for line in lines)
