"""Slow-client benchmark: honest requests while an attacker holds sockets open.

    .venv/bin/python bench/slow_clients_bench.py [--requests 200] [--half-open 1100]

A real ``inspector-central serve`` (default limits) on loopback, started with the
common open-file limit of 1,024.  Measured (docs/sync-protocol.md, deployment):

  * honest ``GET /v1/info`` latency (a new connection each, as a tablet waking up
    makes), p50 / p95 / max and failures: quiet, then with ``--half-open``
    sockets that never send a byte plus 50 slow-header and 50 slow-body
    connections trickling a byte a second;
  * how long after opening the server closes an idle, a slow-header and a
    slow-body socket (the deadlines are 10 s, 10 s and 20 s).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    process = subprocess.Popen([sys.executable, "-m", "inspector_central", "--data-dir",
                                str(folder), "serve", "--port", str(port)], cwd=REPO,
                               env={**os.environ, "PYTHONPATH": str(REPO)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               preexec_fn=limit)
    for _ in range(600):
        with contextlib.suppress(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/v1/info", timeout=1)
            return process, port
        time.sleep(0.05)
    raise SystemExit("the server did not start")


def _honest(port: int, count: int) -> tuple[list[float], int]:
    times, failures = [], 0
    for _ in range(count):
        started = time.perf_counter()
        try:
            ok = requests.get(f"http://127.0.0.1:{port}/v1/info", timeout=10).status_code == 200
        except requests.RequestException:
            ok = False
        times.append(time.perf_counter() - started)
        failures += not ok
    return times, failures


def _summary(label: str, times: list[float], failures: int) -> None:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"{label:<40} p50 {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"
          f"   max {ordered[-1] * 1000:7.1f} ms   failures {failures}/{len(times)}")


class Attacker:
    def __init__(self, port: int, half_open: int) -> None:
        self.port = port
        self.sockets: list[socket.socket] = []
        self.trickling: list[socket.socket] = []
        self.stop = threading.Event()
        for _ in range(half_open):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            self.sockets.append(sock)
        for i in range(100):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /v1/info HTTP/1.1\r\nHost: x\r\nX-Slow: " if i % 2 else
                         b"POST /v1/enrol HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n\r\n{")
            self.trickling.append(sock)
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        while not self.stop.wait(1.0):
            for sock in self.trickling:
                with contextlib.suppress(OSError):
                    sock.send(b"a")

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        for sock in self.sockets + self.trickling:
            sock.close()


def _closing_times(port: int) -> dict[str, float]:
    kinds = {"idle": b"", "slow header": b"GET /v1/info HTTP/1.1\r\nHost: x\r\nX-Slow: ",
             "slow body": b"POST /v1/enrol HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n\r\n{"}
    result: dict[str, float] = {}

    def watch(name: str, opening: bytes) -> None:
        started = time.monotonic()
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        sock.sendall(opening)
        while True:
            with contextlib.suppress(OSError):
                sock.send(b"a")
            try:
                sock.settimeout(1.0)
                if sock.recv(65536) == b"":
                    break
            except TimeoutError:
                continue
            except OSError:
                break
            if opening.startswith(b"POST"):
                continue  # the 408 came; wait for the close
        result[name] = time.monotonic() - started
        sock.close()

    threads = [threading.Thread(target=watch, args=item) for item in kinds.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--half-open", type=int, default=1100)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    with tempfile.TemporaryDirectory() as folder:
        process, port = _start(Path(folder) / "central")
        try:
            _summary("quiet", *_honest(port, args.requests))
            attacker = Attacker(port, args.half_open)
            time.sleep(1)
            _summary(f"{args.half_open} half-open + 100 trickling", *_honest(port, args.requests))
            attacker.close()
            for name, seconds in _closing_times(port).items():
                print(f"{name:<40} closed by the server after {seconds:5.1f} s")
        finally:
            process.terminate()
            process.wait(timeout=15)


if __name__ == "__main__":
    main()
