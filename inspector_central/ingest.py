"""Ingest a batch of signed events from one device, in one database transaction.

For each event, in the order sent (oldest first): is it well formed; does it
name this device (else ``foreign_device``, and a ``replayed_event`` alarm when it
is another device's event the server holds); is its id already known (identical
→ the stored receipt again; different bytes → 409 and a ``conflicting_resend``
alarm); is its chain position free (else ``fork``, or ``rollback`` at or below
the accepted checkpoint); does its signature verify under a key this device
enrolled (else it is quarantined with a ``forged_signature`` alarm); was it made
after its device or officer was revoked (refused, quarantined, alarmed); is it
about a visit another device checked in (``foreign_visit``: refused, quarantined,
alarmed); does it link to the event before it (else it is accepted, flagged,
with a ``gap`` or ``chain_broken`` alarm); when it fills a gap, does the event
held after it link to it (else ``chain_broken``).  Accepted events get a receipt
signed by the server, stored with them, so a resend gets the very same bytes,
and their time placed on the server's clock (:mod:`inspector_central.timing`).

A batch costs a fixed handful of statements whatever its size (round trips on
PostgreSQL): the device lock, three reads, a stream of the accepted rows, then
the rare writes (alarms, keys, quarantine) and the visits.

The device's row is locked for the whole transaction (see ``Tx.lock_device``):
two servers handed the same device's batches at once take turns, and the
primary key on the event id and the unique chain position make a duplicate
impossible even if that were bypassed.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from inspector_central import settings
from inspector_central.alarms import NewAlarm, record_alarms
from inspector_central.console.facts import record_ingested
from inspector_central.envelopes import Malformed, parse_event
from inspector_central.error_replies import UNAUTHORISED
from inspector_central.photos import record_announcement
from inspector_central.receipts import ReceiptMaker
from inspector_central.roster import activate_officer_key
from inspector_central.signing import ServerKey, now_ms
from inspector_central.storage import Database, Tx, blob
from inspector_central.timing import PlacedTime, place
from inspector_central.visits import VisitDeriver
from inspector_protocol import events as ev
from inspector_protocol import keys
from inspector_protocol.attestation import attestation_message
from inspector_protocol.envelope import GENESIS_PREV, SignedEvent, signing_message
from inspector_protocol.text import Text
from inspector_protocol.wire import SignedStatement

_FORGED = ("invalid_signature", "unknown_key")
#: Quarantined events whose position still counts for the next event's chain link.
_HELD_REASONS = (*_FORGED, "revoked_officer", "revoked_device", "foreign_visit")
#: The events table's columns as the rows are made, with their PostgreSQL types (binary COPY).
_EVENT_COLUMNS = (("id", "text"), ("device", "text"), ("seq", "int8"), ("hash", "text"),
                  ("type", "text"), ("officer", "text"), ("visit_id", "text"),
                  ("chain_ok", "int4"), ("received_ms", "int8"), ("raw", "bytea"),
                  ("sig", "bytea"), ("receipt_raw", "bytea"), ("receipt_sig", "bytea"),
                  ("server_ms", "int8"), ("time_flag", "text"))


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
    """Who holds a chain position, and (for accepted events) how it links back."""

    event_id: str
    hash: str
    accepted: bool
    raw: bytes | None = None
    chain_ok: bool = True

    def prev(self) -> str | None:
        if self.raw is None:
            return None
        value = json.loads(self.raw).get("prev")
        return value if isinstance(value, str) else None


@dataclass
class _Batch:
    tx: Tx
    device_id: str
    device_key: bytes
    checkpoint_seq: int
    server_key: ServerKey
    nonce: str
    now: int
    receipts: ReceiptMaker
    revoked_ms: int | None = None
    tolerance_ms: int = 300_000
    keys_by_id: dict[str, tuple[str | None, Ed25519PublicKey]] = field(default_factory=dict)
    #: Held events by id: (device, raw, sig, receipt).
    by_id: dict[str, tuple[str, bytes, bytes, SignedStatement | None]] = field(default_factory=dict)
    positions: dict[int, _Position] = field(default_factory=dict)
    #: Officers withdrawn, with the server time it took effect.
    officer_revoked: dict[str, int] = field(default_factory=dict)
    #: The device that checked each visit in, for the batch's visits.
    owners: dict[str, str] = field(default_factory=dict)
    #: Devices that sent events about each of the batch's visits.
    speakers: dict[str, set[str]] = field(default_factory=dict)
    visits: VisitDeriver | None = None
    #: Inserts an accepted event's row (streamed; see ``Tx.row_sink``).
    insert: Callable[[Sequence[Any]], None] = lambda row: None
    #: Other writes, run once the event rows are in: no statement may interrupt the stream.
    deferred: list[Callable[[], object]] = field(default_factory=list)
    #: Alarms, written together after the other writes (a few statements for any number).
    alarms: list[NewAlarm] = field(default_factory=list)

    def alarm(self, kind: str, *, seq: int | None, event_id: str | None,
              evidence: dict[str, Any], same_as: str | None = None,
              device: str | None = None) -> None:
        self.alarms.append(NewAlarm(device or self.device_id, kind, seq, event_id, evidence,
                                    same_as))

    def later(self, write: Callable[[], object]) -> None:
        self.deferred.append(write)

    def execute_later(self, sql: str, params: tuple[Any, ...]) -> None:
        self.later(partial(self.tx.execute, sql, params))


def ingest_batch(database: Database, server_key: ServerKey, device_id: str, nonce: str,
                 items: list[tuple[bytes, bytes]]) -> list[ItemResult]:
    # Parsed once, before the transaction: a third of the cost, and no reason to hold the
    # database (SQLite's single writer) while doing it.
    parsed = [_parse(raw, sig) for raw, sig in items]
    with database.transaction() as tx:
        device = tx.lock_device(device_id)
        if device is None:
            raise UNAUTHORISED
        now = now_ms()
        batch = _Batch(tx, device_id, blob(device[2]), int(device[4]), server_key, nonce, now,
                       ReceiptMaker(server_key, device_id, nonce, now),
                       revoked_ms=None if device[8] is None else int(device[8]),
                       tolerance_ms=settings.in_force().clock_tolerance_s * 1000)
        batch.visits = VisitDeriver(tx)
        _prefetch(batch, [p for p in parsed if isinstance(p, SignedEvent)])
        with tx.row_sink("events", _EVENT_COLUMNS) as insert:
            batch.insert = insert
            results = [_ingest_one(batch, index, raw, parsed[index])
                       for index, (raw, _sig) in enumerate(items)]
        for write in batch.deferred:
            write()
        record_alarms(tx, batch.alarms, now)
        batch.visits.flush()
        record_ingested(tx, device_id, [e for e, r in zip(parsed, results, strict=True)
                                        if r.outcome == "accepted" and isinstance(e, SignedEvent)],
                        now)
    return results


def _parse(raw: bytes, sig: bytes) -> SignedEvent | Malformed:
    try:
        return parse_event(raw, sig)
    except Malformed as exc:
        return exc


def _prefetch(batch: _Batch, events: list[SignedEvent]) -> None:
    """Read what the batch needs in three queries, whatever its size: on PostgreSQL
    every statement is a network round trip, and per-event queries cost more than
    the signatures."""
    tx = batch.tx
    for key_id, officer, public in tx.all(
            "SELECT key_id, officer, public_key FROM device_keys WHERE device = ?",
            (batch.device_id,)):
        batch.keys_by_id[str(key_id)] = (officer, keys.load_public_key(blob(public)))
    if not events:
        return
    # Each event's own position, the one it links to, and the one after it (whose
    # link it may complete when it fills a gap).
    seqs = sorted({s for e in events for s in (e.seq - 1, e.seq, e.seq + 1)})
    by_id, by_id_params = tx.any_of("id", sorted({e.id for e in events}))
    at_seq, at_seq_params = _seq_condition(tx, seqs)
    wanted = set(seqs)
    for event_id, device, seq, digest, chain_ok, raw, sig, receipt_raw, receipt_sig in tx.all(
            "SELECT id, device, seq, hash, chain_ok, raw, sig, receipt_raw, receipt_sig "
            f"FROM events WHERE {by_id} OR (device = ? AND {at_seq})",
            (*by_id_params, batch.device_id, *at_seq_params)):
        batch.by_id[str(event_id)] = (str(device), blob(raw), blob(sig),
                                      SignedStatement(blob(receipt_raw), blob(receipt_sig)))
        if device == batch.device_id and int(seq) in wanted:
            batch.positions[int(seq)] = _Position(str(event_id), str(digest), True, blob(raw),
                                                  bool(chain_ok))
    for seq, event_id, digest in tx.all(
            f"SELECT seq, event_id, hash FROM quarantine WHERE device = ? AND {at_seq}"
            f" AND reason IN ({', '.join(repr(r) for r in _HELD_REASONS)})",
            (batch.device_id, *at_seq_params)):
        batch.positions.setdefault(int(seq), _Position(str(event_id), str(digest), False))
    _prefetch_standing(batch, events)


def _prefetch_standing(batch: _Batch, events: list[SignedEvent]) -> None:
    """Who owns the batch's visits, and which of its officers were withdrawn: two reads."""
    tx = batch.tx
    visits = sorted({e.visit_id for e in events if e.visit_id is not None})
    if visits:
        condition, params = tx.any_of("visit_id", visits)
        for visit, device, checked_in in tx.all(
                "SELECT visit_id, device, MAX(CASE WHEN type = ? THEN 1 ELSE 0 END) FROM events "
                f"WHERE {condition} GROUP BY visit_id, device", (ev.CHECKED_IN, *params)):
            batch.speakers.setdefault(str(visit), set()).add(str(device))
            if int(checked_in):
                batch.owners.setdefault(str(visit), str(device))
    officers = sorted({e.officer for e in events if e.officer is not None})
    if officers:
        condition, params = tx.any_of("credential", officers)
        for credential, revoked in tx.all(
                f"SELECT credential, revoked_ms FROM officer_revocations WHERE {condition}", params):
            batch.officer_revoked[str(credential)] = int(revoked)


