"""The automatic sync timing: interval, capped exponential back-off, at once on reconnection."""

from __future__ import annotations

from inspector_app.sync.schedule import SyncPolicy, SyncSchedule


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


POLICY = SyncPolicy(interval_s=300, first_retry_s=30, max_backoff_s=600, startup_delay_s=20)


def test_first_sync_waits_for_the_start_up_then_runs_on_the_interval() -> None:
    clock = Clock()
    schedule = SyncSchedule(clock, POLICY)
    assert schedule.seconds_until_due() == 20 and not schedule.is_due()
    clock.t += 20
    assert schedule.is_due()
    schedule.succeeded()
    assert schedule.seconds_until_due() == 300


def test_failures_back_off_exponentially_up_to_the_cap() -> None:
    clock = Clock()
    schedule = SyncSchedule(clock, POLICY)
    waits = []
    for _ in range(7):
        schedule.failed()
        waits.append(schedule.seconds_until_due())
    assert waits == [30, 60, 120, 240, 480, 600, 600]
    schedule.succeeded()
    assert schedule.failures == 0 and schedule.seconds_until_due() == 300


def test_offline_means_no_attempts_and_the_return_of_the_network_means_now() -> None:
    clock = Clock()
    schedule = SyncSchedule(clock, POLICY)
    for _ in range(4):
        schedule.failed()
    schedule.connectivity_changed(False)
    assert schedule.seconds_until_due() is None and not schedule.is_due()
    clock.t += 5
    schedule.connectivity_changed(True)
    assert schedule.is_due() and schedule.failures == 0


def test_a_repeated_online_report_does_not_cut_the_back_off_short() -> None:
    clock = Clock()
    schedule = SyncSchedule(clock, POLICY)
    schedule.connectivity_changed(True)
    schedule.failed()
    schedule.connectivity_changed(True)  # still online: the endpoint, not the network, failed
    assert schedule.seconds_until_due() == 30


def test_unknown_connectivity_still_syncs_on_the_timer() -> None:
    clock = Clock()
    schedule = SyncSchedule(clock, POLICY)
    assert schedule.online is None
    clock.t += 25
    assert schedule.is_due()
