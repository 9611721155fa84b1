"""The faults library's chat, when ``DTWS_FAULTS_CHAT`` asks for it: the bench's control.

A minimal RFC 6455 chat (stdlib only, one thread per connection): every text
message goes to every connection, the sender's too, as the real libraries'
chats do, but with the faults asked for, as ``drop=P,delay=S``:

- ``drop=P``: each delivery is dropped with probability P (0 to 1; a fixed seed, so runs repeat);
- ``delay=S``: each message goes out S seconds after it came in.
"""
import base64
import hashlib
import random
import socket
import struct
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def parse(text):
    """``drop=0.5,delay=0.2`` -> {"drop": 0.5, "delay": 0.2}; ValueError on anything else."""
    faults = {"drop": 0.0, "delay": 0.0}
    for item in text.split(","):
        name, _, value = item.strip().partition("=")
        if name not in faults:
            raise ValueError("DTWS_FAULTS_CHAT: unknown fault %r (drop=P, delay=SECONDS)" % name)
        faults[name] = float(value)
    if not 0 <= faults["drop"] <= 1 or faults["delay"] < 0:
        raise ValueError("DTWS_FAULTS_CHAT: drop is 0 to 1, delay at least 0: %r" % text)
    return faults


def _read_exact(connection, size):
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise EOFError("closed")
        data += chunk
    return data


def _frame(opcode, payload):
    size = len(payload)
    if size < 126:
        head = struct.pack("!BB", 0x80 | opcode, size)
    elif size < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 126, size)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, size)
    return head + payload


def _read_frame(connection):
    first, second = struct.unpack("!BB", _read_exact(connection, 2))
    size = second & 0x7F
    if size == 126:
        size = struct.unpack("!H", _read_exact(connection, 2))[0]
    elif size == 127:
        size = struct.unpack("!Q", _read_exact(connection, 8))[0]
    mask = _read_exact(connection, 4) if second & 0x80 else b"\0\0\0\0"
    payload = bytearray(_read_exact(connection, size))
    for index in range(size):
        payload[index] ^= bytearray(mask)[index % 4]
    return first & 0x0F, bytes(payload)


def _handshake(connection):
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = connection.recv(4096)
        if not chunk:
            raise EOFError("closed during the handshake")
        request += chunk
    key = None
    for line in request.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            key = value.strip()
    if key is None:
        raise ValueError("no Sec-WebSocket-Key")
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    connection.sendall(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )


class Chat(object):
    def __init__(self, faults):
        self.drop, self.delay = faults["drop"], faults["delay"]
        self.random = random.Random(0)
        self.lock = threading.Lock()
        self.clients = {}  # connection -> its send lock
        self.pending = []  # (due, payload), in order: the delay is the same for every message
        self.ready = threading.Condition(self.lock)

    def serve(self, port):
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(1024)
        self._start(self._deliver_due)
        while True:
            connection, _ = server.accept()
            self._start(self._client, connection)

    @staticmethod
    def _start(target, *args):
        thread = threading.Thread(target=target, args=args)
        thread.daemon = True
        thread.start()

    def _client(self, connection):
        try:
            _handshake(connection)
            with self.lock:
                self.clients[connection] = threading.Lock()
            while True:
                opcode, payload = _read_frame(connection)
                if opcode == 8:
                    break
                if opcode == 9:
                    self._send(connection, _frame(10, payload))
                elif opcode == 1:
                    with self.lock:
                        self.pending.append((time.time() + self.delay, payload))
                        self.ready.notify()
        except (EOFError, ValueError, socket.error):
            pass
        finally:
            with self.lock:
                self.clients.pop(connection, None)
            connection.close()

    def _deliver_due(self):
        while True:
            with self.lock:
                while not self.pending:
                    self.ready.wait()
                due, payload = self.pending.pop(0)
            time.sleep(max(due - time.time(), 0))
            self._broadcast(_frame(1, payload))

    def _broadcast(self, frame):
        with self.lock:
            targets = [c for c in self.clients if self.random.random() >= self.drop]
        for connection in targets:
            self._send(connection, frame)

    def _send(self, connection, frame):
        with self.lock:
            send_lock = self.clients.get(connection)
        if send_lock is None:
            return
        try:
            with send_lock:
                connection.sendall(frame)
        except socket.error:
            pass
