"""Cells ahead of release (dtws.ahead): Django's pre-release from a recorded index answer, Django main from an archive.

The main cell runs end to end from an archive the test builds itself: Django's newest sdist, set to a
development version of the next series, packed as GitHub packs a branch (a top folder, and the commit in
the pax global header), served on 127.0.0.1. No network but the package index.
"""

from __future__ import annotations

import gzip
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from dtws import ahead, django_series, matrix, merge, pages, record, runner
from tests.conftest import PROJECT, dtws, dtws_args
from tests.test_tell import results_of
from tests.test_unlucky import gate, write_cell

RECORDED = (PROJECT / "tests" / "fixtures" / "django-index.json").read_text(encoding="utf-8")
COMMIT = "5f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6"


class _Answers(http.server.BaseHTTPRequestHandler):
    """The index's recorded answers (or a folder's files), by path; 404 for anything else."""

    answers: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = self.answers.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
        pass


@contextmanager
def _serve(answers: dict[str, bytes]) -> Iterator[str]:
    handler = type("Handler", (_Answers,), {"answers": answers})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _answers(root: str, final: bool = False) -> dict[str, bytes]:
    """The index's recorded answers (its JSON page of Django, PEP 691, and each wheel's METADATA, PEP 658),
    as served from ``root``; with ``final``, 6.2.0 is out too."""
    recorded = json.loads(RECORDED.replace("{root}", root))
    page, metadata = recorded["page"], recorded["metadata"]
    if final:
        name = "django-6.2-py3-none-any.whl"
        page["files"].append({"filename": name, "url": f"{root}/files/{name}", "upload-time": "2027-04-01T10:00:00Z"})
        metadata[name] = metadata["django-6.2a1-py3-none-any.whl"].replace("6.2a1", "6.2")
    served = {"/simple/django/": json.dumps(page).encode()}
    served.update({f"/files/{name}.metadata": text.encode() for name, text in metadata.items()})
    return served


def _snapshot(monkeypatch: pytest.MonkeyPatch, final: bool = False) -> django_series.Snapshot:
    """The snapshot the index's recorded answers make (dtws.django_series reads them from 127.0.0.1)."""
    served: dict[str, bytes] = {}
    with _serve(served) as root:
        served.update(_answers(root, final))
        monkeypatch.setattr(django_series, "PAGE", f"{root}/simple/django/")
        return django_series.read_index(date(2027, 1, 21))


def test_a_prerelease_newer_than_the_newest_final_is_a_column_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    found = ahead.prerelease(_snapshot(monkeypatch))
    assert found == ahead.Prerelease("6.2a1", ("3.12", "3.13", "3.14", "3.15"))
    assert found.label == "6.2 (pre-release)"
    cells = ahead.cells(found)
    channels = [cell for cell in cells if cell.library == "channels" and cell.django == ahead.NEXT]
    assert [cell.env for cell in channels] == [f"py{v}-djangonext-channels" for v in ("312", "313", "314", "315")]
    assert {cell.library for cell in cells if cell.django == ahead.NEXT} == set(ahead.libraries())
    assert "django-socketio-workaround" not in ahead.libraries()
    assert ahead.label("3.12", ahead.NEXT, found) == "6.2 (pre-release)"
    # Main follows the newest Pythons Django names: the pre-release's.
    assert ahead.main_pythons(found) == ("3.14", "3.15")


