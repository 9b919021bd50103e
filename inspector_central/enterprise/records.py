"""A signed receipt (R2) checked against the keys the centre holds, and the visit in plain words.

:func:`open_receipt` is the one door of every ``/r/…`` page and form: it answers
``None`` for anything that is not a receipt signed by a key the centre knows —
malformed, a forged signature, an unknown key — and every well-formed code costs
one key look-up and one signature check, whether its key is known or not, so
that neither the answer nor its cost tells an unknown visit from a wrong
signature.  Whether the record itself has arrived is the existing receipt check
(:func:`inspector_central.verification.check_receipt`) on the receipt's RCPT1
form: one rule for both pages.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector_central.enterprise.names import Names
from inspector_central.storage import Database, Tx, blob
from inspector_central.verification import ReceiptCheck, check_receipt
from inspector_protocol import events as ev
from inspector_protocol import keys, tags
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text
from inspector_protocol.visit_receipt import (
    SignedVisitReceipt,
    parse_signed_receipt,
    verify_signed_receipt,
)

#: A key no one holds: a code naming an unknown key is checked against it (same cost).
_NOBODY = keys.raw_public_key(Ed25519PrivateKey.from_private_bytes(b"\x01" * 32))


@dataclass(frozen=True)
class OpenedReceipt:
    signed: SignedVisitReceipt
    #: ``device`` (the tablet that recorded the visit) or ``centre`` (a link the centre sent).
    signer: str
    device_name: str | None
    check: ReceiptCheck

    @property
    def visit_id(self) -> str:
        return self.signed.receipt.visit_id

    @property
    def synced(self) -> bool:
        return self.check.status == "received"

    @property
    def rating_token_hash(self) -> str:
        """The rating token is the receipt's signature; only its hash is ever stored."""
        return hashlib.sha256(tags.RATING_TOKEN.value + self.signed.signature).hexdigest()


def open_receipt(database: Database, code: str, server_key_id: str,
                 server_public_key: bytes) -> OpenedReceipt | None:
    try:
        signed = parse_signed_receipt(code)
    except UserError:
        return None
    with database.transaction(write=False) as tx:
        row = tx.one("SELECT id, name, public_key FROM devices WHERE key_id = ?", (signed.key_id,))
    if signed.key_id == server_key_id:
        public, signer, device_name = server_public_key, "centre", None
    elif row is not None:
        public, signer, device_name = blob(row[2]), "device", str(row[1])
    else:
        public, signer, device_name = _NOBODY, "", None
    if not verify_signed_receipt(signed, public) or not signer:
        return None
    check = check_receipt(database, signed.receipt.text())
    if signer == "device" and check.status == "received":
        # The visit must be that device's own: a device speaks only for its own visits.
        with database.transaction(write=False) as tx:
            owner = tx.one("SELECT device FROM visits WHERE visit_id = ?", (signed.receipt.visit_id,))
        if owner is None or str(owner[0]) != str(row[0] if row else ""):
            return None
    return OpenedReceipt(signed, signer, device_name, check)


def centre_receipt(tx: Tx, visit_id: str, key_id: str,
                   private_key: Ed25519PrivateKey) -> SignedVisitReceipt | None:
    """The receipt of a synced, checked-out visit signed by the server key (for the SMS link)."""
    from inspector_protocol.visit_receipt import VisitReceipt, sign_visit_receipt

    row = tx.one("SELECT v.enterprise, v.checked_in_ms, v.checked_out_ms, e.hash FROM visits v "
                 "JOIN events e ON e.visit_id = v.visit_id AND e.type = ? "
                 "WHERE v.visit_id = ? AND v.checked_out_ms IS NOT NULL", (ev.CHECKED_OUT, visit_id))
    if row is None:
        return None
    receipt = VisitReceipt(visit_id, str(row[0]), int(row[1]), int(row[2]), str(row[3]))
    try:
        return sign_visit_receipt(receipt, key_id, private_key.sign)
    except ValueError:  # a visit id that is not a UUID has no R2 form
        return None


# -- the visit in plain words ---------------------------------------------------------------


@dataclass(frozen=True)
class Rectification:
    requirement: str
    deadline: str
    item: str | None


@dataclass(frozen=True)
class VisitRecord:
    visit_id: str
    uscc: str
    enterprise_name: str | None
    department: Text
    kind: Text
    enforcement: bool
    reason: str | None
    legal_basis: str | None
    officers: list[str]
    checked_in_ms: int
    checked_out_ms: int | None
    duration_s: int | None
    rectifications: list[Rectification] = field(default_factory=list)
    notes: int = 0
    photos: int = 0
    #: The rating given on the tablet, in front of the officer (score, comment).
    tablet_rating: tuple[int, str | None] | None = None
    corrections: int = 0


def visit_record(tx: Tx, visit_id: str, names: Names) -> VisitRecord | None:
    """What the centre holds of one visit, for the enterprise to read; None if it holds none."""
    visit = tx.one("SELECT enterprise, department, kind, enforcement, checked_in_ms, "
                   "checked_out_ms, duration_s, officer FROM visits WHERE visit_id = ?", (visit_id,))
    if visit is None:
        return None
    rows = tx.all("SELECT type, officer, raw FROM events WHERE visit_id = ? ORDER BY device, seq",
                  (visit_id,))
    check_in: dict[str, Any] = {}
    officers: list[str] = []
    rectifications: list[Rectification] = []
    notes = photos = corrections = 0
    rating: tuple[int, str | None] | None = None
    for kind, officer, raw in rows:
        body = _body(raw)
        if kind == ev.CHECKED_IN:
            check_in = body
        if officer and str(officer) not in officers and kind in (ev.CHECKED_IN, ev.CO_SIGNED):
            officers.append(str(officer))
        if kind == ev.RECTIFICATION:
            rectifications.append(Rectification(str(body.get("requirement", "")),
                                                str(body.get("deadline", "")),
                                                _str_or_none(body.get("item"))))
        elif kind == ev.NOTE:
            notes += 1
        elif kind == ev.PHOTO:
            photos += 1
        elif kind == ev.CORRECTED:
            corrections += 1
        elif kind == ev.RATED and isinstance(body.get("score"), int):
            rating = (int(body["score"]), _str_or_none(body.get("comment")))
    enterprise = check_in.get("enterprise")
    return VisitRecord(
        visit_id=visit_id, uscc=str(visit[0]),
        enterprise_name=_str_or_none(enterprise.get("name")) if isinstance(enterprise, dict) else None,
        department=names.department(str(visit[1])), kind=names.kind(str(visit[2])),
        enforcement=bool(visit[3]), reason=_str_or_none(check_in.get("reason")),
        legal_basis=_str_or_none(check_in.get("legal_basis")),
        officers=[names.officer(tx, o) for o in officers],
        checked_in_ms=int(visit[4]), checked_out_ms=None if visit[5] is None else int(visit[5]),
        duration_s=None if visit[6] is None else int(visit[6]),
        rectifications=rectifications, notes=notes, photos=photos, tablet_rating=rating,
        corrections=corrections)


def _body(raw: Any) -> dict[str, Any]:
    try:
        envelope = json.loads(blob(raw))
    except ValueError:
        return {}
    body = envelope.get("body") if isinstance(envelope, dict) else None
    return body if isinstance(body, dict) else {}


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
