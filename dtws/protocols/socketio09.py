"""A Socket.IO 0.9 client (protocol 1): what socket.io-client 0.9.x sends.

The handshake is ``GET /socket.io/1/``, answered ``sid:heartbeat:close:transports``.
A transport then connects at ``/socket.io/1/<transport>/<sid>``: ``websocket``
carries one packet per frame; ``xhr-polling`` GETs packets and POSTs them,
several in one body framed ``\\ufffd<length>\\ufffd<packet>``. A packet is
``type:id:endpoint:data``: ``1::`` connect (``1::/chat`` joins the namespace
``/chat``, which the server echoes), ``2::`` heartbeat (echoed), ``5:::{"name":..,
"args":[..]}`` an event, ``7:::`` an error, ``8::`` nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from dtws.protocols import ProtocolError, request
from dtws.protocols.websocket import WebSocket

RESOURCE = "socket.io"
PROTOCOL = 1
FRAME = "\ufffd"
CONNECT, HEARTBEAT, EVENT, ERROR, NOOP = "1", "2", "5", "7", "8"
JOIN_S = 10.0  # how long the server may take to answer a connect packet: it does at once


@dataclass(frozen=True)
class Packet:
    type: str
    id: str
    endpoint: str
    data: str

    def encode(self) -> str:
        head = f"{self.type}:{self.id}:{self.endpoint}"
        return f"{head}:{self.data}" if self.data else head

    @classmethod
    def decode(cls, text: str) -> Packet:
        parts = text.split(":", 3)
        if len(parts) < 3 or not parts[0].isdigit():
            raise ProtocolError(f"not a Socket.IO 0.9 packet: {text[:80]!r}")
        return cls(parts[0], parts[1], parts[2], parts[3] if len(parts) == 4 else "")

    def event(self) -> tuple[str, list[object]] | None:
        """An event packet's name and arguments."""
        if self.type != EVENT:
            return None
        body = json.loads(self.data)
        return body["name"], body.get("args", [])


def event(endpoint: str, name: str, *args: object) -> Packet:
    return Packet(EVENT, "", endpoint, json.dumps({"name": name, "args": list(args)}))


def encode_payload(packets: list[str]) -> str:
    if len(packets) == 1:
        return packets[0]
    return "".join(f"{FRAME}{len(packet)}{FRAME}{packet}" for packet in packets)


def decode_payload(payload: str) -> list[str]:
    if not payload.startswith(FRAME):
        return [payload]
    packets = []
    while payload:
        end = payload.find(FRAME, 1)
        if not payload.startswith(FRAME) or end < 0 or not payload[1:end].isdigit():
            raise ProtocolError(f"bad payload frame in {payload[:80]!r}")
        start = end + 1
        length = int(payload[1:end])
        packets.append(payload[start : start + length])
        payload = payload[start + length :]
    return packets


@dataclass(frozen=True)
class Handshake:
    session: str
    heartbeat: str
    close: str
    transports: tuple[str, ...]

    @classmethod
    def decode(cls, text: str) -> Handshake:
        parts = text.split(":")
        if len(parts) != 4 or not parts[0]:
            raise ProtocolError(f"not a Socket.IO 0.9 handshake: {text[:120]!r}")
        return cls(parts[0], parts[1], parts[2], tuple(parts[3].split(",")))


class Client:
    """One Socket.IO 0.9 connection over ``websocket`` or ``xhr-polling``."""

    def __init__(self, port: int, *, deadline: float, trace: Callable[[str], None]) -> None:
        self.port = port
        self.deadline = deadline
        self.trace = trace
        self.session = ""
        self.transport = ""
        self._ws: WebSocket | None = None

    def _http(self, method: str, path: str, body: str | None = None) -> str:
        return request(self.port, method, path, body, "text/plain; charset=UTF-8", self.deadline, self.trace)

    def _path(self, *parts: str) -> str:
        """As socket.io-client 0.9 writes it: ``/socket.io/1/?t=...``, ``/socket.io/1/xhr-polling/<sid>?t=...``."""
        return "/".join((f"/{RESOURCE}/{PROTOCOL}", *parts)) + ("" if parts else "/") + f"?t={int(time.time() * 1000)}"

    def handshake(self) -> Handshake:
        shaken = Handshake.decode(self._http("GET", self._path()))
        self.session = shaken.session
        return shaken

    def connect(self, transport: str) -> None:
        """Handshake, open ``transport`` and wait for the server's ``1::``."""
        shaken = self.handshake()
        if transport not in shaken.transports:
            raise ProtocolError(f"the server offers no {transport} (only {', '.join(shaken.transports)})")
        self.transport = transport
        if transport == "websocket":
            path = f"/{RESOURCE}/{PROTOCOL}/websocket/{self.session}"
            self._ws = WebSocket("127.0.0.1", self.port, path, deadline=self.deadline, trace=self.trace)
        if not self.wait_for(lambda packet: packet.type == CONNECT and not packet.endpoint, JOIN_S):
            raise ProtocolError(f"no connect packet over {transport} in {JOIN_S:.0f} s")
        self.trace(f"connected over {transport}, session {self.session!r}")

    def join(self, endpoint: str) -> None:
        """Connect to the namespace ``endpoint``: the server echoes ``1::<endpoint>`` at once (within JOIN_S)."""
        self.send(Packet(CONNECT, "", endpoint, ""))
        confirmed = self.wait_for(lambda packet: packet.type == CONNECT and packet.endpoint == endpoint, JOIN_S)
        if not confirmed:
            raise ProtocolError(f"the server did not confirm the namespace {endpoint!r} in {JOIN_S:.0f} s")

    def send(self, *packets: Packet) -> None:
        texts = [packet.encode() for packet in packets]
        if self._ws is not None:
            for text in texts:
                self.trace(f"> {text!r}")
                self._ws.send_text(text)
        else:
            self._http("POST", self._path("xhr-polling", self.session), encode_payload(texts))

    def receive(self) -> list[Packet]:
        """The next packets, heartbeats answered and, with noops, left out; an error packet raises."""
        if self._ws is not None:
            text = self._ws.recv_text()
            self.trace(f"< {text!r}")
            texts = [text]
        else:
            texts = decode_payload(self._http("GET", self._path("xhr-polling", self.session)))
        packets = [Packet.decode(text) for text in texts]
        for packet in packets:
            if packet.type == ERROR:
                raise ProtocolError(f"the server sent an error packet: {packet.encode()[:200]!r}")
        if any(packet.type == HEARTBEAT for packet in packets):
            self.send(Packet(HEARTBEAT, "", "", ""))
        return [packet for packet in packets if packet.type not in (HEARTBEAT, NOOP)]

    def _wait(self, wanted: Callable[[Packet], bool]) -> bool:
        while time.monotonic() < self.deadline:
            try:
                if any(wanted(packet) for packet in self.receive()):
                    return True
            except TimeoutError:
                return False
        return False

    def wait_for(self, wanted: Callable[[Packet], bool], seconds: float) -> bool:
        """True once a packet ``wanted`` arrives; False after ``seconds`` (never later than the client's deadline)."""
        overall = self.deadline
        self._bound(min(time.monotonic() + seconds, overall))
        try:
            return self._wait(wanted)
        finally:
            self._bound(overall)

    def _bound(self, deadline: float) -> None:
        self.deadline = deadline
        if self._ws is not None:
            self._ws.deadline = deadline

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None
