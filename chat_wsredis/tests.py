"""Django tests that run inside each django-websocket-redis cell: ``manage.py test chat_wsredis``.

They talk to the cell's real Redis, which dtws started for it (DTWS_REDIS_URL).
"""
import os
import time
import uuid

from django.conf import settings
from django.test import SimpleTestCase
from redis import StrictRedis
from ws4redis import settings as ws4redis_settings


class SettingsTests(SimpleTestCase):
    def test_ws4redis_uses_the_cells_redis(self):
        url = os.environ["DTWS_REDIS_URL"]
        connection = ws4redis_settings.WS4REDIS_CONNECTION
        self.assertEqual("redis://{host}:{port}/{db}".format(**connection), url)
        self.assertTrue(StrictRedis(**connection).ping())

    def test_runserver_is_ws4redis_development_hook(self):
        self.assertEqual(settings.WSGI_APPLICATION, "ws4redis.django_runserver.application")
        self.assertEqual(settings.WEBSOCKET_URL, "/ws/")


class PageTests(SimpleTestCase):
    def test_the_page_loads_jquery_and_ws4redis_client_with_its_uri(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<script src="/static/jquery/jquery.min.js"></script>', html=False)
        self.assertContains(response, '<script src="/static/js/ws4redis.js"></script>', html=False)
        uri = '"ws://testserver/ws/chat?subscribe-broadcast&publish-broadcast&echo"'
        self.assertContains(response, uri, html=False)


class PublishTests(SimpleTestCase):
    def test_a_text_posted_to_the_view_is_published_on_the_facilitys_broadcast(self):
        subscription = StrictRedis(**ws4redis_settings.WS4REDIS_CONNECTION).pubsub()
        subscription.subscribe("broadcast:chat")
        text = "dtws-test-" + uuid.uuid4().hex[:12]
        try:
            response = self.client.post("/publish/", {"text": text})
            self.assertEqual(response.status_code, 200)
            deadline = time.time() + 10
            received = []
            while time.time() < deadline and text.encode("utf-8") not in received:
                message = subscription.get_message(timeout=1.0)
                if message and message["type"] == "message":
                    received.append(message["data"])
            self.assertIn(text.encode("utf-8"), received)
        finally:
            subscription.reset()

    def test_the_view_wants_a_post_with_a_text(self):
        self.assertEqual(self.client.get("/publish/").status_code, 400)
