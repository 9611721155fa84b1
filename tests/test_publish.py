"""The site's pipeline: load once, then each registered page gathered and rendered; a new page is one entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from dtws import addresses, files, pages, results, sitedata
from dtws.commands.site import docs_dir
from dtws.pages import publish
from tests.test_site import site_project


def merged(tmp_path: Path) -> Path:
    """A results folder of one cell, which has no record (its page says why)."""
    cell = results.Entry("channels", "py312-django52-channels", "3.12", "5.2", problem="no result.json: it crashed")
    folder = tmp_path / "results"
    folder.mkdir()
    results.write(results.Results(generated_at="2026-12-06T00:00:00+00:00", cells=[cell]), folder)
    return folder


def test_a_page_is_one_registry_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def gather(build: publish.Build) -> str:
        return f"{len(build.data.current.cells)} cell(s), generated {build.data.current.generated_at}"

    def render(said: str, where: publish.Built) -> None:  # written after mkdocs: given the theme's shell
        files.write_text(where.folder / "hello" / "index.html", where.theme.wrap("hello/", "Hello", f"<p>{said}</p>"))

    def absent(build: publish.Build) -> None:
        return None

    def never(value: object, where: publish.Built) -> None:
        raise AssertionError("rendered a page whose gather had nothing")

    entries: list[publish.Page[Any, publish.Built]] = [
        publish.Page("hello", gather, render),
        publish.Page("none", absent, never),
    ]
    monkeypatch.setattr(publish, "SITE", [*publish.SITE, *entries])
    project, out = site_project(tmp_path), tmp_path / "out"
    said: list[str] = []
    data = sitedata.load(sitedata.Sources(merged(tmp_path)), tmp_path / "kept", project)
    publish.build(data, project, docs_dir(project), out, "dtws", said.append)
    page = BeautifulSoup((out / "hello" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.select_one("header.md-header") is not None  # in the theme's shell, as every page written after mkdocs
    assert page.select_one("div.dtws-written p").get_text() == "1 cell(s), generated 2026-12-06T00:00:00+00:00"  # type: ignore[union-attr]
    assert said == []


def test_pages_written_after_mkdocs_are_in_the_themes_shell(tmp_path: Path) -> None:
    project, out = site_project(tmp_path), tmp_path / "out"
    data = sitedata.load(sitedata.Sources(merged(tmp_path)), tmp_path / "kept", project)
    publish.build(data, project, docs_dir(project), out, "dtws", print)
    address = addresses.cell("channels", "py312-django52-channels")
    page = BeautifulSoup((out / address / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.select_one("header.md-header") is not None
    assert page.select_one("input.md-search__input") is not None
    assert page.select_one("nav.dtws-crumbs a")["href"] == "../../../"  # type: ignore[index]
    assert page.select("h1")[0].get_text() == "channels · py312-django52-channels"
    assert page.title is not None and page.title.get_text().startswith("channels · py312-django52-channels - ")
    for tag in page.select("link[href], script[src]"):  # the theme's own files, found from three folders down
        target = str(tag.get("href") or tag.get("src"))
        assert (out / address / target).resolve().is_file(), target
    assert "no result.json: it crashed" in page.get_text()
    assert not (out / pages.shell.PAGE).exists()  # the placeholder page is not published
