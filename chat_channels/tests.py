"""Django tests that run inside each Channels cell: ``manage.py test chat_channels``."""
from django.test import SimpleTestCase
from django.urls import resolve

from chat_channels import asgi, routing
from chat_channels.consumers import ChatConsumer


class IndexTests(SimpleTestCase):
    def test_index_renders_and_loads_the_client(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<script src="/static/chat_channels/chat.js"></script>', html=False)

    def test_the_index_view(self):
        self.assertEqual(resolve("/").url_name, "index")


class RoutingTests(SimpleTestCase):
    def test_the_chat_consumer_is_routed(self):
        pattern = routing.websocket_urlpatterns[0]
        self.assertEqual(pattern.pattern.regex.pattern, "^ws/chat/$")
        self.assertIs(pattern.callback.consumer_class, ChatConsumer)

    def test_the_asgi_application_routes_http_and_websocket(self):
        self.assertEqual(sorted(asgi.application.application_mapping), ["http", "websocket"])

    def test_the_consumer_broadcasts_to_the_group(self):
        self.assertEqual(ChatConsumer.group, "dtws")
