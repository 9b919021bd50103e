"""The enterprise's archive (一企一档): access codes at the centre, and what the archive shows.

A code reaches the centre one of two ways, and either replaces the code held
before (the old one stops working at once):

* a **registration** the issuer signed when printing the poster
  (``inspector qr poster`` writes it beside the letter;
  ``inspector-central enterprise register-code FILE`` imports it), accepted only
  under a live key of the ``issuer_keys`` feed and only if newer than the one
  held (a replayed file cannot restore an old code);
* ``inspector-central enterprise rotate-code --uscc …``, which makes a new code
  at the centre and prints the letter (a lost letter, a new representative).

Only the code's hash is stored (``inspector_protocol.enterprise_access``): a copy
of the database does not open any archive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from inspector_central.enterprise import complaints, ratings
from inspector_central.enterprise.names import Names
from inspector_central.enterprise.records import VisitRecord, visit_record
from inspector_central.storage import Database, Tx
from inspector_protocol import keys, tags
from inspector_protocol.enterprise_access import (
    access_code_hash,
    new_access_code,
    normalise_access_code,
    read_registration,
)
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text
from inspector_protocol.uscc import parse_uscc

#: Visits listed on one archive page (newest first); the archive says when there are more.
ARCHIVE_VISITS = 200


def _store(tx: Tx, uscc: str, code_hash: str, issued_ms: int, source: str) -> None:
    tx.execute("INSERT INTO enterprise_access (uscc, code_hash, issued_ms, source) "
               "VALUES (?, ?, ?, ?) ON CONFLICT (uscc) DO UPDATE SET code_hash = excluded.code_hash, "
               "issued_ms = excluded.issued_ms, source = excluded.source",
               (uscc, code_hash, issued_ms, source))


def rotate_code(database: Database, uscc: str, now_ms: int) -> str:
    """A new access code for the enterprise, made here; the previous code stops working."""
    value = parse_uscc(uscc).value
    code = new_access_code()
    with database.transaction() as tx:
        held = tx.one("SELECT issued_ms FROM enterprise_access WHERE uscc = ?", (value,))
        # Strictly newer than what is held, so that no older registration can follow it.
        issued = max(now_ms, int(held[0]) + 1) if held else now_ms
        _store(tx, value, access_code_hash(code), issued, "centre")
    return code


def register_code(database: Database, data: bytes) -> str:
    """Import an issuer-signed registration; returns the USCC.  UserError when refused."""
    registration, raw, sig = read_registration(data)
    with database.transaction() as tx:
        row = tx.one("SELECT doc FROM feed_items WHERE feed = 'issuer_keys' AND item_key = ?",
                     (registration.issuer_key,))
        doc = json.loads(str(row[0])) if row else {}
        public = keys.b64decode(str(doc.get("public_key"))) if row else b""
        if row is None or doc.get("revoked") or len(public) != 32 or not keys.verify_signature(
                keys.load_public_key(public), sig, tags.ENTERPRISE_ACCESS.value + raw):
            raise UserError(Text("登记文件的签名与中心端已知的任何有效签发密钥都不一致。",
                                 "The registration is not signed by a live issuer key this "
                                 "centre knows."), code="access.unverified")
        held = tx.one("SELECT issued_ms FROM enterprise_access WHERE uscc = ?", (registration.uscc,))
        if held is not None and int(held[0]) >= registration.issued_ms:
            raise UserError(Text("登记文件早于中心端现有的查询码，已忽略（旧查询码不能恢复）。",
                                 "The registration is not newer than the code held; ignored (an "
                                 "old code cannot come back)."), code="access.stale")
        _store(tx, registration.uscc, registration.code_hash, registration.issued_ms,
               f"issuer:{registration.issuer_key}")
        if registration.phone:
            set_phone(tx, registration.uscc, registration.phone, registration.issued_ms)
    return registration.uscc


def set_phone(tx: Tx, uscc: str, phone: str, now_ms: int) -> None:
    digits = phone.strip()
    if not 5 <= len(digits) <= 20 or not all(ch.isdigit() or ch in "+- " for ch in digits):
        raise UserError(Text("手机号码格式不正确。", "The phone number is not valid."),
                        code="access.phone")
    tx.execute("INSERT INTO enterprise_contacts (uscc, phone, updated_ms) VALUES (?, ?, ?) "
               "ON CONFLICT (uscc) DO UPDATE SET phone = excluded.phone, "
               "updated_ms = excluded.updated_ms", (parse_uscc(uscc).value, digits, now_ms))


def enterprise_for_code(tx: Tx, code: str) -> str | None:
    """The USCC the code opens; None for anything else (one indexed look-up either way)."""
    compact = normalise_access_code(code)
    digest = access_code_hash(compact) if compact else "-" * 64
    row = tx.one("SELECT uscc FROM enterprise_access WHERE code_hash = ?", (digest,))
    return None if row is None else str(row[0])


@dataclass(frozen=True)
class ArchiveVisit:
    record: VisitRecord
    rating: ratings.StoredRating | None


@dataclass(frozen=True)
class Archive:
    uscc: str
    name: str | None
    visits: list[ArchiveVisit]
    more: bool
    complaints: list[complaints.Complaint]
    enforcement: int
    non_enforcement: int


def archive(tx: Tx, uscc: str, names: Names) -> Archive:
    rows = tx.all("SELECT visit_id FROM visits WHERE enterprise = ? ORDER BY checked_in_ms DESC, "
                  "visit_id LIMIT ?", (uscc, ARCHIVE_VISITS + 1))
    visits = []
    for (visit_id,) in rows[:ARCHIVE_VISITS]:
        record = visit_record(tx, str(visit_id), names)
        if record is not None:
            visits.append(ArchiveVisit(record, ratings.rating_of(tx, str(visit_id))))
    counts = dict(tx.all("SELECT enforcement, COUNT(*) FROM visits WHERE enterprise = ? "
                         "GROUP BY enforcement", (uscc,)))
    name = next((v.record.enterprise_name for v in visits if v.record.enterprise_name), None)
    return Archive(uscc, name, visits, len(rows) > ARCHIVE_VISITS,
                   complaints.complaints_of_enterprise(tx, uscc),
                   int(counts.get(1, 0)), int(counts.get(0, 0)))
