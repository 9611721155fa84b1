"""The test-only ``faults`` library: its processes misbehave on demand (faults_app/faults.py).

Its socket server binds its port and never answers, so every probe of it waits
for its deadline: the harness must end it and say ``timeout``.
"""

from __future__ import annotations

from collections.abc import Callable

from dtws.library import Probes
from dtws.protocols.websocket import WebSocket


def handshake(port: int, deadline: float, trace: Callable[[str], None]) -> str:
    WebSocket("127.0.0.1", port, "/", deadline=deadline, trace=trace).close()
    return "a handshake (never: this server does not answer)"


def round_trip(port_a: int, port_b: int, deadline: float, trace: Callable[[str], None]) -> str:
    return handshake(port_a, deadline, trace)


def send(port: int, text: str, deadline: float, trace: Callable[[str], None]) -> None:
    handshake(port, deadline, trace)


PROBES = Probes(handshake=handshake, round_trip=round_trip, send=send)
