"""Django tests that run inside each Tornado cell: ``manage.py test chat_tornado``.

The index view through Django's test client, then the Tornado server of
chat_tornado/server.py on a real socket (Tornado's own AsyncHTTPTestCase):
Django's page and static files through its WSGIContainer, and the chat.
"""
from django.test import SimpleTestCase
from tornado.testing import AsyncHTTPTestCase, gen_test
from tornado.websocket import websocket_connect

from chat_tornado import server

SCRIPT = b'<script src="/static/chat_tornado/chat.js"></script>'


class IndexTests(SimpleTestCase):
    def test_index_renders_and_loads_the_client(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, SCRIPT.decode("ascii"), html=False)


class ServerTests(AsyncHTTPTestCase):
    def get_app(self):
        return server.make_application()

    def test_django_serves_the_page_through_tornado(self):
        response = self.fetch("/")
        self.assertEqual(response.code, 200)
        self.assertIn(SCRIPT, response.body)

    def test_the_pages_client_is_served_too(self):
        response = self.fetch("/static/chat_tornado/chat.js")
        self.assertEqual(response.code, 200)
        self.assertIn(b"new WebSocket(", response.body)

    @gen_test
    def test_what_one_client_sends_every_client_receives(self):
        url = "ws://127.0.0.1:%d/ws/chat/" % self.get_http_port()
        sender = yield websocket_connect(url)
        receiver = yield websocket_connect(url)
        sender.write_message("hello from a test")
        received = yield receiver.read_message()
        echoed = yield sender.read_message()
        self.assertEqual((received, echoed), ("hello from a test", "hello from a test"))
        sender.close()
        receiver.close()
