"""One level of the load: C clients on the chat, each sends M messages, every client gets every message.

Bounded: the level ends at its deadline whatever the server does (a server that
stalls is measured as stalling), or once every message arrived, or when nothing
arrived for QUIET_S after the last send (what is missing then is lost). While
it runs, the server's process tree and this process are sampled from /proc.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from dtws.bench import memory
from dtws.bench.clients import Client, Received
from dtws.bench.data import Figures, Outcome

QUIET_S = 10.0  # nothing arrived for this long after the last send (at most a third of the level): the rest is lost
LATE_MS = 1000.0  # a message that took longer is late
CONNECTING = 50  # connections opened at once
SAMPLE_S = 0.05
CLOSE_S = 5.0
MB = 1024 * 1024


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class _Tally:
    started: float = 0.0
    delivered: int = 0
    late: int = 0
    latencies: list[float] = field(default_factory=list)
    last: float = 0.0
    errors: list[str] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def received(self, text: str) -> None:
        parts = text.split(" ")
        if len(parts) != 4 or parts[0] != "bench":
            return
        now = time.perf_counter()
        latency = (now - float(parts[3])) * 1000
        self.delivered += 1
        self.late += latency > LATE_MS
        self.latencies.append(latency)
        self.last = now
        self.arrived.set()

    def error(self, what: str, error: BaseException) -> None:
        self.errors.append(f"{what}: {type(error).__name__}: {error}"[:300])


class _Sampler:
    def __init__(self, server_pids: list[int]) -> None:
        self.pids = server_pids
        self.base = memory.tree_rss(server_pids)
        self.server_peak = self.base
        self.client_peak = memory.own_rss()

    async def run(self) -> None:
        while True:
            self.server_peak = max(self.server_peak, memory.tree_rss(self.pids))
            self.client_peak = max(self.client_peak, memory.own_rss())
            await asyncio.sleep(SAMPLE_S)


async def _connect(clients: list[Client], tally: _Tally, until: float) -> tuple[list[Client], list[float]]:
    gate = asyncio.Semaphore(CONNECTING)
    times: list[float] = []

    async def one(client: Client) -> Client | None:
        async with gate:
            began = time.perf_counter()
            try:
                await asyncio.wait_for(client.connect(max(until - began, 0.1)), max(until - began, 0.01))
            except (TimeoutError, asyncio.TimeoutError):  # one class only from Python 3.11
                tally.errors.append(f"connect: no connection within {until - began:.1f} s")
                return None
            except Exception as error:  # every failure to connect is counted, and the first told
                tally.error("connect", error)
                return None
            times.append((time.perf_counter() - began) * 1000)
            return client

    done = await asyncio.gather(*(one(client) for client in clients))
    return [client for client in done if client is not None], times


async def _send_all(client: Client, number: int, messages: int, tally: _Tally) -> None:
    for seq in range(messages):
        try:
            await client.send(f"bench {number} {seq} {time.perf_counter():.9f}")
        except Exception as error:  # a send that fails is counted; the client sends no more
            tally.error("send", error)
            return


async def _drain(tally: _Tally, expected: int, until: float, quiet: float) -> bool:
    """Wait for every delivery; False when the deadline ended it (a stall)."""
    while tally.delivered < expected:
        now = time.perf_counter()
        if now >= until:
            return False
        if now - max(tally.last, tally.started) >= quiet:
            return True
        tally.arrived.clear()
        try:
            await asyncio.wait_for(tally.arrived.wait(), min(until - now, quiet))
        except (TimeoutError, asyncio.TimeoutError):  # one class only from Python 3.11
            pass
    return True


async def level(
    make: Callable[[int, Received], Client],
    ports: list[int],
    server_pids: list[int],
    size: int,
    messages: int,
    seconds: float,
) -> Figures:
    """C = ``size`` clients (spread over ``ports``), ``messages`` each, within ``seconds``."""
    until = time.perf_counter() + seconds
    tally = _Tally()
    sampler = _Sampler(server_pids)
    sampling = asyncio.create_task(sampler.run())
    clients = [make(ports[number % len(ports)], tally.received) for number in range(size)]
    connected: list[Client] = []
    try:
        connected, connect_times = await _connect(clients, tally, until)
        expected = len(connected) * len(connected) * messages
        tally.started = time.perf_counter()
        sending = asyncio.gather(*(_send_all(c, n, messages, tally) for n, c in enumerate(connected)))
        try:
            await asyncio.wait_for(sending, max(until - time.perf_counter(), 0.01))
            finished = await _drain(tally, expected, until, min(QUIET_S, seconds / 3))
        except (TimeoutError, asyncio.TimeoutError):  # one class only from Python 3.11
            finished = False
    finally:
        sampling.cancel()
        await _close(clients)
    end = tally.last if finished and tally.delivered else min(time.perf_counter(), until)
    duration = max(end - tally.started, 1e-9) if connected else 0.0
    outcome: Outcome = (
        ("stalled" if time.perf_counter() >= until else "failed")
        if not connected
        else "stalled"
        if not finished
        else "complete"
        if tally.delivered >= expected
        else "lossy"
    )
    return Figures(
        connections=size,
        connected=len(connected),
        messages=messages,
        expected=expected,
        delivered=tally.delivered,
        late=tally.late,
        errors=len(tally.errors),
        first_error=tally.errors[0] if tally.errors else None,
        outcome=outcome,
        duration_s=round(duration, 4),
        throughput=round(tally.delivered / duration, 1) if duration else 0.0,
        latency_ms={f"p{p}": _ms(percentile(tally.latencies, p / 100)) for p in (50, 95, 99)},
        connect_ms={"p50": _ms(percentile(connect_times, 0.5)), "max": _ms(max(connect_times, default=None))},
        server_peak_mb=round(sampler.server_peak / MB, 2),
        server_kb_per_connection=round((sampler.server_peak - sampler.base) / 1024 / len(connected), 1)
        if connected
        else None,
        client_peak_mb=round(sampler.client_peak / MB, 2),
    )


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


async def _close(clients: list[Client]) -> None:
    async def one(client: Client) -> None:
        try:
            await asyncio.wait_for(client.close(), CLOSE_S)
        except Exception:  # a client that cannot close cleanly goes with its socket
            pass

    await asyncio.gather(*(one(client) for client in clients))
