"""The central endpoint on a full disk or a busy database: 503 with a code, never 500
``server.bug``; the tablet keeps its events and delivers them once the server is put right."""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from inspector_app.platform.clock import FakeClock
from inspector_app.services.workspace import Workspace
from inspector_app.sync.client import run_sync
from inspector_app.sync.state import SyncStore
from inspector_central.storage import SQLITE_FILE
from inspector_protocol import keys
from inspector_protocol.wire import API_PREFIX
from tests.central.harness import Backend, CentralServer, enrolled, tablet
from tests.core.ledger_helpers import record_visits
from tests.small_disk import fill, small_file_system


@pytest.fixture
def small_disk_server(tmp_path: Path) -> Iterator[CentralServer]:
    with small_file_system(tmp_path / "small", size_kib=8192) as mount_point:
        backend = Backend("sqlite", mount_point / "central", None)
        running = CentralServer(backend, tmp_path).start()
        try:
            yield running
        finally:
            running.stop()
            backend.close()


def _upload(server: CentralServer, ws: Workspace) -> requests.Response:
    """What the sync client sends: the unsent events, signed, with the device's token."""
    enrolment = SyncStore(ws.ledger).enrolment()
    assert enrolment is not None
    events = SyncStore(ws.ledger).unsent(0, 100)
    body: dict[str, Any] = {
        "device": ws.ledger.device_id, "nonce": secrets.token_urlsafe(18),
        "events": [{"event": e.raw.decode("utf-8"), "sig": keys.b64encode(e.sig)} for e in events]}
    return requests.post(f"{server.url}{API_PREFIX}/events", json=body, timeout=60,
                         headers={"Authorization": f"Bearer {enrolment.token}"})


def _held(server: CentralServer) -> int:
    with server.backend.database().transaction(write=False) as tx:
        row = tx.one("SELECT count(*) FROM events")
    assert row is not None
    return int(row[0])


def test_a_full_disk_answers_503_with_a_code_and_loses_nothing(
        small_disk_server: CentralServer, template_data_dir: Path, tmp_path: Path) -> None:
    server = small_disk_server
    ws = tablet(template_data_dir, tmp_path / "tablet", FakeClock(wall_ms=int(time.time() * 1000)))
    try:
        transport = enrolled(ws, server)
        assert isinstance(ws.clock, FakeClock)
        record_visits(ws, ws.clock, 3)
        held = _held(server)
        filler = fill(server.backend.data_dir.parent)

        answer = _upload(server, ws)
        assert answer.status_code == 503, answer.text
        error = answer.json()["error"]
        assert error["code"] == "server.disk_full"
        assert "disk is full" in error["message"]["en"] and "磁盘已满" in error["message"]["zh"]
        assert answer.headers["Retry-After"].isdigit()
        assert _held(server) == held  # nothing half-stored
        assert server.process is not None and server.process.poll() is None

        filler.unlink()
        report = run_sync(ws, transport)
        assert not report.errors, [e.text.render("en") for e in report.errors]
        assert not SyncStore(ws.ledger).unsent(0, 100)  # every event delivered after all
    finally:
        ws.close()
    log = (tmp_path / f"server-{server.port}.log").read_text(encoding="utf-8")
    assert "Traceback" not in log and "unexpected error" not in log
    assert "Free some space" in log  # the administrator is told what to do


def test_a_busy_database_answers_503_and_the_tablet_retries(
        sqlite_backend: Backend, template_data_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECTOR_CENTRAL_SQLITE_BUSY_TIMEOUT_MS", "200")
    server = CentralServer(sqlite_backend, tmp_path).start()
    ws = tablet(template_data_dir, tmp_path / "tablet", FakeClock(wall_ms=int(time.time() * 1000)))
    try:
        enrolled(ws, server)
        assert isinstance(ws.clock, FakeClock)
        record_visits(ws, ws.clock, 1)
        holder = sqlite3.connect(sqlite_backend.data_dir / SQLITE_FILE, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the database
        try:
            answer = _upload(server, ws)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"]["code"] == "server.database_busy"
        assert _upload(server, ws).status_code == 200  # the same request, once it is free
    finally:
        ws.close()
        server.stop()
    log = (tmp_path / f"server-{server.port}.log").read_text(encoding="utf-8")
    assert "Traceback" not in log
