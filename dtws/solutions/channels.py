"""Django Channels 4 served by daphne; the browser's WebSocket (RFC 6455) is its client."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from dtws.library import Echo, Library, Load
from dtws.protocols.websocket import WebSocket

PATH = "/ws/chat/"


def socket_server(port: int) -> list[str]:
    return ["-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "chat_channels.asgi:application"]


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
                return f"client A's message reached client B through the {PATH} group"
        raise TimeoutError(f"client B did not receive {token!r} in time")
    finally:
        sender.close()
        receiver.close()


def send(port: int, text: str, deadline: float, trace: Callable[[str], None]) -> None:
    client = WebSocket("127.0.0.1", port, PATH, deadline=deadline, trace=trace)
    try:
        client.send_text(text)
        while client.recv_text() != text:  # the group echoes it back once it went out
            pass
    finally:
        client.close()


# Channels 4.3 served by daphne; its classifiers claim Django 4.2, 5.1, 5.2 and 6.0 on Python 3.9 to 3.14.
LIBRARY = Library(
    name="channels",
    factor="channels",
    package="channels",
    app="chat_channels",
    deps=("channels[daphne]",),
    djangos=("4.2", "5.2", "6.0"),
    pythons=("3.9", "3.10", "3.11", "3.12", "3.13", "3.14"),
    client_js="/static/chat_channels/chat.js",
    client_js_marker=b"new WebSocket(",
    serves_page=True,
    socket_server=socket_server,
    handshake=handshake,
    round_trip=round_trip,
    send=send,
    load=Load(
        "rfc6455",
        PATH,
        drops="Channels' in-memory channel layer (InMemoryChannelLayer) drops a group message silently when a"
        " member's channel already holds its capacity (100 by default); its docs say it is for testing only",
    ),
    echo=Echo("/ws/echo/"),
    integration=(
        ("settings", "chat_channels/integration.py"),
        ("asgi", "chat_channels/asgi.py"),
        ("routing", "chat_channels/routing.py"),
        ("urls", "chat_channels/urls.py"),
        ("template", "chat_channels/templates/chat_channels/index.html"),
        ("client", "chat_channels/static/chat_channels/chat.js"),
        ("handlers", "chat_channels/consumers.py"),
    ),
)
