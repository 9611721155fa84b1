"""Django Channels 4 served by daphne; the browser's WebSocket (RFC 6455) is its client."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from dtws.libraries.channels import PATH
from dtws.library import Probes
from dtws.protocols.websocket import WebSocket


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


PROBES = Probes(handshake=handshake, round_trip=round_trip, send=send)
