"""Django tests that run inside each python-socketio cell: ``manage.py test chat_pysocketio``."""
from django.contrib.staticfiles import finders
from django.test import SimpleTestCase

from chat_pysocketio import asgi
from chat_pysocketio.server import sio


class IndexTests(SimpleTestCase):
    def test_index_renders_and_loads_the_socketio_client(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<script src="/static/socket.io-client/socket.io.min.js"></script>', html=False)
        self.assertContains(response, '<script src="/static/chat_pysocketio/chat.js"></script>', html=False)

    def test_the_socketio_client_is_a_local_file(self):
        self.assertIsNotNone(finders.find("socket.io-client/socket.io.min.js"))


class ServerTests(SimpleTestCase):
    def test_the_chat_handlers_are_registered(self):
        self.assertEqual(sorted(sio.handlers["/"]), ["chat"])

    def test_the_asgi_application_is_socketios(self):
        self.assertIs(asgi.application.engineio_server, sio)
