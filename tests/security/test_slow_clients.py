"""Attack 9: slow headers, slow bodies, idle and half-open sockets do not hold the endpoint.

The real ``inspector-central serve`` with its default limits.  The attacker has
only sockets: it connects and says nothing, sends headers a byte at a time,
sends a body that never ends, or opens 1,100 connections and leaves them half
open — against a server whose open-file limit is the common 1,024.  Each kind of
socket is closed within its deadline (bounds here are generous: they catch a
socket held open, not a slow machine), and honest requests, a tablet's sync
among them, keep succeeding meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from inspector_central.enrolment import create_code
from inspector_central.storage import Database
from tests.central.harness import REPO, free_port, tablet, transport_to
from tests.sync.helpers import add_device_events

HEADER_TIMEOUT_S, BODY_TIMEOUT_S, KEEP_ALIVE_S = 10, 20, 5
SLACK_S = 15  # a loaded machine may be late; a socket held open is minutes late


class Server:
    def __init__(self, data: Path, *, open_files: int | None = None) -> None:
        self.data = data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

        def limit() -> None:
            if open_files is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

        self.process = subprocess.Popen(
            [sys.executable, "-m", "inspector_central", "--data-dir", str(data), "serve",
             "--port", str(self.port)], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=limit)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the server exited"
            try:
                requests.get(f"{self.url}/v1/info", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("the server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "central")
    yield running
    running.stop()


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.settimeout(BODY_TIMEOUT_S + SLACK_S + 5)
    return sock


def _closed_after(sock: socket.socket, started: float) -> tuple[float, bytes]:
    """Seconds until the server closed ``sock``, and what it said before."""
    said = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        said += chunk
    sock.close()
    return time.monotonic() - started, said


def test_idle_slow_header_and_slow_body_sockets_are_closed_within_seconds(server: Server) -> None:
    started = time.monotonic()
    idle = _connect(server.port)
    slow_header = _connect(server.port)
    slow_header.sendall(b"GET /v1/info HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    slow_body = _connect(server.port)
    slow_body.sendall(b"POST /v1/enrol HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 100000\r\n\r\n{\"code\": ")
    kept_alive = _connect(server.port)
    kept_alive.sendall(b"GET /v1/info HTTP/1.1\r\nHost: x\r\n\r\n")
    sockets = {"idle": idle, "slow header": slow_header, "slow body": slow_body,
               "kept alive": kept_alive}
    with ThreadPoolExecutor(len(sockets)) as pool:
        watched = {name: pool.submit(_closed_after, sock, started) for name, sock in sockets.items()}
        # The slow ones keep trickling; honest requests go on meanwhile.
        for _ in range(3):
            time.sleep(1)
            for sock, byte in ((slow_header, b"a"), (slow_body, b" ")):
                with contextlib.suppress(OSError):
                    sock.send(byte)
            assert requests.get(f"{server.url}/v1/info", timeout=5).status_code == 200
        results = {name: future.result() for name, future in watched.items()}
    assert results["idle"][0] < HEADER_TIMEOUT_S + SLACK_S, results
    assert results["slow header"][0] < HEADER_TIMEOUT_S + SLACK_S, results
    assert results["kept alive"][0] < KEEP_ALIVE_S + SLACK_S, results
    assert results["kept alive"][1].startswith(b"HTTP/1.1 200")
    seconds, said = results["slow body"]
    assert seconds < BODY_TIMEOUT_S + SLACK_S, results
    assert said.startswith(b"HTTP/1.1 408") and b"request.timeout" in said


def test_1100_half_open_sockets_do_not_make_honest_requests_fail(
        tmp_path: Path, template_data_dir: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1300:  # this test process holds the attacker's sockets
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    server = Server(tmp_path / "central", open_files=1024)
    attacker: list[socket.socket] = []
    try:
        for _ in range(1100):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", server.port))
            attacker.append(sock)
        time.sleep(1)
        for _ in range(20):
            assert requests.get(f"{server.url}/v1/info", timeout=10).status_code == 200
        # A tablet enrols and syncs through it all.
        database = Database.open(data_dir=server.data, database_url=None)
        code = create_code(database, "tablet")
        database.close()
        ws = tablet(template_data_dir, tmp_path / "tab")
        add_device_events(ws, 50)
        transport = transport_to(ws, server.url)
        from inspector_app.sync.client import run_sync
        from inspector_app.sync.enrol import enrol

        enrol(ws, transport, code)
        report = run_sync(ws, transport)
        transport.close()
        ws.close()
        assert report.errors == [] and report.pending == 0, report.to_json("en")
        assert server.process.poll() is None
    finally:
        for sock in attacker:
            sock.close()
        server.stop()
