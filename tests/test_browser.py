"""The built site in a real browser: Debian's chromium, driven by Playwright, served on 127.0.0.1."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ViewportSize

from dtws import answers, matrix, procs, record
from dtws.libraries import LIBRARIES, library
from dtws.solutions import probes
from tests.conftest import PROJECT, dtws_args
from tests.test_site import build, hostile_copy

LocalRun = tuple[subprocess.CompletedProcess[str], Path]
RAW = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")  # an ISO time as the data keeps it, never as a page shows it
ALL = len(matrix.CELLS)  # the site lists every cell of the matrix, run or not
SCREENSHOTS = PROJECT / "build" / "screenshots"


@pytest.fixture(scope="module")
def served(local_run: LocalRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site of the real cells plus a hostile copy of py27-django18, served by `dtws preview`."""
    _done, local = local_run
    tmp = tmp_path_factory.mktemp("browser")
    folders = tmp / "folders"
    shutil.copytree(local, folders / "local")
    hostile = hostile_copy(local, tmp)
    folder = hostile / "django-socketio" / "py27-django18"
    rec = record.read(folder / record.FILENAME)
    rec.reason = f"<img src=x onerror=window.__pwned=3> {rec.reason}"
    record.write(rec, folder)
    shutil.rmtree(folders / "local" / "django-socketio" / "py27-django18")
    site = build(tmp, folders / "local", hostile)
    port = procs.free_port()
    server = subprocess.Popen(dtws_args("preview", "--site", str(site), "--port", str(port)), cwd=PROJECT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


def test_no_page_asks_another_host_for_anything(browser: Browser, served: str) -> None:
    """A reader's browser talks to the site alone: no font, script or style from elsewhere, on any kind of page."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    elsewhere: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(served) else elsewhere.append(request.url))
    seen = 0
    for path in ("", "compare/", "method/", "caveats/", "libraries/channels/", "cells/django-socketio/py312-django52/"):
        page.goto(served + path, wait_until="networkidle")
        seen += 1
    page.close()
    assert seen == 6 and elsewhere == []


def test_read_the_table_follow_a_cell_see_its_steps(browser: Browser, served: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(served)
    page.locator("#dtws-cells tbody tr").first.wait_for()  # the table is drawn by table.js, a page of rows at a time
    page.fill("input[name=text]", "py312-django52")
    row = page.locator("tr[data-cell='py312-django52']")
    cells = [text.splitlines()[0] for text in row.locator("td.dtws-verdict").all_inner_texts()]
    since = row.locator("td.dtws-verdict small.dtws-since time")
    assert since.inner_text().endswith(("ago", "just now")) and since.get_attribute("title", timeout=1000)
    assert RAW.match(since.get_attribute("datetime") or "")  # the ISO form: the time's own, and its tooltip
    assert cells == ["✗ No", "— Skipped", "— Skipped", "✗ No"]
    assert "SyntaxError" in row.locator("td.dtws-reason").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "results.png"), full_page=True)
    row.get_by_role("link", name="py312-django52").click()
    page.wait_for_url("**/cells/django-socketio/py312-django52/")
    assert page.locator("h1").inner_text().rstrip("¶") == "django-socketio · py312-django52"
    install = page.locator("pre[data-step='install']")
    assert "except IndexError, KeyError:" in install.inner_text()
    assert page.locator("pre[data-step='install'] mark").inner_text().strip().startswith("SyntaxError")
    page.screenshot(path=str(SCREENSHOTS / "cell.png"), full_page=False)
    page.close()


def test_a_cell_page_is_in_the_sites_theme_and_its_search_works(browser: Browser, served: str) -> None:
    """Written after mkdocs, a cell page still has the theme's header, navigation and search, and fits 1280 px."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(served + "cells/django-socketio/py312-django52/", wait_until="networkidle")
    assert page.locator("header.md-header").is_visible()
    # The guide's pages are a section of the navigation, folded until it is opened
    assert page.locator(".md-nav--primary").get_by_role("link", name="Method", include_hidden=True).count() == 1
    assert page.locator("nav.dtws-crumbs").get_by_role("link", name="django-socketio").is_visible()
    assert page.title().startswith("django-socketio · py312-django52 - ")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("caveats")
    found = page.locator(".md-search-result__item a").first
    found.wait_for()
    found.click()
    page.wait_for_url("**/caveats/")
    page.close()


def test_the_compare_page_every_library_every_question_and_its_links_resolve(browser: Browser, served: str) -> None:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(served)
    page.get_by_role("link", name="Compare", exact=True).click()
    page.wait_for_url("**/compare/")
    table = page.locator("table.dtws-compare")
    libraries = table.locator("tbody tr").evaluate_all("rows => rows.map(row => row.dataset.library)")
    assert libraries == [lib.name for lib in LIBRARIES if not lib.test_only]
    columns = table.locator("thead th[data-question]").evaluate_all("ths => ths.map(th => th.dataset.question)")
    assert columns == [question.key for question in answers.QUESTIONS]
    for name in libraries:
        texts = table.locator(f"tr[data-library='{name}'] td summary").all_inner_texts()
        assert len(texts) == len(columns) and all(text.strip() for text in texts), name
    docs = table.locator("tr[data-library='django-socketio-workaround'] td[data-question='docs']")
    assert docs.locator("summary").inner_text() == "? not installed here"
    docs.locator("summary").click()
    assert docs.locator(".dtws-more").inner_text() == "cannot be answered: no cell installed it here"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "compare.png"), full_page=True)
    links = table.locator("a").evaluate_all("links => links.map(link => link.href)")
    assert len(links) > 3 * len(libraries)
    checker = browser.new_page()
    for url in dict.fromkeys(links):
        if not url.startswith(served):
            assert url.startswith(("https://", "http://")), url  # the library's own pages, from its metadata
            continue
        address, _, anchor = url.partition("#")
        assert checker.request.get(address).status == 200, url  # a log is a download, not a page: fetched
        if anchor:
            checker.goto(address)
            assert checker.locator(f"[id='{anchor}']").count() == 1, url
    checker.close()
    page.close()


