"""The chat: every message a client sends goes to every client of the group, the sender too."""
from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer
from django.conf import settings


class ChatConsumer(WebsocketConsumer):
    group = settings.DTWS_CHANNEL

    def connect(self):
        async_to_sync(self.channel_layer.group_add)(self.group, self.channel_name)
        self.accept()

    def disconnect(self, code):
        async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)

    def receive(self, text_data=None, bytes_data=None):
        async_to_sync(self.channel_layer.group_send)(self.group, {"type": "chat.message", "text": text_data})

    def chat_message(self, event):
        self.send(text_data=event["text"])
