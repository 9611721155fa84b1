"""browser: the index page in a real Chromium shows a message that a second client sends.

The page loads the library's own JS client, served locally; the message comes
from a second, non-browser client of the library's protocol. The page opens in
a fresh context of the run's one Chromium (dtws.chromium); without a Chromium
the step is ``unavailable``, and one that does not start is a harness error.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from pathlib import Path

from playwright.async_api import BrowserContext

from dtws import chromium, procs
from dtws.protocols import left
from dtws.record import StepVerdict
from dtws.steps.base import Context, Launch, Outcome, Servers, StepSpec, socket_launches


def _ms_left(ctx: Context) -> float:
    """What Playwright takes as a timeout: milliseconds."""
    return left(ctx.deadline) * 1000


async def _visit(ctx: Context, browser: chromium.Chromium, context: BrowserContext, url: str, send_port: int) -> None:
    """Open the page, wait until it is connected, have a second client send a text, wait for the page to show it."""
    text = f"dtws-browser-{uuid.uuid4().hex[:12]}"
    page = await context.new_page()
    page.on("console", lambda message: ctx.note(f"console {message.type}: {message.text}"))
    ctx.note(f"open {url} in a fresh context of the run's Chromium (launch {browser.launch_id})")
    await page.goto(url, timeout=_ms_left(ctx))
    await page.wait_for_function("document.getElementById('status').textContent === 'connected'", timeout=_ms_left(ctx))
    ctx.note("the page says: connected")
    # The second client is blocking code of the protocol's own: it runs beside the event loop, not on it.
    await asyncio.get_running_loop().run_in_executor(None, ctx.probes.send, send_port, text, ctx.deadline, ctx.note)
    await page.locator("#messages li", has_text=text).wait_for(timeout=_ms_left(ctx))
    ctx.note("the page shows: " + " | ".join(await page.locator("#messages li").all_inner_texts()))
    shot = Path(ctx.log.name).with_suffix(".png")
    await page.screenshot(path=str(shot))
    ctx.note(f"screenshot: {shot.name}")


def run(ctx: Context) -> Outcome:
    executable = chromium.find()
    if executable is None:
        looked = ", ".join(chromium.BROWSERS)
        return Outcome("unavailable", None, None, f"no Chromium on this machine (looked for {looked})")
    processes = ctx.solution.processes
    ports = procs.free_ports(processes + (0 if ctx.solution.serves_page else 1))
    socket_ports = ports[:processes]
    launches = socket_launches(ctx, socket_ports)
    # The page from the first socket server process (or from Django's own server, pointed at it);
    # the second client on the last, so that with several its message must cross between them.
    page_port = socket_ports[0] if ctx.solution.serves_page else ports[processes]
    send_port = socket_ports[-1]
    if not ctx.solution.serves_page:
        page = ctx.manage("runserver", f"127.0.0.1:{page_port}", "--noreload")
        launches.append(Launch(page, page_port, dict(ctx.env, DTWS_SOCKETIO_PORT=str(socket_ports[0]))))
    command = launches[0].command
    with Servers(ctx, launches) as servers:
        never = servers.listening("a server never listened")
        if never is not None:
            return never
        if processes > 1:
            where = f"process {processes} (port {send_port})"
            ctx.note(f"the page from process 1 (port {page_port}), the second client on {where}")
        url = f"http://127.0.0.1:{page_port}/"
        try:
            browser = chromium.shared(executable)
            browser.run(lambda context: _visit(ctx, browser, context, url, send_port), ctx.deadline)
        except chromium.DidNotStart as error:
            ctx.note(str(error))
            return Outcome("error", command, None, str(error))
        except Exception as error:  # every failure of the page or of the second client is the step's evidence
            ctx.note(f"browser check failed: {type(error).__name__}: {error}")
            failed: StepVerdict = "timeout" if time.monotonic() >= ctx.deadline else "fail"
            first = (str(error).splitlines() or [""])[0]
            return Outcome(failed, command, None, f"{type(error).__name__}: {first}")
        detail = f"the page, in {os.path.basename(executable)}, showed a message a second client sent"
        ctx.note(detail)
        return Outcome("pass", command, None, detail)


STEP = StepSpec(name="browser", needs=("install", "round-trip"), timeout_s=90.0, services=True, run=run)
