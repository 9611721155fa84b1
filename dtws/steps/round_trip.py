"""round-trip: two clients on the socket server; a message one sends reaches the other."""

from __future__ import annotations

from dtws.steps.base import Context, Outcome, with_socket_server

NEEDS = ("install", "websocket-server")
TIMEOUT_S = 90.0


def run(ctx: Context) -> Outcome:
    return with_socket_server(ctx, ctx.solution.round_trip)
