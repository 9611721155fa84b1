"""gevent-socketio on its own: socketio.sdjango's namespace ``/chat`` in Django, served by its SocketIOServer.

It speaks Socket.IO 0.9 (protocol 1): the probes use dtws's own client of it
(dtws.protocols.socketio09), the page socket.io-client 0.9.17 from npm.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from dtws import protocols
from dtws.library import Echo, Library, Load
from dtws.protocols import left, socketio09

NAMESPACE = "/chat"  # chat_geventsocketio/sockets.py
EVENT = "chat"
# In the order socket.io-client 0.9 tries them, less flashsocket (needs Flash) and htmlfile (Internet Explorer).
TRANSPORTS = ("websocket", "xhr-polling")


def socket_server(port: int) -> list[str]:
    return ["-m", "chat_geventsocketio.serve", "127.0.0.1", str(port)]


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


# Its README says `pip install gevent-socketio`, which brings the newest gevent: from 1.1 on, gevent's pywsgi
# refuses the integer header value 0.3.6 answers every handshake with (UnicodeError: The value must be a native
# string, 'Access-Control-Max-Age', 3600). Its Django example (examples/django_chat/requirements.txt) pins
# gevent 1.0.1 and gevent-websocket 0.9.3; gevent 1.0.1's ssl module fails on Python 2.7.9 and later (NameError:
# PROTOCOL_SSLv3), which 1.0.2, the last 1.0 release, fixed. So the example's pins, with gevent at 1.0.2.
# It names no Python or Django: every cell Django supports, and the review's seven.
LIBRARY = Library(
    name="gevent-socketio",
    factor="geventsocketio",
    package="gevent-socketio",
    app="chat_geventsocketio",
    deps=("gevent-socketio==0.3.6", "gevent==1.0.2", "gevent-websocket==0.9.3"),
    djangos=None,
    pythons=None,
    client_js="/static/socket.io-client-0.9/socket.io.min.js",
    client_js_marker=b"Socket.IO.min.js build:0.9.17",
    serves_page=True,
    socket_server=socket_server,
    handshake=handshake,
    round_trip=round_trip,
    send=send,
    npm_file="node_modules/socket.io-client-0.9/dist/socket.io.min.js",  # from npm (package.json)
    bisect_python="2.7",  # gevent 1.0 builds on Python 2 only (its Python 3 cells' install fails)
    load=Load("socket.io-0.9"),
    # Its websocket carries Socket.IO 0.9: the suite runs against gevent-websocket on /ws/echo/ of the same server.
    echo=Echo("/ws/echo/"),
    builds=("gevent",),  # 1.0.2 is an sdist only: a machine without a compiler is a harness error, not its ✗
    integration=(
        ("settings", "chat_geventsocketio/integration.py"),
        ("urls", "chat_geventsocketio/urls.py"),
        ("template", "chat_geventsocketio/templates/chat_geventsocketio/index.html"),
        ("client", "chat_geventsocketio/static/chat_geventsocketio/chat.js"),
        ("handlers", "chat_geventsocketio/sockets.py"),
    ),
)
