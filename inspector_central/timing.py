"""When did an event happen, on the server's clock?  Time evidence read at the centre.

Every event carries the tablet's wall clock, its boot counter with the boot id,
and the last server time anchor (the server's signed time with the boot-counter
reading when it arrived).  The boot counter cannot be set by the user and runs
on through sleep; it restarts at a reboot, under a new boot id.  So:

* **anchored** — an anchor taken on the event's own boot places the event on the
  server's clock: ``anchor.server_ms + (boot_ns - anchor.boot_ns) / 1e6``.  A wall
  clock that differs from that by more than the tolerance was set wrong (or the
  event was backdated): a ``clock_discrepancy``.
* **unanchored** — no anchor on this boot (the tablet rebooted while offline, or
  never synced): only the wall clock speaks, and the event says so.  An anchor
  from an earlier boot still bounds it from below: the event came after that
  server time.

An anchor is the tablet's own report of what the server said; forging one needs
the device's files and an officer's passphrase (``docs/trust-model.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

TimeFlag = Literal["anchored", "unanchored", "clock_discrepancy"]


@dataclass(frozen=True)
class PlacedTime:
    wall_ms: int
    #: On the server's clock, from an anchor on the same boot; None when unanchored.
    server_ms: int | None
    #: The anchor's server time, whatever boot it was taken on: the event is not earlier.
    not_before_ms: int | None
    flag: TimeFlag
    boot_id: str
    anchor_server_ms: int | None

    @property
    def best_ms(self) -> int:
        """The time to believe: server-derived if there is one, else the wall clock (but
        never before a known anchor)."""
        if self.server_ms is not None:
            return self.server_ms
        return max(self.wall_ms, self.not_before_ms or self.wall_ms)

    def after(self, moment_ms: int) -> bool:
        """Was the event made at or after ``moment_ms`` (a revocation, on the server's clock)?"""
        if self.server_ms is not None:
            return self.server_ms >= moment_ms
        if self.not_before_ms is not None and self.not_before_ms >= moment_ms:
            return True
        return self.wall_ms >= moment_ms


def place(time: Any, tolerance_ms: int) -> PlacedTime:
    """Place an envelope's ``time`` object (already checked for wall_ms, boot_ns, boot_id)."""
    wall, boot_ns, boot_id = int(time["wall_ms"]), int(time["boot_ns"]), str(time["boot_id"])
    anchor = _anchor(time.get("anchor"))
    if anchor is None:
        return PlacedTime(wall, None, None, "unanchored", boot_id, None)
    server_ms, anchor_boot_ns, anchor_boot = anchor
    if anchor_boot != boot_id or boot_ns < anchor_boot_ns:
        return PlacedTime(wall, None, server_ms, "unanchored", boot_id, server_ms)
    derived = server_ms + (boot_ns - anchor_boot_ns) // 1_000_000
    flag: TimeFlag = "clock_discrepancy" if abs(wall - derived) > tolerance_ms else "anchored"
    return PlacedTime(wall, derived, server_ms, flag, boot_id, server_ms)


def _anchor(value: Any) -> tuple[int, int, str] | None:
    """The anchor's fields if well typed; anything else counts as no anchor."""
    if not isinstance(value, dict):
        return None
    server_ms, boot_ns, boot_id = value.get("server_ms"), value.get("boot_ns"), value.get("boot_id")
    if not isinstance(server_ms, int) or not isinstance(boot_ns, int) or not _int(server_ms) \
            or not _int(boot_ns) or not isinstance(boot_id, str):
        return None
    return server_ms, boot_ns, boot_id


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63
