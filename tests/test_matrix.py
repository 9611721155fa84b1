from __future__ import annotations

import configparser
import re
import subprocess
import sys
from functools import partial

import pytest

from dtws import django_series, matrix
from dtws.libraries import LIBRARIES, library
from dtws.versions import series_key
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


def test_every_library_but_the_workaround_gets_every_cell_django_supports() -> None:
    """The review's seven and every (Python, Django series) Django supports; claims are no filter."""
    every = set(matrix.REVIEW_CELLS) | {(p, d) for d, pythons in matrix.DJANGO_PYTHONS.items() for p in pythons}
    by_library = {lib.name: [c for c in matrix.CELLS if c.library == lib.name] for lib in LIBRARIES}
    assert by_library["faults"] == []
    assert [c.env for c in by_library["django-socketio-workaround"]] == [
        "py27-django18-workaround",
        "py33-django18-workaround",
        "py34-django18-workaround",
        "py27-django19-workaround",
        "py33-django19-workaround",
        "py34-django19-workaround",
        "py35-django19-workaround",
    ]
    for lib in LIBRARIES:
        if not (lib.test_only or lib.review_only):
            cells = by_library[lib.name]
            assert len(cells) == len(set(cells)) and {(c.python, c.django) for c in cells} == every, lib.name
    # Channels claims Django 4.2 to 6.0, django-websocket-redis 1.8 and 1.11 on Python 2.7 to 3.6: their cells go on.
    envs = {c.env for c in matrix.CELLS}
    assert {"py312-django61-channels", "py27-django111-channels", "py311-django52-wsredis"} <= envs
    assert "py38-django22-pysocketio" in envs, "python-socketio's ASGI app on a Django without ASGI: a cell"
    assert [c.env for c in by_library["django-socketio"] if c.django == "6.1"] == [
        "py312-django61",
        "py313-django61",
        "py314-django61",
        "py315-django61",
    ]


def test_the_series_are_the_snapshots_lts_and_every_supported_one() -> None:
    """Every LTS from 1.11 on, and every final series Django still supports; on the Pythons each supports."""
    assert list(matrix.DJANGO_PYTHONS) == ["1.11", "2.2", "3.2", "4.2", "5.2", "6.0", "6.1"]
    assert matrix.DJANGO_PYTHONS["1.11"] == ("2.7", "3.4", "3.5", "3.6", "3.7")
    assert matrix.DJANGO_PYTHONS["5.2"] == ("3.10", "3.11", "3.12", "3.13", "3.14")


def test_the_matrix_is_plain_data_it_loads_no_probe() -> None:
    """Asking which cells exist loads no protocol client and no library's probes."""
    code = (
        "import sys, dtws.matrix, dtws.github\n"
        "print(sorted(m for m in sys.modules if m.startswith(('dtws.protocols', 'dtws.solutions', 'dtws.steps'))))"
    )
    done = run([sys.executable, "-c", code])
    assert done.stdout.strip() == "[]"
    assert any(cell.library == "python-socketio" for cell in matrix.CELLS), "the control: the cells are there"


def test_cell_names_and_requirements() -> None:
    cell = matrix.get("py312-django52")
    assert (cell.python, cell.django, cell.library) == ("3.12", "5.2", "django-socketio")
    assert cell.django_requirement == "Django>=5.2,<5.3"
    assert matrix.get("py312-django52-channels").library == "channels"
    assert matrix.get("py27-django111").django_requirement == "Django>=1.11,<1.12"


def test_an_unknown_cell_names_the_known_ones() -> None:
    with pytest.raises(matrix.UnknownCell, match="py27-django18"):
        matrix.get("py99-django99")


def test_tox_ini_lists_the_lines_the_matrix_gives() -> None:
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(PROJECT / "tox.ini")
    listed = [line.strip() for line in ini["tox"]["env_list"].splitlines() if line.strip()]
    wanted = matrix.tox_envlist()
    assert listed == wanted, "tox.ini's env_list must be:\n" + "\n".join(f"    {line}" for line in wanted)


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


def test_the_snapshot_is_what_the_index_says(django_files: list[dict[str, str]]) -> None:
    """Each series' newest release (and a newer pre-release) on the index, with its Pythons, are the snapshot's;
    a new Django release fails this until `python -m dtws django-series --refresh` takes it."""
    found = django_series.newest_releases(django_files)
    assert sorted(found, key=series_key) == [item.series for item in matrix.SNAPSHOT.series]
    for item in matrix.SNAPSHOT.matrix():
        version, url, uploaded = found[item.series]
        assert django_series.series_of(version, url, uploaded).pythons == item.pythons, item.series


def test_a_cells_env_has_the_same_config_when_tox_is_told_its_list_is_that_env_alone() -> None:
    """The install step tells tox that env_list is the cell alone (tox then builds no other env's config)."""
    keys = ["-k", "deps", "install_command", "set_env", "pass_env", "commands", "base_python", "allowlist_externals"]

    def config(*args: str) -> list[str]:  # PYTHONHASHSEED is tox's own random pick, in every env
        return [line for line in tox("config", *args, *keys).splitlines() if line and "PYTHONHASHSEED" not in line]

    cells = ["py312-django52-channels", "py27-django18-geventsocketio"]
    alone = [line for cell in cells for line in config("-e", cell, "-x", f"tox.env_list={cell}")]
    assert alone == config("-e", ",".join(cells))
    assert "  gevent==1.0.2" in alone