def _seq_condition(tx: Tx, seqs: list[int]) -> tuple[str, list[Any]]:
    """A batch is usually one run of positions: a range is one index scan, a list one per value."""
    if seqs[-1] - seqs[0] < 2 * len(seqs):
        return "seq BETWEEN ? AND ?", [seqs[0], seqs[-1]]
    return tx.any_of("seq", seqs)


def _ingest_one(batch: _Batch, index: int, raw: bytes, event: SignedEvent | Malformed) -> ItemResult:
    if isinstance(event, Malformed):
        exc = event
        batch.alarm("malformed", seq=None, event_id=None,
                    evidence={"reason": str(exc), "raw": _b64(raw[:4096])})
        return _refused(index, None, 422, "malformed", "event.malformed", Text(
            "记录格式错误：{why}", "The event is malformed: {why}").format(why=str(exc)))
    known = batch.by_id.get(event.id)
    if event.device != batch.device_id:
        return _foreign_device(batch, index, event, known)
    if known is not None:
        return _resend(batch, index, event, known)
    occupied = batch.positions.get(event.seq)
    if occupied is not None and occupied.accepted and occupied.event_id != event.id:
        return _position_taken(batch, index, event, occupied)
    problem = _signature_problem(batch, event)
    if problem is not None:
        return _quarantine(batch, index, event, problem)
    placed = place(event.envelope["time"], batch.tolerance_ms)
    refusal = _standing_problem(batch, index, event, placed)
    if refusal is not None:
        return refusal
    return _accept(batch, index, event, placed)


