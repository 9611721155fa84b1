"""Django Channels on channels_redis' RedisChannelLayer, on the cell's real Redis, served by two daphnes.

The app and probes are Channels' (chat_channels, dtws.solutions.channels), but
two daphne processes serve the cell: client A talks to the first, client B to
the second, so a message reaches B only through the Redis layer they share.
The Redis is the cell's own (dtws.services), on a free port of 127.0.0.1.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from dtws.library import Library, Load
from dtws.protocols.websocket import WebSocket
from dtws.solutions import channels

CROSS_S = 10.0  # how long B may take to get a message once A's own process gave it back


def round_trip(port_a: int, port_b: int, deadline: float, trace: Callable[[str], None]) -> str:
    """A sends on its process; its own process gives the message back (the layer took it); B, on the other, gets it."""
    path = channels.PATH
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


# channels-redis 4.3 names no Python or Django classifier; its Requires-Python is >=3.9 and it
# requires channels>=4.2.2, whose classifiers claim Django 4.2, 5.1, 5.2 and 6.0 on Python 3.9 to
# 3.14: the same cells as Channels' (the review's seven come with every library).
LIBRARY = Library(
    name="channels-redis",
    factor="channelsredis",
    package="channels-redis",
    app="chat_channelsredis",
    deps=("channels[daphne]", "channels-redis"),
    djangos=("4.2", "5.2", "6.0"),
    pythons=("3.9", "3.10", "3.11", "3.12", "3.13", "3.14"),
    client_js=channels.LIBRARY.client_js,
    client_js_marker=channels.LIBRARY.client_js_marker,
    serves_page=True,
    socket_server=channels.socket_server,
    handshake=channels.handshake,
    round_trip=round_trip,
    send=channels.send,
    load=Load(
        "rfc6455",
        channels.PATH,
        drops="channels-redis' layer drops a group message for a member whose channel already holds its capacity"
        " (100 by default; it logs that only at INFO), and a message waits at most its expiry (60 s)",
    ),
    echo=channels.LIBRARY.echo,  # its consumer, under daphne on the Redis layer
    processes=2,
    services=("redis",),
    integration=(("settings", "chat_channelsredis/integration.py"), *channels.LIBRARY.integration[1:]),
)
