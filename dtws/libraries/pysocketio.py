"""python-socketio 5 (Socket.IO 5 / Engine.IO 4) in Django's ASGI app, served by uvicorn.

The probes use python-socketio's own client, as a second real implementation
of the protocol the page's socket.io-client speaks.
"""

from __future__ import annotations

from dtws.library import Echo, Library, Load

# python-socketio 5 (Requires-Python >=3.8) wrapping Django's ASGI app, served by uvicorn; Django has
# ASGI from 3.0 (chat_pysocketio/asgi.py, as python-socketio's docs wire it, needs django.core.asgi).
LIBRARY = Library(
    name="python-socketio",
    factor="pysocketio",
    package="python-socketio",
    app="chat_pysocketio",
    deps=("python-socketio", "uvicorn", "websockets"),
    djangos=("3.2", "4.2", "5.2", "6.0", "6.1"),
    pythons=("3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15"),
    client_js="/static/socket.io-client/socket.io.min.js",
    client_js_marker=b"Socket.IO v4",
    serves_page=True,
    socket_server=("-m", "uvicorn", "chat_pysocketio.asgi:application", "--host", "127.0.0.1", "--port", "{port}"),
    load=Load("socket.io-5"),
    # Its websocket carries Engine.IO: the suite runs against a plain websocket route of the same uvicorn.
    echo=Echo("/ws/echo/"),
    npm_file="node_modules/socket.io-client/dist/socket.io.min.js",  # from npm (package.json)
    integration=(
        ("settings", "chat_pysocketio/integration.py"),
        ("asgi", "chat_pysocketio/asgi.py"),
        ("urls", "chat_pysocketio/urls.py"),
        ("template", "chat_pysocketio/templates/chat_pysocketio/index.html"),
        ("client", "chat_pysocketio/static/chat_pysocketio/chat.js"),
        ("handlers", "chat_pysocketio/server.py"),
    ),
)
