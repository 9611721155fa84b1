from __future__ import annotations

import configparser
import io
import re
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from functools import partial

import pytest

from dtws import matrix
from dtws.solutions import LIBRARIES, library
from tests.conftest import PROJECT

run = partial(subprocess.run, cwd=PROJECT, capture_output=True, text=True, check=True)


def tox(*args: str) -> str:
    return run([sys.executable, "-m", "tox", *args]).stdout


def test_the_reviews_seven_cells_are_cells() -> None:
    names = {cell.env for cell in matrix.CELLS}
    review = {
        "py27-django18",
        "py27-django19",
        "py33-django18",
        "py33-django19",
        "py34-django18",
        "py34-django19",
        "py35-django19",
    }
    assert review <= names


def test_the_cells_are_the_reviews_and_what_each_library_claims() -> None:
    by_library = {lib.name: [c for c in matrix.CELLS if c.library == lib.name] for lib in LIBRARIES}
    assert by_library["faults"] == []
    assert len(by_library["django-socketio"]) == 39
    assert [c.env for c in by_library["django-socketio-workaround"]] == [
        "py27-django18-workaround",
        "py33-django18-workaround",
        "py34-django18-workaround",
        "py27-django19-workaround",
        "py33-django19-workaround",
        "py34-django19-workaround",
        "py35-django19-workaround",
    ]
    channels = [c for c in by_library["channels"] if not c.in_review]
    assert {c.django for c in channels} == {"4.2", "5.2", "6.0"}
    assert {c.python for c in channels} == {"3.9", "3.10", "3.11", "3.12", "3.13", "3.14"}
    assert len(by_library["channels"]) == 7 + 12
    # Channels on Redis: the cells of Channels, which channels-redis requires (it names no Django itself).
    assert [(c.python, c.django) for c in by_library["channels-redis"]] == [
        (c.python, c.django) for c in by_library["channels"]
    ]
    assert len(by_library["python-socketio"]) == 7 + 20
    assert {c.django for c in by_library["python-socketio"] if not c.in_review} == {"3.2", "4.2", "5.2", "6.0", "6.1"}
    # Tornado claims no Django: every Python × Django cell Django supports, as django-socketio.
    assert [(c.python, c.django) for c in by_library["tornado"]] == [
        (c.python, c.django) for c in by_library["django-socketio"]
    ]
    assert len(by_library["tornado"]) == 39
    for cell in matrix.CELLS:
        assert cell.in_review or cell.python in matrix.DJANGO_PYTHONS[cell.django], cell.env
    assert [c.env for c in by_library["django-socketio"] if c.django == "6.1"] == [
        "py312-django61",
        "py313-django61",
        "py314-django61",
        "py315-django61",
    ]


def test_cell_names_and_requirements() -> None:
    cell = matrix.get("py312-django52")
    assert (cell.python, cell.django, cell.library) == ("3.12", "5.2", "django-socketio")
    assert cell.django_requirement == "Django>=5.2,<5.3"
    assert matrix.get("py312-django52-channels").library == "channels"
    assert matrix.get("py27-django111").django_requirement == "Django>=1.11,<1.12"


def test_an_unknown_cell_names_the_known_ones() -> None:
    with pytest.raises(matrix.UnknownCell, match="py27-django18"):
        matrix.get("py99-django99")


def test_tox_envlist_equals_the_matrix() -> None:
    listed = tox("-l").split()
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(cell.env for cell in matrix.CELLS + matrix.TEST_CELLS)


def test_the_test_only_library_is_selectable_but_no_cell_of_the_matrix() -> None:
    drill = matrix.get("py312-django52-faults")
    assert drill.library == "faults" and drill in matrix.TEST_CELLS
    assert all(cell.library != "faults" for cell in matrix.CELLS)
    with pytest.raises(matrix.UnknownCell) as error:
        matrix.get("py99-django99")
    assert "faults" not in str(error.value)


def test_the_envs_uv_installs_write_their_bytecode_and_the_others_none() -> None:
    """pip compiles what it installs, uv none: the processes of the envs uv installs write their bytecode (dtws too)."""
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(PROJECT / "tox.ini")
    lines = [line.partition(": ") for line in ini["testenv"]["install_command"].splitlines()]
    uv = {factors for factors, _, command in lines if command.startswith("uv ")}
    assert len(uv) == 1
    by_uv = {f"py{version}" for version in re.findall(r"\d+", uv.pop())}
    envs = ",".join(cell.env for cell in matrix.CELLS + matrix.TEST_CELLS)
    sections = re.findall(
        r"\[testenv:([^\]]+)\]\nset_env =\n((?:  .*\n?)+)", tox("config", "-e", envs, "-k", "set_env")
    )
    assert len(sections) == len(matrix.CELLS + matrix.TEST_CELLS)
    for env, set_env in sections:
        said = dict(line.strip().partition("=")[::2] for line in set_env.splitlines())
        assert said["PYTHONDONTWRITEBYTECODE"] == ("" if env.split("-")[0] in by_uv else "1"), env


def test_tox_installs_what_the_matrix_says() -> None:
    envs = ",".join(cell.env for cell in matrix.CELLS)
    config = tox("config", "-e", envs, "-k", "deps")
    sections = dict(re.findall(r"\[testenv:([^\]]+)\]\ndeps =\n((?:  .*\n?)+)", config))
    for cell in matrix.CELLS:
        deps = [line.strip() for line in sections[cell.env].splitlines()]
        # Its Django, its library's deps as declared (no other library's), coverage.
        assert deps == [cell.django_requirement, *library(cell.library).deps, "coverage"], cell.env
    pins = ("django-socketio==0.3.9", "gevent-socketio==0.2.1", "gevent==0.13.6")
    assert library("django-socketio-workaround").deps == pins, "the review's workaround, as it pinned them"


def test_the_newest_django_release_is_in_the_matrix(django_files: list[dict[str, str]]) -> None:
    finals = re.compile(r"^[Dd]jango-(\d+)\.(\d+)(?:\.\d+)?-py.*\.whl$")
    series = {(int(m.group(1)), int(m.group(2))) for f in django_files if (m := finals.match(f["filename"]))}
    newest = ".".join(map(str, max(series)))
    assert newest in matrix.DJANGO_PYTHONS


def _newest_release_metadata(series: str, files: list[dict[str, str]]) -> str:
    pattern = re.compile(rf"^[Dd]jango-({re.escape(series)}(?:\.\d+)?)-py.*\.whl$")
    wheels = [(m.group(1), f["url"]) for f in files if (m := pattern.match(f["filename"]))]
    _version, url = max(wheels, key=lambda item: tuple(int(p) for p in item[0].split(".")))
    try:
        with urllib.request.urlopen(url + ".metadata", timeout=60) as response:
            return str(response.read().decode("utf-8"))
    except urllib.error.HTTPError:  # no PEP 658 metadata file served: read it from the wheel
        with urllib.request.urlopen(url, timeout=120) as response:
            wheel = zipfile.ZipFile(io.BytesIO(response.read()))
        name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        return wheel.read(name).decode("utf-8")


@pytest.mark.parametrize("series", sorted(matrix.DJANGO_PYTHONS))
def test_django_series_pythons_match_djangos_own_claims(series: str, django_files: list[dict[str, str]]) -> None:
    """The newest release of each series lists exactly the matrix's Pythons in its classifiers."""
    metadata = _newest_release_metadata(series, django_files)
    claimed = set(re.findall(r"^Classifier: Programming Language :: Python :: (\d\.\d+)\s*$", metadata, re.MULTILINE))
    assert claimed == set(matrix.DJANGO_PYTHONS[series])
