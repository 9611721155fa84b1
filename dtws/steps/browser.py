"""browser: the index page in a real Chromium shows a message that a second client sends.

The page loads the library's own JS client, served locally; the message comes
from a second, non-browser client of the library's protocol. Chromium is
Debian's ``chromium`` (or ``DTWS_CHROMIUM``, or Chrome where that is what the
machine has), driven by Playwright; without one the step is ``unavailable``.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

from playwright.sync_api import sync_playwright

from dtws import procs
from dtws.protocols import left
from dtws.steps.base import Context, Outcome

NEEDS = ("install", "round-trip")
TIMEOUT_S = 90.0
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


def chromium() -> str | None:
    named = os.environ.get("DTWS_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def _ms_left(ctx: Context) -> float:
    """What Playwright takes as a timeout: milliseconds."""
    return left(ctx.deadline) * 1000


class BrowserDidNotStart(RuntimeError):
    """Chromium or Playwright's driver failed before the page was opened: dtws's failure, not the library's."""


def _in_browser(ctx: Context, executable: str, url: str, socket_port: int) -> str:
    text = f"dtws-browser-{uuid.uuid4().hex[:12]}"
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=list(FLAGS))
        except Exception as error:  # whatever stops the browser from starting
            raise BrowserDidNotStart(f"{executable} did not start: {str(error).splitlines()[0]}") from error
        try:
            page = browser.new_page()
            page.on("console", lambda message: ctx.note(f"console {message.type}: {message.text}"))
            ctx.note(f"open {url} in {executable}")
            page.goto(url, timeout=_ms_left(ctx))
            page.wait_for_function(
                "document.getElementById('status').textContent === 'connected'", timeout=_ms_left(ctx)
            )
            ctx.note("the page says: connected")
            ctx.solution.send(socket_port, text, ctx.deadline, ctx.note)
            page.locator("#messages li", has_text=text).wait_for(timeout=_ms_left(ctx))
            ctx.note("the page shows: " + " | ".join(page.locator("#messages li").all_inner_texts()))
            shot = Path(ctx.log.name).with_suffix(".png")
            page.screenshot(path=str(shot))
            ctx.note(f"screenshot: {shot.name}")
        finally:
            browser.close()
    return f"the page, in {os.path.basename(executable)}, showed a message a second client sent"


def run(ctx: Context) -> Outcome:
    executable = chromium()
    if executable is None:
        return Outcome("unavailable", None, None, f"no Chromium on this machine (looked for {', '.join(BROWSERS)})")
    socket_port = procs.free_port()
    env = dict(ctx.env, DTWS_SOCKETIO_PORT=str(socket_port))
    command = [str(ctx.python), *ctx.solution.socket_server(socket_port)]
    servers = [ctx.server(command, env=env)]
    commands = [command]
    page_port = socket_port
    try:
        if not ctx.solution.serves_page:  # the page comes from Django's own server, pointed at the socket server
            page_port = procs.free_port()
            page_command = ctx.manage("runserver", f"127.0.0.1:{page_port}", "--noreload")
            servers.append(ctx.server(page_command, env=env))
            commands.append(page_command)
        for server, started, port in zip(servers, commands, (socket_port, page_port), strict=False):
            if not server.wait_for_port(port, ctx.deadline):
                verdict = "timeout" if server.stop() is None else "fail"
                return Outcome(verdict, started, None, "a server never listened")
        try:
            detail = _in_browser(ctx, executable, f"http://127.0.0.1:{page_port}/", socket_port)
        except BrowserDidNotStart as error:
            ctx.note(str(error))
            return Outcome("error", command, None, str(error))
        except Exception as error:  # every failure of the page or of the second client is the step's evidence
            ctx.note(f"browser check failed: {type(error).__name__}: {error}")
            verdict = "timeout" if time.monotonic() >= ctx.deadline else "fail"
            return Outcome(verdict, command, None, f"{type(error).__name__}: {str(error).splitlines()[0]}")
        ctx.note(detail)
        return Outcome("pass", command, None, detail)
    finally:
        for server in servers:
            server.stop()
