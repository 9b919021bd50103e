"""Photos are the lowest priority: events never wait behind them; a slow, dropping link and
a hostile answer neither lose nor double a byte."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from inspector_app.services.workspace import Workspace, open_workspace
from inspector_app.sync.client import SyncOptions, SyncReport, run_sync
from inspector_app.sync.photo_queue import PhotoQueue
from inspector_app.sync.transport import RetryPolicy
from inspector_central.signing import ServerKey, load_or_create_server_key
from inspector_protocol.wire import (
    MAX_PHOTO_CHUNK_BYTES,
    REPLY_SIGNATURE_HEADER,
    ReplyBinding,
    sha256_hex,
)
from tests.central.harness import Backend, CentralServer, enrolled, tablet, transport_to
from tests.sync.fault_proxy import FaultProxy
from tests.sync.photo_helpers import officer, photo_bytes, photo_server, visit_with_photos


@pytest.fixture
def server(sqlite_backend: Backend, tmp_path: Path) -> Iterator[CentralServer]:
    running = photo_server(sqlite_backend, tmp_path).start()
    yield running
    running.stop()


@pytest.fixture
def ws(server: CentralServer, template_data_dir: Path, tmp_path: Path) -> Iterator[Workspace]:
    workspace = tablet(template_data_dir, tmp_path / "tab")
    enrolled(workspace, server, "tablet-a").close()
    yield workspace
    workspace.close()


def _patient() -> RetryPolicy:
    return RetryPolicy(attempts=6, base_delay_s=0.05, max_delay_s=0.2, budget_s=60.0)


def _held_bytes(server: CentralServer) -> int:
    with server.backend.database().transaction(write=False) as tx:
        row = tx.one("SELECT COALESCE(SUM(held_bytes), 0) FROM photos")
    return 0 if row is None else int(row[0])


def _delivered(ws: Workspace, visit_id: str) -> bool:
    row = ws.ledger.conn.execute(
        "SELECT COUNT(*), COUNT(r.event_id) FROM events e LEFT JOIN receipts r "
        "ON r.event_id = e.id WHERE e.visit_id = ?", (visit_id,)).fetchone()
    return bool(row[0]) and row[0] == row[1]


def _wait_for(condition: Any, what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def test_a_new_visit_is_delivered_while_a_large_photo_is_still_uploading(
        ws: Workspace, server: CentralServer, template_data_dir: Path) -> None:
    big = photo_bytes(8 * MAX_PHOTO_CHUNK_BYTES)
    visit_with_photos(ws, officer(ws), [big])
    proxy = FaultProxy(server.port, rate_bytes_per_s=2_000_000)  # 16 Mbit/s
    reports: list[SyncReport] = []
    # The app's sync worker: its own connection to the ledger, in a thread of its own.
    worker_ws = open_workspace(ws.data_dir, ws.clock)
    transport = transport_to(worker_ws, proxy.url, _patient())
    background = threading.Thread(target=lambda: reports.append(run_sync(worker_ws, transport)))
    try:
        background.start()
        _wait_for(lambda: _held_bytes(server) >= MAX_PHOTO_CHUNK_BYTES, "the first chunk")
        # The officer records a new visit on the ledger worker meanwhile.
        new_visit = visit_with_photos(ws, officer(ws), [], index=3)
        _wait_for(lambda: _delivered(ws, new_visit) or not background.is_alive(),
                  "the new visit's receipts")
        held_when_delivered = _held_bytes(server)
        background.join(timeout=120)
    finally:
        transport.close()
        worker_ws.close()
        proxy.close()
    assert _delivered(ws, new_visit)
    assert held_when_delivered < len(big), "the events waited for the whole photo"
    [report] = reports
    assert report.errors == [] and report.photos.sent == 1, report.to_json("en")
    assert report.photos.bytes_sent == len(big)


def test_another_sync_sends_its_events_at_once_while_photos_upload(
        ws: Workspace, server: CentralServer) -> None:
    visit_with_photos(ws, officer(ws), [photo_bytes(6 * MAX_PHOTO_CHUNK_BYTES)])
    proxy = FaultProxy(server.port, rate_bytes_per_s=1_500_000)
    worker_ws = open_workspace(ws.data_dir, ws.clock)
    transport = transport_to(worker_ws, proxy.url, _patient())
    background = threading.Thread(target=lambda: run_sync(worker_ws, transport))
    try:
        background.start()
        _wait_for(lambda: _held_bytes(server) >= MAX_PHOTO_CHUNK_BYTES, "the first chunk")
        new_visit = visit_with_photos(ws, officer(ws), [], index=4)
        # `inspector sync` from the command line: it does not wait for the photo lock.
        report = run_sync(ws, transport_to(ws, server.url), SyncOptions(lock_wait_s=0.0))
        photo_held = _held_bytes(server)
        background.join(timeout=120)
    finally:
        transport.close()
        worker_ws.close()
        proxy.close()
    assert not report.busy and report.errors == [] and _delivered(ws, new_visit)
    assert report.photos.busy and report.photos.bytes_sent == 0
    assert photo_held < 6 * MAX_PHOTO_CHUNK_BYTES


def test_a_days_photos_over_a_slow_link_that_drops_arrive_once(
        ws: Workspace, server: CentralServer) -> None:
    """The benchmark in small (bench/photo_sync_bench.py): five photos, one drop mid-upload."""
    photos = [photo_bytes(700_000 + i) for i in range(5)]
    visit_with_photos(ws, officer(ws), photos)
    proxy = FaultProxy(server.port, rate_bytes_per_s=1_250_000)  # 10 Mbit/s
    transport = transport_to(ws, proxy.url, _patient())
    try:
        def drop_once() -> None:
            _wait_for(lambda: _held_bytes(server) > 0, "a photo under way")
            time.sleep(0.2)
            proxy.cut_all()

        cut = threading.Thread(target=drop_once)
        cut.start()
        report = run_sync(ws, transport)
        cut.join(timeout=60)
    finally:
        transport.close()
        proxy.close()
    assert proxy.cuts == 1
    assert report.errors == [] and report.photos.sent == 5, report.to_json("en")
    needed = sum(len(p) for p in photos)
    # At most the chunk cut on the way is sent again; no completed chunk twice.
    assert needed <= report.photos.bytes_sent <= needed + max(len(p) for p in photos)
    for data in photos:
        digest = hashlib.sha256(data).hexdigest()
        assert (server.backend.data_dir / "photos" / digest[:2] / digest).read_bytes() == data


class _Exaggerating(HTTPAdapter):
    """A centre that signs a chunk's answer claiming more bytes than the chunk carried."""

    server_key: ServerKey | None = None

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        response = super().send(request, *args, **kwargs)
        if request.method != "PUT" or "/v1/photos/" not in (request.url or ""):
            return response
        body = json.loads(response.content)
        size = body["photo"]["size"]
        body["photo"]["held_bytes"] = min(size - 1, body["photo"]["held_bytes"] + 4096)
        content = json.dumps(body).encode()
        forged = requests.Response()
        forged.status_code = response.status_code
        forged.headers = requests.structures.CaseInsensitiveDict(
            {"Content-Type": "application/json", "Content-Length": str(len(content))})
        sent = request.body if isinstance(request.body, bytes) else b""
        assert self.server_key is not None
        binding = ReplyBinding("PUT", request.path_url, sha256_hex(sent), forged.status_code,
                               sha256_hex(content))
        forged.headers[REPLY_SIGNATURE_HEADER] = self.server_key.sign_reply(binding).header()
        forged._content = content
        forged._content_consumed = True  # type: ignore[attr-defined]
        forged.url = response.url
        forged.request = request
        return forged


