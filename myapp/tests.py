"""Django tests that run inside each cell: ``manage.py test``."""
from django.test import SimpleTestCase
from django_socketio import events

from myapp import events as chat


class RecordingSocket(object):
    """The part of django-socketio's channel socket that on_message uses."""

    def __init__(self, channels):
        self.channels = channels
        self.broadcast = []

    def broadcast_channel(self, message, channel=None):
        self.broadcast.append((message, channel))


class IndexTests(SimpleTestCase):
    def test_index_renders(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "dtws chat")

    def test_index_loads_the_socketio_client(self):
        response = self.client.get("/")
        self.assertContains(response, '<script src="/static/js/socket.io.js"></script>', html=False)
        self.assertContains(response, "new io.Socket(")


class HandlerTests(SimpleTestCase):
    def registered(self, event):
        # django-socketio's decorators return None, so the handlers are
        # found by where they were defined, not by the names they leave.
        return [
            (handler.__module__, handler.__name__, pattern and pattern.pattern)
            for handler, pattern in event.handlers
        ]

    def test_handlers_are_registered(self):
        self.assertIn(("myapp.events", "connect", None), self.registered(events.on_connect))
        self.assertIn(("myapp.events", "message", chat.CHANNEL_PATTERN), self.registered(events.on_message))
        self.assertIn(("myapp.events", "finish", None), self.registered(events.on_finish))

    def test_on_message_broadcasts_to_the_channel(self):
        # on_connect runs before any subscription, so for a socket with no channel.
        context = {}
        events.on_connect.send(None, RecordingSocket(channels=[]), context)
        self.assertEqual(context, {"messages": 0})
        socket = RecordingSocket(channels=["dtws"])
        events.on_message.send(None, socket, context, "hello")
        self.assertEqual(socket.broadcast, [("hello", None)])
        self.assertEqual(context["messages"], 1)

    def test_on_message_ignores_other_channels(self):
        socket = RecordingSocket(channels=["elsewhere"])
        events.on_message.send(None, socket, {}, "hello")
        self.assertEqual(socket.broadcast, [])
