"""What the app shows about synchronisation, and the sync run itself (Qt-free, on a worker).

The state comes from what the sync client persists in the ledger
(:class:`inspector_app.sync.state.SyncStore`): events still waiting for a
receipt, refused events, the last attempt and success, the last error in both
languages, and the enrolment.  :func:`sync_once` is the job the app's sync
driver submits to the sync worker (its own connection to the ledger).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector_protocol.text import Text

if TYPE_CHECKING:
    from inspector_app.services.workspace import Workspace
    from inspector_app.sync.client import SyncReport


@dataclass(frozen=True)
class SyncState:
    pending: int
    rejected: int
    last_attempt_ms: int | None
    last_success_ms: int | None
    last_error: Text | None
    #: The endpoint's address, or why there is none (not configured, not valid).
    endpoint: str | None
    endpoint_problem: Text | None
    #: The name this tablet enrolled under, None while not enrolled.
    device_name: str | None
    #: Evidence photos the centre does not hold whole yet.
    photos_pending: int = 0
    #: "Version X is available, ask IT" (a release manifest signed by a pinned release key).
    update: Text | None = None

    @property
    def available(self) -> bool:
        return self.endpoint is not None and self.device_name is not None


def read_sync_state(ws: Workspace) -> SyncState:
    from inspector_app.sync.endpoint import endpoint_url
    from inspector_app.sync.photo_queue import PhotoQueue
    from inspector_app.sync.state import SyncStore
    from inspector_protocol.errors import UserError

    store = SyncStore(ws.ledger)
    status, enrolment = store.status(), store.enrolment()
    endpoint, problem = None, None
    try:
        endpoint = endpoint_url(ws.profile)
    except UserError as exc:
        problem = exc.text
    from inspector_app.services.updates import update_notice

    notice = update_notice(ws)
    return SyncState(status.pending, status.rejected, status.last_attempt_ms,
                     status.last_success_ms, status.last_error, endpoint, problem,
                     None if enrolment is None else enrolment.device_name,
                     PhotoQueue(ws.ledger).pending_count(),
                     None if notice is None else notice.text)


@dataclass(frozen=True)
class SyncOutcome:
    report: SyncReport | None
    state: SyncState


def sync_once(ws: Workspace, progress: Callable[[int, int], None],
              cancelled: Callable[[], bool]) -> SyncOutcome:
    """One run of the sync client, if this tablet is enrolled; the state afterwards."""
    from inspector_app.sync.client import SyncOptions, run_sync
    from inspector_app.sync.endpoint import make_transport
    from inspector_app.sync.transport import RetryPolicy

    before = read_sync_state(ws)
    if not before.available:
        return SyncOutcome(None, before)
    # Short retries: the schedule tries again later anyway, and closing the app waits for
    # the run in progress to end.
    transport = make_transport(ws.profile, ws.data_dir,
                               RetryPolicy(attempts=2, base_delay_s=0.5, max_delay_s=2.0,
                                           budget_s=20.0))
    transport.timeout = (3.0, 15.0)
    try:
        report = run_sync(ws, transport, SyncOptions(progress=progress, cancelled=cancelled))
        if not report.errors and not report.cancelled:
            from inspector_app.services.updates import check_after_sync

            check_after_sync(ws, transport)  # after the records: never holds them back
    finally:
        transport.close()
    return SyncOutcome(report, read_sync_state(ws))


def sync_failed(outcome: SyncOutcome) -> bool:
    report = outcome.report
    return report is not None and bool(report.errors or report.busy)


def offline_error(outcome: SyncOutcome) -> bool:
    """The endpoint could not be reached at all (as opposed to refusing something)."""
    report = outcome.report
    return report is not None and any(e.kind == "network" for e in report.errors)
