"""The device's checkpoints, kept in the ledger (append-only).

The format is :mod:`inspector_protocol.checkpoint`; kept locally too, so that a
ledger shorter than its own last checkpoint is caught by ``verify``.
"""

from __future__ import annotations

import sqlite3

from inspector_app.ledger.db import write_transaction
from inspector_app.ledger.store import Ledger
from inspector_protocol import tags
from inspector_protocol.checkpoint import Checkpoint, checkpoint_statement


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
        raw = checkpoint_statement(ledger.device_id, seq, head, ledger.clock.now().wall_ms)
        sig = ledger.device_signer().sign(tags.CHECKPOINT.value + raw)
        ledger.conn.execute("INSERT INTO checkpoints VALUES (?, ?, ?, ?)", (seq, head, raw, sig))
    return Checkpoint(raw, sig)


def stored_checkpoints(conn: sqlite3.Connection) -> list[Checkpoint]:
    rows = conn.execute("SELECT raw, sig FROM checkpoints ORDER BY seq").fetchall()
    return [Checkpoint(bytes(r[0]), bytes(r[1])) for r in rows]
