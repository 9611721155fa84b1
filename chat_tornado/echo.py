"""The conformance echo (dtws conform): every message back as it came, text as text, bytes as bytes.

A WebSocketHandler, on /ws/echo/ of the chat's Tornado process (server.py); the
Autobahn|Testsuite runs against it. Not part of the chat's integration.
"""
from tornado.websocket import WebSocketHandler


class EchoHandler(WebSocketHandler):
    def on_message(self, message):
        self.write_message(message, binary=isinstance(message, bytes))
