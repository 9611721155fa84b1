"""django-server: ``manage.py runserver`` on a free port serves the index page and the library's JS client.

A library that hooks runserver for development (its ``runserver_websocket``) must also have runserver
answer its websocket handshake.
"""

from __future__ import annotations

import http.client
import re
import time

from dtws import procs
from dtws.protocols.websocket import Closed, HandshakeError
from dtws.record import StepVerdict
from dtws.steps.base import Context, Outcome, StepSpec

_SCRIPT = re.compile(rb"<script[^>]+src=\"([^\"]+)\"")
_TITLE = re.compile(rb"<title>(.*?)</title>", re.DOTALL)


def _get(port: int, path: str, timeout: float) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def probe(ctx: Context, port: int) -> str:
    """Raise AssertionError with what a user would see, or return what worked."""
    remaining = max(ctx.deadline - time.monotonic(), 1.0)
    status, page = _get(port, "/", remaining)
    ctx.note(f"GET / -> HTTP {status}, {len(page)} bytes")
    if status != 200:
        title = _TITLE.search(page)
        shown = title.group(1).decode("utf-8", "replace").strip() if title else page[:200].decode("utf-8", "replace")
        raise AssertionError(f"GET / answered HTTP {status}: {shown}")
    scripts = [src.decode("utf-8", "replace") for src in _SCRIPT.findall(page)]
    ctx.note(f"the page loads scripts: {scripts}")
    client = ctx.solution.client_js
    if client not in scripts:
        raise AssertionError(f"the index page does not load {client}")
    status, body = _get(port, client, remaining)
    ctx.note(f"GET {client} -> HTTP {status}, {len(body)} bytes")
    if status != 200:
        raise AssertionError(f"GET {client} answered HTTP {status}")
    if ctx.solution.client_js_marker not in body:
        raise AssertionError(f"{client} is not the library's client (no {ctx.solution.client_js_marker!r})")
    detail = f"GET / -> 200, GET {client} -> 200 ({len(body)} bytes)"
    if ctx.probes.runserver_websocket is not None:
        detail += "; runserver itself: " + ctx.probes.runserver_websocket(port, ctx.deadline, ctx.note)
    return detail


def run(ctx: Context) -> Outcome:
    port = procs.free_port()
    command = ctx.manage("runserver", f"127.0.0.1:{port}", "--noreload")
    with ctx.server(command) as server:
        if not server.wait_for_port(port, ctx.deadline):
            code = server.stop()
            verdict: StepVerdict = "timeout" if code is None else "fail"
            return Outcome(verdict, command, code, "the server never listened")
        try:
            detail = probe(ctx, port)
        except (AssertionError, OSError, http.client.HTTPException, HandshakeError, Closed) as error:
            ctx.note(f"probe failed: {error}")
            code = server.stop()
            return Outcome("timeout" if isinstance(error, TimeoutError) else "fail", command, code, str(error))
        return Outcome("pass", command, server.stop(), detail)


STEP = StepSpec(name="django-server", needs=("install",), timeout_s=90.0, services=True, run=run)
