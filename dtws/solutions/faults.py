"""The test-only ``faults`` library: its processes misbehave on demand (faults_app/faults.py).

Its socket server binds its port and never answers, so every probe of it waits
for its deadline: the harness must end it and say ``timeout``.
"""

from __future__ import annotations

from collections.abc import Callable

from dtws.protocols.websocket import WebSocket

SETTING = "faults"
APP = "faults_app"
PACKAGE = "dtws-claims"  # faults_app/claims_package: it claims Python 3.12 and Django 5.2
CLIENT_JS = "/static/faults_app/client.js"
CLIENT_JS_MARKER = b"dtws faults"
SERVES_PAGE = False


def socket_server(port: int) -> list[str]:
    return ["manage.py", "faults_server"]


def handshake(port: int, deadline: float, trace: Callable[[str], None]) -> str:
    WebSocket("127.0.0.1", port, "/", deadline=deadline, trace=trace).close()
    return "a handshake (never: this server does not answer)"


def round_trip(port: int, deadline: float, trace: Callable[[str], None]) -> str:
    return handshake(port, deadline, trace)


def send(port: int, text: str, deadline: float, trace: Callable[[str], None]) -> None:
    handshake(port, deadline, trace)
