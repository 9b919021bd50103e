"""China time: the one time zone of every date a person sees and every deadline.

Records carry instants (Unix milliseconds); people read them as 北京时间.  A
tablet's own zone setting is not trusted for that: a machine left on UTC (or set
up abroad) would otherwise move a visit at 07:30 to the previous day, count a
frequency window from the wrong midnight, or accept a rectification deadline
that is already past in China.  So every conversion from an instant to a date
or a clock reading goes through this module, never through the local zone.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Final
from zoneinfo import ZoneInfo

#: The zone of every date shown and every deadline (no daylight saving since 1991).
CHINA_TZ: Final = ZoneInfo("Asia/Shanghai")

#: How the zone is named beside a time a person reads.
ZONE_LABEL_ZH: Final = "北京时间"
ZONE_LABEL_EN: Final = "China time"


def china_time(wall_ms: int) -> dt.datetime:
    """The instant ``wall_ms`` (Unix milliseconds) as an aware datetime in China time."""
    return dt.datetime.fromtimestamp(wall_ms / 1000, CHINA_TZ)


def china_date(wall_ms: int) -> dt.date:
    """The calendar day in China at the instant ``wall_ms``."""
    return china_time(wall_ms).date()


def china_today(now_ms: int | None = None) -> dt.date:
    """Today in China: at ``now_ms`` (an injected clock), else at the system's time."""
    return china_date(int(time.time() * 1000) if now_ms is None else now_ms)


def in_china(moment: dt.datetime) -> dt.datetime:
    """An aware datetime shown in China time (a naive one is refused: its zone is unknown)."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no known time zone")
    return moment.astimezone(CHINA_TZ)


def format_china(wall_ms: int, *, seconds: bool = False, with_date: bool = True) -> str:
    """``2025-03-04 09:30`` (or ``09:30``, or with ``:15`` seconds) in China time."""
    pattern = ("%Y-%m-%d " if with_date else "") + ("%H:%M:%S" if seconds else "%H:%M")
    return china_time(wall_ms).strftime(pattern)


def china_isoformat(wall_ms: int, timespec: str = "seconds") -> str:
    """ISO 8601 with the China offset, ``2025-03-04T09:30:00+08:00`` (exports, JSON)."""
    return china_time(wall_ms).isoformat(timespec=timespec)
