"""The roster: who the department says its officers are, and which keys speak for them.

Department IT adds an officer (``inspector-central officer add``) and hands them a
one-time activation code.  The officer types it once when enrolling on a tablet;
the tablet binds a proof of it to the new key inside the signed
``officer.enrolled`` event (:mod:`inspector_protocol.activation`).  When that
event arrives, the key is **activated**.  A key that arrives without a valid
proof — a tablet's ``inspector officer add`` alone, a bundle of a tablet never
enrolled, a device key attesting a second key for a real officer — is stored and
its events verified, but it stays unactivated: the public verification page says
so, and a second key for an officer who has one raises an alarm.

Withdrawing an officer (``officer withdraw`` / ``revoke-officer``) takes effect
at the server time it is made: that officer's events made later are refused.
Every change of the roster is a document of the ``roster`` feed, from which the
tablets learn whom not to sign in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from inspector_central import settings
from inspector_central.alarms import record_alarm
from inspector_central.signing import now_ms
from inspector_central.storage import Database, Tx
from inspector_protocol import keys
from inspector_protocol.activation import code_key, new_activation_code, proof_matches
from inspector_protocol.envelope import SignedEvent

_DAY_MS = 86_400_000
#: Other keys of one officer named in a second-key alarm (bounded evidence).
_OTHER_KEYS_SHOWN = 20


class RosterError(ValueError):
    """An administration command that cannot be carried out (said in plain words)."""


@dataclass(frozen=True)
class RosterEntry:
    credential: str
    name: str | None
    department: str | None
    on_roster: bool
    withdrawn_ms: int | None
    reason: str | None
    activated_keys: int
    unactivated_keys: int

    @property
    def state(self) -> str:
        if self.withdrawn_ms is not None:
            return "withdrawn"
        return "active" if self.on_roster else "not_on_roster"

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "state": self.state}


def add_officer(database: Database, credential: str, name: str, department: str, *,
                code: str | None = None) -> str:
    """Put an officer on the roster; returns their first activation code (``code`` when given:
    generated districts are reproducible)."""
    _check_identity(credential, name, department)
    now = now_ms()
    with database.transaction() as tx:
        held = tx.one("SELECT name, department FROM officers WHERE credential = ?", (credential,))
        if held is not None and (held[0], held[1]) != (name, department):
            raise RosterError(f"officer {credential} is on the roster as {held[0]} ({held[1]})")
        if held is None:
            tx.execute("INSERT INTO officers (credential, name, department, added_ms) "
                       "VALUES (?, ?, ?, ?)", (credential, name, department, now))
        code = _new_code(tx, credential, now, code)
        publish_roster_document(tx, credential)
    return code


def issue_activation_code(database: Database, credential: str) -> str:
    """Another code for an officer on the roster (a new tablet, a lost sheet)."""
    now = now_ms()
    with database.transaction() as tx:
        if tx.one("SELECT 1 FROM officers WHERE credential = ?", (credential,)) is None:
            raise RosterError(f"officer {credential} is not on the roster")
        if tx.one("SELECT 1 FROM officer_revocations WHERE credential = ?", (credential,)):
            raise RosterError(f"officer {credential} is withdrawn")
        return _new_code(tx, credential, now)


def _new_code(tx: Tx, credential: str, now: int, code: str | None = None) -> str:
    code = code or new_activation_code()
    days = settings.in_force().activation_code_days
    tx.execute("INSERT INTO officer_activation_codes (code_key, credential, created_ms, expires_ms)"
               " VALUES (?, ?, ?, ?)", (code_key(code).hex(), credential, now, now + days * _DAY_MS))
    return code


def withdraw_officer(database: Database, credential: str, reason: str) -> int:
    """Withdraw an officer from now on (server time); returns that time."""
    now = now_ms()
    with database.transaction() as tx:
        tx.execute("INSERT INTO officer_revocations (credential, revoked_ms, reason) VALUES (?, ?, ?) "
                   "ON CONFLICT (credential) DO UPDATE SET reason = excluded.reason",
                   (credential, now, reason))
        # Unspent codes die with the officer.
        tx.execute("UPDATE officer_activation_codes SET expires_ms = ? WHERE credential = ? "
                   "AND used_key IS NULL AND expires_ms > ?", (now, credential, now))
        row = tx.one("SELECT revoked_ms FROM officer_revocations WHERE credential = ?",
                     (credential,))
        publish_roster_document(tx, credential)
    assert row is not None
    return int(row[0])


def revoke_device(database: Database, device: str, reason: str) -> int:
    """Revoke a device from now on: its token stops working, its later events are refused."""
    now = now_ms()
    with database.transaction() as tx:
        held = tx.lock_device(device)
        if held is None:
            raise RosterError(f"no device {device} is enrolled here")
        if held[8] is not None:
            return int(held[8])
        tx.execute("UPDATE devices SET revoked_ms = ?, revoked_reason = ? WHERE id = ?",
                   (now, reason, device))
    return now


def roster(database: Database) -> list[RosterEntry]:
    with database.transaction(write=False) as tx:
        rows = tx.all(
            "SELECT c.credential, o.name, o.department, o.credential IS NOT NULL, r.revoked_ms, "
            "r.reason, (SELECT COUNT(*) FROM device_keys k WHERE k.officer = c.credential "
            "AND k.activated_ms IS NOT NULL), (SELECT COUNT(*) FROM device_keys k WHERE "
            "k.officer = c.credential AND k.activated_ms IS NULL) FROM "
            "(SELECT credential FROM officers UNION SELECT credential FROM officer_revocations) c "
            "LEFT JOIN officers o ON o.credential = c.credential "
            "LEFT JOIN officer_revocations r ON r.credential = c.credential ORDER BY c.credential")
    return [RosterEntry(str(r[0]), r[1], r[2], bool(r[3]), None if r[4] is None else int(r[4]),
                        r[5], int(r[6]), int(r[7])) for r in rows]


def roster_document(tx: Tx, credential: str) -> dict[str, Any]:
    """The ``roster`` feed's item for an officer (the tablets refuse to sign in a withdrawn one)."""
    officer = tx.one("SELECT name, department FROM officers WHERE credential = ?", (credential,))
    revoked = tx.one("SELECT revoked_ms FROM officer_revocations WHERE credential = ?",
                     (credential,))
    return {"credential": credential,
            "name": None if officer is None else str(officer[0]),
            "department": None if officer is None else str(officer[1]),
            "state": "withdrawn" if revoked is not None else "active",
            "withdrawn_ms": None if revoked is None else int(revoked[0])}


