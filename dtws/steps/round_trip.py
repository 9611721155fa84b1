"""round-trip: two clients on the socket server; a message one sends reaches the other.

A library served by several processes has client A on the first and client B on
the last: the message reaches B only through what those processes share.
"""

from __future__ import annotations

from dtws.steps.base import Context, Outcome, StepSpec, with_socket_servers


def run(ctx: Context) -> Outcome:
    def round_trip(ports: list[int]) -> str:
        if len(ports) > 1:
            ctx.note(f"client A on process 1 (port {ports[0]}), client B on process {len(ports)} (port {ports[-1]})")
        return ctx.probes.round_trip(ports[0], ports[-1], ctx.deadline, ctx.note)

    return with_socket_servers(ctx, round_trip)


STEP = StepSpec(name="round-trip", needs=("install", "websocket-server"), timeout_s=90.0, services=True, run=run)
