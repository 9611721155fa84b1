"""The application uWSGI serves, as ws4redis' docs write wsgi.py for a stand alone uWSGI server.

Requests under WEBSOCKET_URL go to ws4redis' uWSGI websocket server, everything
else to Django. chat_wsredis/serve.py starts uWSGI with it.

Beside them, the conformance echo on ECHO (``dtws conform``): uWSGI's websocket
API as ws4redis' server calls it (the handshake, then non-blocking receives on
the connection's descriptor, gevent's select between them), every message back.
uWSGI's API says nothing of a message's kind: one that is valid UTF-8 goes back
as text, any other as binary; and its non-blocking receive gives an empty
message as "nothing yet", as ws4redis reads it.
"""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "DjangoTestWebsockets.settings")
os.environ.setdefault("DTWS_SOLUTION", "chat_wsredis")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from ws4redis.uwsgi_runserver import uWSGIWebsocketServer  # noqa: E402

_django_app = get_wsgi_application()
_websocket_app = uWSGIWebsocketServer()
ECHO = "/ws/echo/"


def echo(environ):
    import gevent.select
    import uwsgi

    uwsgi.websocket_handshake(environ["HTTP_SEC_WEBSOCKET_KEY"], environ.get("HTTP_ORIGIN", ""))
    descriptor = uwsgi.connection_fd()
    while True:
        gevent.select.select([descriptor], [], [], 60.0)
        try:
            message = uwsgi.websocket_recv_nb()
        except IOError:  # closed
            return []
        if not message:
            continue
        try:
            message.decode("utf-8")
        except UnicodeDecodeError:
            uwsgi.websocket_send_binary(message)
        else:
            uwsgi.websocket_send(message)


def application(environ, start_response):
    if environ.get("PATH_INFO") == ECHO:
        return echo(environ)
    if environ.get("PATH_INFO").startswith(settings.WEBSOCKET_URL):
        return _websocket_app(environ, start_response)
    return _django_app(environ, start_response)
