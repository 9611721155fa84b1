"""gevent-socketio's SocketIOServer around Django's WSGI app, as its documentation's run.py does.

``python -m chat_geventsocketio.serve <host> <port>``: the index page, the static
files and the Socket.IO resource ``socket.io`` on one port.
"""
from gevent import monkey

monkey.patch_all()

import os  # noqa: E402  (after gevent's patches, as its docs say)
import sys  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "DjangoTestWebsockets.settings")
os.environ.setdefault("DTWS_SOLUTION", "chat_geventsocketio")

from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from socketio.server import SocketIOServer  # noqa: E402

application = StaticFilesHandler(get_wsgi_application())


def main(host, port):
    sys.stdout.write("SocketIOServer on http://%s:%d/ (resource socket.io)\n" % (host, port))
    sys.stdout.flush()
    # No Flash policy server: it would listen on one fixed port (10843) for every cell.
    SocketIOServer((host, port), application, resource="socket.io", policy_server=False).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
