"""Django tests that run inside each gevent-socketio cell: ``manage.py test chat_geventsocketio``."""
from django.contrib.staticfiles import finders
from django.test import SimpleTestCase
from socketio import sdjango

from chat_geventsocketio import sockets

try:
    from django.urls import resolve
except ImportError:  # Django < 2.0
    from django.core.urlresolvers import resolve


class IndexTests(SimpleTestCase):
    def test_index_renders_and_loads_the_socketio_client(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<script src="/static/socket.io-client-0.9/socket.io.min.js"></script>', html=False)
        self.assertContains(response, '<script src="/static/chat_geventsocketio/chat.js"></script>', html=False)

    def test_the_socketio_client_is_a_local_file(self):
        self.assertIsNotNone(finders.find("socket.io-client-0.9/socket.io.min.js"))


class NamespaceTests(SimpleTestCase):
    def test_autodiscover_registers_the_chat_namespace(self):
        sdjango.autodiscover()
        self.assertIs(sdjango.SOCKETIO_NS["/chat"], sockets.ChatNamespace)

    def test_the_socketio_resource_is_sdjangos_view(self):
        self.assertIs(resolve("/socket.io/1/websocket/a-session").func, sdjango.socketio)
