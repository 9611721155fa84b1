"""The conformance echo (dtws conform): every message back as it came, text as text, bytes as bytes.

A WebsocketConsumer, routed on /ws/echo/ beside the chat (routing.py); the
Autobahn|Testsuite runs against it. Not part of the chat's integration.
"""
from channels.generic.websocket import WebsocketConsumer


class EchoConsumer(WebsocketConsumer):
    def receive(self, text_data=None, bytes_data=None):
        self.send(text_data=text_data, bytes_data=bytes_data)
