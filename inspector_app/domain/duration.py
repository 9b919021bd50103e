"""How long a visit took, from the time evidence of its events.

The officer sees a running timer that must survive an app restart, a reboot,
and a wall clock someone has changed.  So an interval is measured, in order of
preference:

1. on the boot counter, when both ends come from the same boot (immune to
   wall-clock changes);
2. on the server's clock, when both ends carry a server time anchor taken on
   their own boot (survives reboots without trusting the tablet's clock);
3. on the wall clock, flagged as less trustworthy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from inspector_protocol.events import TimeEvidence
from inspector_protocol.text import Text

Basis = Literal["boot_clock", "server_anchor", "wall_clock"]

#: How a duration was measured, in words (the check-out summary, exports).
BASIS_TEXT: dict[Basis, Text] = {
    "boot_clock": Text("按设备启动计时（可信）", "timed on the boot clock (trusted)"),
    "server_anchor": Text("按服务器时间锚点（可信）", "timed on server time anchors (trusted)"),
    "wall_clock": Text("按设备时钟（设备曾重启，可信度较低）",
                       "timed on the wall clock (the tablet restarted; less trustworthy)"),
}


@dataclass(frozen=True)
class Duration:
    seconds: int
    basis: Basis
    #: False when the readings contradict each other (an end before its start).
    consistent: bool = True

    @property
    def trusted(self) -> bool:
        return self.consistent and self.basis != "wall_clock"

    def minutes(self) -> int:
        return self.seconds // 60

    def basis_text(self) -> Text:
        return BASIS_TEXT[self.basis]

    def clock_text(self) -> str:
        hours, rest = divmod(self.seconds, 3600)
        return f"{hours:d}:{rest // 60:02d}:{rest % 60:02d}"


def _server_ms(t: TimeEvidence) -> float | None:
    anchor = t.anchor
    if anchor is None or anchor.boot_id != t.boot_id:
        return None
    return anchor.server_ms + (t.boot_ns - anchor.boot_ns) / 1e6


def between(start: TimeEvidence, end: TimeEvidence) -> Duration:
    if start.boot_id == end.boot_id:
        return _make((end.boot_ns - start.boot_ns) / 1e9, "boot_clock")
    start_server, end_server = _server_ms(start), _server_ms(end)
    if start_server is not None and end_server is not None:
        return _make((end_server - start_server) / 1e3, "server_anchor")
    return _make((end.wall_ms - start.wall_ms) / 1e3, "wall_clock")


def _make(seconds: float, basis: Basis) -> Duration:
    if seconds < 0:
        return Duration(0, basis, consistent=False)
    return Duration(int(seconds), basis)
