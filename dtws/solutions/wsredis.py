"""django-websocket-redis' probes: plain RFC 6455 on ws4redis' ``WEBSOCKET_URL`` + a facility, two uWSGIs.

Client A publishes on the first uWSGI; client B, subscribed on the second, gets
it only through the cell's Redis; then a Django view on A's uWSGI publishes
through ``RedisPublisher``, and B must get that too.
"""

from __future__ import annotations

import http.client
import time
import urllib.parse
import uuid
from collections.abc import Callable

from dtws.libraries.wsredis import PATH
from dtws.library import Probes
from dtws.protocols import left
from dtws.protocols.websocket import WebSocket

CROSS_S = 10.0  # how long B may take to get a message
RESEND_S = 0.5  # a subscription starts just after the handshake: A says it again until B has it
# uWSGI loses a frame that reaches it within milliseconds of the handshake (WebSocketError: unable to
# receive websocket message; as in unbit/uwsgi#1241): a client waits this long before it sends, as a person would.
SETTLE_S = 0.1


def handshake(port: int, deadline: float, trace: Callable[[str], None]) -> str:
    WebSocket("127.0.0.1", port, PATH, deadline=deadline, trace=trace).close()
    return f"WebSocket handshake on {PATH}: 101 Switching Protocols"


def _until_received(receiver: WebSocket, token: str, deadline: float, say: Callable[[], None]) -> None:
    """``say`` the token (again every RESEND_S) until the receiver has it; AssertionError after CROSS_S."""
    give_up = min(deadline, time.monotonic() + CROSS_S)
    while True:
        say()
        receiver.deadline = min(give_up, time.monotonic() + RESEND_S)
        try:
            while receiver.recv_text() != token:
                pass
            return
        except TimeoutError:
            if time.monotonic() >= deadline:
                raise
            if time.monotonic() >= give_up:
                raise AssertionError(
                    f"client B, on the other uWSGI, did not get {token!r} within {CROSS_S:g} s:"
                    " what one uWSGI publishes does not reach the other's subscribers"
                ) from None


def _publish(port: int, text: str, deadline: float, trace: Callable[[str], None]) -> None:
    """POST /publish/: chat_wsredis.views.publish sends it through ws4redis' RedisPublisher."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=left(deadline))
    body = urllib.parse.urlencode({"text": text})
    try:
        connection.request("POST", "/publish/", body, {"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        said = response.read()[:200]
    finally:
        connection.close()
    trace(f"POST /publish/ text={text!r} -> HTTP {response.status} {said!r}")
    if response.status != 200:
        raise AssertionError(f"POST /publish/ answered HTTP {response.status}: {said!r}")


def round_trip(port_a: int, port_b: int, deadline: float, trace: Callable[[str], None]) -> str:
    """A (first uWSGI) publishes a text, B (last) gets it; then a Django view publishes, and B gets that too."""
    sender = WebSocket("127.0.0.1", port_a, PATH, deadline=deadline, trace=lambda line: trace(f"A {line}"))
    receiver = WebSocket("127.0.0.1", port_b, PATH, deadline=deadline, trace=lambda line: trace(f"B {line}"))
    try:
        time.sleep(SETTLE_S)
        token = f"dtws-{uuid.uuid4().hex[:12]}"
        _until_received(receiver, token, deadline, lambda: sender.send_text(token))
        trace(f"B got A's {token!r}")
        published = f"dtws-view-{uuid.uuid4().hex[:12]}"
        _until_received(receiver, published, deadline, lambda: _publish(port_a, published, deadline, trace))
        trace(f"B got {published!r}, which the view published")
        return "client A's message reached client B, on the other uWSGI, through Redis; so did a RedisPublisher's"
    finally:
        sender.close()
        receiver.close()


def send(port: int, text: str, deadline: float, trace: Callable[[str], None]) -> None:
    """A second client publishes ``text``; with ``echo`` it gets it back once Redis delivered it."""
    client = WebSocket("127.0.0.1", port, PATH + "&echo", deadline=deadline, trace=trace)
    try:
        time.sleep(SETTLE_S)
        client.send_text(text)
        while client.recv_text() != text:
            pass
    finally:
        client.close()


PROBES = Probes(handshake=handshake, round_trip=round_trip, send=send, runserver_websocket=handshake)
