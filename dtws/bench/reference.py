"""The reference: a minimal chat written with the bare protocol library, ``websockets`` on asyncio.

Every text message a connection sends goes to every connection, the sender's
too, as the libraries' chats do. ``python -m dtws.bench.reference --port N``;
the bench starts it as it starts a library's servers, and loads it the same way.
"""

from __future__ import annotations

import argparse
import asyncio

from websockets.asyncio.server import ServerConnection, broadcast, serve

CLIENTS: set[ServerConnection] = set()


async def chat(connection: ServerConnection) -> None:
    CLIENTS.add(connection)
    try:
        async for message in connection:
            broadcast(CLIENTS, message)
    finally:
        CLIENTS.discard(connection)


async def main(port: int) -> None:
    async with serve(chat, "127.0.0.1", port, ping_interval=None, compression=None, max_queue=None) as server:
        print(f"reference chat on 127.0.0.1:{port}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(main(parser.parse_args().port))
