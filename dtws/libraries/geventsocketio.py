"""gevent-socketio on its own: socketio.sdjango's namespace ``/chat`` in Django, served by its SocketIOServer.

It speaks Socket.IO 0.9 (protocol 1): the probes use dtws's own client of it
(dtws.protocols.socketio09), the page socket.io-client 0.9.17 from npm.
"""

from __future__ import annotations

from dtws.library import Echo, Library, Load

# Its README says `pip install gevent-socketio`, which brings the newest gevent: from 1.1 on, gevent's pywsgi
# refuses the integer header value 0.3.6 answers every handshake with (UnicodeError: The value must be a native
# string, 'Access-Control-Max-Age', 3600). Its Django example (examples/django_chat/requirements.txt) pins
# gevent 1.0.1 and gevent-websocket 0.9.3; gevent 1.0.1's ssl module fails on Python 2.7.9 and later (NameError:
# PROTOCOL_SSLv3), which 1.0.2, the last 1.0 release, fixed. So the example's pins, with gevent at 1.0.2.
# It names no Python or Django.
LIBRARY = Library(
    name="gevent-socketio",
    factor="geventsocketio",
    package="gevent-socketio",
    app="chat_geventsocketio",
    deps=("gevent-socketio==0.3.6", "gevent==1.0.2", "gevent-websocket==0.9.3"),
    djangos=None,
    pythons=None,
    client_js="/static/socket.io-client-0.9/socket.io.min.js",
    client_js_marker=b"Socket.IO.min.js build:0.9.17",
    serves_page=True,
    socket_server=("-m", "chat_geventsocketio.serve", "127.0.0.1", "{port}"),
    npm_file="node_modules/socket.io-client-0.9/dist/socket.io.min.js",  # from npm (package.json)
    bisect_python="2.7",  # gevent 1.0 builds on Python 2 only (its Python 3 cells' install fails)
    load=Load("socket.io-0.9"),
    # Its websocket carries Socket.IO 0.9: the suite runs against gevent-websocket on /ws/echo/ of the same server.
    echo=Echo("/ws/echo/"),
    builds=("gevent",),  # 1.0.2 is an sdist only: a machine without a compiler is a harness error, not its ✗
    integration=(
        ("settings", "chat_geventsocketio/integration.py"),
        ("urls", "chat_geventsocketio/urls.py"),
        ("template", "chat_geventsocketio/templates/chat_geventsocketio/index.html"),
        ("client", "chat_geventsocketio/static/chat_geventsocketio/chat.js"),
        ("handlers", "chat_geventsocketio/sockets.py"),
    ),
)
