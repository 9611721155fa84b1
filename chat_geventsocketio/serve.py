"""gevent-socketio's SocketIOServer around Django's WSGI app, as its documentation's run.py does.

``python -m chat_geventsocketio.serve <host> <port>``: the index page, the static
files and the Socket.IO resource ``socket.io`` on one port, and the conformance
echo on /ws/echo/ (``dtws conform``): a plain websocket of gevent-websocket, the
server's own websocket handler, which SocketIOHandler itself switches to for its
websocket transport; every message back as it came, text as text, bytes as bytes.
"""
from gevent import monkey

monkey.patch_all()

import os  # noqa: E402  (after gevent's patches, as its docs say)
import sys  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "DjangoTestWebsockets.settings")
os.environ.setdefault("DTWS_SOLUTION", "chat_geventsocketio")

from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from socketio.handler import SocketIOHandler  # noqa: E402
from socketio.server import SocketIOServer  # noqa: E402

ECHO = "/ws/echo/"


class Handler(SocketIOHandler):
    """SocketIOHandler, and on ECHO the server's websocket handler (gevent-websocket's)."""

    def handle_one_response(self):
        if self.environ.get("PATH_INFO") == ECHO:
            self.__class__ = self.server.ws_handler_class  # as SocketIOHandler does for its websocket transport
            return self.handle_one_response()
        return super(Handler, self).handle_one_response()


def echo(websocket):
    while True:
        message = websocket.receive()  # text: its UTF-8 bytes; binary: a bytearray; None once closed
        if message is None:
            return
        websocket.send(message, binary=isinstance(message, bytearray))


def with_echo(wsgi_application):
    def routed(environ, start_response):
        websocket = environ.get("wsgi.websocket")
        if websocket is not None and environ.get("PATH_INFO") == ECHO:
            echo(websocket)
            return []
        return wsgi_application(environ, start_response)

    return routed


application = with_echo(StaticFilesHandler(get_wsgi_application()))


def main(host, port):
    sys.stdout.write("SocketIOServer on http://%s:%d/ (resource socket.io)\n" % (host, port))
    sys.stdout.flush()
    # No Flash policy server: it would listen on one fixed port (10843) for every cell.
    SocketIOServer(
        (host, port), application, resource="socket.io", policy_server=False, handler_class=Handler
    ).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
