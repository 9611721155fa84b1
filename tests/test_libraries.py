"""Each library is one typed declaration (dtws.library); what the rest of the project says of it is checked here.

tox.ini's lines of each library, the settings' default app, the apps the
declarations name, the npm file a page loads: a fact left out of one of
them fails a test; a fact left out of a declaration fails mypy --strict.
"""

from __future__ import annotations

import configparser
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dtws import changed, matrix
from dtws.libraries import LIBRARIES
from dtws.library import Probes, tox_lines
from dtws.solutions import probes
from tests.conftest import PROJECT


def tox_testenv() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(PROJECT / "tox.ini")
    return parser["testenv"]


def library_lines(value: str) -> list[str]:
    """The lines of a tox.ini setting conditioned on library factors alone (not a Python's or a Django's)."""
    factors = {lib.factor for lib in LIBRARIES if lib.factor}
    lines = []
    for line in value.splitlines():
        condition, colon, _ = line.strip().partition(":")
        tokens = condition.replace("-", " ").replace("!", "").split()
        if colon and tokens and set(tokens) <= factors:
            lines.append(line.strip())
    return lines


@pytest.mark.parametrize("setting", ["deps", "set_env", "commands"])
def test_tox_ini_has_each_librarys_lines_as_its_declaration_gives_them(setting: str) -> None:
    assert library_lines(tox_testenv()[setting]) == tox_lines(LIBRARIES)[setting]


def test_each_declaration_names_a_django_app_of_the_project() -> None:
    for lib in LIBRARIES:
        app = PROJECT / lib.app
        assert (app / "integration.py").is_file() and (app / "tests.py").is_file(), lib.name
        assert lib.app in changed.CELL_FOLDERS, lib.name
    settings = (PROJECT / "DjangoTestWebsockets" / "settings.py").read_text()
    assert f'os.environ.get("DTWS_SOLUTION", "{LIBRARIES[0].app}")' in settings


def test_names_and_factors_are_each_one_librarys() -> None:
    assert len({lib.name for lib in LIBRARIES}) == len(LIBRARIES)
    assert [lib.factor for lib in LIBRARIES].count("") == 1 and LIBRARIES[0].factor == ""
    assert len({lib.factor for lib in LIBRARIES}) == len(LIBRARIES)
    assert {cell.library for cell in matrix.CELLS + matrix.TEST_CELLS} == {lib.name for lib in LIBRARIES}


def test_each_library_has_one_name_its_modules_and_app_derived_from_it() -> None:
    """Its factor (the first library's: its name) names its data module, its probes' module and its app."""
    for lib in LIBRARIES:
        assert lib.module == (lib.factor or lib.name.replace("-", "_")), lib.name
        assert importlib.import_module(f"dtws.libraries.{lib.module}").LIBRARY == lib, lib.name
        assert isinstance(probes(lib), Probes) and (PROJECT / "dtws" / "solutions" / f"{lib.module}.py").is_file()
        # The app: chat_<factor>; the review's own (myapp) for django-socketio and its workaround, which shares it.
        own = {"django-socketio": "myapp", "django-socketio-workaround": "myapp", "faults": "faults_app"}
        assert lib.app == own.get(lib.name, f"chat_{lib.factor}"), lib.name
    modules = {path.stem for path in (PROJECT / "dtws" / "libraries").glob("*.py")} - {"__init__"}
    assert modules == {path.stem for path in (PROJECT / "dtws" / "solutions").glob("*.py")} - {"__init__"}
    assert modules == {lib.module for lib in LIBRARIES}, "a module of no library, or a library of no module"


def test_the_npm_files_a_page_loads_are_the_projects_packages() -> None:
    locked = json.loads((PROJECT / "package-lock.json").read_text())["packages"]
    for lib in LIBRARIES:
        if lib.npm_file:
            package = "/".join(lib.npm_file.split("/")[:2])
            assert package in locked, (lib.name, package)


def test_the_headers_a_librarys_build_needs_come_with_a_build_and_make_installs_them() -> None:
    """A header a build needs is the machine's (its absence a harness error): `make` installs its Debian package."""
    makefile = (PROJECT / "Makefile").read_text()
    assert any(lib.build_headers for lib in LIBRARIES)
    for lib in LIBRARIES:
        assert lib.builds or not lib.build_headers, lib.name
        for header in lib.build_headers:
            assert f"/usr/include/{header.path}" in makefile and f" {header.package}" in makefile, (lib.name, header)


DECLARATION = """from dtws.library import Library, Probes
from dtws.solutions import channels

LIBRARY = Library(
    name="new", factor="new", package="new", app="chat_new", deps=("new",), djangos=None, pythons=None,
    client_js="/static/new.js", client_js_marker=b"new", serves_page=True, {facts}
)
PROBES = Probes(handshake=channels.handshake, round_trip=channels.round_trip, {send})
"""
SERVER = 'socket_server=("-m", "new", "--port", "{{port}}")'


@pytest.mark.parametrize(
    ("facts", "send", "said"),
    [
        (SERVER, "send=channels.send", None),  # the control: the same declaration, whole
        (SERVER, "", 'Missing named argument "send" for "Probes"'),
        (SERVER, "sent=channels.send", 'Unexpected keyword argument "sent" for "Probes"'),
        (SERVER, "send=channels.round_trip", 'Argument "send" to "Probes" has incompatible type'),
        ("", "send=channels.send", 'Missing named argument "socket_server" for "Library"'),
        (SERVER + ', services=("redis",)', "send=channels.send", None),  # a service dtws knows how to run
        (
            SERVER + ', services=("reddis",)',
            "send=channels.send",
            'Argument "services" to "Library" has incompatible type',
        ),
        (SERVER + ", processes=2.0", "send=channels.send", 'Argument "processes" to "Library" has incompatible type'),
    ],
)
def test_mypy_strict_refuses_a_declaration_with_a_fact_missing_or_misspelled(
    tmp_path: Path, facts: str, send: str, said: str | None
) -> None:
    module = tmp_path / "newlib.py"
    module.write_text(DECLARATION.format(facts=facts, send=send))
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(module)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    if said is None:
        assert done.returncode == 0, done.stdout
    else:
        assert done.returncode == 1 and said in done.stdout, done.stdout
