"""When the tablet app syncs by itself: a steady interval, back-off after failures, and at
once when the network comes back.

Qt-free and clock-injected, so the policy is tested without waiting: the app
asks :meth:`SyncSchedule.seconds_until_due` to arm a timer, calls
:meth:`~SyncSchedule.succeeded` or :meth:`~SyncSchedule.failed` after each
run, and :meth:`~SyncSchedule.connectivity_changed` when the operating system
reports the network.  The back-off is exponential with a cap so a tablet left
in a dead zone for a day does not try every few seconds, yet is never more
than the cap away from noticing that the endpoint is reachable again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SyncPolicy:
    #: Between successful syncs (new records are sent within this time).
    interval_s: float = 300.0
    #: The first retry after a failure; doubled after each further failure.
    first_retry_s: float = 30.0
    #: The longest wait between attempts while failing.
    max_backoff_s: float = 1800.0
    #: After the app starts: long enough to keep the first seconds for the officer.
    startup_delay_s: float = 20.0

    def backoff_s(self, failures: int) -> float:
        if failures <= 0:
            return self.interval_s
        return float(min(self.max_backoff_s, self.first_retry_s * 2 ** (failures - 1)))


class SyncSchedule:
    def __init__(self, now: Callable[[], float], policy: SyncPolicy | None = None) -> None:
        self.policy = policy or SyncPolicy()
        self._now = now
        self.failures = 0
        #: None: the platform cannot tell; True/False as last reported.
        self.online: bool | None = None
        self._due_at = now() + self.policy.startup_delay_s

    def seconds_until_due(self) -> float | None:
        """How long until the next automatic sync; None while known to be offline."""
        if self.online is False:
            return None
        return max(0.0, self._due_at - self._now())

    def is_due(self) -> bool:
        wait = self.seconds_until_due()
        return wait is not None and wait <= 0

    def succeeded(self) -> None:
        self.failures = 0
        self._due_at = self._now() + self.policy.interval_s

    def failed(self) -> None:
        self.failures += 1
        self._due_at = self._now() + self.policy.backoff_s(self.failures)

    def connectivity_changed(self, online: bool) -> None:
        """The network came back: sync now (and forget the back-off, the cause may be gone)."""
        returned = online and self.online is False
        self.online = online
        if returned:
            self.failures = 0
            self._due_at = self._now()
