"""What the public verification pages check, against what this server holds (no HTML here).

* An officer credential code (``ZF1:``, shown at the gate): is the credential on
  the roster, and not withdrawn; does the signature verify under a key
  *activated* for that credential (``inspector_central.roster``); is it within
  its validity?  A signature that verifies only under a key a device enrolled
  without an activation code is said to be "not activated", never "valid".
* A visit receipt (``RCPT1|…``, shown at check-out): did the check-out event it
  names reach the centre, for that enterprise, with those times?

Neither answer says more than the code or receipt already does: a code that
does not verify reveals nothing about the officer, and a receipt names its
visit by a 128-bit prefix of an event hash, which cannot be guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from inspector_central.storage import Database, blob
from inspector_protocol import events as ev
from inspector_protocol.errors import UserError
from inspector_protocol.officer_credential import (
    BAD_SIGNATURE,
    CredentialRejected,
    OfficerCredential,
    code_from_scan,
    parse_credential,
    verify_credential,
)
from inspector_protocol.visit_receipt import VisitReceipt, parse_visit_receipt

CredentialStatus = Literal["valid", "expired", "not_yet_valid", "unverified", "malformed",
                           "not_on_roster", "withdrawn", "not_activated"]
#: Unactivated keys tried for the "not activated" answer: bounded work on a public page.
#: Activated keys are few (each needs a code from IT) and always all tried first, so
#: unactivated keys, however many a device attests, cannot push a genuine one out.
_UNACTIVATED_TRIED = 64


@dataclass(frozen=True)
class EnrolledOfficer:
    device: str
    device_name: str
    #: The roster's name and department (the authority), not the tablet's.
    name: str | None
    department: str | None
    activated: bool = True


@dataclass(frozen=True)
class CredentialCheck:
    status: CredentialStatus
    #: The code's content; None when the code cannot be read at all.
    credential: OfficerCredential | None = None
    #: The enrolment whose key verified the signature.
    enrolled: EnrolledOfficer | None = None
    revoked_ms: int | None = None
    revoked_reason: str | None = None

    @property
    def trustworthy(self) -> bool:
        return self.status == "valid" and self.revoked_ms is None


def check_credential(database: Database, text: str, now: datetime | None = None) -> CredentialCheck:
    now = now or datetime.now(UTC)
    try:
        credential, _body, _sig = parse_credential(code_from_scan(text.strip()))
    except CredentialRejected:
        return CredentialCheck("malformed")
    number = credential.credential
    with database.transaction(write=False) as tx:
        officer = tx.one("SELECT name, department FROM officers WHERE credential = ?", (number,))
        revoked = tx.one("SELECT revoked_ms, reason FROM officer_revocations WHERE credential = ?",
                         (number,))
        activated = tx.all(
            "SELECT k.device, d.name, k.public_key FROM device_keys k JOIN devices d ON "
            "d.id = k.device WHERE k.officer = ? AND k.activated_ms IS NOT NULL "
            "ORDER BY k.activated_ms", (number,))
        unactivated = tx.all(
            "SELECT k.device, d.name, k.public_key FROM device_keys k JOIN devices d ON "
            "d.id = k.device WHERE k.officer = ? AND k.activated_ms IS NULL "
            "ORDER BY k.device, k.key_id LIMIT ?", (number, _UNACTIVATED_TRIED))
    name, department = (None, None) if officer is None else (str(officer[0]), str(officer[1]))
    revoked_ms, reason = (None, None) if revoked is None else (int(revoked[0]), str(revoked[1]))
    if revoked is not None or officer is None:
        # The roster speaks first: a withdrawn officer or one IT never listed is never
        # "valid", whatever key signed the code.
        status: CredentialStatus = "withdrawn" if revoked is not None else "not_on_roster"
        signer = _signer(text, activated, now)
        was_activated = signer is not None
        signer = signer or _signer(text, unactivated, now)
        enrolled = None if signer is None else EnrolledOfficer(
            signer[0], signer[1], name, department, activated=was_activated)
        return CredentialCheck(status, credential if enrolled else None, enrolled,
                               revoked_ms, reason)
    for device, device_name, public in activated:
        verdict = _status(text, blob(public), now)
        if verdict is not None:
            return CredentialCheck(verdict, credential, EnrolledOfficer(
                str(device), str(device_name), name, department))
    signer = _signer(text, unactivated, now)
    if signer is not None:
        return CredentialCheck("not_activated", credential, EnrolledOfficer(
            signer[0], signer[1], name, department, activated=False))
    return CredentialCheck("unverified", credential)


def _signer(text: str, candidates: list[tuple[Any, ...]], now: datetime
            ) -> tuple[str, str] | None:
    """The candidate whose key signed the code (whatever its validity window)."""
    for device, device_name, public in candidates:
        if _status(text, blob(public), now) is not None:
            return str(device), str(device_name)
    return None


def _status(text: str, public: bytes, now: datetime) -> CredentialStatus | None:
    """The code's status under this key; None when the signature is not this key's."""
    try:
        verify_credential(text.strip(), public, now)
    except CredentialRejected as exc:
        if exc.reason.code == BAD_SIGNATURE.code:
            return None
        return "expired" if exc.reason.code == "credential.expired" else (
            "not_yet_valid" if exc.reason.code == "credential.not_yet_valid" else "unverified")
    return "valid"


@dataclass(frozen=True)
class ReceiptCheck:
    status: Literal["received", "not_received", "mismatch", "malformed"]
    receipt: VisitReceipt | None = None
    department: str | None = None
    kind: str | None = None
    checked_in_ms: int | None = None
    checked_out_ms: int | None = None
    duration_s: int | None = None
    #: An alarm touches this visit's events (or a link is unverified): the record is in doubt.
    flagged: bool = False


def check_receipt(database: Database, text: str) -> ReceiptCheck:
    try:
        receipt = parse_visit_receipt(text)
    except UserError:
        return ReceiptCheck("malformed")
    with database.transaction(write=False) as tx:
        out = [r for r in tx.all(
            "SELECT id, hash FROM events WHERE visit_id = ? AND type = ?",
            (receipt.visit_id, ev.CHECKED_OUT)) if str(r[1]).startswith(receipt.event_hash)]
        visit = tx.one(
            "SELECT enterprise, department, kind, checked_in_ms, checked_out_ms, duration_s "
            "FROM visits WHERE visit_id = ?", (receipt.visit_id,))
        flagged = tx.one(
            "SELECT 1 FROM events e WHERE e.visit_id = ? AND (e.chain_ok = 0 OR EXISTS "
            "(SELECT 1 FROM alarms a WHERE a.event_id = e.id))", (receipt.visit_id,))
    if not out or visit is None:
        return ReceiptCheck("not_received", receipt)
    matches = (str(visit[0]) == receipt.uscc and int(visit[3]) // 1000 == receipt.checked_in_ms // 1000
               and visit[4] is not None and int(visit[4]) // 1000 == receipt.checked_out_ms // 1000)
    return ReceiptCheck("received" if matches else "mismatch", receipt, str(visit[1]), str(visit[2]),
                        int(visit[3]), None if visit[4] is None else int(visit[4]),
                        None if visit[5] is None else int(visit[5]), flagged is not None)


def revoke_officer(database: Database, credential: str, reason: str) -> None:
    from inspector_central.roster import withdraw_officer

    withdraw_officer(database, credential, reason)