def test_the_prerelease_column_goes_at_the_final(monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = _snapshot(monkeypatch, final=True)
    assert ahead.prerelease(snapshot) is None and "6.2" in [item.series for item in snapshot.matrix()]
    assert not [cell for cell in ahead.cells(None) if cell.django == ahead.NEXT]


def test_todays_snapshot_has_no_prerelease() -> None:
    """The index's newest release is a final (6.1.3): no pre-release column, until a refresh finds one."""
    assert ahead.PRERELEASE is None and not [cell for cell in ahead.CELLS if cell.django == ahead.NEXT]


def test_ahead_cells_are_named_and_found_by_name() -> None:
    assert matrix.get("py312-djangomain-channels") == matrix.Cell("channels", "3.12", "main")
    assert matrix.get("py314t-django61-tornado") == matrix.Cell("tornado", "3.14t", "6.1")
    assert ahead.kind("3.14t", "6.1") == "python" and ahead.kind("3.12", "main") == "main"
    assert ahead.kind("3.13", "next") == "pre-release" and ahead.kind("3.13", "6.1") is None
    with pytest.raises(matrix.UnknownCell):
        matrix.get("py312-djangomain-workaround")  # the workaround stays the review's seven
    assert not set(ahead.CELLS) & set(matrix.CELLS)


def _tree(source: Path, version: tuple[object, ...], top: str) -> dict[str, bytes]:
    """Django's sdist as a branch's tree: its files under ``top``, its VERSION set, no sdist metadata."""
    found: dict[str, bytes] = {}
    with tarfile.open(source) as sdist:
        for member in sdist.getmembers():
            if not member.isfile():
                continue
            inner = member.name.split("/", 1)[1]
            if inner == "PKG-INFO" or ".egg-info/" in inner:
                continue
            data = sdist.extractfile(member)
            assert data is not None
            content = data.read()
            if inner == "django/__init__.py":
                text = content.decode()
                start = text.index("VERSION = (")
                end = text.index("\n", start)
                content = (text[:start] + f"VERSION = {version!r}" + text[end:]).encode()
            found[f"{top}/{inner}"] = content
    return found


def build_main_archive(sdist: Path, target: Path, commit: str) -> None:
    """An archive of Django's main branch as GitHub serves it: ``django-main/``, the commit in the pax header."""
    with tarfile.open(target, "w:gz", format=tarfile.PAX_FORMAT, pax_headers={"comment": commit}) as archive:
        for name, content in sorted(_tree(sdist, (6, 2, 0, "alpha", 0), "django-main").items()):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(content), 0o644, 1_800_000_000
            archive.addfile(info, io.BytesIO(content))


def django_sdist(folder: Path) -> Path:
    """Django's newest sdist, from the index (its simple API)."""
    request = urllib.request.Request(
        "https://pypi.org/simple/django/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        listed = json.load(answer)
    sdists = {
        Version(f["filename"].removesuffix(".tar.gz").split("-")[-1]): f
        for f in listed["files"]
        if f["filename"].lower().startswith("django-") and f["filename"].endswith(".tar.gz") and not f.get("yanked")
    }
    found: dict[str, str] = sdists[max(version for version in sdists if not version.is_prerelease)]
    target = folder / found["filename"]
    with urllib.request.urlopen(found["url"], timeout=300) as answer, target.open("wb") as out:
        shutil.copyfileobj(answer, out)
    return target


def test_the_commit_is_read_from_the_archive_as_git_reads_it(tmp_path: Path) -> None:
    archive = tmp_path / "main.tar.gz"
    with tarfile.open(archive, "w:gz", format=tarfile.PAX_FORMAT, pax_headers={"comment": COMMIT}) as made:
        info = tarfile.TarInfo("django-main/README.rst")
        made.addfile(info, io.BytesIO(b""))
    assert ahead.archive_commit(archive) == COMMIT
    git = subprocess.run(
        ["git", "get-tar-commit-id"], input=gzip.decompress(archive.read_bytes()), capture_output=True, check=True
    )
    assert git.stdout.decode().strip() == COMMIT
    plain = tmp_path / "plain.tar.gz"
    with tarfile.open(plain, "w:gz") as made:
        made.addfile(tarfile.TarInfo("x"), io.BytesIO(b""))
    assert ahead.archive_commit(plain) is None


def test_a_main_archive_that_cannot_be_fetched_makes_the_cell_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, bytes] = {}
    with _serve(served) as root:
        monkeypatch.setenv(ahead.ARCHIVE_ENV, f"{root}/django/django/archive/main.tar.gz")
        rec = runner.run_cell(matrix.get("py312-djangomain-tornado"), tmp_path / "results", project=PROJECT)
    assert rec.status == "unavailable"
    assert rec.reason is not None and "Django main's archive" in rec.reason and "404" in rec.reason
    assert {step.verdict for step in rec.steps} == {"unavailable"}
    kept = record.read(tmp_path / "results" / "tornado" / "py312-djangomain-tornado" / record.FILENAME)
    assert kept.status == "unavailable" and kept.provenance.django_commit is None
    # A proxy's page where the archive should be: no archive either.
    with _serve({"/main.tar.gz": b"<html>sign in first</html>"}) as root:
        monkeypatch.setenv(ahead.ARCHIVE_ENV, f"{root}/main.tar.gz")
        rec = runner.run_cell(matrix.get("py312-djangomain-tornado"), tmp_path / "results", project=PROJECT)
    assert rec.status == "unavailable" and rec.reason == (
        f"Django main's archive ({root}/main.tar.gz) is not a tar archive"
    ), rec.reason


def test_a_main_cell_runs_end_to_end_from_a_local_archive(toxworkdir: Path, tmp_path: Path) -> None:
    archive = tmp_path / "served" / "main.tar.gz"
    archive.parent.mkdir()
    build_main_archive(django_sdist(tmp_path), archive, COMMIT)
    results = tmp_path / "results"
    cell = "py312-djangomain-channels"
    with _serve({"/django/django/archive/main.tar.gz": archive.read_bytes()}) as root:
        url = f"{root}/django/django/archive/main.tar.gz"
        done = dtws(
            dtws_args("run", "--results", str(results), "--toxworkdir", str(toxworkdir), cell),
            env={**os.environ, ahead.ARCHIVE_ENV: url},
        )
    assert done.returncode == 0, done.stdout + done.stderr
    rec = record.read(results / "channels" / cell / record.FILENAME)
    assert rec.status == "pass", rec.reason
    assert rec.provenance.django_commit == COMMIT and rec.provenance.django_archive == url
    # As Django's main installs from its archive: an alpha 0 is ".dev<changeset>" only in a git checkout.
    assert rec.provenance.django_version == "6.2"
    install = (results / "channels" / cell / "logs" / "install.log").read_text(encoding="utf-8")
    assert "Django @ file://" in install
    # Its page links the commit it tested.
    merged = merge.merge([results], tmp_path / "merged", cells=[matrix.get(cell)])
    pages.write_cells(pages.plan(tmp_path / "merged", merged), tmp_path / "site", pages.shell.plain("dtws"))
    page = (tmp_path / "site" / "cells" / "channels" / cell / "index.html").read_text(encoding="utf-8")
    assert f'href="https://github.com/django/django/commit/{COMMIT}"' in page


MAIN, OTHER = "py314-djangomain-channels", "py312-django52-channels"  # a cell of Django main, one of the matrix


def test_a_cell_ahead_of_release_never_turns_the_gate_red_unless_told(tmp_path: Path) -> None:
    passing = results_of(tmp_path, "passing", {MAIN: "pass", OTHER: "pass"})
    broken = results_of(tmp_path, "broken", {MAIN: "fail", OTHER: "pass"})
    done = gate(str(broken), "--baseline", str(passing))
    assert done.returncode == 0, done.stdout
    assert "Ahead of release (Django main, its pre-release, the next Python): changed, never red (1)" in done.stdout
    assert f"### Ahead of release, failing (1; never red)\n\n- channels {MAIN}: `check: broke in broken`" in (
        done.stdout
    )
    assert "::error title=dtws regression" not in done.stdout
    # --fail-on any counts every cell of the matrix that does not pass (here, all but one have no record): not those.
    anything = gate(str(broken), "--baseline", str(passing), "--fail-on", "any")
    assert f"## dtws: red: {len(matrix.CELLS) - 1} cells do not pass" in anything.stdout
    counted = gate(str(broken), "--baseline", str(passing), "--ahead-counts")
    assert counted.returncode == 1 and f"::error title=dtws regression::channels {MAIN}: pass -> fail" in counted.stdout
    # A cell of the matrix that breaks is a regression as ever.
    worse = results_of(tmp_path, "worse", {MAIN: "fail", OTHER: "fail"})
    assert gate(str(worse), "--baseline", str(passing)).returncode == 1


def test_the_front_page_shows_the_ahead_columns_apart_at_the_right(tmp_path: Path) -> None:
    run = tmp_path / "run"
    statuses = {OTHER: "pass", MAIN: "fail", "py315-djangomain-channels": "pass", "py314t-django61-channels": "pass"}
    for env, status in statuses.items():
        write_cell(run, env, status, reason=None if status == "pass" else "check: broke")  # type: ignore[arg-type]
    merged = merge.merge([run], tmp_path / "merged")
    site = pages.plan(tmp_path / "merged", merged)
    pages.write_docs(site, tmp_path / "docs")
    front = (tmp_path / "docs" / "index.md").read_text(encoding="utf-8")
    head = front[front.index('<table class="dtws-summary">') :]
    head = head[: head.index("</thead>")]
    columns = re.findall(r"<th[^>]*>([^<]*)</th>", head)
    assert columns[-2:] == ["Ahead: Django main", "Ahead: Django 6.1 on Python 3.14t"], columns
    assert "Django main" not in columns[:-2] and "Django 6.1" in columns
    row = front[front.index('<tr data-library="channels">') :]
    row = row[: row.index("</tr>")]
    # The best of main's two cells, leading to its page; the Django series columns know nothing of main.
    assert re.search(
        r'<td class="dtws-verdict dtws-ahead dtws-ahead-first dtws-pass" data-ahead="main">'
        r'<a href="cells/channels/py315-djangomain-channels/">✓',
        row,
    ), row
    # A library's own page and badge rest on the matrix's cells only.
    library = (tmp_path / "docs" / "libraries" / "channels.md").read_text(encoding="utf-8")
    assert "djangomain" not in library and "py314t" not in library
    badge = json.loads((tmp_path / "docs" / "badges" / "channels.json").read_text())
    assert badge["message"] == "works on 1 of 1 cells", badge


def test_one_command_lists_the_cells_ahead_of_release() -> None:
    done = dtws(dtws_args("ahead"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [f"{cell.env}  {ahead.label(cell.python, cell.django)}" for cell in ahead.CELLS]
    assert "py314-djangomain-tornado  main" in done.stdout.splitlines()


def test_a_prerelease_cell_installs_exactly_that_release(
    toxworkdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run on a pre-release the index has (6.1rc1, older than today's final): the path from snapshot to verdict."""
    monkeypatch.setattr(ahead, "PRERELEASE", ahead.Prerelease("6.1rc1", ("3.12", "3.13", "3.14")))
    cell = matrix.get("py312-djangonext-tornado")
    rec = runner.run_cell(cell, tmp_path / "results", project=PROJECT, toxworkdir=toxworkdir)
    assert rec.status == "pass", rec.reason
    assert rec.provenance.django_version == "6.1rc1" and rec.provenance.django_commit is None
