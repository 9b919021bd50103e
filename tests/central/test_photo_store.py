"""The centre's photo store: a full disk is a clear 503 with nothing half-stored, and a visit
lists its evidence as received, partial or missing (``inspector-central visits --evidence``)."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from inspector_app.services.workspace import Workspace
from inspector_app.sync.client import SyncOptions, run_sync
from inspector_app.sync.state import SyncStore
from inspector_protocol.wire import API_PREFIX, MAX_PHOTO_CHUNK_BYTES
from tests.central.harness import REPO, Backend, CentralServer, enrolled, tablet, transport_to
from tests.small_disk import fill, small_file_system
from tests.sync.photo_helpers import officer, photo_bytes, photo_server, visit_with_photos


@pytest.fixture
def small_photo_disk(tmp_path: Path) -> Iterator[Path]:
    with small_file_system(tmp_path / "small", size_kib=4096) as mount_point:
        yield mount_point


@pytest.fixture
def server(backend: Backend, small_photo_disk: Path, tmp_path: Path) -> Iterator[CentralServer]:
    running = photo_server(backend, tmp_path, small_photo_disk / "photos").start()
    yield running
    running.stop()


@pytest.fixture
def ws(server: CentralServer, template_data_dir: Path, tmp_path: Path) -> Iterator[Workspace]:
    workspace = tablet(template_data_dir, tmp_path / "tab")
    enrolled(workspace, server).close()
    yield workspace
    workspace.close()


def _put(server: CentralServer, ws: Workspace, digest: str, offset: int, size: int,
         chunk: bytes) -> requests.Response:
    enrolment = SyncStore(ws.ledger).enrolment()
    assert enrolment is not None
    return requests.put(
        f"{server.url}{API_PREFIX}/photos/{digest}", data=chunk, timeout=30,
        params={"offset": str(offset), "size": str(size), "nonce": secrets.token_urlsafe(18)},
        headers={"Authorization": f"Bearer {enrolment.token}",
                 "Content-Type": "application/octet-stream"})


def _row(server: CentralServer, digest: str) -> tuple[int, str] | None:
    with server.backend.database().transaction(write=False) as tx:
        row = tx.one("SELECT held_bytes, state FROM photos WHERE sha256 = ?", (digest,))
    return None if row is None else (int(row[0]), str(row[1]))


def _evidence_cli(server: CentralServer) -> list[dict[str, object]]:
    done = subprocess.run([sys.executable, "-m", "inspector_central", *server.backend.args(),
                           "visits", "--evidence", "--json"], cwd=REPO, capture_output=True,
                          text=True, check=True, env={**os.environ, **server.env})
    return [p for visit in json.loads(done.stdout) for p in visit["evidence"]]


def test_a_full_disk_refuses_a_chunk_with_503_and_keeps_exactly_what_it_counts(
        ws: Workspace, server: CentralServer, small_photo_disk: Path) -> None:
    data = photo_bytes(2 * MAX_PHOTO_CHUNK_BYTES + 500)
    digest = hashlib.sha256(data).hexdigest()
    visit_with_photos(ws, officer(ws), [data])
    run_sync(ws, transport_to(ws, server.url), SyncOptions(photos=False))
    assert [p["state"] for p in _evidence_cli(server)] == ["missing"]

    first = _put(server, ws, digest, 0, len(data), data[:MAX_PHOTO_CHUNK_BYTES])
    assert first.status_code == 200 and first.json()["photo"]["state"] == "partial"
    filler = fill(small_photo_disk)
    second = _put(server, ws, digest, MAX_PHOTO_CHUNK_BYTES, len(data),
                  data[MAX_PHOTO_CHUNK_BYTES:2 * MAX_PHOTO_CHUNK_BYTES])
    assert second.status_code == 503, second.text
    assert second.json()["error"]["code"] == "server.disk_full"
    assert second.headers["Retry-After"].isdigit()
    partial = small_photo_disk / "photos" / "partial" / f"{digest}.part"
    assert partial.stat().st_size == MAX_PHOTO_CHUNK_BYTES  # cut back to what is counted
    assert _row(server, digest) == (MAX_PHOTO_CHUNK_BYTES, "partial")
    assert not (small_photo_disk / "photos" / digest[:2] / digest).exists()
    assert [(p["state"], p["held_bytes"]) for p in _evidence_cli(server)] == [
        ("partial", MAX_PHOTO_CHUNK_BYTES)]

    # The tablet meets the same 503, keeps the photo queued and says why.
    blocked = run_sync(ws, transport_to(ws, server.url))
    assert blocked.photos.pending == 1 and blocked.errors
    assert blocked.errors[0].status == 503

    filler.unlink()
    report = run_sync(ws, transport_to(ws, server.url))
    assert report.errors == [] and report.photos.sent == 1, report.to_json("en")
    assert report.photos.bytes_sent == len(data) - MAX_PHOTO_CHUNK_BYTES
    assert (small_photo_disk / "photos" / digest[:2] / digest).read_bytes() == data
    assert not partial.exists()
    assert [p["state"] for p in _evidence_cli(server)] == ["received"]
