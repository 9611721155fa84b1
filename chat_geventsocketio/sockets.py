"""The chat's namespace, which socketio.sdjango.autodiscover() finds as <app>.sockets.

Every "chat" event goes to every client (BroadcastMixin), the sender included.
"""
from socketio.mixins import BroadcastMixin
from socketio.namespace import BaseNamespace
from socketio.sdjango import namespace


@namespace("/chat")
class ChatNamespace(BaseNamespace, BroadcastMixin):
    def on_chat(self, text):
        self.broadcast_event("chat", text)
