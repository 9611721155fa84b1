"""django-websocket-redis (ws4redis): Django with websockets through Redis, served by uWSGI as its docs deploy it.

Two uWSGI servers (chat_wsredis/serve.py: ``--http``, ``--gevent``,
``--http-websockets``, chat_wsredis/wsgi.py) on the cell's real Redis: client A
publishes on the first, client B, subscribed on the second, gets it only
through the Redis they share. ws4redis' protocol is plain RFC 6455 on
``WEBSOCKET_URL`` + a facility, its audience in the query string; a text a
client sends is published.
"""

from __future__ import annotations

from dtws.library import Echo, Header, Library, Load

FACILITY = "chat"  # chat_wsredis.views.FACILITY
PATH = f"/ws/{FACILITY}?subscribe-broadcast&publish-broadcast"

# django-websocket-redis 0.6.0 (2019, its last release): classifiers Python 2.7 and 3.3-3.6, Django 1.5-1.8;
# its changelog adds Django 1.11 (0.5.0), 2.0 and 2.1 (0.6.0), which are no series of the matrix but 1.11.
LIBRARY = Library(
    name="django-websocket-redis",
    factor="wsredis",
    package="django-websocket-redis",
    app="chat_wsredis",
    deps=("django-websocket-redis", "uWSGI"),
    djangos=("1.8", "1.11"),
    pythons=("2.7", "3.3", "3.4", "3.5", "3.6"),
    client_js="/static/js/ws4redis.js",
    client_js_marker=b"function WS4Redis(",
    serves_page=True,
    socket_server=("-m", "chat_wsredis.serve", "--port", "{port}"),
    npm_file="node_modules/jquery/dist/jquery.min.js",  # ws4redis.js needs jQuery (package.json)
    processes=2,
    services=("redis",),
    builds=("uWSGI",),  # an sdist only: pip compiles it for each cell
    # uWSGI's build takes SSL only where cpp finds OpenSSL's headers (its ssl = auto); without them it builds,
    # and answers every websocket handshake with HTTP 500 ("you need to build uWSGI with SSL support").
    build_headers=(
        Header(
            "openssl/ssl.h",
            "libssl-dev",
            "uWSGI builds without SSL, and its websocket handshake needs it",
            said="you need to build uWSGI with SSL support",
        ),
    ),
    bisect_python="3.6",  # its newest claimed Python, whose cells install and pass
    load=Load("rfc6455", PATH + "&echo"),  # echo: a publisher gets its own message too, as the bench counts
    # uWSGI's websocket, as ws4redis' server drives it, on its own path (chat_wsredis/wsgi.py).
    echo=Echo("/ws/echo/"),
    integration=(
        ("settings", "chat_wsredis/integration.py"),
        ("wsgi", "chat_wsredis/wsgi.py"),
        ("urls", "chat_wsredis/urls.py"),
        ("template", "chat_wsredis/templates/chat_wsredis/index.html"),
        # No handler: ws4redis relays what clients publish through Redis; the app's one handler publishes from a view.
        ("handlers", "chat_wsredis/views.py"),
    ),
)
