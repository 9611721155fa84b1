"""django-socketio event handlers of the chat, found by django_socketio.urls.

django_socketio.urls imports ``<app>.events`` for every installed app, which
registers these handlers.
"""
from django.conf import settings
from django_socketio import events

CHANNEL_PATTERN = "^%s$" % settings.DTWS_CHANNEL


@events.on_connect
def connect(request, socket, context):
    context["messages"] = 0


@events.on_message(channel=CHANNEL_PATTERN)
def message(request, socket, context, message):
    context["messages"] = context.get("messages", 0) + 1
    socket.broadcast_channel(message)


@events.on_finish
def finish(request, socket, context):
    context.clear()
