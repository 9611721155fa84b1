"""The conformance echo (dtws conform): a plain websocket route of uvicorn, beside python-socketio's.

Every message back as it came, text as text, bytes as bytes, on /ws/echo/. The
websocket python-socketio serves carries its own protocol (Engine.IO), so the
Autobahn|Testsuite runs against this route of the same server instead. Written
with futures and callbacks rather than ``async def``: a cell's code parses on
Python 2 too.
"""
import asyncio

PATH = "/ws/echo/"


def echo(scope, receive, send):
    """An ASGI application: accept, then send back each message until the client goes away."""
    done = asyncio.get_event_loop().create_future()

    def finish(error=None):
        if not done.done():
            if error is None:
                done.set_result(None)
            else:
                done.set_exception(error)

    def then(awaitable, callback):
        def after(task):
            if task.cancelled():
                finish()
            elif task.exception() is not None:
                finish(task.exception())
            else:
                callback(task.result())

        asyncio.ensure_future(awaitable).add_done_callback(after)

    def next_message(_=None):
        then(receive(), received)

    def received(message):
        kind = message["type"]
        if kind == "websocket.connect":
            then(send({"type": "websocket.accept"}), next_message)
        elif kind == "websocket.receive":
            reply = {"type": "websocket.send"}
            if message.get("text") is not None:
                reply["text"] = message["text"]
            else:
                reply["bytes"] = message.get("bytes") or b""
            then(send(reply), next_message)
        else:  # websocket.disconnect
            finish()

    next_message()
    return done


def with_echo(application):
    """``application`` for everything but the echo's websocket route."""

    def routed(scope, receive, send):
        if scope["type"] == "websocket" and scope["path"] == PATH:
            return echo(scope, receive, send)
        return application(scope, receive, send)

    return routed
