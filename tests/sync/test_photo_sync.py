"""Evidence photos reach the centre: after their events, by hash, resumable, never twice."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from inspector_app.services.workspace import Workspace
from inspector_app.sync.client import SyncOptions, run_sync
from inspector_app.sync.photo_queue import PhotoQueue
from inspector_app.sync.state import SyncStore
from inspector_app.sync.transport import RetryPolicy
from inspector_central.alarms import list_alarms
from inspector_central.photos import visit_evidence
from inspector_protocol.wire import MAX_PHOTO_CHUNK_BYTES
from tests.central.harness import Backend, CentralServer, enrolled, tablet, transport_to
from tests.sync.fault_proxy import FaultProxy
from tests.sync.photo_helpers import (
    another_tablet,
    officer,
    photo_bytes,
    photo_server,
    visit_with_photos,
)


def _store(server: CentralServer) -> Path:
    return server.backend.data_dir / "photos"


def _held(server: CentralServer, data: bytes) -> Path:
    digest = hashlib.sha256(data).hexdigest()
    return _store(server) / digest[:2] / digest


def _evidence(server: CentralServer, visit_id: str) -> list[tuple[str, str]]:
    with server.backend.database().transaction(write=False) as tx:
        return [(p.sha256, p.state) for p in visit_evidence(tx, visit_id)]


@pytest.fixture
def server(backend: Backend, tmp_path: Path) -> Iterator[CentralServer]:
    running = photo_server(backend, tmp_path).start()
    yield running
    running.stop()


@pytest.fixture
def ws(server: CentralServer, template_data_dir: Path, tmp_path: Path) -> Iterator[Workspace]:
    workspace = tablet(template_data_dir, tmp_path / "tab")
    enrolled(workspace, server, "tablet-a").close()
    yield workspace
    workspace.close()


def test_photos_follow_their_events_and_are_stored_by_hash_on_both_databases(
        ws: Workspace, server: CentralServer) -> None:
    photos = [photo_bytes(2 * MAX_PHOTO_CHUNK_BYTES + 1000), photo_bytes(5000)]
    visit = visit_with_photos(ws, officer(ws), photos)
    assert PhotoQueue(ws.ledger).pending_count() == 2  # counted before the events are sent
    transport = transport_to(ws, server.url)
    report = run_sync(ws, transport)
    transport.close()
    assert report.errors == [] and report.pending == 0, report.to_json("en")
    assert report.photos.sent == 2 and report.photos.pending == 0
    assert report.photos.bytes_sent == sum(len(p) for p in photos)  # nothing twice
    for data in photos:
        assert _held(server, data).read_bytes() == data
    assert not any((_store(server) / "partial").iterdir())
    assert _evidence(server, visit) == [(hashlib.sha256(p).hexdigest(), "received") for p in photos]
    again = run_sync(ws, transport_to(ws, server.url))
    assert again.photos.sent == 0 and again.photos.bytes_sent == 0


def test_a_photo_another_device_already_delivered_is_not_sent_again(
        ws: Workspace, server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    shared = photo_bytes(300_000)
    visit_with_photos(ws, officer(ws), [shared])
    assert run_sync(ws, transport_to(ws, server.url)).photos.sent == 1
    other = another_tablet(tmp_path / "other")
    try:
        enrolled(other, server, "tablet-b").close()
        visit_with_photos(other, officer(other, "37142320002"), [shared], index=1)
        report = run_sync(other, transport_to(other, server.url))
        assert report.errors == [], report.to_json("en")
        assert report.photos.already_held == 1 and report.photos.sent == 0
        assert report.photos.bytes_sent == 0 and report.photos.pending == 0
    finally:
        other.close()
    with server.backend.database().transaction(write=False) as tx:
        assert tx.all("SELECT COUNT(*) FROM photos") == [(1,)]


def test_the_centre_refuses_a_photo_no_accepted_event_of_the_device_announced(
        ws: Workspace, server: CentralServer) -> None:
    run_sync(ws, transport_to(ws, server.url))  # enrolled and known; no photo announced
    token = SyncStore(ws.ledger).enrolment()
    assert token is not None
    data = photo_bytes(10_000)
    digest = hashlib.sha256(data).hexdigest()
    answer = requests.put(
        f"{server.url}/v1/photos/{digest}",
        params={"offset": "0", "size": str(len(data)), "nonce": secrets.token_urlsafe(18)}, data=data,
        headers={"Authorization": f"Bearer {token.token}",
                 "Content-Type": "application/octet-stream"}, timeout=10)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "photo.not_announced"
    assert answer.json()["photo"]["state"] == "unannounced"
    assert not _held(server, data).exists()
    assert not (_store(server) / "partial").exists() or not any(
        (_store(server) / "partial").iterdir())


def test_bytes_that_do_not_match_the_signed_hash_are_discarded_with_an_alarm(
        ws: Workspace, server: CentralServer) -> None:
    data = photo_bytes(200_000)
    visit = visit_with_photos(ws, officer(ws), [data])
    run_sync(ws, transport_to(ws, server.url), SyncOptions(photos=False))
    digest = hashlib.sha256(data).hexdigest()
    token = SyncStore(ws.ledger).enrolment()
    assert token is not None
    forged = data[:-1] + bytes([data[-1] ^ 1])
    answer = requests.put(
        f"{server.url}/v1/photos/{digest}",
        params={"offset": "0", "size": str(len(data)), "nonce": secrets.token_urlsafe(18)},
        data=forged, headers={"Authorization": f"Bearer {token.token}",
                              "Content-Type": "application/octet-stream"}, timeout=10)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "photo.mismatch"
    assert not _held(server, data).exists()
    assert not any((_store(server) / "partial").iterdir())
    [alarm] = [a for a in list_alarms(server.backend.database()) if a.kind == "photo_mismatch"]
    assert alarm.device == ws.ledger.device_id and alarm.evidence["sha256"] == digest
    assert _evidence(server, visit) == [(digest, "missing")]
    # The honest tablet then sends the true bytes, which are kept.
    report = run_sync(ws, transport_to(ws, server.url))
    assert report.photos.sent == 1 and _held(server, data).read_bytes() == data
    assert _evidence(server, visit) == [(digest, "received")]


def test_an_interrupted_upload_resumes_without_resending_a_completed_chunk(
        ws: Workspace, server: CentralServer) -> None:
    data = photo_bytes(3 * MAX_PHOTO_CHUNK_BYTES + 123)
    visit = visit_with_photos(ws, officer(ws), [data])
    proxy = FaultProxy(server.port)
    try:
        # The first chunk lands, then the link dies for the rest of this sync.
        # events, checkpoint, the photo query and the first chunk pass; then every request drops
        proxy.schedule.extend(["pass"] * 4)
        proxy.always = "drop"
        transport = transport_to(ws, proxy.url, RetryPolicy(attempts=2, base_delay_s=0.01,
                                                            max_delay_s=0.02, budget_s=5.0))
        first = run_sync(ws, transport, SyncOptions(pull=False))
        transport.close()
    finally:
        proxy.close()
    assert first.pending == 0 and first.photos.pending == 1
    assert [e.code for e in first.errors] == ["sync.network"]
    digest = hashlib.sha256(data).hexdigest()
    evidence = _evidence(server, visit)
    assert evidence == [(digest, "partial")]
    held_before = PhotoQueue(ws.ledger).pending()[0].held_bytes
    assert held_before > 0
    second = run_sync(ws, transport_to(ws, server.url))
    assert second.errors == [] and second.photos.sent == 1
    assert second.photos.bytes_sent == len(data) - held_before  # what was held is not resent
    assert _held(server, data).read_bytes() == data
    assert _evidence(server, visit) == [(digest, "received")]
