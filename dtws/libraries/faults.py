"""The test-only ``faults`` library: its processes misbehave on demand (faults_app/faults.py).

Its socket server binds its port and never answers, so every probe of it waits
for its deadline: the harness must end it and say ``timeout``.
"""

from __future__ import annotations

from dtws.library import Library, Load

# The harness's own fault drills (faults_app): hangs, floods, crashes, escapes.
LIBRARY = Library(
    name="faults",
    factor="faults",
    package="dtws-claims",
    app="faults_app",
    deps=(
        # A test package whose metadata claims this cell, which never passes (dtws.declared).
        "{toxinidir}/faults_app/claims_package",
    ),
    djangos=("5.2",),
    pythons=("3.12",),
    client_js="/static/faults_app/client.js",
    client_js_marker=b"dtws faults",
    serves_page=False,
    socket_server=("manage.py", "faults_server"),
    # Its server answers only when DTWS_FAULTS_CHAT asks (faults_server): a chat that drops or delays.
    load=Load("rfc6455", "/ws/chat/"),
    test_only=True,
)
