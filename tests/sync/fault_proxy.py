"""A loopback HTTP proxy that injects the faults of a bad network, one chosen per request.

Each client connection carries one request: the proxy reads it whole, applies
the next fault from its schedule (or ``pass``), and closes.  Faults:

* ``latency`` — forwards after a delay;
* ``drop`` — closes without forwarding or answering;
* ``reset_mid_body`` — forwards, then sends half the answer and resets the connection;
* ``truncate`` — forwards, then sends the headers and half the body and closes;
* ``error_after_commit`` — forwards (the server commits), then answers 500;
* ``captive_portal`` — answers 200 with an HTML sign-in page, forwarding nothing;
* ``slow_close`` — forwards and answers, then holds the connection a while before closing.

``rate_bytes_per_s`` makes it a slow link: requests are read and answers written at
that rate, one budget per direction shared by every connection (as on one radio
link).  :meth:`FaultProxy.cut_all` drops every connection in progress (the link going
down mid-transfer).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections import deque

FAULTS = ("pass", "latency", "drop", "reset_mid_body", "truncate", "error_after_commit",
          "captive_portal", "slow_close")
_PORTAL = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 58\r\n"
           b"Connection: close\r\n\r\n<html><body>Please sign in to Park-WiFi first</body></html>")
_ERROR = (b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
          b"Connection: close\r\n\r\nerror")


class _Link:
    """One direction of a slow link: bytes pass at ``rate`` a second, shared by all users."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._free_at = time.monotonic()
        self._lock = threading.Lock()

    def carry(self, size: int) -> None:
        with self._lock:
            start = max(self._free_at, time.monotonic())
            self._free_at = start + size / self.rate
            done_at = self._free_at
        time.sleep(max(0.0, done_at - time.monotonic()))


class FaultProxy:
    def __init__(self, upstream_port: int, latency_s: float = 0.2, slow_close_s: float = 0.5,
                 rate_bytes_per_s: float | None = None) -> None:
        self.upstream_port = upstream_port
        self._up = None if rate_bytes_per_s is None else _Link(rate_bytes_per_s)
        self._down = None if rate_bytes_per_s is None else _Link(rate_bytes_per_s)
        self._open: set[socket.socket] = set()
        self.cuts = 0
        self.latency_s = latency_s
        self.slow_close_s = slow_close_s
        self.schedule: deque[str] = deque()
        self.always: str | None = None
        self.seen: list[str] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def cut_all(self) -> None:
        """The link goes down: every connection in progress is reset."""
        with self._lock:
            victims = list(self._open)
            self.cuts += 1
        for victim in victims:
            with contextlib.suppress(OSError):
                victim.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                victim.shutdown(socket.SHUT_RDWR)

    def _next_fault(self) -> str:
        with self._lock:
            fault = self.schedule.popleft() if self.schedule else (self.always or "pass")
            self.seen.append(fault)
            return fault

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with self._lock:
            self._open.add(client)
        try:
            self._handle_one(client)
        finally:
            with self._lock:
                self._open.discard(client)

    def _handle_one(self, client: socket.socket) -> None:
        with contextlib.closing(client):
            client.settimeout(10)
            try:
                request = _read_request(client, self._up)
            except OSError:
                return
            if request is None:
                return
            fault = self._next_fault()
            if fault == "drop":
                return
            if fault == "captive_portal":
                client.sendall(_PORTAL)
                return
            if fault == "latency":
                time.sleep(self.latency_s)
            # The server may be down (the chaos test kills it) or the client gone: to the
            # other side that is just a dropped connection.
            with contextlib.suppress(OSError):
                self._answer(client, fault, self._forward(request))

    def _answer(self, client: socket.socket, fault: str, response: bytes) -> None:
        if fault == "error_after_commit":
            client.sendall(_ERROR)
        elif fault == "reset_mid_body":
            client.sendall(response[: len(response) // 2])
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif fault == "truncate":
            head, _, body = response.partition(b"\r\n\r\n")
            client.sendall(head + b"\r\n\r\n" + body[: len(body) // 2])
        else:
            self._send(client, response)
            if fault == "slow_close":
                time.sleep(self.slow_close_s)

    def _send(self, client: socket.socket, response: bytes) -> None:
        if self._down is None:
            client.sendall(response)
            return
        for start in range(0, len(response), 16 * 1024):
            piece = response[start:start + 16 * 1024]
            self._down.carry(len(piece))
            client.sendall(piece)

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as upstream:
            upstream.sendall(request)
            chunks = []
            for _ in range(100_000):
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return _with_connection_close(b"".join(chunks))


def _read_request(client: socket.socket, link: _Link | None = None) -> bytes | None:
    data = b""
    for _ in range(10_000):
        if b"\r\n\r\n" in data:
            break
        chunk = client.recv(16 * 1024 if link else 65536)
        if not chunk:
            return None
        if link is not None:
            link.carry(len(chunk))
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    lines = head.split(b"\r\n")
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    parts = [body]
    received = len(body)
    for _ in range(1_000_000):
        if received >= length:
            break
        chunk = client.recv(16 * 1024 if link else 65536)
        if not chunk:
            return None
        if link is not None:
            link.carry(len(chunk))
        parts.append(chunk)
        received += len(chunk)
    body = b"".join(parts)
    kept = [line for line in lines if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*kept, b"Connection: close"]) + b"\r\n\r\n" + body


def _with_connection_close(response: bytes) -> bytes:
    head, _, body = response.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


class StalledEndpoint:
    """Accepts connections and never answers (a server hung behind a working network)."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(client)

    def release(self) -> None:
        """Close everything: a waiting client sees the connection drop."""
        self._stop.set()
        self._thread.join(timeout=5)
        for client in self.held:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            client.close()
        self._listener.close()
