"""django-websocket-redis (ws4redis): Django with websockets through Redis, served by uWSGI as its docs deploy it.

Two uWSGI servers (chat_wsredis/serve.py: ``--http``, ``--gevent``,
``--http-websockets``, chat_wsredis/wsgi.py) on the cell's real Redis: client A
publishes on the first, client B, subscribed on the second, gets it only
through the Redis they share. ws4redis' protocol is plain RFC 6455 on
``WEBSOCKET_URL`` + a facility, its audience in the query string; a text a
client sends is published.
"""

from __future__ import annotations

import http.client
import time
import urllib.parse
import uuid
from collections.abc import Callable

from dtws.library import Echo, Library, Load
from dtws.protocols import left
from dtws.protocols.websocket import WebSocket

FACILITY = "chat"  # chat_wsredis.views.FACILITY
PATH = f"/ws/{FACILITY}?subscribe-broadcast&publish-broadcast"
CROSS_S = 10.0  # how long B may take to get a message
RESEND_S = 0.5  # a subscription starts just after the handshake: A says it again until B has it
# uWSGI loses a frame that reaches it within milliseconds of the handshake (WebSocketError: unable to
# receive websocket message; as in unbit/uwsgi#1241): a client waits this long before it sends, as a person would.
SETTLE_S = 0.1


def socket_server(port: int) -> list[str]:
    return ["-m", "chat_wsredis.serve", "--port", str(port)]


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


# django-websocket-redis 0.6.0 (2019, its last release): classifiers Python 2.7 and 3.3-3.6, Django 1.5-1.8;
# its changelog adds Django 1.11 (0.5.0), 2.0 and 2.1 (0.6.0), which are no series of the matrix but 1.11.
LIBRARY = Library(
    name="django-websocket-redis",
    factor="wsredis",
    package="django-websocket-redis",
    app="chat_wsredis",
    deps=("django-websocket-redis", "uWSGI"),
    djangos=("1.8", "1.11"),
    pythons=("2.7", "3.3", "3.4", "3.5", "3.6"),
    client_js="/static/js/ws4redis.js",
    client_js_marker=b"function WS4Redis(",
    serves_page=True,
    socket_server=socket_server,
    handshake=handshake,
    round_trip=round_trip,
    send=send,
    npm_file="node_modules/jquery/dist/jquery.min.js",  # ws4redis.js needs jQuery (package.json)
    processes=2,
    services=("redis",),
    runserver_websocket=handshake,
    builds=("uWSGI",),  # an sdist only: pip compiles it for each cell
    bisect_python="3.6",  # its newest claimed Python, whose cells install and pass
    load=Load("rfc6455", PATH + "&echo"),  # echo: a publisher gets its own message too, as the bench counts
    # uWSGI's websocket, as ws4redis' server drives it, on its own path (chat_wsredis/wsgi.py).
    echo=Echo("/ws/echo/"),
    integration=(
        ("settings", "chat_wsredis/integration.py"),
        ("wsgi", "chat_wsredis/wsgi.py"),
        ("urls", "chat_wsredis/urls.py"),
        ("template", "chat_wsredis/templates/chat_wsredis/index.html"),
        # No handler: ws4redis relays what clients publish through Redis; the app's one handler publishes from a view.
        ("handlers", "chat_wsredis/views.py"),
    ),
)
