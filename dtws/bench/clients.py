"""The load clients, one per wire protocol (``Library.load``): asyncio, many in one process.

- RFC 6455: ``websockets``' asyncio client;
- Socket.IO 5: python-socketio's ``AsyncClient`` (over aiohttp), the server's own project's client;
- Socket.IO 0.6 (django-socketio) and 0.9 (gevent-socketio): none. No maintained library speaks
  them (their clients are JavaScript of 2011-2014; the Python clients of PyPI speak Socket.IO 2
  and later), and dtws's own (dtws.protocols.socketio06, socketio09) are blocking clients of one
  connection, probes, not a load: the bench says so for such a library (``NO_CLIENT``) and measures nothing.

Each client calls ``received(text)`` for every chat message it gets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from dtws.library import Load, Wire

Received = Callable[[str], None]
NO_CLIENT: dict[Wire, str] = {
    "socket.io-0.6": "no load client for Socket.IO 0.6: no maintained library speaks it (its only client is"
    " 2011's JavaScript), and dtws's own framing is a blocking one-connection probe, not a load",
    "socket.io-0.9": "no load client for Socket.IO 0.9: the Python clients of PyPI speak Socket.IO 2 and later,"
    " and dtws's own (dtws.protocols.socketio09) is a blocking one-connection probe, not a load",
}


class Client(Protocol):
    async def connect(self, timeout: float) -> None: ...
    async def send(self, text: str) -> None: ...
    async def close(self) -> None: ...


class WebSocketClient:
    """RFC 6455, with ``websockets``: the chat's path, every text frame is a chat message."""

    def __init__(self, port: int, load: Load, received: Received) -> None:
        self.url = f"ws://127.0.0.1:{port}{load.path}"
        self.received = received
        self.connection: object = None
        self.reader: asyncio.Task[None] | None = None

    async def connect(self, timeout: float) -> None:
        from websockets.asyncio.client import connect

        self.connection = connection = await connect(
            self.url, open_timeout=timeout, ping_interval=None, compression=None, max_queue=None, close_timeout=1
        )

        async def read() -> None:
            async for message in connection:
                self.received(message if isinstance(message, str) else message.decode("utf-8", "replace"))

        self.reader = asyncio.create_task(read())

    async def send(self, text: str) -> None:
        from websockets.asyncio.client import ClientConnection

        assert isinstance(self.connection, ClientConnection)
        await self.connection.send(text)

    async def close(self) -> None:
        from websockets.asyncio.client import ClientConnection

        if self.reader is not None:
            self.reader.cancel()
        if isinstance(self.connection, ClientConnection):
            await self.connection.close()


class SocketIOClient:
    """Socket.IO 5 over its websocket transport, with python-socketio's AsyncClient: ``chat`` events."""

    def __init__(self, port: int, load: Load, received: Received) -> None:
        import socketio

        self.url = f"http://127.0.0.1:{port}{load.path.rstrip('/')}"
        self.client = socketio.AsyncClient(reconnection=False)
        self.client.on("chat", received)

    async def connect(self, timeout: float) -> None:
        await self.client.connect(self.url, transports=["websocket"], wait_timeout=max(timeout, 1.0))

    async def send(self, text: str) -> None:
        await self.client.emit("chat", text)

    async def close(self) -> None:
        await self.client.disconnect()


MAKERS: dict[Wire, Callable[[int, Load, Received], Client]] = {
    "rfc6455": WebSocketClient,
    "socket.io-5": SocketIOClient,
}


def missing(load: Load | None) -> str | None:
    """Why the bench cannot load a library declared with ``load`` (one line), or None when it can."""
    if load is None:
        return "no load client: its declaration names no chat protocol for the bench (Library.load)"
    if load.wire not in MAKERS:
        return NO_CLIENT.get(load.wire, f"no load client for {load.wire}")
    return None
