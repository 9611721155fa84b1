"""One Chromium per dtws process, shared by the browser step of every cell, each cell in a fresh context.

Chromium is Debian's ``chromium`` (or ``DTWS_CHROMIUM``, or Chrome where that is
what the machine has), driven by Playwright. Playwright's async API runs in a
thread of its own, on its own event loop: a cell's thread hands it the cell's
work and waits for it up to the cell's deadline. Cells' pages run at once, so
one cell's hang never holds up another's. The browser starts when the first
cell needs it and again if it has died; ``close_all`` ends it (the command
line does, whatever way a command ends). A browser context shares no cookies,
storage or cache with another, so each cell's page starts clean.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright

from dtws import procs

T = TypeVar("T")
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# As root in a sandbox and on a closed network: no sandbox, no background traffic.
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
CLOSE_S = 15.0  # how long closing a context or the browser may take before it is left to the reaper


def find() -> str | None:
    """The Chromium to drive: ``DTWS_CHROMIUM`` if set (and executable), else the first of BROWSERS on PATH."""
    named = os.environ.get("DTWS_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


@functools.cache
def version() -> str | None:
    """What the Chromium to drive says of itself (``--version``), once per process; None when there is none."""
    executable = find()
    if executable is None:
        return None
    try:
        done = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return " ".join(done.stdout.split()) or None if done.returncode == 0 else None


class DidNotStart(RuntimeError):
    """Chromium or Playwright's driver failed before a page was opened: dtws's failure, not the library's."""


class Chromium:
    """One browser and the thread whose event loop drives it."""

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self.launch_id: str | None = None  # names the browser now running, in the logs of the cells it served
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="chromium")
        self._thread.start()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._starting: asyncio.Lock | None = None

    async def _started(self) -> Browser:
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            try:
                if self._playwright is None:
                    self._playwright = await async_playwright().start()
                # The run's marks: a harness that dies leaves no Chromium behind (dtws.reaper).
                self._browser = await self._playwright.chromium.launch(
                    executable_path=self.executable, args=list(FLAGS), env={**os.environ, **procs.marks()}
                )
            except Exception as error:  # whatever stops the browser from starting
                first = (str(error).splitlines() or [type(error).__name__])[0]
                raise DidNotStart(f"{self.executable} did not start: {first}") from error
            self.launch_id = uuid.uuid4().hex[:12]
            return self._browser

    async def _in_context(self, work: Callable[[BrowserContext], Awaitable[T]]) -> T:
        browser = await self._started()
        context = await browser.new_context()
        try:
            return await work(context)
        finally:
            try:
                await asyncio.wait_for(context.close(), CLOSE_S)
            except Exception:  # a browser that died or hangs: the next cell starts another
                pass

    def run(self, work: Callable[[BrowserContext], Awaitable[T]], deadline: float) -> T:
        """Run ``work`` in a fresh context of the browser; TimeoutError (and ``work`` cancelled) at ``deadline``."""
        future = asyncio.run_coroutine_threadsafe(self._in_context(work), self._loop)
        try:
            return future.result(timeout=max(deadline - time.monotonic(), 0.0))
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError("the page was not done by the step's deadline") from None

    def close(self) -> None:
        async def shut() -> None:
            if self._browser is not None:
                await self._browser.close()
            if self._playwright is not None:
                await self._playwright.stop()

        try:
            asyncio.run_coroutine_threadsafe(shut(), self._loop).result(timeout=CLOSE_S)
        except Exception:  # what did not close in time, the reaper ends (it carries the run's marks)
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=CLOSE_S)
        if not self._thread.is_alive():
            self._loop.close()


_SHARED: dict[str, Chromium] = {}
_LOCK = threading.Lock()


def shared(executable: str) -> Chromium:
    """This process's Chromium of ``executable``, made on first use."""
    with _LOCK:
        if executable not in _SHARED:
            _SHARED[executable] = Chromium(executable)
        return _SHARED[executable]


def close_all() -> None:
    with _LOCK:
        browsers = list(_SHARED.values())
        _SHARED.clear()
    for browser in browsers:
        browser.close()
