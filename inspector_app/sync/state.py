"""What sync keeps in the ledger database: enrolment, state, refusals, feed cursors, caches.

All writes are ``BEGIN IMMEDIATE`` transactions on the ledger's own
connection.  Receipts of a batch, the refusals and the time anchor are stored
together, so a sync killed at any moment leaves either all of a batch's
outcome on disk or none of it (and the events are simply sent again).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from inspector_app.ledger import keystore
from inspector_app.ledger.db import write_transaction
from inspector_app.ledger.store import Ledger
from inspector_app.sync.responses import DeliveryReceipt, Pinned, Refusal
from inspector_protocol.envelope import SignedEvent
from inspector_protocol.events import TimeAnchor
from inspector_protocol.text import Text


@dataclass(frozen=True)
class Enrolment:
    endpoint: str
    device_name: str
    server_key_id: str
    server_public_key: bytes
    token: str
    enrolled_ms: int


@dataclass(frozen=True)
class SyncStatus:
    """For the status line: how much waits, and how the last sync went, in plain words."""

    pending: int
    rejected: int
    last_attempt_ms: int | None
    last_success_ms: int | None
    last_error: Text | None
    enrolled: bool

    def to_json(self, lang: str) -> dict[str, Any]:
        return {"pending": self.pending, "rejected": self.rejected,
                "last_attempt_ms": self.last_attempt_ms, "last_success_ms": self.last_success_ms,
                "last_error": None if self.last_error is None else self.last_error.render(
                    "en" if lang == "en" else "zh"),
                "enrolled": self.enrolled}


class SyncStore:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.conn = ledger.conn

    # -- enrolment -------------------------------------------------------------

    def enrolment(self) -> Enrolment | None:
        row = self.conn.execute(
            "SELECT endpoint, device_name, server_key_id, server_public_key, token, enrolled_ms "
            "FROM sync_enrolment").fetchone()
        # The token may sit in the OS keystore, the ledger holding only a reference to it.
        return None if row is None else Enrolment(row[0], row[1], row[2], bytes(row[3]),
                                                  keystore.resolve(row[4]), int(row[5]))

    def pinned(self) -> Pinned | None:
        enrolment = self.enrolment()
        return None if enrolment is None else Pinned(
            enrolment.server_key_id, enrolment.server_public_key, self.ledger.device_id)

    def save_enrolment(self, enrolment: Enrolment, raw: bytes, sig: bytes) -> None:
        token = keystore.put_secret(f"token/{self.ledger.device_id}", enrolment.token) \
            or enrolment.token
        enrolment = Enrolment(enrolment.endpoint, enrolment.device_name, enrolment.server_key_id,
                              enrolment.server_public_key, token, enrolment.enrolled_ms)
        with write_transaction(self.conn):
            self.conn.execute("DELETE FROM sync_enrolment")
            self.conn.execute(
                "INSERT INTO sync_enrolment VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                (enrolment.endpoint, enrolment.device_name, enrolment.server_key_id,
                 enrolment.server_public_key, enrolment.token, enrolment.enrolled_ms, raw, sig))

    # -- the queue -------------------------------------------------------------

    def unsent(self, after_seq: int, limit: int) -> list[SignedEvent]:
        """Events with neither a receipt nor a refusal, oldest first, after ``after_seq``."""
        rows = self.conn.execute(
            "SELECT e.raw, e.sig FROM events e "
            "LEFT JOIN receipts r ON r.event_id = e.id "
            "LEFT JOIN sync_rejections x ON x.event_id = e.id "
            "WHERE r.event_id IS NULL AND x.event_id IS NULL AND e.seq > ? "
            "ORDER BY e.seq LIMIT ?", (after_seq, limit)).fetchall()
        return [SignedEvent(bytes(r[0]), bytes(r[1])) for r in rows]

    def record_answer(self, receipts: list[DeliveryReceipt], refusals: list[Refusal],
                      server_time_ms: int | None) -> None:
        now = self.ledger.clock.now()
        with write_transaction(self.conn):
            self.conn.executemany(
                "INSERT OR IGNORE INTO receipts VALUES (?, ?, ?, ?, ?)",
                [(r.event.id, _key_of(r), r.server_time_ms, _receipt_blob(r), now.wall_ms)
                 for r in receipts])
            self.conn.executemany(
                "INSERT OR REPLACE INTO sync_rejections VALUES (?, ?, ?, ?, ?, ?)",
                [(f.event.id, f.status, f.code, f.text.render("zh"), f.text.render("en"),
                  now.wall_ms) for f in refusals])
            if server_time_ms is not None:
                anchor = TimeAnchor(server_time_ms, now.boot_ns, now.boot_id)
                self.conn.execute(
                    "INSERT INTO meta VALUES ('time_anchor', ?) ON CONFLICT(key) DO UPDATE "
                    "SET value = excluded.value", (json.dumps(anchor.to_json()),))

    def rejections(self) -> list[tuple[str, int, str, Text]]:
        rows = self.conn.execute(
            "SELECT x.event_id, e.seq, x.code, x.message_zh, x.message_en FROM sync_rejections x "
            "JOIN events e ON e.id = x.event_id ORDER BY e.seq").fetchall()
        return [(r[0], int(r[1]), r[2], Text(r[3].replace("{", "{{").replace("}", "}}"),
                                             r[4].replace("{", "{{").replace("}", "}}")))
                for r in rows]

    def forget_rejections(self) -> int:
        with write_transaction(self.conn):
            return self.conn.execute("DELETE FROM sync_rejections").rowcount

    # -- state -----------------------------------------------------------------

    def record_attempt(self, error: Text | None, error_code: str | None) -> None:
        now = self.ledger.clock.now().wall_ms
        with write_transaction(self.conn):
            self.conn.execute("INSERT OR IGNORE INTO sync_state (id) VALUES (1)")
            if error is None:
                self.conn.execute(
                    "UPDATE sync_state SET last_attempt_ms = ?, last_success_ms = ?, "
                    "last_error_code = NULL, last_error_zh = NULL, last_error_en = NULL", (now, now))
            else:
                self.conn.execute(
                    "UPDATE sync_state SET last_attempt_ms = ?, last_error_code = ?, "
                    "last_error_zh = ?, last_error_en = ?",
                    (now, error_code, error.render("zh"), error.render("en")))

    def status(self) -> SyncStatus:
        row = self.conn.execute(
            "SELECT last_attempt_ms, last_success_ms, last_error_zh, last_error_en "
            "FROM sync_state").fetchone()
        rejected = int(self.conn.execute("SELECT COUNT(*) FROM sync_rejections").fetchone()[0])
        error = None
        if row is not None and row[2] is not None:
            error = Text(row[2].replace("{", "{{").replace("}", "}}"),
                         row[3].replace("{", "{{").replace("}", "}}"))
        return SyncStatus(self.ledger.pending_count() - rejected, rejected,
                          None if row is None else row[0], None if row is None else row[1], error,
                          self.enrolment() is not None)

    # -- feeds -----------------------------------------------------------------

    def feed_position(self, feed: str) -> tuple[str | None, str | None]:
        row = self.conn.execute("SELECT cursor, etag FROM sync_feeds WHERE feed = ?",
                                (feed,)).fetchone()
        return (None, None) if row is None else (row[0], row[1])


def _key_of(receipt: DeliveryReceipt) -> str:
    return str(receipt.statement.statement()["server_key"])


def _receipt_blob(receipt: DeliveryReceipt) -> bytes:
    """The receipt as stored: its statement and signature, verifiable again later."""
    # "seq" at the top is what ``verify`` reports when a delivered event goes missing.
    return json.dumps({"seq": receipt.event.seq, "raw": receipt.statement.raw.decode("utf-8"),
                       "sig": receipt.statement.sig.hex()}, separators=(",", ":")).encode()
