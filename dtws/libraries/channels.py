"""Django Channels 4 served by daphne; the browser's WebSocket (RFC 6455) is its client."""

from __future__ import annotations

from dtws.library import Echo, Library, Load

PATH = "/ws/chat/"

# Channels 4.3 served by daphne; its classifiers claim Django 4.2, 5.1, 5.2 and 6.0 on Python 3.9 to 3.14.
LIBRARY = Library(
    name="channels",
    factor="channels",
    package="channels",
    app="chat_channels",
    deps=("channels[daphne]",),
    djangos=("4.2", "5.2", "6.0"),
    pythons=("3.9", "3.10", "3.11", "3.12", "3.13", "3.14"),
    client_js="/static/chat_channels/chat.js",
    client_js_marker=b"new WebSocket(",
    serves_page=True,
    socket_server=("-m", "daphne", "-b", "127.0.0.1", "-p", "{port}", "chat_channels.asgi:application"),
    load=Load(
        "rfc6455",
        PATH,
        drops="Channels' in-memory channel layer (InMemoryChannelLayer) drops a group message silently when a"
        " member's channel already holds its capacity (100 by default); its docs say it is for testing only",
    ),
    echo=Echo("/ws/echo/"),
    integration=(
        ("settings", "chat_channels/integration.py"),
        ("asgi", "chat_channels/asgi.py"),
        ("routing", "chat_channels/routing.py"),
        ("urls", "chat_channels/urls.py"),
        ("template", "chat_channels/templates/chat_channels/index.html"),
        ("client", "chat_channels/static/chat_channels/chat.js"),
        ("handlers", "chat_channels/consumers.py"),
    ),
)
