"""``run --changed``'s parts, on real inputs: installers' logs, an env's metadata, an index's answer, the project.

What the install tried (dtws.tried) is read from pip's and uv's own words (excerpts of real logs
of the cells, their paths left out), and from this harness's own env; whether the index has a
newer release (dtws.resolution.candidates) from a real answer of the index (greenlet's page, cut down to
four releases: tests/fixtures/index-greenlet.json) served on 127.0.0.1; whether the install would take it
(dtws.resolution.Install) from the index's real pages of Channels, channels-redis, Django, zope.event and
setuptools, cut down to a few releases, and the real METADATA of the newer ones, their descriptions left out
(tests/fixtures/index-requirements.json).
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sys
import zipfile
from email.parser import HeaderParser
from importlib import metadata
from pathlib import Path
from typing import Literal, cast

import pytest
from packaging.requirements import Requirement
from packaging.utils import parse_wheel_filename

from dtws import __version__, changed, installed, interpreters, matrix, pypi, record, resolution, tried
from dtws.libraries import LIBRARIES
from tests.conftest import PROJECT, serving_index

PIP_LOG = """\
py37-django22-geventsocketio: install_deps> python -E -m pip install coverage 'Django<2.3,>=2.2' gevent==1.0.2 \
gevent-socketio==0.3.6
Collecting coverage
  Downloading coverage-7.2.7-cp37-cp37m-manylinux_2_5_x86_64.manylinux1_x86_64.whl (225 kB)
Processing /cache/pip/wheels/5f/f4/gevent_socketio-0.3.6-py3-none-any.whl
Collecting Django<2.3,>=2.2
  Downloading Django-2.2.28-py3-none-any.whl (7.5 MB)
Collecting gevent==1.0.2
  Downloading gevent-1.0.2.tar.gz (1.7 MB)
  Preparing metadata (setup.py): started
  Preparing metadata (setup.py): finished with status 'done'
Collecting greenlet>=0.4.7 (from gevent==1.0.2)
  Downloading greenlet-3.1.1-cp37-cp37m-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl (562 kB)
Collecting sqlparse>=0.2.2 (from Django<2.3,>=2.2)
  Downloading sqlparse-0.5.0-py3-none-any.whl (44 kB)
INFO: pip is looking at multiple versions of sqlparse to determine which version is compatible with other requirements.
Collecting sqlparse>=0.2.2 (from Django<2.3,>=2.2)
  Downloading sqlparse-0.4.4-py3-none-any.whl (41 kB)
Collecting pytz
  Downloading https://files.pythonhosted.org/packages/ab/cd/pytz-2026.6-py2.py3-none-any.whl (506 kB)
Building wheels for collected packages: gevent
  Building wheel for gevent (setup.py): finished with status 'error'
