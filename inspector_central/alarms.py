"""Tamper alarms: what the server saw that an honest tablet never sends, with the evidence.

Kinds: ``gap`` (events missing before this one), ``chain_broken`` (the link to the
previous event does not match), ``fork`` (a second event for a position already
held), ``rollback`` (an event or checkpoint below the last accepted checkpoint),
``forged_signature`` (a signature that does not verify, or a key never enrolled),
``conflicting_resend`` (a known event id with different bytes), ``foreign_device``
(an event naming another device), ``malformed`` (bytes that are not an envelope),
``device_key_mismatch`` (an enrolment for a known device with another key).

An alarm is recorded in the same transaction as the request's other effects and
committed even when the request is refused.  The same evidence is recorded once:
a tablet resending a refused event does not multiply alarms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from inspector_central.storage import Database, Tx

ALARM_KINDS = ("gap", "chain_broken", "fork", "rollback", "forged_signature",
               "conflicting_resend", "foreign_device", "malformed", "device_key_mismatch")


@dataclass(frozen=True)
class Alarm:
    id: int
    device: str
    kind: str
    seq: int | None
    event_id: str | None
    detected_ms: int
    evidence: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "device": self.device, "kind": self.kind, "seq": self.seq,
                "event_id": self.event_id, "detected_ms": self.detected_ms,
                "evidence": self.evidence}


def record_alarm(tx: Tx, device: str, kind: str, *, seq: int | None, event_id: str | None,
                 detected_ms: int, evidence: dict[str, Any]) -> None:
    assert kind in ALARM_KINDS, kind
    text = json.dumps(evidence, sort_keys=True, ensure_ascii=False)
    duplicate = tx.one(
        "SELECT 1 FROM alarms WHERE device = ? AND kind = ? AND evidence = ?",
        (device, kind, text))
    if duplicate is None:
        tx.execute("INSERT INTO alarms (device, kind, seq, event_id, detected_ms, evidence) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (device, kind, seq, event_id, detected_ms, text))


def list_alarms(database: Database, device: str | None = None) -> list[Alarm]:
    with database.transaction(write=False) as tx:
        rows = tx.all(
            "SELECT id, device, kind, seq, event_id, detected_ms, evidence FROM alarms "
            + ("WHERE device = ? " if device else "") + "ORDER BY id",
            (device,) if device else (),
        )
    return [Alarm(int(r[0]), str(r[1]), str(r[2]), None if r[3] is None else int(r[3]),
                  r[4], int(r[5]), json.loads(r[6])) for r in rows]
