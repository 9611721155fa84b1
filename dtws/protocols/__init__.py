"""Protocol clients of the probes. Every network wait is bounded by the step's deadline."""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable


class ProtocolError(Exception):
    """A server that answered, but not as its protocol says."""


def left(deadline: float) -> float:
    """Seconds until ``deadline`` (a time.monotonic() value); TimeoutError once it has passed."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("the step's time is up")
    return remaining


def request(
    port: int,
    method: str,
    path: str,
    body: str | None,
    content_type: str,
    deadline: float,
    trace: Callable[[str], None],
) -> str:
    """One HTTP request of a polling transport to 127.0.0.1: the answer's text; ProtocolError unless 200."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=left(deadline))
    headers = {"Content-Type": content_type} if body is not None else {}
    trace(f"> {method} {path}" + (f" {body!r}" if body is not None else ""))
    try:
        connection.request(method, path, body=None if body is None else body.encode(), headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
    finally:
        connection.close()
    trace(f"< HTTP {response.status} {text[:300]!r}")
    if response.status != 200:
        raise ProtocolError(f"{method} {path} answered HTTP {response.status}: {text[:120]!r}")
    return text
