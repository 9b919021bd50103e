"""Wrong passphrases: growing waits that survive restarts, reboots and clock changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector_app.ledger.lockout import FIRST_LOCK_MS, LockedOut, WrongPassphraseError, lock_ms_after
from inspector_app.platform.clock import FakeClock
from inspector_app.services.workspace import open_workspace
from tests.conftest import OFFICERS

CREDENTIAL = "37142320001"
RIGHT = OFFICERS[CREDENTIAL][1]


def _fail(data_dir: Path, clock: FakeClock, times: int) -> None:
    for _ in range(times):
        with open_workspace(data_dir, clock) as ws, pytest.raises(WrongPassphraseError):
            ws.ledger.unlock(CREDENTIAL, "wrong-guess")


def _try_right(data_dir: Path, clock: FakeClock) -> None:
    with open_workspace(data_dir, clock) as ws:
        ws.ledger.unlock(CREDENTIAL, RIGHT)


def test_back_off_grows() -> None:
    assert [lock_ms_after(n) for n in range(1, 7)] == [0, 0, 30_000, 60_000, 120_000, 240_000]


def test_the_right_passphrase_unlocks_and_resets(data_dir: Path, clock: FakeClock) -> None:
    _fail(data_dir, clock, 2)
    _try_right(data_dir, clock)
    _fail(data_dir, clock, 2)  # counting restarted: no lock yet
    _try_right(data_dir, clock)


def test_lockout_survives_a_restart_of_the_app(data_dir: Path, clock: FakeClock) -> None:
    _fail(data_dir, clock, 3)
    clock.advance(10)
    with pytest.raises(LockedOut) as err:
        _try_right(data_dir, clock)  # a fresh workspace, as after a restart
    assert 15 <= err.value.remaining_s <= 20
    assert "20" in err.value.render("en")
    clock.advance(21)
    _try_right(data_dir, clock)


def test_moving_the_wall_clock_forward_does_not_shorten_the_wait(
    data_dir: Path, clock: FakeClock
) -> None:
    _fail(data_dir, clock, 3)
    clock.set_wall(clock.wall_ms + 86_400_000)
    with pytest.raises(LockedOut):
        _try_right(data_dir, clock)


def test_a_reboot_starts_the_whole_wait_again(data_dir: Path, clock: FakeClock) -> None:
    _fail(data_dir, clock, 3)
    clock.advance(25)
    clock.reboot("boot-2", downtime_s=3600)
    with pytest.raises(LockedOut) as err:
        _try_right(data_dir, clock)
    assert err.value.remaining_s == FIRST_LOCK_MS // 1000
    clock.advance(FIRST_LOCK_MS / 1000 + 1)
    _try_right(data_dir, clock)


def test_an_attempt_killed_midway_still_counts(data_dir: Path, clock: FakeClock) -> None:
    with open_workspace(data_dir, clock) as ws:
        for _ in range(3):
            ws.ledger.guard.begin_attempt(CREDENTIAL, clock.now())  # killed before the answer
    with pytest.raises(LockedOut):
        _try_right(data_dir, clock)


def test_locked_out_officer_does_not_lock_out_another(data_dir: Path, clock: FakeClock) -> None:
    _fail(data_dir, clock, 3)
    with open_workspace(data_dir, clock) as ws:
        ws.ledger.unlock("37142320002", OFFICERS["37142320002"][1])
