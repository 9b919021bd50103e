"""Syncing from the app: on a timer, when the network returns, and when the officer asks.

The timing policy is :class:`inspector_app.sync.schedule.SyncSchedule` (Qt-free);
this object arms a QTimer from it and listens to QNetworkInformation's
reachability where the platform offers it.  The run itself
(:func:`~inspector_app.services.sync_status.sync_once`) is a job on the sync
worker, a task runner of its own with its own connection to the ledger: it never
touches the GUI thread, and the officer's taps, which run on the ledger worker,
never wait behind its HTTP requests and retries.  Its progress comes back by queued signal and it can be
cancelled between requests.  Reading the persisted state is quick and stays on
the ledger worker.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from inspector_app.sync.schedule import SyncPolicy, SyncSchedule

if TYPE_CHECKING:
    from inspector_app.services.sync_status import SyncOutcome, SyncState
    from inspector_app.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class SyncDriver(QObject):
    #: (done, total) while a run sends events; emitted from the sync worker, delivered queued.
    progress = Signal(int, int)
    running_changed = Signal(bool)
    #: A :class:`SyncState` after each run or read.
    state_changed = Signal(object)
    #: True online, False offline, None unknown.
    online_changed = Signal(object)

    def __init__(self, tasks: TaskRunner, worker: TaskRunner,
                 policy: SyncPolicy | None = None) -> None:
        super().__init__()
        self._tasks = tasks  # the ledger worker: reads of the state, the officer's work
        self._worker = worker  # the sync worker: runs only sync_once
        self.schedule = SyncSchedule(time.monotonic, policy)
        self.running = False
        self.state: SyncState | None = None
        self._cancel = threading.Event()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._due)
        self._network: object | None = None

    @property
    def online(self) -> bool | None:
        return self.schedule.online

    def start(self) -> None:
        """Arm the timer and listen to the network (after the first paint: both cost a little)."""
        self._watch_network()
        self._arm()

    def stop(self) -> None:
        self._timer.stop()
        self.cancel()

    def shutdown(self) -> None:
        """Stop, then wait for a run in progress to end (cancelled: at its next request, or
        when the request in flight times out) and close the sync worker's connection."""
        self.stop()
        self._worker.shutdown()

    def sync_now(self) -> None:
        if self.running:
            return
        self.running = True
        self._cancel.clear()
        self.running_changed.emit(True)
        from inspector_app.services.sync_status import sync_once

        cancel, progress = self._cancel, self.progress

        def report(done: int, total: int) -> None:  # called on the sync worker
            progress.emit(done, total)

        self._worker.run(lambda ws: sync_once(ws, report, cancel.is_set), self._finished,
                         self._failed)

    def cancel(self) -> None:
        self._cancel.set()

    def refresh(self) -> None:
        """Read the persisted state (pending count, last error) without syncing."""
        from inspector_app.services.sync_status import read_sync_state

        self._tasks.run(read_sync_state, self.show)

    # -- results -------------------------------------------------------------------

    def _finished(self, outcome: SyncOutcome) -> None:
        from inspector_app.services.sync_status import offline_error, sync_failed

        self.running = False
        if outcome.report is not None and outcome.report.templates_installed:
            # Installed through the sync worker's workspace: the ledger worker's next
            # check-in must see them too.
            self._tasks.run(lambda ws: ws.reload_templates(), lambda _: None)
        if outcome.report is None:
            self.schedule.succeeded()  # nothing to do until enrolled: try again later
        elif sync_failed(outcome):
            self.schedule.failed()
        else:
            self.schedule.succeeded()
        if offline_error(outcome) and self.schedule.online is None:
            self.online_changed.emit(False)
        elif outcome.report is not None and not outcome.report.errors:
            self.online_changed.emit(self.schedule.online if self.schedule.online is not None
                                     else True)
        self.running_changed.emit(False)
        self.show(outcome.state)
        self._arm()

    def _failed(self, error: BaseException) -> None:
        """A refusal before any request (not enrolled, endpoint invalid): say it, back off."""
        from inspector_app.ui.error_dialogs import is_expected, log_bug

        self.running = False
        self.schedule.failed()
        self.running_changed.emit(False)
        if not is_expected(error):
            log_bug(error)
        self.refresh()
        self._arm()

    def show(self, state: SyncState) -> None:
        self.state = state
        self.state_changed.emit(state)

    # -- timing ---------------------------------------------------------------------

    def _arm(self) -> None:
        wait = self.schedule.seconds_until_due()
        if wait is None:
            self._timer.stop()
        else:
            self._timer.start(int(wait * 1000))

    def _due(self) -> None:
        if self.schedule.is_due():
            self.sync_now()
        else:
            self._arm()

    def _watch_network(self) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if not QNetworkInformation.loadBackendByFeatures(
                QNetworkInformation.Feature.Reachability):
            log.info("the platform does not report network reachability; syncing on the timer")
            return
        info: QNetworkInformation | None = QNetworkInformation.instance()
        if info is None:  # the backend loaded but has no instance: treat as unknown
            return
        self._network = info
        info.reachabilityChanged.connect(self._reachability)
        self._reachability(info.reachability())

    def _reachability(self, reachability: object) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        known = reachability != QNetworkInformation.Reachability.Unknown
        online = reachability in (QNetworkInformation.Reachability.Online,
                                  QNetworkInformation.Reachability.Site,
                                  QNetworkInformation.Reachability.Local)
        if not known:
            return
        self.schedule.connectivity_changed(online)
        self.online_changed.emit(online)
        self._arm()
