"""Tornado, as the review's author set it up: one process serves a WebSocketHandler and, behind it, Django.

chat_tornado/server.py: the chat's ``WebSocketHandler`` on /ws/chat/, and Django
(its page and static files) through ``tornado.wsgi.WSGIContainer`` and a
``FallbackHandler``. The browser's WebSocket (RFC 6455) is its client, and so is
the probes' (dtws.protocols.websocket).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from dtws.library import Library
from dtws.protocols.websocket import WebSocket

PATH = "/ws/chat/"


def socket_server(port: int) -> list[str]:
    return ["-m", "chat_tornado.server", "--port", str(port)]


def handshake(port: int, deadline: float, trace: Callable[[str], None]) -> str:
    client = WebSocket("127.0.0.1", port, PATH, deadline=deadline, trace=trace)
    client.close()
    return f"WebSocket handshake on {PATH}: 101 Switching Protocols"


def round_trip(port_a: int, port_b: int, deadline: float, trace: Callable[[str], None]) -> str:
    sender = WebSocket("127.0.0.1", port_a, PATH, deadline=deadline, trace=lambda line: trace(f"A {line}"))
    receiver = WebSocket("127.0.0.1", port_b, PATH, deadline=deadline, trace=lambda line: trace(f"B {line}"))
    try:
        token = f"dtws-{uuid.uuid4().hex[:12]}"
        sender.send_text(token)
        while time.monotonic() < deadline:
            if receiver.recv_text() == token:
                return f"client A's message reached client B through Tornado's {PATH} handler"
        raise TimeoutError(f"client B did not receive {token!r} in time")
    finally:
        sender.close()
        receiver.close()


def send(port: int, text: str, deadline: float, trace: Callable[[str], None]) -> None:
    client = WebSocket("127.0.0.1", port, PATH, deadline=deadline, trace=trace)
    try:
        client.send_text(text)
        while client.recv_text() != text:  # the handler sends it to every client, this one too
            pass
    finally:
        client.close()


# Unpinned: each cell gets the Tornado its installer picks for its Python (5.1.1 is the last for
# Python 2.7). Tornado names no Django, so its cells are every Python × Django cell Django supports.
LIBRARY = Library(
    name="tornado",
    factor="tornado",
    package="tornado",
    app="chat_tornado",
    deps=("tornado",),
    djangos=None,
    pythons=None,
    client_js="/static/chat_tornado/chat.js",
    client_js_marker=b"new WebSocket(",
    serves_page=True,
    socket_server=socket_server,
    handshake=handshake,
    round_trip=round_trip,
    send=send,
)