def _foreign_device(batch: _Batch, index: int, event: SignedEvent,
                    known: tuple[str, bytes, bytes, SignedStatement | None] | None) -> ItemResult:
    """An event naming another device.  If the server holds it from that device, someone
    replays another tablet's events with this device's token: never answered with the
    other device's receipts, and an alarm."""
    # Not attributed to the event itself (event_id None): the other device's visit must
    # not look tampered with because someone else replayed it.
    if known is not None and known[0] == event.device:
        batch.alarm("replayed_event", seq=None, event_id=None, evidence={
            "event": event.id, "seq": event.seq, "owner_device": event.device,
            "hash": event.hash.hex(), "raw": _b64(event.raw), "sig": _b64(event.sig)})
        return _refused(index, event.id, 403, "foreign_device", "event.replayed", Text(
            "该记录属于另一台设备，已由其送达；用本设备的凭据重放它已被拒绝并告警。",
            "This event belongs to another device, which delivered it already; replaying it "
            "with this device's token was refused and an alarm was raised."))
    batch.alarm("foreign_device", seq=None, event_id=None, evidence={
        "event": event.id, "seq": event.seq, "claimed_device": event.device})
    return _refused(index, event.id, 403, "foreign_device", "event.foreign_device", Text(
        "记录属于其他设备。", "The event belongs to another device."))


