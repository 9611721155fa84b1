"""A Socket.IO 0.6 client: what django-socketio's bundled ``socket.io.js`` (0.6.1) sends.

Read from that file: messages are framed ``~m~<length>~m~<data>``; the first
message from the server is the session id; ``~h~<n>`` is a heartbeat the
client echoes; ``~j~`` prefixes JSON. Transports are tried in the client's
order; of those a browser without Flash or IE uses, ``websocket`` connects to
``ws://host:port/socket.io/websocket`` and ``xhr-polling`` GETs
``/socket.io/xhr-polling//<timestamp>`` first, then polls
``/socket.io/xhr-polling/<session>/<timestamp>`` and POSTs ``data=<frames>``
to ``/socket.io/xhr-polling/<session>/send``.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable

from dtws.protocols import ProtocolError, request
from dtws.protocols.websocket import WebSocket

FRAME = "~m~"
RESOURCE = "socket.io"


def encode(messages: list[str]) -> str:
    return "".join(f"{FRAME}{len(message)}{FRAME}{message}" for message in messages)


def decode(data: str) -> list[str]:
    messages = []
    while data:
        if not data.startswith(FRAME):
            raise ProtocolError(f"not a Socket.IO 0.6 frame: {data[:80]!r}")
        data = data[len(FRAME) :]
        digits = ""
        while data[:1].isdigit():
            digits, data = digits + data[0], data[1:]
        if not digits or not data.startswith(FRAME):
            raise ProtocolError(f"bad frame length in {data[:80]!r}")
        length = int(digits)
        data = data[len(FRAME) :]
        messages.append(data[:length])
        data = data[length:]
    return messages


class Client:
    """One Socket.IO 0.6 connection; ``transport`` is ``websocket`` or ``xhr-polling``."""

    def __init__(self, transport: str, port: int, *, deadline: float, trace: Callable[[str], None]) -> None:
        self.transport = transport
        self.port = port
        self.deadline = deadline
        self.trace = trace
        self.session_id = ""
        self._ws: WebSocket | None = None

    def _http(self, method: str, path: str, body: str | None = None) -> str:
        return request(
            self.port, method, path, body, "application/x-www-form-urlencoded; charset=utf-8", self.deadline, self.trace
        )

    def _poll_path(self, session: str) -> str:
        return f"/{RESOURCE}/xhr-polling/{session}/{int(time.time() * 1000)}"

    def connect(self) -> str:
        if self.transport == "websocket":
            self._ws = WebSocket(
                "127.0.0.1", self.port, f"/{RESOURCE}/websocket", deadline=self.deadline, trace=self.trace
            )
            first = decode(self._ws.recv_text())
        else:
            first = decode(self._http("GET", self._poll_path("")))
        if not first or not first[0]:
            raise ProtocolError("the server sent no session id")
        self.session_id = first[0]
        self.trace(f"connected over {self.transport}, session id {self.session_id!r}")
        return self.session_id

    def send(self, messages: list[str]) -> None:
        if self._ws is not None:
            self._ws.send_text(encode(messages))
        else:
            body = "data=" + urllib.parse.quote(encode(messages), safe="")
            self._http("POST", f"/{RESOURCE}/xhr-polling/{self.session_id}/send", body)

    def receive(self) -> list[str]:
        """The next batch of messages, heartbeats answered and left out."""
        if self._ws is not None:
            messages = decode(self._ws.recv_text())
        else:
            messages = decode(self._http("GET", self._poll_path(self.session_id)))
        beats = [message for message in messages if message.startswith("~h~")]
        if beats:
            self.send(beats)
        return [message for message in messages if not message.startswith("~h~")]

    def receive_until(self, wanted: str, deadline: float) -> bool:
        """True once ``wanted`` arrives; False at ``deadline`` (never later than the client's own)."""
        self.deadline, overall = min(deadline, self.deadline), self.deadline
        try:
            return self._receive_until(wanted)
        finally:
            self.deadline = overall

    def _receive_until(self, wanted: str) -> bool:
        while time.monotonic() < self.deadline:
            try:
                if wanted in self.receive():
                    return True
            except TimeoutError:
                return False
        return False

    def subscribe(self, channel: str) -> None:
        """django-socketio's channel extension: ['__subscribe__', channel] in one send."""
        self.send(["__subscribe__", channel])

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
