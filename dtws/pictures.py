"""The README's pictures of the site: its front page and its Compare page, as a reader's Chromium shows them.

The built site is served on 127.0.0.1 for the while, and each page is taken at
the width of a laptop's screen, cropped to its first screen (what a reader sees
before scrolling), by the run's one Chromium (dtws.chromium). Taken by a command
rather than by hand, so that the README's pictures can be made again, and stay
true, whenever the site changes.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from playwright.async_api import BrowserContext

from dtws import addresses, chromium, files

# Each picture's file name and the site's page it shows.
PAGES = {"front.png": "", "compare.png": addresses.COMPARE}
WIDTH, HEIGHT = 1280, 800  # a laptop's first screen
TIMEOUT_S = 60.0


class PictureError(RuntimeError):
    """Why no picture could be taken (no Chromium, no site): one line."""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


@contextlib.contextmanager
def _served(site: Path) -> Iterator[str]:
    """The site on a free port of 127.0.0.1, for the while: its address."""
    handler = functools.partial(_Quiet, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True, name="pictures-site")
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/"
        finally:
            server.shutdown()
            thread.join()


async def _shoot(context: BrowserContext, url: str, out: Path) -> list[Path]:
    page = await context.new_page()
    await page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    taken = []
    for name, path in PAGES.items():
        response = await page.goto(url + path, wait_until="networkidle")
        if response is None or response.status != 200:
            raise PictureError(f"{url + path}: HTTP {response.status if response else 'no answer'}")
        taken.append(files.write_bytes(out / name, await page.screenshot(full_page=False)))
    return taken


def take(site: Path, out: Path) -> list[Path]:
    """Screenshots of ``site``'s front page and Compare page into ``out``: the files written.

    PictureError when there is no built site there, no Chromium on this machine, or a page is missing.
    """
    missing = [path for path in PAGES.values() if not (site / path / "index.html").is_file()]
    if missing:
        raise PictureError(f"{site}: no built site with a front page and a Compare page (run `make run` first)")
    executable = chromium.find()
    if executable is None:
        raise PictureError(f"no Chromium on this machine (looked for {', '.join(chromium.BROWSERS)})")
    out.mkdir(parents=True, exist_ok=True)
    with _served(site) as url:
        browser = chromium.shared(executable)
        try:
            return browser.run(lambda context: _shoot(context, url, out), time.monotonic() + TIMEOUT_S)
        except chromium.DidNotStart as error:
            raise PictureError(str(error)) from None
