"""The site built from real cell records: the table cell by cell, the cell pages, escaping, exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from dtws import answers, matrix, pages, record, results
from tests.conftest import PROJECT, dtws, dtws_args, table_cells

LocalRun = tuple[subprocess.CompletedProcess[str], Path]

HOSTILE = (
    b"<script>window.__pwned=1</script>\n"
    b'<b>raw html</b> <img src=x onerror="window.__pwned=2">\n'
    b"```\n# not a heading\n```\n"
    b"\x1b[31mred text\x1b[0m\n"
    b"bad utf-8: \xff\xfe\x81\n"
    b"Traceback (most recent call last):\n"
    b'  File "x.py", line 1\n'
    b"ValueError: <i>not italic</i>\n"
)


def site_project(tmp_path: Path) -> Path:
    """A copy of the mkdocs sources, so tests never write into the repository's site/."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(PROJECT / "mkdocs.yml", project)
    shutil.copytree(PROJECT / "site", project / "site", ignore=shutil.ignore_patterns(*pages.GENERATED))
    return project


def build(tmp_path: Path, *folders: Path, previous: Path | None = None) -> Path:
    project = site_project(tmp_path)
    out = tmp_path / "results"
    merged = dtws(dtws_args("merge", *map(str, folders), "--out", str(out)))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    extra = ["--previous", str(previous)] if previous else []
    built = dtws(dtws_args("site", str(out), "--project", str(project), *extra))
    assert built.returncode == 0, built.stdout + built.stderr
    assert str(project / "build" / "site" / "index.html") in built.stdout
    return project / "build" / "site"


def hostile_copy(local: Path, tmp_path: Path) -> Path:
    """The real py27-django18 record, its check log replaced by hostile text and its test log made huge."""
    folder = tmp_path / "hostile" / "django-socketio" / "py27-django18"
    shutil.copytree(local / "django-socketio" / "py27-django18", folder)
    (folder / "logs" / "check.log").write_bytes(HOSTILE)
    (folder / "logs" / "test.log").write_bytes(
        b"head line\n" + b"x" * 100 + b"\n" + b"filler\n" * 300_000 + b"tail line\n"
    )
    return folder.parent.parent


def page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def library_page(built: Path, library: str = "django-socketio") -> BeautifulSoup:
    """A library's page: its cells as a plain table (the front page draws its table with JavaScript)."""
    return page(built / "libraries" / library / "index.html")


def row(soup: BeautifulSoup, cell: str) -> dict[str, str]:
    tr = soup.find("tr", attrs={"data-cell": cell})
    assert isinstance(tr, Tag), cell
    headings = [th.get_text(" ", strip=True) for th in tr.find_parent("table").find_all("th")]  # type: ignore[union-attr]
    texts = (td.get_text(" ", strip=True) for td in tr.find_all("td"))
    return {heading: SINCE.sub("", text) for heading, text in zip(headings, texts, strict=True)}


# "✗ No since 3 days ago": the rows' verdicts, without how long their status holds (tested on its own).
SINCE = re.compile(r" since (just now|[0-9]+ [a-z]+ ago)$")


