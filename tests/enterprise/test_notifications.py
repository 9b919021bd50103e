"""Notifications: the enterprise's phone gets the link after a visit reaches the centre.

No real SMS gateway is reachable from here: the HTTP adapter is tested against a
stand-in gateway on loopback (the edge of the world); everything else is real.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from inspector_app.sync.client import run_sync
from inspector_central.enterprise.access import set_phone
from inspector_central.enterprise.names import Names
from inspector_central.enterprise.notify import DeliveryFailed, HttpSmsSender, NotificationWorker
from inspector_central.signing import load_or_create_server_key, now_ms
from tests.central.harness import REPO, Backend, CentralServer, enrolled, free_port, tablet
from tests.enterprise.visits import USCC, checked_out_visit, form_session

PHONE = "13912345678"


class StandInGateway:
    """An SMS gateway on loopback: records each request, answers the statuses it is given."""

    def __init__(self, statuses: list[int], delay_s: float = 0.0) -> None:
        self.received: list[tuple[dict[str, Any], str]] = []
        self.statuses, self.delay_s = statuses, delay_s
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.received.append((body, self.headers.get("Authorization", "")))
                time.sleep(gateway.delay_s)
                status = gateway.statuses.pop(0) if gateway.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/send"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> StandInGateway:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _set_phone(backend: Backend) -> None:
    done = subprocess.run([sys.executable, "-m", "inspector_central", *backend.args(), "enterprise",
                           "set-phone", "--uscc", USCC, "--phone", PHONE], cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def notifying_server(sqlite_backend: Backend, tmp_path: Path) -> Iterator[CentralServer]:
    port = free_port()
    running = CentralServer(sqlite_backend, tmp_path, port=port, env={
        "INSPECTOR_CENTRAL_RATE_BURST": "100000",
        "INSPECTOR_CENTRAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "INSPECTOR_CENTRAL_NOTIFY_SENDER": "file",
        "INSPECTOR_CENTRAL_NOTIFY_FILE": str(tmp_path / "sms.jsonl"),
        "INSPECTOR_CENTRAL_NOTIFY_INTERVAL": "1"})
    _set_phone(sqlite_backend)
    yield running.start()
    running.stop()


def test_the_registered_phone_gets_a_link_that_opens_and_rates_the_visit(
        notifying_server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    transport = enrolled(ws, notifying_server)
    visit = checked_out_visit(ws)
    outbox = tmp_path / "sms.jsonl"
    time.sleep(1.5)
    assert not outbox.exists()  # nothing before the visit reaches the centre
    run_sync(ws, transport)
    deadline = time.monotonic() + 30
    while not outbox.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    [message] = [json.loads(line) for line in outbox.read_text().splitlines()]
    assert message["to"] == PHONE and message["id"] == visit.visit_id
    link = message["text"].rsplit("：", 1)[1]
    assert link.startswith(notifying_server.url + "/r/") and link != visit.url  # the centre signed it
    page = requests.get(link, timeout=10)
    assert "已核验" in page.text and "更换过期的压力表" in page.text
    session, csrf = form_session(link)
    assert session.post(link + "/rating", data={"csrf": csrf, "score": "70"}, timeout=10).ok
    # One rating per visit, whichever receipt carried it.
    assert "当前评价：70" in requests.get(visit.url, timeout=10).text
    time.sleep(1.5)
    assert len(outbox.read_text().splitlines()) == 1  # sent once


def test_the_http_adapter_speaks_to_a_gateway_and_reports_its_failures() -> None:
    with StandInGateway([200, 503]) as gateway:
        sender = HttpSmsSender(gateway.url, "secret-token", timeout_s=2)
        sender.send(PHONE, "text", "visit-1")
        assert gateway.received == [({"to": PHONE, "text": "text", "id": "visit-1"},
                                     "Bearer secret-token")]
        with pytest.raises(DeliveryFailed, match="503"):
            sender.send(PHONE, "text", "visit-1")
    with StandInGateway([], delay_s=3) as slow, pytest.raises(DeliveryFailed, match="unreachable"):
        HttpSmsSender(slow.url, None, timeout_s=1).send(PHONE, "text", "visit-1")
    with pytest.raises(DeliveryFailed, match="unreachable"):
        HttpSmsSender(f"http://127.0.0.1:{free_port()}/send", None, timeout_s=1).send(PHONE, "t", "v")


def test_a_failing_gateway_is_retried_later_and_never_blocks_ingest(
        server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    ws = tablet(template_data_dir, tmp_path / "tab")
    transport = enrolled(ws, server)
    visit = checked_out_visit(ws)
    started = time.monotonic()
    run_sync(ws, transport)
    assert time.monotonic() - started < 30  # gross blocking only
    database = server.backend.database()
    with database.transaction() as tx:
        set_phone(tx, USCC, PHONE, now_ms())
    key = load_or_create_server_key(database)
    with StandInGateway([500, 502]) as gateway:
        worker = NotificationWorker(database, key, HttpSmsSender(gateway.url, None, 2),
                                    "https://inspect.example.cn", Names(), 1, 3)
        at = now_ms()
        assert worker.run_once(at) == 0  # 500: rescheduled 30 s on
        assert worker.run_once(at + 29_000) == 0 and len(gateway.received) == 1
        assert worker.run_once(at + 31_000) == 0  # 502: rescheduled 60 s on
        assert worker.run_once(at + 92_000) == 1  # delivered
        assert worker.run_once(at + 300_000) == 0  # and only once
    assert len(gateway.received) == 3
    body = gateway.received[-1][0]
    assert body["to"] == PHONE and body["id"] == visit.visit_id
    assert "https://inspect.example.cn/r/" in body["text"] and "lc-amr" in body["text"]
    with database.transaction(write=False) as tx:
        row = tx.one("SELECT state, attempts FROM enterprise_notifications WHERE visit_id = ?",
                     (visit.visit_id,))
    assert row == ("sent", 3)
