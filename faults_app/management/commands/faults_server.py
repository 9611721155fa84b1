"""A socket server that binds its port and never answers (DTWS_SOCKETIO_PORT on 127.0.0.1)."""
import os
import socket
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "bind 127.0.0.1:DTWS_SOCKETIO_PORT, accept, never answer"

    def handle(self, *args, **options):
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", int(os.environ["DTWS_SOCKETIO_PORT"])))
        server.listen(16)
        held = []
        while True:
            connection, _ = server.accept()
            held.append(connection)
            time.sleep(0.01)