"""

UV_LOG = """\
py312-django52: install_deps> uv pip install --python .tox/py312-django52/bin/python coverage django-socketio==0.3.9 \
'Django<5.3,>=5.2'
\x1b[31mUsing Python 3.12.1 environment at: .tox/py312-django52
DEBUG Solving with installed Python version: 3.12.1
DEBUG Solving with target Python version: >=3.12.1
DEBUG Adding direct dependency: coverage*
DEBUG Adding direct dependency: django-socketio>=0.3.9, <0.3.9+
DEBUG Adding direct dependency: django>=5.2, <5.3
DEBUG Searching for a compatible version of django-socketio (>=0.3.9, <0.3.9+)
DEBUG Selecting: django-socketio==0.3.9 [compatible] (django-socketio-0.3.9.tar.gz)
DEBUG Solving with installed Python version: 3.12.1
DEBUG Solving with target Python version: >=3.12.1
DEBUG Adding direct dependency: setuptools>=40.8.0
DEBUG Searching for a compatible version of setuptools (>=40.8.0)
DEBUG Selecting: setuptools==84.2.1 [compatible] (setuptools-84.2.1-py3-none-any.whl)
DEBUG Tried 1 versions: setuptools 1
error: Failed to build `django-socketio==0.3.9`
"""


def test_a_failed_pip_install_says_what_it_collected() -> None:
    """Each distribution's last version (pip backtracked on sqlparse), with the requirements that asked for it
    (tox.ini's among them)."""
    assert tried.from_log(PIP_LOG) == [
        record.Tried("coverage", "7.2.7", ""),
        record.Tried("gevent-socketio", "0.3.6", "==0.3.6"),  # a wheel pip built before: no Collecting line
        record.Tried("django", "2.2.28", "<2.3,>=2.2"),
        record.Tried("gevent", "1.0.2", "==1.0.2"),
        record.Tried("greenlet", "3.1.1", ">=0.4.7"),
        record.Tried("sqlparse", "0.4.4", ">=0.2.2"),
        record.Tried("pytz", "2026.6", ""),
    ]


def test_a_failed_uv_install_says_what_its_resolver_selected() -> None:
    """uv's debug lines (RUST_LOG): the library that failed to build, and what its build env took."""
    assert tried.from_log(UV_LOG) == [
        record.Tried("django-socketio", "0.3.9", "<=0.3.9,>=0.3.9"),
        record.Tried("setuptools", "84.2.1", ">=40.8.0"),
    ]


def test_the_direct_requirements_are_tox_ini_s() -> None:
    assert [str(req) for req in tried.direct(UV_LOG, "py312-django52")] == [
        "coverage",
        "django-socketio==0.3.9",
        "Django<5.3,>=5.2",
    ]
    assert [str(req) for req in tried.direct(PIP_LOG, "py37-django22-geventsocketio")][1] == "Django<2.3,>=2.2"
    assert tried.direct(PIP_LOG, "py27-django18") == []


def test_a_passed_install_is_read_from_the_env() -> None:
    """This harness's own env: mypy, and what mypy's metadata asks of its requirements; no seeded pip unasked."""
    site = installed.site_packages(Path(sys.prefix))
    assert site is not None
    found = {item.name: item for item in tried.from_env(site, [Requirement("mypy>=1")], "3.12")}
    assert found["mypy"].version == metadata.version("mypy") and found["mypy"].wants == ">=1"
    asked = [Requirement(line) for line in metadata.requires("mypy") or []]
    extensions = next(req for req in asked if req.name.replace("_", "-") == "mypy-extensions")
    assert set(str(extensions.specifier).split(",")) <= set(found["mypy-extensions"].wants.split(","))
    assert "pip" not in found or found["pip"].wants


def newest(tried: record.Tried, files: list[pypi.File], python: str, full: str) -> str | None:
    """The newest release the install could take instead of ``tried``, its requirements aside."""
    found = resolution.candidates(tried, files, python, full)
    return found[0] if found else None


@pytest.fixture
def greenlet() -> dict[str, object]:
    page: dict[str, object] = json.loads((PROJECT / "tests" / "fixtures" / "index-greenlet.json").read_text())
    return page


def listed(page: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> list[pypi.File]:
    with serving_index({"greenlet": page}) as url:
        monkeypatch.setenv(pypi.INDEX_ENV, url)
        return pypi.files("greenlet")


@pytest.mark.parametrize(
    ("version", "wants", "python", "full", "newer"),
    [
        ("0.4.17", ">=0.4.7", "2.7", "2.7.18", "2.0.2"),
        ("2.0.2", ">=0.4.7", "2.7", "2.7.18", None),  # 3.x: Requires-Python >=3.7
        ("2.0.2", "", "3.7", "3.7.17", "3.1.1"),
        ("3.1.1", "", "3.7", "3.7.17", None),  # 3.2.0: Requires-Python >=3.9
        ("3.1.1", "", "3.12", "3.12.1", "3.2.0"),
        ("3.1.1", "<3.2", "3.12", "3.12.1", None),  # what asked for it allows no newer
        ("3.2.0", "", "3.12", "3.12.1", None),
    ],
)
def test_newer_is_the_release_the_install_would_take_now(
    greenlet: dict[str, object],
    monkeypatch: pytest.MonkeyPatch,
    version: str,
    wants: str,
    python: str,
    full: str,
    newer: str | None,
) -> None:
    files = listed(greenlet, monkeypatch)
    assert newest(record.Tried("greenlet", version, wants), files, python, full) == newer


def test_a_release_that_does_not_install_here_is_not_newer(
    greenlet: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """3.2.0 with only its aarch64 wheels left (no sdist): nothing for this machine; yanked: taken only when pinned."""
    files = cast(list[dict[str, object]], greenlet["files"])
    arm = [item for item in files if "3.2.0" not in str(item["filename"]) or "aarch64" in str(item["filename"])]
    assert (
        newest(record.Tried("greenlet", "3.1.1"), listed(dict(greenlet, files=arm), monkeypatch), "3.12", "3.12.1")
        is None
    )
    yanked = [dict(item, yanked="broken") if "3.2.0" in str(item["filename"]) else item for item in files]
    found = listed(dict(greenlet, files=yanked), monkeypatch)
    assert newest(record.Tried("greenlet", "3.1.1"), found, "3.12", "3.12.1") is None


def test_a_change_to_one_library_s_app_changes_only_its_cells_hash(tmp_path: Path) -> None:
    """Tornado's app: Tornado's cells; Channels' app: Channels' and Channels on Redis' (which runs it); a step: all."""
    project = tmp_path / "project"
    shutil.copytree(
        PROJECT, project, ignore=shutil.ignore_patterns(".*", "node_modules", "results", "site", "build", "tests")
    )
    names = [lib.name for lib in LIBRARIES]

    def hashes() -> dict[str, str]:
        return {name: changed.cell_hash(project, name) for name in names}

    def touched(path: str) -> list[str]:
        before = hashes()
        with (project / path).open("a") as file:
            file.write("\n# changed\n")
        after = hashes()
        return [name for name in names if before[name] != after[name]]

    assert touched("chat_tornado/views.py") == ["tornado"]
    assert touched("chat_channels/consumers.py") == ["channels", "channels-redis"]
    assert touched("dtws/solutions/channels.py") == ["channels", "channels-redis", "tornado"]
    assert touched("myapp/views.py") == ["django-socketio", "django-socketio-workaround"]
    assert touched("dtws/steps/check.py") == names
    assert touched("dtws/pages/__init__.py") == []
    before = hashes()  # what an install builds in the tree (setuptools' egg-info of a path dependency) is no input
    built = project / "faults_app" / "claims_package" / "dtws_claims.egg-info"
    built.mkdir(exist_ok=True)
    (built / "SOURCES.txt").write_text("setup.py\n")
    assert hashes() == before


def test_a_pre_release_is_newer_only_where_one_is_asked_for(
    greenlet: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = cast(list[dict[str, object]], greenlet["files"])
    page = dict(greenlet, files=[*files, {"filename": "greenlet-3.3.0a1.tar.gz", "url": "", "hashes": {}}])
    found = listed(page, monkeypatch)
    assert newest(record.Tried("greenlet", "3.2.0"), found, "3.12", "3.12.1") is None
    assert newest(record.Tried("greenlet", "3.2.0", ">=3.3.0a1"), found, "3.12", "3.12.1") == "3.3.0a1"
    assert newest(record.Tried("greenlet", "3.3.0a0"), found, "3.12", "3.12.1") == "3.3.0a1"


RECORDED = PROJECT / "tests" / "fixtures" / "index-requirements.json"
Given = Literal["core-metadata", "json-api", "wheel", "nothing"]


def recorded_index(given: Given) -> dict[str, object]:
    """The index's recorded pages (two releases of each distribution; Django's 3.2.25 and 4.2.27-29), each file
    served from 127.0.0.1, and the recorded METADATA of the newer releases (Channels 4.3.2: Django>=4.2;
    channels-redis 4.3.0: channels>=4.2.2; zope.event 6.0: setuptools>=75.8.2) given as ``given`` says: their core
    metadata files (PEP 658/714), the JSON API's ``info`` (made from them), a wheel of them alone, or nothing."""
    recorded = json.loads(RECORDED.read_text())
    served: dict[str, object] = {}
    for name, page in recorded["pages"].items():
        files = []
        for item in page["files"]:
            item = dict(item, url=f"/files/{item['filename']}")  # relative, as PEP 691 allows
            metadata = recorded["metadata"].get(item["filename"])
            if metadata is not None:
                served |= _given(given, item, metadata)
            files.append(item)
        served[f"simple/{name}"] = dict(page, files=files)
    return served


def _given(given: Given, item: dict[str, object], metadata: str) -> dict[str, object]:
    filename = str(item["filename"])
    if given == "core-metadata":
        item["core-metadata"] = {"sha256": hashlib.sha256(metadata.encode()).hexdigest()}
        return {f"files/{filename}.metadata": metadata.encode()}
    if given == "json-api":
        name, version, _, _ = parse_wheel_filename(filename)
        headers = HeaderParser().parsestr(metadata)
        info = {"requires_dist": headers.get_all("Requires-Dist"), "requires_python": headers.get("Requires-Python")}
        return {f"pypi/{name}/{version}/json": {"info": info}}
    if given == "wheel":
        wheel = io.BytesIO()
        with zipfile.ZipFile(wheel, "w") as files:
            files.writestr(f"{filename.split('-py3')[0]}.dist-info/METADATA", metadata)
        return {f"files/{filename}": wheel.getvalue()}
    return {}


def judged(
    cell: matrix.Cell,
    took: list[record.Tried],
    monkeypatch: pytest.MonkeyPatch,
    given: Given = "core-metadata",
    setuptools: str = "67.6.1",
    installer: str = "uv",
) -> str | None:
    """Why ``run --changed`` runs ``cell`` again, whose install (by ``installer``) took ``took`` in an env seeded
    with ``setuptools``, the index serving ``recorded_index(given)``; None: it keeps its record."""
    interpreter = interpreters.find(cell.python)
    assert interpreter is not None, f"Python {cell.python} is needed here (pyenv)"
    provenance = record.Provenance(
        python_version=interpreter.version,
        python_build=interpreter.build or None,
        dtws_version=__version__,
        project_hash=changed.cell_hash(PROJECT, cell.library),
        packages={"setuptools": setuptools},
        installer=installer,
        tried=took,
    )
    rec = record.CellRecord(cell.library, cell.env, cell.python, cell.django, status="pass", provenance=provenance)
    with serving_index(recorded_index(given)) as url:
        monkeypatch.setenv(pypi.INDEX_ENV, url + "simple/")
        return changed.why_run(cell, rec, changed.here(PROJECT, [rec]))


def channels_redis_cell(django: str, monkeypatch: pytest.MonkeyPatch, given: Given) -> str | None:
    """A Channels on Redis cell of Python 3.10 that took ``django``, Channels 4.0.0 and channels-redis 4.2.1."""
    cell = matrix.Cell("channels-redis", "3.10", ".".join(django.split(".")[:2]))
    major, minor = (int(part) for part in cell.django.split("."))
    took = [
        record.Tried("django", django, f"<{major}.{minor + 1},>={major}.{minor}"),
        record.Tried("channels", "4.0.0"),
        record.Tried("channels-redis", "4.2.1"),
    ]
    return judged(cell, took, monkeypatch, given)


@pytest.mark.parametrize("given", ["core-metadata", "json-api", "wheel"])
def test_a_newer_release_whose_requirements_exclude_the_cell_s_django_keeps_it(
    monkeypatch: pytest.MonkeyPatch, given: Given
) -> None:
    """Channels 4.3.2 needs Django>=4.2: not on a Django 3.2 cell; nor channels-redis 4.3.0, which needs it."""
    assert channels_redis_cell("3.2.25", monkeypatch, given) is None


@pytest.mark.parametrize("given", ["core-metadata", "json-api", "wheel"])
def test_a_newer_release_whose_requirements_the_cell_meets_runs_it(
    monkeypatch: pytest.MonkeyPatch, given: Given
) -> None:
    why = channels_redis_cell("4.2.29", monkeypatch, given)
    assert why == "new releases: channels 4.3.2 (was 4.0.0), channels-redis 4.3.0 (was 4.2.1)"


def test_a_newer_release_whose_requirements_cannot_be_read_runs_the_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never a silent keep: the cell runs, and says which release's requirements could not be read, and why."""
    why = channels_redis_cell("3.2.25", monkeypatch, "nothing")
    assert why is not None and why.startswith(
        "new releases: channels 4.3.2 (was 4.0.0; the requirements of channels 4.3.2 could not be read: "
        "no core metadata file on the index; "
    )
    assert "files/channels-4.3.2-py3-none-any.whl: HTTP Error 404" in why


def test_a_newer_release_that_needs_a_newer_seeded_setuptools_keeps_the_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """zope.event 6.0 needs setuptools>=75.8.2: uv keeps the env's seeded setuptools, and took zope.event 5.1 on
    Python 3.9 (in the records of a full run); an env seeded with 75.8.2 would take 6.0, and pip would upgrade
    setuptools for it."""
    cell = matrix.Cell("django-websocket-redis", "3.9", "4.2")
    took = [record.Tried("zope-event", "5.1")]
    assert judged(cell, took, monkeypatch) is None
    assert judged(cell, took, monkeypatch, setuptools="75.8.2") == "new releases: zope-event 6.0 (was 5.1)"
    assert judged(cell, took, monkeypatch, installer="pip") == "new releases: zope-event 6.0 (was 5.1)"


def test_a_newer_release_wanting_what_the_old_ones_excluded_still_counts() -> None:
    """a 1.0 wanted b<2 and the cell took b 1.5; a 2.0 wants b>=2, which the index has: the install would take both."""
    sdist = frozenset[str]()
    index: dict[str, list[pypi.File] | str] = {
        "a": [pypi.File(version, sdist, None, None) for version in ("1.0", "2.0")],
        "b": [pypi.File(version, sdist, None, None) for version in ("1.5", "2.1")],
    }
    requires: dict[tuple[str, str], pypi.Requires | str] = {
        ("a", "2.0"): pypi.Requires(("b>=2",), None),
        ("b", "2.1"): pypi.Requires((), None),
    }
    pinned = resolution.Pinned("3.12", "3.12.1", {})
    install = resolution.Install([record.Tried("a", "1.0"), record.Tried("b", "1.5", "<2")], pinned, index, requires)
    assert install.taken(record.Tried("a", "1.0")) == resolution.Taken("2.0")
    # Where b's newer release cannot be taken (it wants a Python this cell is not), a 2.0 cannot be either.
    requires[("b", "2.1")] = pypi.Requires((), ">=3.13")
    install = resolution.Install([record.Tried("a", "1.0"), record.Tried("b", "1.5", "<2")], pinned, index, requires)
    assert install.taken(record.Tried("a", "1.0")) == resolution.Taken()