def test_an_answer_claiming_bytes_that_were_not_sent_changes_nothing(
        ws: Workspace, server: CentralServer) -> None:
    data = photo_bytes(3 * MAX_PHOTO_CHUNK_BYTES)
    visit_with_photos(ws, officer(ws), [data])
    run_sync(ws, transport_to(ws, server.url), SyncOptions(photos=False))
    transport = transport_to(ws, server.url)
    transport.retry.attempts = 1
    adapter = _Exaggerating()
    adapter.server_key = load_or_create_server_key(server.backend.database())
    transport.session().mount("http://", adapter)
    report = run_sync(ws, transport)
    transport.close()
    assert [e.code for e in report.errors] == ["sync.invalid_response"]
    [queued] = PhotoQueue(ws.ledger).pending()
    assert queued.held_bytes == 0  # the claim was not believed, nothing was skipped
    # The honest centre holds one chunk; the next sync continues from there, not from the claim.
    honest = run_sync(ws, transport_to(ws, server.url))
    assert honest.errors == [] and honest.photos.sent == 1
    assert honest.photos.bytes_sent == len(data) - MAX_PHOTO_CHUNK_BYTES
    digest = hashlib.sha256(data).hexdigest()
    assert (server.backend.data_dir / "photos" / digest[:2] / digest).read_bytes() == data
