from __future__ import annotations

import pytest

from dtws import protocols
from dtws.protocols import socketio06


def test_frames_as_the_bundled_client_writes_them() -> None:
    # socket.io.js 0.6.1: ret += frame + message.length + frame + message
    assert socketio06.encode(["__subscribe__", "dtws"]) == "~m~13~m~__subscribe__~m~4~m~dtws"


def test_decode_is_the_inverse() -> None:
    messages = ["", "~h~1", '~j~{"a": 1}', "with ~m~ inside"]
    assert socketio06.decode(socketio06.encode(messages)) == messages


def test_a_non_frame_is_a_protocol_error() -> None:
    with pytest.raises(protocols.ProtocolError, match="not a Socket.IO 0.6 frame"):
        socketio06.decode("<html>")
