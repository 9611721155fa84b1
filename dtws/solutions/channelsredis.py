"""Django Channels on channels_redis' RedisChannelLayer, on the cell's real Redis, served by two daphnes.

The probes are Channels' (dtws.solutions.channels), but
two daphne processes serve the cell: client A talks to the first, client B to
the second, so a message reaches B only through the Redis layer they share.
The Redis is the cell's own (dtws.services), on a free port of 127.0.0.1.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from dtws.libraries.channels import PATH
from dtws.library import Probes
from dtws.protocols.websocket import WebSocket
from dtws.solutions import channels

CROSS_S = 10.0  # how long B may take to get a message once A's own process gave it back


def round_trip(port_a: int, port_b: int, deadline: float, trace: Callable[[str], None]) -> str:
    """A sends on its process; its own process gives the message back (the layer took it); B, on the other, gets it."""
    path = PATH
    sender = WebSocket("127.0.0.1", port_a, path, deadline=deadline, trace=lambda line: trace(f"A {line}"))
    receiver = WebSocket("127.0.0.1", port_b, path, deadline=deadline, trace=lambda line: trace(f"B {line}"))
    try:
        token = f"dtws-{uuid.uuid4().hex[:12]}"
        sender.send_text(token)
        while sender.recv_text() != token:
            pass
        trace(f"A got {token!r} back from its own daphne: the layer delivered it in that process")
        receiver.deadline = min(deadline, time.monotonic() + CROSS_S)
        try:
            while receiver.recv_text() != token:
                pass
        except TimeoutError:
            if time.monotonic() >= deadline:
                raise
            raise AssertionError(
                f"client B, on the other daphne, did not get {token!r} within {CROSS_S:g} s of client A getting it"
                " back: the channel layer does not reach across processes"
            ) from None
        return f"client A's message reached client B, on the other daphne process, through the {path} group"
    finally:
        sender.close()
        receiver.close()


PROBES = Probes(handshake=channels.handshake, round_trip=round_trip, send=channels.send)
