"""The ledger store: append signed events, read them back, track delivery.

One :class:`Ledger` wraps one SQLite file.  Appending happens inside a single
``BEGIN IMMEDIATE`` transaction that reads the chain head, builds and signs the
next envelope and inserts it, so two processes can never give two events the
same sequence number, and an event the caller was told is saved is on disk.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector_app.ledger import key_wrapping, keystore
from inspector_app.ledger.db import connect, write_transaction
from inspector_app.ledger.lockout import PassphraseGuard
from inspector_app.ledger.quick_unlock import QuickUnlockStore
from inspector_app.ledger.schema import migrate
from inspector_app.platform.clock import Clock
from inspector_protocol import events as ev
from inspector_protocol import keys
from inspector_protocol.canonical import NotCanonical
from inspector_protocol.envelope import SignedEvent, build_envelope, signing_message
from inspector_protocol.errors import UserError
from inspector_protocol.events import TimeAnchor, TimeEvidence
from inspector_protocol.text import Text

_EVENT_COLUMNS = "raw, sig"
_OFFICER_COLUMNS = "credential, key_id, public_key, name, department"


@dataclass(frozen=True)
class OfficerKey:
    credential: str
    key_id: str
    public_key: bytes
    name: str
    department: str


@dataclass(frozen=True)
class PendingEvent:
    """An event to append: who signs it, its type and its body."""

    signer: keys.Signer
    type: str
    body: dict[str, Any]


class LedgerNotInitialised(UserError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            Text("数据文件夹尚未初始化：{path}。请先运行 inspector init。",
                 "The data folder is not initialised: {path}. Run 'inspector init' first.")
            .format(path=path.parent),
            code="ledger.not_initialised",
        )


class Ledger:
    def __init__(self, conn: sqlite3.Connection, clock: Clock, path: Path) -> None:
        self.conn = conn
        self.clock = clock
        self.path = path
        self.guard = PassphraseGuard(conn)
        self.quick = QuickUnlockStore(conn)

    # -- opening -----------------------------------------------------------

    @classmethod
    def open(cls, path: Path, clock: Clock) -> Ledger:
        if not path.exists():
            raise LedgerNotInitialised(path)
        conn = connect(path)
        migrate(conn)
        ledger = cls(conn, clock, path)
        if ledger.meta("device_id") is None:
            raise LedgerNotInitialised(path)
        return ledger

    @classmethod
    def create(cls, path: Path, clock: Clock, genesis_body: dict[str, Any]) -> Ledger:
        """Make a new ledger with a fresh device key and its first event."""
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(path)
        migrate(conn)
        ledger = cls(conn, clock, path)
        device_key = Ed25519PrivateKey.generate()
        public = keys.raw_public_key(device_key)
        device_id = str(uuid.uuid4())
        with write_transaction(conn):
            if conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]:
                raise UserError(Text("该数据文件夹已有记录。", "This data folder already has a ledger."),
                                code="ledger.exists")
            conn.execute("INSERT INTO meta VALUES ('device_id', ?)", (device_id,))
            # In the OS keystore where there is one; else in the ledger (0600, docs/trust-model.md).
            raw = keys.raw_private_key(device_key)
            reference = keystore.put_secret(f"device-key/{device_id}", keys.b64encode(raw))
            conn.execute(
                "INSERT INTO device_key VALUES (1, ?, ?, ?)",
                (keys.key_id(public), public, raw if reference is None else reference.encode()),
            )
            body = {**genesis_body, "device_public_key": keys.b64encode(public)}
            ledger._append_in_transaction(
                PendingEvent(ledger.device_signer(), ev.LEDGER_CREATED, body)
            )
        return ledger

    def close(self) -> None:
        self.conn.close()

    # -- metadata ----------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with write_transaction(self.conn):
            self.conn.execute(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    @property
    def device_id(self) -> str:
        value = self.meta("device_id")
        assert value is not None
        return value

    def device_public_key(self) -> bytes:
        return bytes(self.conn.execute("SELECT public_key FROM device_key").fetchone()[0])

    def device_signer(self) -> keys.Signer:
        key_id, private = self.conn.execute("SELECT key_id, private_key FROM device_key").fetchone()
        raw = bytes(private)
        if len(raw) != 32 and raw.startswith(keystore.REFERENCE.encode()):
            raw = keys.b64decode(keystore.resolve(raw.decode("ascii")))
        return keys.Signer(None, key_id, keys.load_private_key(raw))

    # -- time --------------------------------------------------------------

    def time_anchor(self) -> TimeAnchor | None:
        import json

        raw = self.meta("time_anchor")
        return None if raw is None else TimeAnchor.from_json(json.loads(raw))

    def set_time_anchor(self, server_ms: int) -> TimeAnchor:
        """Record the server's time as seen now (from a verified receipt)."""
        import json

        reading = self.clock.now()
        anchor = TimeAnchor(server_ms, reading.boot_ns, reading.boot_id)
        self.set_meta("time_anchor", json.dumps(anchor.to_json()))
        return anchor

    def time_evidence(self) -> TimeEvidence:
        return TimeEvidence.from_reading(self.clock.now(), self.time_anchor())

    # -- officers ----------------------------------------------------------

    def officer_key(self, credential: str) -> OfficerKey | None:
        row = self.conn.execute(
            f"SELECT {_OFFICER_COLUMNS} FROM officer_keys WHERE credential = ?", (credential,)
        ).fetchone()
        return None if row is None else OfficerKey(row[0], row[1], bytes(row[2]), row[3], row[4])

    def officer_keys(self) -> list[OfficerKey]:
        rows = self.conn.execute(
            f"SELECT {_OFFICER_COLUMNS} FROM officer_keys ORDER BY credential"
        ).fetchall()
        return [OfficerKey(r[0], r[1], bytes(r[2]), r[3], r[4]) for r in rows]

    def store_officer_key(
        self, credential: str, private_key: Ed25519PrivateKey, wrapped: str,
        enrolment: dict[str, Any],
    ) -> SignedEvent:
        """Save the wrapped key and append the self-signed enrolment event, atomically."""
        public = keys.raw_public_key(private_key)
        signer = keys.Signer(credential, keys.key_id(public), private_key)
        with write_transaction(self.conn):
            self.conn.execute(
                "INSERT INTO officer_keys VALUES (?, ?, ?, ?, ?, ?)",
                (credential, signer.key_id, public, wrapped, enrolment["name"],
                 enrolment["department"]),
            )
            return self._append_in_transaction(PendingEvent(signer, ev.OFFICER_ENROLLED, enrolment))

    def unlock(self, credential: str, passphrase: str) -> keys.Signer:
        """The officer's signer, if the passphrase is right and no lockout is running."""
        row = self.conn.execute(
            "SELECT key_id, public_key, wrapped FROM officer_keys WHERE credential = ?",
            (credential,),
        ).fetchone()
        if row is None:
            raise UserError(
                Text("执法人员 {c} 未在本设备登记。", "Officer {c} is not registered on this device.")
                .format(c=credential),
                code="officer.unknown",
            )
        key_id, public, wrapped = row[0], bytes(row[1]), row[2]
        withdrawn = self.conn.execute(
            "SELECT 1 FROM central_roster WHERE credential = ? AND state = 'withdrawn'",
            (credential,)).fetchone()
        if withdrawn is not None:
            raise UserError(
                Text("执法人员 {c} 的执法资格已被中心端撤销，不能登录。",
                     "Officer {c} has been withdrawn at the centre and cannot sign in.")
                .format(c=credential),
                code="officer.withdrawn",
            )
        self.guard.begin_attempt(credential, self.clock.now())
        try:
            private = key_wrapping.unwrap_private_key(wrapped, passphrase, credential, public)
        except key_wrapping.WrongPassphrase:
            raise self.guard.failed(credential) from None
        self.guard.succeeded(credential)
        return keys.Signer(credential, key_id, private)

    def unlock_with_pin(self, credential: str, pin: str) -> keys.Signer:
        """The officer's signer from the quick-unlock PIN (see :mod:`.quick_unlock`)."""
        found = self.officer_key(credential)
        withdrawn = self.conn.execute(
            "SELECT 1 FROM central_roster WHERE credential = ? AND state = 'withdrawn'",
            (credential,)).fetchone()
        if found is None or withdrawn is not None:
            self.quick.forget(credential)
            from inspector_app.ledger.quick_unlock import QuickUnlockUnavailable

            raise QuickUnlockUnavailable()
        return self.quick.unlock(credential, found.key_id, found.public_key, pin, self.clock.now())

    # -- appending ---------------------------------------------------------

    def append(self, signer: keys.Signer, event_type: str, body: dict[str, Any]) -> SignedEvent:
        return self.append_all([PendingEvent(signer, event_type, body)])[0]

    def append_all(self, pending: Sequence[PendingEvent]) -> list[SignedEvent]:
        """Append several events atomically (all are saved, or none)."""
        with write_transaction(self.conn):
            return [self._append_in_transaction(p) for p in pending]

    def _append_in_transaction(self, pending: PendingEvent) -> SignedEvent:
        head = self.conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (1, None) if head is None else (head[0] + 1, bytes(head[1]))
        try:
            raw = self._envelope(pending, seq, prev)
        except NotCanonical as exc:
            raise UserError(
                Text("该数值无法按签名格式记录（{err}）。", "This value cannot be recorded in signed "
                     "form ({err}).").format(err=exc),
                code="ledger.unrecordable_value",
            ) from None
        event = SignedEvent(raw, pending.signer.sign(signing_message(raw)))
        self.conn.execute(
            "INSERT INTO events (seq, id, type, officer, visit_id, enterprise, wall_ms, hash, raw,"
            " sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _row_values(event),
        )
        self._track_open_visits(event)
        return event

    def _envelope(self, pending: PendingEvent, seq: int, prev: bytes | None) -> bytes:
        return build_envelope(
            event_id=str(uuid.uuid4()),
            device=self.device_id,
            seq=seq,
            prev_hash=prev,
            event_type=pending.type,
            officer=pending.signer.officer,
            key_id=pending.signer.key_id,
            time=self.time_evidence(),
            body=pending.body,
        )

    def _track_open_visits(self, event: SignedEvent) -> None:
        if event.type == ev.CHECKED_IN:
            participants = [event.officer, *event.body.get("co_officers", ())]
            self.conn.executemany(
                "INSERT OR IGNORE INTO open_visits VALUES (?, ?)",
                [(event.visit_id, p) for p in participants if p],
            )
        elif event.type in (ev.CHECKED_OUT, ev.ABANDONED):
            self.conn.execute("DELETE FROM open_visits WHERE visit_id = ?", (event.visit_id,))

    # -- reading -----------------------------------------------------------

    def events(self, after_seq: int = 0, batch: int = 2000) -> Iterator[SignedEvent]:
        """All events in sequence order, streamed in batches (a ledger can be large)."""
        last = after_seq
        while True:
            rows = self.conn.execute(
                f"SELECT seq, {_EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                (last, batch),
            ).fetchall()
            for row in rows:
                yield SignedEvent(bytes(row[1]), bytes(row[2]))
            if len(rows) < batch:
                return
            last = rows[-1][0]

    def visit_events(self, visit_id: str) -> list[SignedEvent]:
        rows = self.conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE visit_id = ? ORDER BY seq", (visit_id,)
        ).fetchall()
        return [SignedEvent(bytes(r[0]), bytes(r[1])) for r in rows]

    def visit_ids(self, prefix: str = "") -> list[str]:
        """Ids of visits (by their check-in) starting with ``prefix``, in check-in order."""
        # A range on the visit index rather than LIKE, which could not use it; the unary
        # plus keeps the planner from preferring the (far less selective) type index.
        rows = self.conn.execute(
            "SELECT visit_id FROM events WHERE visit_id >= ? AND visit_id < ? AND +type = ? "
            "ORDER BY seq",
            (prefix, prefix + "\uffff", ev.CHECKED_IN),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def open_visit_ids(self, officer: str) -> list[str]:
        """Visits this officer is part of that are neither checked out nor abandoned."""
        rows = self.conn.execute(
            "SELECT visit_id FROM open_visits WHERE officer = ? ORDER BY visit_id", (officer,)
        ).fetchall()
        return [str(r[0]) for r in rows]

    def history_since(self, uscc: str, since_ms: int) -> list[tuple[Any, ...]]:
        """Cached central history rows for an enterprise (see the sync pull)."""
        return self.conn.execute(
            "SELECT visit_id, enterprise, department, kind, enforcement, checked_in_ms "
            "FROM visit_history WHERE enterprise = ? AND checked_in_ms >= ?",
            (uscc, since_ms),
        ).fetchall()

    def head(self) -> tuple[int, bytes | None]:
        row = self.conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return (0, None) if row is None else (int(row[0]), bytes(row[1]))

    def event_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def checkins_at(self, uscc: str, since_ms: int) -> list[SignedEvent]:
        rows = self.conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE type = ? AND enterprise = ? "
            "AND wall_ms >= ? ORDER BY seq",
            (ev.CHECKED_IN, uscc, since_ms),
        ).fetchall()
        return [SignedEvent(bytes(r[0]), bytes(r[1])) for r in rows]

    # -- delivery ------------------------------------------------------------

    def outbox(self, limit: int = 500) -> list[SignedEvent]:
        """Events without a verified receipt, oldest first (BRIEF §5: never pruned)."""
        rows = self.conn.execute(
            "SELECT e.raw, e.sig FROM events e LEFT JOIN receipts r ON r.event_id = e.id "
            "WHERE r.event_id IS NULL ORDER BY e.seq LIMIT ?",
            (limit,),
        ).fetchall()
        return [SignedEvent(bytes(r[0]), bytes(r[1])) for r in rows]

    def pending_count(self) -> int:
        return int(self.conn.execute(
            "SELECT COUNT(*) FROM events e LEFT JOIN receipts r ON r.event_id = e.id "
            "WHERE r.event_id IS NULL"
        ).fetchone()[0])

    def delivered_ids(self) -> set[str]:
        return {str(r[0]) for r in self.conn.execute("SELECT event_id FROM receipts")}

    def store_receipt(self, event_id: str, server_key_id: str, server_time_ms: int,
                      raw: bytes) -> None:
        """Record a receipt whose signature the caller has already verified."""
        with write_transaction(self.conn):
            self.conn.execute(
                "INSERT OR IGNORE INTO receipts VALUES (?, ?, ?, ?, ?)",
                (event_id, server_key_id, server_time_ms, raw, self.clock.now().wall_ms),
            )


def _row_values(event: SignedEvent) -> tuple[Any, ...]:
    body = event.body
    enterprise = body.get("enterprise")
    uscc = enterprise.get("uscc") if event.type == ev.CHECKED_IN and isinstance(enterprise, dict) \
        else None
    return (event.seq, event.id, event.type, event.officer, event.visit_id, uscc, event.wall_ms,
            event.hash, event.raw, event.sig)


def row_values(event: SignedEvent) -> tuple[Any, ...]:
    """The indexed columns of an event's row, as verification expects to find them."""
    return _row_values(event)
