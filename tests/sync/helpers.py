"""Helpers for sync tests: cheap events, and what server and device must agree on."""

from __future__ import annotations

import json

from inspector_app.ledger.store import PendingEvent
from inspector_app.services.workspace import Workspace
from inspector_app.sync.state import SyncStore
from inspector_central.storage import Database
from inspector_protocol import keys, tags


def add_device_events(ws: Workspace, count: int, tag: str = "x") -> None:
    """Events signed by the device key: as real as any, without a passphrase's scrypt."""
    signer = ws.ledger.device_signer()
    ws.ledger.append_all([_pending(signer, f"{tag}-{i}") for i in range(count)])


def _pending(signer: keys.Signer, text: str) -> PendingEvent:
    return PendingEvent(signer, "device.note", {"text": text})


def assert_exact_agreement(ws: Workspace, database: Database) -> None:
    """0 lost, 0 duplicates, every event holds a receipt that verifies and names it."""
    device = ws.ledger.device_id
    local = {e.id: e for e in ws.ledger.events()}
    with database.transaction(write=False) as tx:
        rows = tx.all("SELECT id, raw, seq FROM events WHERE device = ?", (device,))
    assert len(rows) == len({r[0] for r in rows}), "duplicates on the server"
    assert {r[0] for r in rows} == set(local), "server and device disagree on the events"
    for event_id, raw, _seq in rows:
        assert bytes(raw) == local[event_id].raw
    pinned = SyncStore(ws.ledger).pinned()
    assert pinned is not None
    server_key = keys.load_public_key(pinned.public_key)
    receipts = dict(ws.ledger.conn.execute("SELECT event_id, raw FROM receipts").fetchall())
    assert set(receipts) == set(local), "an event without a receipt"
    for event_id, stored in receipts.items():
        receipt = json.loads(stored)
        raw = receipt["raw"].encode()
        assert keys.verify_signature(server_key, bytes.fromhex(receipt["sig"]), tags.RECEIPT.value + raw)
        assert json.loads(raw)["hash"] == local[event_id].hash.hex()
