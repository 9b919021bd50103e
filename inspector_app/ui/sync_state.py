"""What the app shows about synchronisation, read from the ledger (Qt-free, run on the worker).

The sync client itself lives in :mod:`inspector_app.sync`.  This module is the
seam: it reads what the ledger knows (events without a verified receipt), and
:data:`sync_now` is set to the client's entry point when that package provides
one; until then the "sync now" button says sync is not available.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector_app.i18n import Text

if TYPE_CHECKING:
    from inspector_app.app import Workspace

#: Meta keys a sync client may record (read if present).
LAST_SYNC_META = "last_sync_ms"
LAST_ERROR_META = "last_sync_error"


@dataclass(frozen=True)
class SyncState:
    pending: int
    last_sync_ms: int | None
    last_error: str | None
    endpoint: str | None
    available: bool


def read_sync_state(ws: Workspace) -> SyncState:
    last = ws.ledger.meta(LAST_SYNC_META)
    endpoint = ws.profile.endpoint.url if ws.profile.endpoint else None
    return SyncState(ws.ledger.pending_count(), int(last) if last and last.isdigit() else None,
                     ws.ledger.meta(LAST_ERROR_META), endpoint, sync_entry_point() is not None)


def sync_entry_point() -> Callable[[Workspace], Text] | None:
    """``inspector_app.sync.sync_now(workspace) -> Text`` when the sync package offers it."""
    try:
        module = importlib.import_module("inspector_app.sync")
    except ImportError:
        return None
    entry = getattr(module, "sync_now", None)
    return entry if callable(entry) else None
