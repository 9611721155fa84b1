"""One module per library under test: its Django app, how its servers start, how its protocol is probed.

The Django side of each lives in its own app of the project (``integration.py``
there says what it adds to the settings); the cell's processes get
``DTWS_SOLUTION`` so the settings pick it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from dtws.solutions import channels, django_socketio, faults, python_socketio

Trace = Callable[[str], None]


@dataclass(frozen=True)
class Solution:
    name: str  # the library's name in the matrix
    setting: str  # DTWS_SOLUTION, which picks the Django integration
    app: str  # the Django app of the integration, whose tests run in the test step
    package: str  # the distribution whose version the records report
    client_js: str  # the JS client as the index page must load it
    client_js_marker: bytes  # a text the served client file must contain
    socket_server: Callable[[int], list[str]]  # the socket server's arguments after `python`, for a port
    # (port, deadline as a time.monotonic() value, trace) -> one line on success; raises on failure
    handshake: Callable[[int, float, Trace], str]
    round_trip: Callable[[int, float, Trace], str]
    npm_file: str | None  # a file of the project's npm packages the page needs, or None
    serves_page: bool  # whether the socket server also serves the index page (else runserver does)
    # (port, text, deadline, trace): a second, non-browser client sends text to the chat
    send: Callable[[int, str, float, Trace], None]


def _solution(name: str, module: ModuleType) -> Solution:
    return Solution(
        name=name,
        setting=module.SETTING,
        app=module.APP,
        package=module.PACKAGE,
        client_js=module.CLIENT_JS,
        client_js_marker=module.CLIENT_JS_MARKER,
        socket_server=module.socket_server,
        handshake=module.handshake,
        round_trip=module.round_trip,
        npm_file=getattr(module, "NPM_FILE", None),
        serves_page=module.SERVES_PAGE,
        send=module.send,
    )


SOLUTIONS: dict[str, Solution] = {
    "django-socketio": _solution("django-socketio", django_socketio),
    # Same integration, other pins (tox.ini's `workaround` factor).
    "django-socketio-workaround": _solution("django-socketio-workaround", django_socketio),
    "channels": _solution("channels", channels),
    "python-socketio": _solution("python-socketio", python_socketio),
    # Test-only (dtws.matrix: test_only): its processes misbehave on demand.
    "faults": _solution("faults", faults),
}
