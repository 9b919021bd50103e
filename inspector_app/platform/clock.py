"""Time as evidence: wall clock, time since boot, and which boot.

Tablets lie about the time: batteries run flat, officers change the clock,
networks are absent for days.  Every event therefore records three readings
(BRIEF §5): the wall clock, the time since boot (which does not jump when the
wall clock is changed, and keeps counting through suspend), and the boot id
that says which boot that counter belongs to.  Durations and lockouts are
computed from the boot counter whenever both readings come from the same boot.

The clock is the edge of the world: everything takes a :class:`Clock`, tests
pass a :class:`FakeClock`.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

_BOOT_ID_FILE = Path("/proc/sys/kernel/random/boot_id")


@dataclass(frozen=True)
class TimeReading:
    """One reading of the three clocks, taken together."""

    wall_ms: int
    boot_ns: int
    boot_id: str


class Clock(Protocol):
    def now(self) -> TimeReading: ...


def _boot_counter_ns() -> int:
    # CLOCK_BOOTTIME keeps counting while the tablet is suspended; CLOCK_MONOTONIC
    # (the fallback on other systems) does not, which only makes durations shorter.
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    if boottime is not None:
        return time.clock_gettime_ns(boottime)
    return time.monotonic_ns()


def _read_boot_id() -> str:
    try:
        return _BOOT_ID_FILE.read_text(encoding="ascii").strip()
    except OSError:
        # No kernel boot id (Windows, macOS): derive one from the boot instant,
        # rounded so that the small jitter between readings does not change it.
        boot_instant_s = (time.time_ns() - time.monotonic_ns()) // 1_000_000_000 // 10
        digest = hashlib.sha256(str(boot_instant_s).encode()).hexdigest()
        return str(uuid.UUID(digest[:32]))


class SystemClock:
    """The real clocks of this machine."""

    def __init__(self) -> None:
        self._boot_id = _read_boot_id()

    def now(self) -> TimeReading:
        return TimeReading(time.time_ns() // 1_000_000, _boot_counter_ns(), self._boot_id)


class FakeClock:
    """A clock the tests drive: advance it, reboot it, or move only its wall clock."""

    def __init__(self, wall_ms: int = 1_767_225_600_000, boot_id: str = "boot-1") -> None:
        self.wall_ms = wall_ms
        self.boot_ns = 5_000_000_000
        self.boot_id = boot_id

    def now(self) -> TimeReading:
        return TimeReading(self.wall_ms, self.boot_ns, self.boot_id)

    def advance(self, seconds: float) -> None:
        self.wall_ms += int(seconds * 1000)
        self.boot_ns += int(seconds * 1_000_000_000)

    def set_wall(self, wall_ms: int) -> None:
        """An officer (or an attacker) changes the wall clock; boot time is unaffected."""
        self.wall_ms = wall_ms

    def reboot(self, boot_id: str, downtime_s: float = 60.0) -> None:
        self.wall_ms += int(downtime_s * 1000)
        self.boot_ns = 3_000_000_000
        self.boot_id = boot_id
