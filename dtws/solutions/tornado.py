"""Tornado, as the review's author set it up: one process serves a WebSocketHandler and, behind it, Django.

chat_tornado/server.py: the chat's ``WebSocketHandler`` on /ws/chat/, and Django
(its page and static files) through ``tornado.wsgi.WSGIContainer`` and a
``FallbackHandler``. The browser's WebSocket (RFC 6455) is its client, and so is
the probes' (dtws.protocols.websocket).
"""

from __future__ import annotations

from collections.abc import Callable

from dtws.libraries.tornado import PATH
from dtws.library import Probes
from dtws.solutions import channels


def round_trip(port_a: int, port_b: int, deadline: float, trace: Callable[[str], None]) -> str:
    """Channels' round trip: the same chat protocol on the same path, over RFC 6455."""
    channels.round_trip(port_a, port_b, deadline, trace)
    return f"client A's message reached client B through Tornado's {PATH} handler"


PROBES = Probes(handshake=channels.handshake, round_trip=round_trip, send=channels.send)
