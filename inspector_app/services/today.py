"""The officer's day at a glance: the visit in progress, today's visits, the sync state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector_app.domain.visit_state import Visit
    from inspector_app.services.sync_status import SyncState
    from inspector_app.services.workspace import Workspace


@dataclass(frozen=True)
class Today:
    open_visit: Visit | None
    open_seconds: int
    #: Visits checked in today (China time) or still open, newest first, with their seconds.
    visits: tuple[tuple[Visit, int | None], ...]
    sync: SyncState


def officer_today(ws: Workspace, credential: str) -> Today:
    from inspector_app.services.recorder import VisitRecorder
    from inspector_app.services.sync_status import read_sync_state
    from inspector_app.services.visit_log import local_day, visits_on

    recorder = VisitRecorder(ws)
    now = ws.ledger.time_evidence()
    open_ids = ws.ledger.open_visit_ids(credential)
    open_visit = recorder.visit(open_ids[0]) if open_ids else None
    running = open_visit.duration(now) if open_visit else None
    visits = visits_on(recorder.visits(), local_day(now.wall_ms))
    return Today(open_visit, running.seconds if running else 0,
                 tuple((v, d.seconds if (d := v.duration(now)) else None) for v in visits),
                 read_sync_state(ws))
