"""python-socketio 5 (Socket.IO 5 / Engine.IO 4) in Django's ASGI app, served by uvicorn.

The probes use python-socketio's own client, as a second real implementation
of the protocol the page's socket.io-client speaks.
"""

from __future__ import annotations

import http.client
import time
import uuid
from collections.abc import Callable

from dtws.library import Probes
from dtws.protocols import left


def handshake(port: int, deadline: float, trace: Callable[[str], None]) -> str:
    """Engine.IO 4's opening request, as socket.io-client sends it first."""
    path = f"/socket.io/?EIO=4&transport=polling&t={int(time.time() * 1000)}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=left(deadline))
    trace(f"> GET {path}")
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
    finally:
        connection.close()
    trace(f"< HTTP {response.status} {body[:300]!r}")
    if response.status != 200 or not body.startswith("0{") or '"sid"' not in body:
        raise ConnectionError(f"no Engine.IO 4 open packet: HTTP {response.status} {body[:120]!r}")
    return "Engine.IO 4 handshake: open packet with a session id and its upgrades"


def round_trip(port_a: int, port_b: int, deadline: float, trace: Callable[[str], None]) -> str:
    import socketio  # here: the probes of a library are loaded with the steps, few run this one

    sender, receiver = socketio.SimpleClient(), socketio.SimpleClient()
    try:
        for name, client, port in (("A", sender, port_a), ("B", receiver, port_b)):
            url = f"http://127.0.0.1:{port}"
            client.connect(url, transports=["websocket"], wait_timeout=max(int(left(deadline)), 1))
            trace(f"{name} connected over websocket, sid {client.sid}")
        token = f"dtws-{uuid.uuid4().hex[:12]}"
        sender.emit("chat", token)
        trace(f"A emitted chat {token!r}")
        while True:
            event = receiver.receive(timeout=left(deadline))
            trace(f"B received {event!r}")
            if event == ["chat", token]:
                return "client A's chat event reached client B over websocket"
    except socketio.exceptions.TimeoutError:
        raise TimeoutError("client B received nothing in time") from None
    finally:
        sender.disconnect()
        receiver.disconnect()


def send(port: int, text: str, deadline: float, trace: Callable[[str], None]) -> None:
    import socketio

    with socketio.SimpleClient() as client:
        client.connect(f"http://127.0.0.1:{port}", transports=["websocket"], wait_timeout=max(int(left(deadline)), 1))
        client.emit("chat", text)
        trace(f"second client emitted chat {text!r}")
        while client.receive(timeout=left(deadline)) != ["chat", text]:  # echoed once it went out
            pass


PROBES = Probes(handshake=handshake, round_trip=round_trip, send=send)
