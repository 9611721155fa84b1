"""Tornado's integration: Django needs only the app; one Tornado process serves the chat and Django.

chat_tornado/server.py is that process: its WebSocketHandler on /ws/chat/,
and everything else from Django through Tornado's WSGIContainer.
"""

INSTALLED_APPS = ["chat_tornado"]
ROOT_URLCONF = "chat_tornado.urls"
SETTINGS = {}
