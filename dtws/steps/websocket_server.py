"""websocket-server: the library's socket server answers a real handshake of its own JS client's protocol."""

from __future__ import annotations

from dtws.steps.base import Context, Outcome, with_socket_server

NEEDS = ("install",)
TIMEOUT_S = 90.0


def run(ctx: Context) -> Outcome:
    return with_socket_server(ctx, ctx.solution.handshake)
