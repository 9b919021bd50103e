"""The quick-unlock PIN in the ledger: wrapped, never plain; hours, not days; this boot only;
three wrong PINs and it is gone."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector_app.ledger.quick_unlock import (
    ATTEMPTS,
    VALID_HOURS,
    QuickUnlockUnavailable,
    WrongPin,
)
from inspector_app.platform.clock import FakeClock
from inspector_app.services.roster import sign_in, unlock_with_pin
from inspector_app.services.workspace import open_workspace
from inspector_protocol.errors import UserError
from inspector_protocol.keys import raw_private_key
from tests.conftest import OFFICERS

ZHANG = "37142320001"
PIN = "418207"


def _signed_in_with_pin(data_dir: Path, clock: FakeClock) -> bytes:
    with open_workspace(data_dir, clock) as ws:
        signer = sign_in(ws, ZHANG, OFFICERS[ZHANG][1], PIN)
        return raw_private_key(signer.private_key)


def test_the_pin_opens_the_same_key_and_neither_is_stored_in_clear(
        data_dir: Path, clock: FakeClock) -> None:
    private = _signed_in_with_pin(data_dir, clock)
    with open_workspace(data_dir, clock) as ws:
        again = unlock_with_pin(ws, ZHANG, PIN)
        row = ws.ledger.conn.execute("SELECT wrapped FROM quick_unlock").fetchone()
    assert raw_private_key(again.private_key) == private
    stored = row[0]
    assert PIN not in stored and private.hex() not in stored
    database = b"".join(p.read_bytes() for p in data_dir.glob("ledger.sqlite3*"))
    assert PIN.encode() not in database and private not in database


def test_a_badly_formed_pin_is_refused_before_the_passphrase_is_tried(
        data_dir: Path, clock: FakeClock) -> None:
    with open_workspace(data_dir, clock) as ws:
        with pytest.raises(UserError, match="6"):
            sign_in(ws, ZHANG, "wrong passphrase", "12ab")
        assert ws.ledger.guard.state(ZHANG).failures == 0  # no attempt spent


def test_three_wrong_pins_erase_it_and_a_restart_does_not_reset_the_count(
        data_dir: Path, clock: FakeClock) -> None:
    _signed_in_with_pin(data_dir, clock)
    for attempt in range(1, ATTEMPTS + 1):
        with open_workspace(data_dir, clock) as ws:  # the app restarted between guesses
            with pytest.raises(WrongPin) as refused:
                unlock_with_pin(ws, ZHANG, "000000")
            assert refused.value.attempts_left == ATTEMPTS - attempt
    with open_workspace(data_dir, clock) as ws:
        assert ws.ledger.quick.get(ZHANG) is None
        with pytest.raises(QuickUnlockUnavailable):
            unlock_with_pin(ws, ZHANG, PIN)  # the right PIN no longer helps


def test_the_pin_lasts_hours_on_the_boot_clock_whatever_the_wall_clock_says(
        data_dir: Path, clock: FakeClock) -> None:
    _signed_in_with_pin(data_dir, clock)
    clock.set_wall(clock.now().wall_ms - 86_400_000)  # the wall clock moved back a day
    clock.advance(VALID_HOURS * 3600 - 60)
    with open_workspace(data_dir, clock) as ws:
        unlock_with_pin(ws, ZHANG, PIN)
    clock.advance(120)
    with open_workspace(data_dir, clock) as ws:
        with pytest.raises(QuickUnlockUnavailable):
            unlock_with_pin(ws, ZHANG, PIN)
        assert ws.ledger.quick.get(ZHANG) is None  # expired copies are erased


def test_a_reboot_needs_the_passphrase(data_dir: Path, clock: FakeClock) -> None:
    _signed_in_with_pin(data_dir, clock)
    clock.reboot("boot-2")
    with open_workspace(data_dir, clock) as ws, pytest.raises(QuickUnlockUnavailable):
        unlock_with_pin(ws, ZHANG, PIN)
