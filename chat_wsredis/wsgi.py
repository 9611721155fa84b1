"""The application uWSGI serves, as ws4redis' docs write wsgi.py for a stand alone uWSGI server.

Requests under WEBSOCKET_URL go to ws4redis' uWSGI websocket server, everything
else to Django. chat_wsredis/serve.py starts uWSGI with it.

Beside them, the conformance echo on ECHO (chat_wsredis/echo.py).
"""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "DjangoTestWebsockets.settings")
os.environ.setdefault("DTWS_SOLUTION", "chat_wsredis")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from ws4redis.uwsgi_runserver import uWSGIWebsocketServer  # noqa: E402

from chat_wsredis.echo import ECHO, echo  # noqa: E402

_django_app = get_wsgi_application()
_websocket_app = uWSGIWebsocketServer()


def application(environ, start_response):
    if environ.get("PATH_INFO") == ECHO:
        return echo(environ)
    if environ.get("PATH_INFO").startswith(settings.WEBSOCKET_URL):
        return _websocket_app(environ, start_response)
    return _django_app(environ, start_response)