def test_a_library_page_opens_with_its_review_card(browser: Browser, served: str) -> None:
    page = browser.new_page()
    page.goto(served + "libraries/django-socketio/")
    card = page.locator("section.dtws-card")
    asked = card.locator("dt").all_inner_texts()
    assert asked == [question.asks for question in answers.QUESTIONS]
    assert "6 assertions" in card.locator("dd[data-question='tests']").inner_text()
    card.locator("dd[data-question='events'] a").first.click()
    assert page.locator("#code-3").get_attribute("data-role") == "handlers"
    assert "@events.on_connect" in page.locator("#code-3").inner_text()
    page.close()


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_filter_and_sort_the_table_of_every_cell(browser: Browser, served: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(served)
    rows = page.locator("#dtws-cells tbody tr")
    rows.first.wait_for()
    shown = page.locator("p.dtws-shown")
    assert shown.inner_text() == f"{ALL} of {ALL} cells shown."

    page.select_option("select[name=library]", "channels")
    page.select_option("select[name=status]", "pass")
    picked = rows.evaluate_all("rows => rows.map(row => [row.dataset.library, row.dataset.status])")
    assert picked and all(item == ["channels", "pass"] for item in picked)
    assert shown.inner_text() == f"{len(picked)} of {ALL} cells shown."

    page.select_option("select[name=library]", "")
    page.select_option("select[name=status]", "")
    page.select_option("select[name=size]", "0")  # every row on one page
    page.select_option("select[name=django]", "4.2")
    page.locator("th[data-sort=python]").click()
    pythons = [text.split()[0] for text in page.locator("#dtws-cells tbody td:nth-child(2)").all_inner_texts()]
    assert "3.9" in pythons and "3.10" in pythons  # by version, not as text
    assert pythons == sorted(pythons, key=version)
    page.locator("th[data-sort=python]").click()
    again = [text.split()[0] for text in page.locator("#dtws-cells tbody td:nth-child(2)").all_inner_texts()]
    assert again == sorted(pythons, key=version, reverse=True)
    assert page.locator("th[data-sort=python]").get_attribute("aria-sort") == "descending"

    page.select_option("select[name=django]", "")
    page.fill("input[name=text]", "onerror")  # the text filter reads the reasons, whose markup stays text
    assert rows.evaluate_all("rows => rows.map(row => row.dataset.cell)") == ["py27-django18"]
    assert "<img src=x onerror=window.__pwned=3>" in page.locator("#dtws-cells td.dtws-reason").inner_text()
    assert page.locator("#dtws-cells td.dtws-reason img").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "filtered.png"), full_page=False)
    page.close()