@pytest.fixture(scope="module")
def built(local_run: LocalRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    _done, local = local_run
    return build(tmp_path_factory.mktemp("site"), local)


def test_the_table_cell_by_cell(built: Path) -> None:
    soup = library_page(built)
    assert row(soup, "py27-django18") | {"Python": "", "Django": "", "Coverage": "", "Why": ""} == {
        "Python": "",
        "Django": "",
        "Coverage": "",
        "Why": "",
        "More details": "py27-django18 django-socketio 0.3.9",
        "Installs?": "✓ Yes",
        "Django server works?": "✓ Yes",
        "WebSocket server works?": "✗ No",
        "Does it work?": "✗ No",
    }
    py27 = row(soup, "py27-django18")
    assert py27["Python"].startswith("2.7 2.7.") and py27["Django"].startswith("1.8 1.8.")
    assert py27["Coverage"].endswith("%")
    assert py27["Why"].startswith("websocket-server: ")
    modern = row(soup, "py312-django52")
    assert [modern[c] for c in ("Installs?", "Django server works?", "WebSocket server works?", "Does it work?")] == [
        "✗ No",
        "— Skipped",
        "— Skipped",
        "✗ No",
    ]
    assert "SyntaxError" in modern["Why"] and "Python 2 only code" in modern["Why"]
    assert row(soup, "py27-django19")["Why"].endswith("django.utils.importlib was removed in Django 1.9")
    assert row(soup, "py33-django18")["Does it work?"] == "— Unavailable"
    assert row(soup, "py313-django61")["Does it work?"] == "? No result"
    channels = row(library_page(built, "channels"), "py312-django52-channels")
    assert [channels[c] for c in ("Installs?", "Django server works?", "WebSocket server works?", "Does it work?")] == [
        "✓ Yes",
        "✓ Yes",
        "✓ Yes",
        "✓ Yes",
    ]


def test_the_summary_matrix(built: Path) -> None:
    soup = page(built / "index.html")
    summary = {
        tr["data-library"]: {td["data-django"]: td.get_text(" ", strip=True) for td in tr.find_all("td")}
        for tr in soup.select("table.dtws-summary tbody tr")
    }
    assert summary["channels"]["5.2"] == "✓ Yes"
    assert summary["python-socketio"]["5.2"] == "✓ Yes"
    assert summary["tornado"]["5.2"] == "✓ Yes"
    assert summary["django-socketio-workaround"]["1.11"] == "not a cell"  # the review's seven only
    assert summary["django-socketio"]["5.2"] == "✗ No"
    assert summary["django-socketio"]["1.8"] == "✗ No"
    assert summary["django-socketio-workaround"]["1.8"] == "✗ No"
    said = [span.get_text(" ", strip=True) for span in soup.select("ul.dtws-libraries .dtws-works-with")]
    assert "No set of releases found under which it works: tried 3 cells, Python 2.7–3.12 with Django 1.8–5.2." in said
    assert any(text.startswith("Works with channels 4.") and "(py312-django52-channels" in text for text in said)
    link = soup.select_one("table.dtws-summary tr[data-library='channels'] a")
    assert link is not None and link["href"] == "libraries/channels/"
    assert library_page(built, "channels").find("h1").get_text().rstrip("¶") == "channels"  # type: ignore[union-attr]


def test_every_cell_links_to_its_page(built: Path) -> None:
    libraries = built / "libraries"
    links = [
        (folder, str(a["href"]))
        for folder in sorted(libraries.iterdir())
        for a in page(folder / "index.html").select("tr.dtws-row a")
    ]
    assert len(links) == len(matrix.CELLS)
    for folder, href in links:
        assert (folder / href / "index.html").resolve().is_file(), href
    cell = page(built / "cells" / "channels" / "py312-django52-channels" / "index.html")
    crumbs = [a["href"] for a in cell.select("nav.dtws-crumbs a")]
    assert crumbs == ["../../../", "../../../libraries/channels/"]


def test_the_front_pages_table_data(built: Path) -> None:
    """What the front page's table is drawn from: every cell once, its columns, its reason."""
    data = json.loads((built / "table.json").read_text())
    assert len(data["cells"]) == len(matrix.CELLS) and (built / "javascripts" / "table.js").is_file()
    rows = table_cells(data)
    py27 = rows["py27-django18"]
    assert py27["library"] == "django-socketio" and (py27["python"], py27["django"]) == ("2.7", "1.8")
    assert py27["columns"] == ["pass", "pass", "fail", "fail"]
    assert py27["reason"].startswith("websocket-server: ")
    assert rows["py312-django52-channels"]["columns"] == ["pass"] * 4
    assert data["marks"]["fail"] == ["✗", "No", "fail"]


def test_a_cell_page_shows_every_step(built: Path) -> None:
    soup = page(built / "cells" / "django-socketio" / "py27-django18" / "index.html")
    steps = [h.get("id") for h in soup.select("h3.dtws-step")]
    assert steps == ["install", "check", "test", "django-server", "websocket-server", "round-trip", "browser"]
    info = soup.find("table", attrs={"data-step": "django-server"})
    assert isinstance(info, Tag) and "runserver" in info.get_text()
    socket_log = soup.find("pre", attrs={"data-step": "websocket-server"})
    assert isinstance(socket_log, Tag)
    assert "AttributeError: 'SocketIOHandler' object has no attribute 'response_headers_list'" in socket_log.get_text()
    highlighted = socket_log.find("mark")
    assert isinstance(highlighted, Tag) and highlighted.get_text().startswith("TypeError: handle_one_response()")
    assert (built / "cells" / "django-socketio" / "py27-django18" / "logs" / "websocket-server.log").is_file()
    assert "gevent-socketio 0.2.1" in soup.get_text()


def test_exports(built: Path) -> None:
    data = json.loads((built / "results.json").read_text())
    assert data["schema_version"] == results.SCHEMA_VERSION and len(data["cells"]) == len(matrix.CELLS)
    published = json.loads((built / answers.FILENAME).read_text())
    assert published["schema_version"] == answers.SCHEMA_VERSION
    assert "django-socketio" in json.dumps(published)
    badge = json.loads((built / "badges" / "django-socketio.json").read_text())
    assert badge == {"schemaVersion": 1, "label": "django-socketio", "message": "works on 0 of 3 cells", "color": "red"}
    badge = json.loads((built / "badges" / "channels.json").read_text())
    assert badge == {
        "schemaVersion": 1,
        "label": "channels",
        "message": "works on 1 of 1 cells",
        "color": "brightgreen",
    }
    badge = json.loads((built / "badges" / "tornado.json").read_text())
    assert badge["message"] == "works on 1 of 1 cells" and badge["color"] == "brightgreen"


def test_log_text_cannot_break_or_script_the_page(local_run: LocalRun, tmp_path: Path) -> None:
    _done, local = local_run
    built = build(tmp_path, hostile_copy(local, tmp_path))
    html = (built / "cells" / "django-socketio" / "py27-django18" / "index.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "<b>raw html</b>" not in html and "<img src=x" not in html
    soup = BeautifulSoup(html, "html.parser")
    check_log = soup.find("pre", attrs={"data-step": "check"})
    assert isinstance(check_log, Tag)
    text = check_log.get_text()
    assert "```\n# not a heading\n```" in text
    assert "red text" in text and "\x1b" not in text
    assert "bad utf-8: \ufffd" in text
    assert check_log.find("mark").get_text() == "ValueError: <i>not italic</i>"  # type: ignore[union-attr]
    test_log = soup.find("pre", attrs={"data-step": "test"})
    assert isinstance(test_log, Tag)
    assert test_log.get_text().startswith("head line") and "tail line" in test_log.get_text()
    assert "bytes not shown here" in test_log.get_text()
    full = built / "cells" / "django-socketio" / "py27-django18" / "logs" / "test.log"
    assert full.stat().st_size < 500_000 and b"bytes not shown here" in full.read_bytes()


def test_changed_since_the_last_run(local_run: LocalRun, tmp_path: Path) -> None:
    _done, local = local_run
    earlier = tmp_path / "earlier"
    shutil.copytree(local, earlier)
    rec = record.read(earlier / "django-socketio" / "py27-django18" / "result.json")
    rec.status = "pass"
    record.write(rec, earlier / "django-socketio" / "py27-django18")
    first = dtws(dtws_args("merge", str(earlier), "--out", str(tmp_path / "previous")))
    assert first.returncode == 0
    built = build(tmp_path, local, previous=tmp_path / "previous" / "results.json")
    changes = page(built / "index.html").select("ul.dtws-changes li")
    assert [li.get_text(" ", strip=True) for li in changes] == ["django-socketio py27-django18 : Yes → No"]
    soup = library_page(built)
    assert "changed (was yes)" in row(soup, "py27-django18")["More details"]
    assert "changed (was" not in row(soup, "py27-django19")["More details"]


def test_site_says_what_is_wrong_with_its_input(tmp_path: Path) -> None:
    done = dtws(dtws_args("site", str(tmp_path)))
    assert done.returncode == 2
    assert "missing" in done.stdout and "dtws merge" in done.stdout


def test_bad_records_still_give_a_site_whose_cells_say_why(local_run: LocalRun, tmp_path: Path) -> None:
    _done, local = local_run
    artifacts = tmp_path / "artifacts"
    for cell in ("py27-django18", "py27-django19", "py312-django52"):
        shutil.copytree(local / "django-socketio" / cell, artifacts / f"cell-django-socketio-{cell}")
    truncated = artifacts / "cell-django-socketio-py27-django19" / "result.json"
    truncated.write_text(truncated.read_text()[:100])
    future = artifacts / "cell-django-socketio-py312-django52" / "result.json"
    future.write_text(json.dumps({**json.loads(future.read_text()), "schema_version": 7}))
    soup = library_page(build(tmp_path, artifacts))
    assert row(soup, "py27-django18")["Does it work?"] == "✗ No"
    assert row(soup, "py27-django19")["Does it work?"] == "? No result"
    assert "not valid JSON" in row(soup, "py27-django19")["Why"]
    assert "unknown schema_version 7" in row(soup, "py312-django52")["Why"]


def test_a_record_cannot_publish_other_files_or_script_links(local_run: LocalRun, tmp_path: Path) -> None:
    _done, local = local_run
    folder = tmp_path / "evil" / "django-socketio" / "py27-django18"
    shutil.copytree(local / "django-socketio" / "py27-django18", folder)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the site")
    rec = record.read(folder / "result.json")
    rec.step("install").log = str(secret)
    rec.step("check").log = "../../../secret.txt"
    rec.provenance.run_id = "1"
    rec.provenance.job_url = "javascript:alert(1)"
    record.write(rec, folder)
    built = build(tmp_path, tmp_path / "evil")
    cell = built / "cells" / "django-socketio" / "py27-django18"
    assert "not for the site" not in "".join(p.read_text(errors="replace") for p in cell.rglob("*") if p.is_file())
    assert not (cell / "logs" / "secret.txt").exists()
    html = (cell / "index.html").read_text()
    assert "javascript:alert" not in html
    assert "is missing from this record" in html


def test_the_browser_steps_screenshot_is_on_the_cell_page(built: Path) -> None:
    cell = built / "cells" / "channels" / "py312-django52-channels"
    soup = page(cell / "index.html")
    image = soup.find("img", class_="dtws-screenshot")
    assert isinstance(image, Tag) and image["src"] == "logs/browser.png"
    assert (cell / "logs" / "browser.png").read_bytes().startswith(b"\x89PNG")
