"""The audit log: every sign-in (and failed attempt), sign-out, justification, closing,
complaint handled, rules install and account change, with who, when and from where.  Rows are only added."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from inspector_central.storage import Tx

ACTIONS = ("sign_in", "sign_in_failed", "sign_out", "warning_justified", "warning_closed",
           "alarm_acknowledged", "complaint_handled", "rules_installed", "user_added", "user_disabled",
           "session_revoked")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at_ms: int
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]
    address: str | None


def audit(tx: Tx, at_ms: int, actor: str, action: str, target: str | None = None,
          address: str | None = None, **detail: Any) -> None:
    assert action in ACTIONS, action
    tx.execute("INSERT INTO audit_log (at_ms, actor, action, target, detail, address) "
               "VALUES (?, ?, ?, ?, ?, ?)",
               (at_ms, actor, action, target, json.dumps(detail, ensure_ascii=False,
                                                         sort_keys=True), address))


def recent_entries(tx: Tx, *, before_id: int | None, limit: int) -> list[AuditEntry]:
    """Newest first, a page at a time (keyset on the id)."""
    where = "" if before_id is None else "WHERE id < ? "
    params: tuple[Any, ...] = () if before_id is None else (before_id,)
    rows = tx.all("SELECT id, at_ms, actor, action, target, detail, address FROM audit_log "
                  f"{where}ORDER BY id DESC LIMIT ?", (*params, limit))
    return [AuditEntry(int(r[0]), int(r[1]), str(r[2]), str(r[3]), r[4], json.loads(r[5]), r[6])
            for r in rows]
