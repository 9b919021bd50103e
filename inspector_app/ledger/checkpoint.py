"""Checkpoints: the device's signed statement "my chain reached sequence N with head H".

A checkpoint is sent with every upload; the central endpoint accepts one only
if it extends the last one it accepted, which is how deleting or rolling back
events on a tablet is caught at the next sync.  Kept locally too (append-only),
so that a ledger shorter than its own last checkpoint is caught by ``verify``.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from inspector_app.ledger import keys
from inspector_app.ledger.canonical import canonical_bytes
from inspector_app.ledger.db import write_transaction
from inspector_app.ledger.store import Ledger

CHECKPOINT_DOMAIN = b"inspector/checkpoint/v1\x00"


@dataclass(frozen=True)
class Checkpoint:
    raw: bytes
    sig: bytes

    @property
    def statement(self) -> dict[str, Any]:
        value = json.loads(self.raw)
        assert isinstance(value, dict)
        return value

    @property
    def seq(self) -> int:
        return int(self.statement["seq"])

    @property
    def head(self) -> str:
        return str(self.statement["head"])

    def verifies_with(self, device_public_key: bytes) -> bool:
        return keys.verify_signature(keys.load_public_key(device_public_key), self.sig,
                                     CHECKPOINT_DOMAIN + self.raw)


def make_checkpoint(ledger: Ledger) -> Checkpoint | None:
    """Sign the current head (or return the existing checkpoint for it); None when empty."""
    with write_transaction(ledger.conn):
        seq, head = ledger.head()
        if head is None:
            return None
        existing = ledger.conn.execute(
            "SELECT raw, sig FROM checkpoints WHERE seq = ?", (seq,)).fetchone()
        if existing is not None:
            return Checkpoint(bytes(existing[0]), bytes(existing[1]))
        raw = canonical_bytes({"device": ledger.device_id, "seq": seq, "head": head.hex(),
                               "wall_ms": ledger.clock.now().wall_ms})
        sig = ledger.device_signer().sign(CHECKPOINT_DOMAIN + raw)
        ledger.conn.execute("INSERT INTO checkpoints VALUES (?, ?, ?, ?)", (seq, head, raw, sig))
    return Checkpoint(raw, sig)


def stored_checkpoints(conn: sqlite3.Connection) -> list[Checkpoint]:
    rows = conn.execute("SELECT raw, sig FROM checkpoints ORDER BY seq").fetchall()
    return [Checkpoint(bytes(r[0]), bytes(r[1])) for r in rows]
