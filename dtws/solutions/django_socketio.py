"""django-socketio 0.3.9: gevent-socketio under ``manage.py runserver_socketio``, Socket.IO 0.6 on the wire."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from dtws import protocols
from dtws.library import Probes
from dtws.protocols import socketio06

CHANNEL = "dtws"  # DjangoTestWebsockets.settings.DTWS_CHANNEL
# In the order the bundled client tries them, less flashsocket (needs Flash),
# htmlfile (Internet Explorer only) and xhr-multipart (Firefox of 2011).
TRANSPORTS = ("websocket", "xhr-polling")
RESEND_S = 2.0


def _first_transport(port: int, deadline: float, trace: Callable[[str], None]) -> tuple[str, socketio06.Client]:
    failures = []
    for transport in TRANSPORTS:
        client = socketio06.Client(transport, port, deadline=deadline, trace=trace)
        try:
            client.connect()
        except Exception as error:  # every failure of a transport is evidence, then the next is tried
            trace(f"{transport}: {type(error).__name__}: {error}")
            failures.append(f"{transport}: {type(error).__name__}: {error}")
            client.close()
            continue
        return transport, client
    raise protocols.ProtocolError("no transport connected (" + "; ".join(failures) + ")")


def handshake(port: int, deadline: float, trace: Callable[[str], None]) -> str:
    transport, client = _first_transport(port, deadline, trace)
    client.close()
    return f"Socket.IO 0.6 handshake over {transport}: session {client.session_id}"


def round_trip(port_a: int, port_b: int, deadline: float, trace: Callable[[str], None]) -> str:
    transport, sender = _first_transport(port_a, deadline, lambda line: trace(f"A {line}"))
    receiver = socketio06.Client(transport, port_b, deadline=deadline, trace=lambda line: trace(f"B {line}"))
    try:
        receiver.connect()
        receiver.subscribe(CHANNEL)
        sender.subscribe(CHANNEL)
        token = f"dtws-{uuid.uuid4().hex[:12]}"
        # No acknowledgement tells when B's subscription is in, so A sends
        # again every RESEND_S until B has the message or time is up.
        while True:
            sender.send([token])
            if receiver.receive_until(token, min(deadline, time.monotonic() + RESEND_S)):
                break
            if time.monotonic() >= deadline:
                raise protocols.ProtocolError(f"client B did not receive {token!r} from client A in time")
    finally:
        sender.close()
        receiver.close()
    return f"client A's message reached client B over {transport} on channel {CHANNEL!r}"


def send(port: int, text: str, deadline: float, trace: Callable[[str], None]) -> None:
    _transport, client = _first_transport(port, deadline, trace)
    try:
        client.subscribe(CHANNEL)
        client.send([text])
    finally:
        client.close()


PROBES = Probes(handshake=handshake, round_trip=round_trip, send=send)
