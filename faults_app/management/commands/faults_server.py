"""The faults library's socket server (DTWS_SOCKETIO_PORT on 127.0.0.1).

By default it binds its port and never answers. With ``DTWS_FAULTS_CHAT`` (``drop=P,delay=S``,
faults_app/chat.py) it serves a chat that drops or delays messages as asked: the bench's control.
"""
import os
import socket
import time

from django.core.management.base import BaseCommand, CommandError

from faults_app import chat


class Command(BaseCommand):
    help = "bind 127.0.0.1:DTWS_SOCKETIO_PORT, accept, never answer (or, with DTWS_FAULTS_CHAT, a faulty chat)"

    def handle(self, *args, **options):
        port = int(os.environ["DTWS_SOCKETIO_PORT"])
        asked = os.environ.get("DTWS_FAULTS_CHAT", "")
        if asked:
            try:
                faults = chat.parse(asked)
            except ValueError as error:
                raise CommandError(str(error))
            self.stdout.write("a chat on 127.0.0.1:%d that drops %g of deliveries and delays each by %g s"
                              % (port, faults["drop"], faults["delay"]))
            chat.Chat(faults).serve(port)
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(16)
        held = []
        while True:
            connection, _ = server.accept()
            held.append(connection)
            time.sleep(0.01)
