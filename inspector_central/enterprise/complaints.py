"""Complaints about a visit: to the oversight office only, tracked by number, with a history.

A complaint is filed from the visit's receipt page (the enterprise holds the
receipt), so it names a real visit and enterprise without an account.  It is
never shown to the department complained about: only
:func:`complaints_for_oversight` reads complaints, and the oversight console is
its only caller.  The complainant follows it by its tracking number
(:func:`complaint_status`), which is unguessable (59 random bits: 12 characters of 30) yet short
enough to type from a note: ``TS`` and 12 characters in groups of four, from an
alphabet without 0/O, 1/I/L or U.

Every change of state is a row in ``complaint_events`` (who, when, from, to,
note): the audit trail, never updated or deleted.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from inspector_central.enterprise.photos import CleanPhoto
from inspector_central.storage import Tx, blob
from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

CATEGORIES: dict[str, Text] = {
    "no_credentials": Text("未出示执法证件", "No credentials shown"),
    "too_frequent": Text("检查过多过频", "Inspected too often"),
    "beyond_remit": Text("超出职权范围", "Beyond the department's remit"),
    "procedure": Text("程序不规范", "Procedure not followed"),
    "favours": Text("索要财物或好处", "Demands for favours or money"),
    "other": Text("其他", "Other"),
}
STATES: dict[str, Text] = {
    "received": Text("已收到，待处理", "Received, awaiting review"),
    "in_review": Text("监督部门核查中", "Under review by the oversight office"),
    "resolved": Text("已办结", "Resolved"),
    "dismissed": Text("经核查不予支持", "Reviewed and not upheld"),
}
#: Allowed changes of state; a closed complaint may be reopened for review.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("in_review", "resolved", "dismissed"),
    "in_review": ("resolved", "dismissed"),
    "resolved": ("in_review",),
    "dismissed": ("in_review",),
}
MAX_TEXT_CHARS = 2000
MAX_CONTACT_CHARS = 100
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # 30 symbols, none easily misread
_GROUPS = 3


@dataclass(frozen=True)
class Complaint:
    number: str
    visit_id: str
    enterprise: str
    department: str | None
    category: str
    body: str
    contact: str | None
    state: str
    created_ms: int
    updated_ms: int
    has_photo: bool


@dataclass(frozen=True)
class ComplaintEvent:
    at_ms: int
    actor: str
    from_state: str | None
    to_state: str
    note: str | None


def new_tracking_number() -> str:
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(_GROUPS))
    return "TS-" + "-".join(groups)


def normalise_tracking_number(text: str) -> str | None:
    """The number as stored, from what a person typed (case, spaces and dashes forgiven)."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    compact = compact.removeprefix("TS")
    if len(compact) != 4 * _GROUPS or any(ch not in _ALPHABET for ch in compact):
        return None
    return "TS-" + "-".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def file_complaint(tx: Tx, *, visit_id: str, enterprise: str, category: str, body: str,
                   contact: str | None, photo: CleanPhoto | None, now_ms: int) -> str:
    if category not in CATEGORIES:
        raise UserError(Text("请选择投诉类别。", "Choose a category."), code="complaint.category")
    body = body.strip()
    if not body or len(body) > MAX_TEXT_CHARS:
        raise UserError(Text("请填写投诉内容（最多 {n} 字）。",
                             "Describe the complaint (at most {n} characters).")
                        .format(n=MAX_TEXT_CHARS), code="complaint.text")
    contact = (contact or "").strip() or None
    if contact is not None and len(contact) > MAX_CONTACT_CHARS:
        raise UserError(Text("联系方式过长。", "The contact is too long."), code="complaint.contact")
    number = new_tracking_number()
    tx.execute("INSERT INTO complaints (number, visit_id, enterprise, category, body, contact, "
               "state, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, 'received', ?, ?)",
               (number, visit_id, enterprise, category, body, contact, now_ms, now_ms))
    if photo is not None:
        tx.execute("INSERT INTO complaint_photos (number, jpeg, width, height) VALUES (?, ?, ?, ?)",
                   (number, photo.jpeg, photo.width, photo.height))
    tx.execute("INSERT INTO complaint_events (number, at_ms, actor, from_state, to_state, note) "
               "VALUES (?, ?, 'complainant', NULL, 'received', NULL)", (number, now_ms))
    return number


