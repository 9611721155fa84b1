"""django-socketio 0.3.9: gevent-socketio under ``manage.py runserver_socketio``, Socket.IO 0.6 on the wire."""

from __future__ import annotations

from dtws.library import Echo, Library, Load

# Its README names no Python or Django.
LIBRARY = Library(
    name="django-socketio",
    factor="",
    package="django-socketio",
    app="myapp",
    deps=("django-socketio==0.3.9",),
    djangos=None,
    pythons=None,
    client_js="/static/js/socket.io.js",
    client_js_marker=b"Socket.IO 0.6",
    serves_page=False,
    # As the review runs it. The port comes from settings (SOCKETIO_PORT from DTWS_SOCKETIO_PORT): on Django 1.8+
    # the command takes no address argument, since it declares no ``args`` and argparse refuses positional ones.
    socket_server=("manage.py", "runserver_socketio"),
    load=Load("socket.io-0.6"),
    echo=Echo(
        None,
        missing="its server is its own command, runserver_socketio, whose SocketIOServer (gevent-socketio 0.2.1) forces"
        " its SocketIOHandler and takes no handler of the project's: its one websocket is Socket.IO 0.6's transport"
        " (/socket.io/websocket), which sends its session first and frames every message in Socket.IO, and every"
        " other path is plain HTTP to Django",
    ),
    integration=(
        ("settings", "myapp/integration.py"),
        ("urls", "DjangoTestWebsockets/urls.py"),
        ("template", "myapp/templates/myapp/index.html"),
        ("handlers", "myapp/events.py"),
    ),
)
