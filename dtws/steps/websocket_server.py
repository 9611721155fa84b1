"""websocket-server: the library's socket server answers a real handshake of its own JS client's protocol.

A library served by several processes (its ``processes``) has each of them handshake.
"""

from __future__ import annotations

from dtws.steps.base import Context, Outcome, StepSpec, with_socket_servers


def run(ctx: Context) -> Outcome:
    def handshakes(ports: list[int]) -> str:
        said = []
        for number, port in enumerate(ports, 1):
            if len(ports) > 1:
                ctx.note(f"process {number} of {len(ports)}, on port {port}:")
            said.append(ctx.probes.handshake(port, ctx.deadline, ctx.note))
        if len(set(said)) == 1:
            return said[0] + (f" (each of {len(ports)} processes)" if len(ports) > 1 else "")
        return "; ".join(f"process {number}: {line}" for number, line in enumerate(said, 1))

    return with_socket_servers(ctx, handshakes)


STEP = StepSpec(name="websocket-server", needs=("install",), timeout_s=90.0, services=True, run=run)