def _standing_problem(batch: _Batch, index: int, event: SignedEvent,
                      placed: PlacedTime) -> ItemResult | None:
    """A verified event its device may not make any more, or about a visit not its own."""
    if batch.revoked_ms is not None and placed.after(batch.revoked_ms):
        return _hold(batch, index, event, "revoked_device", placed, Text(
            "该设备已被中心端撤销，撤销后产生的记录不予接收，已告警。",
            "This device was revoked at the centre; events made after the revocation are "
            "refused; an alarm was raised."), revoked_ms=batch.revoked_ms)
    revoked = None if event.officer is None else batch.officer_revoked.get(event.officer)
    if revoked is not None and placed.after(revoked):
        return _hold(batch, index, event, "revoked_officer", placed, Text(
            "执法人员 {c} 的执法资格已被撤销，撤销后以其名义产生的记录不予接收，已告警。",
            "Officer {c} was withdrawn; events made in their name after the withdrawal are "
            "refused; an alarm was raised.").format(c=event.officer), revoked_ms=revoked)
    visit = event.visit_id
    owner = None if visit is None else batch.owners.get(visit)
    if visit is not None and owner is not None and owner != batch.device_id:
        return _hold(batch, index, event, "foreign_visit", placed, Text(
            "该检查由另一台设备签到，本设备不能为其添加记录，已告警。",
            "This visit was checked in on another device; this device cannot add to it; an "
            "alarm was raised."), visit=visit, owner_device=owner, type=event.type)
    return None


def _hold(batch: _Batch, index: int, event: SignedEvent, reason: str, placed: PlacedTime,
          text: Text, **evidence: Any) -> ItemResult:
    """Refuse a verified event, keep it as evidence (its position still links the chain)."""
    batch.execute_later(
        "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (event.hash.hex(), event.id, batch.device_id, event.seq, reason, batch.now, event.raw,
         event.sig))
    batch.positions.setdefault(event.seq, _Position(event.id, event.hash.hex(), False))
    _alarm(batch, reason, event, {
        **evidence, "officer": event.officer, "wall_ms": placed.wall_ms,
        "server_derived_ms": placed.server_ms, "time": placed.flag, "hash": event.hash.hex(),
        "raw": _b64(event.raw), "sig": _b64(event.sig)})
    return _refused(index, event.id, 403, reason, f"event.{reason}", text)


