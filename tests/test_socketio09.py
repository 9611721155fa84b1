from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from dtws import procs, protocols
from dtws.libraries.geventsocketio import LIBRARY
from dtws.protocols import socketio09
from tests.conftest import PROJECT

CELL = "py27-django18-geventsocketio"  # a cell of tests/conftest.py's CELLS: its env has gevent-socketio's server


def test_packets_as_socketio_client_09_writes_them() -> None:
    # socket.io-client 0.9.17, parser.encodePacket: type:id:endpoint, then :data when there is data
    assert socketio09.Packet("1", "", "/chat", "").encode() == "1::/chat"
    assert socketio09.Packet("2", "", "", "").encode() == "2::"
    sent = socketio09.event("/chat", "chat", "hello").encode()
    assert sent == '5::/chat:{"name": "chat", "args": ["hello"]}'


def test_a_packet_is_read_back_with_colons_in_its_data() -> None:
    packet = socketio09.Packet.decode('5::/chat:{"args":["a:b"],"name":"chat"}')
    assert (packet.type, packet.id, packet.endpoint) == ("5", "", "/chat")
    assert packet.event() == ("chat", ["a:b"])
    assert socketio09.Packet.decode("1::").event() is None


def test_payloads_frame_several_packets_and_leave_one_as_it_is() -> None:
    packets = ["1::/chat", '5::/chat:{"name":"chat","args":["\u00e9t\u00e9"]}', "2::"]
    payload = socketio09.encode_payload(packets)
    assert payload.startswith("\ufffd8\ufffd1::/chat\ufffd")
    assert socketio09.decode_payload(payload) == packets
    assert socketio09.encode_payload(["8::"]) == "8::" and socketio09.decode_payload("8::") == ["8::"]


def test_the_handshake_names_the_session_and_the_transports() -> None:
    shaken = socketio09.Handshake.decode("12345:60:60:websocket,xhr-polling")
    assert shaken == socketio09.Handshake("12345", "60", "60", ("websocket", "xhr-polling"))


@pytest.mark.parametrize("text", ["<html>", "hello", ":::"])
def test_what_is_not_a_packet_is_a_protocol_error(text: str) -> None:
    with pytest.raises(protocols.ProtocolError, match="not a Socket.IO 0.9 packet"):
        socketio09.Packet.decode(text)


def test_a_handshake_of_another_protocol_is_a_protocol_error() -> None:
    with pytest.raises(protocols.ProtocolError, match="not a Socket.IO 0.9 handshake"):
        socketio09.Handshake.decode('0{"sid":"x","upgrades":["websocket"]}')


def test_a_bad_frame_is_a_protocol_error() -> None:
    with pytest.raises(protocols.ProtocolError, match="bad payload frame"):
        socketio09.decode_payload("\ufffdx\ufffd1::")


def test_each_transport_against_gevent_socketios_own_server(
    local_run: tuple[subprocess.CompletedProcess[str], Path], toxworkdir: Path, tmp_path: Path
) -> None:
    """The SocketIOServer of the env the real cell installed: A over websocket, B over xhr-polling, in /chat."""
    python = toxworkdir / CELL / "bin" / "python"
    assert python.exists(), f"the {CELL} cell made no env"
    port = procs.free_port()
    env = {**os.environ, "DTWS_SOLUTION": "chat_geventsocketio", "PYTHONUNBUFFERED": "1"}
    lines: list[str] = []
    with open(tmp_path / "server.log", "ab") as log:
        server = procs.Server([str(python), *LIBRARY.server_args(port)], cwd=PROJECT, env=env, log=log)
        try:
            deadline = time.monotonic() + 60
            assert server.wait_for_port(port, deadline), (tmp_path / "server.log").read_text()
            shaken = socketio09.Client(port, deadline=deadline, trace=lines.append).handshake()
            assert {"websocket", "xhr-polling"} <= set(shaken.transports) and shaken.session.isdigit()
            a, b = (socketio09.Client(port, deadline=deadline, trace=lines.append) for _ in "ab")
            b.connect("xhr-polling")
            b.join("/chat")
            a.connect("websocket")
            a.join("/chat")
            a.send(socketio09.event("/chat", "chat", "d\u00e9j\u00e0 vu: 1"))
            assert b.wait_for(lambda packet: packet.event() == ("chat", ["d\u00e9j\u00e0 vu: 1"]), 15), lines
            assert a.wait_for(lambda packet: packet.event() == ("chat", ["d\u00e9j\u00e0 vu: 1"]), 15), lines
            a.close()
        finally:
            server.stop()
