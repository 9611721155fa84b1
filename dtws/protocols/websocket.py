"""A small RFC 6455 WebSocket client over a plain socket, as a browser speaks it.

Written here rather than taken from a library so that every byte of the
handshake can be shown in the step's log.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import struct
from collections.abc import Callable

from dtws.protocols import left

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class HandshakeError(Exception):
    pass


class Closed(Exception):
    pass


def accept_key(key: bytes) -> str:
    return base64.b64encode(hashlib.sha1(key + _GUID).digest()).decode("ascii")


class WebSocket:
    def __init__(self, host: str, port: int, path: str, *, deadline: float, trace: Callable[[str], None]) -> None:
        """Connect and upgrade; every read is bounded by ``deadline`` (a time.monotonic() value)."""
        self.trace = trace
        self.deadline = deadline
        self.sock = socket.create_connection((host, port), timeout=left(self.deadline))
        self._buffer = b""
        key = base64.b64encode(os.urandom(16))
        request = (
            f"GET {path} HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Origin: http://{host}:{port}\r\n"
            f"Sec-WebSocket-Key: {key.decode('ascii')}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        )
        for line in request.rstrip().splitlines():
            trace(f"> {line}")
        self.sock.sendall(request.encode("ascii"))
        head = self._read_until(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        for line in lines:
            trace(f"< {line}")
        status = lines[0].split(" ", 2)
        if len(status) < 2 or status[1] != "101":
            raise HandshakeError(f"expected HTTP 101 Switching Protocols, got {lines[0]!r}")
        headers = {name.strip().lower(): value.strip() for name, _, value in (h.partition(":") for h in lines[1:])}
        if headers.get("sec-websocket-accept") != accept_key(key):
            raise HandshakeError("Sec-WebSocket-Accept does not match the key sent")

    def _recv(self) -> bytes:
        self.sock.settimeout(left(self.deadline))
        return self.sock.recv(65536)

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self._buffer:
            chunk = self._recv()
            if not chunk:
                raise HandshakeError(f"connection closed by the server after {len(self._buffer)} bytes")
            self._buffer += chunk
        head, _, self._buffer = self._buffer.partition(marker)
        return head

    def _read_exact(self, size: int) -> bytes:
        while len(self._buffer) < size:
            chunk = self._recv()
            if not chunk:
                raise Closed("connection closed by the server")
            self._buffer += chunk
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def send_text(self, text: str) -> None:
        payload = text.encode("utf-8")
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x81, 0x80 | length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, length)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.trace(f"> frame text {text!r}")
        self.sock.sendall(header + mask + masked)

    def recv_text(self) -> str:
        """The next text message; control frames are answered or raise Closed."""
        while True:
            first, second = self._read_exact(2)
            opcode = first & 0x0F
            length = second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", self._read_exact(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", self._read_exact(8))
            mask = self._read_exact(4) if second & 0x80 else b""
            payload = self._read_exact(length)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x8:
                self.trace("< frame close")
                raise Closed("the server closed the WebSocket")
            if opcode == 0x9:
                self.sock.sendall(struct.pack("!BB", 0x8A, 0x80 | len(payload)) + b"\0\0\0\0" + payload)
                continue
            if opcode in (0x1, 0x2):
                text = payload.decode("utf-8", "replace")
                self.trace(f"< frame text {text!r}")
                return text

    def close(self) -> None:
        try:
            self.sock.sendall(struct.pack("!BB", 0x88, 0x80) + b"\0\0\0\0")
        except OSError:
            pass
        self.sock.close()
