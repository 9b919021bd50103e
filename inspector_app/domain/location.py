"""Where a check-in happened, as the tablet's positioning reported it.

Coordinates are stored as integers of 1e-7 degree (about 1 cm), so that they
have exactly one spelling in signed data whatever their magnitude, and are
validated here because they come from hardware that can report nonsense.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from inspector_protocol.errors import UserError
from inspector_protocol.text import Text

SOURCES = ("gnss", "network", "nmea_replay", "manual")


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    accuracy_m: float | None
    source: str
    fix_wall_ms: int

    def __post_init__(self) -> None:
        ok = (math.isfinite(self.latitude) and -90 <= self.latitude <= 90
              and math.isfinite(self.longitude) and -180 <= self.longitude <= 180
              and (self.accuracy_m is None
                   or (math.isfinite(self.accuracy_m) and self.accuracy_m >= 0))
              and self.source in SOURCES)
        if not ok:
            raise UserError(Text("定位数据无效，已忽略。", "The position fix is not valid."),
                            code="location.invalid")

    def to_json(self) -> dict[str, Any]:
        return {
            "lat_e7": round(self.latitude * 1e7),
            "lon_e7": round(self.longitude * 1e7),
            "accuracy_m": None if self.accuracy_m is None else round(self.accuracy_m),
            "source": self.source,
            "fix_wall_ms": self.fix_wall_ms,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Location:
        return cls(data["lat_e7"] / 1e7, data["lon_e7"] / 1e7, data.get("accuracy_m"),
                   str(data["source"]), int(data["fix_wall_ms"]))
