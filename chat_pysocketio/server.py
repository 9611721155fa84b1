"""The Socket.IO server and the chat's event handler: every "chat" event goes to every client."""
import socketio

sio = socketio.AsyncServer(async_mode="asgi")


@sio.on("chat")
def chat(sid, data):
    # A plain function (the code of a cell parses on Python 2 too); the emit
    # itself runs as a task on the server's event loop.
    sio.start_background_task(sio.emit, "chat", data)