_SELECT = ("SELECT c.number, c.visit_id, c.enterprise, v.department, c.category, c.body, "
           "c.contact, c.state, c.created_ms, c.updated_ms, "
           "(SELECT COUNT(*) FROM complaint_photos p WHERE p.number = c.number) "
           "FROM complaints c LEFT JOIN visits v ON v.visit_id = c.visit_id")


def _complaint(row: tuple[object, ...]) -> Complaint:
    return Complaint(str(row[0]), str(row[1]), str(row[2]), None if row[3] is None else str(row[3]),
                     str(row[4]), str(row[5]), None if row[6] is None else str(row[6]),
                     str(row[7]), int(str(row[8])), int(str(row[9])), bool(row[10]))


def complaints_for_oversight(tx: Tx, state: str | None = None) -> list[Complaint]:
    """Every complaint (or those in ``state``), oldest first: the oversight office's queue."""
    if state is not None and state not in STATES:
        raise ValueError(f"unknown complaint state {state!r}")
    where, params = ("", ()) if state is None else (" WHERE c.state = ?", (state,))
    return [_complaint(r) for r in tx.all(_SELECT + where + " ORDER BY c.created_ms, c.number",
                                          params)]


def complaint(tx: Tx, number: str) -> Complaint | None:
    row = tx.one(_SELECT + " WHERE c.number = ?", (number,))
    return None if row is None else _complaint(row)


def complaint_history(tx: Tx, number: str) -> list[ComplaintEvent]:
    return [ComplaintEvent(int(r[0]), str(r[1]), r[2], str(r[3]), r[4]) for r in tx.all(
        "SELECT at_ms, actor, from_state, to_state, note FROM complaint_events WHERE number = ? "
        "ORDER BY id", (number,))]


def complaint_photo(tx: Tx, number: str) -> bytes | None:
    row = tx.one("SELECT jpeg FROM complaint_photos WHERE number = ?", (number,))
    return None if row is None else blob(row[0])


def handle_complaint(tx: Tx, number: str, actor: str, new_state: str, note: str | None,
                     now_ms: int | None = None) -> Complaint:
    """Move a complaint on (oversight office only), recording who did it and why."""
    if now_ms is None:
        from inspector_central.signing import now_ms as server_now

        now_ms = server_now()
    current = tx.one("SELECT state FROM complaints WHERE number = ?", (number,))
    if current is None:
        raise UserError(Text("没有该编号的投诉。", "No complaint has this number."),
                        code="complaint.unknown")
    if new_state not in TRANSITIONS.get(str(current[0]), ()):
        raise UserError(Text("投诉状态不能从“{a}”改为“{b}”。",
                             "A complaint cannot go from \"{a}\" to \"{b}\".")
                        .format(a=str(current[0]), b=new_state), code="complaint.transition")
    if not actor.strip():
        raise ValueError("a complaint is handled by someone")
    tx.execute("UPDATE complaints SET state = ?, updated_ms = ? WHERE number = ?",
               (new_state, now_ms, number))
    tx.execute("INSERT INTO complaint_events (number, at_ms, actor, from_state, to_state, note) "
               "VALUES (?, ?, ?, ?, ?, ?)",
               (number, now_ms, actor.strip(), str(current[0]), new_state,
                (note or "").strip() or None))
    found = complaint(tx, number)
    assert found is not None
    return found


def complaint_status(tx: Tx, number: str) -> tuple[Complaint, list[ComplaintEvent]] | None:
    """What the complainant sees by tracking number: the complaint and its states (no notes,
    no names of who handled it)."""
    found = complaint(tx, number)
    if found is None:
        return None
    history = [ComplaintEvent(e.at_ms, "", e.from_state, e.to_state, None)
               for e in complaint_history(tx, number)]
    return found, history


def complaints_of_enterprise(tx: Tx, uscc: str) -> list[Complaint]:
    return [_complaint(r) for r in tx.all(_SELECT + " WHERE c.enterprise = ? ORDER BY c.created_ms",
                                          (uscc,))]
