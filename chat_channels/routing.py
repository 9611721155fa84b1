from django.urls import re_path

from chat_channels.consumers import ChatConsumer
from chat_channels.echo import EchoConsumer

websocket_urlpatterns = [
    re_path(r"^ws/chat/$", ChatConsumer.as_asgi()),
    re_path(r"^ws/echo/$", EchoConsumer.as_asgi()),
]
