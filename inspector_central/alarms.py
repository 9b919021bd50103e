"""Tamper alarms: what the server saw that an honest tablet never sends, with the evidence.

Kinds: ``gap`` (events missing before this one), ``chain_broken`` (the link to the
previous event does not match), ``fork`` (a second event for a position already
held), ``rollback`` (an event or checkpoint below the last accepted checkpoint),
``forged_signature`` (a signature that does not verify, or a key never enrolled),
``conflicting_resend`` (a known event id with different bytes), ``foreign_device``
(an event naming another device), ``malformed`` (bytes that are not an envelope),
``device_key_mismatch`` (an enrolment for a known device with another key),
``foreign_visit`` (an event about a visit another device checked in),
``replayed_event`` (another device's event sent with this device's token),
``revoked_officer`` / ``revoked_device`` (an event made after a revocation),
``second_officer_key`` (another key for an officer who has one, without an
activation code), ``activation_refused`` (an activation proof that does not
verify, or a spent or expired code), ``clock_discrepancy`` (a wall clock that
disagrees with the server-derived time), ``photo_mismatch`` (an uploaded photo
whose bytes do not hash to the SHA-256 its event signed; discarded).

An alarm is recorded in the same transaction as the request's other effects and
committed even when the request is refused.  Alarms are counted, not repeated:
one row per (device, kind, evidence hash) with a count and first and last seen,
so a tablet resending a refused event does not multiply them.  And a device
cannot flood the table: beyond ``ALARM_CAP_PER_HOUR`` distinct alarms of one
kind in one hour, further ones only raise the count of a single row for that
device, kind and hour (``evidence.suppressed``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from inspector_central import settings
from inspector_central.storage import Database, Tx

ALARM_KINDS = ("gap", "chain_broken", "fork", "rollback", "forged_signature",
               "conflicting_resend", "foreign_device", "malformed", "device_key_mismatch",
               "foreign_visit", "replayed_event", "revoked_officer", "revoked_device",
               "second_officer_key", "activation_refused", "clock_discrepancy",
               "photo_mismatch")
_HOUR_MS = 3_600_000


@dataclass(frozen=True)
class Alarm:
    id: int
    device: str
    kind: str
    seq: int | None
    event_id: str | None
    detected_ms: int
    evidence: dict[str, Any]
    #: How many times this alarm was seen, and when last (first is ``detected_ms``).
    count: int = 1
    last_ms: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "device": self.device, "kind": self.kind, "seq": self.seq,
                "event_id": self.event_id, "detected_ms": self.detected_ms,
                "evidence": self.evidence, "count": self.count,
                "last_ms": self.detected_ms if self.last_ms is None else self.last_ms}


@dataclass(frozen=True)
class NewAlarm:
    """An alarm to record: ``same_as`` names what makes two alarms the same when it is not
    the whole evidence (a clock set wrong shows on every event of a boot: one alarm per boot
    and anchor, counted)."""

    device: str
    kind: str
    seq: int | None
    event_id: str | None
    evidence: dict[str, Any]
    same_as: str | None = None


def record_alarm(tx: Tx, device: str, kind: str, *, seq: int | None, event_id: str | None,
                 detected_ms: int, evidence: dict[str, Any], same_as: str | None = None) -> None:
    """Record an alarm once, or count it again."""
    record_alarms(tx, [NewAlarm(device, kind, seq, event_id, evidence, same_as)], detected_ms)


def record_alarms(tx: Tx, alarms: list[NewAlarm], detected_ms: int) -> None:
    """Record a request's alarms in a few statements whatever their number: a batch of 500
    bad events must not hold the database for 500 round trips."""
    pending: dict[tuple[str, str, str], list[Any]] = {}  # first seen, in order
    for alarm in alarms:
        assert alarm.kind in ALARM_KINDS, alarm.kind
        text = json.dumps(alarm.evidence, sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256((alarm.same_as if alarm.same_as is not None else text)
                                .encode()).hexdigest()
        entry = pending.setdefault((alarm.device, alarm.kind, digest), [alarm, text, 0])
        entry[2] += 1
    by_kind: dict[tuple[str, str], list[tuple[str, list[Any]]]] = {}
    for (device, kind, digest), entry in pending.items():
        by_kind.setdefault((device, kind), []).append((digest, entry))
    for (device, kind), entries in by_kind.items():
        _record_kind(tx, device, kind, entries, detected_ms)


def _record_kind(tx: Tx, device: str, kind: str, entries: list[tuple[str, list[Any]]],
                 now: int) -> None:
    condition, params = tx.any_of("evidence_hash", [digest for digest, _entry in entries])
    held = {str(r[0]) for r in tx.all(
        f"SELECT evidence_hash FROM alarms WHERE device = ? AND kind = ? AND {condition}",
        (device, kind, *params))}
    tx.executemany("UPDATE alarms SET count = count + ?, last_ms = ? WHERE device = ? AND "
                   "kind = ? AND evidence_hash = ?",
                   [(entry[2], now, device, kind, digest) for digest, entry in entries
                    if digest in held])
    new = [(digest, entry) for digest, entry in entries if digest not in held]
    if not new:
        return
    hour = now // _HOUR_MS
    # Counted once per transaction, then kept up to date here.
    key = ("alarm_rows", device, kind, hour)
    if key not in tx.memo:
        row = tx.one("SELECT COUNT(*) FROM alarms WHERE device = ? AND kind = ? "
                     "AND detected_ms >= ?", (device, kind, hour * _HOUR_MS))
        tx.memo[key] = 0 if row is None else int(row[0])
    room = max(0, settings.in_force().alarm_cap_per_hour - tx.memo[key])
    stored, suppressed = new[:room], new[room:]
    tx.memo[key] += len(stored)
    tx.executemany(
        "INSERT INTO alarms (device, kind, seq, event_id, detected_ms, evidence, evidence_hash, "
        "count, last_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(device, kind, entry[0].seq, entry[0].event_id, now, entry[1], digest, entry[2], now)
         for digest, entry in stored])
    if suppressed:
        _count_suppressed(tx, device, kind, hour, now, sum(entry[2] for _d, entry in suppressed))


def _count_suppressed(tx: Tx, device: str, kind: str, hour: int, now: int, times: int) -> None:
    digest = f"suppressed-{hour}"
    updated = tx.execute("UPDATE alarms SET count = count + ?, last_ms = ? WHERE device = ? "
                         "AND kind = ? AND evidence_hash = ?", (times, now, device, kind, digest))
    if updated.rowcount > 0:
        return
    evidence = json.dumps({"suppressed": True, "hour_start_ms": hour * _HOUR_MS,
                           "cap": settings.in_force().alarm_cap_per_hour}, sort_keys=True)
    tx.execute("INSERT INTO alarms (device, kind, seq, event_id, detected_ms, evidence, "
               "evidence_hash, count, last_ms) VALUES (?, ?, NULL, NULL, ?, ?, ?, ?, ?)",
               (device, kind, now, evidence, digest, times, now))


def list_alarms(database: Database, device: str | None = None) -> list[Alarm]:
    with database.transaction(write=False) as tx:
        rows = tx.all(
            "SELECT id, device, kind, seq, event_id, detected_ms, evidence, count, last_ms "
            "FROM alarms "
            + ("WHERE device = ? " if device else "") + "ORDER BY id",
            (device,) if device else (),
        )
    return [Alarm(int(r[0]), str(r[1]), str(r[2]), None if r[3] is None else int(r[3]),
                  r[4], int(r[5]), json.loads(r[6]), int(r[7]),
                  None if r[8] is None else int(r[8])) for r in rows]
