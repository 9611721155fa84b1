"""django-websocket-redis (ws4redis), configured as its "Installation and Configuration" page says.

``ws4redis`` in INSTALLED_APPS, ``WEBSOCKET_URL``, ``WS4REDIS_CONNECTION`` on the
cell's own Redis (dtws starts it and gives every process its address as
``DTWS_REDIS_URL``; by hand, without it, ws4redis's own default,
localhost:6379), its context processor, and, for development, its runserver
hook as ``WSGI_APPLICATION``. Under uWSGI, chat_wsredis/wsgi.py is the
application (ws4redis's "stand alone uWSGI server"). The page loads the JS
client ws4redis ships (``ws4redis/static/js/ws4redis.js``), which needs jQuery:
npm's, served by Django's staticfiles from the project's node_modules (no CDN).

Runs in every cell of the library (Python 2.7 and 3.x): stdlib only.
"""
import os

try:
    from urllib.parse import urlparse
except ImportError:  # Python 2
    from urlparse import urlparse

_PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_REDIS = urlparse(os.environ.get("DTWS_REDIS_URL", "redis://localhost:6379/0"))

INSTALLED_APPS = ["ws4redis", "chat_wsredis"]
ROOT_URLCONF = "chat_wsredis.urls"
CONTEXT_PROCESSORS = ["ws4redis.context_processors.default"]
SETTINGS = {
    "WEBSOCKET_URL": "/ws/",
    "WS4REDIS_CONNECTION": {"host": _REDIS.hostname, "port": _REDIS.port or 6379, "db": int(_REDIS.path[1:] or 0)},
    # "required during development and ignored in production": manage.py runserver answers websockets too.
    "WSGI_APPLICATION": "ws4redis.django_runserver.application",
    "STATICFILES_DIRS": [("jquery", os.path.join(_PROJECT, "node_modules", "jquery", "dist"))],
}
