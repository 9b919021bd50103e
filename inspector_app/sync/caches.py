"""Reading what sync cached for offline use, for the parts of the app that need it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector_app.ledger.store import Ledger
from inspector_app.profile.model import IssuerKey, Profile

if TYPE_CHECKING:
    from inspector_app.sync.device import SyncedDevice


def synced_issuer_keys(ledger: Ledger) -> tuple[IssuerKey, ...]:
    rows = ledger.conn.execute(
        "SELECT key_id, public_key, revoked FROM central_issuer_keys ORDER BY key_id").fetchall()
    return tuple(IssuerKey(key_id=str(r[0]), public_key=bytes(r[1]), revoked=bool(r[2])) for r in rows)


def scanning_profile(workspace: SyncedDevice) -> Profile:
    """The profile to verify scanned codes with: issuer keys from the profile and from sync."""
    from inspector_app.scanning.trust import with_synced_issuer_keys

    return with_synced_issuer_keys(workspace.profile, synced_issuer_keys(workspace.ledger))

