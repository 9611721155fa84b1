"""gevent-socketio on its own: socketio.sdjango's namespace ``/chat`` in Django, served by its SocketIOServer.

It speaks Socket.IO 0.9 (protocol 1): the probes use dtws's own client of it
(dtws.protocols.socketio09), the page socket.io-client 0.9.17 from npm.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from dtws import protocols
from dtws.library import Probes
from dtws.protocols import left, socketio09

NAMESPACE = "/chat"  # chat_geventsocketio/sockets.py
EVENT = "chat"
# In the order socket.io-client 0.9 tries them, less flashsocket (needs Flash) and htmlfile (Internet Explorer).
TRANSPORTS = ("websocket", "xhr-polling")


def handshake(port: int, deadline: float, trace: Callable[[str], None]) -> str:
    shaken = socketio09.Client(port, deadline=deadline, trace=trace).handshake()
    offered = ", ".join(shaken.transports)
    return f"Socket.IO 0.9 handshake: session {shaken.session}, heartbeat {shaken.heartbeat} s, transports {offered}"


def _joined(port: int, deadline: float, trace: Callable[[str], None]) -> socketio09.Client:
    """A client in the namespace over the first transport that connects."""
    failures = []
    for transport in TRANSPORTS:
        client = socketio09.Client(port, deadline=deadline, trace=trace)
        try:
            client.connect(transport)
            client.join(NAMESPACE)
        except Exception as error:  # every failure of a transport is evidence, then the next is tried
            trace(f"{transport}: {type(error).__name__}: {error}")
            failures.append(f"{transport}: {type(error).__name__}: {error}")
            client.close()
            continue
        return client
    raise protocols.ProtocolError("no transport connected (" + "; ".join(failures) + ")")


def _echoed(text: str) -> Callable[[socketio09.Packet], bool]:
    return lambda packet: packet.endpoint == NAMESPACE and packet.event() == (EVENT, [text])


def round_trip(port_a: int, port_b: int, deadline: float, trace: Callable[[str], None]) -> str:
    receiver = _joined(port_b, deadline, lambda line: trace(f"B {line}"))
    try:
        sender = _joined(port_a, deadline, lambda line: trace(f"A {line}"))
        try:
            token = f"dtws-{uuid.uuid4().hex[:12]}"
            sender.send(socketio09.event(NAMESPACE, EVENT, token))
            if not receiver.wait_for(_echoed(token), left(deadline)):
                raise TimeoutError(f"client B did not receive {token!r} from client A in time")
        finally:
            sender.close()
    finally:
        receiver.close()
    return f"client A's {EVENT} event reached client B over {receiver.transport} through the namespace {NAMESPACE}"


def send(port: int, text: str, deadline: float, trace: Callable[[str], None]) -> None:
    client = _joined(port, deadline, trace)
    try:
        client.send(socketio09.event(NAMESPACE, EVENT, text))
        if not client.wait_for(_echoed(text), left(deadline)):  # broadcast to the sender too once it went out
            raise TimeoutError(f"the namespace did not broadcast {text!r} in time")
    finally:
        client.close()


PROBES = Probes(handshake=handshake, round_trip=round_trip, send=send)
