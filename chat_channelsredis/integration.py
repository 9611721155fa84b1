"""Channels on Redis: Django Channels with channels_redis' RedisChannelLayer, on the cell's own Redis.

The consumer, its routing, the ASGI application daphne serves and the chat
page are chat_channels', unchanged: only the layer differs. dtws starts a
Redis for the cell and gives every process of it the address
(``DTWS_REDIS_URL``; by hand, without it, the layer's own default,
127.0.0.1:6379). Two daphne processes serve the cell's clients: a message
reaches a client of the other process only through the layer.

``DTWS_CHANNEL_LAYER=memory`` is a control that dtws's tests set: Channels'
in-memory layer instead, which each process has to itself.
"""
import os

INSTALLED_APPS = ["channels", "chat_channels", "chat_channelsredis"]
ROOT_URLCONF = "chat_channels.urls"

_CHOSEN = os.environ.get("DTWS_CHANNEL_LAYER", "redis")
if _CHOSEN == "redis":
    _LAYER = {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [os.environ.get("DTWS_REDIS_URL", "redis://127.0.0.1:6379/0")]},
    }
elif _CHOSEN == "memory":
    _LAYER = {"BACKEND": "channels.layers.InMemoryChannelLayer"}
else:
    raise ValueError("DTWS_CHANNEL_LAYER: redis (the default) or memory, not %r" % _CHOSEN)

SETTINGS = {
    "ASGI_APPLICATION": "chat_channels.asgi.application",
    "CHANNEL_LAYERS": {"default": _LAYER},
}
