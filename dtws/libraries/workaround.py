"""The review's workaround: django-socketio with gevent-socketio 0.2.1 and gevent 0.13.6 pinned beside it.

The review tried it on its own seven cells only, and so does dtws: the same
app and probes as django-socketio, other pins.
"""

from __future__ import annotations

from dataclasses import replace

from dtws.libraries import django_socketio

LIBRARY = replace(
    django_socketio.LIBRARY,
    name="django-socketio-workaround",
    factor="workaround",
    deps=(*django_socketio.LIBRARY.deps, "gevent-socketio==0.2.1", "gevent==0.13.6"),
    djangos=(),
    pythons=(),
    review_only=True,
)
