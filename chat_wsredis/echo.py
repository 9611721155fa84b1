"""The conformance echo (dtws conform) on ECHO, dispatched by wsgi.py: uWSGI's websocket as ws4redis drives it.

uWSGI's websocket API as ws4redis' server calls it (the handshake, then
non-blocking receives on the connection's descriptor, gevent's select between
them), every message back. uWSGI's API says nothing of a message's kind: one
that is valid UTF-8 goes back as text, any other as binary; and its non-blocking
receive gives an empty message as "nothing yet", as ws4redis reads it. Not part
of the chat's integration. Runs under uWSGI only (it imports ``uwsgi``).
"""
ECHO = "/ws/echo/"


def echo(environ):
    import gevent.select
    import uwsgi

    uwsgi.websocket_handshake(environ["HTTP_SEC_WEBSOCKET_KEY"], environ.get("HTTP_ORIGIN", ""))
    descriptor = uwsgi.connection_fd()
    while True:
        gevent.select.select([descriptor], [], [], 60.0)
        try:
            message = uwsgi.websocket_recv_nb()
        except IOError:  # closed
            return []
        if not message:
            continue
        try:
            message.decode("utf-8")
        except UnicodeDecodeError:
            uwsgi.websocket_send_binary(message)
        else:
            uwsgi.websocket_send(message)
