"""gevent-socketio's Django integration (socketio.sdjango), as its documentation wires it.

Its URLs and namespaces live in the app (urls.py, sockets.py); its SocketIOServer
serves Django's WSGI app (serve.py). The page loads socket.io-client 0.9.x
from npm, served by Django's staticfiles from the project's node_modules (no CDN).
"""
import os

_PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

INSTALLED_APPS = ["chat_geventsocketio"]
ROOT_URLCONF = "chat_geventsocketio.urls"
SETTINGS = {
    "STATICFILES_DIRS": [
        ("socket.io-client-0.9", os.path.join(_PROJECT, "node_modules", "socket.io-client-0.9", "dist")),
    ],
}
