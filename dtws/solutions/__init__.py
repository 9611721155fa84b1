"""One module per library under test: how its servers start and how its protocol is probed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dtws.solutions import django_socketio

Trace = Callable[[str], None]


@dataclass(frozen=True)
class Solution:
    name: str
    package: str  # the distribution whose version the records report
    client_js: str  # the library's JS client as the index page must load it
    client_js_marker: bytes  # a text the served client file must contain
    socket_server: Callable[[int], list[str]]  # manage.py arguments for a port
    # (port, deadline as a time.monotonic() value, trace) -> one line on success; raises on failure
    handshake: Callable[[int, float, Trace], str]
    round_trip: Callable[[int, float, Trace], str]


SOLUTIONS: dict[str, Solution] = {
    django_socketio.NAME: Solution(
        name=django_socketio.NAME,
        package=django_socketio.PACKAGE,
        client_js=django_socketio.CLIENT_JS,
        client_js_marker=django_socketio.CLIENT_JS_MARKER,
        socket_server=django_socketio.socket_server,
        handshake=django_socketio.handshake,
        round_trip=django_socketio.round_trip,
    ),
}