def _resend(batch: _Batch, index: int, event: SignedEvent,
            known: tuple[str, bytes, bytes, SignedStatement | None]) -> ItemResult:
    _device, raw, sig, receipt = known
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
    batch.execute_later("INSERT INTO device_keys (device, key_id, officer, public_key) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        (batch.device_id, key_id, officer, public))
    entry = (officer, keys.load_public_key(public))
    batch.keys_by_id[key_id] = entry
    return entry


def _remember_officer(batch: _Batch, event: SignedEvent) -> None:
    """Name and department as enrolled, for the verification page; only from an accepted
    (signature-verified) enrolment, since the device attests the key, not the name."""
    name, department = event.body.get("name"), event.body.get("department")
    batch.execute_later(
        "UPDATE device_keys SET name = ?, department = ? WHERE device = ? AND key_id = ?",
        (name if isinstance(name, str) else None,
         department if isinstance(department, str) else None, batch.device_id, event.key_id))


def _quarantine(batch: _Batch, index: int, event: SignedEvent, reason: str) -> ItemResult:
    batch.execute_later(
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


def _accept(batch: _Batch, index: int, event: SignedEvent, placed: PlacedTime) -> ItemResult:
    chain_ok = _check_link(batch, event)
    event_id, seq, digest = event.id, event.seq, event.hash.hex()
    receipt = batch.receipts.make(event_id, seq, digest)
    batch.insert((event_id, batch.device_id, seq, digest, event.type, event.officer,
                  event.visit_id, int(chain_ok), batch.now, event.raw, event.sig, receipt.raw,
                  receipt.sig, placed.server_ms, placed.flag))
    batch.by_id[event_id] = (batch.device_id, event.raw, event.sig, receipt)
    batch.positions[seq] = _Position(event_id, digest, True, event.raw, chain_ok)
    _check_next_link(batch, event)
    if placed.flag == "clock_discrepancy":
        _clock_alarm(batch, event, placed)
    if event.visit_id is not None:
        _claim_visit(batch, event)
    if event.type == ev.OFFICER_ENROLLED:
        _remember_officer(batch, event)
        batch.later(partial(activate_officer_key, batch.tx, batch.device_id, event, batch.now))
    if event.type == ev.PHOTO:  # the device may now upload the photo's bytes
        batch.later(partial(record_announcement, batch.tx, batch.device_id, event))
    assert batch.visits is not None
    batch.visits.apply(batch.device_id, event)
    return ItemResult(index, event_id, 200, "accepted", receipt)


def _clock_alarm(batch: _Batch, event: SignedEvent, placed: PlacedTime) -> None:
    """One alarm per boot and anchor (a clock set wrong shows on every event after it),
    counted, with the first event's readings."""
    assert placed.server_ms is not None
    _alarm(batch, "clock_discrepancy", event, {
        "wall_ms": placed.wall_ms, "server_derived_ms": placed.server_ms,
        "difference_ms": placed.wall_ms - placed.server_ms, "boot_id": placed.boot_id,
        "anchor_server_ms": placed.anchor_server_ms, "tolerance_ms": batch.tolerance_ms},
        same_as=f"{placed.boot_id}\x00{placed.anchor_server_ms}")


def _claim_visit(batch: _Batch, event: SignedEvent) -> None:
    """A check-in makes the visit this device's.  Events about it that other devices sent
    before the check-in arrived (its id was on a receipt, say) are named in an alarm."""
    visit = event.visit_id
    assert visit is not None
    speakers = batch.speakers.setdefault(visit, set())
    speakers.add(batch.device_id)
    if event.type != ev.CHECKED_IN or visit in batch.owners:
        return
    batch.owners[visit] = batch.device_id
    for other in sorted(speakers - {batch.device_id}):
        batch.alarm("foreign_visit", seq=None, event_id=None, device=other, evidence={
            "visit": visit, "owner_device": batch.device_id, "check_in": event.id,
            "events_sent_before_the_check_in": True})


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


def _check_next_link(batch: _Batch, event: SignedEvent) -> None:
    """An event that fills a gap completes the link of the event after it, held already.

    That event was accepted with a ``gap`` alarm and its link unchecked; now it can
    be checked: a match marks its link verified (the gap alarm stays, as history), a
    mismatch is a ``chain_broken`` alarm naming both."""
    after = batch.positions.get(event.seq + 1)
    if after is None or not after.accepted or after.event_id == event.id:
        return
    prev = after.prev()
    if prev == event.hash.hex():
        if not after.chain_ok:
            _mark_link_verified(batch, event.seq + 1, after)
        return
    batch.alarm("chain_broken", seq=event.seq + 1, event_id=after.event_id, evidence={
        "event": after.event_id, "seq": event.seq + 1, "prev": prev,
        "expected_prev": event.hash.hex(), "filled_by": event.id, "filled_seq": event.seq})


def _mark_link_verified(batch: _Batch, seq: int, position: _Position) -> None:
    position.chain_ok = True
    batch.execute_later("UPDATE events SET chain_ok = 1 WHERE device = ? AND seq = ?",
                        (batch.device_id, seq))


def _alarm(batch: _Batch, kind: str, event: SignedEvent, evidence: dict[str, Any],
           same_as: str | None = None) -> None:
    batch.alarm(kind, seq=event.seq, event_id=event.id,
                evidence={"event": event.id, "seq": event.seq, **evidence}, same_as=same_as)


def _refused(index: int, event_id: str | None, status: int, outcome: str, code: str,
             text: Text) -> ItemResult:
    return ItemResult(index, event_id, status, outcome, None, code, text)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
