"""Django tests that run inside each Channels-on-Redis cell: ``manage.py test chat_channelsredis``.

They talk to the cell's real Redis, which dtws started for it (DTWS_REDIS_URL).
"""
import os
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import SimpleTestCase


class LayerTests(SimpleTestCase):
    def test_the_layer_is_channels_redis_on_the_cells_redis(self):
        layer = get_channel_layer()
        self.assertEqual(type(layer).__module__ + "." + type(layer).__name__, "channels_redis.core.RedisChannelLayer")
        self.assertEqual([host["address"] for host in layer.hosts], [os.environ["DTWS_REDIS_URL"]])

    def test_a_group_message_goes_through_redis(self):
        layer = get_channel_layer()
        group = "dtws-test-" + uuid.uuid4().hex[:12]
        message = {"type": "chat.message", "text": group}
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(group, channel)
        try:
            async_to_sync(layer.group_send)(group, message)
            self.assertEqual(async_to_sync(layer.receive)(channel), message)
        finally:
            async_to_sync(layer.group_discard)(group, channel)

    def test_the_page_is_the_channels_chat(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<script src="/static/chat_channels/chat.js"></script>', html=False)
