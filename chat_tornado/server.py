"""The one Tornado process of the chat: its WebSocketHandler on /ws/chat/, Django for everything else.

Beside the chat, the conformance echo on /ws/echo/ (chat_tornado/echo.py).

``python -m chat_tornado.server --port N`` from the project folder. As Tornado's
docs mix a WSGI framework with its own handlers: Django's WSGI application in a
``WSGIContainer``, behind a ``FallbackHandler`` for every path the chat does
not take. Django's WSGI application serves no static files outside runserver,
so Django's own ``StaticFilesHandler`` wraps it, as runserver does: the page's
JS comes from the same finders in the django-server step and here, with no
collectstatic and no second place that knows where the files are.

Runs in every Tornado cell: Python 2.7 (Tornado 5.1) and every 3.x; stdlib,
Django and Tornado only, no f-strings, no annotations.
"""
import argparse
import os
from concurrent.futures import ThreadPoolExecutor

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.wsgi import get_wsgi_application
from tornado.ioloop import IOLoop
from tornado.log import enable_pretty_logging
from tornado.web import Application, FallbackHandler
from tornado.websocket import WebSocketClosedError, WebSocketHandler
from tornado.wsgi import WSGIContainer

from chat_tornado.echo import EchoHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "DjangoTestWebsockets.settings")
os.environ.setdefault("DTWS_SOLUTION", "chat_tornado")


class ChatHandler(WebSocketHandler):
    """The chat: what one client sends, every connected client receives, the sender too."""

    clients = set()

    def open(self):
        ChatHandler.clients.add(self)

    def on_message(self, message):
        for client in list(ChatHandler.clients):
            try:
                client.write_message(message)
            except WebSocketClosedError:  # it went away while this message was on its way
                ChatHandler.clients.discard(client)

    def on_close(self):
        ChatHandler.clients.discard(self)


def container(wsgi_application):
    """The WSGI application in Tornado's WSGIContainer, as the docs of the Tornado at hand say.

    From Tornado 6.3 the docs advise an ``executor`` (a thread pool) so that a
    WSGI request does not hold the event loop; before 6.3 there is no such
    argument and the application runs on the event loop's thread.
    """
    try:
        return WSGIContainer(wsgi_application, executor=ThreadPoolExecutor(max_workers=4))
    except TypeError:  # Tornado before 6.3: WSGIContainer(wsgi_application) alone
        return WSGIContainer(wsgi_application)


def make_application():
    django = StaticFilesHandler(get_wsgi_application())
    return Application(
        [
            (r"/ws/chat/", ChatHandler),
            (r"/ws/echo/", EchoHandler),
            (r".*", FallbackHandler, {"fallback": container(django)}),
        ]
    )


def main():
    parser = argparse.ArgumentParser(description="The chat's Tornado server, on 127.0.0.1.")
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    enable_pretty_logging()  # Tornado's access log: each request, the WebSocket upgrade too
    make_application().listen(port, address="127.0.0.1")
    # Tornado 5's way, which every release since still runs; 6.2 on deprecate it (silently, by
    # default) for asyncio.run(main()), which Python 2 cannot parse.
    IOLoop.current().start()


if __name__ == "__main__":
    main()