def test_each_run_has_a_page_of_its_own(browser: Browser, served: str) -> None:
    page = browser.new_page()
    page.goto(served)
    page.get_by_role("link", name="every run").click()
    page.wait_for_url("**/runs/")
    page.locator("table.dtws-runs tbody tr a").first.click()
    page.locator("#dtws-cells tbody tr").first.wait_for()
    assert page.locator("p.dtws-shown").inner_text() == f"{ALL} of {ALL} cells shown."
    page.fill("input[name=text]", "py312-django52-channels")
    page.locator("tr[data-cell='py312-django52-channels'] a").first.click()
    page.wait_for_url("**/cells/channels/py312-django52-channels/")
    assert "This page is the cell's permalink" in page.locator("p.dtws-origin").inner_text()
    page.close()


def test_a_script_in_a_log_does_not_run(browser: Browser, served: str) -> None:
    page = browser.new_page()
    page.goto(served + "cells/django-socketio/py27-django18/")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    log = page.locator("pre[data-step='check']")
    assert "<script>window.__pwned=1</script>" in log.inner_text()
    assert (
        page.locator("pre[data-step='check'] script, pre[data-step='check'] img, pre[data-step='check'] b").count() == 0
    )
    page.screenshot(path=str(SCREENSHOTS / "hostile-log.png"), full_page=False)
    page.close()


CHATS = {
    "channels": "py312-django52-channels",
    "gevent-socketio": "py27-django18-geventsocketio",
    "python-socketio": "py312-django52-pysocketio",
    "tornado": "py312-django52-tornado",
}


@pytest.mark.parametrize("name", sorted(CHATS))
def test_the_chat_page_shows_a_message_from_a_second_client(
    name: str, browser: Browser, local_run: LocalRun, toxworkdir: Path, tmp_path: Path
) -> None:
    """The library's server from the env its real cell installed; its page in Chromium; a second client."""
    cell, solution = CHATS[name], library(name)
    python = toxworkdir / cell / "bin" / "python"
    assert python.exists(), f"the {cell} cell made no env"
    port = procs.free_port()
    env = {**os.environ, "DTWS_SOLUTION": solution.app, "PYTHONUNBUFFERED": "1"}
    with open(tmp_path / "server.log", "ab") as log:
        server = procs.Server([str(python), *solution.server_args(port)], cwd=PROJECT, env=env, log=log)
        try:
            assert server.wait_for_port(port, time.monotonic() + 60), (tmp_path / "server.log").read_text()
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_function("document.getElementById('status').textContent === 'connected'", timeout=15000)
            probes(solution).send(port, f"hello from a second {name} client", time.monotonic() + 15, lambda line: None)
            page.locator("#messages li", has_text=f"hello from a second {name} client").wait_for(timeout=15000)
            assert "a browser joined" in page.locator("#messages").inner_text()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-chat.png"))
            page.close()
        finally:
            server.stop()


PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
SIDEWAYS = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def test_the_compare_page_at_a_glance_sorted_on_a_desktop_and_a_phone(browser: Browser, served: str) -> None:
    """A mark and a few words a cell, the whole answer a click away, sortable; no sideways page, at 1280 and 390."""
    page = browser.new_page(viewport=DESKTOP)
    page.goto(served + "compare/")
    wide, seen = page.evaluate(SIDEWAYS)
    assert wide <= seen, f"the page scrolls sideways at 1280: {wide} px"
    table = page.locator("table.dtws-compare")
    glances = table.locator("td").evaluate_all("tds => tds.map(td => [td.dataset.mark, td.innerText])")
    symbols = {"yes": "✓", "partly": "~", "no": "✗", "unknown": "?"}
    assert glances and all(len(text) <= 45 for _, text in glances), glances  # a few words; the rest unopened
    assert all(text.startswith(symbols[mark]) for mark, text in glances if mark), glances
    install = table.locator("tr[data-library='channels'] td[data-question='install']")
    assert install.locator(".dtws-more").is_hidden()
    install.locator("summary").click()
    assert "installs in" in install.locator(".dtws-more").inner_text()  # the card's answer, in place
    card = browser.new_page()
    card.goto(served + "libraries/channels/")
    assert card.locator("dd[data-question='install']").inner_text() == install.locator(".dtws-more").inner_text()
    card.close()
    page.locator("thead th[data-question='tests']").click()
    order = table.locator("tbody tr td[data-question='tests']").evaluate_all("tds => tds.map(td => td.dataset.sort)")
    known = [float(value) for value in order if value]
    assert known == sorted(known) and order[: len(known)] == [value for value in order if value]  # none measured last
    page.locator("thead th[data-question='tests']").click()
    again = table.locator("tbody tr td[data-question='tests']").evaluate_all("tds => tds.map(td => td.dataset.sort)")
    assert [float(value) for value in again if value] == sorted(known, reverse=True)
    assert page.locator("thead th[data-question='tests']").get_attribute("aria-sort") == "descending"
    page.locator("thead th", has_text="Library").click()
    names = table.locator("tbody tr").evaluate_all("rows => rows.map(row => row.dataset.library)")
    assert names == sorted(names)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "compare-1280.png"))
    page.set_viewport_size(PHONE)
    page.reload()
    wide, seen = page.evaluate(SIDEWAYS)
    assert wide <= seen, f"the page scrolls sideways at 390: {wide} px"
    holder = page.locator(".dtws-scroll").first
    assert holder.evaluate("node => node.scrollWidth > node.clientWidth")  # the table scrolls, inside itself
    first = table.locator("tbody tr th").first
    before = first.bounding_box()
    holder.evaluate("node => { node.scrollLeft = 400; }")
    after = first.bounding_box()
    assert before is not None and after is not None and abs(before["x"] - after["x"]) < 1  # the library stays
    page.screenshot(path=str(SCREENSHOTS / "compare-390.png"))
    page.close()


def test_the_front_page_is_a_few_screens_and_no_page_scrolls_sideways(browser: Browser, served: str) -> None:
    page = browser.new_page(viewport=DESKTOP)
    page.goto(served)
    page.locator("#dtws-cells tbody tr").first.wait_for()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 6 * DESKTOP["height"], f"the front page is {height} px tall at 1280"
    assert page.locator("#dtws-cells tbody tr").count() == 20 and page.locator("p.dtws-shown").inner_text() == (
        f"{ALL} of {ALL} cells shown."
    )
    page.locator("nav.dtws-pager button[name=next]").click()
    assert page.locator(".dtws-where").inner_text() == f"rows 21–40 of {ALL}"
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path in ("", "compare/", *(f"libraries/{lib.name}/" for lib in LIBRARIES if not lib.test_only)):
            page.goto(served + path)
            wide, seen = page.evaluate(SIDEWAYS)
            assert wide <= seen, f"{path or 'the front page'} scrolls sideways at {viewport['width']}: {wide} px"
    page.set_viewport_size(PHONE)
    page.goto(served)
    page.locator("#dtws-cells tbody tr").first.wait_for()
    holder = page.locator("#dtws-cells .dtws-scroll")
    assert holder.evaluate("node => node.scrollWidth > node.clientWidth")  # the table scrolls, inside itself
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "results-390.png"))
    page.close()


# What a page shows of its own: its text, but the logs it quotes as they are (a server's own timestamps).
SHOWN_BY_THE_SITE = """body => {
  const copy = body.cloneNode(true);
  copy.querySelectorAll("pre.dtws-log").forEach(log => log.remove());
  document.documentElement.appendChild(copy);
  const text = copy.innerText;
  copy.remove();
  return text;
}"""


def test_no_page_shows_a_raw_iso_time(browser: Browser, served: str) -> None:
    """What a reader sees, the table drawn by table.js too: times as people read them, the ISO form in tooltips."""
    page = browser.new_page(viewport=DESKTOP)
    for path in ("", "compare/", "libraries/django-socketio/", "cells/django-socketio/py27-django18/", "runs/"):
        page.goto(served + path, wait_until="networkidle")
        text = page.locator("body").evaluate(SHOWN_BY_THE_SITE)
        assert not RAW.search(text), (path, RAW.findall(text))
        assert page.locator("time[datetime][title]").count() >= 1, path
    page.close()