def publish_roster_document(tx: Tx, credential: str) -> None:
    rev = tx.next_revision("feeds")
    tx.execute("INSERT INTO feed_items (feed, item_key, rev, doc) VALUES ('roster', ?, ?, ?) "
               "ON CONFLICT (feed, item_key) DO UPDATE SET rev = excluded.rev, doc = excluded.doc",
               (credential, rev, json.dumps(roster_document(tx, credential), ensure_ascii=False,
                                            sort_keys=True)))


# -- at ingest ------------------------------------------------------------------------------


def activate_officer_key(tx: Tx, device: str, event: SignedEvent, now: int) -> None:
    """After an accepted ``officer.enrolled``: activate its key if it proves a code from IT;
    raise an alarm for a second key of an officer that does not, or for a bad proof."""
    credential = event.officer
    assert credential is not None
    public = keys.b64decode(str(event.body["public_key"]))
    proof = _proof(event.body.get("activation"))
    activated = False
    evidence: dict[str, Any] = {"credential": credential, "key": event.key_id, "event": event.id,
                                "seq": event.seq}
    if proof is not None:
        refusal = _activate(tx, device, credential, event.key_id, public, proof, now)
        activated = refusal is None
        if refusal is not None:
            record_alarm(tx, device, "activation_refused", seq=event.seq, event_id=event.id,
                         detected_ms=now, evidence={**evidence, "reason": refusal})
    if activated:
        return
    others = tx.all("SELECT device, key_id, activated_ms FROM device_keys WHERE officer = ? "
                    "AND key_id <> ? ORDER BY key_id LIMIT ?",
                    (credential, event.key_id, _OTHER_KEYS_SHOWN))
    if others:
        record_alarm(tx, device, "second_officer_key", seq=event.seq, event_id=event.id,
                     detected_ms=now, evidence={**evidence, "other_keys": [
                         {"device": str(d), "key": str(k), "activated": a is not None}
                         for d, k, a in others]})


def _proof(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        proof = keys.b64decode(value)
    except ValueError:
        return b""
    return proof


def _activate(tx: Tx, device: str, credential: str, key_id: str, public: bytes, proof: bytes,
              now: int) -> str | None:
    """Spend the code the proof was made with; None when the key is activated, else why not."""
    if tx.one("SELECT 1 FROM officers WHERE credential = ?", (credential,)) is None:
        return "not_on_roster"
    if tx.one("SELECT 1 FROM officer_revocations WHERE credential = ?", (credential,)):
        return "withdrawn"
    for key_hex, expires, used_key in tx.all(
            "SELECT code_key, expires_ms, used_key FROM officer_activation_codes "
            "WHERE credential = ? ORDER BY created_ms DESC LIMIT 100", (credential,)):
        if not proof_matches(bytes.fromhex(str(key_hex)), credential, public, proof):
            continue
        if used_key is not None and used_key != key_id:
            return "code_already_used"
        if now > int(expires):
            return "code_expired"
        tx.execute("UPDATE officer_activation_codes SET used_ms = ?, used_key = ? "
                   "WHERE code_key = ?", (now, key_id, key_hex))
        tx.execute("UPDATE device_keys SET activated_ms = ? WHERE device = ? AND key_id = ? "
                   "AND activated_ms IS NULL", (now, device, key_id))
        return None
    return "proof_does_not_verify"


def _check_identity(credential: str, name: str, department: str) -> None:
    if not 0 < len(credential) <= 64 or not credential.isprintable():
        raise RosterError("the credential number must be 1-64 printable characters")
    if not 0 < len(name) <= 64 or not 0 < len(department) <= 64:
        raise RosterError("the name and the department must be 1-64 characters")
