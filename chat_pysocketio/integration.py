"""python-socketio's integration: its ASGIApp wraps Django's ASGI app; uvicorn serves both.

The page loads the Socket.IO JavaScript client from npm's socket.io-client,
served by Django's staticfiles from the project's node_modules (no CDN).
"""
import os

_PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

INSTALLED_APPS = ["chat_pysocketio"]
ROOT_URLCONF = "chat_pysocketio.urls"
SETTINGS = {
    "STATICFILES_DIRS": [
        ("socket.io-client", os.path.join(_PROJECT, "node_modules", "socket.io-client", "dist")),
    ],
}
