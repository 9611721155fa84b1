"""The libraries under test: one module each, which declares its ``LIBRARY`` (dtws.library) and its probes.

The Django side of each lives in its own app of the project (``integration.py``
there says what it adds to the settings); the cell's processes get
``DTWS_SOLUTION`` (the app's name, from tox.ini) so the settings pick it.
"""

from __future__ import annotations

from dtws.library import Library
from dtws.solutions import (
    channels,
    channels_redis,
    django_socketio,
    faults,
    gevent_socketio,
    python_socketio,
    tornado,
    websocket_redis,
    workaround,
)

# The order of the site's tables; the first is the library of a cell without a factor.
LIBRARIES: tuple[Library, ...] = (
    django_socketio.LIBRARY,
    workaround.LIBRARY,
    channels.LIBRARY,
    channels_redis.LIBRARY,
    python_socketio.LIBRARY,
    tornado.LIBRARY,
    gevent_socketio.LIBRARY,
    websocket_redis.LIBRARY,
    faults.LIBRARY,  # test-only: its processes misbehave on demand
)


def library(name: str) -> Library:
    for item in LIBRARIES:
        if item.name == name:
            return item
    raise KeyError(name)
