"""The reference echo: every message back as it came, written with the bare protocol library, ``websockets``.

``python -m dtws.conform.reference --port N``; ``dtws conform`` runs the suite
against it beside each library's echo. No size cap, no compression (the suite's
cases 12 and 13, which need it, are not run).

The harness's switch for its own controls (tests/test_conform.py), never set by
a run: ``DTWS_FAULTS_ECHO=truncate`` sends back each message cut to its first
65,535 bytes, ``DTWS_FAULTS_ECHO=drop-empty`` never sends back an empty one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from websockets.asyncio.server import ServerConnection, serve

FAULTS = "DTWS_FAULTS_ECHO"
CUT = 65_535


async def echo(connection: ServerConnection) -> None:
    fault = os.environ.get(FAULTS, "")
    async for message in connection:
        if fault == "drop-empty" and not message:
            continue
        await connection.send(message[:CUT] if fault == "truncate" else message)


async def main(port: int) -> None:
    async with serve(echo, "127.0.0.1", port, ping_interval=None, compression=None, max_size=None) as server:
        print(f"reference echo on 127.0.0.1:{port}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    if os.environ.get(FAULTS, "") not in ("", "truncate", "drop-empty"):
        sys.exit(f"{FAULTS}: truncate or drop-empty, not {os.environ[FAULTS]!r}")
    asyncio.run(main(parser.parse_args().port))
