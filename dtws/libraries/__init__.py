"""The libraries under test, as plain data: one module each, which declares its ``LIBRARY`` (dtws.library).

Nothing here imports a probe or a protocol client: what asks which libraries
and cells exist (dtws.matrix, the workflow's plan, the site) loads no more.
Each library's probes are in the module of the same name of ``dtws/solutions/``.
The Django side of each lives in its own app of the project (``integration.py``
there says what it adds to the settings); the cell's processes get
``DTWS_SOLUTION`` (the app's name, from tox.ini) so the settings pick it.
"""

from __future__ import annotations

from dtws.libraries import (
    channels,
    channelsredis,
    django_socketio,
    faults,
    geventsocketio,
    pysocketio,
    tornado,
    workaround,
    wsredis,
)
from dtws.library import Library

# The order of the site's tables; the first is the library of a cell without a factor.
LIBRARIES: tuple[Library, ...] = (
    django_socketio.LIBRARY,
    workaround.LIBRARY,
    channels.LIBRARY,
    channelsredis.LIBRARY,
    pysocketio.LIBRARY,
    tornado.LIBRARY,
    geventsocketio.LIBRARY,
    wsredis.LIBRARY,
    faults.LIBRARY,  # test-only: its processes misbehave on demand
)


def library(name: str) -> Library:
    for item in LIBRARIES:
        if item.name == name:
            return item
    raise KeyError(name)
