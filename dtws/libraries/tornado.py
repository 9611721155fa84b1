"""Tornado, as the review's author set it up: one process serves a WebSocketHandler and, behind it, Django.

chat_tornado/server.py: the chat's ``WebSocketHandler`` on /ws/chat/, and Django
(its page and static files) through ``tornado.wsgi.WSGIContainer`` and a
``FallbackHandler``. The browser's WebSocket (RFC 6455) is its client, and so is
the probes' (dtws.protocols.websocket).
"""

from __future__ import annotations

from dtws.libraries import channels
from dtws.library import Echo, Library, Load

PATH = channels.PATH  # the chat's path, and its protocol, are Channels' (the handshake and a sender too)

# Unpinned: each cell gets the Tornado its installer picks for its Python (5.1.1 is the last for
# Python 2.7). Tornado names no Django.
LIBRARY = Library(
    name="tornado",
    factor="tornado",
    package="tornado",
    app="chat_tornado",
    deps=("tornado",),
    djangos=None,
    pythons=None,
    client_js="/static/chat_tornado/chat.js",
    client_js_marker=b"new WebSocket(",
    serves_page=True,
    socket_server=("-m", "chat_tornado.server", "--port", "{port}"),
    load=Load("rfc6455", PATH),
    echo=Echo("/ws/echo/"),
    integration=(
        ("settings", "chat_tornado/integration.py"),
        ("urls", "chat_tornado/urls.py"),
        ("template", "chat_tornado/templates/chat_tornado/index.html"),
        ("client", "chat_tornado/static/chat_tornado/chat.js"),
        ("handlers", "chat_tornado/server.py"),  # its one process: the chat's handler, and Django behind it
    ),
)
