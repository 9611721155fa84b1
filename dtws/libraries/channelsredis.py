"""Django Channels on channels_redis' RedisChannelLayer, on the cell's real Redis, served by two daphnes.

The app is Channels' (chat_channels) but for its layer, and so are its probes,
but two daphne processes serve the cell: client A talks to the first, client
B to the second, so a message reaches B only through the Redis layer they
share. The Redis is the cell's own (dtws.services), on a free port of 127.0.0.1.
"""

from __future__ import annotations

from dtws.libraries import channels
from dtws.library import Library, Load

# channels-redis 4.3 names no Python or Django classifier; its Requires-Python is >=3.9 and it
# requires channels>=4.2.2, whose classifiers claim Django 4.2, 5.1, 5.2 and 6.0 on Python 3.9 to
# 3.14: its claims are Channels'.
LIBRARY = Library(
    name="channels-redis",
    factor="channelsredis",
    package="channels-redis",
    app="chat_channelsredis",
    deps=("channels[daphne]", "channels-redis"),
    djangos=channels.LIBRARY.djangos,
    pythons=channels.LIBRARY.pythons,
    client_js=channels.LIBRARY.client_js,
    client_js_marker=channels.LIBRARY.client_js_marker,
    serves_page=True,
    socket_server=channels.LIBRARY.socket_server,
    load=Load(
        "rfc6455",
        channels.PATH,
        drops="channels-redis' layer drops a group message for a member whose channel already holds its capacity"
        " (100 by default; it logs that only at INFO), and a message waits at most its expiry (60 s)",
    ),
    echo=channels.LIBRARY.echo,  # its consumer, under daphne on the Redis layer
    processes=2,
    services=("redis",),
    integration=(("settings", "chat_channelsredis/integration.py"), *channels.LIBRARY.integration[1:]),
)
