"""Ingest a batch of signed events from one device, in one database transaction.

For each event, in the order sent (oldest first): is it well formed; is its id
already known (identical → the stored receipt again; different bytes → 409 and a
``conflicting_resend`` alarm); does it name this device; is its chain position
free (else ``fork``, or ``rollback`` at or below the accepted checkpoint); does
its signature verify under a key this device enrolled (else it is quarantined
with a ``forged_signature`` alarm); does it link to the event before it (else it
is accepted, flagged, with a ``gap`` or ``chain_broken`` alarm).  Accepted events
get a receipt signed by the server, stored with them, so a resend gets the very
same bytes.

The device's row is locked for the whole transaction (see ``Tx.lock_device``):
two servers handed the same device's batches at once take turns, and the
primary key on the event id and the unique chain position make a duplicate
impossible even if that were bypassed.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from inspector_app.domain import events as ev
from inspector_app.i18n import Text
from inspector_app.ledger import keys
from inspector_app.ledger.envelope import GENESIS_PREV, SignedEvent, signing_message
from inspector_app.ledger.verify import attestation_message
from inspector_app.sync.wire import RECEIPT_DOMAIN, SignedStatement
from inspector_central.alarms import record_alarm
from inspector_central.envelopes import Malformed, parse_event
from inspector_central.errors import UNAUTHORISED
from inspector_central.signing import ServerKey, now_ms
from inspector_central.storage import Database, Tx, blob
from inspector_central.visits import VisitDeriver

_FORGED = ("invalid_signature", "unknown_key")


@dataclass(frozen=True)
class ItemResult:
    index: int
    event_id: str | None
    status: int
    outcome: str
    receipt: SignedStatement | None = None
    code: str | None = None
    text: Text | None = None


@dataclass
class _Position:
    event_id: str
    hash: str
    accepted: bool


@dataclass
class _Batch:
    tx: Tx
    device_id: str
    device_key: bytes
    checkpoint_seq: int
    server_key: ServerKey
    nonce: str
    now: int
    keys_by_id: dict[str, tuple[str | None, Ed25519PublicKey]] = field(default_factory=dict)
    by_id: dict[str, tuple[bytes, bytes, SignedStatement | None]] = field(default_factory=dict)
    positions: dict[int, _Position] = field(default_factory=dict)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    visits: VisitDeriver | None = None


def ingest_batch(database: Database, server_key: ServerKey, device_id: str, nonce: str,
                 items: list[tuple[bytes, bytes]]) -> list[ItemResult]:
    with database.transaction() as tx:
        device = tx.lock_device(device_id)
        if device is None:
            raise UNAUTHORISED
        batch = _Batch(tx, device_id, blob(device[2]), int(device[4]), server_key, nonce, now_ms())
        batch.visits = VisitDeriver(tx)
        parsed = [_parse(raw, sig) for raw, sig in items]  # once: parsing is a third of the cost
        _prefetch(batch, [p for p in parsed if isinstance(p, SignedEvent)])
        results = [_ingest_one(batch, index, raw, parsed[index])
                   for index, (raw, _sig) in enumerate(items)]
        tx.executemany(
            "INSERT INTO events (id, device, seq, hash, type, officer, visit_id, chain_ok, "
            "received_ms, raw, sig, receipt_raw, receipt_sig) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch.rows)
        batch.visits.flush()
    return results


def _parse(raw: bytes, sig: bytes) -> SignedEvent | Malformed:
    try:
        return parse_event(raw, sig)
    except Malformed as exc:
        return exc


def _prefetch(batch: _Batch, events: list[SignedEvent]) -> None:
    """Read what the batch needs in a few queries rather than a few per event."""
    tx = batch.tx
    for key_id, officer, public in tx.all(
            "SELECT key_id, officer, public_key FROM device_keys WHERE device = ?",
            (batch.device_id,)):
        batch.keys_by_id[str(key_id)] = (officer, keys.load_public_key(blob(public)))
    ids = {e.id for e in events}
    seqs = {e.seq for e in events} | {e.seq - 1 for e in events}
    for chunk in _chunks(sorted(ids)):
        marks = ",".join("?" * len(chunk))
        for event_id, raw, sig, receipt_raw, receipt_sig in tx.all(
                f"SELECT id, raw, sig, receipt_raw, receipt_sig FROM events WHERE id IN ({marks})",
                chunk):
            batch.by_id[str(event_id)] = (blob(raw), blob(sig),
                                          SignedStatement(blob(receipt_raw), blob(receipt_sig)))
    for chunk in _chunks(sorted(seqs)):
        marks = ",".join("?" * len(chunk))
        for seq, event_id, digest in tx.all(
                f"SELECT seq, id, hash FROM events WHERE device = ? AND seq IN ({marks})",
                (batch.device_id, *chunk)):
            batch.positions[int(seq)] = _Position(str(event_id), str(digest), True)
        for seq, event_id, digest in tx.all(
                f"SELECT seq, event_id, hash FROM quarantine WHERE device = ? AND seq IN ({marks})"
                " AND reason IN ('invalid_signature', 'unknown_key')",
                (batch.device_id, *chunk)):
            batch.positions.setdefault(int(seq), _Position(str(event_id), str(digest), False))


def _chunks(values: list[Any], size: int = 500) -> list[list[Any]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def _ingest_one(batch: _Batch, index: int, raw: bytes, event: SignedEvent | Malformed) -> ItemResult:
    if isinstance(event, Malformed):
        exc = event
        record_alarm(batch.tx, batch.device_id, "malformed", seq=None, event_id=None,
                     detected_ms=batch.now, evidence={"reason": str(exc), "raw": _b64(raw[:4096])})
        return _refused(index, None, 422, "malformed", "event.malformed", Text(
            "记录格式错误：{why}", "The event is malformed: {why}").format(why=str(exc)))
    known = batch.by_id.get(event.id)
    if known is not None:
        return _resend(batch, index, event, known)
    if event.device != batch.device_id:
        _alarm(batch, "foreign_device", event, {"claimed_device": event.device})
        return _refused(index, event.id, 403, "foreign_device", "event.foreign_device", Text(
            "记录属于其他设备。", "The event belongs to another device."))
    occupied = batch.positions.get(event.seq)
    if occupied is not None and occupied.accepted and occupied.event_id != event.id:
        return _position_taken(batch, index, event, occupied)
    problem = _signature_problem(batch, event)
    if problem is not None:
        return _quarantine(batch, index, event, problem)
    return _accept(batch, index, event)


def _resend(batch: _Batch, index: int, event: SignedEvent,
            known: tuple[bytes, bytes, SignedStatement | None]) -> ItemResult:
    raw, sig, receipt = known
    if raw == event.raw and sig == event.sig and receipt is not None:
        return ItemResult(index, event.id, 200, "duplicate", receipt)
    _alarm(batch, "conflicting_resend", event, {
        "accepted_hash": SignedEvent(raw, sig).hash.hex(), "accepted_sig": _b64(sig),
        "resent_hash": event.hash.hex(), "resent_raw": _b64(event.raw), "resent_sig": _b64(event.sig),
    })
    return _refused(index, event.id, 409, "conflict", "event.conflict", Text(
        "同一记录编号已以不同内容送达（记录被改动），已向监督部门告警。",
        "An event with this id was delivered with different content (it was altered); "
        "an alarm was raised."))


def _position_taken(batch: _Batch, index: int, event: SignedEvent,
                    occupied: _Position) -> ItemResult:
    kind = "rollback" if event.seq <= batch.checkpoint_seq else "fork"
    _alarm(batch, kind, event, {
        "accepted_event": occupied.event_id, "accepted_hash": occupied.hash,
        "new_hash": event.hash.hex(), "new_raw": _b64(event.raw), "new_sig": _b64(event.sig),
        "accepted_checkpoint_seq": batch.checkpoint_seq,
    })
    return _refused(index, event.id, 409, kind, f"event.{kind}", Text(
        "第 {seq} 条位置已有另一条记录（记录被回滚或分叉），已告警。",
        "Position {seq} already holds another event (the ledger was rolled back or forked); "
        "an alarm was raised.").format(seq=event.seq))


def _signature_problem(batch: _Batch, event: SignedEvent) -> str | None:
    known = batch.keys_by_id.get(event.key_id)
    if known is None:
        known = _enrol_key(batch, event)
    if known is None:
        return "unknown_key"
    owner, public = known
    if owner != event.officer:
        return "invalid_signature"
    if not keys.verify_signature(public, event.sig, signing_message(event.raw)):
        return "invalid_signature"
    return None


def _enrol_key(batch: _Batch, event: SignedEvent) -> tuple[str | None, Ed25519PublicKey] | None:
    """The device key at genesis, or an officer key through its attested enrolment."""
    if event.type == ev.LEDGER_CREATED and event.seq == 1:
        declared = event.body.get("device_public_key")
        if declared != keys.b64encode(batch.device_key) or event.key_id != keys.key_id(
                batch.device_key) or event.officer is not None:
            return None
        return _remember_key(batch, event.key_id, None, batch.device_key)
    if event.type != ev.OFFICER_ENROLLED or event.officer is None:
        return None
    body = event.body
    try:
        public = keys.b64decode(str(body["public_key"]))
        attestation = keys.b64decode(str(body["device_attestation"]))
    except (KeyError, ValueError):
        return None
    if len(public) != 32 or keys.key_id(public) != event.key_id or body.get(
            "credential") != event.officer:
        return None
    device = keys.load_public_key(batch.device_key)
    if not keys.verify_signature(device, attestation, attestation_message(event.officer, public)):
        return None
    # Stored before the signature check: an event that fails it is refused and
    # the transaction still commits, so the key must be one the device attested.
    return _remember_key(batch, event.key_id, event.officer, public)


def _remember_key(batch: _Batch, key_id: str, officer: str | None,
                  public: bytes) -> tuple[str | None, Ed25519PublicKey]:
    batch.tx.execute("INSERT INTO device_keys VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                     (batch.device_id, key_id, officer, public))
    entry = (officer, keys.load_public_key(public))
    batch.keys_by_id[key_id] = entry
    return entry


def _quarantine(batch: _Batch, index: int, event: SignedEvent, reason: str) -> ItemResult:
    batch.tx.execute(
        "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (event.hash.hex(), event.id, batch.device_id, event.seq, reason, batch.now, event.raw,
         event.sig))
    batch.positions.setdefault(event.seq, _Position(event.id, event.hash.hex(), False))
    _alarm(batch, "forged_signature", event, {"reason": reason, "key": event.key_id,
                                              "raw": _b64(event.raw), "sig": _b64(event.sig)})
    return _refused(index, event.id, 422, reason, f"event.{reason}", Text(
        "第 {seq} 条记录的签名无法验证（内容被改动或密钥未登记），已告警。",
        "The signature of event {seq} does not verify (altered content or a key never enrolled); "
        "an alarm was raised.").format(seq=event.seq))


def _accept(batch: _Batch, index: int, event: SignedEvent) -> ItemResult:
    chain_ok = _check_link(batch, event)
    receipt = batch.server_key.sign(RECEIPT_DOMAIN, {
        "v": 1, "event": event.id, "device": batch.device_id, "seq": event.seq,
        "hash": event.hash.hex(), "server_time_ms": batch.now, "nonce": batch.nonce,
    })
    batch.rows.append((event.id, batch.device_id, event.seq, event.hash.hex(), event.type,
                       event.officer, event.visit_id, int(chain_ok), batch.now, event.raw,
                       event.sig, receipt.raw, receipt.sig))
    batch.by_id[event.id] = (event.raw, event.sig, receipt)
    batch.positions[event.seq] = _Position(event.id, event.hash.hex(), True)
    assert batch.visits is not None
    batch.visits.apply(batch.device_id, event)
    return ItemResult(index, event.id, 200, "accepted", receipt)


def _check_link(batch: _Batch, event: SignedEvent) -> bool:
    if event.seq == 1:
        if event.prev == GENESIS_PREV:
            return True
        _alarm(batch, "chain_broken", event, {"expected_prev": GENESIS_PREV, "prev": event.prev})
        return False
    before = batch.positions.get(event.seq - 1)
    if before is None:
        _alarm(batch, "gap", event, {"missing_seq": event.seq - 1})
        return False
    if before.hash != event.prev:
        _alarm(batch, "chain_broken", event, {"expected_prev": before.hash, "prev": event.prev})
        return False
    return True


def _alarm(batch: _Batch, kind: str, event: SignedEvent, evidence: dict[str, Any]) -> None:
    record_alarm(batch.tx, batch.device_id, kind, seq=event.seq, event_id=event.id,
                 detected_ms=batch.now, evidence={"event": event.id, "seq": event.seq, **evidence})


def _refused(index: int, event_id: str | None, status: int, outcome: str, code: str,
             text: Text) -> ItemResult:
    return ItemResult(index, event_id, status, outcome, None, code, text)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
