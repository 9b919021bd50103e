"""Which enterprise a USCC names, offline: the department profile first, then the pulled registry.

The profile is what IT provisioned for this department; the registry is the
central endpoint's list, cached by sync (``central_enterprises``).  A check-in
records the name found here and whether the enterprise is registered at all.
"""

from __future__ import annotations

from inspector_app.profile.model import EnterpriseRecord
from inspector_app.services.workspace import Workspace
from inspector_protocol.uscc import USCC


def find_enterprise(workspace: Workspace, uscc: USCC) -> EnterpriseRecord | None:
    record = workspace.profile.enterprise(uscc)
    if record is not None:
        return record
    row = workspace.ledger.conn.execute(
        "SELECT name, address, industry FROM central_enterprises WHERE uscc = ?",
        (uscc.value,)).fetchone()
    return None if row is None else EnterpriseRecord(
        uscc=uscc, name=str(row[0]), address=row[1], industry=row[2])
